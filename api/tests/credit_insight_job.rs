//! The queued credit insight (issue #10): booking an order over HTTP queues a
//! `credit_insight` job; the in-process worker computes the insight (the rule-based advisor
//! here: no Gemini key) and stores it on the order with its fingerprint, and
//! `credit:insight-ready` tells the credit controller. Nobody calls the insight endpoint;
//! when someone does, the stored insight is the answer (same facts, no second computation,
//! no second audit entry).

mod support;

use nexus_core::model::{JobKind, JobRecord, JobStatus, Order};
use nexus_core::store::Filter;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::ws_client::{next_json, open_as, subscribe};
use support::*;

/// Messages until `credit:insight-ready` for `order_id` (that one returned).
async fn until_insight(ws: &mut support::ws_client::Ws, order_id: &str) -> Value {
    loop {
        let m = next_json(ws).await;
        if m["type"] == "credit:insight-ready" && m["data"]["orderId"] == order_id {
            return m;
        }
    }
}

/// The credit controller asks for the order's insight.
async fn ask(app: &TestApp, order_id: &str) -> Resp {
    app.post(
        "CREDIT-001",
        "/api/ai/credit-insight",
        json!({ "orderId": order_id, "customerId": "CUST-001" }),
    )
    .await
    .expect_success(StatusCode::OK)
}

#[tokio::test]
async fn a_booked_order_gets_its_insight_without_anyone_asking() {
    let app = spawn_app_with_workers(&quick_jobs(&[("NEXUS_EXPIRY_SCAN_CRON", "off")])).await;
    let (mut ws, _) = open_as(&app, "CREDIT-001").await;
    subscribe(&mut ws, &["orders"]).await;

    let booked = app
        .post(
            "SALES-001",
            "/api/orders",
            json!({
                "customerId": "CUST-001",
                "items": [{ "productId": "PROD-001", "quantity": 10 }],
            }),
        )
        .await
        .expect_success(StatusCode::CREATED);
    let order_id = booked.body["data"]["id"].as_str().unwrap().to_string();

    let ready = until_insight(&mut ws, &order_id).await;
    assert_eq!(ready["data"]["customerId"], "CUST-001", "{ready}");
    assert_eq!(ready["data"]["source"], "rule-based fallback", "{ready}");

    // Stored on the order, computed by the job, marked as the fallback it is.
    let order: Order = stored(&app, &order_id).await;
    let insight = order.credit_insight.expect("creditInsight stored");
    assert!(
        insight["generatedBy"].as_str().unwrap().starts_with("job:"),
        "{insight}"
    );
    assert_eq!(insight["isFallback"], true, "{insight}");
    assert_eq!(insight["fingerprint"].as_str().unwrap().len(), 64);
    assert!(order.intelligence_insight.is_some());
    let jobs: Vec<JobRecord> = stored_where(
        &app,
        Filter::eq(
            "kind",
            serde_json::to_value(JobKind::CreditInsight).unwrap(),
        ),
    )
    .await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].status, JobStatus::Succeeded);
    assert_eq!(
        jobs[0].result.as_ref().unwrap()["orderId"],
        order_id.as_str()
    );
    let audits_before = audits(&app, "UPDATE", &order_id).await.len();

    // The controller asks: the stored insight answers (same facts), nothing is re-written.
    let asked = ask(&app, &order_id).await;
    assert_eq!(asked.body["creditInsight"], insight, "{}", asked.body);
    assert_eq!(
        asked.body["insight"],
        order.intelligence_insight.unwrap().as_str()
    );
    assert_eq!(audits(&app, "UPDATE", &order_id).await.len(), audits_before);

    // Asking again after the facts changed (the customer's outstanding moved) computes anew.
    app.store
        .commit(vec![nexus_core::store::Write::update_one::<
            nexus_core::model::Customer,
        >(
            Filter::id("CUST-001"),
            vec![nexus_core::store::UpdateOp::Set(
                "osBalance".into(),
                json!(44_000),
            )],
        )])
        .await
        .unwrap();
    let fresh = ask(&app, &order_id).await;
    assert_ne!(
        fresh.body["creditInsight"]["fingerprint"], insight["fingerprint"],
        "{}",
        fresh.body
    );
    assert_eq!(fresh.body["creditInsight"]["generatedBy"], "CREDIT-001");
}

