//! Credit figures (limit, terms, balances, ageing buckets) and blocking: the two writes only
//! credit control or master data make, each audited old → new. Separate so the credit
//! decisions sit apart from the descriptive edits of C3.

use super::validate::{amount, at_least_one, de_opt_unsigned, trimmed, with_keywords};
use super::{CREDIT_EDITORS, CustomerView, after, load, present};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::{commit_audited, ok_data};
use crate::routes::envelope::Data;
use crate::routes::numbers::de_opt_whole;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AgingBuckets, AuditAction, Customer, EntityType};
use nexus_core::store::{Filter, UpdateOp, Write};
use nexus_core::types::{Money, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

/// The nine ageing buckets, each optional (absent keeps the stored value).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketsInput {
    #[serde(rename = "0 to 7")]
    #[schema(value_type = Option<f64>, minimum = -1000000000000i64, maximum = 1000000000000i64)]
    pub d0_7: Option<Money>,
    #[serde(rename = "7 to 15")]
    #[schema(value_type = Option<f64>, minimum = -1000000000000i64, maximum = 1000000000000i64)]
    pub d7_15: Option<Money>,
    #[serde(rename = "15 to 30")]
    #[schema(value_type = Option<f64>, minimum = -1000000000000i64, maximum = 1000000000000i64)]
    pub d15_30: Option<Money>,
    #[serde(rename = "30 to 45")]
    #[schema(value_type = Option<f64>, minimum = -1000000000000i64, maximum = 1000000000000i64)]
    pub d30_45: Option<Money>,
    #[serde(rename = "45 to 90")]
    #[schema(value_type = Option<f64>, minimum = -1000000000000i64, maximum = 1000000000000i64)]
    pub d45_90: Option<Money>,
    #[serde(rename = "90 to 120")]
    #[schema(value_type = Option<f64>, minimum = -1000000000000i64, maximum = 1000000000000i64)]
    pub d90_120: Option<Money>,
    #[serde(rename = "120 to 150")]
    #[schema(value_type = Option<f64>, minimum = -1000000000000i64, maximum = 1000000000000i64)]
    pub d120_150: Option<Money>,
    #[serde(rename = "150 to 180")]
    #[schema(value_type = Option<f64>, minimum = -1000000000000i64, maximum = 1000000000000i64)]
    pub d150_180: Option<Money>,
    #[serde(rename = ">180")]
    #[schema(value_type = Option<f64>, minimum = -1000000000000i64, maximum = 1000000000000i64)]
    pub over_180: Option<Money>,
}

