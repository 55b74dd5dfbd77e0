//! Serde helpers for reading legacy MongoDB documents, which carry `null` where Mongoose
//! defaults were expected and numbers typed as text by the old Excel importers.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use std::str::FromStr;

/// Reads `null` (and a missing key, with `#[serde(default)]`) as the type's default, because
/// the old importers wrote `null` into fields whose schema default is 0 or an empty list.
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Parses a decimal the way the legacy data holds it: a JSON number, or text such as
/// `" 1,250.50 "`. Used by the money and quantity types.
pub fn lenient_decimal(raw: &serde_json::Value) -> Option<Decimal> {
    match raw {
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(Decimal::from(i))
            } else {
                n.as_f64().and_then(decimal_from_f64)
            }
        }
        serde_json::Value::String(s) => {
            let cleaned: String = s.trim().chars().filter(|c| *c != ',').collect();
            Decimal::from_str(&cleaned).ok()
        }
        _ => None,
    }
}

/// Converts through the shortest round-trip text so 116.29 stays 116.29 rather than
/// 116.2899999999999920419.
pub fn decimal_from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    Decimal::from_str(&f.to_string())
        .ok()
        .or_else(|| Decimal::from_scientific(&format!("{f:e}")).ok())
}

/// Reads a reference that legacy documents hold either as text or as an ObjectId
/// (`{"$oid": "…"}`; warehouses had no business id, D-D4) into its text form.
pub fn string_or_oid<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Object(m)) => match m.get("$oid") {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => {
                return Err(serde::de::Error::custom(
                    "expected a string or {\"$oid\": …}",
                ));
            }
        },
        Some(other) => Some(other.to_string()),
    })
}

/// Mongoose's `default: true`: used with `#[serde(default = …)]`.
pub fn default_true() -> bool {
    true
}

/// Reads a flag whose schema default is `true`: a missing or null value means true.
pub fn true_unless_false<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(true))
}

/// Writes a count kept as a decimal the way the old data held it: whole values as JSON
/// integers (the old mobile app parses `boxCount` as an `int` and drops a whole order list on
/// `1.0`), fractional ones as doubles.
pub fn decimal_number<S: serde::Serializer>(
    d: &rust_decimal::Decimal,
    s: S,
) -> Result<S::Ok, S::Error> {
    crate::types::money::serialize_decimal_number(*d, s)
}
