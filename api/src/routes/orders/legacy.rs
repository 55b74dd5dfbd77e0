//! The old mobile app moves an order through its whole workflow with
//! `PATCH /api/orders/{id} {"status": …}` (docs/LEGACY_CLIENT.md). The legacy server `$set`
//! whatever status it was sent; here the target status is translated into the one lifecycle
//! step that leads there from where the order stands, found by dry-running the transition
//! rules (`lifecycle::available`), and that step runs through its own step function: the
//! same permission checks, the same evidence rules, the same stock side effects and audit as
//! the step endpoint. A status no step of this user reaches answers 409 with the steps that
//! are open; `isAdminBypass: true` is the explicit admin bypass (`admin_bypass` only).
//!
//! What the app cannot send is supplied as the app's screens imply it, and recorded as such:
//! its QC button is enabled only with all five checklist points ticked; its packing screen
//! packs what the batch-picking screen recorded (`PATCH …/items` with the picks, kept as
//! [`PICKS`] and checked like the pack step's picks), else what was allocated; a hold, rejection or cancellation gets a reason saying it came
//! from the app without one. Evidence the app never collects is not invented: a delivery
//! that was dispatched with an OTP still needs it, and dispatch needs the vehicle details of
//! `POST /api/logistics/bulk-assign`.

use super::access::{Visibility, status_filter, visible_order};
use super::credit::{CreditChoice, cancel_step, decide_credit, release_hold_step};
use super::delivery::{Acceptance, DeliverRequest, deliver_step};
use super::edit::bypass_step;
use super::engine::Done;
use super::quality::{InvoiceRequest, LogisticsCostRequest, QcRequest, invoice_step};
use super::quality::{logistics_cost_step, qc_step};
use super::warehouse::{PackLine, PickRequest, pack_step, packed_quantities, send_back_step};
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, EntityType, Order, OrderStatus};
use nexus_core::rules::expiry::today_ist;
use nexus_core::rules::lifecycle::{Action, OrderContext, available};
use nexus_core::store::{Filter, UpdateOp, Write};
use nexus_core::types::Timestamp;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

/// The reason recorded where the old app asks for a step that needs one and has no field.
const NO_REASON: &str = "from the old mobile app, which sends no reason";

/// Where the batch-picking screen's picks wait for the pack step (on the order's document).
pub const PICKS: &str = "legacyPicks";

/// Keys of a legacy status PATCH; anything else in the same body is refused as before.
pub const KEYS: &[&str] = &["status", "isAdminBypass"];

/// Is this PATCH body the old app's status change (`status`, optionally `isAdminBypass`)?
pub fn is_status_patch(body: &Map<String, Value>) -> bool {
    body.contains_key("status") && body.keys().all(|k| KEYS.contains(&k.as_str()))
}

fn target(body: &Map<String, Value>) -> Result<OrderStatus, ApiError> {
    let raw = body.get("status").and_then(Value::as_str).unwrap_or("");
    OrderStatus::parse(raw).ok_or_else(|| {
        ApiError::unprocessable(
            ErrorCode::UnknownStatus,
            format!("`{raw}` is not an order status"),
        )
        .with_details(json!({ "status": raw }))
    })
}

/// The statuses the open steps lead to, for the 409 and for clients that want to offer them.
fn open_steps(order: &Order, actor: &Actor) -> Vec<Value> {
    available(&OrderContext::of(order), &actor.ctx)
        .into_iter()
        .map(|(_, o)| json!({ "step": o.step, "status": o.to.as_str() }))
        .collect()
}

