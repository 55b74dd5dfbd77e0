//! Clearance orders on near-expiry batches (O9, O10; domain.md §2.2–§2.3).
//!
//! The legacy endpoint drew each batch down one line at a time, read-modify-write, outside
//! any transaction: a failing third line left the first two drawn (8.2.20), concurrent
//! orders oversold a batch (D-R3), expired batches were accepted and no GST was charged
//! (D-L6, D-L7), and the clearance flag was dropped so the history was always empty (D-D1).
//!
//! Here every line is checked (batch exists, active, eligible: not expired and ≤ 90 days to
//! expiry), all lines are reserved with `rules::allocation` on the products as read, and the
//! products (each under its `_rev` guard), the order, the ledger rows and the audit entry are
//! committed together. A concurrent order that changed a product makes the commit fail as a
//! whole; it is re-read and re-decided, so a batch is never oversold and a failing line
//! leaves nothing drawn.

use super::access::{Visibility, clearance_filter};
use super::create::text;
use super::engine::{Reserved, insert_new_order, product_writes};
use super::lines::{item_for, quantity, rate, reprice};
use super::lookup::{HOME_STATE, bookable_customer, products_by_id};
use super::view::public;
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::{Paging, Total};
use crate::routes::envelope::{Data, MessageData};
use crate::routes::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::order::{OrderItem, OrderSource, OrderType, StatusChange};
use nexus_core::model::{Order, OrderStatus};
use nexus_core::rules::allocation::{self, ProductsById};
use nexus_core::rules::expiry::{ClearancePolicy, clearance_eligibility, today_ist};
use nexus_core::rules::ledger::LedgerReason;
use nexus_core::rules::lifecycle::{self, StockEffect};
use nexus_core::rules::stock::Scope;
use nexus_core::store::{Filter, Query, TypedStore};
use nexus_core::types::{Money, Timestamp};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// Lines one clearance order may carry.
const MAX_LINES: usize = 50;
/// Lost races tolerated before giving up (each one means another order took stock first).
const MAX_ATTEMPTS: usize = 200;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearanceLine {
    #[schema(example = "PROD-002")]
    pub product_id: String,
    #[schema(example = "BATCH-003")]
    pub batch_number: String,
    /// From 0.001 to 10,000,000.
    #[schema(value_type = f64, example = 3, minimum = 0.001, maximum = 10000000)]
    pub quantity: Decimal,
    /// Rate per unit ex-GST (₹0.01 to ₹1,00,00,000); GST is added from the product.
    #[schema(value_type = f64, example = 250, minimum = 0.01, maximum = 10000000)]
    pub proposed_rate: Decimal,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearanceRequest {
    #[schema(
        example = "CUST-001",
        pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub customer_id: String,
    /// 1 to 50 lines.
    #[schema(min_items = 1, max_items = 50)]
    pub items: Vec<ClearanceLine>,
    pub remarks: Option<String>,
}

/// The clearance lines priced and checked against the products as read (existence, active
/// batch, eligibility). Sufficiency is the reservation's job.
pub fn clearance_items(
    lines: &[ClearanceLine],
    products: &ProductsById,
    today: chrono::NaiveDate,
) -> Result<Vec<OrderItem>, ApiError> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidItems,
            format!("A clearance order needs between 1 and {MAX_LINES} lines"),
        )
        .with_details(json!({ "lines": lines.len() })));
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let qty = quantity(i, l.quantity)?;
            let price = rate(i, l.proposed_rate)?;
            let p = products.get(l.product_id.trim()).ok_or_else(|| {
                ApiError::record_not_found(ErrorCode::ProductNotFound, "Product", &l.product_id)
            })?;
            let bn = l.batch_number.trim();
            let batch = p
                .batches
                .iter()
                .find(|b| b.batch_number == bn && b.is_active)
                .ok_or_else(|| {
                    ApiError::not_found(
                        ErrorCode::BatchNotFound,
                        format!("Batch {bn} not found or inactive"),
                    )
                    .with_details(json!({ "line": i, "productId": p.id, "batchNumber": bn }))
                })?;
            clearance_eligibility(batch.exp_date, today, &ClearancePolicy::default()).map_err(
                |e| {
                    ApiError::unprocessable(
                        ErrorCode::NotClearanceEligible,
                        format!("Batch {bn} is not eligible for clearance: {e}"),
                    )
                    .with_details(
                        json!({ "line": i, "batchNumber": bn, "expDate": batch.exp_date }),
                    )
                },
            )?;
            let mut item = item_for(i, p, qty, price, Money::ZERO)?;
            item.batch_number = Some(bn.to_string());
            Ok(item)
        })
        .collect()
}