// ---------------------------------------------------------------------------------------
// Gemini behind the queue: throttling is waited out, not answered by the rules, until the
// last attempt; a malformed answer falls back at once; the call budget is spent before
// Gemini is asked.

use nexus_tests::mock_http::{MockServer, json as mock_json, never};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Gemini's answer with the four parts as its text.
fn gemini_says(risk: &str, decision: &str) -> axum::response::Response {
    let text = json!({
        "riskScore": risk, "coreAnalysis": "Inside its limit.", "decision": decision,
        "justification": "Modest exposure."
    })
    .to_string();
    mock_json(
        200,
        json!({"candidates": [{"content": {"parts": [{"text": text}]}}]}),
    )
}

fn throttled() -> axum::response::Response {
    mock_json(
        429,
        json!({"error": {"code": 429, "message": "Resource has been exhausted", "status": "RESOURCE_EXHAUSTED"}}),
    )
}

/// An API with its in-process worker, Gemini at `mock`, retries 20 ms apart, then `extra`.
async fn with_gemini(mock: &MockServer, extra: &[(&str, &str)]) -> TestApp {
    let mut env = vec![
        ("NEXUS_EXPIRY_SCAN_CRON", "off"),
        ("NEXUS_JOB_BACKOFF", "20ms"),
        ("GEMINI_API_KEY", "test-gemini-key"),
        ("GEMINI_MODEL", "gemini-mock"),
        ("GEMINI_BASE_URL", mock.base_url.as_str()),
    ];
    env.extend_from_slice(extra);
    spawn_app_with_workers(&quick_jobs(&env)).await
}

/// Books an order for CUST-001 and waits for its stored insight; returns the order and
/// its insight job.
async fn booked_with_insight(app: &TestApp) -> (Order, JobRecord) {
    let (mut ws, _) = open_as(app, "CREDIT-001").await;
    subscribe(&mut ws, &["orders"]).await;
    let booked = app
        .post(
            "SALES-001",
            "/api/orders",
            json!({ "customerId": "CUST-001", "items": [{ "productId": "PROD-001", "quantity": 4 }] }),
        )
        .await
        .expect_success(StatusCode::CREATED);
    let id = booked.body["data"]["id"].as_str().unwrap().to_string();
    until_insight(&mut ws, &id).await;
    let order: Order = stored(app, &id).await;
    let jobs: Vec<JobRecord> = stored_where(
        app,
        Filter::eq(
            "kind",
            serde_json::to_value(JobKind::CreditInsight).unwrap(),
        ),
    )
    .await;
    let job = jobs
        .into_iter()
        .find(|j| {
            j.input
                .as_ref()
                .is_some_and(|i| i["orderId"] == id.as_str())
        })
        .expect("the order's insight job");
    (order, job)
}

#[tokio::test]
async fn a_throttled_gemini_is_asked_again_after_a_backoff_instead_of_the_rules_answering() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let mock = MockServer::start(move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                throttled()
            } else {
                gemini_says("LOW", "APPROVE")
            }
        }
    })
    .await;
    let app = with_gemini(&mock, &[]).await;
    let (order, job) = booked_with_insight(&app).await;
    let insight = order.credit_insight.expect("stored");
    assert_eq!(insight["source"], "gemini", "{insight}");
    assert_eq!(insight["isFallback"], false, "{insight}");
    assert_eq!(insight["riskScore"], "LOW");
    assert_eq!(mock.count(), 2, "asked again after the 429");
    assert_eq!(
        (job.status, job.attempts),
        (JobStatus::Succeeded, 2),
        "{job:?}"
    );
}