/// Runs the old app's status PATCH as the step it means.
pub async fn status_patch(
    st: &AppState,
    actor: &Actor,
    id: &str,
    body: &Map<String, Value>,
) -> Result<Done, ApiError> {
    let to = target(body)?;
    match body.get("isAdminBypass") {
        None | Some(Value::Bool(false)) | Some(Value::Null) => {}
        Some(Value::Bool(true)) => {
            let reason = format!("Admin bypass {NO_REASON}");
            return bypass_step(st, actor, id, to.as_str(), &reason).await;
        }
        Some(other) => {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "`isAdminBypass` is true or false",
            )
            .with_details(json!({ "isAdminBypass": other })));
        }
    }
    let vis = Visibility::of(st, actor).await?;
    let order = visible_order(st, &vis, id).await?;
    if order.status == to {
        return Ok(Done {
            from: order.status,
            order,
        });
    }
    let steps = available(&OrderContext::of(&order), &actor.ctx);
    let Some((action, _)) = steps.into_iter().find(|(_, o)| o.to == to) else {
        return Err(ApiError::conflict(
            ErrorCode::StatusJumpNotAllowed,
            format!(
                "An order in {} cannot move to {} by any step you may take",
                order.status, to
            ),
        )
        .with_details(json!({
            "from": order.status.as_str(),
            "to": to.as_str(),
            "allowed": open_steps(&order, actor),
        })));
    };
    let reason = || Some(NO_REASON.to_string());
    match action {
        Action::CreditApprove { .. } => {
            decide_credit(st, actor, id, CreditChoice::Approve, None, false).await
        }
        Action::CreditHold { .. } => {
            decide_credit(st, actor, id, CreditChoice::Hold, reason(), false).await
        }
        Action::CreditReject { .. } => {
            decide_credit(st, actor, id, CreditChoice::Reject, reason(), false).await
        }
        Action::ReleaseHold => release_hold_step(st, actor, id).await,
        Action::Cancel { .. } => cancel_step(st, actor, id, reason()).await,
        Action::SendBackToWarehouseSelection => send_back_step(st, actor, id, reason()).await,
        Action::Pack { .. } => {
            let picks = recorded_picks(&order).unwrap_or_else(|| as_allocated(&order));
            pack_step(st, actor, id, &picks, None).await
        }
        Action::QcPass => qc_step(st, actor, id, checklist_confirmed()).await,
        Action::LogisticsCost { .. } => logistics_cost_step(st, actor, id, &no_costs())
            .await
            .map(|(done, _)| done),
        Action::Invoice => {
            let invoice_no = next_invoice_no(st).await?;
            invoice_step(
                st,
                actor,
                id,
                &InvoiceRequest {
                    invoice_no,
                    invoice_date: None,
                },
            )
            .await
        }
        Action::Deliver => deliver_step(st, actor, id, &everything_delivered(), Acceptance::AsCounted).await,
        other => Err(ApiError::unprocessable(ErrorCode::StepNeedsInput, format!(
                "Moving to {to} is the `{}` step, which needs input a status change cannot carry; use its step endpoint",
                other.code()
            )).with_details(json!({ "step": other.code(), "allowed": open_steps(&order, actor) }))),
    }
}

/// The picks the batch-picking screen recorded, if it did.
fn recorded_picks(order: &Order) -> Option<Vec<PackLine>> {
    let lines = order.extra.get(PICKS)?.as_array()?;
    Some(
        lines
            .iter()
            .map(|l| PackLine {
                batches: l
                    .as_array()
                    .map(|bs| bs.iter().filter_map(pick_of).collect())
                    .unwrap_or_default(),
            })
            .collect(),
    )
}

/// One `allocatedBatches` entry as the app writes it (`{batchNumber, qty, expiry}`).
fn pick_of(v: &Value) -> Option<PickRequest> {
    Some(PickRequest {
        batch_number: v.get("batchNumber")?.as_str()?.trim().to_string(),
        qty: nexus_core::types::lenient_decimal(v.get("qty")?)?,
    })
}

/// The batch-picking screen's `PATCH /api/orders/{id}/items`: the order's own lines (same
/// products and quantities, in order) with the batches the picker took in
/// `allocatedBatches`. That is a pick record, not an edit: the picks are checked as the pack
/// step checks them (allocated batches only, never more than allocated) and kept for the
/// pack, and lines, status and stock stay as they are. `None` when the body is anything else
/// (an edit by the order's owner, handled as an edit).
pub async fn record_picks(
    st: &AppState,
    actor: &Actor,
    id: &str,
    items: &[Value],
) -> Result<Option<Done>, ApiError> {
    if !actor.can(Permission::ManageWarehouse, Access::Full) {
        return Ok(None);
    }
    // Anything but an order this picker sees in packing goes down the edit path, whose
    // checks answer for it (403 for a non-owner, as before).
    let vis = Visibility::of(st, actor).await?;
    let Ok(order) = visible_order(st, &vis, id).await else {
        return Ok(None);
    };
    let same_lines = order.status == OrderStatus::PendingPacking
        && items.len() == order.items.len()
        && items.iter().zip(&order.items).all(|(v, line)| {
            let product = v.get("productId").and_then(Value::as_str);
            let qty = v
                .get("quantity")
                .and_then(nexus_core::types::lenient_decimal);
            product.map(str::trim) == Some(line.product_id.as_str())
                && qty == Some(line.quantity.value())
        });
    if !same_lines {
        return Ok(None);
    }
    let picks: Vec<PackLine> = items
        .iter()
        .map(|v| PackLine {
            batches: v
                .get("allocatedBatches")
                .and_then(Value::as_array)
                .map(|bs| bs.iter().filter_map(pick_of).collect())
                .unwrap_or_default(),
        })
        .collect();
    packed_quantities(&order, &picks)?;
    let recorded: Vec<Value> = picks
        .iter()
        .map(|l| {
            Value::Array(
                l.batches
                    .iter()
                    .map(|b| json!({ "batchNumber": b.batch_number, "qty": b.qty }))
                    .collect(),
            )
        })
        .collect();
    let mut audit = actor
        .audit(AuditAction::Update)
        .entity(EntityType::Order, order.id.clone())
        .change(None, Some(json!({ PICKS: recorded })));
    audit.reason = Some("batch picking recorded from the old mobile app".into());
    st.store
        .commit(vec![
            Write::update_one::<Order>(
                Filter::and([Filter::id(order.id.clone()), status_filter([order.status])]),
                vec![UpdateOp::Set(PICKS.into(), Value::Array(recorded.clone()))],
            ),
            Write::insert(&audit)?,
        ])
        .await?;
    let mut order = order;
    order.extra.insert(PICKS.into(), Value::Array(recorded));
    Ok(Some(Done {
        from: order.status,
        order,
    }))
}

