//! Who sees which orders, on the server (domain.md §4.7 rewrite rule): the legacy API handed
//! every order to everyone and left the hierarchy filter to the client. The scope of
//! `nexus_core::auth::scope::order_scope` is turned into a store [`Filter`] for lists and
//! checked on every single-order read or change (out of scope reads as 404, so ids of other
//! people's orders cannot be probed).
//!
//! Stored statuses are legacy display strings with synonyms (`Hold`, `Pending Invoicing`,
//! `Cost Added` …, §3.6), so a status condition matches every spelling that reads as the
//! canonical status.

use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use nexus_core::auth::scope::{OrderFacts, OrderScope, order_scope};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::Order;
use nexus_core::model::order::OrderType;
use nexus_core::store::{Filter, TypedStore};
use serde_json::Value;

pub use nexus_core::store::status_filter;

/// The guard for a whole-document replace: the revision the document was read at (legacy
/// documents have no `_rev`, which reads as 0).
pub fn rev_guard(rev: u64) -> Filter {
    if rev == 0 {
        Filter::or([Filter::Missing("_rev".into()), Filter::eq("_rev", 0)])
    } else {
        Filter::eq("_rev", rev)
    }
}

/// Clearance orders, new (`isClearance` / `orderType`) and legacy (`CLR-` prefix, §6.3).
pub fn clearance_filter() -> Filter {
    Filter::or([
        Filter::eq("isClearance", true),
        Filter::eq("orderType", "CLEARANCE"),
        Filter::contains("id", "CLR-"),
    ])
}

/// Stock-transfer notes, new and legacy (`STN-` prefix or a destination warehouse, §6.3).
pub fn stn_filter() -> Filter {
    Filter::or([
        Filter::eq("isSTN", true),
        Filter::eq("orderType", "STN"),
        Filter::contains("id", "STN-"),
    ])
}

/// The union branches of a (not all-seeing) scope: its salespeople, its work-queue statuses
/// and its own deliveries. Lists and analytics both read this.
pub fn scope_branches(scope: &OrderScope) -> Vec<Filter> {
    let mut any = Vec::new();
    if !scope.salespeople.is_empty() {
        any.push(Filter::In(
            "salespersonId".into(),
            scope
                .salespeople
                .iter()
                .cloned()
                .map(Value::String)
                .collect(),
        ));
    }
    if !scope.statuses.is_empty() {
        any.push(status_filter(scope.statuses.iter().copied()));
    }
    if let Some(me) = &scope.delivery_agent {
        any.push(Filter::eq("logistics.deliveryAgentId", me.clone()));
    }
    any
}

/// One actor's resolved visibility.
#[derive(Debug, Clone)]
pub struct Visibility {
    pub scope: OrderScope,
    /// Warehouse staff dispatch and receive stock transfers, whatever their status.
    pub stn: bool,
}

impl Visibility {
    pub async fn of(st: &AppState, actor: &Actor) -> Result<Visibility, ApiError> {
        let subs = actor.subordinates(st).await?;
        Ok(Visibility {
            scope: order_scope(&actor.ctx, &subs),
            stn: actor.can(Permission::ManageWarehouse, Access::View),
        })
    }

    pub fn is_empty(&self) -> bool {
        !self.scope.all
            && self.scope.salespeople.is_empty()
            && self.scope.statuses.is_empty()
            && self.scope.delivery_agent.is_none()
            && !self.stn
    }

    pub fn sees(&self, order: &Order) -> bool {
        self.scope.contains(&OrderFacts::of(order)) || (self.stn && order.kind() == OrderType::Stn)
    }

    /// The store condition for "orders this actor may see"; `None` when nothing is visible.
    pub fn filter(&self) -> Option<Filter> {
        if self.scope.all {
            return Some(Filter::All);
        }
        let mut any = scope_branches(&self.scope);
        if self.stn {
            any.push(stn_filter());
        }
        (!any.is_empty()).then(|| Filter::or(any))
    }

    /// 403 for a caller who may see no order at all (e.g. procurement staff).
    pub fn require_some(&self) -> Result<(), ApiError> {
        if self.is_empty() {
            Err(ApiError::forbidden(
                ErrorCode::Forbidden,
                "You do not have access to orders.",
            ))
        } else {
            Ok(())
        }
    }
}

/// The order with this id, or 404.
pub async fn load_order(st: &AppState, id: &str) -> Result<Order, ApiError> {
    st.store
        .get::<Order>(Filter::id(id))
        .await?
        .ok_or_else(|| ApiError::record_not_found(ErrorCode::OrderNotFound, "Order", id))
}

/// The order with this id if the actor may see it; 404 otherwise (never 403, which would
/// confirm that the id exists).
pub async fn visible_order(st: &AppState, vis: &Visibility, id: &str) -> Result<Order, ApiError> {
    let order = load_order(st, id).await?;
    if vis.sees(&order) {
        Ok(order)
    } else {
        Err(ApiError::record_not_found(
            ErrorCode::OrderNotFound,
            "Order",
            id,
        ))
    }
}
