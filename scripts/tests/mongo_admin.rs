//! `nexus-admin` on MongoDB (the test binary's own SecantusDB, or the replica set named by
//! `NEXUS_TEST_MONGODB_URI`): indexes and seed twice, and the password migration.

mod common;

use common::{Run, Scratch, run_env};
use nexus_core::store::MongoStore;

/// A fresh database on the shared server, dropped when the guard goes.
struct MongoDb {
    uri: String,
    name: String,
}

impl MongoDb {
    fn new() -> MongoDb {
        MongoDb {
            uri: nexus_tests::mongo::shared_uri(),
            name: format!(
                "nexus_admin_{}",
                ulid::Ulid::new().to_string().to_lowercase()
            ),
        }
    }

    /// `nexus-admin ARGS` against this database (the SQLite path is ignored: MONGODB_URI wins).
    fn run(&self, s: &Scratch, args: &[&str]) -> Run {
        run_env(
            s.dir.path(),
            &s.path("unused.db"),
            args,
            &[("MONGODB_URI", &self.uri), ("NEXUS_MONGODB_DB", &self.name)],
        )
    }

    async fn drop(self) {
        let store = MongoStore::connect(&self.uri, &self.name).await.unwrap();
        store.drop_database().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn indexes_seed_and_migration_run_twice_on_mongodb() {
    let s = Scratch::new();
    let db = MongoDb::new();
    let first = db.run(&s, &["create-indexes"]).ok();
    assert!(first.stdout.contains("MongoDB"), "{}", first.stdout);
    db.run(&s, &["create-indexes"]).ok();
    let seeded = db.run(&s, &["seed"]).ok();
    assert!(
        seeded.stdout.contains("Sample data seeding complete"),
        "{}",
        seeded.stdout
    );
    let again = db.run(&s, &["seed"]).ok();
    assert!(
        again.has_line("Nothing to do: the demo data is already there."),
        "{}",
        again.stdout
    );
    db.run(&s, &["migrate-passwords"]).ok();
    db.drop().await;
}
