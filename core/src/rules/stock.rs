//! Product stock held in batches: the derived total and the single-batch draw-down
//! (domain.md §2.1).
//!
//! One stock store (fixing D-L1): every batch lives in `products.batches`, optionally tagged
//! with the warehouse that holds it; `Product.stock` is only ever the derived
//! Σ active batch quantities, recomputed by [`sync_stock`] after every change. Functions take
//! the current batches and return new ones, so a failed rule leaves the input untouched.

use crate::model::product::{Batch, Product};
use crate::types::Quantity;
use serde::{Deserialize, Serialize};

/// Which batches a stock operation may touch.
///
/// `WarehouseOrUnassigned` exists for the migration period: legacy product batches carry no
/// warehouse (they were the clearance store), and a warehouse may be allowed to draw on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope<'a> {
    AnyWarehouse,
    Warehouse(&'a str),
    WarehouseOrUnassigned(&'a str),
}

impl Scope<'_> {
    pub fn contains(&self, batch: &Batch) -> bool {
        match (self, batch.warehouse_id.as_deref()) {
            (Scope::AnyWarehouse, _) => true,
            (Scope::Warehouse(w), Some(b)) | (Scope::WarehouseOrUnassigned(w), Some(b)) => *w == b,
            (Scope::Warehouse(_), None) => false,
            (Scope::WarehouseOrUnassigned(_), None) => true,
        }
    }

    /// The warehouse id a batch recreated under this scope should carry.
    pub fn warehouse_id(&self) -> Option<&str> {
        match self {
            Scope::AnyWarehouse => None,
            Scope::Warehouse(w) | Scope::WarehouseOrUnassigned(w) => Some(w),
        }
    }
}

/// Σ quantity of the active batches. Inactive batches do not count even with a positive
/// quantity (a quarantined or written-off batch is not sellable).
pub fn total(batches: &[Batch]) -> Quantity {
    batches
        .iter()
        .filter(|b| b.is_active)
        .map(|b| b.quantity)
        .sum()
}

/// Σ active quantity within a scope (e.g. one warehouse's stock of a product).
pub fn total_in(batches: &[Batch], scope: Scope<'_>) -> Quantity {
    batches
        .iter()
        .filter(|b| b.is_active && scope.contains(b))
        .map(|b| b.quantity)
        .sum()
}

/// Recomputes the derived `stock` of a product from its batches.
pub fn sync_stock(product: &mut Product) {
    product.stock = total(&product.batches);
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("batch {batch_number} not found or inactive")]
    NotFoundOrInactive { batch_number: String },
    #[error(
        "batch {batch_number}: insufficient quantity (available {available}, requested {requested})"
    )]
    Insufficient {
        batch_number: String,
        available: Quantity,
        requested: Quantity,
    },
    #[error("a draw must be for more than zero")]
    ZeroQuantity,
}

/// Index of the first active batch with this number within the scope.
pub fn find_active(batches: &[Batch], batch_number: &str, scope: Scope<'_>) -> Option<usize> {
    batches
        .iter()
        .position(|b| b.is_active && b.batch_number == batch_number && scope.contains(b))
}

