//! Calendar dates stored as `YYYY-MM-DD` text (batch manufacture and expiry, attendance days).

use super::ParseError;
use super::timestamp;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateOnly(NaiveDate);

impl DateOnly {
    pub fn new(d: NaiveDate) -> Self {
        DateOnly(d)
    }

    pub fn ymd(y: i32, m: u32, d: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(y, m, d).map(DateOnly)
    }

    /// `YYYY-MM-DD`, or a full timestamp whose UTC date is taken (some old rows hold those),
    /// or the day-first `DD-MM-YYYY` / `DD/MM/YYYY` people type into spreadsheets.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        for fmt in ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d"] {
            if let Ok(d) = NaiveDate::parse_from_str(t, fmt) {
                return Ok(DateOnly(d));
            }
        }
        if let Ok(ts) = super::Timestamp::parse(t) {
            return Ok(DateOnly(ts.date()));
        }
        Err(ParseError::new(
            "date",
            format!("`{s}` is not a date (YYYY-MM-DD)"),
        ))
    }

    pub fn naive(self) -> NaiveDate {
        self.0
    }
}

impl fmt::Display for DateOnly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for DateOnly {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for DateOnly {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        match &v {
            serde_json::Value::String(s) => DateOnly::parse(s).map_err(serde::de::Error::custom),
            other => timestamp::from_json(other)
                .map(|t| DateOnly(t.date()))
                .ok_or_else(|| serde::de::Error::custom(format!("{v} is not a date"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_and_dates() {
        let d: DateOnly = serde_json::from_str("\"2026-06-01\"").unwrap();
        assert_eq!(d.to_string(), "2026-06-01");
        let d: DateOnly = serde_json::from_str(r#"{"$date":"2026-06-01T00:00:00.000Z"}"#).unwrap();
        assert_eq!(d, DateOnly::ymd(2026, 6, 1).unwrap());
        assert!(DateOnly::parse("31-02-2026").is_err());
    }
}
