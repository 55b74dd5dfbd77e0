//! The readers of the jobs, stock and credit screens against the answers the server really
//! writes: each answer is built from core's own types and put together as its handler does
//! (`api/src/routes/jobs.rs`, `products/expiring.rs`, `packaging.rs`,
//! `customers/{list,payments}.rs`, the `job:*` and `packaging:low-stock` events), then a
//! legacy or odd record is set next to it. A renamed field or a re-spelled enum on either
//! side fails here rather than on screen, and the odd record shows that one record never
//! drops the list.

use super::*;
use chrono::{NaiveDate, TimeZone};
use nexus_core::events::Audience;
use nexus_core::live;
use nexus_core::model::{
    AgingBuckets, Batch, Customer, JobProgress, JobRecord, PackagingCategory, PackagingMaterial,
    PackagingUnit, Product,
};
use nexus_core::rules::credit::{self, CreditSnapshot};
use nexus_core::rules::{expiry, packaging};
use nexus_core::types::{DateOnly, Money, Quantity, Timestamp};
use serde_json::json;

fn at(hour: u32) -> Timestamp {
    Timestamp::from_datetime(Utc.with_ymd_and_hms(2026, 2, 12, hour, 0, 0).unwrap())
}

fn rupees(paise: i64) -> Money {
    Money::new(Decimal::new(paise, 2))
}

/// A running import and a dead one with its report, as the store holds them.
fn job_records() -> (JobRecord, JobRecord) {
    let mut running = JobRecord::queued(
        "JOB-01RUN",
        JobKind::BulkOrderImport,
        "SALES-001",
        Some(json!({"blobKey": "uploads/orders.xlsx"})),
        3,
        at(10),
    );
    running.status = JobStatus::Running;
    running.attempts = 1;
    running.started_at = Some(at(10));
    running.worker_id = Some("worker-1".into());
    running.progress = JobProgress {
        done: 40,
        total: 100,
        message: Some("row 40 of 100".into()),
    };
    let mut dead = JobRecord::queued(
        "JOB-01DEAD",
        JobKind::ProductImport,
        "USER-001",
        None,
        3,
        at(9),
    );
    dead.status = JobStatus::Dead;
    dead.attempts = 3;
    dead.error = Some("sheet `Materials` missing".into());
    dead.report_key = Some("reports/JOB-01DEAD.xlsx".into());
    dead.finished_at = Some(at(9));
    (running, dead)
}

#[test]
fn the_jobs_list_reads_as_the_server_writes_it() {
    let (running, dead) = job_records();
    // `GET /api/jobs`: a raw array of the records (`Paging::respond`).
    let Value::Array(mut answer) = serde_json::to_value([&running, &dead]).unwrap() else {
        panic!("the list is an array");
    };
    // A legacy record (numbers as text, `_id`, no progress message) of a kind and status
    // this build does not know; one without an id; one that is no record at all.
    answer.extend([
        json!({"_id": "JOB-OLD", "kind": "stock_sync", "status": "paused", "attempts": "2",
               "progress": {"done": "5", "total": "10.0"}, "createdAt": "2026-02-12T08:00:00Z"}),
        json!({"kind": "expiry_scan", "status": "queued"}),
        json!("JOB-X"),
    ]);
    let jobs: Vec<Job> = list(&Value::Array(answer));
    let ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids, ["JOB-01RUN", "JOB-01DEAD", "JOB-OLD"]);

    let j = &jobs[0];
    assert_eq!(j.kind, Named::Known(JobKind::BulkOrderImport));
    assert!(j.status.is(JobStatus::Running));
    assert_eq!((j.done, j.total, j.attempts), (40, 100, 1));
    assert_eq!(j.message, "row 40 of 100");
    assert_eq!(j.ratio(), Decimal::new(4, 1));
    assert_eq!(j.created_at, Some(at(10).datetime()));
    assert!(!j.has_report && j.error.is_empty());

    let j = &jobs[1];
    assert_eq!(j.kind.known(), Some(JobKind::ProductImport));
    assert_eq!(j.status.known(), Some(JobStatus::Dead));
    assert_eq!(j.error, "sheet `Materials` missing");
    assert!(j.has_report);
    assert_eq!(j.attempts, 3);

    let j = &jobs[2];
    assert_eq!((j.kind.name(), j.status.name()), ("stock_sync", "paused"));
    assert_eq!((j.kind.known(), j.status.known()), (None, None));
    assert_eq!((j.done, j.total, j.attempts), (5, 10, 2));
    assert_eq!(j.ratio(), Decimal::new(5, 1));
}

