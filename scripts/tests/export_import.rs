//! `export` and `import`: mongoexport-format files that carry every document from one store
//! to another exactly, and an import that can be repeated.

mod common;

use common::{Scratch, dump_file, open};
use nexus_core::store::{Collection, Store, Write};
use serde_json::{Value, json};
use std::fs;

/// The demo data plus documents shaped like a legacy MongoDB export: ObjectIds, `__v`,
/// dates, and collections whose documents only have `_id`.
async fn populated(s: &Scratch, name: &str) -> std::path::PathBuf {
    let db = s.path(name);
    s.run(&db, &["seed"]).ok();
    let store = open(&db).await;
    store
        .commit(vec![
            Write::Insert {
                collection: Collection::Users,
                doc: json!({
                    "_id": {"$oid": "65c9f0a1b2c3d4e5f6a7b8c9"}, "id": "legacy@example.com",
                    "name": "Legacy User", "role": "Warehouse", "password": "plain",
                    "lastLogin": "2026-02-10T05:00:00.000Z", "__v": 0,
                    "stepAccess": {"QC": "no"}, "unknownKey": [1, 2.5, null, {"x": true}]
                }),
            },
            Write::Insert {
                collection: Collection::AuditLogs,
                doc: json!({
                    "_id": {"$oid": "65c9f0a1b2c3d4e5f6a7b8d0"}, "userId": "system",
                    "userName": "System", "action": "LOGIN",
                    "timestamp": "2026-01-05T10:11:12.345Z", "success": true
                }),
            },
            Write::Insert {
                collection: Collection::Warehouses,
                doc: json!({
                    "_id": {"$oid": "65c9f0a1b2c3d4e5f6a7b8d1"}, "name": "Old Hub",
                    "location": "Pune", "inventory": [], "createdAt": "2024-03-01T00:00:00.000Z"
                }),
            },
            Write::Insert {
                collection: Collection::Attendances,
                doc: json!({
                    "userId": "SALES-001", "date": "2026-02-10",
                    "checkInTime": "2026-02-10T03:30:00.000Z",
                    "checkInLocation": {"lat": 0, "lng": 0, "note": "Manual check-in"}
                }),
            },
        ])
        .await
        .unwrap();
    store.close().await;
    db
}

fn files(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn export_then_import_into_a_fresh_store_gives_identical_documents() {
    let s = Scratch::new();
    let a = populated(&s, "a.db").await;
    let out = s.path("export");
    let exported = s.run(&a, &["export", "--out", out.to_str().unwrap()]).ok();
    // Every seeded document with its audit entry, plus the four legacy-shaped ones
    // `populated` adds.
    let seeded = nexus_core::seed::demo_dataset(nexus_core::types::Timestamp::now()).len();
    let total = 2 * seeded + 4;
    assert!(
        exported.has_line(&format!("Exported: {total} documents")),
        "{}",
        exported.stdout
    );

    // One file per collection, one relaxed extended-JSON document per line.
    let listing = files(&out);
    assert_eq!(listing.len(), Collection::ALL.len());
    let users = &listing.iter().find(|(n, _)| n == "users.json").unwrap().1;
    assert_eq!(users.lines().count(), 21);
    let dated = users
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["createdAt"].get("$date").is_some())
        .count();
    assert_eq!(dated, 20, "every seeded user's createdAt is a $date");
    assert!(users.contains(r#""_id":{"$oid":"65c9f0a1b2c3d4e5f6a7b8c9"}"#));
    assert!(users.contains(r#""lastLogin":{"$date":"2026-02-10T05:00:00.000Z"}"#));
    let products = &listing
        .iter()
        .find(|(n, _)| n == "products.json")
        .unwrap()
        .1;
    assert!(
        products.contains(r#""expDate":"2026-06-01""#),
        "calendar dates stay text"
    );

    let b = s.path("b.db");
    let imported = s.run(&b, &["import", "--from", out.to_str().unwrap()]).ok();
    assert!(
        imported.has_line(&format!("Imported: {total} documents")),
        "{}",
        imported.stdout
    );
    let original = dump_file(&a).await;
    assert_eq!(dump_file(&b).await, original);

    // Twice: the same documents, no duplicates (including the `_id`-only ones).
    s.run(&b, &["import", "--from", out.to_str().unwrap()]).ok();
    assert_eq!(dump_file(&b).await, original);

    // And the second store exports byte-identical files.
    let out2 = s.path("export2");
    s.run(&b, &["export", "--out", out2.to_str().unwrap()]).ok();
    assert_eq!(files(&out2), listing);

    // --drop empties the collection first: an extra document disappears.
    let store = open(&b).await;
    store
        .commit(vec![Write::Insert {
            collection: Collection::Customers,
            doc: json!({"id": "CUST-999", "name": "Not in the export"}),
        }])
        .await
        .unwrap();
    store.close().await;
    s.run(
        &b,
        &[
            "import",
            "--from",
            out.to_str().unwrap(),
            "--collections",
            "customers",
            "--drop",
        ],
    )
    .ok();
    assert_eq!(dump_file(&b).await, original);
}

#[tokio::test]
async fn export_of_selected_collections_and_import_of_mongoexport_lines() {
    let s = Scratch::new();
    let a = populated(&s, "a.db").await;
    let out = s.path("some");
    s.run(
        &a,
        &[
            "export",
            "--out",
            out.to_str().unwrap(),
            "--collections",
            "users,orders",
        ],
    )
    .ok();
    let names: Vec<String> = files(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["orders.json", "users.json"]);

    let bad = s.run(
        &a,
        &[
            "export",
            "--out",
            out.to_str().unwrap(),
            "--collections",
            "nope",
        ],
    );
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("unknown collection `nope`"));

    // What mongoexport itself writes: relaxed dates without milliseconds, $numberLong,
    // and a file that is not a collection.
    let legacy = s.path("legacy");
    fs::create_dir_all(&legacy).unwrap();
    fs::write(
        legacy.join("products.json"),
        concat!(
            r#"{"_id":{"$oid":"65c9f0a1b2c3d4e5f6a7b8e0"},"id":"P-1","name":"Prawns","stock":{"$numberLong":"12"},"createdAt":{"$date":"2026-02-12T07:45:00Z"},"batches":[{"batchNumber":"B1","quantity":12,"expDate":"2026-03-01"}]}"#,
            "\n\n",
            r#"{"_id":{"$oid":"65c9f0a1b2c3d4e5f6a7b8e1"},"id":"P-2","name":"Rice","mrp":{"$numberDouble":"99.5"}}"#,
            "\n"
        ),
    )
    .unwrap();
    fs::write(legacy.join("notes.json"), "{}\n").unwrap();
    let c = s.path("c.db");
    let r = s
        .run(&c, &["import", "--from", legacy.to_str().unwrap()])
        .ok();
    assert!(r.has_line("ignored"), "{}", r.stdout);
    assert!(r.has_line("Imported: 2 documents"));
    let d = dump_file(&c).await;
    let p1 = d["products"].iter().find(|p| p["id"] == "P-1").unwrap();
    assert_eq!(p1["createdAt"], "2026-02-12T07:45:00.000Z");
    assert_eq!(p1["stock"], 12);
    assert_eq!(p1["_id"]["$oid"], "65c9f0a1b2c3d4e5f6a7b8e0");
    let p2 = d["products"].iter().find(|p| p["id"] == "P-2").unwrap();
    assert_eq!(p2["mrp"], 99.5);
}
