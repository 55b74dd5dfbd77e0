//! Stock transfer notes (domain.md §3.4, §3.7 "STN: separate lifecycle"). An STN is created
//! dispatched — In Transit from the start, as in the legacy app — and its stock leaves the
//! source warehouse then (FEFO from that warehouse's batches, refused on shortage); on
//! receipt it enters the destination warehouse under the same batch numbers and expiries.
//! The legacy STN moved no stock at either end, kept a warehouse name in `customerId` and
//! sat in the driver queue (D-L5).

use super::access::{Visibility, rev_guard, status_filter, visible_order};
use super::create::text;
use super::engine::{Attempt, Reserved, insert_new_order, ledger_writes, product_writes, retrying};
use super::lines::{item_for, quantity, resolve_products};
use super::lookup::{products_by_id, resolve_warehouse};
use super::view::{public, status_event, stock_event};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::envelope::Data;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::order::{OrderSource, OrderType, StatusChange};
use nexus_core::model::product::Batch;
use nexus_core::model::{AuditAction, EntityType, Order, OrderStatus};
use nexus_core::rules::allocation::{self, ShortagePolicy};
use nexus_core::rules::ledger::{LedgerContext, LedgerReason, StockMovement};
use nexus_core::rules::stock::{Scope, sync_stock};
use nexus_core::store::{Filter, StoreError, Write};
use nexus_core::types::{DateOnly, Money, Timestamp};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;

const MAX_LINES: usize = 100;
const MAX_ATTEMPTS: usize = 50;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StnLine {
    pub product_id: Option<String>,
    pub sku_code: Option<String>,
    /// From 0.001 to 10,000,000 in the product's unit.
    #[schema(value_type = f64, minimum = 0.001, maximum = 10000000)]
    pub quantity: Decimal,
    /// Old clients send `PCS`; accepted and ignored (the product's unit applies).
    #[schema(ignore)]
    #[allow(dead_code)]
    pub unit: Option<Value>,
    /// The old app's display name; the product master's applies.
    #[schema(ignore)]
    #[allow(dead_code)]
    pub product_name: Option<Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StnRequest {
    /// Warehouse id, legacy alias or name.
    #[schema(example = "WH-KURLA")]
    pub source_warehouse: String,
    #[schema(example = "WH-DELHI")]
    pub destination_warehouse: String,
    /// 1 to 100 lines.
    #[schema(value_type = Vec<StnBookingLine>, min_items = 1, max_items = 100)]
    pub items: Vec<StnLine>,
    pub remarks: Option<String>,
}

/// [`StnLine`] naming its product (`productId` or `skuCode`).
pub struct StnBookingLine;

impl utoipa::PartialSchema for StnBookingLine {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::lines::naming_a_product(<StnLine as utoipa::PartialSchema>::schema())
    }
}
impl utoipa::ToSchema for StnBookingLine {}

fn history(
    to: OrderStatus,
    from: Option<OrderStatus>,
    step: &str,
    actor: &Actor,
    data: Value,
) -> StatusChange {
    StatusChange {
        status: to.as_str().to_string(),
        timestamp: Timestamp::now(),
        from: from.map(|f| f.as_str().to_string()),
        step: Some(step.to_string()),
        actor_id: Some(actor.id().to_string()),
        actor_role: Some(actor.role().as_str().to_string()),
        reason: None,
        data: Some(data),
    }
}

/// Transfer stock between two warehouses (manage_warehouse or create_orders): `STN-nnnnnn`,
/// In Transit, the stock drawn FEFO from the source in the same commit.
#[utoipa::path(post, path = "/api/orders/stn", tag = "Stock transfers",
    security(("bearer" = [])), request_body = StnRequest,
    responses(
        (status = 201, description = "Created: the stock transfer", body = Data<Order>),
        (status = 403, description = "Needs manage_warehouse or create_orders"),
        (status = 404, description = "Unknown warehouse"),
        (status = 409, description = "The source does not hold enough"),
        (status = 422, description = "Same source and destination, unknown product, bad quantity"),
    ))]
pub async fn create_stn(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<StnRequest>,
) -> Result<Response, ApiError> {
    create(&st, &actor, body).await
}

