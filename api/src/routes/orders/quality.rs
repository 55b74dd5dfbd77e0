//! QC, logistics costing, the admin review of high costs, and invoicing (domain.md §3.7,
//! §3.8): each step stores what the legacy system lost — the checklist and temperature
//! (D-L11), the cost breakdown and the 15 % assessment merged into `logistics` (D-L10,
//! 8.2.25), the invoice number, date and tax split (D-L7).

use super::access::{Visibility, visible_order};
use super::create::text;
use super::engine::{Done, Plan, apply, respond, retrying, run_step};
use super::lines::invoice_split;
use super::lookup::supplier_state;
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::envelope::Data;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::order::{InvoiceDetails, Logistics, QcDetails};
use nexus_core::model::{Customer, Order};
use nexus_core::rules::lifecycle::Action;
use nexus_core::rules::logistics_cost::{
    AncillaryCostInput, CostAssessment, assess_cost, cost_step,
};
use nexus_core::store::{Filter, TypedStore};
use nexus_core::types::{Money, Quantity, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

/// The five-point checklist (frozen −18 °C / fresh 0–4 °C; packaging; net weight; label and
/// batch/expiry; invoice/DC) and the verdict.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QcRequest {
    #[serde(default)]
    pub temp_verified: bool,
    /// Measured temperature in °C (any reading a decimal holds).
    #[schema(value_type = Option<f64>, minimum = -1e28, maximum = 1e28)]
    pub actual_temp: Option<Decimal>,
    #[serde(default)]
    pub packaging_intact: bool,
    #[serde(default)]
    pub weight_verified: bool,
    #[serde(default)]
    pub label_clarity: bool,
    #[serde(default)]
    pub invoice_dc_attached: bool,
    /// Pass → Pending Logistics Cost; fail (remarks required) → back to packing.
    pub passed: bool,
    pub remarks: Option<String>,
    /// Blob key of the QC photo.
    #[schema(value_type = Option<crate::routes::param_schemas::BlobKeyText>)]
    pub photo_key: Option<String>,
}

pub async fn qc_step(
    st: &AppState,
    actor: &Actor,
    id: &str,
    body: QcRequest,
) -> Result<Done, ApiError> {
    actor.require(Permission::QualityControl, Access::Full)?;
    let remarks = text("remarks", body.remarks.clone(), 2_000)?;
    let all_checked = body.temp_verified
        && body.packaging_intact
        && body.weight_verified
        && body.label_clarity
        && body.invoice_dc_attached;
    if body.passed && !all_checked {
        return Err(ApiError::unprocessable(
            ErrorCode::QcChecklistIncomplete,
            "A pass needs all five checks ticked",
        )
        .with_details(json!({})));
    }
    if let Some(t) = body.actual_temp
        && (t < Decimal::from(-60) || t > Decimal::from(60))
    {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidTemperature,
            "actualTemp must be between -60 and 60 °C",
        )
        .with_details(json!({ "actualTemp": t })));
    }
    let photo = match body.photo_key.as_ref() {
        Some(p) => super::create::check_photos(std::slice::from_ref(p))?.pop(),
        None => None,
    };
    let action = if body.passed {
        Action::QcPass
    } else {
        Action::QcFail {
            remarks: remarks.clone().unwrap_or_default(),
        }
    };
    let agent = actor.id().to_string();
    run_step(st, actor, id, |_| {
        let (b, remarks, photo, agent) =
            (body.clone(), remarks.clone(), photo.clone(), agent.clone());
        Ok(Plan::new(action.clone())
            .note(remarks.clone())
            .record(move |o, _| {
                let details = QcDetails {
                    temp_verified: b.temp_verified,
                    actual_temp: b.actual_temp,
                    packaging_intact: b.packaging_intact,
                    weight_verified: b.weight_verified,
                    label_clarity: b.label_clarity,
                    invoice_dc_attached: b.invoice_dc_attached,
                    qc_passed: b.passed,
                    qc_agent_id: Some(agent),
                    qc_timestamp: Some(Timestamp::now()),
                    qc_remarks: remarks,
                };
                if photo.is_some() {
                    o.qc_photo = photo;
                }
                if !b.passed {
                    // Back to packing: the lines are packed again.
                    for i in &mut o.items {
                        i.packed_quantity = None;
                    }
                }
                let data = serde_json::to_value(&details).ok();
                o.qc = Some(details);
                Ok(data)
            }))
    })
    .await
}

