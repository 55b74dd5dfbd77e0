//! The one way an order changes status: `rules::lifecycle::transition` decides, this module
//! applies the outcome in ONE atomic commit —
//! * the order, replaced under a guard on its `_rev` **and** its current status, so of two
//!   concurrent steps exactly one wins and the other re-reads and is refused (D-R1);
//! * the stock effect through `rules::allocation` (reserve, release, consume, restock), each
//!   touched product replaced under its own `_rev` guard, never read-modify-write (D-R3,
//!   D-R5); a release runs only while the order holds stock, so cancelling twice restores
//!   once (D-L4);
//! * one ledger row per batch actually moved (`rules::ledger`, D-D5);
//! * the audit entry (STATUS_CHANGE, old → new, reason);
//!
//! then publishes `order:status-changed` and `stock:changed`. A lost race (`Conflict`) is
//! retried from a fresh read a bounded number of times.

use super::access::{rev_guard, status_filter};
use super::errors::{allocation_error, lifecycle_error};
use super::lookup::products_by_id;
use super::view::{public, status_event, stock_event};
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use nexus_core::model::order::{OrderItem, OrderType};
use nexus_core::model::{AuditAction, EntityType, Order, OrderStatus, Product};
use nexus_core::rules::allocation::{
    self, ManualPick, OrderAllocation, ProductsById, ShortagePolicy,
};
use nexus_core::rules::ledger::{self, LedgerContext, LedgerReason, StockMovement};
use nexus_core::rules::lifecycle::{Action, OrderContext, Outcome, StockEffect, transition};
use nexus_core::rules::stock::Scope;
use nexus_core::store::{Filter, StoreError, Write};
use nexus_core::types::{Quantity, Timestamp};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

/// How often a step is re-tried after losing a race before the caller gets a 409.
pub const MAX_ATTEMPTS: usize = 25;

/// Parameters of the stock effect the lifecycle may ask for.
#[derive(Debug, Clone, Default)]
pub struct StockArgs {
    /// The warehouse a reservation draws from (WH selection; a bypass into packing uses the
    /// order's warehouse).
    pub warehouse: Option<String>,
    /// Picker-chosen batches per line.
    pub manual: BTreeMap<usize, Vec<ManualPick>>,
    /// Returned quantity per line (partial acceptance, return to warehouse).
    pub returns: BTreeMap<usize, Quantity>,
    /// The picker took other batches than allocated: `manual` replaces the allocation of
    /// its lines in this commit (the rest of the order keeps its batches).
    pub repick: bool,
}

/// What the stock effect did, for the step's record.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub allocation: Option<OrderAllocation>,
    pub moved: Vec<(LedgerReason, Vec<StockMovement>)>,
}

impl Applied {
    pub fn movements(&self) -> Vec<StockMovement> {
        self.moved.iter().flat_map(|(_, m)| m.clone()).collect()
    }
}

/// Step-specific changes to the order after the status and stock are applied; returns the
/// step data stored on the history entry.
pub type RecordFn = Box<dyn FnOnce(&mut Order, &Applied) -> Result<Option<Value>, ApiError> + Send>;

/// One requested step.
pub struct Plan {
    pub action: Action,
    pub stock: StockArgs,
    /// New lines (item edit): set after the old allocation is released and before a new one
    /// is reserved.
    pub replace_items: Option<Vec<OrderItem>>,
    pub record: Option<RecordFn>,
    /// A reason for the history entry when the action itself carries none (e.g. an
    /// approval note, a return).
    pub note: Option<String>,
    /// Writes that must succeed with the step or fail it (`Conflict` → re-read), such as the
    /// customer's credit guard of a step that relied on a credit check.
    pub guards: Vec<Write>,
}

impl Plan {
    pub fn new(action: Action) -> Plan {
        Plan {
            action,
            stock: StockArgs::default(),
            replace_items: None,
            record: None,
            note: None,
            guards: Vec::new(),
        }
    }