/// Draws `qty` from one named, active batch (clearance booking). Refused — with nothing
/// changed — when the batch is missing/inactive or holds less than requested; a batch drawn
/// to exactly zero becomes inactive.
/// Example: B1 100, B2 50, B3 30 (inactive) → stock 150; draw 50 from B2 → B2 0 inactive,
/// stock 100; draw 120 from B1 → Insufficient, unchanged.
pub fn draw_down(
    batches: &[Batch],
    batch_number: &str,
    qty: Quantity,
    scope: Scope<'_>,
) -> Result<Vec<Batch>, DrawError> {
    if qty.is_zero() {
        return Err(DrawError::ZeroQuantity);
    }
    let i =
        find_active(batches, batch_number, scope).ok_or_else(|| DrawError::NotFoundOrInactive {
            batch_number: batch_number.to_string(),
        })?;
    let available = batches[i].quantity;
    let left = available
        .checked_sub(qty)
        .ok_or_else(|| DrawError::Insufficient {
            batch_number: batch_number.to_string(),
            available,
            requested: qty,
        })?;
    let mut out = batches.to_vec();
    out[i].quantity = left;
    if left.is_zero() {
        out[i].is_active = false;
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::types::DateOnly;
    use proptest::prelude::*;

    pub(crate) fn batch(n: &str, q: u64, active: bool) -> Batch {
        Batch {
            batch_id: n.to_string(),
            batch_number: n.to_string(),
            mfg_date: None,
            exp_date: None,
            quantity: Quantity::from_int(q),
            weight: None,
            is_active: active,
            warehouse_id: None,
            created_at: None,
        }
    }

    pub(crate) fn dated(n: &str, q: u64, exp: Option<(i32, u32, u32)>) -> Batch {
        Batch {
            exp_date: exp.and_then(|(y, m, d)| DateOnly::ymd(y, m, d)),
            ..batch(n, q, true)
        }
    }

    fn q(n: u64) -> Quantity {
        Quantity::from_int(n)
    }

    #[test]
    fn example_2_1_b1_b2_b3_sequence() {
        let batches = vec![
            batch("B1", 100, true),
            batch("B2", 50, true),
            batch("B3", 30, false),
        ];
        assert_eq!(total(&batches), q(150));

        let after = draw_down(&batches, "B2", q(50), Scope::AnyWarehouse).unwrap();
        assert_eq!(after[1].quantity, Quantity::ZERO);
        assert!(!after[1].is_active);
        assert_eq!(total(&after), q(100));

        let err = draw_down(&after, "B1", q(120), Scope::AnyWarehouse).unwrap_err();
        assert_eq!(
            err,
            DrawError::Insufficient {
                batch_number: "B1".into(),
                available: q(100),
                requested: q(120)
            }
        );
        assert_eq!(total(&after), q(100), "nothing changed");
    }

    #[test]
    fn inactive_or_missing_batches_cannot_be_drawn() {
        let batches = vec![batch("B3", 30, false)];
        assert!(matches!(
            draw_down(&batches, "B3", q(1), Scope::AnyWarehouse),
            Err(DrawError::NotFoundOrInactive { .. })
        ));
        assert!(matches!(
            draw_down(&batches, "NOPE", q(1), Scope::AnyWarehouse),
            Err(DrawError::NotFoundOrInactive { .. })
        ));
        assert_eq!(
            draw_down(&batches, "B3", Quantity::ZERO, Scope::AnyWarehouse),
            Err(DrawError::ZeroQuantity)
        );
    }

    #[test]
    fn scopes_select_warehouse_batches() {
        let mut a = batch("A", 10, true);
        a.warehouse_id = Some("WH-KURLA".into());
        let mut b = batch("B", 20, true);
        b.warehouse_id = Some("WH-JOLLY".into());
        let c = batch("C", 5, true);
        let all = vec![a, b, c];
        assert_eq!(total_in(&all, Scope::AnyWarehouse), q(35));
        assert_eq!(total_in(&all, Scope::Warehouse("WH-KURLA")), q(10));
        assert_eq!(
            total_in(&all, Scope::WarehouseOrUnassigned("WH-KURLA")),
            q(15)
        );
        assert!(draw_down(&all, "B", q(1), Scope::Warehouse("WH-KURLA")).is_err());
    }

    #[test]
    fn sync_stock_derives_the_product_total() {
        let mut p = Product::new("SKU-1", "Prawns 200g");
        p.batches = vec![batch("B1", 100, true), batch("B3", 30, false)];
        p.stock = q(999);
        sync_stock(&mut p);
        assert_eq!(p.stock, q(100));
    }

    proptest! {
        #[test]
        fn draw_conserves_or_changes_nothing(qs in proptest::collection::vec(0u64..200, 1..6), pick in 0usize..6, want in 0u64..250) {
            let batches: Vec<Batch> = qs.iter().enumerate().map(|(i, n)| batch(&format!("B{i}"), *n, *n > 0)).collect();
            let name = format!("B{pick}");
            let before = total(&batches);
            let available = batches.iter().find(|b| b.batch_number == name && b.is_active).map(|b| b.quantity);
            match draw_down(&batches, &name, q(want), Scope::AnyWarehouse) {
                Ok(after) => {
                    prop_assert_eq!(total(&after) + q(want), before);
                    prop_assert!(after.iter().all(|b| !b.is_active || !b.quantity.is_zero()));
                }
                Err(DrawError::Insufficient { available: a, .. }) => prop_assert!(a < q(want)),
                Err(DrawError::NotFoundOrInactive { .. }) => prop_assert!(available.is_none()),
                Err(DrawError::ZeroQuantity) => prop_assert_eq!(want, 0),
            }
        }
    }
}