/// Record the QC checklist (quality_control). Pass (all five checks) → Pending Logistics
/// Cost; fail with remarks → Pending Packing.
#[utoipa::path(post, path = "/api/orders/{id}/qc", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = QcRequest,
    responses(
        (status = 200, description = "Checked", body = Data<Order>),
        (status = 403, description = "Needs quality_control"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Not waiting for QC"),
        (status = 422, description = "Pass with an unticked check, or fail without remarks"),
    ))]
pub async fn qc(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<QcRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = qc_step(&st, &actor, &id, body).await?;
    Ok(respond(&done))
}

/// Ancillary cold-chain costs; rates left out take the screen defaults (₹300 a box,
/// ₹18 a kg of dry ice).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogisticsCostRequest {
    #[serde(default)]
    #[schema(value_type = f64, minimum = 0, maximum = 1e12)]
    pub thermacol_box_count: Decimal,
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1e12)]
    pub thermacol_rate: Option<Decimal>,
    #[serde(default)]
    #[schema(value_type = f64, minimum = 0, maximum = 1e12)]
    pub dry_ice_kg: Decimal,
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1e12)]
    pub dry_ice_rate: Option<Decimal>,
    #[serde(default)]
    #[schema(value_type = f64, minimum = 0, maximum = 1e12)]
    pub wh_to_station_amount: Decimal,
    #[serde(default)]
    #[schema(value_type = f64, minimum = 0, maximum = 1e12)]
    pub station_to_loc_amount: Decimal,
    #[serde(default)]
    #[schema(value_type = f64, minimum = 0, maximum = 1e12)]
    pub wh_to_cust_amount: Decimal,
}

/// The largest cost figure (count, kilograms or rupees) the step takes: far above any real
/// consignment, and what the document declares as `maximum`.
fn max_cost_figure() -> Decimal {
    Decimal::from(1_000_000_000_000_i64)
}

fn non_negative(field: &str, d: Decimal) -> Result<Decimal, ApiError> {
    if d < Decimal::ZERO {
        Err(ApiError::unprocessable(
            ErrorCode::NegativeAmount,
            format!("`{field}` cannot be negative"),
        )
        .with_details(json!({ "field": field })))
    } else if d > max_cost_figure() {
        Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("`{field}` is larger than {}", max_cost_figure()),
        )
        .with_details(json!({ "field": field })))
    } else {
        Ok(d)
    }
}

impl LogisticsCostRequest {
    fn input(&self) -> Result<AncillaryCostInput, ApiError> {
        let qty = |f: &str, d: Decimal| -> Result<Quantity, ApiError> {
            Quantity::new(non_negative(f, d)?).map_err(|e| {
                ApiError::unprocessable(ErrorCode::InvalidQuantity, e.to_string())
                    .with_details(json!({ "field": f }))
            })
        };
        let money = |f: &str, d: Decimal| -> Result<Money, ApiError> {
            Ok(Money::new(non_negative(f, d)?).round2())
        };
        Ok(AncillaryCostInput {
            thermacol_box_count: qty("thermacolBoxCount", self.thermacol_box_count)?,
            thermacol_rate: self
                .thermacol_rate
                .map(|r| money("thermacolRate", r))
                .transpose()?,
            dry_ice_kg: qty("dryIceKg", self.dry_ice_kg)?,
            dry_ice_rate: self
                .dry_ice_rate
                .map(|r| money("dryIceRate", r))
                .transpose()?,
            wh_to_station_amount: money("whToStationAmount", self.wh_to_station_amount)?,
            station_to_loc_amount: money("stationToLocAmount", self.station_to_loc_amount)?,
            wh_to_cust_amount: money("whToCustAmount", self.wh_to_cust_amount)?,
        })
    }
}

