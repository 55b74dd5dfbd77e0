//! Jobs end to end with workers running in-process on the SQLite queue: an on-demand expiry
//! scan streamed over the WebSocket, retries with backoff into the dead state and a manual
//! retry, a failure that is not retried, cancelling, and who sees which job. Every wait is
//! on an event with a timeout — no sleeps standing in for synchronisation.

mod support;

use nexus_core::model::{JobKind, JobRecord, JobStatus};
use nexus_core::store::{Filter, TypedStore};
use nexus_core::types::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::ws_client::{open_as, subscribe, until_finished};
use support::{
    Resp, TestApp, ids, insert, quick_jobs, spawn_app, spawn_app_with_workers, stored, stored_where,
};

/// Fast retries so the dead state is reached quickly; a short heartbeat so the sweep and
/// lease renewals run often.
fn fast() -> Vec<(&'static str, &'static str)> {
    quick_jobs(&[
        ("NEXUS_JOB_BACKOFF", "100ms"),
        ("NEXUS_EXPIRY_SCAN_CRON", "off"),
    ])
}

/// `POST /api/jobs/{id}/{action}` (`cancel`, `retry`) as `user`.
async fn job_action(app: &TestApp, user: &str, id: &str, action: &str) -> Resp {
    app.post_empty(user, &format!("/api/jobs/{id}/{action}"))
        .await
}

/// `GET /api/jobs/{id}` as `user`.
async fn job(app: &TestApp, user: &str, id: &str) -> Resp {
    app.get(user, &format!("/api/jobs/{id}")).await
}

/// `POST /api/jobs/expiry-scan` as the warehouse manager.
async fn expiry_scan(app: &TestApp, body: Value) -> Resp {
    app.post("WHM-001", "/api/jobs/expiry-scan", body).await
}

#[tokio::test]
async fn an_on_demand_expiry_scan_streams_progress_alerts_and_its_result() {
    let app = spawn_app_with_workers(&fast()).await;
    let (mut ws, _) = open_as(&app, "WHM-001").await;
    subscribe(&mut ws, &["jobs", "alerts"]).await;

    let r = expiry_scan(&app, json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.job_id();

    let events = until_finished(&mut ws, &id).await;
    let finished = events.last().unwrap();
    assert_eq!(finished["data"]["status"], "succeeded", "{finished}");
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "job:progress" && e["data"]["status"] == "running"),
        "a running progress event precedes the end: {events:#?}"
    );
    let result = &finished["data"]["result"];
    let alerts: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "alert:expiry")
        .collect();
    // The demo data holds batches near expiry: one alert per non-empty bucket, each listing
    // exactly the batches the result counts.
    assert!(!alerts.is_empty(), "demo batches near expiry raise alerts");
    for a in &alerts {
        let bucket = a["data"]["bucket"].as_str().unwrap();
        assert_eq!(a["data"]["count"], result["counts"][bucket], "{a}");
        assert_eq!(a["data"]["batches"], result[bucket]);
    }

    let got = job(&app, "WHM-001", &id).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.body["data"]["status"], "succeeded");
    assert_eq!(got.body["data"]["attempts"], 1);
    assert_eq!(got.body["data"]["result"], *result);
    assert!(got.body["data"]["finishedAt"].is_string());

    // Listed for its owner, filtered by status and kind; 422 on an unknown status.
    let list = app
        .get_ok("WHM-001", "/api/jobs?status=succeeded&kind=expiry_scan")
        .await;
    assert!(ids(&list.body).contains(&id));
    assert_eq!(list.headers["x-total-count"], "1");
    app.get("WHM-001", "/api/jobs?status=sleeping")
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");

    // A finished job cannot be cancelled; a succeeded one cannot be retried.
    for action in ["cancel", "retry"] {
        let r = job_action(&app, "WHM-001", &id, action).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{action}: {}", r.body);
    }
}