/// The old packing screen packs every line as the warehouse allocated it.
fn as_allocated(order: &Order) -> Vec<PackLine> {
    order
        .items
        .iter()
        .map(|line| PackLine {
            batches: line
                .allocated_batches
                .iter()
                .map(|b| PickRequest {
                    batch_number: b.batch_number.clone(),
                    qty: b.qty.value(),
                })
                .collect(),
        })
        .collect()
}

/// The old QC screen enables its approve button only with all five points ticked.
fn checklist_confirmed() -> QcRequest {
    QcRequest {
        temp_verified: true,
        actual_temp: None,
        packaging_intact: true,
        weight_verified: true,
        label_clarity: true,
        invoice_dc_attached: true,
        passed: true,
        remarks: Some("Five-point checklist confirmed in the old mobile app".into()),
        photo_key: None,
    }
}

/// The old logistics screen sends no cost inputs: none are recorded.
fn no_costs() -> LogisticsCostRequest {
    LogisticsCostRequest {
        thermacol_box_count: Default::default(),
        thermacol_rate: None,
        dry_ice_kg: Default::default(),
        dry_ice_rate: None,
        wh_to_station_amount: Default::default(),
        station_to_loc_amount: Default::default(),
        wh_to_cust_amount: Default::default(),
    }
}

/// The old delivery screen confirms the whole order; it has no OTP to send.
fn everything_delivered() -> DeliverRequest {
    DeliverRequest {
        otp: None,
        cash_collected: Default::default(),
        pod_key: None,
        receiver_name: None,
        delivered_quantities: None,
        remarks: Some("Delivered from the old mobile app".into()),
    }
}

/// The old billing screen has no invoice-number field: the server issues one
/// (`INV-YYMMDD-NNN`, one sequence a day, India time).
async fn next_invoice_no(st: &AppState) -> Result<String, ApiError> {
    let day = today_ist(Timestamp::now()).format("%y%m%d").to_string();
    let name = format!("INV-{day}");
    let n = st.store.next_sequence(&name).await?;
    Ok(format!("{name}-{n:03}"))
}

/// Keys of the old app's stock transfer, posted to `/api/orders` with `isSTN: true`.
const STN_KEYS: &[&str] = &[
    "isSTN",
    "sourceWarehouse",
    "destinationWarehouse",
    "items",
    "remarks",
    "customerName",
    "customerId",
    "status",
    "createdAt",
    "salespersonId",
];

/// The old app books a stock transfer as an order with `isSTN: true` (stock_transfer_screen):
/// the same transfer as `POST /api/orders/stn`, with the fields the server owns checked
/// (`status` is the transfer's own, `salespersonId` the signed-in user) and the display
/// copies (`customerName`, `customerId` = the destination, `createdAt`) ignored. `None` when
/// the body is an ordinary booking.
pub fn stn_request(
    body: &Map<String, Value>,
    actor: &Actor,
) -> Option<Result<super::stn::StnRequest, ApiError>> {
    if body.get("isSTN") != Some(&Value::Bool(true)) {
        return None;
    }
    Some((|| {
        if let Some(k) = body.keys().find(|k| !STN_KEYS.contains(&k.as_str())) {
            return Err(crate::json::wrong_shape(format!(
                "unknown field `{k}` in a stock transfer"
            )));
        }
        if let Some(s) = body.get("status").and_then(Value::as_str)
            && OrderStatus::parse(s) != Some(OrderStatus::InTransit)
        {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "A stock transfer starts In Transit; `status` cannot choose another",
            )
            .with_details(json!({ "field": "status" })));
        }
        if let Some(s) = body.get("salespersonId").and_then(Value::as_str)
            && s.trim() != actor.id()
        {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "`salespersonId` is the signed-in user",
            )
            .with_details(json!({ "field": "salespersonId" })));
        }
        let pick = |k: &str| body.get(k).cloned().unwrap_or(Value::Null);
        let remarks = pick("remarks");
        crate::json::from_body(json!({
            "sourceWarehouse": pick("sourceWarehouse"),
            "destinationWarehouse": pick("destinationWarehouse"),
            "items": pick("items"),
            "remarks": remarks,
        }))
    })())
}

/// The old app's own `total`, `subTotal` and `gstAmount` (a flat 18 % GST) beside the
/// server's: a disagreement is logged, the server's figures are what is stored.
pub fn log_client_totals(
    order: &Order,
    total: Option<Decimal>,
    sub_total: Option<Decimal>,
    gst_amount: Option<Decimal>,
) {
    for (field, sent, kept) in [
        ("total", total, order.total),
        ("subTotal", sub_total, order.sub_total),
        ("gstAmount", gst_amount, order.gst_amount),
    ] {
        if let Some(sent) = sent
            && (sent - kept.amount()).abs() > Decimal::new(1, 2)
        {
            tracing::warn!(order = %order.id, customer = %order.customer_id, field, %sent,
                kept = %kept.amount(), "client figure disagrees with the server's; the server's is kept");
        }
    }
}