/// Creates a transfer (also reached from the old app's `POST /api/orders {isSTN: true}`).
pub async fn create(st: &AppState, actor: &Actor, body: StnRequest) -> Result<Response, ApiError> {
    actor.require_any(&[
        (Permission::ManageWarehouse, Access::Full),
        (Permission::CreateOrders, Access::Full),
    ])?;
    let src = resolve_warehouse(st, &body.source_warehouse).await?;
    let dst = resolve_warehouse(st, &body.destination_warehouse).await?;
    if src.id == dst.id {
        return Err(ApiError::unprocessable(
            ErrorCode::SameWarehouse,
            "Source and destination must differ",
        )
        .with_details(json!({ "warehouseId": src.id })));
    }
    if body.items.is_empty() || body.items.len() > MAX_LINES {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidItems,
            format!("A transfer needs between 1 and {MAX_LINES} lines"),
        )
        .with_details(json!({ "lines": body.items.len() })));
    }
    let remarks = text("remarks", body.remarks.clone(), 2_000)?;
    let refs: Vec<_> = body
        .items
        .iter()
        .map(|l| (l.product_id.clone(), l.sku_code.clone()))
        .collect();
    let resolved = resolve_products(st, &refs).await?;
    for _ in 0..MAX_ATTEMPTS {
        let now = Timestamp::now();
        let mut order = Order::new("", dst.id.clone());
        order.order_type = OrderType::Stn;
        order.source = OrderSource::App;
        order.is_stn = true;
        order.customer_name = Some(dst.name.clone());
        order.source_warehouse = Some(src.id.clone());
        order.destination_warehouse = Some(dst.id.clone());
        order.status = OrderStatus::InTransit;
        order.salesperson_id = Some(actor.id().to_string());
        order.salesperson_name = Some(actor.user.name.clone());
        order.remarks = remarks.clone();
        order.created_at = Some(now);
        order.updated_at = Some(now);
        for (i, (l, p)) in body.items.iter().zip(&resolved).enumerate() {
            // A transfer is not a sale: no price, no tax.
            let mut item = item_for(i, p, quantity(i, l.quantity)?, Money::ZERO, Money::ZERO)
                .or_else(|_| {
                    let mut q = p.clone();
                    q.gst = Some(nexus_core::types::Percent::ZERO);
                    item_for(i, &q, quantity(i, l.quantity)?, Money::ZERO, Money::ZERO)
                })?;
            item.base_rate = None;
            order.items.push(item);
        }
        order.status_history.push(history(
            OrderStatus::InTransit,
            None,
            "stn_dispatch",
            actor,
            json!({ "from": src.id, "to": dst.id }),
        ));
        let mut products =
            products_by_id(st, order.items.iter().map(|i| i.product_id.clone())).await?;
        let original = products.clone();
        let alloc = allocation::reserve(
            &mut order,
            &mut products,
            Scope::Warehouse(&src.id),
            ShortagePolicy::RefuseOnShortage,
            &BTreeMap::new(),
        )
        .map_err(super::errors::allocation_error)?;
        let updates = product_writes(&original, &products, now)?;
        let details = format!("Stock transfer dispatched from {} to {}", src.id, dst.id);
        let stock = Reserved {
            product_updates: &updates,
            movements: &alloc.movements,
            reason: LedgerReason::OrderAllocation,
            details: &details,
            step: "stn_dispatch",
        };
        if insert_new_order(st, actor, "STN-", &mut order, Some(stock), None).await? {
            return Ok((
                StatusCode::CREATED,
                Json(json!({ "success": true, "data": public(&order) })),
            )
                .into_response());
        }
        tokio::task::yield_now().await;
    }
    Err(ApiError::conflict(
        ErrorCode::Conflict,
        "The source batches kept changing; try again.",
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReceiveRequest {
    pub remarks: Option<String>,
}

/// Puts the transferred batches into the destination warehouse (same numbers and expiries).
fn receive_stock(
    order: &mut Order,
    products: &mut allocation::ProductsById,
    destination: &str,
) -> Vec<StockMovement> {
    let mut moved = Vec::new();
    for item in &order.items {
        for a in &item.allocated_batches {
            let pid = a.product_id.as_deref().unwrap_or(&item.product_id);
            let Some(p) = products.get_mut(pid) else {
                continue;
            };
            let here = p.batches.iter().position(|b| {
                b.batch_number == a.batch_number && b.warehouse_id.as_deref() == Some(destination)
            });
            match here {
                Some(i) => {
                    let b = &mut p.batches[i];
                    b.quantity = b.quantity + a.qty;
                    b.is_active = true;
                }
                None => {
                    let source = p.batches.iter().find(|b| b.batch_number == a.batch_number);
                    let mut b = Batch::new(
                        a.batch_number.clone(),
                        a.qty,
                        source
                            .and_then(|s| s.exp_date)
                            .or_else(|| a.expiry.map(|t| DateOnly::new(t.date()))),
                    );
                    b.mfg_date = source.and_then(|s| s.mfg_date);
                    b.weight = source.and_then(|s| s.weight.clone());
                    b.warehouse_id = Some(destination.to_string());
                    p.batches.push(b);
                }
            }
            sync_stock(p);
            moved.push(StockMovement {
                product_id: p.id.clone(),
                sku: p.sku().to_string(),
                batch_number: a.batch_number.clone(),
                warehouse_id: Some(destination.to_string()),
                delta: a.qty.value(),
            });
        }
    }
    order.stock_reserved = false;
    moved
}

/// Receive a stock transfer at its destination (manage_warehouse): In Transit → Delivered,
/// the batches added to the destination warehouse in the same commit. Legacy STNs, which
/// never drew stock, only change status.
#[utoipa::path(post, path = "/api/orders/{id}/receive", tag = "Stock transfers",
    security(("bearer" = [])), params(("id" = String, Path, description = "STN id")),
    request_body = ReceiveRequest,
    responses(
        (status = 200, description = "Received", body = Data<Order>),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Not a stock transfer, or not in transit"),
    ))]