pub async fn logistics_cost_step(
    st: &AppState,
    actor: &Actor,
    id: &str,
    body: &LogisticsCostRequest,
) -> Result<(Done, CostAssessment), ApiError> {
    actor.require(Permission::LogisticsCosting, Access::Full)?;
    let input = body.input()?;
    let done = run_step(st, actor, id, |order| {
        let (breakdown, assessment) = cost_step(order, &input);
        let alert = assessment.high_cost_alert;
        Ok(Plan::new(Action::LogisticsCost {
            high_cost_alert: alert,
        })
        .record(move |o, _| {
            // Merge: dispatch data and earlier fields stay (the legacy replaced the whole
            // sub-document, 8.2.25).
            let l = o.logistics.get_or_insert_with(Logistics::default);
            l.shipping_cost = breakdown.total;
            l.high_cost_alert = alert;
            l.cost_breakdown = Some(breakdown.clone());
            Ok(Some(json!({
                "total": breakdown.total,
                "ratioPct": assessment.ratio_pct,
                "band": assessment.band,
                "highCostAlert": alert,
            })))
        }))
    })
    .await?;
    // The assessment the committed step was decided on (same cost, same packed value).
    let cost = done
        .order
        .logistics
        .as_ref()
        .map(|l| l.shipping_cost)
        .unwrap_or_default();
    let assessment = assess_cost(cost, done.order.packed_value());
    Ok((done, assessment))
}

/// A costed order with the assessment it was routed on.
#[derive(Debug, Serialize, ToSchema)]
pub struct CostedOrder {
    pub success: bool,
    pub data: Order,
    pub assessment: CostAssessment,
}

/// Enter the cold-chain and transport costs (logistics_costing). Above 15 % of the packed
/// value ex-GST the order goes to Pending Admin Review with `highCostAlert`; exactly 15 % or
/// less → Ready for Billing.
#[utoipa::path(post, path = "/api/orders/{id}/logistics-cost", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = LogisticsCostRequest,
    responses(
        (status = 200, description = "Costed: the order and the cost assessment", body = CostedOrder),
        (status = 403, description = "Needs logistics_costing"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Not waiting for costing"),
        (status = 422, description = "A negative amount"),
    ))]
pub async fn logistics_cost(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LogisticsCostRequest>,
) -> Result<Json<Value>, ApiError> {
    let (done, assessment) = logistics_cost_step(&st, &actor, &id, &body).await?;
    Ok(Json(json!({
        "success": true,
        "data": super::view::public(&done.order),
        "assessment": assessment,
    })))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReviewChoice {
    Approve,
    Reject,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdminReviewRequest {
    pub decision: ReviewChoice,
    /// Required for a rejection.
    pub reason: Option<String>,
}

pub async fn admin_review_step(
    st: &AppState,
    actor: &Actor,
    id: &str,
    decision: ReviewChoice,
    reason: Option<String>,
) -> Result<Done, ApiError> {
    actor.require(Permission::AdminBypass, Access::Full)?;
    let reason = text("reason", reason, 1_000)?;
    let action = match decision {
        ReviewChoice::Approve => Action::AdminReviewApprove,
        ReviewChoice::Reject => Action::AdminReviewReject {
            reason: reason.clone().unwrap_or_default(),
        },
    };
    run_step(st, actor, id, |_| {
        let r = reason.clone();
        Ok(Plan::new(action.clone())
            .note(reason.clone())
            .record(move |o, _| {
                if decision == ReviewChoice::Reject {
                    o.rejection_reason = r;
                }
                Ok(Some(json!({ "review": decision == ReviewChoice::Approve })))
            }))
    })
    .await
}

/// Approve a high logistics cost (→ Ready for Billing) or reject it (→ Cancelled, stock
/// restored); admin_bypass.
#[utoipa::path(post, path = "/api/orders/{id}/admin-review", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = AdminReviewRequest,
    responses(
        (status = 200, description = "Reviewed", body = Data<Order>),
        (status = 403, description = "Needs admin_bypass"),
        (status = 404, description = "No such order"),
        (status = 409, description = "Not waiting for admin review"),
        (status = 422, description = "Reason missing for a rejection"),
    ))]
