//! MongoDB extended JSON as `mongoexport` writes it by default (relaxed mode, one document
//! per line), and back.
//!
//! The store's documents hold dates as canonical timestamp text (`2026-02-12T07:45:00.000Z`,
//! see `Timestamp::is_canonical`); the MongoDB adapter keeps exactly those as BSON dates.
//! So an export writes every canonical string as `{"$date": "…"}` — what mongoexport writes
//! for a BSON date — and an import turns every `{"$date": …}` back into canonical text.
//! `{"$oid": …}` ids are kept as they are (both adapters understand them). Numbers that
//! mongoexport wraps (`$numberLong`, `$numberInt`, `$numberDouble`, `$numberDecimal`) become
//! plain JSON numbers, which is how the model reads money and quantities.

use nexus_core::types::Timestamp;
use serde_json::{Map, Number, Value};

/// The relaxed extended JSON of a stored document.
pub fn to_extended(v: &Value) -> Value {
    match v {
        Value::String(s) if Timestamp::is_canonical(s) => {
            let mut m = Map::new();
            m.insert("$date".into(), Value::String(s.clone()));
            Value::Object(m)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_extended).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), to_extended(v))).collect())
        }
        other => other.clone(),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ExtJsonError {
    pub path: String,
    pub message: String,
}

/// A stored document from relaxed or canonical extended JSON.
pub fn from_extended(v: Value) -> Result<Value, ExtJsonError> {
    convert(v, "$")
}

fn err(path: &str, message: impl Into<String>) -> ExtJsonError {
    ExtJsonError {
        path: path.to_string(),
        message: message.into(),
    }
}

fn convert(v: Value, path: &str) -> Result<Value, ExtJsonError> {
    match v {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, x)| convert(x, &format!("{path}[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(m) => {
            if m.len() == 1
                && let Some((k, inner)) = m.iter().next()
                && let Some(v) = wrapper(k, inner, path)?
            {
                return Ok(v);
            }
            let mut out = Map::new();
            for (k, x) in m {
                let p = format!("{path}.{k}");
                out.insert(k, convert(x, &p)?);
            }
            Ok(Value::Object(out))
        }
        other => Ok(other),
    }
}

/// The plain value of a one-key extended-JSON wrapper, or `None` if `key` is not one that
/// needs converting (`$oid` and the rarer types stay as they are).
fn wrapper(key: &str, inner: &Value, path: &str) -> Result<Option<Value>, ExtJsonError> {
    Ok(Some(match key {
        "$date" => Value::String(date(inner, path)?.to_iso()),
        "$numberLong" | "$numberInt" => {
            let s = inner
                .as_str()
                .ok_or_else(|| err(path, format!("{key} must hold text")))?;
            let n: i64 = s
                .parse()
                .map_err(|_| err(path, format!("{key} `{s}` is not an integer")))?;
            Value::Number(n.into())
        }
        "$numberDouble" | "$numberDecimal" => {
            let s = inner
                .as_str()
                .ok_or_else(|| err(path, format!("{key} must hold text")))?;
            if let Ok(n) = s.parse::<i64>() {
                Value::Number(n.into())
            } else {
                let f: f64 = s
                    .parse()
                    .map_err(|_| err(path, format!("{key} `{s}` is not a number")))?;
                Value::Number(
                    Number::from_f64(f)
                        .ok_or_else(|| err(path, format!("{key} `{s}` is not finite")))?,
                )
            }
        }
        _ => return Ok(None),
    }))
}

fn date(inner: &Value, path: &str) -> Result<Timestamp, ExtJsonError> {
    let t = match inner {
        Value::String(s) => Timestamp::parse(s).ok(),
        Value::Number(n) => n.as_i64().and_then(Timestamp::from_millis),
        Value::Object(o) => o
            .get("$numberLong")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(Timestamp::from_millis),
        _ => None,
    };
    // An instant outside years 0–9999 has no canonical text the store could read back.
    t.filter(|t| Timestamp::parse(&t.to_iso()).is_ok())
        .ok_or_else(|| err(path, format!("{inner} is not a date (years 0 to 9999)")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_become_date_wrappers_and_back() {
        let stored = json!({
            "_id": {"$oid": "65c9f0a1b2c3d4e5f6a7b8c9"},
            "id": "ORD-001",
            "createdAt": "2026-02-12T07:45:00.000Z",
            "statusHistory": [{"status": "Pending", "timestamp": "2026-02-12T07:45:00.000Z"}],
            "batches": [{"expDate": "2026-06-01"}],
            "total": 6203.4,
            "note": "2026-02-12T07:45:00Z"
        });
        let ext = to_extended(&stored);
        assert_eq!(
            ext["createdAt"],
            json!({"$date": "2026-02-12T07:45:00.000Z"})
        );
        assert_eq!(
            ext["statusHistory"][0]["timestamp"],
            json!({"$date": "2026-02-12T07:45:00.000Z"})
        );
        // Plain dates and non-canonical text are data, not BSON dates.
        assert_eq!(ext["batches"][0]["expDate"], "2026-06-01");
        assert_eq!(ext["note"], "2026-02-12T07:45:00Z");
        assert_eq!(ext["_id"], json!({"$oid": "65c9f0a1b2c3d4e5f6a7b8c9"}));
        assert_eq!(from_extended(ext).unwrap(), stored);
    }

    #[test]
    fn reads_what_mongoexport_writes() {
        let line = json!({
            "_id": {"$oid": "65c9f0a1b2c3d4e5f6a7b8c9"},
            "a": {"$date": "2026-02-12T07:45:00Z"},
            "b": {"$date": {"$numberLong": "-86400000"}},
            "c": {"$numberLong": "9007199254740993"},
            "d": {"$numberDouble": "0.5"},
            "e": {"$numberDecimal": "116.29"},
            "f": {"$date": 1770882300000_i64},
            "g": {"$binary": {"base64": "AA==", "subType": "00"}}
        });
        let doc = from_extended(line).unwrap();
        assert_eq!(doc["a"], "2026-02-12T07:45:00.000Z");
        assert_eq!(doc["b"], "1969-12-31T00:00:00.000Z");
        assert_eq!(doc["c"], json!(9007199254740993_i64));
        assert_eq!(doc["d"], json!(0.5));
        assert_eq!(doc["e"], json!(116.29));
        assert_eq!(doc["f"], "2026-02-12T07:45:00.000Z");
        assert_eq!(doc["g"]["$binary"]["subType"], "00");
        assert_eq!(doc["_id"]["$oid"], "65c9f0a1b2c3d4e5f6a7b8c9");
        assert!(from_extended(json!({"x": {"$date": "yesterday"}})).is_err());
    }
}
