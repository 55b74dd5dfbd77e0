//! The Gemini credit advisor: one `generateContent` call per insight (api.md §5.1).
//!
//! Why structured output: the legacy service asked for prose "in this exact four-part order"
//! and stored whatever came back, so a chatty answer broke the screens that split it. Here
//! the request sets `responseMimeType: application/json` with a `responseSchema` of the
//! four parts, whose enums are exactly the rule-based advisor's ([`RiskScore`],
//! [`Recommendation`]); anything else is [`AdvisorError::Malformed`] and the rules answer.
//!
//! The key travels in the `x-goog-api-key` header, never in the URL, so no request log or
//! error text can carry it; it is held as a [`SecretString`] and never formatted.

use super::advisor::{AdviceSource, AdvisorError, CreditAdvisor, CreditFacts};
use crate::config::GeminiSettings;
use crate::rules::credit::{
    CreditAdvice, Recommendation, RiskScore, ageing_label, exposure_ratio, inr, overdue_share,
};
use async_trait::async_trait;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::time::Duration;

/// The header Google's generative language API reads the key from.
pub const API_KEY_HEADER: &str = "x-goog-api-key";

/// What the instructions ask of the model (api.md §5.1 "Required output").
const SYSTEM_INSTRUCTION: &str = "You are a senior credit-risk analyst at an FMCG distributor in India. \
Assess whether the order below should be released on credit. Answer in the JSON schema given: \
riskScore (LOW, MEDIUM, HIGH or CRITICAL); coreAnalysis (the main risk drivers: exposure against \
the limit, the ageing profile, the materiality of the items; at most two sentences); decision \
(APPROVE, FLAG FOR FINANCE REVIEW or REJECT); justification (one short professional sentence). \
All amounts in Indian rupees (₹). No filler, no greeting.";

pub struct GeminiAdvisor {
    http: reqwest::Client,
    /// `<base>/v1beta/models/<model>:generateContent`
    endpoint: String,
    model: String,
    api_key: SecretString,
    timeout: Duration,
}

impl GeminiAdvisor {
    /// A client for the validated settings. Fails only when no HTTP client can be built
    /// (TLS roots); the caller then keeps the rule-based advisor.
    pub fn new(settings: &GeminiSettings) -> Result<GeminiAdvisor, AdvisorError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| AdvisorError::Unavailable(e.without_url().to_string()))?;
        let model = settings.model.trim_start_matches("models/").to_string();
        Ok(GeminiAdvisor {
            endpoint: format!(
                "{}/v1beta/models/{model}:generateContent",
                settings.base_url.trim_end_matches('/')
            ),
            http,
            model,
            api_key: settings.api_key.clone(),
            timeout: settings.timeout,
        })
    }

    fn send_error(&self, e: reqwest::Error) -> AdvisorError {
        if e.is_timeout() {
            AdvisorError::Timeout(self.timeout)
        } else {
            AdvisorError::Unavailable(e.without_url().to_string())
        }
    }
}

#[async_trait]
impl CreditAdvisor for GeminiAdvisor {
    fn source(&self) -> AdviceSource {
        AdviceSource::Gemini
    }

    async fn advise(&self, facts: &CreditFacts) -> Result<CreditAdvice, AdvisorError> {
        let res = self
            .http
            .post(&self.endpoint)
            .header(API_KEY_HEADER, self.api_key.expose_secret())
            .json(&request_body(facts))
            .send()
            .await
            .map_err(|e| self.send_error(e))?;
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.bytes().await.map_err(|e| self.send_error(e))?;
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(AdvisorError::RateLimited {
                retry_after: retry_after(&headers, &body),
            });
        }
        if !status.is_success() {
            return Err(AdvisorError::Http {
                status: status.as_u16(),
            });
        }
        parse_answer(&body, facts)
    }

    fn describe(&self) -> String {
        format!("configured (model {})", self.model)
    }
}

/// The `generateContent` request: instructions, the prompt, and the output schema.
pub fn request_body(facts: &CreditFacts) -> Value {
    json!({
        "systemInstruction": { "parts": [{ "text": SYSTEM_INSTRUCTION }] },
        "contents": [{ "role": "user", "parts": [{ "text": prompt(facts) }] }],
        "generationConfig": {
            "responseMimeType": "application/json",
            "responseSchema": response_schema(),
            // A credit assessment should read the same when asked twice.
            "temperature": 0.2,
        }
    })
}

/// The four parts, in order, with the enums of the rule-based advisor.
pub fn response_schema() -> Value {
    let risk = [
        RiskScore::Low,
        RiskScore::Medium,
        RiskScore::High,
        RiskScore::Critical,
    ]
    .map(|r| r.to_string());
    let decision = [
        Recommendation::Approve,
        Recommendation::FlagForFinanceReview,
        Recommendation::Reject,
    ]
    .map(|d| d.to_string());
    json!({
        "type": "OBJECT",
        "properties": {
            "riskScore": { "type": "STRING", "enum": risk },
            "coreAnalysis": { "type": "STRING" },
            "decision": { "type": "STRING", "enum": decision },
            "justification": { "type": "STRING" },
        },
        "required": ["riskScore", "coreAnalysis", "decision", "justification"],
        "propertyOrdering": ["riskScore", "coreAnalysis", "decision", "justification"],
    })
}