#[test]
fn job_events_retries_and_report_links_read_as_the_server_writes_them() {
    let (running, dead) = job_records();
    // The socket sends the event without its audience; the console ignores it either way.
    let wire = |e: nexus_core::events::Event| {
        let mut v = serde_json::to_value(e).unwrap();
        v.as_object_mut().unwrap().remove("audience");
        WireEvent::from_json(&v).unwrap()
    };
    let ev = wire(live::job_update(
        &running,
        &running.progress,
        Audience::default(),
    ));
    assert_eq!(
        (ev.kind.as_str(), ev.topic.as_str()),
        ("job:progress", "jobs")
    );
    let j = Job::from_json(&ev.data).unwrap();
    assert_eq!(j.id, "JOB-01RUN");
    assert!(j.status.is(JobStatus::Running));
    assert_eq!((j.done, j.total), (40, 100));
    assert_eq!(ev.summary(), "JOB-01RUN bulk_order_import running 40/100");

    let ev = wire(live::job_update(&dead, &dead.progress, Audience::default()));
    assert_eq!(ev.kind, "job:finished");
    let j = Job::from_json(&ev.data).unwrap();
    assert!(j.status.is(JobStatus::Dead) && j.has_report);
    assert_eq!(j.error, "sheet `Materials` missing");
    // An event carries no `createdAt`: the list keeps the one it read.
    assert_eq!(j.created_at, None);

    let ev = wire(live::job_queued(
        "JOB-02",
        JobKind::CustomerImport,
        3,
        "USER-001",
    ));
    let j = Job::from_json(&ev.data).unwrap();
    assert_eq!(j.kind.known(), Some(JobKind::CustomerImport));
    assert!(j.status.is(JobStatus::Queued));

    // `POST /api/jobs/{id}/retry` and `/cancel`: `{success, data: <the record>}`.
    let mut retried = dead.clone();
    retried.status = JobStatus::Queued;
    retried.attempts = 0;
    let answer = json!({"success": true, "data": retried});
    assert_eq!(
        Job::from_answer(&answer).unwrap().status.to_string(),
        "queued"
    );

    // `GET /api/jobs/{id}/report`, and a legacy answer with its figures as text.
    let link = ReportLink::from_answer(&json!({"success": true, "data": {
        "url": "/api/uploads/blob/reports%2FJOB-01DEAD.xlsx?sig=x",
        "expiresInSeconds": 900,
        "fileName": "JOB-01DEAD-rejected-rows.xlsx",
    }}))
    .unwrap();
    assert_eq!(link.file_name, "JOB-01DEAD-rejected-rows.xlsx");
    assert_eq!(link.expires_in_seconds, 900);
    assert!(link.url.starts_with("/api/uploads/"));
    let legacy =
        ReportLink::from_answer(&json!({"url": "https://s3/x", "expiresInSeconds": "60"})).unwrap();
    assert_eq!(
        (legacy.url.as_str(), legacy.expires_in_seconds),
        ("https://s3/x", 60)
    );
    assert!(ReportLink::from_answer(&json!({"data": {"url": " "}})).is_none());
    assert!(ReportLink::from_answer(&json!({"data": null})).is_none());
}

