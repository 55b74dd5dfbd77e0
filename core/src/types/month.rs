//! The PMS month key. Stored as the legacy `Feb'26` text; [`PmsMonth::period`] gives the
//! sortable `2026-02` form the legacy key lacks (D-D6).

use super::ParseError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PmsMonth {
    year: i32,
    month: u32,
}

impl PmsMonth {
    pub fn new(year: i32, month: u32) -> Result<Self, ParseError> {
        if !(1..=12).contains(&month) || !(2000..=2099).contains(&year) {
            return Err(ParseError::new(
                "month",
                format!("{year}-{month} is out of range"),
            ));
        }
        Ok(PmsMonth { year, month })
    }

    /// `Feb'26` (case-insensitive, also with the typographic apostrophe) or `2026-02`.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim().replace(['’', '‘', '`'], "'");
        if let Some((m, y)) = t.split_once('\'') {
            let idx = MONTHS
                .iter()
                .position(|name| name.eq_ignore_ascii_case(m.trim()))
                .ok_or_else(|| ParseError::new("month", format!("`{s}`: unknown month")))?;
            let yy: i32 = y
                .trim()
                .parse()
                .map_err(|_| ParseError::new("month", format!("`{s}`: bad year")))?;
            if !(0..=99).contains(&yy) {
                return Err(ParseError::new(
                    "month",
                    format!("`{s}`: year must be two digits"),
                ));
            }
            return Self::new(2000 + yy, idx as u32 + 1);
        }
        if let Some((y, m)) = t.split_once('-') {
            let year = y
                .parse()
                .map_err(|_| ParseError::new("month", format!("`{s}`: bad year")))?;
            let month = m
                .parse()
                .map_err(|_| ParseError::new("month", format!("`{s}`: bad month")))?;
            return Self::new(year, month);
        }
        Err(ParseError::new(
            "month",
            format!("`{s}` is not a month like Feb'26"),
        ))
    }

    pub fn of_date(d: NaiveDate) -> Self {
        PmsMonth {
            year: d.year(),
            month: d.month(),
        }
    }

    /// Sortable `YYYY-MM`.
    pub fn period(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }
}

impl fmt::Display for PmsMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}'{:02}",
            MONTHS[(self.month - 1) as usize],
            self.year % 100
        )
    }
}

impl Serialize for PmsMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for PmsMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PmsMonth::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_form_round_trips() {
        let m = PmsMonth::parse("Feb'26").unwrap();
        assert_eq!(m.period(), "2026-02");
        assert_eq!(m.to_string(), "Feb'26");
        assert_eq!(PmsMonth::parse("feb’26").unwrap(), m);
        assert_eq!(PmsMonth::parse("2026-02").unwrap(), m);
        assert!(PmsMonth::parse("Foo'26").is_err());
        assert!(PmsMonth::parse("Feb'2026").is_err());
    }
}
