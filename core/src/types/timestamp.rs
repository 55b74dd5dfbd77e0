//! Instants in UTC. The JSON form is fixed (`2026-02-12T13:15:00.000Z`, what JavaScript's
//! `toISOString` writes) so the MongoDB adapter can turn exactly these strings into BSON
//! dates and back, and old extended-JSON exports (`{"$date": …}`) still read.

use super::ParseError;
use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        Self::from_datetime(Utc::now())
    }

    /// Truncates to milliseconds, the precision MongoDB keeps, so a value survives a round trip.
    pub fn from_datetime(dt: DateTime<Utc>) -> Self {
        let ms = dt.timestamp_millis();
        Timestamp(Utc.timestamp_millis_opt(ms).single().unwrap_or(dt))
    }

    pub fn from_millis(ms: i64) -> Option<Self> {
        Utc.timestamp_millis_opt(ms).single().map(Timestamp)
    }

    /// This instant plus `d` (saturating at the far future).
    pub fn plus(self, d: std::time::Duration) -> Self {
        let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2);
        Timestamp::from_millis(self.millis().saturating_add(ms)).unwrap_or(self)
    }

    pub fn millis(self) -> i64 {
        self.0.timestamp_millis()
    }

    pub fn datetime(self) -> DateTime<Utc> {
        self.0
    }

    pub fn date(self) -> NaiveDate {
        self.0.date_naive()
    }

    /// Accepts RFC 3339 (any offset), a bare `YYYY-MM-DD` (midnight UTC) and epoch millis.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return Ok(Self::from_datetime(dt.with_timezone(&Utc)));
        }
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Ok(Self::from_datetime(
                d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
            ));
        }
        if let Ok(ms) = t.parse::<i64>()
            && let Some(ts) = Self::from_millis(ms)
        {
            return Ok(ts);
        }
        Err(ParseError::new(
            "timestamp",
            format!("`{s}` is not a date and time"),
        ))
    }

    /// The canonical text form; see the module comment.
    pub fn to_iso(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// True when `s` is exactly in the canonical form, which the MongoDB adapter stores as a
    /// BSON date.
    pub fn is_canonical(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 24
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'.'
            && b[23] == b'Z'
            // A leap second parses, but the stored millisecond instant prints as the next
            // minute: such text is not the canonical form of any instant.
            && &b[17..19] != b"60"
            && DateTime::parse_from_rfc3339(s).is_ok()
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(dt: DateTime<Utc>) -> Self {
        Self::from_datetime(dt)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_iso())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        from_json(&v).ok_or_else(|| serde::de::Error::custom(format!("{v} is not a timestamp")))
    }
}

/// Reads the shapes a date takes in old data and exports: text, epoch millis, and extended
/// JSON `{"$date": "…"}` / `{"$date": {"$numberLong": "…"}}`.
pub(crate) fn from_json(v: &serde_json::Value) -> Option<Timestamp> {
    match v {
        serde_json::Value::String(s) => Timestamp::parse(s).ok(),
        serde_json::Value::Number(n) => n.as_i64().and_then(Timestamp::from_millis),
        serde_json::Value::Object(m) => {
            let inner = m.get("$date")?;
            match inner {
                serde_json::Value::Object(o) => o
                    .get("$numberLong")
                    .and_then(|x| x.as_str())
                    .and_then(|x| x.parse::<i64>().ok())
                    .and_then(Timestamp::from_millis),
                other => from_json(other),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_round_trip_and_legacy_shapes() {
        let t = Timestamp::parse("2026-02-12T13:15:00+05:30").unwrap();
        assert_eq!(t.to_iso(), "2026-02-12T07:45:00.000Z");
        assert!(Timestamp::is_canonical(&t.to_iso()));
        assert!(!Timestamp::is_canonical("2026-02-12"));
        let a: Timestamp = serde_json::from_str(r#"{"$date":"2026-02-12T07:45:00.000Z"}"#).unwrap();
        let b: Timestamp =
            serde_json::from_str(r#"{"$date":{"$numberLong":"1770882300000"}}"#).unwrap();
        assert_eq!(a, t);
        assert_eq!(b, t);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-02-12T07:45:00.000Z\""
        );
    }
}
