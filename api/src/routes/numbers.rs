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