pub async fn admin_review(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AdminReviewRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = admin_review_step(&st, &actor, &id, body.decision, body.reason).await?;
    Ok(respond(&done))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvoiceRequest {
    #[schema(example = "INV-2026-0001", pattern = "^\\s*[A-Za-z0-9/_.-]{1,64}\\s*$")]
    pub invoice_no: String,
    /// `YYYY-MM-DD` or an instant; default now.
    #[schema(value_type = Option<crate::routes::param_schemas::DateOrInstant>)]
    pub invoice_date: Option<String>,
}

fn invoice_no(raw: &str) -> Result<String, ApiError> {
    let n = raw.trim();
    let ok = !n.is_empty()
        && n.len() <= 64
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-/_.".contains(c));
    if ok {
        Ok(n.to_string())
    } else {
        Err(ApiError::unprocessable(
            ErrorCode::InvalidInvoiceNo,
            "invoiceNo: 1–64 letters, digits or - / _ .",
        )
        .with_details(json!({})))
    }
}

fn invoice_date(raw: Option<&str>) -> Result<Timestamp, ApiError> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Timestamp::now());
    };
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        && let Some(dt) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(Timestamp::from_datetime(dt.and_utc()));
    }
    Timestamp::parse(s).map_err(|_| {
        ApiError::unprocessable(
            ErrorCode::InvalidDate,
            "invoiceDate: YYYY-MM-DD or an ISO-8601 instant",
        )
        .with_details(json!({ "invoiceDate": s }))
    })
}

pub async fn invoice_step(
    st: &AppState,
    actor: &Actor,
    id: &str,
    body: &InvoiceRequest,
) -> Result<Done, ApiError> {
    actor.require(Permission::Invoicing, Access::Full)?;
    let no = invoice_no(&body.invoice_no)?;
    let date = invoice_date(body.invoice_date.as_deref())?;
    let taken = st
        .store
        .get::<Order>(Filter::and([
            Filter::eq("invoice.invoiceNo", no.clone()),
            Filter::ne("id", id),
        ]))
        .await?;
    if let Some(other) = taken {
        return Err(ApiError::conflict(
            ErrorCode::DuplicateInvoiceNo,
            "This invoice number is already used by another order.",
        )
        .with_details(json!({ "orderId": other.id })));
    }
    let vis = Visibility::of(st, actor).await?;
    let (vis, no) = (&vis, &no);
    retrying(move || async move {
        let order = visible_order(st, vis, id).await?;
        let state = supplier_state(st, &order).await?;
        // Legacy orders carry no place of supply: the customer's state is where it goes.
        let place = match order.place_of_supply.clone() {
            Some(p) => Some(p),
            None => st
                .store
                .get::<Customer>(Filter::id(order.customer_id.clone()))
                .await?
                .and_then(|c| c.region),
        };
        let (no, by) = (no.clone(), actor.id().to_string());
        let plan = Plan::new(Action::Invoice).record(move |o, _| {
            o.place_of_supply = place;
            invoice_split(o, &state)?;
            let details = InvoiceDetails {
                invoice_no: no,
                invoice_date: Some(date),
                invoice_file: None,
                taxable_value: o.sub_total,
                cgst: o.cgst,
                sgst: o.sgst,
                igst: o.igst,
                total: o.total,
                invoiced_by: Some(by),
            };
            let data = serde_json::to_value(&details).ok();
            o.invoice = Some(details);
            Ok(data)
        });
        apply(st, actor, order, plan).await
    })
    .await
}

/// Invoice an order that is ready for billing (invoicing): number, date and the GST split
/// (CGST+SGST within the state the goods ship from, IGST across states).
#[utoipa::path(post, path = "/api/orders/{id}/invoice", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = InvoiceRequest,
    responses(
        (status = 200, description = "Invoiced, Ready for Dispatch", body = Data<Order>),
        (status = 403, description = "Needs invoicing"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Not ready for billing, or the invoice number is taken"),
        (status = 422, description = "Malformed invoice number or date"),
    ))]
pub async fn invoice(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<InvoiceRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = invoice_step(&st, &actor, &id, &body).await?;
    Ok(respond(&done))
}