pub async fn receive_stn(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReceiveRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ManageWarehouse, Access::Full)?;
    let remarks = text("remarks", body.remarks, 1_000)?;
    let vis = Visibility::of(&st, &actor).await?;
    let (st_ref, actor_ref, vis, id_ref, remarks) = (&st, &actor, &vis, id.as_str(), &remarks);
    let (order, moved) = retrying(move || async move {
        let order = visible_order(st_ref, vis, id_ref).await?;
        if order.kind() != OrderType::Stn {
            return Err(ApiError::conflict(
                ErrorCode::NotAnStn,
                "Only stock transfers are received; orders are delivered.",
            ));
        }
        if order.status != OrderStatus::InTransit {
            return Err(ApiError::conflict(
                ErrorCode::InvalidTransition,
                format!("The transfer is {}, not In Transit", order.status),
            ));
        }
        let now = Timestamp::now();
        let mut new = order.clone();
        let mut writes = Vec::new();
        let mut moved = Vec::new();
        let mut data = json!({ "stockMoved": false });
        if order.stock_reserved {
            let dst = resolve_warehouse(
                st_ref,
                order.destination_warehouse.as_deref().unwrap_or_default(),
            )
            .await?;
            let ids: Vec<String> = order
                .items
                .iter()
                .flat_map(|i| {
                    std::iter::once(i.product_id.clone()).chain(
                        i.allocated_batches
                            .iter()
                            .filter_map(|a| a.product_id.clone()),
                    )
                })
                .collect();
            let mut products = products_by_id(st_ref, ids).await?;
            let original = products.clone();
            moved = receive_stock(&mut new, &mut products, &dst.id);
            writes.extend(product_writes(&original, &products, now)?);
            let details = format!("Stock transfer {} received at {}", order.id, dst.id);
            writes.extend(ledger_writes(
                &moved,
                &LedgerContext {
                    order_id: Some(&order.id),
                    actor_id: actor_ref.id(),
                    reason: LedgerReason::StockReceipt,
                    details: Some(&details),
                    at: now,
                },
            )?);
            data = json!({ "warehouseId": dst.id, "stockMoved": true });
        }
        let mut h = history(
            OrderStatus::Delivered,
            Some(order.status),
            "stn_receive",
            actor_ref,
            data,
        );
        h.reason = remarks.clone();
        new.status_history.push(h);
        new.status = OrderStatus::Delivered;
        new.rev = order.rev + 1;
        new.updated_at = Some(now);
        writes.insert(
            0,
            Write::replace::<Order>(
                Filter::and([
                    Filter::id(order.id.clone()),
                    rev_guard(order.rev),
                    status_filter([order.status]),
                ]),
                &new,
            )?,
        );
        writes.push(receive_audit(actor_ref, &order, &new)?);
        commit(st_ref, writes, new, moved).await
    })
    .await?;
    st.publish(status_event(
        &order,
        OrderStatus::InTransit.as_str(),
        "stn_receive",
    ))
    .await;
    if let Some(e) = stock_event(&order.id, "stn_receive", &moved) {
        st.publish(e).await;
    }
    Ok(crate::routes::common::ok_data(public(&order)))
}

fn receive_audit(actor: &Actor, old: &Order, new: &Order) -> Result<Write, ApiError> {
    let audit = actor
        .audit(AuditAction::StatusChange)
        .entity(EntityType::Order, old.id.clone())
        .change(
            Some(json!({ "status": old.status })),
            Some(json!({ "status": new.status, "step": "stn_receive", "order": public(new) })),
        );
    Ok(Write::insert(&audit)?)
}

async fn commit(
    st: &AppState,
    writes: Vec<Write>,
    order: Order,
    moved: Vec<StockMovement>,
) -> Result<Attempt<(Order, Vec<StockMovement>)>, ApiError> {
    match st.store.commit(writes).await {
        Ok(()) => Ok(Attempt::Done((order, moved))),
        Err(StoreError::Conflict(_)) => Ok(Attempt::Retry),
        Err(e) => Err(e.into()),
    }
}