/// Records an import job whose file cannot be read (a folder stands where the file's
/// metadata should be, so every read fails with an I/O error: a retryable failure) and
/// enqueues it.
async fn unreadable_import(app: &TestApp) -> String {
    let key = "imports/products/unreadable.xlsx";
    let dir = app
        .state
        .config
        .data_dir
        .join("blobs")
        .join("meta")
        .join(format!("{key}.json"));
    std::fs::create_dir_all(&dir).unwrap();
    let input = json!({ "blobKey": key, "fileName": "materials.xlsx" });
    import_job(app, "JOB-TEST-UNREADABLE", JobKind::ProductImport, input).await
}

/// Records a queued import job of the admin's with three attempts, and enqueues it; its id.
async fn import_job(app: &TestApp, id: &str, kind: JobKind, input: Value) -> String {
    let job = JobRecord::queued(id, kind, "USER-001", Some(input), 3, Timestamp::now());
    insert(app, &job).await;
    app.state.jobs.enqueue(&job.id, None).await.unwrap();
    job.id
}

#[tokio::test]
async fn retryable_failures_back_off_then_die_and_a_manual_retry_starts_over() {
    retries_back_off_then_die(spawn_app_with_workers(&fast()).await).await;
}

/// The same on the Redis queue (delayed retries are Redis scheduled tasks there).
#[tokio::test]
async fn on_redis_retries_back_off_then_die_too() {
    let redis = nexus_tests::redis::RedisServer::start().await;
    let url = redis.url();
    let mut env = fast();
    env.push(("REDIS_URL", url.as_str()));
    retries_back_off_then_die(spawn_app_with_workers(&env).await).await;
}

async fn retries_back_off_then_die(app: TestApp) {
    let (mut ws, _) = open_as(&app, "USER-001").await;
    subscribe(&mut ws, &["jobs"]).await;
    let id = unreadable_import(&app).await;

    let events = until_finished(&mut ws, &id).await;
    let finished = events.last().unwrap();
    assert_eq!(finished["data"]["status"], "dead", "{finished}");
    assert_eq!(finished["data"]["attempts"], 3);
    assert!(
        finished["data"]["error"]
            .as_str()
            .unwrap()
            .contains("read blob metadata"),
        "{finished}"
    );
    // Two retries were scheduled in between (status back to queued with a runAfter).
    let requeued = events
        .iter()
        .filter(|e| e["type"] == "job:progress" && e["data"]["status"] == "queued")
        .count();
    assert_eq!(requeued, 2, "{events:#?}");

    // By hand: a fresh set of attempts, which die the same way.
    let r = job_action(&app, "USER-001", &id, "retry").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body["data"]["status"], "queued");
    assert_eq!(r.body["data"]["attempts"], 0);
    let events = until_finished(&mut ws, &id).await;
    assert_eq!(events.last().unwrap()["data"]["status"], "dead");
    assert_eq!(events.last().unwrap()["data"]["attempts"], 3);
}

#[tokio::test]
async fn bad_input_fails_once_without_retries() {
    let app = spawn_app_with_workers(&fast()).await;
    let (mut ws, _) = open_as(&app, "USER-001").await;
    subscribe(&mut ws, &["jobs"]).await;
    let input = json!({ "blobKey": "imports/customers/gone.xlsx" });
    let id = import_job(&app, "JOB-TEST-NOFILE", JobKind::CustomerImport, input).await;
    until_finished(&mut ws, &id).await;
    let done: JobRecord = stored(&app, &id).await;
    assert_eq!(done.status, JobStatus::Failed);
    assert_eq!(done.attempts, 1);
    assert!(
        done.error.as_deref().unwrap().contains("upload it again"),
        "{:?}",
        done.error
    );
}