    pub fn guard(mut self, write: Option<Write>) -> Plan {
        self.guards.extend(write);
        self
    }

    pub fn record(
        mut self,
        f: impl FnOnce(&mut Order, &Applied) -> Result<Option<Value>, ApiError> + Send + 'static,
    ) -> Plan {
        self.record = Some(Box::new(f));
        self
    }

    pub fn note(mut self, note: Option<String>) -> Plan {
        self.note = note.filter(|n| !n.trim().is_empty());
        self
    }
}

/// A committed step.
#[derive(Debug, Clone)]
pub struct Done {
    pub order: Order,
    pub from: OrderStatus,
}

/// The result of one attempt: done, or lost a race and worth re-reading.
pub enum Attempt<T> {
    Done(T),
    Retry,
}

/// Runs `attempt` until it is done, fails, or has lost too many races.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, ApiError>>,
{
    for _ in 0..MAX_ATTEMPTS {
        if let Attempt::Done(v) = attempt().await? {
            return Ok(v);
        }
    }
    Err(ApiError::conflict(
        ErrorCode::Conflict,
        "The order kept changing while this step was applied; reload and try again.",
    ))
}

/// Applies one step to `order` (as just read) for `actor`. `Retry` when the order or a
/// product changed since it was read.
pub async fn apply(
    st: &AppState,
    actor: &Actor,
    order: Order,
    plan: Plan,
) -> Result<Attempt<Done>, ApiError> {
    if order.kind() == OrderType::Stn {
        return Err(ApiError::conflict(
            ErrorCode::StnLifecycle,
            "A stock transfer has its own lifecycle: it is received with POST /api/orders/{id}/receive.",
        ));
    }
    let outcome =
        transition(&OrderContext::of(&order), &plan.action, &actor.ctx).map_err(lifecycle_error)?;
    let now = Timestamp::now();
    let mut new = order.clone();
    new.status = outcome.to;

    // Every product the step may touch: the lines before and after, and what is allocated.
    let mut ids: BTreeSet<String> = order
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
    if let Some(items) = &plan.replace_items {
        ids.extend(items.iter().map(|i| i.product_id.clone()));
    }
    let repick = plan.stock.repick;
    let mut products =
        if (outcome.stock == StockEffect::None || outcome.stock == StockEffect::Consume) && !repick
        {
            ProductsById::new()
        } else {
            products_by_id(st, ids).await?
        };
    let original = products.clone();
    let mut applied = Applied::default();

    // Give back first (release, returns, delivery), then new lines, then reserve.
    match outcome.stock {
        StockEffect::Release | StockEffect::ReleaseThenReserve => {
            let m = allocation::release(&mut new, &mut products).map_err(allocation_error)?;
            applied.moved.push((LedgerReason::OrderRelease, m));
        }
        StockEffect::RestockReturns => {
            let m = allocation::restock_returns(&mut new, &mut products, &plan.stock.returns)
                .map_err(allocation_error)?;
            applied.moved.push((LedgerReason::DeliveryReturn, m));
        }
        StockEffect::Consume => {
            allocation::consume(&mut new);
        }
        StockEffect::Reserve(_) | StockEffect::None => {}
    }
    let items_replaced = plan.replace_items.is_some();
    if let Some(items) = plan.replace_items {
        new.items = items;
    }
    let reserve = match outcome.stock {
        StockEffect::Reserve(policy) => Some(policy),
        StockEffect::ReleaseThenReserve => Some(ShortagePolicy::RefuseOnShortage),
        _ => None,
    };
    if let Some(policy) = reserve {
        let (scope_wh, manual, reason) = if new.kind() == OrderType::Clearance {
            (
                None,
                allocation::clearance_picks(&new),
                LedgerReason::ClearanceReservation,
            )
        } else {
            let wh = plan
                .stock
                .warehouse
                .clone()
                .or_else(|| new.source_warehouse.clone())
                .ok_or_else(|| {
                    ApiError::conflict(
                        ErrorCode::NoWarehouse,
                        "This step allocates stock, but the order has no warehouse; assign one first.",
                    )
                })?;
            (
                Some(wh),
                plan.stock.manual.clone(),
                LedgerReason::OrderAllocation,
            )
        };
        let scope = match scope_wh.as_deref() {
            Some(w) => Scope::Warehouse(w),
            None => Scope::AnyWarehouse,
        };
        let alloc = allocation::reserve(&mut new, &mut products, scope, policy, &manual)
            .map_err(allocation_error)?;
        applied.moved.push((reason, alloc.movements.clone()));
        applied.allocation = Some(alloc);
    }

    if repick {
        let wh = new.source_warehouse.clone();
        let scope = match (new.kind(), wh.as_deref()) {
            (OrderType::Clearance, _) | (_, None) => Scope::AnyWarehouse,
            (_, Some(w)) => Scope::Warehouse(w),
        };
        let swap = allocation::repick(&mut new, &mut products, scope, &plan.stock.manual)
            .map_err(allocation_error)?;
        applied
            .moved
            .push((LedgerReason::OrderRelease, swap.restored));
        applied
            .moved
            .push((LedgerReason::OrderAllocation, swap.drawn));
    }

    let data = match plan.record {
        Some(f) => f(&mut new, &applied)?,
        None => None,
    };
    let mut change = outcome.status_change(now, data.clone());
    if change.reason.is_none() {
        change.reason = plan.note.clone();
    }
    new.status_history.push(change);
    new.rev = order.rev + 1;
    new.updated_at = Some(now);

    let mut writes = vec![Write::replace::<Order>(
        Filter::and([
            Filter::id(order.id.clone()),
            rev_guard(order.rev),
            status_filter([order.status]),
        ]),
        &new,
    )?];
    writes.extend(product_writes(&original, &products, now)?);
    writes.extend(plan.guards);
    let step_reason = change_reason(&outcome, plan.note.as_deref());
    for (reason, moved) in &applied.moved {
        writes.extend(ledger_writes(
            moved,
            &LedgerContext {
                order_id: Some(&new.id),
                actor_id: actor.id(),
                reason: *reason,
                details: Some(&format!("{}: {}", outcome.step, step_reason)),
                at: now,
            },
        )?);
    }
    let mut audit = actor
        .audit(AuditAction::StatusChange)
        .entity(EntityType::Order, new.id.clone())
        .change(
            Some(json!({ "status": order.status, "stockReserved": order.stock_reserved })),
            Some(json!({
                "status": new.status, "step": outcome.step, "stockReserved": new.stock_reserved,
                "data": data, "order": public(&new),
            })),
        );
    audit.reason = outcome.reason.clone().or(plan.note);
    writes.push(Write::insert(&audit)?);

    match st.store.commit(writes).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Ok(Attempt::Retry),
        Err(e) => return Err(e.into()),
    }
    st.publish(status_event(&new, order.status.as_str(), outcome.step))
        .await;
    if let Some(e) = stock_event(&new.id, outcome.step, &applied.movements()) {
        st.publish(e).await;
    }
    if order.status != new.status || items_replaced {
        super::enrichment::on_arrival(st, actor.id(), &new).await;
    }
    Ok(Attempt::Done(Done {
        order: new,
        from: order.status,
    }))
}

