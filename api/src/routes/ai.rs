//! AI credit insight (api.md §2.16 AI1, §5.1; domain.md §2.8).
//!
//! Gathers the customer's exposure (outstanding, open uninvoiced orders, this order),
//! ageing and the order lines, and answers the four parts of the credit-insight contract:
//! risk score, core analysis, decision, justification. Gemini answers when configured
//! (`AppState::ai`); without it, or whenever it fails (timeout, rate limit, malformed
//! output, HTTP error), the deterministic rule-based advisor (`rules::credit::advise`)
//! answers and the response says so (`source: "rule-based fallback"`, with `fallbackReason`
//! when Gemini was tried). The legacy fallback read fields the importer never fills, so its
//! limit rules never fired for real customers (D-L9). The answer is stored on
//! the order — `intelligenceInsight` (the text the screens show) and `creditInsight` (the
//! structured figures) — in an audited commit, then `credit:insight-ready` is published.
//!
//! Who: `approve_credit` (Credit Control) and Admin, on orders within their scope. The
//! legacy mobile screen sent no `orderId` (api.md §7); both ids are required and must
//! belong together.

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use nexus_core::auth::{Access, OrderFacts, Permission, can_see_order};
use nexus_core::events::Audience;
use nexus_core::integrations::advisor::AdviceSource;
use nexus_core::integrations::credit_insight;
use nexus_core::model::{AuditAction, Customer, EntityType, Order, OrderStatus};
use nexus_core::rules::credit::{AgeingLabel, CreditSnapshot, Exposure, Recommendation, RiskScore};
use nexus_core::store::{Filter, Query, StoreError, TypedStore};
use nexus_core::types::{Money, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(credit_insight))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditInsightRequest {
    #[schema(example = "ORD-001", value_type = String, required = true, pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    pub order_id: Option<String>,
    #[schema(example = "CUST-001", value_type = String, required = true, pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    pub customer_id: Option<String>,
    /// Sent by the legacy mobile screen; ignored (the figures are read from the store).
    #[schema(value_type = Option<String>)]
    pub customer_name: Option<Value>,
    /// Sent by the old mobile screen; without `orderId` it finds the customer's one order in
    /// the credit queue with this total. The order's own figures are used.
    #[schema(value_type = Option<f64>)]
    pub order_value: Option<Value>,
}

/// The old mobile app's order screen asks without `orderId`, with the customer and the
/// order's total (as the server sent it): the one order of that customer in the credit
/// queue, visible to the caller, with exactly that total. `None` when there is not exactly
/// one (then the ids are required, as before).
async fn legacy_order_id(
    st: &AppState,
    actor: &Actor,
    customer_id: &str,
    order_value: Option<&Value>,
) -> Result<Option<String>, ApiError> {
    let Some(value) = order_value.and_then(nexus_core::types::lenient_decimal) else {
        return Ok(None);
    };
    let queue: Vec<Order> = st
        .store
        .list(&Query::new(Filter::and([
            Filter::eq("customerId", customer_id),
            crate::routes::analytics::status_filter([
                OrderStatus::PendingCreditApproval,
                OrderStatus::OnHold,
            ]),
        ])))
        .await?;
    let subs = actor.subordinates(st).await?;
    let mut matching = queue.into_iter().filter(|o| {
        (o.total.amount() - value).abs() < rust_decimal::Decimal::new(1, 2)
            && can_see_order(&actor.ctx, &subs, &OrderFacts::of(o))
    });
    Ok(match (matching.next(), matching.next()) {
        (Some(one), None) => Some(one.id),
        _ => None,
    })
}

fn present(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The structured insight, as stored in the order's `creditInsight`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreditInsight {
    pub risk_score: RiskScore,
    pub core_analysis: String,
    pub decision: Recommendation,
    pub justification: String,
    /// The findings behind the advice, each `{ "kind": "OVERDUE" | "AGEING" |
    /// "EXCEEDS_LIMIT" | "UTILISATION" | "NO_LIMIT" | "OLD_DEBT", …its figures }`.
    #[schema(value_type = Vec<Object>)]
    pub concerns: Vec<Value>,
    /// The same findings as sentences.
    pub concerns_text: Vec<String>,
    /// (outstanding + order) / limit × 100, one decimal; `null` without a limit.
    #[schema(required = true)]
    pub exposure_ratio_pct: Option<f64>,
    pub overdue_share_pct: f64,
    #[schema(required = true)]
    pub ageing_days: Option<i64>,
    pub ageing_label: AgeingLabel,
    /// The three ageing groups (0–30, 31–90, 90+ days) as amounts.
    #[schema(value_type = Object)]
    pub ageing: Value,
    pub exposure: Exposure,
    pub snapshot: CreditSnapshot,
    pub source: AdviceSource,
    #[schema(required = true)]
    pub fallback_reason: Option<String>,
    /// The advisor that answered, as it describes itself (model or rule set).
    pub model: String,
    /// True when the rule-based advisor answered (no key, or the model failed).
    pub is_fallback: bool,
    /// SHA-256 of the facts the insight was computed from; while they are unchanged the
    /// stored insight is the answer.
    pub fingerprint: String,
    pub generated_at: Timestamp,
    /// The user who asked, or `job:<id>` when the queued job computed it.
    pub generated_by: String,
}

