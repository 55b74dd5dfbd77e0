//! `backup` and `restore` of the SQLite database: the restore procedure of
//! docs/DATABASE_BACKUP.md, exercised end to end.

mod common;

use common::{Scratch, dump_file, open, run_env};
use nexus_core::store::{Collection, Filter, Store, Write};
use serde_json::json;

#[tokio::test]
async fn backup_then_restore_gives_the_same_documents() {
    let s = Scratch::new();
    let live = s.path("data/nexus.db");
    s.run(&live, &["seed"]).ok();

    // Online: the backup runs while another process (here: this test) has the database
    // open and writes to it, as a running API would.
    let api = open(&live).await;
    api.commit(vec![Write::Insert {
        collection: Collection::Customers,
        doc: json!({"id": "CUST-100", "name": "Written while running"}),
    }])
    .await
    .unwrap();
    let file = s.path("backups/nexus-2026-11-24.db");
    let b = s
        .run(&live, &["backup", "--out", file.to_str().unwrap()])
        .ok();
    assert!(b.has_line("Integrity check: ok"), "{}", b.stdout);
    assert!(b.has_line("Backup written"));
    assert!(
        b.stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["customers", "4"]),
        "{}",
        b.stdout
    );
    assert!(!s.path("backups/nexus-2026-11-24.db-wal").exists());
    let at_backup = common::dump(&api).await;
    api.close().await;

    // An existing backup is not overwritten by accident.
    let again = s.run(&live, &["backup", "--out", file.to_str().unwrap()]);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("--force"));
    s.run(
        &live,
        &["backup", "--out", file.to_str().unwrap(), "--force"],
    )
    .ok();

    // Restore into a fresh location.
    let fresh = s.path("restored/nexus.db");
    let r = s
        .run(&fresh, &["restore", "--from", file.to_str().unwrap()])
        .ok();
    assert!(r.has_line("Integrity check: ok"), "{}", r.stdout);
    // Every seeded document with its audit entry, plus the customer written while running.
    let seeded = nexus_core::seed::demo_dataset(nexus_core::types::Timestamp::now()).len();
    let expected = format!("Restored {} documents", 2 * seeded + 1);
    assert!(r.has_line(&expected), "want `{expected}`:\n{}", r.stdout);
    assert_eq!(dump_file(&fresh).await, at_backup);

    // Restore over a database that changed since: back to the backup's state exactly,
    // the replaced file kept beside it, no stale WAL applied.
    let store = open(&live).await;
    store
        .commit(vec![Write::Delete {
            collection: Collection::Orders,
            filter: Filter::All,
            expect: nexus_core::store::Expect::Any,
        }])
        .await
        .unwrap();
    store.close().await;
    let r = s
        .run(&live, &["restore", "--from", file.to_str().unwrap()])
        .ok();
    assert!(r.has_line("Previous database kept as"), "{}", r.stdout);
    assert!(s.path("data/nexus.db.before-restore").exists());
    assert_eq!(dump_file(&live).await, at_backup);
    let before = dump_file(&s.path("data/nexus.db.before-restore")).await;
    assert!(before["orders"].is_empty());
}

#[tokio::test]
async fn restore_refuses_while_the_database_is_open_elsewhere() {
    let s = Scratch::new();
    let live = s.path("nexus.db");
    s.run(&live, &["seed"]).ok();
    let file = s.path("backup.db");
    s.run(&live, &["backup", "--out", file.to_str().unwrap()])
        .ok();

    // A "running server": an open pool that has touched the database.
    let server = open(&live).await;
    server
        .commit(vec![Write::Insert {
            collection: Collection::Customers,
            doc: json!({"id": "CUST-200", "name": "After the backup"}),
        }])
        .await
        .unwrap();
    let r = s.run(&live, &["restore", "--from", file.to_str().unwrap()]);
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("in use"), "{}", r.stderr);
    assert_eq!(
        server
            .count(Collection::Customers, &Filter::id("CUST-200"))
            .await
            .unwrap(),
        1,
        "nothing was changed"
    );
    server.close().await;

    // Stopped: now it restores.
    s.run(&live, &["restore", "--from", file.to_str().unwrap()])
        .ok();
    let store = open(&live).await;
    assert_eq!(
        store
            .count(Collection::Customers, &Filter::id("CUST-200"))
            .await
            .unwrap(),
        0
    );
    store.close().await;
}

#[test]
fn damaged_backups_are_refused_and_nothing_is_replaced() {
    let s = Scratch::new();
    let live = s.path("nexus.db");
    s.run(&live, &["seed"]).ok();
    let junk = s.path("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let r = s.run(&live, &["restore", "--from", junk.to_str().unwrap()]);
    assert_ne!(r.code, 0);
    let leftovers: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(!s.path("nexus.db.before-restore").exists());
}

#[test]
fn on_mongodb_the_commands_point_to_mongodump() {
    let s = Scratch::new();
    let db = s.path("unused.db");
    for cmd in [["backup", "--out"], ["restore", "--from"]] {
        let r = run_env(
            s.dir.path(),
            &db,
            &[cmd[0], cmd[1], "x.archive"],
            &[("MONGODB_URI", "mongodb://127.0.0.1:1/nexus")],
        );
        assert_eq!(r.code, 2, "{}", r.stderr);
        let tool = if cmd[0] == "backup" {
            "mongodump"
        } else {
            "mongorestore"
        };
        assert!(r.stderr.contains(tool), "{}", r.stderr);
        assert!(r.stderr.contains("DATABASE_BACKUP.md"));
    }
    assert!(!db.exists());
}