/// The data of api.md §5.1: customer figures with the ageing label and the three ageing
/// groups, the order and its lines, and the two ratios. Figures come from the same
/// snapshot the rule-based advisor reads (alias precedence included), so an imported
/// customer's limit is no longer "N/A" as it was in the legacy prompt (D-L9).
pub fn prompt(facts: &CreditFacts) -> String {
    let s = &facts.snapshot;
    let ageing = s.ageing_days();
    let groups = facts.ageing();
    let mut p = String::new();
    let _ = writeln!(p, "CUSTOMER: {}", facts.customer_name);
    let _ = writeln!(p, "- Outstanding: {}", inr(s.os_balance));
    let _ = writeln!(p, "- Overdue: {}", inr(s.od_amt));
    let _ = writeln!(
        p,
        "- Ageing: {} ({})",
        ageing
            .map(|d| format!("{d} days"))
            .unwrap_or_else(|| "none reported".into()),
        ageing_label(ageing)
    );
    let _ = writeln!(
        p,
        "- Ageing groups: 0-30 days {}; 30-90 days {}; 90+ days {}",
        inr(groups.d0_30),
        inr(groups.d31_90),
        inr(groups.d90_plus)
    );
    let _ = writeln!(
        p,
        "- Credit limit: {}",
        s.limit.map(inr).unwrap_or_else(|| "no limit set".into())
    );
    let _ = writeln!(
        p,
        "- Other approved orders not yet invoiced: {}",
        inr(facts.exposure.open_orders)
    );
    let _ = writeln!(p);
    let _ = writeln!(
        p,
        "ORDER {}: total {}, {} line(s)",
        facts.order_id,
        inr(facts.order_total),
        facts.lines.len()
    );
    for l in &facts.lines {
        let _ = writeln!(
            p,
            "- {} x {} at {}",
            l.product_name,
            l.quantity.normalize(),
            inr(l.rate)
        );
    }
    let _ = writeln!(p);
    let _ = writeln!(p, "RATIOS:");
    let _ = writeln!(
        p,
        "- Exposure ratio (outstanding + order) / limit: {}",
        exposure_ratio(s, facts.order_total)
            .map(|r| format!("{}%", r.normalize()))
            .unwrap_or_else(|| "N/A (no limit)".into())
    );
    let _ = writeln!(
        p,
        "- Exposure including other open orders: {}{}",
        inr(facts.exposure.total),
        facts
            .exposure
            .utilisation_pct
            .map(|u| format!(" ({}% of the limit)", u.normalize()))
            .unwrap_or_default()
    );
    let _ = writeln!(
        p,
        "- Overdue share of outstanding: {}%",
        overdue_share(s).normalize()
    );
    p
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    candidates: Vec<Candidate>,
    #[serde(default, rename = "promptFeedback")]
    prompt_feedback: Option<Value>,
}

#[derive(Deserialize)]
struct Candidate {
    content: Option<Content>,
    #[serde(rename = "finishReason")]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    parts: Vec<Part>,
}

#[derive(Deserialize)]
struct Part {
    text: Option<String>,
}

/// The four parts as the schema asks for them.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FourParts {
    risk_score: RiskScore,
    core_analysis: String,
    #[serde(alias = "recommendation")]
    decision: Recommendation,
    justification: String,
}

/// Reads the model's answer: the first candidate's text must be the four-part JSON with
/// non-empty texts. The ratios beside it are computed here, not taken from the model.
pub fn parse_answer(body: &[u8], facts: &CreditFacts) -> Result<CreditAdvice, AdvisorError> {
    let malformed = |why: String| AdvisorError::Malformed(why);
    let r: Response = serde_json::from_slice(body)
        .map_err(|e| malformed(format!("response is not generateContent JSON ({e})")))?;
    let Some(c) = r.candidates.into_iter().next() else {
        let blocked = r
            .prompt_feedback
            .and_then(|f| f.get("blockReason").cloned())
            .map(|b| format!(" (blocked: {b})"))
            .unwrap_or_default();
        return Err(malformed(format!("no candidate{blocked}")));
    };
    let text: String = c
        .content
        .map(|c| c.parts.into_iter().filter_map(|p| p.text).collect())
        .unwrap_or_default();
    if text.trim().is_empty() {
        return Err(malformed(format!(
            "empty answer (finish reason {})",
            c.finish_reason.as_deref().unwrap_or("unknown")
        )));
    }
    let parts: FourParts = serde_json::from_str(text.trim())
        .map_err(|e| malformed(format!("answer is not the four-part JSON ({e})")))?;
    let (core_analysis, justification) = (
        parts.core_analysis.trim().to_string(),
        parts.justification.trim().to_string(),
    );
    if core_analysis.is_empty() || justification.is_empty() {
        return Err(malformed("coreAnalysis or justification is empty".into()));
    }
    let s = &facts.snapshot;
    Ok(CreditAdvice {
        risk_score: parts.risk_score,
        core_analysis,
        decision: parts.decision,
        justification,
        // The model gives prose, not the rule findings; the figures below are exact.
        concerns: Vec::new(),
        exposure_ratio_pct: exposure_ratio(s, facts.order_total),
        overdue_share_pct: overdue_share(s),
        ageing_days: s.ageing_days(),
    })
}