fn change_reason(outcome: &Outcome, note: Option<&str>) -> String {
    outcome
        .reason
        .clone()
        .or_else(|| note.map(str::to_string))
        .unwrap_or_else(|| format!("{} → {}", outcome.from, outcome.to))
}

/// Replaces each product whose batches changed, guarded by the revision it was read at.
pub fn product_writes(
    before: &ProductsById,
    after: &ProductsById,
    now: Timestamp,
) -> Result<Vec<Write>, ApiError> {
    let mut writes = Vec::new();
    for (id, p) in after {
        let Some(old) = before.get(id) else { continue };
        if old.batches == p.batches && old.stock == p.stock {
            continue;
        }
        let mut p: Product = p.clone();
        p.rev = old.rev + 1;
        p.updated_at = Some(now);
        writes.push(Write::replace::<Product>(
            Filter::and([Filter::id(id.clone()), rev_guard(old.rev)]),
            &p,
        )?);
    }
    Ok(writes)
}

/// Ledger rows (with ids) for the movements.
pub fn ledger_writes(
    moved: &[StockMovement],
    ctx: &LedgerContext<'_>,
) -> Result<Vec<Write>, StoreError> {
    ledger::entries(moved, ctx)
        .into_iter()
        .map(|mut e| {
            e.id = Some(format!("LED-{}", ulid::Ulid::new()));
            Write::insert(&e)
        })
        .collect()
}

