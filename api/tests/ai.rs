//! The credit insight through HTTP: the four-part answer from Gemini (a local mock here) or
//! the rule-based advisor, stored on the order with an audit entry and an event; the
//! fallback when Gemini fails; the id checks the legacy screen tripped over.

mod support;

use nexus_core::model::{AuditAction, Customer, Order};
use nexus_core::rules::credit::{CreditSnapshot, advise};
use nexus_tests::mock_http::{MockServer, json as mock_json};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Resp, TestApp, audits_by, spawn_app, spawn_app_with, stored};

async fn order(app: &TestApp, id: &str) -> Order {
    stored(app, id).await
}

async fn customer(app: &TestApp, id: &str) -> Customer {
    stored(app, id).await
}

/// `POST /api/ai/credit-insight` as `user`.
async fn insight(app: &TestApp, user: &str, body: Value) -> Resp {
    app.post(user, "/api/ai/credit-insight", body).await
}

/// The insight on one order of one customer, as `user`.
async fn insight_on(app: &TestApp, user: &str, order_id: &str, customer_id: &str) -> Resp {
    let body = json!({ "orderId": order_id, "customerId": customer_id });
    insight(app, user, body).await
}

#[tokio::test]
async fn seed_curl_4_answers_four_parts_and_stores_them_on_the_order() {
    let app = spawn_app().await;
    let mut rx = app.state.events.subscribe();
    let before = order(&app, "ORD-001").await;
    let r = insight_on(&app, "USER-001", "ORD-001", "CUST-001").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    assert_eq!(b["success"], true);
    assert_eq!(b["orderId"], "ORD-001");
    assert_eq!(b["customerName"], "ABC Traders");
    assert_eq!(b["outstanding"], 15000);
    assert_eq!(b["orderValue"].as_f64(), Some(before.total.to_f64()));
    assert_eq!(b["source"], "rule-based fallback");
    assert!(b["timestamp"].is_string());

    // The same rule, on the same stored figures, gives the same answer.
    let expected = advise(
        &CreditSnapshot::from_customer(&customer(&app, "CUST-001").await),
        before.total,
    );
    let text = b["insight"].as_str().unwrap();
    assert_eq!(text, expected.to_text());
    let parts: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        parts,
        ["RISK SCORE", "CORE ANALYSIS", "DECISION", "JUSTIFICATION"]
    );
    assert_eq!(b["riskScore"], json!(expected.risk_score));
    assert_eq!(b["decision"], json!(expected.decision));
    // ABC Traders: ₹5,000 overdue at 45 days, within its ₹50,000 limit.
    assert_eq!(b["riskScore"], "MEDIUM");
    assert_eq!(b["decision"], "APPROVE");
    assert!(text.contains("₹5,000 overdue"), "{text}");

    let after = order(&app, "ORD-001").await;
    assert_eq!(after.intelligence_insight.as_deref(), Some(text));
    let stored = after.credit_insight.unwrap();
    assert_eq!(stored["source"], "rule-based fallback");
    assert_eq!(stored["riskScore"], "MEDIUM");
    assert_eq!(stored["generatedBy"], "USER-001");
    assert_eq!(stored["ageingLabel"], "WATCHLIST");
    assert_eq!(after.rev, before.rev + 1);
    assert_eq!(after.status, before.status, "an insight changes no status");

    let audits = audits_by(&app, "USER-001", "ORD-001").await;
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].action, AuditAction::Update);
    assert_eq!(
        audits[0].new_data.as_ref().unwrap()["intelligenceInsight"],
        text
    );

    let mut seen = Vec::new();
    while let Ok(e) = rx.try_recv() {
        seen.push(e);
    }
    let e = seen
        .iter()
        .find(|e| e.event_type == "credit:insight-ready")
        .expect("credit:insight-ready published");
    assert_eq!(e.data["orderId"], "ORD-001");
    assert_eq!(e.audience.salesperson_id.as_deref(), Some("SALES-001"));
}

#[tokio::test]
async fn an_overdue_heavy_customer_is_flagged_for_review() {
    let app = spawn_app().await;
    // Coastal Kitchens: ₹45,000 overdue, 95 days ageing, ₹15,000 in the 90–120 bucket.
    let r = insight_on(&app, "CREDIT-001", "ORD-004", "CUST-003").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let total = order(&app, "ORD-004").await.total;
    let expected = advise(
        &CreditSnapshot::from_customer(&customer(&app, "CUST-003").await),
        total,
    );
    assert_eq!(r.body["riskScore"], json!(expected.risk_score));
    assert_ne!(r.body["riskScore"], "LOW");
    assert_ne!(r.body["decision"], "APPROVE");
    assert!(
        r.body["insight"]
            .as_str()
            .unwrap()
            .contains("95 days ageing")
    );
    assert_eq!(r.body["creditInsight"]["ageingLabel"], "CRITICAL");
}