/// Create a clearance order (create_orders): every line's batch reserved atomically, GST per
/// line, id `CLR-nnnnnn`, status Pending Credit Approval.
#[utoipa::path(post, path = "/api/orders/clearance", tag = "Clearance",
    security(("bearer" = [])), request_body = ClearanceRequest,
    responses(
        (status = 201, description = "Created: the clearance order", body = MessageData<Order>),
        (status = 403, description = "Needs create_orders"),
        (status = 404, description = "Unknown product or batch (or inactive batch)"),
        (status = 409, description = "The batch does not hold enough"),
        (status = 422, description = "Batch expired or more than 90 days to expiry; bad quantity or rate; unknown customer"),
    ))]
pub async fn create_clearance(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<ClearanceRequest>,
) -> Result<Response, ApiError> {
    let outcome = lifecycle::create(OrderType::Clearance, &actor.ctx)
        .map_err(super::errors::lifecycle_error)?;
    let StockEffect::Reserve(policy) = outcome.stock else {
        return Err(ApiError::internal_fault(
            "clearance creation does not reserve stock",
        ));
    };
    let customer = bookable_customer(&st, body.customer_id.trim()).await?;
    let remarks = text("remarks", body.remarks.clone(), 2_000)?;
    let ids: Vec<String> = body
        .items
        .iter()
        .map(|l| l.product_id.trim().to_string())
        .collect();
    for _ in 0..MAX_ATTEMPTS {
        let now = Timestamp::now();
        let mut products = products_by_id(&st, ids.clone()).await?;
        let original = products.clone();
        let items = clearance_items(&body.items, &products, today_ist(now))?;

        let mut order = Order::new("", customer.id.clone());
        order.order_type = OrderType::Clearance;
        order.source = OrderSource::App;
        order.is_clearance = true;
        order.customer_name = Some(customer.name.clone());
        order.items = items;
        order.status = OrderStatus::PendingCreditApproval;
        order.salesperson_id = Some(actor.id().to_string());
        order.salesperson_name = Some(actor.user.name.clone());
        order.remarks = remarks.clone();
        order.partner_type = customer.customer_type.clone();
        order.place_of_supply = customer.region.clone();
        order.created_at = Some(now);
        order.updated_at = Some(now);
        order.status_history.push(StatusChange {
            status: outcome.to.as_str().to_string(),
            timestamp: now,
            from: None,
            step: Some("create_clearance".into()),
            actor_id: Some(actor.id().to_string()),
            actor_role: Some(actor.role().as_str().to_string()),
            reason: None,
            data: None,
        });
        reprice(&mut order, HOME_STATE)?;
        let picks = allocation::clearance_picks(&order);
        let alloc = allocation::reserve(
            &mut order,
            &mut products,
            Scope::AnyWarehouse,
            policy,
            &picks,
        )
        .map_err(super::errors::allocation_error)?;
        let product_updates = product_writes(&original, &products, now)?;

        let stock = Reserved {
            product_updates: &product_updates,
            movements: &alloc.movements,
            reason: LedgerReason::ClearanceReservation,
            details: "Clearance order booked",
            step: "create_clearance",
        };
        let credit_guard = super::credit_check::check_new_order(&st, &mut order).await?;
        if insert_new_order(&st, &actor, "CLR-", &mut order, Some(stock), credit_guard).await? {
            return Ok((
                StatusCode::CREATED,
                Json(json!({
                    "success": true,
                    "message": "Clearance order created successfully",
                    "data": public(&order),
                })),
            )
                .into_response());
        }
        // Another order changed one of the products or the customer's credit position:
        // read again and re-decide.
        tokio::task::yield_now().await;
    }
    Err(ApiError::conflict(
        ErrorCode::Conflict,
        "The batches or the customer's open orders kept changing; try again.",
    ))
}

/// Clearance orders in the caller's scope, newest first (`{success, data}`; legacy `CLR-`
/// ids count as clearance). The legacy query always came back empty (8.3.31).
#[utoipa::path(get, path = "/api/orders/clearance/history", tag = "Clearance",
    security(("bearer" = [])), params(Paging),
    responses(
        (status = 200, description = "Clearance orders, newest first (`X-Total-Count`, `X-Page`, `X-Limit` headers)", body = Data<Vec<Order>>),
        (status = 403, description = "Needs create_orders or approve_credit"),
    ))]
pub async fn clearance_history(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, ApiError> {
    actor.require_any(&[
        (Permission::CreateOrders, Access::View),
        (Permission::ApproveCredit, Access::View),
    ])?;
    let vis = Visibility::of(&st, &actor).await?;
    let (orders, total) = match vis.filter() {
        Some(scope) => {
            let f = Filter::and([scope, clearance_filter()]);
            let total = paging.count::<Order>(&st, &f).await?;
            let list = st
                .store
                .list::<Order>(&paging.apply(Query::new(f).sort_desc("createdAt")))
                .await?;
            (list, total)
        }
        None => (Vec::new(), Total::exact(0)),
    };
    let data: Vec<Value> = orders.iter().map(public).collect();
    Ok((
        paging.headers(total),
        Json(json!({ "success": true, "data": data })),
    )
        .into_response())
}
