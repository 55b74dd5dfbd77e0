//! `seed` and `create-indexes`, run twice each through the real binary.

mod common;

use common::{Scratch, dump_file, open, seed_summary};
use nexus_core::seed::default_password_users;
use nexus_core::store::{Collection, Filter, Query, Store};

#[tokio::test]
async fn seeding_twice_creates_everything_once() {
    let s = Scratch::new();
    let db = s.path("data/nexus.db");

    let first = s.run(&db, &["seed"]).ok();
    let rows = seed_summary(&first.stdout);
    let expected = [
        ("warehouses", 4),
        ("users", 20),
        ("customers", 3),
        ("products", 4),
        ("packagingmaterials", 4),
        ("performancerecords", 2),
        ("orders", 6),
        ("stockledgers", 15),
        ("jobs", 1),
        ("total", 59),
    ];
    for (name, n) in expected {
        assert_eq!(rows.get(name), Some(&(n, 0)), "{name} in\n{}", first.stdout);
    }
    assert!(first.has_line("created user SALES-001 (Rajesh Kumar)"));
    assert!(first.has_line("Sample data seeding complete"));
    let after_first = dump_file(&db).await;

    let second = s.run(&db, &["seed"]).ok();
    let rows = seed_summary(&second.stdout);
    for (name, n) in expected {
        assert_eq!(
            rows.get(name),
            Some(&(0, n)),
            "{name} in\n{}",
            second.stdout
        );
    }
    let skipped = second
        .stdout
        .lines()
        .filter(|l| l.contains("skipped") && l.ends_with("(already exists)"))
        .count();
    assert_eq!(skipped, 59, "{}", second.stdout);
    assert!(second.has_line("Nothing to do"));
    // Nothing changed, not even an audit entry.
    assert_eq!(dump_file(&db).await, after_first);

    let store = open(&db).await;
    assert_eq!(
        store
            .count(Collection::AuditLogs, &Filter::All)
            .await
            .unwrap(),
        59
    );
    let admin = store
        .find(Collection::Users, &Query::new(Filter::id("USER-001")))
        .await
        .unwrap();
    assert_eq!(admin[0]["email"], "admin@nexusoms.com");
    assert_eq!(admin[0]["role"], "Admin");
    assert_eq!(admin[0]["mustChangePassword"], true);
    let hash = admin[0]["password"].as_str().unwrap();
    assert!(
        hash.starts_with("$2b$04$"),
        "cost 4 from NEXUS_BCRYPT_COST: {hash}"
    );
    assert!(bcrypt::verify("admin123", hash).unwrap());
    let pms = store
        .find(
            Collection::PerformanceRecords,
            &Query::new(Filter::and([
                Filter::eq("userId", "USER-001"),
                Filter::eq("month", "Feb'26"),
            ])),
        )
        .await
        .unwrap();
    assert_eq!(pms.len(), 1);
    assert_eq!(pms[0]["totalScore"], 95.1);
    let order = store
        .find(Collection::Orders, &Query::new(Filter::id("ORD-001")))
        .await
        .unwrap();
    assert_eq!(order[0]["status"], "Pending Credit Approval");
    assert_eq!(order[0]["total"], 6203.4);
    // Every demo account still has its published password: the start-up warning lists them.
    assert_eq!(default_password_users(&store).await.unwrap().len(), 20);
    store.close().await;
}

#[tokio::test]
async fn create_indexes_twice_reports_nothing_to_do() {
    let s = Scratch::new();
    let db = s.path("nexus.db");
    let first = s.run(&db, &["create-indexes"]).ok();
    let created = first
        .stdout
        .lines()
        .filter(|l| l.contains("created: "))
        .count();
    assert!(created >= 20, "{}", first.stdout);
    assert!(first.has_line("created: users.id_1") || first.stdout.contains("users."));
    assert!(first.has_line(&format!("Created: {created} indexes")));
    assert!(first.has_line("Already present: 0 indexes"));

    let second = s.run(&db, &["create-indexes"]).ok();
    assert!(second.has_line("Created: 0 indexes"), "{}", second.stdout);
    assert!(second.has_line(&format!("Already present: {created} indexes")));
    assert!(second.has_line("Nothing to do"));
    assert!(!second.stdout.contains("✅ created"));
}
