//! Several `nexus-worker` processes on one queue, beside an API that only records jobs:
//! every job runs exactly once, on the embedded SQLite queue and on Redis; a worker killed
//! mid-import is taken over without duplicates, on SQLite, and on MongoDB with Redis.

mod cluster;

use cluster::Cluster;
use std::time::Duration;

async fn two_workers_share_the_queue(redis: bool) {
    let cluster = Cluster::start(redis, &[]).await;
    // Redis with files in a local folder: the banner says what that means beyond one host.
    assert_eq!(
        cluster
            .api
            .banner
            .contains("configure S3-compatible storage"),
        redis,
        "{}",
        cluster.api.banner
    );
    let _w1 = cluster.start_worker(&[]);
    let _w2 = cluster.start_worker(&[]);
    let token = cluster.login("WHM-001", "whmanager123").await;

    let mut ids = Vec::new();
    for day in 1..=12 {
        let (status, body) = cluster
            .post(
                &token,
                "/api/jobs/expiry-scan",
                serde_json::json!({ "date": format!("2026-03-{day:02}") }),
            )
            .await;
        assert_eq!(status, 202, "{body}");
        ids.push(body["jobId"].as_str().unwrap().to_string());
    }
    for id in &ids {
        let job = cluster
            .wait_job(&token, id, Duration::from_secs(60), |j| {
                j["status"] == "succeeded"
            })
            .await;
        // Claimed once, run once: a second claim would have counted a second attempt.
        assert_eq!(job["attempts"], 1, "{job}");
        assert!(job["result"]["counts"].is_object(), "{job}");
    }
}

#[tokio::test]
async fn two_worker_processes_share_the_sqlite_queue_and_run_each_job_once() {
    two_workers_share_the_queue(false).await;
}

#[tokio::test]
async fn two_worker_processes_share_the_redis_queue_and_run_each_job_once() {
    two_workers_share_the_queue(true).await;
}

/// Orders the file makes: one per Order Ref, all for CUST-001.
const ORDERS: usize = 600;

/// Total orders in the store, read over HTTP as the admin.
async fn order_count(cluster: &Cluster, admin: &str) -> u64 {
    let r = cluster
        .http
        .get(format!("{}/api/orders?limit=1", cluster.api.base_url))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    r.headers()["x-total-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// A worker is killed (SIGKILL) in the middle of a bulk import, after its first chunk of
/// orders committed; a new worker takes the job over once the dead one's lease runs out and
/// finishes it. Every valid row ends up imported exactly once.
async fn a_killed_import_resumes_exactly_once(redis: bool, extra: &[(&str, &str)]) {
    use nexus_tests::workbook::{Line, bulk_orders};
    let cluster = Cluster::start(redis, extra).await;
    // Hangs after its second progress report: the first says how many orders are to be
    // created, the second comes after the first chunk committed.
    let mut doomed = cluster.start_worker(&[("NEXUS_FAULT_HANG_AFTER_PROGRESS", "2")]);
    let sales = cluster.login("SALES-001", "sales123").await;
    let admin = cluster.login("USER-001", "admin123").await;
    let before = order_count(&cluster, &admin).await;

    let lines: Vec<Line> = (1..=ORDERS)
        .map(|i| Line::new("CUST-001", "SKU-001", "1").order_ref(&format!("R{i:04}")))
        .collect();
    let file = bulk_orders(&lines);
    use base64::Engine as _;
    let (status, body) = cluster
        .post(
            &sales,
            "/api/orders/bulk",
            serde_json::json!({
                "excelData": base64::engine::general_purpose::STANDARD.encode(&file),
                "fileName": "big.xlsx",
            }),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let id = body["jobId"].as_str().unwrap().to_string();

    // The doomed worker committed a chunk and hangs mid-import.
    let stuck = cluster
        .wait_job(&sales, &id, Duration::from_secs(60), |j| {
            j["status"] == "running" && j["progress"]["done"].as_u64().unwrap_or(0) > 0
        })
        .await;
    assert_eq!(stuck["attempts"], 1);
    doomed.kill();
    let partial = order_count(&cluster, &admin).await - before;
    assert!(
        partial > 0 && partial < ORDERS as u64,
        "killed mid-import: {partial} of {ORDERS} orders committed"
    );

    let _rescuer = cluster.start_worker(&[]);
    let done = cluster
        .wait_job(&sales, &id, Duration::from_secs(60), |j| {
            j["status"] == "succeeded"
        })
        .await;
    assert_eq!(done["attempts"], 2, "{done}");
    let result = &done["result"];
    assert_eq!(result["alreadyImported"], partial, "{result}");
    assert_eq!(
        result["ordersCreated"].as_u64().unwrap() + partial,
        ORDERS as u64,
        "{result}"
    );
    assert_eq!(
        order_count(&cluster, &admin).await - before,
        ORDERS as u64,
        "every order exactly once"
    );
}

#[tokio::test]
async fn a_worker_killed_mid_import_on_sqlite_leaves_every_row_imported_once() {
    a_killed_import_resumes_exactly_once(false, &[]).await;
}

#[tokio::test]
async fn a_worker_killed_mid_import_on_redis_leaves_every_row_imported_once() {
    a_killed_import_resumes_exactly_once(true, &[]).await;
}

/// The production layout: orders in MongoDB, jobs on Redis.
#[tokio::test]
async fn a_worker_killed_mid_import_on_mongodb_leaves_every_row_imported_once() {
    let uri = nexus_tests::mongo::shared_uri();
    let db = cluster::fresh_db_name("nexus_killed_import");
    a_killed_import_resumes_exactly_once(
        true,
        &[
            ("MONGODB_URI", uri.as_str()),
            ("NEXUS_MONGODB_DB", db.as_str()),
        ],
    )
    .await;
    let store = nexus_core::store::MongoStore::connect(&uri, &db)
        .await
        .unwrap();
    store.drop_database().await.unwrap();
}
