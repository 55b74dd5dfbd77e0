//! JSON numbers the operations areas read exactly and write the way the legacy API printed
//! them: `de_number` / `de_opt_number` refuse text and keep decimals exact (packaging
//! and PMS bodies, the route-cost request), `tidy_numbers` prints whole values
//! without a fraction (PMS and logistics answers). Separate because several areas share
//! them and none owns them.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use std::str::FromStr;

/// A JSON number, read exactly (through its text, so 0.1 stays 0.1). Text is refused: the
/// legacy accepted `"5"` and concatenated it (8.2.21).
pub(crate) fn de_number<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => Decimal::from_str(&n.to_string())
            .or_else(|_| Decimal::from_scientific(&n.to_string()))
            .map_err(|_| serde::de::Error::custom(format!("{n} is not a usable number"))),
        other => Err(serde::de::Error::custom(format!(
            "expected a number, got {other}"
        ))),
    }
}

/// [`de_number`] for an optional field (`null` or absent → `None`).
pub(crate) fn de_opt_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => de_number(v).map(Some).map_err(serde::de::Error::custom),
    }
}

/// Whole numbers as JSON integers (`99`, not `99.0`): decimals such as scores serialise as
/// doubles, and the legacy API (JavaScript numbers) printed whole values without a fraction.
pub(crate) fn tidy_numbers(v: &mut Value) {
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64()
                && n.is_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *v = json!(f as i64);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(tidy_numbers),
        Value::Object(o) => o.values_mut().for_each(tidy_numbers),
        _ => {}
    }
}

/// The largest amount a request may carry (salaries, targets, credit figures, prices):
/// far above any real figure, and small enough that sums of many of them stay exact.
pub(crate) const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// A whole number, also when written with a zero fraction (`365.0`): JSON Schema's
/// `integer` admits both spellings, so the document's integers are read both ways.
pub(crate) fn de_opt_whole<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<i64>, D::Error> {
    use serde::Deserialize as _;
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => whole_number(&n)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number"))),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a whole number, got {other}"
        ))),
    }
}

/// `T` (an amount or a percentage) read from JSON, refusing a negative number so small that
/// the decimal conversion would read it as 0 (`-1e-300`): the document's `minimum: 0`
/// excludes it, and an ordinary negative is refused later with its field named.
pub(crate) fn de_opt_unsigned<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::Deserialize as _;
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => {
            if v.as_f64().is_some_and(|f| f < 0.0 && f > -1e-20) {
                return Err(serde::de::Error::custom(format!("{v} is negative")));
            }
            T::deserialize(v)
                .map(Some)
                .map_err(serde::de::Error::custom)
        }
    }
}

/// A JSON number as a whole number, also when written with a zero fraction (`3.0`).
pub(crate) fn whole_number(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && (i64::MIN as f64..-(i64::MIN as f64)).contains(f))
            .map(|f| f as i64)
    })
}

/// A price or rate a master record takes: 0 to [`MAX_AMOUNT`], kept to the paisa.
pub(crate) fn price(
    field: &str,
    m: nexus_core::types::Money,
) -> Result<nexus_core::types::Money, crate::error::ApiError> {
    let m = crate::routes::common::non_negative(field, m)?;
    if m.amount() > Decimal::from(MAX_AMOUNT) {
        return Err(crate::error::ApiError::invalid(
            field,
            format!("{field} must be at most {MAX_AMOUNT}."),
        ));
    }
    Ok(m)
}
