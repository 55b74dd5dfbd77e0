//! Edits (O5, O6) and the admin bypass (domain.md §3.5, §3.7).
//!
//! The legacy PATCH `$set` any field at any status — status, totals, items, logistics,
//! salesperson — and honoured `isAdminBypass` for everyone (D-S5, mass assignment). Here
//! PATCH changes only the descriptive fields (remarks, photos, delivery address, partner
//! type) and names the step endpoint for anything else; line edits go through the lifecycle
//! (re-priced on the server, back to credit approval, stock released or re-reserved, D-L20);
//! and a bypass needs `admin_bypass`, a reason, and applies the stock side effects.

use super::access::{Visibility, rev_guard, status_filter, visible_order};
use super::clearance::{ClearanceLine, clearance_items};
use super::create::{DeliveryAddress, check_photos, text};
use super::engine::{Attempt, Plan, apply, respond, retrying, run_step};
use super::lines::{LineRequest, reprice, sales_items};
use super::lookup::{HOME_STATE, products_by_id};
use super::view::{public, updated_event};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::envelope::Data;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::order::OrderType;
use nexus_core::model::{AuditAction, EntityType, Order, OrderStatus};
use nexus_core::rules::expiry::today_ist;
use nexus_core::rules::lifecycle::Action;
use nexus_core::store::{Filter, StoreError, Write};
use nexus_core::types::{Quantity, Timestamp};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

/// Fields a PATCH may not touch, with the endpoint that changes them.
const NOT_EDITABLE: &[(&str, &str)] = &[
    (
        "status",
        "the step endpoints (POST /api/orders/{id}/credit-decision, /assign-warehouse, /pack, /qc, /logistics-cost, /invoice, /dispatch, /deliver …) or POST /api/orders/{id}/bypass",
    ),
    (
        "isAdminBypass",
        "POST /api/orders/{id}/bypass (admin_bypass, with a reason)",
    ),
    (
        "items",
        "PATCH /api/orders/{id}/items (re-priced on the server, back to credit approval)",
    ),
    (
        "total",
        "PATCH /api/orders/{id}/items: totals are computed on the server",
    ),
    (
        "subTotal",
        "PATCH /api/orders/{id}/items: totals are computed on the server",
    ),
    (
        "gstAmount",
        "PATCH /api/orders/{id}/items: totals are computed on the server",
    ),
    ("cgst", "the invoice step computes the tax split"),
    ("sgst", "the invoice step computes the tax split"),
    ("igst", "the invoice step computes the tax split"),
    (
        "logistics",
        "POST /api/orders/{id}/logistics-cost or /dispatch",
    ),
    ("statusHistory", "the history is written by the steps"),
    ("salespersonId", "set from the booking user"),
    ("customerId", "book a new order for another customer"),
    ("id", "ids are issued by the server"),
    ("sourceWarehouse", "POST /api/orders/{id}/assign-warehouse"),
    ("creditDecision", "POST /api/orders/{id}/credit-decision"),
    ("qc", "POST /api/orders/{id}/qc"),
    ("invoice", "POST /api/orders/{id}/invoice"),
    ("delivery", "POST /api/orders/{id}/deliver"),
    ("stockReserved", "stock moves only through the steps"),
];

/// What a PATCH may change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditOrderRequest {
    pub remarks: Option<String>,
    /// Replaces the photo list (at most three blob keys).
    #[schema(value_type = Option<Vec<crate::routes::param_schemas::BlobKeyText>>, max_items = 3)]
    pub sales_photos: Option<Vec<String>>,
    pub delivery_address: Option<DeliveryAddress>,
    pub partner_type: Option<String>,
}

fn may_edit(actor: &Actor, order: &Order) -> Result<(), ApiError> {
    let owner = order.salesperson_id.as_deref() == Some(actor.id())
        && actor.can(Permission::CreateOrders, Access::Full);
    if owner || actor.can(Permission::AdminBypass, Access::Full) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            ErrorCode::NotOrderOwner,
            "Only the order's salesperson (or an Admin) may edit it.",
        ))
    }
}

/// Change an order's remarks, sales photos, delivery address or partner type (the owner or
/// an Admin, while the order is open). Totals, items, logistics and the other server-owned
/// fields are refused with 422 naming the step endpoint to use. A body of only `status`
/// (and `isAdminBypass`), as the old mobile app sends, runs the one lifecycle step that leads
/// to that status, with that step's permissions, rules and stock effects (409 with the open
/// steps when none does); `isAdminBypass: true` is the admin bypass (`admin_bypass`). A body
/// of only `qcPhoto` (the old QC screen) attaches a photo uploaded with
/// `POST /api/upload-photo` to the order's QC record (quality_control).
#[utoipa::path(patch, path = "/api/orders/{id}", tag = "Orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "Order id")),
    request_body = EditOrderRequest,
    responses(
        (status = 200, description = "The updated order", body = Data<Order>),
        (status = 403, description = "Not the owner"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "The order is closed, or no step of yours leads to the status asked for (`details.allowed` lists the open steps)"),
        (status = 422, description = "A field only a step endpoint may change, an unknown field or status, or a step that needs input a status cannot carry"),
    ))]
