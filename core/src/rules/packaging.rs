//! Packaging material balance: the MOQ low-stock flag, inward/outward validation and the
//! prototype's health label (domain.md §2.10).
//!
//! Why `balance ≤ moq` is low: the MOQ is the re-order point the stores team set, and the
//! legacy screen counted equality as low; the rewrite keeps that so counts do not change.

use crate::model::packaging::PackagingMaterial;
use crate::types::{Quantity, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackagingError {
    /// The legacy endpoints accepted zero, negative and text quantities (`500 + "5"` = 5005).
    #[error("quantity must be greater than zero (got {0})")]
    NonPositiveQuantity(Decimal),
    #[error("insufficient balance: available {available}, requested {requested}")]
    InsufficientBalance {
        available: Quantity,
        requested: Quantity,
    },
}

/// Low stock: balance at or below the minimum order quantity.
pub fn is_low_stock(balance: Quantity, moq: Quantity) -> bool {
    balance <= moq
}

fn positive(qty: Decimal) -> Result<Quantity, PackagingError> {
    Quantity::positive(qty).map_err(|_| PackagingError::NonPositiveQuantity(qty))
}

/// An inward (IN) movement: the new balance.
pub fn inward(balance: Quantity, qty: Decimal) -> Result<Quantity, PackagingError> {
    Ok(balance + positive(qty)?)
}

/// An outward (OUT) movement: the new balance, refused (with available/requested) when the
/// balance is smaller than the quantity. The store applies it with a guard
/// `balance >= qty` so two concurrent outwards cannot both pass (D-R2).
pub fn outward(balance: Quantity, qty: Decimal) -> Result<Quantity, PackagingError> {
    let requested = positive(qty)?;
    balance
        .checked_sub(requested)
        .ok_or(PackagingError::InsufficientBalance {
            available: balance,
            requested,
        })
}

/// A material holding more than this many times its MOQ is over-stocked (PROTO).
pub const OVERAGE_FACTOR: i64 = 10;
/// A material without movement for longer than this is stagnant (PROTO).
pub const STAGNANT_AFTER_DAYS: i64 = 30;

/// A packaging material's health label (LOW at or below the MOQ, OVERAGE above ten times it,
/// STAGNANT unmoved for long, else OK), one per material, in precedence order LOW > OVERAGE >
/// STAGNANT > OK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PackagingHealth {
    Low,
    Overage,
    Stagnant,
    Ok,
}

/// Health of one material.
///
/// Decisions (not fixed by the prototype): OVERAGE needs a positive MOQ (with no re-order
/// point set, any stock would be "ten times zero"); a material that has never moved
/// (`last_movement` unknown) is not called stagnant, because legacy rows lack the date until
/// their first movement; OVERAGE outranks STAGNANT since it is the larger tied-up value.
pub fn health(
    balance: Quantity,
    moq: Quantity,
    last_movement: Option<Timestamp>,
    now: Timestamp,
) -> PackagingHealth {
    if is_low_stock(balance, moq) {
        return PackagingHealth::Low;
    }
    if !moq.is_zero() && balance.value() > moq.value() * Decimal::from(OVERAGE_FACTOR) {
        return PackagingHealth::Overage;
    }
    if let Some(last) = last_movement
        && (now.datetime() - last.datetime()).num_days() > STAGNANT_AFTER_DAYS
    {
        return PackagingHealth::Stagnant;
    }
    PackagingHealth::Ok
}

/// [`is_low_stock`] for a stored material.
pub fn material_is_low(m: &PackagingMaterial) -> bool {
    is_low_stock(m.balance, m.moq)
}

/// [`health`] for a stored material.
pub fn material_health(m: &PackagingMaterial, now: Timestamp) -> PackagingHealth {
    health(m.balance, m.moq, m.last_movement_date, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn q(n: u64) -> Quantity {
        Quantity::from_int(n)
    }

    #[test]
    fn example_moq_1000_sequence() {
        let moq = q(1000);
        let b = q(500);
        assert!(is_low_stock(b, moq));
        let b = inward(b, dec!(800)).unwrap();
        assert_eq!(b, q(1300));
        assert!(!is_low_stock(b, moq));
        let b = outward(b, dec!(400)).unwrap();
        assert_eq!(b, q(900));
        assert!(is_low_stock(b, moq));
        assert_eq!(
            outward(b, dec!(1000)),
            Err(PackagingError::InsufficientBalance {
                available: q(900),
                requested: q(1000)
            })
        );
        assert!(is_low_stock(q(1000), moq), "equality counts as low");
    }

    #[test]
    fn example_proto_overage_and_stagnant() {
        let now = Timestamp::parse("2026-03-01T00:00:00Z").unwrap();
        let recent = Some(Timestamp::parse("2026-02-20T00:00:00Z").unwrap());
        let old = Some(Timestamp::parse("2026-01-15T00:00:00Z").unwrap());
        assert_eq!(
            health(q(12_000), q(1000), recent, now),
            PackagingHealth::Overage
        );
        assert_eq!(health(q(10_000), q(1000), recent, now), PackagingHealth::Ok);
        assert_eq!(
            health(q(5_000), q(1000), old, now),
            PackagingHealth::Stagnant
        );
        assert_eq!(
            health(q(500), q(1000), old, now),
            PackagingHealth::Low,
            "LOW wins"
        );
        assert_eq!(health(q(5_000), q(1000), None, now), PackagingHealth::Ok);
        assert_eq!(
            health(q(5), Quantity::ZERO, recent, now),
            PackagingHealth::Ok
        );
    }

    #[test]
    fn quantities_must_be_positive() {
        assert_eq!(
            inward(q(5), dec!(0)),
            Err(PackagingError::NonPositiveQuantity(dec!(0)))
        );
        assert!(outward(q(5), dec!(-1)).is_err());
    }

    #[test]
    fn stored_material_reads_and_scores() {
        let m: PackagingMaterial = serde_json::from_value(serde_json::json!({
            "id": "PKG-001", "name": "Poly pkt 200g", "unit": "PCS", "category": "Poly Pkts",
            "moq": 1000, "balance": 500
        }))
        .unwrap();
        assert!(material_is_low(&m));
        assert_eq!(material_health(&m, Timestamp::now()), PackagingHealth::Low);
    }

    proptest! {
        #[test]
        fn outward_never_goes_negative(bal in 0u64..10_000, qty in 1u64..20_000) {
            match outward(q(bal), Decimal::from(qty)) {
                Ok(nb) => { prop_assert!(qty <= bal); prop_assert_eq!(nb, q(bal - qty)); }
                Err(_) => prop_assert!(qty > bal),
            }
        }

        #[test]
        fn inward_then_outward_is_identity(bal in 0u64..10_000, qty in 1u64..10_000) {
            let up = inward(q(bal), Decimal::from(qty)).unwrap();
            prop_assert_eq!(outward(up, Decimal::from(qty)).unwrap(), q(bal));
        }
    }
}
