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