#[tokio::test]
async fn throttled_on_every_attempt_the_last_one_stores_the_rules_answer_marked() {
    let mock = MockServer::start(|_| async { throttled() }).await;
    let app = with_gemini(&mock, &[("NEXUS_JOB_MAX_ATTEMPTS", "2")]).await;
    let (order, job) = booked_with_insight(&app).await;
    let insight = order.credit_insight.expect("stored");
    assert_eq!(insight["source"], "rule-based fallback", "{insight}");
    assert_eq!(insight["isFallback"], true);
    assert!(
        insight["fallbackReason"]
            .as_str()
            .unwrap()
            .starts_with("Gemini rate limit reached"),
        "{insight}"
    );
    assert_eq!(mock.count(), 2, "one call per attempt");
    assert_eq!(
        (job.status, job.attempts),
        (JobStatus::Succeeded, 2),
        "{job:?}"
    );
}

#[tokio::test]
async fn a_silent_gemini_is_waited_out_and_a_malformed_one_falls_back_at_once() {
    let silent = MockServer::start(|_| never()).await;
    let app = with_gemini(
        &silent,
        &[
            ("NEXUS_JOB_MAX_ATTEMPTS", "2"),
            ("GEMINI_TIMEOUT_MS", "200"),
        ],
    )
    .await;
    let (order, job) = booked_with_insight(&app).await;
    let insight = order.credit_insight.expect("stored");
    assert_eq!(
        insight["fallbackReason"], "Gemini did not answer within 200 ms",
        "{insight}"
    );
    assert_eq!(job.attempts, 2, "the timeout was tried again: {job:?}");

    // Not the four parts: asking again would give the same, so the rules answer now.
    let garbled = MockServer::start(|_| async {
        mock_json(
            200,
            json!({"candidates": [{"content": {"parts": [{"text": "I think it is fine"}]}}]}),
        )
    })
    .await;
    let app = with_gemini(&garbled, &[]).await;
    let (order, job) = booked_with_insight(&app).await;
    let insight = order.credit_insight.expect("stored");
    assert_eq!(
        insight["fallbackReason"], "Gemini answered in an unexpected format",
        "{insight}"
    );
    assert_eq!(
        (job.status, job.attempts),
        (JobStatus::Succeeded, 1),
        "{job:?}"
    );
    assert_eq!(garbled.count(), 1);
}

/// `GEMINI_RATE_LIMIT=1/1h`: the first insight asks Gemini, the second would exceed the
/// budget, so Gemini is not called and the controller gets the rules' answer, saying when
/// the budget has room again.
#[tokio::test]
async fn the_call_budget_is_spent_before_gemini_is_asked() {
    let mock = MockServer::start(|_| async { gemini_says("LOW", "APPROVE") }).await;
    let app = spawn_app_with(&[
        ("GEMINI_API_KEY", "test-gemini-key"),
        ("GEMINI_MODEL", "gemini-mock"),
        ("GEMINI_BASE_URL", mock.base_url.as_str()),
        ("GEMINI_RATE_LIMIT", "1/1h"),
    ])
    .await;
    let first = ask(&app, "ORD-001").await;
    assert_eq!(first.body["source"], "gemini", "{}", first.body);
    let second = app
        .post(
            "CREDIT-001",
            "/api/ai/credit-insight",
            json!({ "orderId": "ORD-006", "customerId": "CUST-003" }),
        )
        .await
        .expect_success(StatusCode::OK);
    assert_eq!(
        second.body["source"], "rule-based fallback",
        "{}",
        second.body
    );
    let reason = second.body["fallbackReason"].as_str().unwrap();
    assert!(
        reason.starts_with("Gemini rate limit reached; retry after"),
        "{reason}"
    );
    assert_eq!(mock.count(), 1, "the second call never left the process");
}

/// Messages until `job:finished` of a `credit_insight` job (that one returned).
async fn until_insight_job(ws: &mut support::ws_client::Ws) -> Value {
    loop {
        let m = next_json(ws).await;
        if m["type"] == "job:finished" && m["data"]["kind"] == "credit_insight" {
            return m;
        }
    }
}

