//! The credit check (domain.md §2.8) where an order is booked, its lines change or credit
//! control decides on it: the customer's figures and open orders read together, and a guard
//! on the customer written in the same commit as the order.
//!
//! The guard is what makes the check hold under concurrency: every commit that relies on a
//! check bumps the customer's `creditRev` under a filter on the value it read, so of two
//! bookings for one customer read at the same moment only one commits; the other re-reads,
//! now sees the first among the open orders, and checks again. Without it two orders that
//! each fit the limit alone could both pass (and both be approved by rule).

use crate::error::ApiError;
use crate::state::AppState;
use nexus_core::model::order::CreditCheck;
use nexus_core::model::{Customer, Order};
use nexus_core::rules::credit::{self, CreditSnapshot, Exposure};
use nexus_core::store::{Filter, TypedStore, UpdateOp, Write};
use nexus_core::types::{Money, Timestamp};
use serde_json::Value;

/// One consistent read of a customer's credit position.
pub struct CreditRead {
    pub snapshot: CreditSnapshot,
    /// Σ total of the customer's open orders not yet invoiced, less the order at hand.
    pub open_orders: Money,
    guard: Option<Filter>,
}

impl CreditRead {
    /// Reads the customer and its open orders, leaving out `except_order` (the order being
    /// edited or decided; empty for a new one). A customer that does not exist (legacy data)
    /// has no figures and no guard.
    pub async fn of(
        st: &AppState,
        customer_id: &str,
        except_order: &str,
    ) -> Result<CreditRead, ApiError> {
        let customer = st
            .store
            .get::<Customer>(Filter::id(customer_id.to_string()))
            .await?;
        let open = nexus_core::exposure::open_uninvoiced_totals(
            st.store.as_ref(),
            &[customer_id.to_string()],
            except_order,
        )
        .await?;
        let guard = customer.as_ref().map(|c| {
            let rev = c.extra.get("creditRev").cloned().unwrap_or(Value::Null);
            Filter::and([Filter::id(c.id.clone()), Filter::eq("creditRev", rev)])
        });
        Ok(CreditRead {
            snapshot: customer
                .as_ref()
                .map(CreditSnapshot::from_customer)
                .unwrap_or_default(),
            open_orders: open.get(customer_id).copied().unwrap_or_default(),
            guard,
        })
    }

    pub fn check(&self, order_total: Money, at: Timestamp) -> CreditCheck {
        credit::check(&self.snapshot, self.open_orders, order_total, at)
    }

    pub fn exposure(&self, order_total: Money) -> Exposure {
        credit::exposure(&self.snapshot, self.open_orders, order_total)
    }

    /// The write that fails the commit (`Conflict`) when another check for this customer
    /// committed since this read; `None` for a customer that does not exist.
    pub fn guard(&self) -> Option<Write> {
        self.guard.clone().map(|f| {
            Write::update_one::<Customer>(f, vec![UpdateOp::Inc("creditRev".into(), 1.into())])
        })
    }
}

/// Checks a new order's credit and records the check on it; with auto-approval on
/// (`NEXUS_CREDIT_AUTO_APPROVE`) an order that passes is approved by rule. Returns the
/// guard to commit with the order.
pub async fn check_new_order(st: &AppState, order: &mut Order) -> Result<Option<Write>, ApiError> {
    let read = CreditRead::of(st, &order.customer_id, &order.id).await?;
    let at = order.created_at.unwrap_or_else(Timestamp::now);
    let check = read.check(order.total, at);
    if st.config.credit_auto_approve {
        credit::approve_by_rule(order, &check, at);
    }
    order.credit_check = Some(check);
    Ok(read.guard())
}

/// Bookings for one customer take turns within this process. The credit guard alone is
/// correct across processes, but racing bookings for one customer each lose to whichever
/// committed first and start again; sixteen at once left some losing every attempt (409 in
/// the benchmark, docs/BENCHMARKS.md). Queued here, they check one after the other and the
/// guard only meets bookings from other processes. Striped by customer id, so the memory
/// is fixed whatever the number of customers.
pub struct BookingTurns([tokio::sync::Mutex<()>; STRIPES]);

const STRIPES: usize = 64;

impl Default for BookingTurns {
    fn default() -> Self {
        BookingTurns(std::array::from_fn(|_| tokio::sync::Mutex::new(())))
    }
}

impl BookingTurns {
    /// Waits for `customer_id`'s turn; the turn lasts while the guard is held.
    pub async fn take(&self, customer_id: &str) -> tokio::sync::MutexGuard<'_, ()> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        customer_id.hash(&mut h);
        let stripe = usize::try_from(h.finish() % STRIPES as u64).unwrap_or(0);
        self.0[stripe].lock().await
    }
}