impl BucketsInput {
    fn apply(self, b: &AgingBuckets) -> Result<AgingBuckets, ApiError> {
        let pick = |field: &'static str, new: Option<Money>, old: Money| match new {
            Some(m) => amount(field, m, true),
            None => Ok(old),
        };
        Ok(AgingBuckets {
            d0_7: pick("agingBuckets.0 to 7", self.d0_7, b.d0_7)?,
            d7_15: pick("agingBuckets.7 to 15", self.d7_15, b.d7_15)?,
            d15_30: pick("agingBuckets.15 to 30", self.d15_30, b.d15_30)?,
            d30_45: pick("agingBuckets.30 to 45", self.d30_45, b.d30_45)?,
            d45_90: pick("agingBuckets.45 to 90", self.d45_90, b.d45_90)?,
            d90_120: pick("agingBuckets.90 to 120", self.d90_120, b.d90_120)?,
            d120_150: pick("agingBuckets.120 to 150", self.d120_150, b.d120_150)?,
            d150_180: pick("agingBuckets.150 to 180", self.d150_180, b.d150_180)?,
            over_180: pick("agingBuckets.>180", self.over_180, b.over_180)?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditUpdate {
    /// Credit limit (written to both `limit` and the legacy `creditLimit`).
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub limit: Option<Money>,
    /// Terms, e.g. `30 days`.
    pub credit_days: Option<String>,
    /// Outstanding receivable (written to `osBalance` and `outstanding`); negative = advance.
    #[serde(alias = "outstanding")]
    #[schema(value_type = Option<f64>, minimum = -1000000000000i64, maximum = 1000000000000i64)]
    pub os_balance: Option<Money>,
    /// Overdue amount (written to `odAmt` and `overdue`).
    #[serde(alias = "overdue")]
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub od_amt: Option<Money>,
    pub aging_buckets: Option<BucketsInput>,
    /// Security cheque held (`Yes` / `-`).
    pub security_chq: Option<String>,
    #[serde(default, deserialize_with = "de_opt_whole")]
    #[schema(minimum = 0)]
    pub ageing_days: Option<i64>,
    #[schema(value_type = Option<f64>, minimum = -1000000000000i64, maximum = 1000000000000i64)]
    pub diff_yesterday_today: Option<Money>,
    /// Why the figures change (kept in the audit entry).
    pub reason: Option<String>,
}

/// The request body as the document describes it: [`CreditUpdate`] with at least one figure
/// (`reason` alone changes nothing).
pub struct CreditUpdateBody;

impl PartialSchema for CreditUpdateBody {
    fn schema() -> RefOr<Schema> {
        at_least_one(
            CreditUpdate::schema(),
            &[
                "limit",
                "creditDays",
                "osBalance",
                "odAmt",
                "agingBuckets",
                "securityChq",
                "ageingDays",
                "diffYesterdayToday",
            ],
            &[],
        )
    }
}

impl ToSchema for CreditUpdateBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "CreditUpdate".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <CreditUpdate as ToSchema>::schemas(schemas);
    }
}

/// The credit part of a customer, for the audit's old → new.
fn credit_view(c: &Customer) -> Value {
    json!({
        "limit": c.limit, "creditLimit": c.credit_limit,
        "osBalance": c.os_balance, "outstanding": c.outstanding,
        "odAmt": c.od_amt, "overdue": c.overdue,
        "agingBuckets": c.aging_buckets, "creditDays": c.credit_days,
        "securityChq": c.security_chq, "ageingDays": c.ageing_days,
        "diffYesterdayToday": c.diff_yesterday_today,
    })
}

/// Change a customer's credit limit, terms, balances and ageing (credit control or master
/// data). Both members of each legacy alias pair are written so old readers agree.
#[utoipa::path(patch, path = "/api/customers/{id}/credit", tag = "Customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = CreditUpdateBody,
    responses(
        (status = 200, description = "The updated customer", body = Data<CustomerView>),
        (status = 403, description = "Needs approve_credit or master_data"),
        (status = 404, description = "No such customer"),
        (status = 422, description = "Invalid figure, or nothing to change"),
    ))]
pub(super) async fn update_credit(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreditUpdate>,
) -> Result<Json<Value>, ApiError> {
    actor.require_any(&CREDIT_EDITORS)?;
    let current = load(&st, &id).await?;
    let mut next = current.clone();
    let mut changed = false;
    if let Some(l) = body.limit {
        next.set_limit(amount("limit", l, false)?);
        changed = true;
    }
    if body.os_balance.is_some() || body.od_amt.is_some() {
        let os = match body.os_balance {
            Some(m) => amount("osBalance", m, true)?,
            None => current.effective_outstanding(),
        };
        let od = match body.od_amt {
            Some(m) => amount("odAmt", m, false)?,
            None => current.effective_overdue(),
        };
        if od.is_negative() {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "odAmt cannot be negative.",
            )
            .with_details(json!({ "field": "odAmt" })));
        }
        next.set_balances(os, od);
        changed = true;
    }
    if let Some(b) = body.aging_buckets {
        next.aging_buckets = b.apply(&current.aging_buckets)?;
        changed = true;
    }
    if let Some(d) = body.credit_days {
        next.credit_days = trimmed(&d);
        changed = true;
    }
    if let Some(s) = body.security_chq {
        let s = trimmed(&s).unwrap_or_else(|| "-".into());
        next.security_chq = Some(s.clone());
        next.security_chq_status = Some(s);
        changed = true;
    }
    if let Some(d) = body.ageing_days {
        if d < 0 {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "ageingDays cannot be negative.",
            )
            .with_details(json!({ "field": "ageingDays" })));
        }
        next.ageing_days = Some(d);
        changed = true;
    }
    if let Some(d) = body.diff_yesterday_today {
        next.diff_yesterday_today = amount("diffYesterdayToday", d, true)?;
        changed = true;
    }
    if !changed {
        return Err(ApiError::unprocessable(
            ErrorCode::NothingToUpdate,
            "The body changes nothing.",
        ));
    }
    next.updated_at = Some(Timestamp::now());
    let v = credit_view(&next);
    let mut ops: Vec<UpdateOp> = v
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, val)| {
            if val.is_null() {
                UpdateOp::Unset(k.clone())
            } else {
                UpdateOp::Set(k.clone(), val.clone())
            }
        })
        .collect();
    if let Some(s) = &next.security_chq_status {
        ops.push(UpdateOp::Set("securityChqStatus".into(), json!(s)));
    }
    ops.push(UpdateOp::Set("updatedAt".into(), json!(next.updated_at)));
    let mut audit = actor
        .audit(AuditAction::Update)
        .entity(EntityType::Customer, &id)
        .change(Some(credit_view(&current)), Some(v));
    audit.reason = body.reason.as_deref().and_then(trimmed);
    commit_audited(
        &st,
        vec![Write::update_one::<Customer>(Filter::id(&id), ops)],
        audit,
        Vec::new(),
    )
    .await?;
    Ok(ok_data(present(&st, &next).await))
}

