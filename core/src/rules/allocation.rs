//! Stock allocation for orders: FEFO and manual picks, shortage handling, and releasing
//! stock exactly once (domain.md §2.4, §3.7).
//!
//! What the legacy allocator got wrong, and how this module prevents it:
//! * shortages were ignored, stock went negative and the ledger recorded the requested
//!   quantity (D-L2) → allocation never takes more than a batch holds, reports the
//!   shortfall, and a [`ShortagePolicy`] decides between refusing and a partial allocation
//!   (which the lifecycle turns into `Part Packed` / back-order);
//! * zero and negative batches produced empty or negative "takes" → only active batches with
//!   a positive quantity are candidates;
//! * a manual pick of an unknown batch *created* stock (D-L3) → named batches must exist, be
//!   active and hold enough, and the picks may not exceed the line;
//! * cancelling twice restored twice (D-L4) → [`reserve`] sets `Order::stock_reserved`,
//!   [`release`] / [`restock_returns`] / [`consume`] clear it, and each refuses to run when
//!   the flag is not in the state it expects. The store writes the order with a guard on
//!   the flag, so two concurrent cancels cannot both release.
//!
//! Why FEFO: frozen and chilled food must leave in order of expiry so that stock does not
//! expire on the shelf while newer batches ship; undated batches go last (they cannot be
//! ranked, and the legacy default of "today + 365 days" was an invention).
//!
//! All functions are all-or-nothing: on error the order and products are unchanged.

use super::ledger::StockMovement;
use super::lifecycle::in_stage;
use super::stock::{Scope, sync_stock};
use crate::model::OrderStatus;
use crate::model::order::{AllocatedBatch, Order};
use crate::model::product::{Batch, Product};
use crate::types::{DateOnly, Quantity, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What to do when the stock in scope cannot cover a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ShortagePolicy {
    /// Allocate nothing and report the shortage (the default for WH selection).
    RefuseOnShortage,
    /// Allocate what exists and report the shortfall; the order becomes Part Packed /
    /// back-ordered for the rest.
    AllowPartial,
}

/// A batch a picker chose for a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManualPick {
    pub batch_number: String,
    pub qty: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("product {product_id}: {available} available, {requested} requested")]
    Shortage {
        product_id: String,
        available: Quantity,
        requested: Quantity,
    },
    #[error("product {product_id}: picked {picked}, the line needs {required}")]
    UnderPick {
        product_id: String,
        picked: Quantity,
        required: Quantity,
    },
    #[error("product {product_id}: picked {picked}, more than the {required} ordered")]
    OverPick {
        product_id: String,
        picked: Quantity,
        required: Quantity,
    },
    #[error("batch {batch_number} does not exist for product {product_id}")]
    UnknownBatch {
        product_id: String,
        batch_number: String,
    },
    #[error("batch {batch_number} of product {product_id} is inactive")]
    InactiveBatch {
        product_id: String,
        batch_number: String,
    },
    #[error("batch {batch_number}: {available} available, {requested} picked")]
    InsufficientBatch {
        batch_number: String,
        available: Quantity,
        requested: Quantity,
    },
    #[error("a pick of batch {batch_number} must be for more than zero")]
    ZeroPick { batch_number: String },
    #[error("product {product_id} not found")]
    UnknownProduct { product_id: String },
    #[error("order {order_id} already holds stock")]
    AlreadyReserved { order_id: String },
    #[error("order {order_id} holds no stock (never reserved, or already released)")]
    NotReserved { order_id: String },
    #[error("line {line}: packed {packed}, but only {allocated} was allocated")]
    PackedExceedsAllocation {
        line: usize,
        packed: Quantity,
        allocated: Quantity,
    },
    #[error("packed quantities given for {given} lines, the order has {lines}")]
    PackedLineCount { given: usize, lines: usize },
    #[error("line {line}: returning {returned}, but only {allocated} was allocated")]
    ReturnExceedsAllocation {
        line: usize,
        returned: Quantity,
        allocated: Quantity,
    },
}

/// The result of allocating one line against one product's batches.
#[derive(Debug, Clone, PartialEq)]
pub struct LineAllocation {
    /// The product's batches after the allocation.
    pub batches: Vec<Batch>,
    pub allocated: Vec<AllocatedBatch>,
    pub shortfall: Quantity,
}

impl LineAllocation {
    pub fn allocated_qty(&self) -> Quantity {
        self.allocated.iter().map(|a| a.qty).sum()
    }
}

fn expiry_timestamp(d: Option<DateOnly>) -> Option<Timestamp> {
    d.and_then(|d| d.naive().and_hms_opt(0, 0, 0))
        .map(|dt| Timestamp::from_datetime(dt.and_utc()))
}