pub async fn patch_order(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Map<String, Value>>,
) -> Result<Json<Value>, ApiError> {
    if super::legacy::is_status_patch(&body) {
        let done = super::legacy::status_patch(&st, &actor, &id, &body).await?;
        return Ok(respond(&done));
    }
    if super::qc_photo::is_qc_photo_patch(&body) {
        let done = super::qc_photo::attach_qc_photo(&st, &actor, &id, &body).await?;
        return Ok(respond(&done));
    }
    actor.require_any(&[
        (Permission::CreateOrders, Access::Full),
        (Permission::AdminBypass, Access::Full),
    ])?;
    let refused: Vec<Value> = NOT_EDITABLE
        .iter()
        .filter(|(f, _)| body.contains_key(*f))
        .map(|(f, use_)| json!({ "field": f, "use": use_ }))
        .collect();
    if !refused.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::FieldNotEditable,
            "These fields change only through their own step endpoint",
        )
        .with_details(json!({ "fields": refused })));
    }
    let edit: EditOrderRequest = crate::json::from_body(Value::Object(body))?;
    let remarks = text("remarks", edit.remarks.clone(), 2_000)?;
    let photos = edit.sales_photos.as_deref().map(check_photos).transpose()?;
    let partner = text("partnerType", edit.partner_type.clone(), 100)?;
    let vis = Visibility::of(&st, &actor).await?;
    let (vis, st_ref, actor_ref) = (&vis, &st, &actor);
    let (remarks, photos, partner, address) = (&remarks, &photos, &partner, &edit.delivery_address);
    let id_ref = id.as_str();
    let order = retrying(move || async move {
        let order = visible_order(st_ref, vis, id_ref).await?;
        may_edit(actor_ref, &order)?;
        if order.status.is_terminal() {
            return Err(ApiError::conflict(
                ErrorCode::OrderClosed,
                format!("The order is {}, which is final", order.status),
            ));
        }
        let mut new = order.clone();
        if let Some(r) = remarks {
            new.remarks = Some(r.clone());
        }
        if let Some(p) = photos {
            new.sales_photos = p.clone();
        }
        if let Some(p) = partner {
            new.partner_type = Some(p.clone());
        }
        if let Some(a) = address {
            new.extra.insert("deliveryAddress".into(), a.to_value());
        }
        new.rev = order.rev + 1;
        new.updated_at = Some(Timestamp::now());
        let pick = |o: &Order| {
            let v = public(o);
            json!({
                "remarks": v["remarks"], "salesPhotos": v["salesPhotos"],
                "deliveryAddress": v["deliveryAddress"], "partnerType": v["partnerType"],
            })
        };
        let audit = actor_ref
            .audit(AuditAction::Update)
            .entity(EntityType::Order, order.id.clone())
            .change(Some(pick(&order)), Some(pick(&new)));
        let writes = vec![
            Write::replace::<Order>(
                Filter::and([
                    Filter::id(order.id.clone()),
                    rev_guard(order.rev),
                    status_filter([order.status]),
                ]),
                &new,
            )?,
            Write::insert(&audit)?,
        ];
        match st_ref.store.commit(writes).await {
            Ok(()) => Ok(Attempt::Done(new)),
            Err(StoreError::Conflict(_)) => Ok(Attempt::Retry),
            Err(e) => Err(e.into()),
        }
    })
    .await?;
    st.publish(updated_event(&order)).await;
    Ok(crate::routes::common::ok_data(public(&order)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditItemsRequest {
    /// Sales orders: lines as at booking (`productId`/`skuCode`, `quantity`, `price?`).
    /// Clearance orders: `productId`, `batchNumber`, `quantity`, `proposedRate`.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    /// The old mobile app's own totals: compared with the server's, logged when they
    /// disagree, never stored.
    #[schema(ignore)]
    pub total: Option<Decimal>,
    #[schema(ignore)]
    pub sub_total: Option<Decimal>,
    #[schema(ignore)]
    pub gst_amount: Option<Decimal>,
}

fn parse_lines<T: serde::de::DeserializeOwned>(items: &[Value]) -> Result<Vec<T>, ApiError> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            serde_json::from_value(v.clone()).map_err(|e| {
                ApiError::unprocessable(
                    ErrorCode::ValidationFailed,
                    format!("line {i} has the wrong shape"),
                )
                .with_details(json!({ "line": i, "reason": e.to_string() }))
            })
        })
        .collect()
}