/// The answer of a credit-insight request.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreditInsightAnswer {
    pub success: bool,
    /// The four-part text stored in the order's `intelligenceInsight`.
    pub insight: String,
    pub order_id: String,
    pub customer_name: String,
    pub order_value: Money,
    pub outstanding: Money,
    pub timestamp: Timestamp,
    pub risk_score: RiskScore,
    pub decision: Recommendation,
    pub source: AdviceSource,
    #[schema(required = true)]
    pub fallback_reason: Option<String>,
    pub credit_insight: CreditInsight,
}

/// Credit insight for an order: risk score, analysis, decision and justification, stored
/// on the order.
#[utoipa::path(post, path = "/api/ai/credit-insight", tag = "AI", security(("bearer" = [])), request_body = CreditInsightRequest, responses(
    (status = 200, description = "The insight, also stored on the order; `source` is `gemini` or `rule-based fallback`, `fallbackReason` says why Gemini did not answer (null otherwise)", body = CreditInsightAnswer),
    (status = 400, description = "orderId or customerId missing, or the customer is not the order's"),
    (status = 403, description = "Needs approve_credit"),
    (status = 404, description = "Unknown order or customer"),
    (status = 409, description = "The order changed status while its insight was computed"),
))]
async fn credit_insight(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<CreditInsightRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ApproveCredit, Access::Full)?;
    // The old screen sends the order's total as a number; anything else is a mistake, not
    // a value to ignore silently.
    if body
        .order_value
        .as_ref()
        .is_some_and(|v| !(v.is_number() || v.is_null()))
    {
        return Err(crate::json::wrong_shape("orderValue must be a number"));
    }
    if body
        .customer_name
        .as_ref()
        .is_some_and(|v| !(v.is_string() || v.is_null()))
    {
        return Err(crate::json::wrong_shape("customerName must be text"));
    }
    let Some(customer_id) = present(body.customer_id) else {
        return Err(ApiError::bad_request(
            ErrorCode::IdsRequired,
            "Order ID and Customer ID are required",
        ));
    };
    let order_id = match present(body.order_id) {
        Some(id) => id,
        None => legacy_order_id(&st, &actor, &customer_id, body.order_value.as_ref())
            .await?
            .ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::IdsRequired,
                    "Order ID and Customer ID are required",
                )
            })?,
    };
    let order: Order = st
        .store
        .get(Filter::id(order_id.clone()))
        .await?
        .ok_or_else(|| ApiError::record_not_found(ErrorCode::OrderNotFound, "Order", &order_id))?;
    let subs = actor.subordinates(&st).await?;
    if !can_see_order(&actor.ctx, &subs, &OrderFacts::of(&order)) {
        // Outside the caller's scope reads as absent (no existence leak).
        return Err(ApiError::record_not_found(
            ErrorCode::OrderNotFound,
            "Order",
            &order_id,
        ));
    }
    let customer: Customer = st
        .store
        .get(Filter::id(customer_id.clone()))
        .await?
        .ok_or_else(|| {
            ApiError::record_not_found(ErrorCode::CustomerNotFound, "Customer", &customer_id)
        })?;
    if order.customer_id != customer.id {
        return Err(ApiError::bad_request(
            ErrorCode::CustomerOrderMismatch,
            format!("Order {} is not for customer {}", order.id, customer.id),
        )
        .with_details(json!({ "orderCustomerId": order.customer_id })));
    }

    let order_id = order.id.clone();
    let inputs = credit_insight::inputs(st.store.as_ref(), order, customer).await?;
    // Computed from these same facts already (by the queued job or an earlier request):
    // that is the answer, with no second model call.
    if let Some(stored) = inputs.stored() {
        let order = &inputs.order;
        return Ok(Json(json!({
            "success": true,
            "insight": order.intelligence_insight,
            "orderId": order.id,
            "customerName": inputs.customer.name,
            "orderValue": order.total,
            "outstanding": inputs.facts.snapshot.os_balance,
            "timestamp": stored["generatedAt"],
            "riskScore": stored["riskScore"],
            "decision": stored["decision"],
            "source": stored["source"],
            "fallbackReason": stored["fallbackReason"],
            "creditInsight": stored,
        })));
    }
    let computed = credit_insight::compute(st.ai.as_ref(), &inputs, actor.id()).await;
    let audit = actor
        .audit(AuditAction::Update)
        .entity(EntityType::Order, order_id.clone());
    match st
        .store
        .commit(credit_insight::writes(&inputs, &computed, audit)?)
        .await
    {
        Ok(()) => {}
        // The order left its status (or vanished) meanwhile.
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::conflict(
                ErrorCode::Conflict,
                "The order changed while its insight was computed; ask again.",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let (order, customer) = (&inputs.order, &inputs.customer);
    let advice = &computed.answered.advice;
    st.publish(nexus_core::live::credit_insight_ready(
        order,
        &customer.id,
        advice.risk_score,
        advice.decision,
        computed.answered.source,
        Audience {
            salesperson_id: order.salesperson_id.clone(),
            order_status: Some(order.status.as_str().to_string()),
            permissions: vec![Permission::ApproveCredit.as_str().into()],
            ..Audience::default()
        },
    ))
    .await;
    Ok(Json(json!({
        "success": true,
        "insight": computed.text,
        "orderId": order.id,
        "customerName": customer.name,
        "orderValue": order.total,
        "outstanding": inputs.facts.snapshot.os_balance,
        "timestamp": computed.at,
        "riskScore": advice.risk_score,
        "decision": advice.decision,
        "source": computed.answered.source,
        "fallbackReason": computed.answered.fallback_reason,
        "creditInsight": computed.structured,
    })))
}