/// Candidate batch indices in FEFO order: active, positive, in scope; sorted by expiry
/// (undated last), ties by batch number.
pub fn fefo_order(batches: &[Batch], scope: Scope<'_>) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..batches.len())
        .filter(|&i| {
            let b = &batches[i];
            b.is_active && !b.quantity.is_zero() && scope.contains(b)
        })
        .collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (&batches[a], &batches[b]);
        (x.exp_date.is_none(), x.exp_date, &x.batch_number).cmp(&(
            y.exp_date.is_none(),
            y.exp_date,
            &y.batch_number,
        ))
    });
    idx
}

/// Takes `qty` from batch `i`, deactivating it at zero, and records the allocation.
fn take(batches: &mut [Batch], i: usize, qty: Quantity, product_id: &str) -> AllocatedBatch {
    let b = &mut batches[i];
    b.quantity = b.quantity.saturating_sub(qty);
    if b.quantity.is_zero() {
        b.is_active = false;
    }
    AllocatedBatch {
        batch_number: b.batch_number.clone(),
        qty,
        expiry: expiry_timestamp(b.exp_date),
        product_id: Some(product_id.to_string()),
        warehouse_id: b.warehouse_id.clone(),
    }
}

/// FEFO allocation of `required` from the batches in scope.
/// Example (§2.4): C (exp 1 Feb) 10, A (1 Mar) 40, B (1 May) 100; need 60 → C 10, A 40,
/// B 10, B left with 90. Need 200 → refused (or, with `AllowPartial`, all 150 taken and a
/// shortfall of 50); nothing ever goes negative.
pub fn allocate_fefo(
    product_id: &str,
    batches: &[Batch],
    scope: Scope<'_>,
    required: Quantity,
    policy: ShortagePolicy,
) -> Result<LineAllocation, AllocationError> {
    let order = fefo_order(batches, scope);
    let available: Quantity = order.iter().map(|&i| batches[i].quantity).sum();
    if available < required && policy == ShortagePolicy::RefuseOnShortage {
        return Err(AllocationError::Shortage {
            product_id: product_id.to_string(),
            available,
            requested: required,
        });
    }
    let mut out = batches.to_vec();
    let mut remaining = required;
    let mut allocated = Vec::new();
    for i in order {
        if remaining.is_zero() {
            break;
        }
        let qty = out[i].quantity.min(remaining);
        remaining = remaining.saturating_sub(qty);
        allocated.push(take(&mut out, i, qty, product_id));
    }
    Ok(LineAllocation {
        batches: out,
        allocated,
        shortfall: remaining,
    })
}

/// Validates and applies a picker's batch choice for one line. Picks of the same batch are
/// summed first (two picks of 30 from a batch of 50 are refused, not both passed).
pub fn allocate_manual(
    product_id: &str,
    batches: &[Batch],
    scope: Scope<'_>,
    picks: &[ManualPick],
    required: Quantity,
    policy: ShortagePolicy,
) -> Result<LineAllocation, AllocationError> {
    let mut merged: Vec<ManualPick> = Vec::new();
    for p in picks {
        if p.qty.is_zero() {
            return Err(AllocationError::ZeroPick {
                batch_number: p.batch_number.clone(),
            });
        }
        match merged.iter_mut().find(|m| m.batch_number == p.batch_number) {
            Some(m) => m.qty = m.qty + p.qty,
            None => merged.push(p.clone()),
        }
    }
    let picked: Quantity = merged.iter().map(|p| p.qty).sum();
    if picked > required {
        return Err(AllocationError::OverPick {
            product_id: product_id.to_string(),
            picked,
            required,
        });
    }
    if picked < required && policy == ShortagePolicy::RefuseOnShortage {
        return Err(AllocationError::UnderPick {
            product_id: product_id.to_string(),
            picked,
            required,
        });
    }
    let mut out = batches.to_vec();
    let mut allocated = Vec::new();
    for p in &merged {
        let named = |b: &Batch| b.batch_number == p.batch_number && scope.contains(b);
        let Some(i) = out.iter().position(|b| named(b) && b.is_active) else {
            return Err(if out.iter().any(named) {
                AllocationError::InactiveBatch {
                    product_id: product_id.to_string(),
                    batch_number: p.batch_number.clone(),
                }
            } else {
                AllocationError::UnknownBatch {
                    product_id: product_id.to_string(),
                    batch_number: p.batch_number.clone(),
                }
            });
        };
        if out[i].quantity < p.qty {
            return Err(AllocationError::InsufficientBatch {
                batch_number: p.batch_number.clone(),
                available: out[i].quantity,
                requested: p.qty,
            });
        }
        allocated.push(take(&mut out, i, p.qty, product_id));
    }
    Ok(LineAllocation {
        batches: out,
        allocated,
        shortfall: required.saturating_sub(picked),
    })
}

/// The outcome of reserving stock for a whole order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderAllocation {
    /// Shortfall per order line (zero when the line is covered).
    pub shortfalls: Vec<Quantity>,
    /// One movement per batch drawn (negative deltas), for the ledger.
    pub movements: Vec<StockMovement>,
}