/// The stock a new order took when it was booked: the touched products (each under its
/// `_rev` guard) and the batches moved, written in the order's own commit.
pub struct Reserved<'a> {
    pub product_updates: &'a [Write],
    pub movements: &'a [StockMovement],
    pub reason: LedgerReason,
    pub details: &'a str,
    /// The step name `stock:changed` carries.
    pub step: &'static str,
}

/// Inserts a new order under the next free business id of `prefix`, with its audit entry
/// and, when booking took stock, the product updates and ledger rows, and the customer's
/// credit guard, in one commit; then tells clients. `Ok(false)` when a product or the
/// customer's credit position changed since it was read (the caller re-reads and tries
/// again); the order's id is set on success.
pub async fn insert_new_order(
    st: &AppState,
    actor: &Actor,
    prefix: &str,
    order: &mut Order,
    stock: Option<Reserved<'_>>,
    credit_guard: Option<Write>,
) -> Result<bool, ApiError> {
    let now = order.created_at.unwrap_or_else(Timestamp::now);
    let guarded = stock.is_some() || credit_guard.is_some();
    let committed = nexus_core::store::commit_with_business_id(st.store.as_ref(), prefix, |id| {
        let mut o = order.clone();
        o.id = id.to_string();
        let mut writes = vec![Write::insert(&o)?];
        writes.extend(credit_guard.iter().cloned());
        if let Some(r) = &stock {
            writes.extend(r.product_updates.iter().cloned());
            writes.extend(ledger_writes(
                r.movements,
                &LedgerContext {
                    order_id: Some(id),
                    actor_id: actor.id(),
                    reason: r.reason,
                    details: Some(r.details),
                    at: now,
                },
            )?);
        }
        let audit = actor
            .audit(AuditAction::Create)
            .entity(EntityType::Order, id)
            .change(None, Some(public(&o)));
        writes.push(Write::insert(&audit)?);
        Ok(writes)
    })
    .await;
    match committed {
        Ok(id) => order.id = id,
        Err(StoreError::Conflict(_)) if guarded => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    st.publish(super::view::created_event(order)).await;
    if let Some(e) = stock.and_then(|r| stock_event(&order.id, r.step, r.movements)) {
        st.publish(e).await;
    }
    Ok(true)
}

/// The usual step: read the order within the caller's scope (404 outside it), build the
/// plan from it, apply; re-read and re-decide after a lost race.
pub async fn run_step<F>(st: &AppState, actor: &Actor, id: &str, build: F) -> Result<Done, ApiError>
where
    F: Fn(&Order) -> Result<Plan, ApiError>,
{
    let vis = super::access::Visibility::of(st, actor).await?;
    let (vis, build) = (&vis, &build);
    retrying(move || async move {
        let order = super::access::visible_order(st, vis, id).await?;
        let plan = build(&order)?;
        apply(st, actor, order, plan).await
    })
    .await
}

/// `{ "success": true, "data": <order> }`.
pub fn respond(done: &Done) -> axum::Json<Value> {
    crate::routes::common::ok_data(public(&done.order))
}
