//! Money in Indian rupees. Held as a decimal (never a float) and stored as a JSON/BSON number
//! so documents written by the old Node system keep reading and old readers keep working.

use super::ParseError;
use super::serde_util::{decimal_from_f64, lenient_decimal};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

/// An amount of rupees. Arithmetic keeps full precision; [`Money::round2`] applies the
/// invoice rounding (half away from zero, to the paisa) where a figure is shown or stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn new(d: Decimal) -> Self {
        Money(d)
    }

    pub fn from_rupees(r: i64) -> Self {
        Money(Decimal::from(r))
    }

    /// Parses user or spreadsheet text: `1250`, `1,250.50`, ` 5,00,000 `.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        lenient_decimal(&serde_json::Value::String(s.to_string()))
            .map(Money)
            .ok_or_else(|| ParseError::new("money", format!("`{s}` is not an amount")))
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    /// Rounds to two decimals, half away from zero (₹0.005 → ₹0.01), as GST invoices do.
    pub fn round2(self) -> Self {
        Money(
            self.0
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        )
    }

    /// Rounds to the whole rupee, half away from zero (used by the logistics cost table).
    pub fn round0(self) -> Self {
        Money(
            self.0
                .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero),
        )
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }

    pub fn is_negative(self) -> bool {
        self.0 < Decimal::ZERO
    }

    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(0.0)
    }

    pub fn max(self, other: Money) -> Money {
        if self >= other { self } else { other }
    }

    pub fn min(self, other: Money) -> Money {
        if self <= other { self } else { other }
    }
}

impl From<Decimal> for Money {
    fn from(d: Decimal) -> Self {
        Money(d)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "₹{}", self.round2().0)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}
impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}
impl SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        self.0 -= o.0;
    }
}
impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}
impl Mul<Decimal> for Money {
    type Output = Money;
    fn mul(self, k: Decimal) -> Money {
        Money(self.0 * k)
    }
}
impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_decimal_number(self.0, s)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_decimal(d, "money").map(Money)
    }
}

/// A percentage expressed in points (5 means 5 %), as the legacy data stores GST and margins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(Decimal);

impl Percent {
    pub const ZERO: Percent = Percent(Decimal::ZERO);

    /// A percentage between 0 and 100 inclusive.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let cleaned = s.trim().trim_end_matches('%').trim();
        let d = lenient_decimal(&serde_json::Value::String(cleaned.to_string()))
            .ok_or_else(|| ParseError::new("percent", format!("`{s}` is not a percentage")))?;
        Self::new(d)
    }

    pub fn new(points: Decimal) -> Result<Self, ParseError> {
        if points < Decimal::ZERO || points > Decimal::ONE_HUNDRED {
            return Err(ParseError::new(
                "percent",
                format!("{points} is outside 0–100"),
            ));
        }
        Ok(Percent(points))
    }

    pub fn points(self) -> Decimal {
        self.0
    }

    /// The fraction this percentage stands for (5 % → 0.05).
    pub fn fraction(self) -> Decimal {
        self.0 / Decimal::ONE_HUNDRED
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0.normalize())
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_decimal_number(self.0, s)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = deserialize_decimal(d, "percent")?;
        Percent::new(v).map_err(serde::de::Error::custom)
    }
}

/// Writes a decimal as a plain number: integral values as integers, others as doubles,
/// which is how Mongoose stored them.
pub(crate) fn serialize_decimal_number<S: Serializer>(d: Decimal, s: S) -> Result<S::Ok, S::Error> {
    let n = d.normalize();
    if n.scale() == 0
        && let Some(i) = n.to_i64()
    {
        return s.serialize_i64(i);
    }
    s.serialize_f64(n.to_f64().unwrap_or(0.0))
}

pub(crate) fn deserialize_decimal<'de, D: Deserializer<'de>>(
    d: D,
    what: &'static str,
) -> Result<Decimal, D::Error> {
    struct V(&'static str);
    impl serde::de::Visitor<'_> for V {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "a number for {}", self.0)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Decimal, E> {
            decimal_from_f64(v).ok_or_else(|| E::custom(format!("{v} is not a finite {}", self.0)))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
            lenient_decimal(&serde_json::Value::String(v.to_string()))
                .ok_or_else(|| E::custom(format!("`{v}` is not a {}", self.0)))
        }
    }
    d.deserialize_any(V(what))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn reads_numbers_and_text_and_writes_numbers() {
        let m: Money = serde_json::from_str("116.29").unwrap();
        assert_eq!(m.amount(), dec!(116.29));
        let m: Money = serde_json::from_str("\"5,00,000\"").unwrap();
        assert_eq!(m.amount(), dec!(500000));
        assert_eq!(
            serde_json::to_string(&Money::new(dec!(220.00))).unwrap(),
            "220"
        );
        assert_eq!(
            serde_json::to_string(&Money::new(dec!(581.45))).unwrap(),
            "581.45"
        );
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(Money::new(dec!(500.665)).round2().amount(), dec!(500.67));
        assert_eq!(Money::new(dec!(-0.005)).round2().amount(), dec!(-0.01));
    }

    #[test]
    fn percent_bounds() {
        assert_eq!(Percent::parse("5%").unwrap().points(), dec!(5));
        assert!(Percent::parse("140").is_err());
        assert!(serde_json::from_str::<Percent>("-1").is_err());
    }
}