impl OrderAllocation {
    pub fn is_complete(&self) -> bool {
        self.shortfalls.iter().all(|s| s.is_zero())
    }
}

/// Products by product id, as loaded for an order's lines.
pub type ProductsById = BTreeMap<String, Product>;

fn product_mut<'a>(
    products: &'a mut ProductsById,
    id: &str,
) -> Result<&'a mut Product, AllocationError> {
    products
        .get_mut(id)
        .ok_or_else(|| AllocationError::UnknownProduct {
            product_id: id.to_string(),
        })
}

fn movement(
    product: &Product,
    a: &AllocatedBatch,
    warehouse: Option<&str>,
    sign: i8,
) -> StockMovement {
    let q = a.qty.value();
    StockMovement {
        product_id: product.id.clone(),
        sku: product.sku().to_string(),
        batch_number: a.batch_number.clone(),
        warehouse_id: warehouse.map(str::to_string),
        delta: if sign < 0 { -q } else { q },
    }
}

/// Reserves stock for every line of an order (at WH selection, at booking for a clearance
/// order, or for what a part acceptance left undelivered), FEFO unless the line has manual picks (`manual[line index]`). Lines of
/// the same product draw one after the other from the updated batches. On success the
/// lines' `allocatedBatches` are replaced, `stock_reserved` is set when anything was drawn,
/// and the products' batches and derived stock are updated.
pub fn reserve(
    order: &mut Order,
    products: &mut ProductsById,
    scope: Scope<'_>,
    policy: ShortagePolicy,
    manual: &BTreeMap<usize, Vec<ManualPick>>,
) -> Result<OrderAllocation, AllocationError> {
    if order.stock_reserved {
        return Err(AllocationError::AlreadyReserved {
            order_id: order.id.clone(),
        });
    }
    let mut work = products.clone();
    let mut lines = Vec::with_capacity(order.items.len());
    let mut shortfalls = Vec::with_capacity(order.items.len());
    let mut movements = Vec::new();
    for (i, item) in order.items.iter().enumerate() {
        let product = product_mut(&mut work, &item.product_id)?;
        // What the line still owes: all of it, or after a part acceptance the rest (a
        // backorder re-attempt never reserves what was already delivered).
        let wanted = item
            .quantity
            .checked_sub(item.delivered_quantity.unwrap_or_default())
            .unwrap_or_default();
        let line = match manual.get(&i) {
            Some(picks) => {
                allocate_manual(&product.id, &product.batches, scope, picks, wanted, policy)?
            }
            None => allocate_fefo(&product.id, &product.batches, scope, wanted, policy)?,
        };
        product.batches = line.batches;
        sync_stock(product);
        for a in &line.allocated {
            let wh = product
                .batches
                .iter()
                .find(|b| b.batch_number == a.batch_number && scope.contains(b))
                .and_then(|b| b.warehouse_id.clone());
            movements.push(movement(product, a, wh.as_deref(), -1));
        }
        shortfalls.push(line.shortfall);
        lines.push(line.allocated);
    }
    let any = lines.iter().any(|l| !l.is_empty());
    for (item, allocated) in order.items.iter_mut().zip(lines) {
        item.allocated_batches = allocated;
    }
    order.stock_reserved = any;
    *products = work;
    Ok(OrderAllocation {
        shortfalls,
        movements,
    })
}

/// What a picker's batch swap moved, net per batch: restored to batches left behind
/// (positive deltas) and drawn from batches taken instead (negative), so a line picked as
/// allocated leaves no ledger rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Repick {
    pub restored: Vec<StockMovement>,
    pub drawn: Vec<StockMovement>,
}

/// The picker takes other batches than the allocation (same product, active, enough stock in
/// `scope`): the order's allocation is given back and reserved again with `picks` for the
/// lines that name them (what was picked is what the line now holds; less than the line is a
/// part pack) and the current batches for the others. Every picked batch must exist, be
/// active and hold the quantity; the products are changed only when every line fits.
pub fn repick(
    order: &mut Order,
    products: &mut ProductsById,
    scope: Scope<'_>,
    picks: &BTreeMap<usize, Vec<ManualPick>>,
) -> Result<Repick, AllocationError> {
    let mut manual = picks.clone();
    for (i, item) in order.items.iter().enumerate() {
        manual.entry(i).or_insert_with(|| {
            item.allocated_batches
                .iter()
                .map(|a| ManualPick {
                    batch_number: a.batch_number.clone(),
                    qty: a.qty,
                })
                .collect()
        });
    }
    let mut work_order = order.clone();
    let mut work = products.clone();
    let released = release(&mut work_order, &mut work)?;
    let alloc = reserve(
        &mut work_order,
        &mut work,
        scope,
        ShortagePolicy::AllowPartial,
        &manual,
    )?;
    let mut net: BTreeMap<(String, String, Option<String>), StockMovement> = BTreeMap::new();
    for m in released.into_iter().chain(alloc.movements) {
        let key = (
            m.product_id.clone(),
            m.batch_number.clone(),
            m.warehouse_id.clone(),
        );
        match net.get_mut(&key) {
            Some(e) => e.delta += m.delta,
            None => {
                net.insert(key, m);
            }
        }
    }
    let (restored, drawn): (Vec<_>, Vec<_>) = net
        .into_values()
        .filter(|m| !m.delta.is_zero())
        .partition(|m| m.delta.is_sign_positive());
    *order = work_order;
    *products = work;
    Ok(Repick { restored, drawn })
}