#[tokio::test]
async fn ids_are_required_must_exist_and_must_belong_together() {
    let app = spawn_app().await;
    // What the legacy order-details screen sends: no orderId (api.md §7).
    let r = insight(
        &app,
        "CREDIT-001",
        json!({"customerId": "CUST-001", "customerName": "ABC Traders", "orderValue": 1000}),
    )
    .await
    .expect_refusal(StatusCode::BAD_REQUEST, "IDS_REQUIRED");
    assert_eq!(
        r.body["error"]["message"],
        "Order ID and Customer ID are required"
    );
    for (body, status, code) in [
        (
            json!({"orderId": "ORD-404", "customerId": "CUST-001"}),
            StatusCode::NOT_FOUND,
            "ORDER_NOT_FOUND",
        ),
        (
            json!({"orderId": "ORD-001", "customerId": "CUST-404"}),
            StatusCode::NOT_FOUND,
            "CUSTOMER_NOT_FOUND",
        ),
        (
            json!({"orderId": "ORD-001", "customerId": "CUST-002"}),
            StatusCode::BAD_REQUEST,
            "CUSTOMER_ORDER_MISMATCH",
        ),
        (
            json!({"orderId": " ", "customerId": "CUST-002"}),
            StatusCode::BAD_REQUEST,
            "IDS_REQUIRED",
        ),
    ] {
        let r = insight(&app, "CREDIT-001", body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert_eq!(r.body["error"]["code"], code);
    }
    let untouched = order(&app, "ORD-001").await;
    assert!(untouched.credit_insight.is_none());
    assert_ne!(
        untouched
            .intelligence_insight
            .as_deref()
            .map(|t| t.starts_with("RISK SCORE")),
        Some(true)
    );
}

/// An API whose Gemini key points at `mock`, asked by Credit Control for the insight on
/// ORD-001 (ABC Traders); the call must answer 200 whatever Gemini does.
async fn insight_with_gemini(mock: &MockServer) -> (TestApp, Resp) {
    let app = spawn_app_with(&[
        ("GEMINI_API_KEY", "test-gemini-key"),
        ("GEMINI_MODEL", "gemini-mock"),
        ("GEMINI_BASE_URL", &mock.base_url),
        ("GEMINI_TIMEOUT_MS", "2000"),
    ])
    .await;
    let r = insight_on(&app, "CREDIT-001", "ORD-001", "CUST-001").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (app, r)
}

#[tokio::test]
async fn gemini_answers_when_configured_and_the_insight_says_so() {
    let four_parts = json!({
        "riskScore": "LOW",
        "coreAnalysis": "ABC Traders sits well inside its ₹50,000 limit; ₹5,000 overdue at 45 days.",
        "decision": "APPROVE",
        "justification": "Exposure is modest and the overdue amount is small."
    });
    let mock = MockServer::start(move |_| {
        let text = four_parts.to_string();
        async move {
            mock_json(
                200,
                json!({"candidates": [{"content": {"parts": [{"text": text}]}}]}),
            )
        }
    })
    .await;
    let (app, r) = insight_with_gemini(&mock).await;
    assert_eq!(r.body["source"], "gemini");
    assert_eq!(r.body["fallbackReason"], serde_json::Value::Null);
    assert_eq!(r.body["riskScore"], "LOW");
    assert_eq!(r.body["decision"], "APPROVE");
    let text = r.body["insight"].as_str().unwrap();
    assert!(
        text.starts_with("RISK SCORE: LOW\nCORE ANALYSIS: ABC Traders sits well inside"),
        "{text}"
    );

    // The prompt was built from the stored figures of the order and customer.
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, "/v1beta/models/gemini-mock:generateContent");
    assert_eq!(reqs[0].headers["x-goog-api-key"], "test-gemini-key");
    let prompt = reqs[0].json()["contents"][0]["parts"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(prompt.contains("CUSTOMER: ABC Traders"), "{prompt}");
    assert!(prompt.contains("ORDER ORD-001"), "{prompt}");

    let stored = order(&app, "ORD-001").await;
    assert_eq!(stored.intelligence_insight.as_deref(), Some(text));
    let insight = stored.credit_insight.unwrap();
    assert_eq!(insight["source"], "gemini");
    assert_eq!(insight["riskScore"], "LOW");
}

#[tokio::test]
async fn a_failing_gemini_falls_back_to_the_rules_and_says_why() {
    let mock = MockServer::start(|_| async {
        mock_json(500, json!({"error": {"code": 500, "message": "internal"}}))
    })
    .await;
    let (app, r) = insight_with_gemini(&mock).await;
    assert_eq!(mock.count(), 1, "Gemini was asked first");
    assert_eq!(r.body["source"], "rule-based fallback");
    assert_eq!(r.body["fallbackReason"], "Gemini answered HTTP 500");
    let before = order(&app, "ORD-001").await;
    let expected = advise(
        &CreditSnapshot::from_customer(&customer(&app, "CUST-001").await),
        before.total,
    );
    assert_eq!(r.body["insight"], expected.to_text());
    let insight = before.credit_insight.unwrap();
    assert_eq!(insight["source"], "rule-based fallback");
    assert_eq!(insight["fallbackReason"], "Gemini answered HTTP 500");
}
