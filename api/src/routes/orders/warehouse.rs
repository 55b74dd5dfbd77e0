//! Warehouse steps (domain.md §2.4, §3.7): choose the warehouse (FEFO allocation from that
//! warehouse's product batches, refused with the shortfall per line unless a partial
//! allocation is accepted), pack (the picker's batches checked against the allocation:
//! nothing phantom, nothing over-picked, D-L3) and send back (stock restored).
//!
//! The legacy W4 silently allocated from "the first warehouse" for an unknown id, drove
//! stock negative on shortage and created batches for unknown picks (D-L2, D-L3, 8.2.19).

use super::access::{Visibility, visible_order};
use super::create::text;
use super::engine::{Done, Plan, apply, respond, retrying, run_step};
use super::lines::reprice;
use super::lookup::{HOME_STATE, products_by_id, resolve_warehouse};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::envelope::{Data, MessageData};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::Order;
use nexus_core::model::order::OrderType;
use nexus_core::rules::allocation::{self, ManualPick, ProductsById, ShortagePolicy};
use nexus_core::rules::lifecycle::Action;
use nexus_core::rules::stock::Scope;
use nexus_core::types::Quantity;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignWarehouseRequest {
    /// Warehouse id (`WH-KURLA`) or legacy alias (`W1`–`W4`).
    #[schema(example = "WH-KURLA")]
    pub warehouse_id: String,
    /// Accept a partial allocation (the order is then packed short / back-ordered).
    #[serde(default)]
    pub allow_partial: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LegacyAssignRequest {
    pub order_id: String,
    pub warehouse_id: String,
}

/// Per line, how much of the ordered quantity the warehouse cannot cover.
async fn shortfalls(
    st: &AppState,
    order: &Order,
    warehouse: &str,
) -> Result<Vec<(usize, Quantity, Quantity)>, ApiError> {
    let mut products = products_by_id(st, order.items.iter().map(|i| i.product_id.clone())).await?;
    let mut trial = order.clone();
    let alloc = allocation::reserve(
        &mut trial,
        &mut products,
        Scope::Warehouse(warehouse),
        ShortagePolicy::AllowPartial,
        &BTreeMap::new(),
    )
    .map_err(super::errors::allocation_error)?;
    Ok(alloc
        .shortfalls
        .iter()
        .enumerate()
        .map(|(i, s)| (i, order.items[i].quantity, *s))
        .collect())
}

/// Chooses the warehouse and allocates FEFO from its batches in one commit.
pub async fn assign(
    st: &AppState,
    actor: &Actor,
    id: &str,
    warehouse_key: &str,
    allow_partial: bool,
) -> Result<Done, ApiError> {
    actor.require(Permission::ManageWarehouse, Access::Full)?;
    let wh = resolve_warehouse(st, warehouse_key).await?;
    let vis = Visibility::of(st, actor).await?;
    let state = wh.state.clone().unwrap_or_else(|| HOME_STATE.to_string());
    let (vis, wh, state) = (&vis, &wh, &state);
    retrying(move || async move {
        let order = visible_order(st, vis, id).await?;
        if order.stock_reserved && order.kind() == OrderType::Clearance {
            // A clearance order already holds its batches: they must be in this warehouse.
            let elsewhere: Vec<&str> = order
                .items
                .iter()
                .flat_map(|i| &i.allocated_batches)
                .filter(|a| a.warehouse_id.as_deref().is_some_and(|w| w != wh.id))
                .map(|a| a.batch_number.as_str())
                .collect();
            if !elsewhere.is_empty() {
                return Err(ApiError::conflict(
                    ErrorCode::ClearanceWarehouseMismatch,
                    "This clearance order's batches are held in another warehouse.",
                )
                .with_details(json!({ "batches": elsewhere, "warehouseId": wh.id })));
            }
        } else if !order.stock_reserved {
            let short = shortfalls(st, &order, &wh.id).await?;
            let lines: Vec<Value> = short
                .iter()
                .filter(|(_, _, s)| !s.is_zero())
                .map(|(i, ordered, s)| {
                    json!({
                        "line": i,
                        "productId": order.items[*i].product_id,
                        "ordered": ordered,
                        "available": ordered.saturating_sub(*s),
                        "shortfall": s,
                    })
                })
                .collect();
            let nothing = short.iter().all(|(_, o, s)| o == s);
            if !lines.is_empty() && (!allow_partial || nothing) {
                return Err(ApiError::conflict(
                    ErrorCode::InsufficientStock,
                    format!(
                        "{} cannot cover {} line(s){}",
                        wh.name,
                        lines.len(),
                        if allow_partial {
                            ""
                        } else {
                            "; send allowPartial to allocate what exists"
                        }
                    ),
                )
                .with_details(json!({ "warehouseId": wh.id, "lines": lines })));
            }
        }
        let policy = if allow_partial {
            ShortagePolicy::AllowPartial
        } else {
            ShortagePolicy::RefuseOnShortage
        };
        let mut plan = Plan::new(Action::AssignWarehouse { shortage: policy });
        plan.stock.warehouse = Some(wh.id.clone());
        let (wh_id, state) = (wh.id.clone(), state.clone());
        let plan = plan.record(move |o, applied| {
            o.source_warehouse = Some(wh_id.clone());
            reprice(o, &state)?;
            let short: Vec<Value> = applied
                .allocation
                .as_ref()
                .map(|a| {
                    a.shortfalls
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| !s.is_zero())
                        .map(|(i, s)| json!({ "line": i, "shortfall": s }))
                        .collect()
                })
                .unwrap_or_default();
            Ok(Some(json!({ "warehouseId": wh_id, "shortfalls": short })))
        });
        apply(st, actor, order, plan).await
    })
    .await
}

