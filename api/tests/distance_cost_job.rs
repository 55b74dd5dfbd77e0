//! The queued distance cost (issue #10): quality control passing an order queues a
//! `distance_cost` job; the in-process worker looks up the road distance from the dispatching
//! warehouse to the customer (the offline city table here: no Maps key, marked as the
//! fallback), prices every vehicle class against the 15 % rule, stores the proposal on the
//! order and announces `logistics:cost-proposed`. The logistics team can also price every
//! waiting order at once; re-running stores the same proposals.

mod support;

use nexus_core::model::{JobKind, JobRecord, JobStatus, Order};
use nexus_core::store::Filter;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::ws_client::{Ws, next_json, open_as, subscribe};
use support::*;

/// Books an order for `customer` and walks it from Kurla through quality control.
async fn through_qc(app: &TestApp, booker: &str, customer: &str) -> String {
    let booked = app
        .post(
            booker,
            "/api/orders",
            json!({ "customerId": customer, "items": [{ "productId": "PROD-002", "quantity": 2 }] }),
        )
        .await
        .expect_success(StatusCode::CREATED);
    let id = booked.body["data"]["id"].as_str().unwrap().to_string();
    let approval = json!({ "decision": "approve", "reason": "Within terms" });
    app.ok_step("CREDIT-001", &id, "credit-decision", approval)
        .await;
    let wh = json!({ "warehouseId": "WH-KURLA" });
    let a = app.ok_step("WHM-001", &id, "assign-warehouse", wh).await;
    app.ok_step("WH-001", &id, "pack", picks_of(&a["data"]))
        .await;
    let checks = json!({"tempVerified": true, "actualTemp": -19, "packagingIntact": true,
        "weightVerified": true, "labelClarity": true, "invoiceDcAttached": true,
        "passed": true, "remarks": "ok"});
    let qc = app.ok_step("QC-001", &id, "qc", checks).await;
    assert_eq!(qc["data"]["status"], "Pending Logistics Cost", "{qc}");
    id
}

/// Messages until one of `event_type` whose data matches `key` = `value` (returned).
async fn until(ws: &mut Ws, event_type: &str, key: &str, value: &str) -> Value {
    loop {
        let m = next_json(ws).await;
        if m["type"] == event_type && m["data"][key] == value {
            return m;
        }
    }
}

fn distance_jobs(all: &[JobRecord]) -> Vec<&JobRecord> {
    all.iter()
        .filter(|j| j.kind == JobKind::DistanceCost)
        .collect()
}

#[tokio::test]
async fn an_order_passing_qc_gets_its_route_priced_and_the_team_can_price_all_waiting() {
    let app = spawn_app_with_workers(&quick_jobs(&[("NEXUS_EXPIRY_SCAN_CRON", "off")])).await;
    let (mut ws, _) = open_as(&app, "LOG-001").await;
    subscribe(&mut ws, &["orders", "jobs"]).await;

    // Kurla (Mumbai) to a New Delhi customer: the offline table measures it.
    let delhi = through_qc(&app, "SALES-002", "CUST-002").await;
    let proposed = until(&mut ws, "logistics:cost-proposed", "orderId", &delhi).await;
    assert_eq!(proposed["data"]["isFallback"], true, "{proposed}");
    let km = proposed["data"]["distanceKm"].as_f64().expect("a distance");
    assert!((1000.0..2000.0).contains(&km), "Mumbai–Delhi by road: {km}");

    let order: Order = stored(&app, &delhi).await;
    let p = order
        .logistics_proposal
        .clone()
        .expect("logisticsProposal stored");
    assert_eq!(p["distanceSource"], "offline_table", "{p}");
    assert_eq!(
        (p["origin"].as_str(), p["destination"].as_str()),
        (Some("Mumbai"), Some("Delhi")),
        "{p}"
    );
    assert!(
        p["generatedBy"].as_str().unwrap().starts_with("job:"),
        "{p}"
    );
    let options = p["options"].as_array().unwrap();
    assert_eq!(options.len(), 4, "every vehicle class: {p}");
    let costs: Vec<f64> = options
        .iter()
        .map(|o| o["cost"].as_f64().unwrap())
        .collect();
    assert!(
        costs.windows(2).all(|w| w[0] <= w[1]),
        "cheapest first: {costs:?}"
    );
    // Two packs against a 1,400 km trip: every class is over 15 %, nothing is recommended
    // and the proposal says the order will need an admin's review.
    assert!(
        options
            .iter()
            .all(|o| o["assessment"]["highCostAlert"] == true),
        "{p}"
    );
    assert_eq!(p["recommended"], Value::Null, "{p}");
    assert!(p["reason"].as_str().unwrap().contains("admin"), "{p}");
    // The API's order answer carries it too.
    let got = app.get_ok("LOG-001", &format!("/api/orders/{delhi}")).await;
    assert_eq!(got.body["logisticsProposal"], p, "{}", got.body);

    // A Mumbai customer served from Kurla: the table cannot measure a trip inside one city,
    // so the proposal has no distance and says to enter it.
    let local = through_qc(&app, "SALES-001", "CUST-001").await;
    let proposed = until(&mut ws, "logistics:cost-proposed", "orderId", &local).await;
    assert_eq!(proposed["data"]["distanceKm"], Value::Null, "{proposed}");
    let order: Order = stored(&app, &local).await;
    let p = order.logistics_proposal.expect("stored");
    assert!(p["reason"].as_str().unwrap().contains("by hand"), "{p}");
    assert_eq!(p["options"], json!([]), "{p}");

    // Price every waiting order again: the measured one is reused as it is, nothing new is
    // stored for it; the job lists each order it looked at.
    let before: Order = stored(&app, &delhi).await;
    let queued = app
        .post_empty("LOG-001", "/api/jobs/distance-cost")
        .await
        .expect_status(StatusCode::ACCEPTED);
    let job_id = queued.job_id();
    until(&mut ws, "job:finished", "jobId", &job_id).await;
    let job: JobRecord = stored(&app, &job_id).await;
    assert_eq!(job.status, JobStatus::Succeeded, "{job:?}");
    let result = job.result.clone().unwrap();
    let rows = result["orders"].as_array().unwrap();
    let row = |id: &str| rows.iter().find(|r| r["orderId"] == id).cloned();
    assert_eq!(
        row(&delhi).expect("priced again")["reused"],
        true,
        "{result}"
    );
    assert!(row(&local).is_some(), "{result}");
    let after: Order = stored(&app, &delhi).await;
    assert_eq!(after.logistics_proposal, before.logistics_proposal);
    assert_eq!(after.rev, before.rev, "a reused proposal writes nothing");

    // One job per QC pass plus the batch, all succeeded.
    let jobs: Vec<JobRecord> = stored_where(&app, Filter::All).await;
    let distance = distance_jobs(&jobs);
    assert_eq!(distance.len(), 3, "{distance:?}");
    assert!(distance.iter().all(|j| j.status == JobStatus::Succeeded));
}

