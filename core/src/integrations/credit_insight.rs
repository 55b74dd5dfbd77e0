//! One order's credit insight, computed and stored the same way whoever asks: the API route
//! (`POST /api/ai/credit-insight`, answering at once) and the worker's `credit_insight` job
//! (queued when an order enters the credit queue, so the controller opens it with the
//! insight already there).
//!
//! The insight is stored on the order (`intelligenceInsight`, the text the screens show, and
//! `creditInsight`, the structured figures) with the fingerprint of the facts it was computed
//! from. While the order, the customer's figures and their other open orders are unchanged,
//! the fingerprint matches and the stored insight is the answer: asking again costs no model
//! call, and re-running the job stores the same result.

use super::advisor::{
    AdvisorError, CreditAdvisor, CreditFacts, Insight, advise_or_defer, advise_with_fallback,
};
use crate::model::{AuditLog, Customer, Order, OrderStatus};
use crate::rules::credit::{ageing_label, ageing_summary, is_open_uninvoiced};
use crate::store::{Filter, Query, StoreError, TypedStore, Write};
use crate::types::{Money, Timestamp};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The figures an insight rests on, read from the store.
pub struct InsightInputs {
    pub order: Order,
    pub customer: Customer,
    pub facts: CreditFacts,
    /// Hex SHA-256 of the facts: equal fingerprints give equal advice from the rules, and
    /// make a stored model answer still current.
    pub fingerprint: String,
}

/// The customer's other orders approved but not yet invoiced: they become receivables
/// before the next ERP import shows them, so they count towards the exposure.
pub async fn inputs(
    store: &(impl TypedStore + ?Sized),
    order: Order,
    customer: Customer,
) -> Result<InsightInputs, StoreError> {
    let open_statuses: Vec<Value> = OrderStatus::ALL
        .into_iter()
        .filter(|s| is_open_uninvoiced(*s))
        .flat_map(|s| s.spellings())
        .map(Value::from)
        .collect();
    let open: Vec<Order> = store
        .list(&Query::new(Filter::and([
            Filter::eq("customerId", customer.id.clone()),
            Filter::ne("id", order.id.clone()),
            Filter::is_in("status", open_statuses),
        ])))
        .await?;
    let open_total: Money = open.iter().map(|o| o.total).sum();
    let facts = CreditFacts::new(&customer, &order, open_total);
    let fingerprint = fingerprint(&facts);
    Ok(InsightInputs {
        order,
        customer,
        facts,
        fingerprint,
    })
}

fn fingerprint(facts: &CreditFacts) -> String {
    let canonical = json!({
        "orderId": facts.order_id,
        "orderTotal": facts.order_total,
        "lines": facts.lines,
        "snapshot": facts.snapshot,
        "exposure": facts.exposure,
    });
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl InsightInputs {
    /// The insight stored on the order when it was computed from these same facts.
    pub fn stored(&self) -> Option<&Value> {
        self.order
            .credit_insight
            .as_ref()
            .filter(|i| i["fingerprint"].as_str() == Some(self.fingerprint.as_str()))
    }
}

/// A computed insight, ready to store.
pub struct Computed {
    pub answered: Insight,
    /// The four-part text (`intelligenceInsight`).
    pub text: String,
    /// The structured figures (`creditInsight`).
    pub structured: Value,
    pub at: Timestamp,
}

/// Asks `advisor` (the rules answer when it fails, and the insight says so) and shapes the
/// answer as stored. `by` is who asked: a user id, or the job that computed it.
pub async fn compute(advisor: &dyn CreditAdvisor, inputs: &InsightInputs, by: &str) -> Computed {
    let answered = advise_with_fallback(advisor, &inputs.facts).await;
    shape(advisor, inputs, by, answered)
}

/// [`compute`] for a queued job: a transient model failure (429, timeout, outage) is
/// returned for the job to try again later, unless `may_fall_back` (its last attempt).
pub async fn compute_or_defer(
    advisor: &dyn CreditAdvisor,
    inputs: &InsightInputs,
    by: &str,
    may_fall_back: bool,
) -> Result<Computed, AdvisorError> {
    let answered = advise_or_defer(advisor, &inputs.facts, may_fall_back).await?;
    Ok(shape(advisor, inputs, by, answered))
}

fn shape(
    advisor: &dyn CreditAdvisor,
    inputs: &InsightInputs,
    by: &str,
    answered: Insight,
) -> Computed {
    let at = Timestamp::now();
    let advice = &answered.advice;
    let facts = &inputs.facts;
    let structured = json!({
        "riskScore": advice.risk_score,
        "coreAnalysis": advice.core_analysis,
        "decision": advice.decision,
        "justification": advice.justification,
        "concerns": advice.concerns,
        "concernsText": advice.concerns.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "exposureRatioPct": advice.exposure_ratio_pct,
        "overdueSharePct": advice.overdue_share_pct,
        "ageingDays": advice.ageing_days,
        "ageingLabel": ageing_label(advice.ageing_days),
        "ageing": ageing_summary(&facts.snapshot.aging_buckets),
        "exposure": facts.exposure,
        "snapshot": facts.snapshot,
        "source": answered.source,
        "model": advisor.describe(),
        "isFallback": answered.source == super::advisor::AdviceSource::RuleBased,
        "fallbackReason": answered.fallback_reason,
        "fingerprint": inputs.fingerprint,
        "generatedAt": at,
        "generatedBy": by,
    });
    Computed {
        text: advice.to_text(),
        answered,
        structured,
        at,
    }
}

/// The writes that store `computed` on the order with `audit` (one commit). The update is
/// guarded by the order's status, so an insight computed while the order moved on is not
/// written over a later state; it bumps `_rev` so a whole-order replace read before it
/// cannot erase it.
pub fn writes(
    inputs: &InsightInputs,
    computed: &Computed,
    audit: AuditLog,
) -> Result<Vec<Write>, StoreError> {
    let order = &inputs.order;
    let mut after = serde_json::Map::new();
    after.insert("intelligenceInsight".into(), json!(computed.text));
    after.insert("creditInsight".into(), computed.structured.clone());
    super::enrichment_writes(
        &order.id,
        order.status,
        json!({
            "intelligenceInsight": order.intelligence_insight,
            "creditInsight": order.credit_insight,
        }),
        after,
        computed.at,
        audit,
    )
}