#[test]
fn the_expiring_batches_read_as_the_server_writes_them() {
    let today = NaiveDate::from_ymd_opt(2026, 2, 12).unwrap();
    let mut prawns = Product::new("PROD-002", "Frozen Vannamei Prawns 500g");
    prawns.mrp = Some(rupees(45_000));
    let mut held = Batch::new(
        "BATCH-003",
        Quantity::new(Decimal::new(12_050, 2)).unwrap(),
        DateOnly::ymd(2026, 2, 24),
    );
    held.warehouse_id = Some("WH-KURLA".into());
    held.weight = Some("500g".into());
    let untagged = Batch::new(
        "BATCH-011",
        Quantity::from_int(300),
        DateOnly::ymd(2026, 4, 28),
    );
    prawns.batches = vec![untagged, held];
    // The handler's rows, field for field (`products/expiring.rs`).
    let rows: Vec<Value> = expiry::expiring_batches(&[prawns], today, 90)
        .into_iter()
        .map(|b| {
            json!({
                "productId": b.product_id,
                "skuCode": b.sku_code,
                "productName": b.product_name,
                "batchNumber": b.batch_number,
                "expDate": b.exp_date,
                "quantity": b.quantity,
                "weight": b.weight,
                "mrp": b.mrp,
                "baseRate": b.base_rate,
                "daysToExpiry": b.days_to_expiry,
                "band": b.colour,
                "warehouseId": b.warehouse_id,
            })
        })
        .collect();
    let mut data = rows;
    // A legacy batch: overdrawn, figures as text, its expiry a full timestamp; and one
    // without a batch number.
    data.extend([
        json!({"productName": "Basa Fillet 1kg", "batchNumber": "OLD-7", "quantity": "-4.50",
               "daysToExpiry": "3", "expDate": "2026-02-15T00:00:00.000Z", "mrp": "n/a"}),
        json!({"productName": "no batch", "quantity": 1}),
    ]);
    let answer = json!({
        "success": true, "count": 2, "days": 90, "asOf": DateOnly::new(today), "data": data,
    });
    let batches: Vec<ExpiringBatch> = list(&answer);
    let names: Vec<&str> = batches.iter().map(|b| b.batch.as_str()).collect();
    assert_eq!(names, ["BATCH-003", "BATCH-011", "OLD-7"]);

    let b = &batches[0];
    assert_eq!(
        (b.product_id.as_str(), b.sku.as_str()),
        ("PROD-002", "PROD-002")
    );
    assert_eq!(b.product, "Frozen Vannamei Prawns 500g");
    assert_eq!((b.exp_date.as_str(), b.days), ("2026-02-24", 12));
    assert_eq!(b.quantity, Decimal::new(1205, 1));
    assert_eq!(crate::widgets::quantity(b.quantity), "120.5");
    assert_eq!(b.warehouse, "WH-KURLA");
    // `warehouseId: null`: no warehouse.
    assert_eq!((batches[1].warehouse.as_str(), batches[1].days), ("", 75));
    // Overdrawn stock is shown as sent.
    let old = &batches[2];
    assert_eq!((old.quantity, old.days), (Decimal::new(-45, 1), 3));
    assert_eq!(crate::widgets::quantity(old.quantity), "-4.5");
}