#[tokio::test]
async fn only_the_logistics_team_queues_pricing_and_only_for_waiting_orders() {
    let app = spawn_app_with(&[("NEXUS_EXPIRY_SCAN_CRON", "off")]).await;
    app.post_empty("SALES-001", "/api/jobs/distance-cost")
        .await
        .expect_refusal(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.post(
        "LOG-001",
        "/api/jobs/distance-cost",
        json!({ "orderId": "ORD-001" }),
    )
    .await
    .expect_refusal(StatusCode::CONFLICT, "INVALID_TRANSITION");
    app.post(
        "LOG-001",
        "/api/jobs/distance-cost",
        json!({ "orderId": "ORD-404" }),
    )
    .await
    .expect_refusal(StatusCode::NOT_FOUND, "ORDER_NOT_FOUND");
    app.post(
        "LOG-001",
        "/api/jobs/distance-cost",
        json!({ "order": "ORD-001" }),
    )
    .await
    .expect_status(StatusCode::UNPROCESSABLE_ENTITY);
}

fn matrix_ok(meters: i64, seconds: i64) -> axum::response::Response {
    nexus_tests::mock_http::json(
        200,
        json!({
            "status": "OK",
            "origin_addresses": ["Kurla West, Mumbai, Maharashtra 400070, India"],
            "destination_addresses": ["New Delhi, Delhi, India"],
            "rows": [{"elements": [{"status": "OK",
                "distance": {"text": "", "value": meters},
                "duration": {"text": "", "value": seconds}}]}]
        }),
    )
}

/// On the Redis queue, with Google Maps configured: an outage is retried with backoff and
/// the measured road distance is stored; an outage that outlasts the attempts ends with the
/// offline table's estimate, marked as the fallback with the reason.
#[tokio::test]
async fn on_redis_a_maps_outage_is_retried_and_only_the_last_attempt_falls_back() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let redis = nexus_tests::redis::RedisServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    // The second call answers; every other one is a server error.
    let maps = nexus_tests::mock_http::MockServer::start(move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 1 {
                matrix_ok(1_402_000, 86_400)
            } else {
                nexus_tests::mock_http::json(500, json!({"status": "UNKNOWN_ERROR"}))
            }
        }
    })
    .await;
    let url = redis.url();
    let app = spawn_app_with_workers(&quick_jobs(&[
        ("REDIS_URL", url.as_str()),
        ("NEXUS_EXPIRY_SCAN_CRON", "off"),
        ("NEXUS_JOB_BACKOFF", "20ms"),
        ("NEXUS_JOB_MAX_ATTEMPTS", "2"),
        ("GOOGLE_MAPS_API_KEY", "test-maps-key"),
        ("GOOGLE_MAPS_BASE_URL", maps.base_url.as_str()),
        ("GOOGLE_MAPS_TIMEOUT", "2s"),
    ]))
    .await;
    let (mut ws, _) = open_as(&app, "LOG-001").await;
    subscribe(&mut ws, &["orders"]).await;

    let delhi = through_qc(&app, "SALES-002", "CUST-002").await;
    until(&mut ws, "logistics:cost-proposed", "orderId", &delhi).await;
    let p = stored::<Order>(&app, &delhi)
        .await
        .logistics_proposal
        .unwrap();
    assert_eq!(p["distanceSource"], "google_maps", "{p}");
    assert_eq!(
        (p["isFallback"].clone(), p["distanceKm"].as_f64()),
        (json!(false), Some(1402.0)),
        "{p}"
    );
    assert_eq!(p["fallbackReason"], Value::Null, "{p}");
    let jobs: Vec<JobRecord> = stored_where(&app, Filter::All).await;
    let job = distance_jobs(&jobs)
        .into_iter()
        .find(|j| {
            j.input
                .as_ref()
                .is_some_and(|i| i["orderId"] == delhi.as_str())
        })
        .expect("its job")
        .clone();
    assert_eq!(
        (job.status, job.attempts),
        (JobStatus::Succeeded, 2),
        "{job:?}"
    );

    // Bengaluru: Maps fails on both attempts; the last one uses the city table.
    let blr = through_qc(&app, "SALES-001", "CUST-003").await;
    until(&mut ws, "logistics:cost-proposed", "orderId", &blr).await;
    let p = stored::<Order>(&app, &blr)
        .await
        .logistics_proposal
        .unwrap();
    assert_eq!(p["distanceSource"], "offline_table", "{p}");
    assert_eq!(p["isFallback"], true, "{p}");
    assert_eq!(p["fallbackReason"], "Google Maps was unavailable", "{p}");
    assert_eq!(calls.load(Ordering::SeqCst), 4, "two calls per order");
}

