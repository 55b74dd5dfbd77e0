//! The Gemini client against a local mock of `generateContent`: the request it sends (model
//! path, key header, JSON schema, the figures of api.md §5.1) and how each kind of failure
//! is typed.

use nexus_core::config::GeminiSettings;
use nexus_core::integrations::advisor::{AdvisorError, CreditAdvisor, CreditFacts};
use nexus_core::integrations::gemini::{API_KEY_HEADER, GeminiAdvisor};
use nexus_core::model::{Customer, Order};
use nexus_core::rules::credit::{Recommendation, RiskScore};
use nexus_core::types::Money;
use nexus_tests::axum::http::header::RETRY_AFTER;
use nexus_tests::axum::response::IntoResponse;
use nexus_tests::mock_http::{MockServer, json, never};
use secrecy::SecretString;
use serde_json::json as j;
use std::time::{Duration, Instant};

const KEY: &str = "test-gemini-key-not-real";
const MODEL: &str = "gemini-test-model";

fn settings(base_url: &str, timeout: Duration) -> GeminiSettings {
    GeminiSettings {
        api_key: SecretString::from(KEY),
        model: MODEL.into(),
        base_url: base_url.into(),
        timeout,
        rate_limit: nexus_core::config::Budget::per_minute(15),
        concurrency: 4,
    }
}

fn client(mock: &MockServer, timeout: Duration) -> GeminiAdvisor {
    GeminiAdvisor::new(&settings(&mock.base_url, timeout)).unwrap()
}

fn facts() -> CreditFacts {
    let customer: Customer = serde_json::from_value(j!({
        "id": "CUST-7", "name": "Harbour Foods",
        "limit": 200000, "osBalance": 120000, "odAmt": 30000,
        "agingBuckets": {"0 to 7": 10000, "45 to 90": 20000}
    }))
    .unwrap();
    let mut order = Order::new("ORD-77", "CUST-7");
    order.items = serde_json::from_value(j!([
        {"productId": "PROD-1", "productName": "Frozen Peas 1kg", "quantity": 40, "price": 120},
        {"productId": "PROD-2", "productName": "Paneer 200g", "quantity": 100, "price": 85}
    ]))
    .unwrap();
    order.total = Money::from_rupees(13300);
    CreditFacts::new(&customer, &order, Money::from_rupees(20000))
}