/// Clearance lines name their batch: one manual pick per line for its whole quantity.
pub fn clearance_picks(order: &Order) -> BTreeMap<usize, Vec<ManualPick>> {
    order
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            item.batch_number.as_ref().map(|b| {
                (
                    i,
                    vec![ManualPick {
                        batch_number: b.clone(),
                        qty: item.quantity,
                    }],
                )
            })
        })
        .collect()
}

/// Puts `qty` back into the batch an allocation came from (preferring the order's
/// warehouse); recreates the batch if it no longer exists, since returned goods must land
/// somewhere. A batch that was drawn to zero becomes active again; a batch deactivated
/// on purpose while still holding stock (quarantine) stays inactive.
fn put_back(
    product: &mut Product,
    a: &AllocatedBatch,
    qty: Quantity,
    warehouse: Option<&str>,
) -> Option<String> {
    // Put it back where it was drawn from when the allocation recorded that; legacy records
    // do not, so then prefer the batch of that number in the order's warehouse, then any
    // batch of that number (e.g. a clearance batch reserved before a warehouse was chosen),
    // and only then recreate it.
    let warehouse = a.warehouse_id.as_deref().or(warehouse);
    let same_wh = |b: &Batch| {
        b.batch_number == a.batch_number
            && match (warehouse, b.warehouse_id.as_deref()) {
                (Some(w), Some(bw)) => w == bw,
                _ => true,
            }
    };
    let idx = product.batches.iter().position(same_wh).or_else(|| {
        product
            .batches
            .iter()
            .position(|b| b.batch_number == a.batch_number)
    });
    let wh = match idx.map(|i| &mut product.batches[i]) {
        Some(b) => {
            if b.quantity.is_zero() {
                b.is_active = true;
            }
            b.quantity = b.quantity + qty;
            b.warehouse_id.clone()
        }
        None => {
            let mut b = Batch::new(
                a.batch_number.clone(),
                qty,
                a.expiry.map(|t| DateOnly::new(t.date())),
            );
            b.created_at = None;
            b.warehouse_id = warehouse.map(str::to_string);
            product.batches.push(b);
            warehouse.map(str::to_string)
        }
    };
    sync_stock(product);
    wh
}

/// Releases everything an order holds (cancel, reject, send-back, re-assignment, item edit
/// before re-allocation). Refused when the order holds nothing — which is what makes a second
/// cancel a no-op instead of a second restore.
pub fn release(
    order: &mut Order,
    products: &mut ProductsById,
) -> Result<Vec<StockMovement>, AllocationError> {
    if !order.stock_reserved {
        return Err(AllocationError::NotReserved {
            order_id: order.id.clone(),
        });
    }
    let mut work = products.clone();
    let warehouse = order.source_warehouse.clone();
    let mut movements = Vec::new();
    for item in &order.items {
        for a in &item.allocated_batches {
            let pid = a.product_id.as_deref().unwrap_or(&item.product_id);
            let product = product_mut(&mut work, pid)?;
            let wh = put_back(product, a, a.qty, warehouse.as_deref());
            movements.push(movement(product, a, wh.as_deref(), 1));
        }
    }
    for item in &mut order.items {
        item.allocated_batches.clear();
    }
    order.stock_reserved = false;
    *products = work;
    Ok(movements)
}

/// Delivery (full or partial acceptance): the reserved goods have left with the customer;
/// the order stops holding stock without anything going back. Returns false when the order
/// held nothing.
pub fn consume(order: &mut Order) -> bool {
    std::mem::replace(&mut order.stock_reserved, false)
}

/// Returned goods (Part Accepted / Returned to Warehouse): `returns[line] = qty` goes back
/// into the line's allocated batches in allocation order, never more than was allocated.
/// The order then holds no stock (the accepted part was consumed).
pub fn restock_returns(
    order: &mut Order,
    products: &mut ProductsById,
    returns: &BTreeMap<usize, Quantity>,
) -> Result<Vec<StockMovement>, AllocationError> {
    if !order.stock_reserved {
        return Err(AllocationError::NotReserved {
            order_id: order.id.clone(),
        });
    }
    for (&line, &returned) in returns {
        let allocated: Quantity = order
            .items
            .get(line)
            .map(|i| i.allocated_batches.iter().map(|a| a.qty).sum())
            .unwrap_or(Quantity::ZERO);
        if returned > allocated {
            return Err(AllocationError::ReturnExceedsAllocation {
                line,
                returned,
                allocated,
            });
        }
    }
    let mut work = products.clone();
    let warehouse = order.source_warehouse.clone();
    let mut movements = Vec::new();
    for (&line, &returned) in returns {
        let item = &order.items[line];
        let mut left = returned;
        for a in &item.allocated_batches {
            if left.is_zero() {
                break;
            }
            let qty = a.qty.min(left);
            left = left.saturating_sub(qty);
            let pid = a.product_id.as_deref().unwrap_or(&item.product_id);
            let product = product_mut(&mut work, pid)?;
            let wh = put_back(product, a, qty, warehouse.as_deref());
            let part = AllocatedBatch { qty, ..a.clone() };
            movements.push(movement(product, &part, wh.as_deref(), 1));
        }
    }
    order.stock_reserved = false;
    *products = work;
    Ok(movements)
}