/// How long to wait before asking again: the `Retry-After` header in seconds, else the
/// `retryDelay` (e.g. `"30s"`) of Google's `RetryInfo` error detail.
fn retry_after(headers: &HeaderMap, body: &[u8]) -> Option<Duration> {
    let from_header = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    from_header.or_else(|| {
        let v: Value = serde_json::from_slice(body).ok()?;
        v.pointer("/error/details")?
            .as_array()?
            .iter()
            .find_map(|d| d.get("retryDelay")?.as_str())
            .and_then(|s| s.trim_end_matches('s').parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Customer, Order};
    use crate::types::Money;

    fn facts() -> CreditFacts {
        let customer: Customer = serde_json::from_value(json!({
            "id": "CUST-1", "name": "Coastal Foods",
            "limit": 100000, "osBalance": 90000, "odAmt": 20000,
            "agingBuckets": {"0 to 7": 5000, "30 to 45": 10000, "90 to 120": 5000}
        }))
        .unwrap();
        let mut order: Order = serde_json::from_value(json!({
            "id": "ORD-9", "customerId": "CUST-1",
            "items": [{"productId": "PROD-1", "productName": "Paneer 1kg", "quantity": 12, "price": 410}]
        }))
        .unwrap();
        order.total = Money::from_rupees(15000);
        CreditFacts::new(&customer, &order, Money::ZERO)
    }

    #[test]
    fn prompt_carries_the_figures_of_5_1() {
        let p = prompt(&facts());
        for want in [
            "CUSTOMER: Coastal Foods",
            "Outstanding: ₹90,000",
            "Overdue: ₹20,000",
            "Ageing: 90 days (CRITICAL)",
            "0-30 days ₹5,000; 30-90 days ₹10,000; 90+ days ₹5,000",
            "Credit limit: ₹1,00,000",
            "ORDER ORD-9: total ₹15,000, 1 line(s)",
            "- Paneer 1kg x 12 at ₹410",
            "(outstanding + order) / limit: 105%",
            "Overdue share of outstanding: 22.2%",
        ] {
            assert!(p.contains(want), "missing {want:?} in\n{p}");
        }
    }

    #[test]
    fn answers_parse_into_advice_with_exact_ratios() {
        let f = facts();
        let text = json!({"riskScore": "HIGH", "coreAnalysis": "Over the limit.",
            "decision": "FLAG FOR FINANCE REVIEW", "justification": "Needs a look."});
        let body = json!({"candidates": [{"content": {"parts": [{"text": text.to_string()}]}}]});
        let a = parse_answer(body.to_string().as_bytes(), &f).unwrap();
        assert_eq!(a.risk_score, RiskScore::High);
        assert_eq!(a.decision, Recommendation::FlagForFinanceReview);
        assert_eq!(a.exposure_ratio_pct, Some(rust_decimal::Decimal::from(105)));
        assert!(a.concerns.is_empty());
        for bad in [
            json!({"candidates": []}),
            json!({"promptFeedback": {"blockReason": "SAFETY"}}),
            json!({"candidates": [{"content": {"parts": [{"text": "Looks fine to me."}]}}]}),
            json!({"candidates": [{"content": {"parts": [{"text": "{\"riskScore\": \"HIGH\"}"}]}}]}),
            json!({"candidates": [{"content": {"parts": [{"text": "{\"riskScore\": \"SEVERE\", \"coreAnalysis\": \"x\", \"decision\": \"REJECT\", \"justification\": \"y\"}"}]}}]}),
            json!({"candidates": [{"finishReason": "MAX_TOKENS"}]}),
        ] {
            assert!(
                matches!(
                    parse_answer(bad.to_string().as_bytes(), &f),
                    Err(AdvisorError::Malformed(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn retry_delay_from_header_or_retry_info() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h, b""), None);
        let info = br#"{"error":{"code":429,"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17s"}]}}"#;
        assert_eq!(retry_after(&h, info), Some(Duration::from_secs(17)));
        h.insert(RETRY_AFTER, "42".parse().unwrap());
        assert_eq!(retry_after(&h, info), Some(Duration::from_secs(42)));
    }
}