#[tokio::test]
async fn queued_jobs_cancel_at_once_and_owners_only_see_their_own() {
    // No workers: the job stays queued until cancelled.
    let app = spawn_app().await;
    let r = expiry_scan(&app, json!({ "date": "2026-02-30" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = expiry_scan(&app, json!({ "date": "2026-03-01" })).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.job_id();

    // Not the owner, not Admin, no warehouse or sales rights: 404, never 403 (no probing).
    for user in ["CREDIT-001", "QC-001"] {
        let r = job(&app, user, &id).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{user}");
        let list = app.get(user, "/api/jobs").await;
        assert!(!ids(&list.body).contains(&id), "{user} lists another's job");
    }
    // Admin sees every job.
    let r = job(&app, "USER-001", &id).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data"]["input"]["date"], "2026-03-01");

    let r = job_action(&app, "WHM-001", &id, "cancel").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data"]["status"], "cancelled");
    // The change is audited.
    let audits = app
        .get_ok("USER-001", &format!("/api/audit/logs?entityId={id}"))
        .await;
    let text = audits.body.to_string();
    assert!(text.contains("\"action\":\"cancel\""), "{text}");
    // Cancelled jobs can be queued again.
    let r = job_action(&app, "WHM-001", &id, "retry").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body["data"]["status"], "queued");
}

#[tokio::test]
async fn the_cron_schedule_runs_one_scan_per_day() {
    // Every second: the first tick records today's scan, later ticks find it and do nothing.
    let app =
        spawn_app_with_workers(&quick_jobs(&[("NEXUS_EXPIRY_SCAN_CRON", "* * * * * *")])).await;
    let (mut ws, _) = open_as(&app, "WHM-001").await;
    subscribe(&mut ws, &["jobs"]).await;
    let today = Timestamp::now()
        .datetime()
        .with_timezone(&app.state.config.jobs.expiry_tz)
        .date_naive();
    let id = nexus_worker::expiry_scan::daily_job_id(today);
    let events = until_finished(&mut ws, &id).await;
    assert_eq!(events.last().unwrap()["data"]["status"], "succeeded");

    // A second scheduling of the same day (another tick, another worker process) is a no-op.
    let (again, created) = nexus_worker::expiry_scan::schedule_daily(
        app.store.as_ref(),
        app.state.jobs.as_ref(),
        today,
        3,
    )
    .await
    .unwrap();
    assert_eq!(again, id);
    assert!(!created);
    let scans: Vec<JobRecord> = stored_where(&app, Filter::eq("id", id.as_str())).await;
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0].attempts, 1, "ran once");
}

/// A running import is cancelled at its next checkpoint: what it committed stays, and a
/// retry finishes the rest without duplicates. The fault knob holds the job after its first
/// committed chunk until the cancel arrives, so the cancel lands mid-import every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_import_stops_at_its_next_checkpoint_and_a_retry_finishes_it() {
    use base64::Engine as _;
    use nexus_tests::workbook::{Line, bulk_orders};
    let mut env = fast();
    env.push(("NEXUS_FAULT_HANG_AFTER_PROGRESS", "2"));
    let app = spawn_app_with_workers(&env).await;
    let (mut ws, _) = open_as(&app, "SALES-001").await;
    subscribe(&mut ws, &["jobs"]).await;
    let lines: Vec<Line> = (1..=600)
        .map(|i| Line::new("CUST-001", "SKU-001", "1").order_ref(&format!("R{i:04}")))
        .collect();
    let excel = base64::engine::general_purpose::STANDARD.encode(bulk_orders(&lines));
    let r = app
        .post(
            "SALES-001",
            "/api/orders/bulk",
            json!({ "excelData": excel }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.job_id();

    // Wait for the progress after the first committed chunk.
    loop {
        let m = support::ws_client::next_json(&mut ws).await;
        if m["type"] == "job:progress"
            && m["data"]["jobId"] == id.as_str()
            && m["data"]["progress"]["done"].as_u64().unwrap_or(0) > 0
        {
            break;
        }
    }
    let r = job_action(&app, "SALES-001", &id, "cancel").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let events = until_finished(&mut ws, &id).await;
    assert_eq!(events.last().unwrap()["data"]["status"], "cancelled");
    let orders = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .count_of::<nexus_core::model::Order>(&Filter::eq("isBulkUpload", true))
                .await
                .unwrap()
        }
    };
    let committed = orders(&app).await;
    assert!(committed > 0 && committed < 600, "{committed} orders kept");

    let r = job_action(&app, "SALES-001", &id, "retry").await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let events = until_finished(&mut ws, &id).await;
    let done = &events.last().unwrap()["data"];
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["result"]["alreadyImported"], committed);
    assert_eq!(orders(&app).await, 600, "every order exactly once");
}