#[test]
fn low_packaging_reads_as_the_server_writes_it() {
    let cartons = PackagingMaterial {
        id: "PKG-003".into(),
        name: "Corrugated Cartons 10kg (5-ply)".into(),
        unit: PackagingUnit::Pcs,
        moq: Quantity::from_int(200),
        balance: Quantity::new(Decimal::new(1805, 1)).unwrap(),
        category: PackagingCategory::Cartons,
        last_movement_date: Some(at(8)),
        created_at: None,
        updated_at: None,
        extra: serde_json::Map::new(),
    };
    assert!(packaging::material_is_low(&cartons));
    // The handler's view of a material (`packaging.rs`, `material_view`).
    let mut view = serde_json::to_value(&cartons).unwrap();
    view["isLowStock"] = json!(true);
    view["health"] = json!(packaging::material_health(&cartons, at(12)));
    let answer = json!({"success": true, "count": 3, "data": [
        view,
        // A legacy material: `_id`, figures as text with separators, below zero.
        {"_id": "PKG-9", "name": "Tape", "balance": "-12", "moq": "1,000", "unit": "ROLLS",
         "category": "Tape/Labels"},
        {"name": "no id", "balance": 1},
    ]});
    let low: Vec<LowPackaging> = list(&answer);
    let ids: Vec<&str> = low.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["PKG-003", "PKG-9"]);
    assert_eq!(low[0].name, "Corrugated Cartons 10kg (5-ply)");
    assert_eq!(
        (low[0].balance, low[0].moq),
        (Decimal::new(1805, 1), Decimal::from(200))
    );
    assert_eq!(low[0].unit, "PCS");
    assert_eq!(
        (low[1].balance, low[1].moq),
        (Decimal::from(-12), Decimal::from(1000))
    );

    // The low-stock event names the material differently; the same reader takes it.
    let mut ev =
        serde_json::to_value(live::packaging_low_stock(&cartons, Audience::default())).unwrap();
    ev.as_object_mut().unwrap().remove("audience");
    let ev = WireEvent::from_json(&ev).unwrap();
    let p = LowPackaging::from_json(&ev.data).unwrap();
    assert_eq!(
        (p.id.as_str(), p.balance),
        ("PKG-003", Decimal::new(1805, 1))
    );
    assert_eq!(
        ev.summary(),
        "Corrugated Cartons 10kg (5-ply) at 180.5 (MOQ 200)"
    );
}

/// A customer over the limit with money in every review group, as the store holds it.
fn abc_traders() -> Customer {
    let mut c = Customer::new("CUST-001", "ABC Traders");
    c.set_balances(rupees(12_000_050), Money::from_rupees(20_000));
    c.set_limit(Money::from_rupees(100_000));
    c.aging_buckets = AgingBuckets {
        d0_7: rupees(5_000_025),
        d15_30: rupees(3_000_025),
        d45_90: Money::from_rupees(30_000),
        over_180: Money::from_rupees(10_000),
        ..AgingBuckets::default()
    };
    c.is_blocked = true;
    c
}

#[test]
fn the_customers_read_as_the_server_writes_them() {
    // `GET /api/customers`: a raw array of the stored documents (KYC links aside).
    let Value::Array(mut answer) = serde_json::to_value([abc_traders()]).unwrap() else {
        panic!("the list is an array");
    };
    // A legacy customer with only the old members of each pair, as text; one with an odd
    // limit and null buckets; one without an id.
    answer.extend([
        json!({"_id": "CUST-OLD", "name": "Metro Mart", "outstanding": "5,000.50",
               "overdue": "5000.5", "creditLimit": "0",
               "agingBuckets": {">180": "5,000.50", "0 to 7": null}}),
        json!({"id": "CUST-ODD", "name": "Coastal Foods", "osBalance": 45000,
               "limit": "lots", "creditLimit": 200000, "agingBuckets": null}),
        json!({"name": "no id", "osBalance": 1}),
    ]);
    let customers: Vec<CustomerCredit> = list(&Value::Array(answer));
    let ids: Vec<&str> = customers.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["CUST-001", "CUST-OLD", "CUST-ODD"]);

    let c = &customers[0];
    assert_eq!(c.name, "ABC Traders");
    assert_eq!(c.outstanding, Decimal::new(12_000_050, 2));
    assert_eq!(c.overdue, Decimal::from(20_000));
    assert_eq!(c.limit, Some(Decimal::from(100_000)));
    // 0–30, 31–90, 90+, to the paisa.
    assert_eq!(
        c.buckets,
        [
            Decimal::new(8_000_050, 2),
            Decimal::from(30_000),
            Decimal::from(10_000)
        ]
    );
    assert!(c.blocked);
    assert_eq!(c.utilisation(), Some(Decimal::new(12_000_050, 7)));
    assert_eq!(crate::widgets::amount(c.outstanding), "120,000.50");
    assert_eq!(
        crate::widgets::bar(c.utilisation().unwrap(), 8),
        "████████ 120%"
    );

    let old = &customers[1];
    assert_eq!(old.outstanding, Decimal::new(500_050, 2));
    assert_eq!(old.overdue, Decimal::new(50_005, 1));
    // A zero limit is no limit.
    assert_eq!((old.limit, old.utilisation()), (Some(Decimal::ZERO), None));
    assert_eq!(
        old.buckets,
        [Decimal::ZERO, Decimal::ZERO, Decimal::new(500_050, 2)]
    );

    // `limit` that is no number counts as absent: the legacy `creditLimit` applies.
    let odd = &customers[2];
    assert_eq!(odd.limit, Some(Decimal::from(200_000)));
    assert_eq!(odd.utilisation(), Some(Decimal::new(225, 3)));
    assert_eq!(odd.buckets, [Decimal::ZERO; 3]);
}