/// Re-submissions queue the insight again: released from hold (same facts: the stored
/// insight is reused, nothing re-written) and lines edited (new facts: a new insight).
#[tokio::test]
async fn a_released_hold_and_an_edit_queue_the_insight_again() {
    let app = spawn_app_with_workers(&quick_jobs(&[("NEXUS_EXPIRY_SCAN_CRON", "off")])).await;
    let (mut ws, _) = open_as(&app, "SALES-001").await;
    subscribe(&mut ws, &["jobs"]).await;
    let booked = app
        .post(
            "SALES-001",
            "/api/orders",
            json!({ "customerId": "CUST-001", "items": [{ "productId": "PROD-001", "quantity": 3 }] }),
        )
        .await
        .expect_success(StatusCode::CREATED);
    let id = booked.body["data"]["id"].as_str().unwrap().to_string();
    let first = until_insight_job(&mut ws).await;
    let fingerprint = first["data"]["result"]["fingerprint"].clone();
    assert!(fingerprint.is_string(), "{first}");

    let hold = json!({ "decision": "hold", "reason": "Awaiting payment" });
    app.post(
        "CREDIT-001",
        &format!("/api/orders/{id}/credit-decision"),
        hold,
    )
    .await
    .expect_success(StatusCode::OK);
    app.post_empty("SALES-001", &format!("/api/orders/{id}/release-hold"))
        .await
        .expect_success(StatusCode::OK);
    let released = until_insight_job(&mut ws).await;
    assert_eq!(released["data"]["result"]["reused"], true, "{released}");
    assert_eq!(released["data"]["result"]["fingerprint"], fingerprint);

    let lines = json!({ "items": [{ "productId": "PROD-001", "quantity": 30 }] });
    app.patch("SALES-001", &format!("/api/orders/{id}/items"), lines)
        .await
        .expect_success(StatusCode::OK);
    let edited = until_insight_job(&mut ws).await;
    assert_eq!(edited["data"]["result"]["orderId"], id.as_str(), "{edited}");
    assert_ne!(
        edited["data"]["result"]["fingerprint"], fingerprint,
        "{edited}"
    );
    let order: Order = stored(&app, &id).await;
    assert_eq!(
        order.credit_insight.unwrap()["fingerprint"],
        edited["data"]["result"]["fingerprint"]
    );
}

/// The Gemini budget is the deployment's, counted in Redis: a second API instance on the
/// same Redis finds it spent by the first (and a throttled job there is retried on the
/// Redis queue until Gemini answers).
#[tokio::test]
async fn on_redis_every_instance_spends_one_gemini_budget() {
    let redis = nexus_tests::redis::RedisServer::start().await;
    let url = redis.url();
    let mock = MockServer::start(|_| async { gemini_says("LOW", "APPROVE") }).await;
    let env = [
        ("REDIS_URL", url.as_str()),
        ("GEMINI_API_KEY", "test-gemini-key"),
        ("GEMINI_MODEL", "gemini-mock"),
        ("GEMINI_BASE_URL", mock.base_url.as_str()),
        ("GEMINI_RATE_LIMIT", "1/1h"),
    ];
    let first = spawn_app_with(&env).await;
    let second = spawn_app_with(&env).await;
    assert_eq!(ask(&first, "ORD-001").await.body["source"], "gemini");
    let refused = ask(&second, "ORD-001").await;
    assert_eq!(
        refused.body["source"], "rule-based fallback",
        "{}",
        refused.body
    );
    assert!(
        refused.body["fallbackReason"]
            .as_str()
            .unwrap()
            .starts_with("Gemini rate limit reached"),
        "{}",
        refused.body
    );
    assert_eq!(mock.count(), 1, "the second instance did not call Gemini");
}

#[tokio::test]
async fn on_redis_a_throttled_insight_job_is_retried_until_gemini_answers() {
    let redis = nexus_tests::redis::RedisServer::start().await;
    let url = redis.url();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let mock = MockServer::start(move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        async move {
            if n < 2 {
                throttled()
            } else {
                gemini_says("MEDIUM", "APPROVE")
            }
        }
    })
    .await;
    let app = with_gemini(&mock, &[("REDIS_URL", url.as_str())]).await;
    let (order, job) = booked_with_insight(&app).await;
    let insight = order.credit_insight.expect("stored");
    assert_eq!(insight["source"], "gemini", "{insight}");
    assert_eq!(
        (job.status, job.attempts),
        (JobStatus::Succeeded, 3),
        "{job:?}"
    );
    assert_eq!(mock.count(), 3);
}
