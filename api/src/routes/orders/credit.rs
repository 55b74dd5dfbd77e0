//! Credit control and cancellation (domain.md §3.7 rows 2–6): approve, hold or reject with a
//! stored credit snapshot and reason (the legacy kept the status only, §3.8, D-L9), release
//! a hold, cancel (stock restored exactly once, D-L4) and DELETE as a cancel (no hard
//! delete, 8.2.29). Segregation of duties — nobody approves an order they booked unless
//! Admin (D-S6) — is the lifecycle's rule.

use super::access::{Visibility, visible_order};
use super::create::text;
use super::credit_check::CreditRead;
use super::engine::{Done, Plan, apply, respond, retrying, run_step};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::ApiError;
use crate::error::ErrorCode;
use crate::routes::envelope::{Data, MessageData};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{Order, OrderStatus};
use nexus_core::rules::credit::decision_record;
use nexus_core::rules::lifecycle::Action;
use nexus_core::types::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CreditChoice {
    #[serde(alias = "approved")]
    Approve,
    #[serde(alias = "on hold")]
    Hold,
    #[serde(alias = "rejected")]
    Reject,
}

/// Its schema is written by hand below: the reason is required for hold and reject only.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditDecisionRequest {
    pub decision: CreditChoice,
    /// Required for hold and reject, and for an override.
    pub reason: Option<String>,
    /// Approve although the credit check fails (credit_override; a reason is required).
    #[serde(rename = "override")]
    pub override_limit: Option<bool>,
}

/// `approve` with an optional reason, or `hold`/`reject` with one (the lifecycle's rule).
impl utoipa::PartialSchema for CreditDecisionRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, SchemaType, Type};
        const REQUIRED: &str = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,999}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";
        const OPTIONAL: &str = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,999})?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";
        let fields = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "decision",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([
                        "approve", "approved", "hold", "on hold", "reject", "rejected",
                    ])),
            )
            .property(
                "reason",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .pattern(Some(OPTIONAL))
                    .description(Some("Required for hold and reject, and for an override.")),
            )
            .property(
                "override",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::Boolean, Type::Null]))
                    .description(Some(
                        "Approve although the credit check fails (over the limit, cash-only): \
                         needs credit_override and a reason.",
                    )),
            )
            .required("decision")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .description(Some(
                "Approve (reason optional; required with `override`), or hold or reject with a reason.",
            ))
            .into();
        crate::routes::param_schemas::with_keywords(
            fields,
            [(
                "anyOf",
                serde_json::json!([
                    {
                        "properties": {
                            "decision": { "enum": ["approve", "approved"] },
                            "override": { "enum": [false, null] },
                        },
                    },
                    {
                        "required": ["reason"],
                        "properties": { "reason": { "type": "string", "pattern": REQUIRED } },
                    },
                ]),
            )],
        )
    }
}
impl utoipa::ToSchema for CreditDecisionRequest {}

/// A cancellation: the lifecycle records why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelRequest {
    /// Why the order is cancelled (required; missing → `REASON_REQUIRED`).
    #[schema(value_type = String, required = true, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,999}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReasonRequest {
    pub reason: Option<String>,
}

/// The decision on one order, with the customer's figures at decision time. An approval
/// runs the credit check again on fresh figures: one that fails it (over the limit,
/// cash-only) needs `override_limit` with a reason, by a holder of `credit_override`.
pub async fn decide_credit(
    st: &AppState,
    actor: &Actor,
    id: &str,
    choice: CreditChoice,
    reason: Option<String>,
    override_limit: bool,
) -> Result<Done, ApiError> {
    actor.require(Permission::ApproveCredit, Access::Full)?;
    let reason = text("reason", reason, 1_000)?;
    // An override means something for an approval only; hold and reject ignore it.
    let override_limit = override_limit && choice == CreditChoice::Approve;
    if override_limit {
        actor.require(Permission::CreditOverride, Access::Full)?;
        if reason.is_none() {
            return Err(ApiError::unprocessable(
                ErrorCode::ReasonRequired,
                "Approving over the credit check needs a reason",
            )
            .with_details(json!({ "field": "reason" })));
        }
    }
    let action = match choice {
        CreditChoice::Approve => Action::CreditApprove {
            reason: reason.clone(),
        },
        CreditChoice::Hold => Action::CreditHold {
            reason: reason.clone().unwrap_or_default(),
        },
        CreditChoice::Reject => Action::CreditReject {
            reason: reason.clone().unwrap_or_default(),
        },
    };
    let label = match choice {
        CreditChoice::Approve => "Approved",
        CreditChoice::Hold => "On Hold",
        CreditChoice::Reject => "Rejected",
    };
    let vis = Visibility::of(st, actor).await?;
    let (vis, action, reason) = (&vis, &action, &reason);
    retrying(move || async move {
        let order = visible_order(st, vis, id).await?;
        let credit = CreditRead::of(st, &order.customer_id, &order.id).await?;
        let now = Timestamp::now();
        let check = credit.check(order.total, now);
        let approving = choice == CreditChoice::Approve;
        // The lifecycle refuses a step from the wrong status first (409 with the open
        // steps); the credit check speaks only to an approval that could otherwise go on.
        let overridden = approving
            && check.override_required
            && order.status == OrderStatus::PendingCreditApproval;
        if overridden && !override_limit {
            return Err(ApiError::conflict(
                ErrorCode::CreditCheckFailed,
                format!(
                    "{}: approving needs an override with a reason (credit_override)",
                    check.summary
                ),
            )
            .with_details(json!({ "creditCheck": check })));
        }
        let exposure = credit.exposure(order.total);
        let mut record = decision_record(
            label,
            reason.as_deref(),
            actor.id(),
            now,
            &credit.snapshot,
            &exposure,
        );
        record.overridden = overridden;
        let rejected = choice == CreditChoice::Reject;
        let reason = reason.clone();
        let summary = check.summary.clone();
        let plan = Plan::new(action.clone())
            .record(move |o, _| {
                o.credit_decision = Some(record);
                o.credit_check = Some(check);
                if rejected {
                    o.rejection_reason = reason;
                }
                let mut data =
                    json!({ "decision": label, "exposure": exposure, "creditCheck": summary });
                if overridden {
                    data["override"] = json!(true);
                }
                Ok(Some(data))
            })
            // Two approvals for one customer at once must not both fit one headroom.
            .guard(if approving { credit.guard() } else { None });
        apply(st, actor, order, plan).await
    })
    .await
}

