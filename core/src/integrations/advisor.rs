//! The credit-advisor port: who answers the four-part credit insight (risk score, core
//! analysis, decision, justification; api.md §5.1). Gemini when `GEMINI_API_KEY` is set
//! ([`super::gemini`]), else the deterministic rules of [`crate::rules::credit::advise`].
//!
//! Both advisors read the same [`CreditFacts`], built from the same [`CreditSnapshot`] and
//! exposure figures, so a model answer and a rule answer for one order are about the same
//! numbers. [`advise_with_fallback`] is the one place that decides what happens when the
//! model fails: the rules answer, and the result says so — unlike the legacy service, which
//! turned a 429 or a 503 into a fixed sentence that looked like an assessment.

use crate::model::{Customer, Order};
use crate::rules::credit::{
    AgeingSummary, CreditAdvice, CreditSnapshot, Exposure, advise, ageing_summary, exposure,
};
use crate::types::Money;
use async_trait::async_trait;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One order line as the advisor sees it: what, how many, at what rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineFacts {
    pub product_name: String,
    pub quantity: Decimal,
    pub rate: Money,
}

/// Everything an advisor may use, read once from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditFacts {
    pub customer_name: String,
    pub order_id: String,
    pub order_total: Money,
    pub lines: Vec<OrderLineFacts>,
    pub snapshot: CreditSnapshot,
    /// Outstanding + open uninvoiced orders + this order, against the limit.
    pub exposure: Exposure,
}

impl CreditFacts {
    /// `open_uninvoiced` is the total of the customer's other approved, not yet invoiced
    /// orders (they become receivables before the next ERP import shows them).
    pub fn new(customer: &Customer, order: &Order, open_uninvoiced: Money) -> CreditFacts {
        let snapshot = CreditSnapshot::from_customer(customer);
        let exposure = exposure(&snapshot, open_uninvoiced, order.total);
        CreditFacts {
            customer_name: customer.name.clone(),
            order_id: order.id.clone(),
            order_total: order.total,
            lines: order
                .items
                .iter()
                .map(|i| OrderLineFacts {
                    product_name: i
                        .product_name
                        .clone()
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| i.product_id.clone()),
                    quantity: i.quantity.value(),
                    rate: i.price,
                })
                .collect(),
            snapshot,
            exposure,
        }
    }

    /// The three ageing groups of the prompt (0–30, 30–90, 90+ days).
    pub fn ageing(&self) -> AgeingSummary {
        ageing_summary(&self.snapshot.aging_buckets)
    }
}

/// Which advisor produced an answer. The wire names are the `source` of the response and
/// of the stored `creditInsight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AdviceSource {
    #[serde(rename = "gemini")]
    Gemini,
    /// The deterministic rules: the fallback both when no model is configured and when the
    /// model failed.
    #[serde(rename = "rule-based fallback")]
    RuleBased,
}

impl AdviceSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AdviceSource::Gemini => "gemini",
            AdviceSource::RuleBased => "rule-based fallback",
        }
    }
}

/// Why a model could not answer. Every variant makes the caller fall back to the rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdvisorError {
    #[error("no answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// HTTP 429. `retry_after` from the `Retry-After` header or the error's `RetryInfo`.
    #[error("rate limited{}", .retry_after.map(|d| format!(" (retry after {} s)", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    /// The answer was not the four-part JSON asked for (or was blocked, or empty).
    #[error("malformed answer: {0}")]
    Malformed(String),
    /// Any other non-success HTTP status.
    #[error("HTTP status {status}")]
    Http { status: u16 },
    /// Not reachable at all (connection refused, DNS, TLS).
    #[error("unreachable: {0}")]
    Unavailable(String),
}

impl AdvisorError {
    /// Worth asking again later: throttled, slow, unreachable or a server-side error. A
    /// malformed answer or a refused request (4xx) would be the same next time.
    pub fn is_transient(&self) -> bool {
        match self {
            AdvisorError::Timeout(_)
            | AdvisorError::RateLimited { .. }
            | AdvisorError::Unavailable(_) => true,
            AdvisorError::Http { status } => *status >= 500,
            AdvisorError::Malformed(_) => false,
        }
    }

    /// How long the provider asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            AdvisorError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// The short reason a client sees as `fallbackReason`: the kind of failure, no
    /// addresses and no provider text (those go to the log).
    pub fn public_reason(&self) -> String {
        match self {
            AdvisorError::Timeout(d) => {
                format!("Gemini did not answer within {} ms", d.as_millis())
            }
            AdvisorError::RateLimited { retry_after } => format!(
                "Gemini rate limit reached{}",
                retry_after
                    .map(|d| format!("; retry after {} s", d.as_secs()))
                    .unwrap_or_default()
            ),
            AdvisorError::Malformed(_) => "Gemini answered in an unexpected format".into(),
            AdvisorError::Http { status } => format!("Gemini answered HTTP {status}"),
            AdvisorError::Unavailable(_) => "Gemini could not be reached".into(),
        }
    }
}