/// A worker that died mid-batch (its claim's lease ran out, nothing of the batch stored: the
/// proposals commit with the job's success) loses no order: another worker takes the job
/// over and prices every waiting order.
#[tokio::test]
async fn a_batch_whose_worker_died_is_taken_over_and_prices_every_waiting_order() {
    use nexus_core::model::OrderStatus;
    use nexus_core::store::{UpdateOp, Write};
    use nexus_core::types::Timestamp;
    let app = spawn_app_with_workers(&quick_jobs(&[("NEXUS_EXPIRY_SCAN_CRON", "off")])).await;
    let (mut ws, _) = open_as(&app, "LOG-001").await;
    subscribe(&mut ws, &["jobs"]).await;
    // Two demo orders back at the logistics-cost step, never priced: Kurla → Bengaluru and
    // Delhi → New Delhi (one city: reported, no distance).
    for id in ["ORD-004", "ORD-005"] {
        app.store
            .commit(vec![Write::update_one::<Order>(
                Filter::id(id),
                vec![UpdateOp::Set(
                    "status".into(),
                    json!(OrderStatus::PendingLogisticsCost.as_str()),
                )],
            )])
            .await
            .unwrap();
    }
    // The batch as a dead worker left it: running, one attempt spent, its lease long over.
    let now = Timestamp::now();
    let mut job = JobRecord::queued(
        "JOB-DEAD-1",
        JobKind::DistanceCost,
        "LOG-001",
        Some(json!({ "all": true })),
        3,
        now,
    );
    job.status = JobStatus::Running;
    job.attempts = 1;
    job.worker_id = Some("worker-that-died".into());
    job.lease_until = Some(Timestamp::parse("2026-01-01T00:00:00Z").unwrap());
    job.started_at = Some(now);
    insert(&app, &job).await;

    let done = until(&mut ws, "job:finished", "jobId", "JOB-DEAD-1").await;
    assert_eq!(done["data"]["status"], "succeeded", "{done}");
    let job: JobRecord = stored(&app, "JOB-DEAD-1").await;
    assert_eq!(job.attempts, 2, "taken over once: {job:?}");
    let result = job.result.unwrap();
    assert_eq!(result["total"], 2, "{result}");
    let blr = stored::<Order>(&app, "ORD-004")
        .await
        .logistics_proposal
        .expect("priced");
    assert_eq!(blr["destination"], "Bengaluru", "{blr}");
    assert!(blr["distanceKm"].as_f64().unwrap() > 500.0, "{blr}");
    let delhi = stored::<Order>(&app, "ORD-005")
        .await
        .logistics_proposal
        .expect("reported");
    assert_eq!(delhi["distanceKm"], Value::Null, "{delhi}");
}