/// Approve, hold or reject an order waiting for credit control (approve_credit; not on an
/// order you booked unless Admin). Stores the limit, outstanding, overdue and exposure the
/// decision was taken on. An approval runs the credit check again on fresh figures; one
/// that fails it (over the limit, cash-only account) needs `override: true` with a reason,
/// by a holder of credit_override, and is recorded as overridden in the decision, the
/// timeline and the audit log.
#[utoipa::path(post, path = "/api/orders/{id}/credit-decision", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = CreditDecisionRequest,
    responses(
        (status = 200, description = "Decided: the order", body = Data<Order>),
        (status = 403, description = "Needs approve_credit (and credit_override for an override); or you booked this order"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Not waiting for credit approval (e.g. already decided); or the order fails the credit check and no override was given (`CREDIT_CHECK_FAILED`, `details.creditCheck`)"),
        (status = 422, description = "Reason missing for hold/reject or an override"),
    ))]
pub async fn credit_decision(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreditDecisionRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = decide_credit(
        &st,
        &actor,
        &id,
        body.decision,
        body.reason,
        body.override_limit.unwrap_or(false),
    )
    .await?;
    Ok(respond(&done))
}

pub async fn release_hold_step(st: &AppState, actor: &Actor, id: &str) -> Result<Done, ApiError> {
    actor.require_any(&[
        (Permission::ApproveCredit, Access::Full),
        (Permission::CreateOrders, Access::Full),
        (Permission::AdminBypass, Access::Full),
    ])?;
    run_step(st, actor, id, |_| Ok(Plan::new(Action::ReleaseHold))).await
}

/// Put an order on hold back into the credit queue (the owner after a payment or edit, or
/// credit control).
#[utoipa::path(post, path = "/api/orders/{id}/release-hold", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    responses(
        (status = 200, description = "Back in Pending Credit Approval", body = Data<Order>),
        (status = 403, description = "Not the owner and no approve_credit"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "The order is not on hold"),
    ))]
pub async fn release_hold(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let done = release_hold_step(&st, &actor, &id).await?;
    Ok(respond(&done))
}

/// Cancels with a reason; whatever stock the order holds goes back, once.
pub async fn cancel_step(
    st: &AppState,
    actor: &Actor,
    id: &str,
    reason: Option<String>,
) -> Result<Done, ApiError> {
    actor.require_any(&[
        (Permission::CreateOrders, Access::Full),
        (Permission::ApproveCredit, Access::Full),
        (Permission::AdminBypass, Access::Full),
    ])?;
    let reason = text("reason", reason, 1_000)?.unwrap_or_default();
    run_step(st, actor, id, |_| {
        let r = reason.clone();
        Ok(Plan::new(Action::Cancel {
            reason: reason.clone(),
        })
        .record(move |o, _| {
            o.rejection_reason = Some(r);
            Ok(None)
        }))
    })
    .await
}

/// Cancel an order (the owner before warehouse selection; credit control or Admin until
/// packing). Stock it holds is restored exactly once; a second cancel is a 409.
#[utoipa::path(post, path = "/api/orders/{id}/cancel", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "Cancelled", body = Data<Order>),
        (status = 403, description = "Not allowed to cancel this order now"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Already closed, or past packing"),
        (status = 422, description = "Reason missing"),
    ))]
pub async fn cancel(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CancelRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = cancel_step(&st, &actor, &id, body.reason).await?;
    Ok(respond(&done))
}

/// Orders are never hard-deleted (8.2.29): DELETE cancels with the reason "deleted",
/// restoring stock once, and keeps the record.
#[utoipa::path(delete, path = "/api/orders/{id}", tag = "Orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "Order id")),
    responses(
        (status = 200, description = "Cancelled: the order", body = MessageData<Order>),
        (status = 403, description = "Not allowed to cancel this order now"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Already closed, or past packing"),
    ))]
pub async fn delete_order(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let done = cancel_step(&st, &actor, &id, Some("deleted".into())).await?;
    Ok(Json(json!({
        "success": true,
        "message": "Order cancelled (orders are kept, never hard-deleted)",
        "data": super::view::public(&done.order),
    })))
}
