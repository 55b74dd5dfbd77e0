//! `nexus-admin` on MongoDB (the test binary's own SecantusDB, or the replica set named by
//! `NEXUS_TEST_MONGODB_URI`): indexes and seed twice, the password migration, and the round
//! trip SQLite → export → MongoDB (twice) → export → a fresh SQLite → export.

mod common;

use common::{Run, Scratch, run_env};
use nexus_core::store::{MongoStore, Store};

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

fn files(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A document with its numbers as numbers (`5.0` and `5` are one value: MongoDB reads a
/// whole double back as an integer) and its keys sorted (MongoDB keeps `_id` first).
fn numbers_as_values(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64()),
        Value::Array(a) => Value::Array(a.iter().map(numbers_as_values).collect()),
        // Keys in one order, so that sorting the documents compares like with like.
        Value::Object(m) => {
            let sorted: std::collections::BTreeMap<&String, &Value> = m.iter().collect();
            Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, x)| (k.clone(), numbers_as_values(x)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// Every collection's documents, sorted, less the `_id`s MongoDB gave documents that came
/// without one (`kept`: the `_id`s the source had, which must survive as they were).
fn documents(
    files: &[(String, String)],
    kept: &[serde_json::Value],
) -> Vec<(String, Vec<serde_json::Value>)> {
    files
        .iter()
        .map(|(name, text)| {
            let mut docs: Vec<serde_json::Value> = text
                .lines()
                .map(|l| {
                    let mut d: serde_json::Value = serde_json::from_str(l).unwrap();
                    if let Some(m) = d.as_object_mut()
                        && m.get("_id").is_some_and(|id| !kept.contains(id))
                    {
                        m.remove("_id");
                    }
                    numbers_as_values(&d)
                })
                .collect();
            docs.sort_by_cached_key(|d| d.to_string());
            (name.clone(), docs)
        })
        .collect()
}

fn ids(files: &[(String, String)]) -> Vec<serde_json::Value> {
    files
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter_map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .ok()?
                .get("_id")
                .cloned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_to_mongodb_and_back_keeps_every_document() {
    let s = Scratch::new();
    let a = s.path("a.db");
    s.run(&a, &["seed"]).ok();
    // A document as the old system stored it: its ObjectId must come through unchanged.
    let store = common::open(&a).await;
    store
        .commit(vec![nexus_core::store::Write::Insert {
            collection: nexus_core::store::Collection::Warehouses,
            doc: serde_json::json!({
                "_id": {"$oid": "65c9f0a1b2c3d4e5f6a7b8d1"}, "name": "Old Hub",
                "location": "Pune", "inventory": [], "createdAt": "2024-03-01T00:00:00.000Z"
            }),
        }])
        .await
        .unwrap();
    store.close().await;
    let from_sqlite = s.path("from-sqlite");
    s.run(&a, &["export", "--out", from_sqlite.to_str().unwrap()])
        .ok();

    // Into MongoDB and out again: every document, every field, every value.
    let db = MongoDb::new();
    db.run(&s, &["import", "--from", from_sqlite.to_str().unwrap()])
        .ok();
    // Twice: upserted by key, nothing doubled.
    db.run(&s, &["import", "--from", from_sqlite.to_str().unwrap()])
        .ok();
    let from_mongo = s.path("from-mongo");
    db.run(&s, &["export", "--out", from_mongo.to_str().unwrap()])
        .ok();
    let sqlite_files = files(&from_sqlite);
    let mongo_files = files(&from_mongo);
    let kept = ids(&sqlite_files);
    assert_eq!(
        documents(&mongo_files, &kept),
        documents(&sqlite_files, &kept)
    );

    // MongoDB → a fresh SQLite store → export: byte for byte what MongoDB exported.
    let b = s.path("b.db");
    s.run(&b, &["import", "--from", from_mongo.to_str().unwrap()])
        .ok();
    let again = s.path("again");
    s.run(&b, &["export", "--out", again.to_str().unwrap()])
        .ok();
    assert_eq!(files(&again), mongo_files);
    db.drop().await;
}