/// The customer after a block or unblock; `changed` is false when it already was so.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlockAnswer {
    pub success: bool,
    pub changed: bool,
    pub data: CustomerView,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BlockRequest {
    pub blocked: bool,
    /// Required when blocking.
    pub reason: Option<String>,
}

/// `{blocked: true, reason}` with a reason that is not blank, or `{blocked: false}` with an
/// optional reason (kept in the audit entry).
impl PartialSchema for BlockRequest {
    fn schema() -> RefOr<Schema> {
        let base = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Block (`blocked: true`, with a reason that is not blank) or unblock (`blocked: false`) a customer.",
            ))
            .property("blocked", ObjectBuilder::new().schema_type(Type::Boolean))
            .required("blocked")
            .property(
                "reason",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .description(Some(
                        "Why: required (not blank) when blocking; kept in the audit entry.",
                    )),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .build();
        with_keywords(
            RefOr::T(Schema::Object(base)),
            [(
                "anyOf",
                json!([
                    { "properties": { "blocked": { "const": false } } },
                    {
                        "required": ["reason"],
                        "properties": { "reason": { "type": "string", "pattern": NONBLANK } },
                    },
                ]),
            )],
        )
    }
}
impl ToSchema for BlockRequest {}

/// Not blank (after trimming).
const NONBLANK: &str = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

/// Block or unblock a customer (credit control). Orders for a blocked customer are refused
/// at booking and import.
#[utoipa::path(patch, path = "/api/customers/{id}/block", tag = "Customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = BlockRequest,
    responses(
        (status = 200, description = "The customer, and whether anything changed", body = BlockAnswer),
        (status = 403, description = "Needs approve_credit"),
        (status = 404, description = "No such customer"),
        (status = 409, description = "Changed meanwhile by someone else"),
        (status = 422, description = "Blocking without a reason"),
    ))]
pub(super) async fn set_blocked(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BlockRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ApproveCredit, Access::Full)?;
    let reason = body.reason.as_deref().and_then(trimmed);
    if body.blocked && reason.is_none() {
        return Err(ApiError::unprocessable(
            ErrorCode::ReasonRequired,
            "Give a reason for blocking.",
        )
        .with_details(json!({ "field": "reason" })));
    }
    let current = load(&st, &id).await?;
    if current.is_blocked == body.blocked {
        return Ok(Json(
            json!({ "success": true, "changed": false, "data": present(&st, &current).await }),
        ));
    }
    let now = Timestamp::now();
    let mut ops = vec![
        UpdateOp::Set("isBlocked".into(), json!(body.blocked)),
        UpdateOp::Set("updatedAt".into(), json!(now)),
    ];
    if body.blocked {
        ops.push(UpdateOp::Set("blockedReason".into(), json!(reason)));
        ops.push(UpdateOp::Set("blockedBy".into(), json!(actor.id())));
        ops.push(UpdateOp::Set("blockedAt".into(), json!(now)));
    } else {
        for f in ["blockedReason", "blockedBy", "blockedAt"] {
            ops.push(UpdateOp::Unset(f.into()));
        }
    }
    let updated = after(&current, &ops)?;
    let mut audit = actor
        .audit(AuditAction::StatusChange)
        .entity(EntityType::Customer, &id)
        .change(
            Some(json!({ "isBlocked": current.is_blocked })),
            Some(json!({ "isBlocked": body.blocked })),
        );
    audit.reason = reason;
    // Guarded on the state read, so two opposite decisions cannot both go through.
    let guard = Filter::and([
        Filter::id(&id),
        if current.is_blocked {
            Filter::eq("isBlocked", true)
        } else {
            Filter::ne("isBlocked", true)
        },
    ]);
    commit_audited(
        &st,
        vec![Write::update_one::<Customer>(guard, ops)],
        audit,
        Vec::new(),
    )
    .await?;
    Ok(Json(
        json!({ "success": true, "changed": true, "data": present(&st, &updated).await }),
    ))
}