/// A credit advisor: four parts for one order.
#[async_trait]
pub trait CreditAdvisor: Send + Sync {
    fn source(&self) -> AdviceSource;

    async fn advise(&self, facts: &CreditFacts) -> Result<CreditAdvice, AdvisorError>;

    /// For the banner and `/api/ready` (never the key).
    fn describe(&self) -> String;
}

/// The rule-based advisor ([`crate::rules::credit::advise`]); it cannot fail.
#[derive(Debug, Clone, Copy, Default)]
pub struct RuleBasedAdvisor;

#[async_trait]
impl CreditAdvisor for RuleBasedAdvisor {
    fn source(&self) -> AdviceSource {
        AdviceSource::RuleBased
    }

    async fn advise(&self, facts: &CreditFacts) -> Result<CreditAdvice, AdvisorError> {
        Ok(advise(&facts.snapshot, facts.order_total))
    }

    fn describe(&self) -> String {
        "offline fallback: rule-based credit advisor (GEMINI_API_KEY not set)".into()
    }
}

/// An answer and who gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insight {
    pub advice: CreditAdvice,
    pub source: AdviceSource,
    /// Set when the configured model failed and the rules answered instead.
    pub fallback_reason: Option<String>,
}

/// Asks `advisor`; on any error the rules answer and the insight carries the reason. The
/// full error is logged (it never holds the key: that travels in a header).
pub async fn advise_with_fallback(advisor: &dyn CreditAdvisor, facts: &CreditFacts) -> Insight {
    match advisor.advise(facts).await {
        Ok(advice) => answered(advisor, advice),
        Err(e) => fallback(facts, &e),
    }
}

/// Like [`advise_with_fallback`], except that a transient failure (429, timeout, outage) is
/// returned instead of answered by the rules unless `may_fall_back`: a queued job asks the
/// model again later, while a person waiting for an answer gets the rules' one now.
pub async fn advise_or_defer(
    advisor: &dyn CreditAdvisor,
    facts: &CreditFacts,
    may_fall_back: bool,
) -> Result<Insight, AdvisorError> {
    match advisor.advise(facts).await {
        Ok(advice) => Ok(answered(advisor, advice)),
        Err(e) if e.is_transient() && !may_fall_back => {
            tracing::info!(error = %e, order_id = %facts.order_id, "credit advisor deferred");
            Err(e)
        }
        Err(e) => Ok(fallback(facts, &e)),
    }
}

fn answered(advisor: &dyn CreditAdvisor, advice: CreditAdvice) -> Insight {
    Insight {
        advice,
        source: advisor.source(),
        fallback_reason: None,
    }
}

fn fallback(facts: &CreditFacts, e: &AdvisorError) -> Insight {
    tracing::warn!(
        error = %e,
        order_id = %facts.order_id,
        "credit advisor failed; the rule-based advisor answers"
    );
    Insight {
        advice: advise(&facts.snapshot, facts.order_total),
        source: AdviceSource::RuleBased,
        fallback_reason: Some(e.public_reason()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::credit::{Recommendation, RiskScore};

    struct Failing(AdvisorError);

    #[async_trait]
    impl CreditAdvisor for Failing {
        fn source(&self) -> AdviceSource {
            AdviceSource::Gemini
        }
        async fn advise(&self, _: &CreditFacts) -> Result<CreditAdvice, AdvisorError> {
            Err(self.0.clone())
        }
        fn describe(&self) -> String {
            "failing".into()
        }
    }

    fn facts() -> CreditFacts {
        let customer: Customer = serde_json::from_value(serde_json::json!({
            "id": "CUST-1", "name": "Coastal Foods",
            "limit": 100000, "osBalance": 90000, "odAmt": 20000,
            "agingBuckets": {"30 to 45": 20000}
        }))
        .unwrap();
        let mut order = Order::new("ORD-1", "CUST-1");
        order.total = Money::from_rupees(15000);
        CreditFacts::new(&customer, &order, Money::from_rupees(5000))
    }

    #[tokio::test]
    async fn rules_answer_with_the_reason_when_the_model_fails() {
        let f = facts();
        assert_eq!(f.exposure.total, Money::from_rupees(110000));
        let failing = Failing(AdvisorError::RateLimited {
            retry_after: Some(Duration::from_secs(30)),
        });
        let i = advise_with_fallback(&failing, &f).await;
        assert_eq!(i.source, AdviceSource::RuleBased);
        assert_eq!(
            i.fallback_reason.as_deref(),
            Some("Gemini rate limit reached; retry after 30 s")
        );
        assert_eq!(
            (i.advice.risk_score, i.advice.decision),
            (RiskScore::High, Recommendation::Reject)
        );
        let plain = advise_with_fallback(&RuleBasedAdvisor, &f).await;
        assert_eq!(plain.fallback_reason, None);
        assert_eq!(plain.advice, i.advice);
        assert_eq!(
            serde_json::to_value(AdviceSource::RuleBased).unwrap(),
            "rule-based fallback"
        );
    }
}