#[test]
fn the_exposure_reads_as_the_server_writes_it() {
    let c = abc_traders();
    // The handler's answer, field for field (`customers/payments.rs`, `aging`), with open
    // uninvoiced orders of 5,285.55.
    let snap = CreditSnapshot::from_customer(&c);
    let exposure = credit::exposure(&snap, rupees(528_555), Money::ZERO);
    let summary = credit::ageing_summary(&snap.aging_buckets);
    let buckets: serde_json::Map<String, Value> = AgingBuckets::LABELS
        .iter()
        .zip(snap.aging_buckets.as_array())
        .map(|(l, m)| (l.to_string(), json!(m)))
        .collect();
    let ageing_days = snap.ageing_days();
    let answer = json!({"success": true, "data": {
        "customerId": c.id,
        "customerName": c.name,
        "buckets": buckets,
        "summary": {"0-30": summary.d0_30, "31-90": summary.d31_90, "90+": summary.d90_plus},
        "bucketTotal": snap.aging_buckets.total(),
        "totalOutstanding": snap.os_balance,
        "overdue": snap.od_amt,
        "overdueSharePct": credit::overdue_share(&snap),
        "creditLimit": snap.limit,
        "availableCredit": credit::available_credit(&snap),
        "exposure": exposure,
        "overLimit": exposure.over_limit(),
        "ageingDays": ageing_days,
        "ageingLabel": credit::ageing_label(ageing_days),
        "critical": credit::is_critical(&snap.aging_buckets),
        "odRisk": credit::od_risk(snap.od_amt),
        "isBlocked": c.is_blocked,
    }});
    let a = Aging::from_json(&answer).unwrap();
    assert_eq!(a.customer_id, "CUST-001");
    assert_eq!(a.exposure, Decimal::new(12_528_605, 2));
    assert_eq!(a.open_orders, Decimal::new(528_555, 2));
    assert_eq!(a.limit, Some(Decimal::from(100_000)));
    assert_eq!(a.headroom, Some(Decimal::new(-2_528_605, 2)));
    assert!(a.over_limit);
    assert_eq!(a.label, credit::ageing_label(ageing_days).to_string());
    // Every bucket the server lists, in age order, zeros included.
    assert_eq!(a.buckets.len(), 9);
    assert_eq!(
        a.buckets[0],
        ("0 to 7".to_string(), Decimal::new(5_000_025, 2))
    );
    assert_eq!(a.buckets[8], (">180".to_string(), Decimal::from(10_000)));
    assert_eq!(crate::widgets::amount(a.exposure), "125,286.05");

    // A legacy answer: no envelope, figures as text, no limit, headroom null.
    let legacy = Aging::from_json(&json!({
        "customerId": "CUST-OLD", "creditLimit": null, "overLimit": "no",
        "exposure": {"total": "5,000.50", "openOrders": "0", "headroom": null},
        "buckets": {">180": "5000.50"}
    }))
    .unwrap();
    assert_eq!(legacy.exposure, Decimal::new(500_050, 2));
    assert_eq!((legacy.limit, legacy.headroom), (None, None));
    assert!(!legacy.over_limit);
    assert_eq!(
        legacy.buckets,
        vec![(">180".to_string(), Decimal::new(500_050, 2))]
    );
}