/// Replace an order's lines before packing (the owner or an Admin). The server re-prices
/// them and the order goes back to Pending Credit Approval (D-L20); stock it held is released
/// (a clearance order re-reserves its named batches) in the same commit.
#[utoipa::path(patch, path = "/api/orders/{id}/items", tag = "Orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "Order id")),
    request_body = EditItemsRequest,
    responses(
        (status = 200, description = "Edited, back in Pending Credit Approval", body = Data<Order>),
        (status = 403, description = "Not the owner"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Past packing, closed, or not enough stock for clearance lines"),
        (status = 422, description = "Invalid lines, or totals sent by the client"),
    ))]
pub async fn edit_items(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EditItemsRequest>,
) -> Result<Json<Value>, ApiError> {
    if let Some(done) = super::legacy::record_picks(&st, &actor, &id, &body.items).await? {
        return Ok(respond(&done));
    }
    actor.require_any(&[
        (Permission::CreateOrders, Access::Full),
        (Permission::AdminBypass, Access::Full),
    ])?;
    let vis = Visibility::of(&st, &actor).await?;
    let (st_ref, actor_ref, vis, items, id_ref) = (&st, &actor, &vis, &body.items, id.as_str());
    let done = retrying(move || async move {
        let order = visible_order(st_ref, vis, id_ref).await?;
        let new_items = if order.kind() == OrderType::Clearance {
            let lines: Vec<ClearanceLine> = parse_lines(items)?;
            let products = products_by_id(
                st_ref,
                lines.iter().map(|l| l.product_id.trim().to_string()),
            )
            .await?;
            clearance_items(&lines, &products, today_ist(Timestamp::now()))?
        } else {
            let lines: Vec<LineRequest> = parse_lines(items)?;
            sales_items(st_ref, &order.customer_id, &lines).await?
        };
        let count = new_items.len();
        // New lines mean a new total: the credit check is taken again on fresh figures.
        let credit =
            super::credit_check::CreditRead::of(st_ref, &order.customer_id, &order.id).await?;
        let guard = credit.guard();
        let mut plan = Plan::new(Action::EditItems)
            .record(move |o, _| {
                o.source_warehouse = None;
                reprice(o, HOME_STATE)?;
                o.credit_check = Some(credit.check(o.total, Timestamp::now()));
                Ok(Some(json!({ "lines": count, "total": o.total })))
            })
            .guard(guard);
        plan.replace_items = Some(new_items);
        plan.note = Some("Items Edited".into());
        apply(st_ref, actor_ref, order, plan).await
    })
    .await?;
    super::legacy::log_client_totals(&done.order, body.total, body.sub_total, body.gst_amount);
    Ok(respond(&done))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BypassRequest {
    /// Target status; legacy names are accepted (`Invoiced` = Ready for Dispatch …).
    #[schema(example = "Ready for Billing", value_type = nexus_core::model::OrderStatus)]
    pub to: String,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,999}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub reason: String,
}

pub async fn bypass_step(
    st: &AppState,
    actor: &Actor,
    id: &str,
    to: &str,
    reason: &str,
) -> Result<super::engine::Done, ApiError> {
    actor.require(Permission::AdminBypass, Access::Full)?;
    let to = OrderStatus::parse(to).ok_or_else(|| {
        ApiError::unprocessable(
            ErrorCode::UnknownStatus,
            format!("`{to}` is not an order status"),
        )
        .with_details(json!({ "to": to }))
    })?;
    let reason = text("reason", Some(reason.to_string()), 1_000)?.unwrap_or_default();
    run_step(st, actor, id, |order| {
        let mut plan = Plan::new(Action::AdminBypass {
            to,
            reason: reason.clone(),
        });
        if to == OrderStatus::ReturnedToWarehouse {
            plan.stock.returns = order
                .items
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    (
                        i,
                        it.allocated_batches.iter().map(|a| a.qty).sum::<Quantity>(),
                    )
                })
                .filter(|(_, q)| !q.is_zero())
                .collect();
        }
        let r = reason.clone();
        Ok(plan.record(move |o, _| {
            if matches!(to, OrderStatus::Cancelled | OrderStatus::Rejected) {
                o.rejection_reason = Some(r);
            }
            Ok(Some(json!({ "bypass": true, "to": to })))
        }))
    })
    .await
}

/// Move an open order to any status (admin_bypass, reason required, audited). Stock follows
/// the target: released when going back before packing or closing, consumed on delivery,
/// allocated from the order's warehouse when jumping into packing.
#[utoipa::path(post, path = "/api/orders/{id}/bypass", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = BypassRequest,
    responses(
        (status = 200, description = "Moved", body = Data<Order>),
        (status = 403, description = "Needs admin_bypass"),
        (status = 404, description = "No such order"),
        (status = 409, description = "The order is closed, already in that status, or needs a warehouse first"),
        (status = 422, description = "Unknown status or missing reason"),
    ))]
pub async fn bypass(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BypassRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = bypass_step(&st, &actor, &id, &body.to, &body.reason).await?;
    Ok(respond(&done))
}