/// Choose the warehouse for an order in Pending WH Selection (manage_warehouse): FEFO
/// allocation from that warehouse's batches, all lines or nothing unless `allowPartial`.
#[utoipa::path(post, path = "/api/orders/{id}/assign-warehouse", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = AssignWarehouseRequest,
    responses(
        (status = 200, description = "Allocated, Pending Packing", body = Data<Order>),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 404, description = "No such order in your scope, or unknown warehouse"),
        (status = 409, description = "Not in Pending WH Selection, or not enough stock (shortfall per line)"),
    ))]
pub async fn assign_warehouse(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssignWarehouseRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = assign(&st, &actor, &id, &body.warehouse_id, body.allow_partial).await?;
    Ok(respond(&done))
}

/// The legacy warehouse-assignment path (W4), doing exactly what assign-warehouse does.
#[utoipa::path(post, path = "/api/warehouse/assign-to-order", tag = "Order lifecycle",
    security(("bearer" = [])), request_body = LegacyAssignRequest,
    responses(
        (status = 200, description = "Assigned: the order", body = MessageData<Order>),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 404, description = "Unknown order or warehouse"),
        (status = 409, description = "Not in Pending WH Selection, or not enough stock"),
    ))]
pub async fn legacy_assign(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<LegacyAssignRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = assign(&st, &actor, &body.order_id, &body.warehouse_id, false).await?;
    Ok(Json(json!({
        "success": true,
        "message": "Order assigned to warehouse with FIFO allocation",
        "data": super::view::public(&done.order),
    })))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PickRequest {
    pub batch_number: String,
    /// Bounded by what a decimal quantity can hold; the line's own need is checked after.
    #[schema(value_type = f64, minimum = -1e28, maximum = 1e28)]
    pub qty: Decimal,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PackLine {
    #[serde(default)]
    pub batches: Vec<PickRequest>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PackRequest {
    /// One entry per order line, in order: the batches actually picked. They may differ
    /// from the allocation (same product, active, enough stock in the order's warehouse):
    /// the picked batches are then reserved instead, in the same commit.
    pub lines: Vec<PackLine>,
    /// Required when a proposed batch nearer expiry is left for a later one (FEFO skipped).
    pub reason: Option<String>,
}

/// The packed quantity per line, every pick checked against the line's allocation, except
/// on the lines in `swapped` (the picker took other batches: the new reservation checks
/// those).
pub(super) fn packed_quantities(
    order: &Order,
    lines: &[PackLine],
) -> Result<Vec<Quantity>, ApiError> {
    packed_with_swaps(order, lines, &BTreeMap::new())
}

fn packed_with_swaps(
    order: &Order,
    lines: &[PackLine],
    swapped: &BTreeMap<usize, Vec<ManualPick>>,
) -> Result<Vec<Quantity>, ApiError> {
    if lines.len() != order.items.len() {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidPick,
            format!(
                "Give the picks of all {} lines (got {})",
                order.items.len(),
                lines.len()
            ),
        )
        .with_details(json!({ "lines": order.items.len(), "given": lines.len() })));
    }
    let mut packed = Vec::with_capacity(lines.len());
    for (i, (item, line)) in order.items.iter().zip(lines).enumerate() {
        let picked = picks_of_line(i, line)?;
        if !swapped.contains_key(&i) {
            for (bn, q) in &picked {
                let allocated: Quantity = item
                    .allocated_batches
                    .iter()
                    .filter(|a| a.batch_number == *bn)
                    .map(|a| a.qty)
                    .sum();
                if allocated.is_zero() {
                    return Err(ApiError::unprocessable(ErrorCode::PickNotAllocated, format!(
                            "line {i}: batch {bn} is not allocated to this line; send the order back to warehouse selection to re-allocate"
                        )).with_details(json!({ "line": i, "batchNumber": bn })));
                }
                if *q > allocated {
                    return Err(ApiError::unprocessable(
                        ErrorCode::OverPick,
                        format!("line {i}: picked {q} of batch {bn}, only {allocated} is allocated"),
                    )
                    .with_details(
                        json!({ "line": i, "batchNumber": bn, "picked": q, "allocated": allocated }),
                    ));
                }
            }
        }
        packed.push(picked.values().copied().sum());
    }
    Ok(packed)
}

/// One line's picks, merged per batch; every pick above zero.
fn picks_of_line(i: usize, line: &PackLine) -> Result<BTreeMap<String, Quantity>, ApiError> {
    let mut picked: BTreeMap<String, Quantity> = BTreeMap::new();
    for p in &line.batches {
        let q = Quantity::positive(p.qty).map_err(|_| {
            ApiError::unprocessable(
                ErrorCode::InvalidPick,
                format!("line {i}: a pick must be for more than zero"),
            )
            .with_details(json!({ "line": i, "batchNumber": p.batch_number }))
        })?;
        let e = picked.entry(p.batch_number.trim().to_string()).or_default();
        *e = *e + q;
    }
    Ok(picked)
}

/// The lines whose picks name a batch the allocation did not propose, with those picks: the
/// picker's own choice, reserved instead of the proposal in the packing commit.
fn swapped_lines(
    order: &Order,
    lines: &[PackLine],
) -> Result<BTreeMap<usize, Vec<ManualPick>>, ApiError> {
    let mut out = BTreeMap::new();
    for (i, (item, line)) in order.items.iter().zip(lines).enumerate() {
        let picked = picks_of_line(i, line)?;
        let other = picked
            .keys()
            .any(|bn| !item.allocated_batches.iter().any(|a| &a.batch_number == bn));
        if other {
            out.insert(
                i,
                picked
                    .into_iter()
                    .map(|(batch_number, qty)| ManualPick { batch_number, qty })
                    .collect(),
            );
        }
    }
    Ok(out)
}

/// A proposed batch the picker left for one expiring later: FEFO exists so the nearer expiry
/// goes first, so skipping it needs a reason. The first such skip, for the error's details.
fn nearer_expiry_skipped(
    order: &Order,
    swapped: &BTreeMap<usize, Vec<ManualPick>>,
    products: &ProductsById,
) -> Option<Value> {
    for (i, picks) in swapped {
        let item = &order.items[*i];
        let Some(product) = products.get(&item.product_id) else {
            continue;
        };
        let expiry = |bn: &str| {
            product
                .batches
                .iter()
                .filter(|b| b.batch_number == bn)
                .filter_map(|b| b.exp_date)
                .min()
        };
        let skipped = item
            .allocated_batches
            .iter()
            .filter(|a| !picks.iter().any(|p| p.batch_number == a.batch_number))
            .filter_map(|a| expiry(&a.batch_number).map(|e| (a.batch_number.clone(), e)))
            .min_by_key(|(_, e)| *e);
        let taken = picks
            .iter()
            .filter(|p| {
                !item
                    .allocated_batches
                    .iter()
                    .any(|a| a.batch_number == p.batch_number)
            })
            .filter_map(|p| expiry(&p.batch_number).map(|e| (p.batch_number.clone(), e)))
            .max_by_key(|(_, e)| *e);
        if let (Some((sb, se)), Some((tb, te))) = (skipped, taken)
            && se < te
        {
            return Some(json!({
                "line": i, "skipped": sb, "skippedExpiry": se, "picked": tb, "pickedExpiry": te,
            }));
        }
    }
    None
}

pub async fn pack_step(
    st: &AppState,
    actor: &Actor,
    id: &str,
    lines: &[PackLine],
    reason: Option<String>,
) -> Result<Done, ApiError> {
    actor.require(Permission::ManageWarehouse, Access::Full)?;
    let reason = text("reason", reason, 1_000)?;
    let vis = Visibility::of(st, actor).await?;
    let (vis, reason) = (&vis, &reason);
    retrying(move || async move {
        let order = visible_order(st, vis, id).await?;
        let swapped = if lines.len() == order.items.len() {
            swapped_lines(&order, lines)?
        } else {
            BTreeMap::new()
        };
        if !swapped.is_empty() && reason.is_none() {
            let ids = swapped.keys().map(|i| order.items[*i].product_id.clone());
            let products = products_by_id(st, ids).await?;
            if let Some(details) = nearer_expiry_skipped(&order, &swapped, &products) {
                return Err(ApiError::unprocessable(
                    ErrorCode::ReasonRequired,
                    "A batch nearer expiry was left for a later one: give a reason",
                )
                .with_details(details));
            }
        }
        let packed = packed_with_swaps(&order, lines, &swapped)?;
        let complete = allocation::packing_complete(&order, &packed)
            .map_err(super::errors::allocation_error)?;
        let picks: Vec<Value> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                json!({
                    "line": i,
                    "packed": packed[i],
                    "swapped": swapped.contains_key(&i),
                    "batches": l.batches.iter().map(|p| json!({"batchNumber": p.batch_number, "qty": p.qty})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut plan = Plan::new(Action::Pack { complete })
            .note(reason.clone())
            .record(move |o, _| {
                for (item, q) in o.items.iter_mut().zip(&packed) {
                    item.packed_quantity = Some(*q);
                }
                Ok(Some(json!({ "complete": complete, "lines": picks })))
            });
        plan.stock.repick = !swapped.is_empty();
        plan.stock.manual = swapped;
        apply(st, actor, order, plan).await
    })
    .await
}

/// Record what was picked per line (manage_warehouse); fully packed → Pending Quality
/// Control, short → Part Packed. Picks of the allocated batches may not exceed the
/// allocation. A line picked from other batches (the picker's choice over the FEFO
/// proposal: same product, active, enough stock in the order's warehouse) gives its
/// allocation back and reserves the picked batches in the same commit; leaving a batch
/// nearer expiry for a later one needs a `reason`.
#[utoipa::path(post, path = "/api/orders/{id}/pack", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = PackRequest,
    responses(
        (status = 200, description = "Packed (or part packed)", body = Data<Order>),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Not waiting for packing; or a picked batch lacks the stock"),
        (status = 422, description = "More picked than allocated or ordered; an unknown or inactive batch; a nearer expiry skipped without a reason (`REASON_REQUIRED`)"),
    ))]
pub async fn pack(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PackRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = pack_step(&st, &actor, &id, &body.lines, body.reason).await?;
    Ok(respond(&done))
}

pub async fn send_back_step(
    st: &AppState,
    actor: &Actor,
    id: &str,
    reason: Option<String>,
) -> Result<Done, ApiError> {
    actor.require(Permission::ManageWarehouse, Access::Full)?;
    let reason = text("reason", reason, 1_000)?;
    run_step(st, actor, id, |_| {
        Ok(Plan::new(Action::SendBackToWarehouseSelection)
            .note(reason.clone())
            .record(|o, _| {
                o.source_warehouse = None;
                for i in &mut o.items {
                    i.packed_quantity = None;
                }
                reprice(o, HOME_STATE)?;
                Ok(None)
            }))
    })
    .await
}

/// Send an order in packing back to warehouse selection (manage_warehouse); the stock it
/// holds goes back to its batches in the same commit (the legacy kept it allocated, D-L4).
#[utoipa::path(post, path = "/api/orders/{id}/send-back", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = super::credit::ReasonRequest,
    responses(
        (status = 200, description = "Pending WH Selection, stock restored", body = Data<Order>),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Not in packing"),
    ))]
pub async fn send_back(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<super::credit::ReasonRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = send_back_step(&st, &actor, &id, body.reason).await?;
    Ok(respond(&done))
}
