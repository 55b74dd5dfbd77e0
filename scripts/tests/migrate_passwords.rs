//! `migrate-passwords` on a database holding every kind of stored password.

mod common;

use bcrypt::Version;
use common::{Scratch, dump_file, open};
use nexus_core::store::{Collection, Query, Store, Write};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn hash(pw: &str, v: Version) -> String {
    bcrypt::hash_with_result(pw, 4)
        .unwrap()
        .format_for_version(v)
}

/// Three plaintext users, one hash in each bcrypt prefix, one user without a password.
async fn legacy_users(db: &std::path::Path) -> BTreeMap<String, Option<String>> {
    let users = [
        ("plain-1", Some("sales123".to_string())),
        ("plain-2", Some("p@ss word ✓".to_string())),
        ("admin@nexusoms.com", Some("admin123".to_string())),
        ("hash-2a", Some(hash("one", Version::TwoA))),
        ("hash-2b", Some(hash("two", Version::TwoB))),
        ("hash-2y", Some(hash("three", Version::TwoY))),
        ("no-password", None),
    ];
    let store = open(db).await;
    let writes = users
        .iter()
        .map(|(id, pw)| {
            let mut doc = json!({
                "_id": {"$oid": format!("65c9f0a1b2c3d4e5f6a7b8{:02x}", id.len())},
                "id": id, "name": format!("User {id}"), "role": "Sales",
                "createdAt": "2025-01-01T00:00:00.000Z", "__v": 0
            });
            if let Some(pw) = pw {
                doc["password"] = Value::from(pw.clone());
            }
            Write::Insert {
                collection: Collection::Users,
                doc,
            }
        })
        .collect();
    store.commit(writes).await.unwrap();
    store.close().await;
    users
        .into_iter()
        .map(|(id, pw)| (id.to_string(), pw))
        .collect()
}

async fn passwords(db: &std::path::Path) -> BTreeMap<String, Option<String>> {
    let store = open(db).await;
    let users = store.find(Collection::Users, &Query::all()).await.unwrap();
    store.close().await;
    users
        .into_iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_string(),
                u.get("password")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            )
        })
        .collect()
}

#[tokio::test]
async fn migrates_plaintext_only_and_counts_exactly() {
    let s = Scratch::new();
    let db = s.path("nexus.db");
    let before = legacy_users(&db).await;
    let snapshot = dump_file(&db).await;

    // Dry run: the counts of a real run, and not one byte changed.
    let dry = s.run(&db, &["migrate-passwords", "--dry-run"]).ok();
    assert!(dry.has_line("Migrated: 3 users"), "{}", dry.stdout);
    assert!(dry.has_line("Skipped (already hashed): 3 users"));
    assert!(dry.has_line("Errors: 1 users"));
    assert_eq!(dump_file(&db).await, snapshot);

    let run = s.run(&db, &["migrate-passwords", "--cost", "4"]).ok();
    assert!(run.has_line("Migrated: 3 users"), "{}", run.stdout);
    assert!(run.has_line("Skipped (already hashed): 3 users"));
    assert!(run.has_line("Errors: 1 users"));
    assert!(
        run.stdout
            .lines()
            .any(|l| l.contains("error") && l.contains("no-password")),
        "one line per error: {}",
        run.stdout
    );

    let after = passwords(&db).await;
    assert_eq!(after.len(), before.len(), "no user lost");
    for (id, old) in &before {
        let new = &after[id];
        match id.as_str() {
            "plain-1" | "plain-2" | "admin@nexusoms.com" => {
                let (old, new) = (old.as_deref().unwrap(), new.as_deref().unwrap());
                assert!(new.starts_with("$2b$04$"), "{id}: {new}");
                assert!(bcrypt::verify(old, new).unwrap(), "{id} logs in as before");
            }
            // Hashes of every prefix and the passwordless user are left exactly as they were.
            _ => assert_eq!(new, old, "{id}"),
        }
    }
    // Everything else in the user documents survived (legacy `_id`, `__v`, dates).
    let store = open(&db).await;
    let u = store.find(Collection::Users, &Query::all()).await.unwrap();
    assert!(
        u.iter()
            .all(|d| d["_id"]["$oid"].is_string() && d["__v"] == 0)
    );
    store.close().await;

    let again = s.run(&db, &["migrate-passwords", "--cost", "4"]).ok();
    assert!(again.has_line("Migrated: 0 users"), "{}", again.stdout);
    assert!(again.has_line("Skipped (already hashed): 6 users"));
    assert!(again.has_line("Errors: 1 users"));
    assert_eq!(passwords(&db).await, after);
}
