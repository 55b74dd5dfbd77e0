//! Several `nexus-worker` processes on one queue, beside an API that only records jobs:
//! every job runs exactly once, on the embedded SQLite queue and on Redis.

mod cluster;

use cluster::Cluster;
use std::time::Duration;

async fn two_workers_share_the_queue(redis: bool) {
    let cluster = Cluster::start(redis, &[]).await;
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