/// Checks the packer's quantities against the allocation (§3.7: picked quantity per line
/// must match what was allocated; the legacy system never compared them, D-L3) and says
/// whether the order is completely packed — every line packed to its ordered quantity —
/// which decides `Action::Pack { complete }` (Pending Quality Control vs Part Packed).
pub fn packing_complete(order: &Order, packed: &[Quantity]) -> Result<bool, AllocationError> {
    if packed.len() != order.items.len() {
        return Err(AllocationError::PackedLineCount {
            given: packed.len(),
            lines: order.items.len(),
        });
    }
    let mut complete = true;
    for (line, (item, &p)) in order.items.iter().zip(packed).enumerate() {
        let allocated: Quantity = item.allocated_batches.iter().map(|a| a.qty).sum();
        if p > allocated {
            return Err(AllocationError::PackedExceedsAllocation {
                line,
                packed: p,
                allocated,
            });
        }
        // A backorder's trip packs what the first delivery left.
        let owed = item
            .quantity
            .checked_sub(item.delivered_quantity.unwrap_or_default())
            .unwrap_or_default();
        complete &= p >= owed;
    }
    Ok(complete)
}

/// For migration: legacy orders have no `stockReserved` flag, but an order that carries
/// allocations and has not been dispatched (or ended) still holds that stock. The migration
/// sets the flag from this, so a later cancel restores exactly once.
pub fn legacy_holds_stock(order: &Order) -> bool {
    let before_dispatch = in_stage(
        order.status,
        OrderStatus::PendingCreditApproval,
        OrderStatus::ReadyForDispatch,
    );
    before_dispatch
        && order
            .items
            .iter()
            .any(|i| i.allocated_batches.iter().any(|a| !a.qty.is_zero()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::order::OrderItem;
    use crate::rules::stock::tests::dated;
    use crate::rules::stock::total;
    use proptest::prelude::*;

    fn q(n: u64) -> Quantity {
        Quantity::from_int(n)
    }

    fn example_batches() -> Vec<Batch> {
        // Deliberately not in expiry order.
        vec![
            dated("B", 100, Some((2026, 5, 1))),
            dated("C", 10, Some((2026, 2, 1))),
            dated("A", 40, Some((2026, 3, 1))),
        ]
    }

    fn taken(l: &LineAllocation) -> Vec<(String, Quantity)> {
        l.allocated
            .iter()
            .map(|a| (a.batch_number.clone(), a.qty))
            .collect()
    }

    fn item(product_id: &str, qty: u64) -> OrderItem {
        serde_json::from_value(
            serde_json::json!({"productId": product_id, "quantity": qty, "price": 100}),
        )
        .unwrap()
    }

    fn product(id: &str, batches: Vec<Batch>) -> Product {
        let mut p = Product::new(id, id);
        p.batches = batches;
        sync_stock(&mut p);
        p
    }

    fn qty_of(batches: &[Batch], n: &str) -> Quantity {
        batches
            .iter()
            .find(|b| b.batch_number == n)
            .unwrap()
            .quantity
    }

    #[test]
    fn example_2_4_fefo_need_60_takes_c10_a40_b10() {
        let l = allocate_fefo(
            "X",
            &example_batches(),
            Scope::AnyWarehouse,
            q(60),
            ShortagePolicy::RefuseOnShortage,
        )
        .unwrap();
        assert_eq!(
            taken(&l),
            vec![
                ("C".into(), q(10)),
                ("A".into(), q(40)),
                ("B".into(), q(10))
            ]
        );
        assert_eq!(l.shortfall, Quantity::ZERO);
        assert_eq!(qty_of(&l.batches, "B"), q(90));
        assert_eq!(qty_of(&l.batches, "C"), Quantity::ZERO);
        assert!(
            !l.batches
                .iter()
                .find(|b| b.batch_number == "C")
                .unwrap()
                .is_active
        );
        assert_eq!(total(&l.batches), q(90));
        assert!(l.allocated[0].expiry.is_some());
    }

    #[test]
    fn example_2_4_fefo_need_200_is_a_shortage_of_50_never_negative() {
        let refused = allocate_fefo(
            "X",
            &example_batches(),
            Scope::AnyWarehouse,
            q(200),
            ShortagePolicy::RefuseOnShortage,
        );
        assert_eq!(
            refused,
            Err(AllocationError::Shortage {
                product_id: "X".into(),
                available: q(150),
                requested: q(200)
            })
        );
        let partial = allocate_fefo(
            "X",
            &example_batches(),
            Scope::AnyWarehouse,
            q(200),
            ShortagePolicy::AllowPartial,
        )
        .unwrap();
        assert_eq!(partial.allocated_qty(), q(150));
        assert_eq!(partial.shortfall, q(50));
        assert_eq!(total(&partial.batches), Quantity::ZERO);
    }

    #[test]
    fn fefo_puts_undated_last_and_breaks_ties_by_batch_number() {
        let batches = vec![
            dated("Z", 5, None),
            dated("B2", 5, Some((2026, 4, 1))),
            dated("B1", 5, Some((2026, 4, 1))),
            Batch {
                is_active: false,
                ..dated("OLD", 5, Some((2025, 1, 1)))
            },
            dated("EMPTY", 0, Some((2025, 1, 1))),
        ];
        let order: Vec<&str> = fefo_order(&batches, Scope::AnyWarehouse)
            .into_iter()
            .map(|i| batches[i].batch_number.as_str())
            .collect();
        assert_eq!(order, vec!["B1", "B2", "Z"]);
    }

    #[test]
    fn manual_picks_must_name_real_active_batches_with_enough() {
        let mut batches = example_batches();
        batches.push(Batch {
            is_active: false,
            ..dated("Q", 10, None)
        });
        let p = |n: &str, k: u64| ManualPick {
            batch_number: n.into(),
            qty: q(k),
        };
        let run = |picks: &[ManualPick], need: u64| {
            allocate_manual(
                "X",
                &batches,
                Scope::AnyWarehouse,
                picks,
                q(need),
                ShortagePolicy::RefuseOnShortage,
            )
        };
        // (picks, quantity needed, the refusal)
        for (picks, need, refusal) in [
            // Phantom batch: refused, never created (D-L3).
            (vec![p("GHOST", 5)], 5, "UnknownBatch"),
            (vec![p("Q", 5)], 5, "InactiveBatch"),
            (vec![p("C", 11)], 11, "InsufficientBatch"),
            // Two picks of the same batch are summed before checking.
            (vec![p("A", 30), p("A", 30)], 60, "InsufficientBatch"),
            (vec![p("B", 70)], 60, "OverPick"),
            (vec![p("B", 50)], 60, "UnderPick"),
            (vec![p("B", 0)], 60, "ZeroPick"),
        ] {
            let err = run(&picks, need).unwrap_err();
            let variant = format!("{err:?}");
            assert!(
                variant.starts_with(&format!("{refusal} {{")),
                "{picks:?} for {need}: {variant}"
            );
        }
        let ok = run(&[p("B", 50), p("C", 10)], 60).unwrap();
        assert_eq!(qty_of(&ok.batches, "B"), q(50));
        assert_eq!(ok.shortfall, Quantity::ZERO);
        let partial = allocate_manual(
            "X",
            &batches,
            Scope::AnyWarehouse,
            &[p("B", 50)],
            q(60),
            ShortagePolicy::AllowPartial,
        )
        .unwrap();
        assert_eq!(partial.shortfall, q(10));
    }

    fn order_with(items: Vec<OrderItem>) -> Order {
        let mut o = Order::new("ORD-000001", "CUST-1");
        o.items = items;
        o.source_warehouse = Some("WH-KURLA".into());
        o
    }

    /// Product X holding the example batches (B 100, C 10, A 40), by id.
    fn example_products() -> ProductsById {
        [("X".to_string(), product("X", example_batches()))].into()
    }

    /// `reserve` from any warehouse, by FEFO (no clearance picks).
    fn reserve_fefo(
        order: &mut Order,
        products: &mut ProductsById,
        policy: ShortagePolicy,
    ) -> Result<OrderAllocation, AllocationError> {
        reserve(
            order,
            products,
            Scope::AnyWarehouse,
            policy,
            &BTreeMap::new(),
        )
    }

    /// `reserve` from any warehouse of the batches the order's clearance lines name.
    fn reserve_named(order: &mut Order, products: &mut ProductsById) -> OrderAllocation {
        let picks = clearance_picks(order);
        reserve(
            order,
            products,
            Scope::AnyWarehouse,
            ShortagePolicy::RefuseOnShortage,
            &picks,
        )
        .unwrap()
    }

    /// One line of product X that names batch B (a clearance line).
    fn line_of_batch_b(qty: u64) -> OrderItem {
        OrderItem {
            batch_number: Some("B".into()),
            ..item("X", qty)
        }
    }

    #[test]
    fn reserve_then_release_restores_exactly_once() {
        let mut products = example_products();
        let original = products.clone();
        let mut order = order_with(vec![item("X", 30), item("X", 40)]);
        let alloc =
            reserve_fefo(&mut order, &mut products, ShortagePolicy::RefuseOnShortage).unwrap();
        assert!(alloc.is_complete());
        assert!(order.stock_reserved);
        // Second line continues where the first stopped: C10 A20 | A20 B20.
        assert_eq!(
            order.items[1]
                .allocated_batches
                .iter()
                .map(|a| a.batch_number.as_str())
                .collect::<Vec<_>>(),
            vec!["A", "B"]
        );
        assert_eq!(products["X"].stock, q(80));
        let deducted: rust_decimal::Decimal = alloc.movements.iter().map(|m| m.delta).sum();
        assert_eq!(deducted, rust_decimal::Decimal::from(-70));
        assert!(matches!(
            reserve_fefo(&mut order, &mut products, ShortagePolicy::RefuseOnShortage),
            Err(AllocationError::AlreadyReserved { .. })
        ));

        let back = release(&mut order, &mut products).unwrap();
        assert_eq!(
            back.iter().map(|m| m.delta).sum::<rust_decimal::Decimal>(),
            rust_decimal::Decimal::from(70)
        );
        assert_eq!(products, original);
        assert!(!order.stock_reserved);
        // Cancel twice: the second release is refused and changes nothing.
        assert!(matches!(
            release(&mut order, &mut products),
            Err(AllocationError::NotReserved { .. })
        ));
        assert_eq!(products, original);
    }

    #[test]
    fn reserve_is_all_or_nothing() {
        let mut products: ProductsById = [
            ("X".to_string(), product("X", example_batches())),
            ("Y".to_string(), product("Y", vec![dated("Y1", 5, None)])),
        ]
        .into();
        let original = products.clone();
        let mut order = order_with(vec![item("X", 10), item("Y", 6)]);
        let err = reserve_fefo(&mut order, &mut products, ShortagePolicy::RefuseOnShortage);
        assert!(matches!(err, Err(AllocationError::Shortage { .. })));
        assert_eq!(products, original);
        assert!(!order.stock_reserved);
        assert!(order.items[0].allocated_batches.is_empty());
        let mut unknown = order_with(vec![item("NOPE", 1)]);
        assert!(matches!(
            reserve_fefo(&mut unknown, &mut products, ShortagePolicy::AllowPartial),
            Err(AllocationError::UnknownProduct { .. })
        ));
    }

    #[test]
    fn partial_reservation_reports_shortfall_for_backorder() {
        let mut products = example_products();
        let mut order = order_with(vec![item("X", 200)]);
        let alloc = reserve_fefo(&mut order, &mut products, ShortagePolicy::AllowPartial).unwrap();
        assert!(!alloc.is_complete());
        assert_eq!(alloc.shortfalls, vec![q(50)]);
        assert_eq!(products["X"].stock, Quantity::ZERO);
    }

    #[test]
    fn clearance_reserves_its_named_batch_and_release_gives_it_back() {
        let mut products = example_products();
        let mut order = order_with(vec![line_of_batch_b(25)]);
        order.source_warehouse = None;
        reserve_named(&mut order, &mut products);
        assert_eq!(qty_of(&products["X"].batches, "B"), q(75));
        release(&mut order, &mut products).unwrap();
        assert_eq!(qty_of(&products["X"].batches, "B"), q(100));
    }

    #[test]
    fn release_recreates_a_vanished_batch_in_the_order_warehouse() {
        let mut products = example_products();
        let mut order = order_with(vec![item("X", 10)]);
        reserve_fefo(&mut order, &mut products, ShortagePolicy::RefuseOnShortage).unwrap();
        products
            .get_mut("X")
            .unwrap()
            .batches
            .retain(|b| b.batch_number != "C");
        let moves = release(&mut order, &mut products).unwrap();
        let c = products["X"]
            .batches
            .iter()
            .find(|b| b.batch_number == "C")
            .unwrap();
        assert_eq!(c.quantity, q(10));
        assert_eq!(c.warehouse_id.as_deref(), Some("WH-KURLA"));
        assert_eq!(c.exp_date, DateOnly::ymd(2026, 2, 1));
        assert_eq!(moves[0].warehouse_id.as_deref(), Some("WH-KURLA"));
    }

    #[test]
    fn release_returns_to_the_batch_in_another_warehouse_rather_than_inventing_one() {
        let mut b = dated("B", 100, Some((2026, 5, 1)));
        b.warehouse_id = Some("WH-JOLLY".into());
        let mut products: ProductsById = [("X".to_string(), product("X", vec![b]))].into();
        let original = products.clone();
        let mut order = order_with(vec![line_of_batch_b(25)]);
        reserve_named(&mut order, &mut products);
        // The order was later routed via WH-KURLA.
        assert_eq!(order.source_warehouse.as_deref(), Some("WH-KURLA"));
        let moves = release(&mut order, &mut products).unwrap();
        assert_eq!(products, original);
        assert_eq!(moves[0].warehouse_id.as_deref(), Some("WH-JOLLY"));
    }

    #[test]
    fn returns_restock_at_most_what_was_allocated_once() {
        let mut products = example_products();
        let mut order = order_with(vec![item("X", 60)]);
        reserve_fefo(&mut order, &mut products, ShortagePolicy::RefuseOnShortage).unwrap();
        let too_many: BTreeMap<usize, Quantity> = [(0, q(61))].into();
        assert!(matches!(
            restock_returns(&mut order, &mut products, &too_many),
            Err(AllocationError::ReturnExceedsAllocation { .. })
        ));
        let some: BTreeMap<usize, Quantity> = [(0, q(15))].into();
        let moves = restock_returns(&mut order, &mut products, &some).unwrap();
        assert_eq!(moves.len(), 2, "C 10 then A 5");
        assert_eq!(products["X"].stock, q(90 + 15));
        assert!(!order.stock_reserved);
        assert!(restock_returns(&mut order, &mut products, &some).is_err());
        assert!(!consume(&mut order));
    }

    #[test]
    fn packing_must_match_the_allocation() {
        let mut products = example_products();
        let mut order = order_with(vec![item("X", 60), item("X", 100)]);
        reserve_fefo(&mut order, &mut products, ShortagePolicy::AllowPartial).unwrap();
        // Line 2 only got 90 of 100.
        assert_eq!(packing_complete(&order, &[q(60), q(90)]), Ok(false));
        assert_eq!(packing_complete(&order, &[q(60), q(50)]), Ok(false));
        assert!(matches!(
            packing_complete(&order, &[q(61), q(90)]),
            Err(AllocationError::PackedExceedsAllocation { line: 0, .. })
        ));
        assert!(matches!(
            packing_complete(&order, &[q(60)]),
            Err(AllocationError::PackedLineCount { .. })
        ));
        let mut full = order_with(vec![item("X", 10)]);
        let mut products = example_products();
        reserve_fefo(&mut full, &mut products, ShortagePolicy::RefuseOnShortage).unwrap();
        assert_eq!(packing_complete(&full, &[q(10)]), Ok(true));
    }

    #[test]
    fn legacy_orders_with_allocations_before_dispatch_hold_stock() {
        let mut o = order_with(vec![item("X", 10)]);
        o.items[0].allocated_batches.push(AllocatedBatch {
            batch_number: "C".into(),
            qty: q(10),
            expiry: None,
            product_id: None,
            warehouse_id: None,
        });
        o.status = OrderStatus::PendingPacking;
        assert!(legacy_holds_stock(&o));
        o.status = OrderStatus::InTransit;
        assert!(!legacy_holds_stock(&o));
    }

    fn arb_batches() -> impl Strategy<Value = Vec<Batch>> {
        proptest::collection::vec(
            (0u64..80, proptest::option::of(1u32..28), any::<bool>()),
            1..6,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (n, day, active))| Batch {
                    is_active: active && n > 0,
                    ..dated(&format!("B{i}"), n, day.map(|d| (2026, 3, d)))
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn fefo_never_negative_and_conserves(batches in arb_batches(), need in 0u64..300, partial in any::<bool>()) {
            let policy = if partial { ShortagePolicy::AllowPartial } else { ShortagePolicy::RefuseOnShortage };
            let before = total(&batches);
            match allocate_fefo("X", &batches, Scope::AnyWarehouse, q(need), policy) {
                Ok(l) => {
                    prop_assert_eq!(l.allocated_qty() + l.shortfall, q(need));
                    prop_assert_eq!(total(&l.batches) + l.allocated_qty(), before);
                    prop_assert!(l.allocated.iter().all(|a| !a.qty.is_zero()));
                    prop_assert!(l.batches.iter().all(|b| b.quantity.value() >= rust_decimal::Decimal::ZERO));
                }
                Err(AllocationError::Shortage { available, .. }) => {
                    prop_assert!(!partial);
                    prop_assert!(available < q(need));
                }
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
        }

        #[test]
        fn allocate_then_restore_gives_original_quantities(
            batches in arb_batches(),
            needs in proptest::collection::vec(1u64..60, 1..4),
            cancels in 1usize..4,
        ) {
            let mut products: ProductsById = [("X".to_string(), product("X", batches))].into();
            let original = products.clone();
            let mut order = order_with(needs.iter().map(|n| item("X", *n)).collect());
            if reserve(&mut order, &mut products, Scope::AnyWarehouse, ShortagePolicy::AllowPartial, &BTreeMap::new()).is_ok()
                && order.stock_reserved
            {
                let mut released = 0;
                for _ in 0..cancels {
                    if release(&mut order, &mut products).is_ok() {
                        released += 1;
                    }
                }
                prop_assert_eq!(released, 1);
            }
            prop_assert_eq!(products, original);
        }
    }
}