/// A `generateContent` answer whose text is `text`.
fn candidate(text: &str) -> serde_json::Value {
    j!({"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}]})
}

#[tokio::test]
async fn success_parses_the_four_parts_and_sends_key_model_and_schema() {
    let answer = j!({
        "riskScore": "MEDIUM",
        "coreAnalysis": "Exposure at 66.7% of the ₹2,00,000 limit with ₹30,000 overdue.",
        "decision": "FLAG FOR FINANCE REVIEW",
        "justification": "Overdue share of 25% warrants a finance check."
    });
    let mock = MockServer::start(move |_| {
        let body = candidate(&answer.to_string());
        async move { json(200, body) }
    })
    .await;
    let advice = client(&mock, Duration::from_secs(5))
        .advise(&facts())
        .await
        .unwrap();
    assert_eq!(advice.risk_score, RiskScore::Medium);
    assert_eq!(advice.decision, Recommendation::FlagForFinanceReview);
    assert!(advice.core_analysis.starts_with("Exposure at 66.7%"));
    assert_eq!(
        advice.justification,
        "Overdue share of 25% warrants a finance check."
    );
    // The ratios are computed, not taken from the model: (1,20,000 + 13,300) / 2,00,000.
    assert_eq!(advice.exposure_ratio_pct, Some("66.7".parse().unwrap()));
    assert_eq!(advice.overdue_share_pct, "25".parse().unwrap());

    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, format!("/v1beta/models/{MODEL}:generateContent"));
    assert_eq!(r.headers[API_KEY_HEADER], KEY);
    assert!(r.query.is_none(), "the key never travels in the URL");
    let body = r.json();
    let gen_config = &body["generationConfig"];
    assert_eq!(gen_config["responseMimeType"], "application/json");
    let schema = &gen_config["responseSchema"];
    assert_eq!(
        schema["required"],
        j!(["riskScore", "coreAnalysis", "decision", "justification"])
    );
    assert_eq!(
        schema["properties"]["riskScore"]["enum"],
        j!(["LOW", "MEDIUM", "HIGH", "CRITICAL"])
    );
    assert_eq!(
        schema["properties"]["decision"]["enum"],
        j!(["APPROVE", "FLAG FOR FINANCE REVIEW", "REJECT"])
    );
    let prompt = body["contents"][0]["parts"][0]["text"].as_str().unwrap();
    for want in [
        "Harbour Foods",
        "Outstanding: ₹1,20,000",
        "Overdue: ₹30,000",
        "Ageing: 45 days (WATCHLIST)",
        "0-30 days ₹10,000; 30-90 days ₹20,000; 90+ days ₹0",
        "Credit limit: ₹2,00,000",
        "ORDER ORD-77: total ₹13,300, 2 line(s)",
        "- Frozen Peas 1kg x 40 at ₹120",
        "- Paneer 200g x 100 at ₹85",
        "(outstanding + order) / limit: 66.7%",
        "Exposure including other open orders: ₹1,53,300 (76.7% of the limit)",
        "Overdue share of outstanding: 25%",
    ] {
        assert!(prompt.contains(want), "prompt lacks {want:?}:\n{prompt}");
    }
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_timeout() {
    let mock = MockServer::start(|_| never()).await;
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = client(&mock, timeout).advise(&facts()).await.unwrap_err();
    assert_eq!(err, AdvisorError::Timeout(timeout));
    assert!(started.elapsed() >= timeout);
    assert_eq!(mock.count(), 1, "the request reached the server");
}

#[tokio::test]
async fn http_429_is_rate_limited_with_retry_after() {
    let mock = MockServer::start(|_| async {
        let mut r = json(
            429,
            j!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "quota"}}),
        );
        r.headers_mut().insert(RETRY_AFTER, "37".parse().unwrap());
        r
    })
    .await;
    let err = client(&mock, Duration::from_secs(5))
        .advise(&facts())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AdvisorError::RateLimited {
            retry_after: Some(Duration::from_secs(37))
        }
    );
}

#[tokio::test]
async fn prose_or_missing_parts_are_malformed_and_other_statuses_are_http_errors() {
    for text in [
        "RISK SCORE: LOW. The customer looks fine.".to_string(),
        j!({"riskScore": "LOW", "decision": "APPROVE"}).to_string(),
        j!({"riskScore": "LOW", "coreAnalysis": " ", "decision": "APPROVE", "justification": "ok"})
            .to_string(),
    ] {
        let mock = MockServer::start(move |_| {
            let body = candidate(&text);
            async move { json(200, body) }
        })
        .await;
        let err = client(&mock, Duration::from_secs(5))
            .advise(&facts())
            .await
            .unwrap_err();
        assert!(matches!(err, AdvisorError::Malformed(_)), "{err:?}");
    }
    let not_json =
        MockServer::start(|_| async { "<html>proxy error</html>".into_response() }).await;
    let err = client(&not_json, Duration::from_secs(5))
        .advise(&facts())
        .await
        .unwrap_err();
    assert!(matches!(err, AdvisorError::Malformed(_)), "{err:?}");

    let down = MockServer::start(|_| async { json(503, j!({"error": {"code": 503}})) }).await;
    let err = client(&down, Duration::from_secs(5))
        .advise(&facts())
        .await
        .unwrap_err();
    assert_eq!(err, AdvisorError::Http { status: 503 });
    assert_eq!(err.public_reason(), "Gemini answered HTTP 503");
}
