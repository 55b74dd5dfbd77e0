//! Stock and order quantities. The legacy data mixes units (KG, PCS, PKT), so a quantity is a
//! non-negative decimal rather than an integer.

use super::ParseError;
use super::money::{deserialize_decimal, serialize_decimal_number};
use super::serde_util::lenient_decimal;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

/// A quantity that is never negative. Subtraction that would go below zero is a rule
/// violation the caller must handle ([`Quantity::checked_sub`]); the old system let stock go
/// negative (defect D-L2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(Decimal);

impl Quantity {
    pub const ZERO: Quantity = Quantity(Decimal::ZERO);

    pub fn new(d: Decimal) -> Result<Self, ParseError> {
        if d < Decimal::ZERO {
            return Err(ParseError::new("quantity", format!("{d} is negative")));
        }
        Ok(Quantity(d.normalize()))
    }

    pub fn from_int(n: u64) -> Self {
        Quantity(Decimal::from(n))
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let d = lenient_decimal(&serde_json::Value::String(s.to_string()))
            .ok_or_else(|| ParseError::new("quantity", format!("`{s}` is not a quantity")))?;
        Self::new(d)
    }

    /// A quantity that must be greater than zero (order lines, stock movements).
    pub fn positive(d: Decimal) -> Result<Self, ParseError> {
        if d <= Decimal::ZERO {
            return Err(ParseError::new(
                "quantity",
                format!("{d} must be greater than 0"),
            ));
        }
        Ok(Quantity(d.normalize()))
    }

    pub fn value(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn checked_sub(self, o: Quantity) -> Option<Quantity> {
        if o.0 > self.0 {
            None
        } else {
            Some(Quantity(self.0 - o.0))
        }
    }

    /// Subtraction floored at zero.
    pub fn saturating_sub(self, o: Quantity) -> Quantity {
        self.checked_sub(o).unwrap_or(Quantity::ZERO)
    }

    pub fn min(self, o: Quantity) -> Quantity {
        if self <= o { self } else { o }
    }
}

impl Add for Quantity {
    type Output = Quantity;
    fn add(self, o: Quantity) -> Quantity {
        Quantity(self.0 + o.0)
    }
}

/// `a - b` for quantities where the caller has already established `a >= b`; floors at 0
/// so the invariant holds even if that reasoning is wrong.
impl Sub for Quantity {
    type Output = Quantity;
    fn sub(self, o: Quantity) -> Quantity {
        self.saturating_sub(o)
    }
}

impl Sum for Quantity {
    fn sum<I: Iterator<Item = Quantity>>(iter: I) -> Quantity {
        iter.fold(Quantity::ZERO, Add::add)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_decimal_number(self.0, s)
    }
}

/// Legacy documents can hold negative quantities (overdrawn batches, D-L2/D-L3); they read
/// as zero instead of failing the whole document, and the repair is visible in the audit.
impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = deserialize_decimal(d, "quantity")?;
        Ok(Quantity(v.max(Decimal::ZERO).normalize()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn never_negative() {
        assert!(Quantity::new(dec!(-1)).is_err());
        assert!(Quantity::positive(dec!(0)).is_err());
        let q: Quantity = serde_json::from_str("-5").unwrap();
        assert_eq!(q, Quantity::ZERO);
        assert_eq!(
            Quantity::from_int(3).checked_sub(Quantity::from_int(4)),
            None
        );
    }
}
