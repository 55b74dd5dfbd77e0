//! Cell values as the old system's workbooks actually hold them (fixtures README, edge cases
//! 5–7, 10, 14): numbers stored as text in accounting form (`  0.500 `, ` - ` for zero,
//! `(1,234.50)` for a negative, Indian grouping `5,00,000`), percentages bare or with `%`,
//! codes that look like numbers but must stay text, non-breaking spaces, and — in files Excel
//! or the app saved — real numbers, dates and formulas (calamine hands over the cached
//! result, so a formula reads like the value it shows).
//!
//! Blank is not zero: an empty cell, an empty string and a whitespace-only string are all
//! "no value" (`None`), while `0` and ` - ` are zero.

use calamine::{Data, ExcelDateTime};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

/// Why a cell could not be read as the column's kind; the text goes into the report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CellIssue(pub String);

/// Text with non-breaking spaces and the byte-order mark turned into plain spaces, trimmed,
/// inner runs of whitespace collapsed. Stored values use this form: a name that differs
/// only by a U+00A0 (seed rows 509–516) is the same name to every reader and search.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s
        .split(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}')
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A number cell as text without float noise: `2004643.0` → `2004643`, `0.2` → `0.2`.
fn float_text(f: f64) -> String {
    match Decimal::from_f64(f) {
        Some(d) => d.normalize().to_string(),
        None => f.to_string(),
    }
}

/// An Excel date serial as `YYYY-MM-DD` (or with the time when it has one), 1900 system.
fn date_text(dt: &ExcelDateTime) -> String {
    let serial = dt.as_f64();
    // Day 0 is 1899-12-30 once Lotus's phantom 1900-02-29 is accounted for.
    // A serial past the calendar (a crafted or corrupt file) reads as the number it is,
    // never as a panic: every step below is checked.
    if !serial.is_finite() {
        return float_text(serial);
    }
    let days = serial.floor() as i64;
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    let date = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .zip(chrono::Duration::try_days(days))
        .and_then(|(epoch, d)| epoch.checked_add_signed(d));
    let Some(date) = date else {
        return float_text(serial);
    };
    if secs == 0 {
        date.format("%Y-%m-%d").to_string()
    } else {
        match date
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.checked_add_signed(chrono::Duration::seconds(secs)))
        {
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => float_text(serial),
        }
    }
}

/// The cell as display text (`None` when blank). A spreadsheet error (`#N/A`, `#REF!`) is
/// an issue, not text: the row's value is unknown.
pub fn text(cell: &Data) -> Result<Option<String>, CellIssue> {
    let s = match cell {
        Data::Empty => return Ok(None),
        Data::String(s) => clean(s),
        Data::Float(f) => float_text(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => date_text(dt),
        Data::DateTimeIso(s) | Data::DurationIso(s) => clean(s),
        Data::Error(e) => {
            return Err(CellIssue(format!(
                "the cell holds the spreadsheet error {e}"
            )));
        }
    };
    Ok(Some(s).filter(|s| !s.is_empty()))
}

/// The cell as it should appear in a report (original value, errors shown as written).
pub fn display(cell: &Data) -> String {
    match cell {
        Data::Error(e) => e.to_string(),
        Data::String(s) => s.clone(),
        other => text(other).ok().flatten().unwrap_or_default(),
    }
}

/// A code (SKU, customer id, HSN): text kept as text, a number cell without its `.0`.
pub fn code(cell: &Data) -> Result<Option<String>, CellIssue> {
    text(cell)
}

/// Parses number text in the forms the ERP exports: accounting padding, ` - ` (zero),
/// parentheses for negatives, comma grouping (Western or Indian), a trailing `%`, a leading
/// `₹`/`Rs`. Anything else is refused, never guessed (the legacy importer read `1-1.3` as 1).
pub fn parse_number_text(raw: &str) -> Result<Option<Decimal>, CellIssue> {
    let s = clean(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let not_a_number = || CellIssue(format!("`{s}` is not a number"));
    let mut t = s.as_str();
    if t == "-" || t == "–" {
        return Ok(Some(Decimal::ZERO));
    }
    let negative_parens = t.starts_with('(') && t.ends_with(')');
    if negative_parens {
        t = t[1..t.len() - 1].trim();
    }
    t = t.strip_suffix('%').unwrap_or(t).trim_end();
    for prefix in ["₹", "Rs.", "Rs", "INR"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim_start();
        }
    }
    let digits: String = t.chars().filter(|c| *c != ',').collect();
    if digits.is_empty()
        || !digits
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+')))
    {
        return Err(not_a_number());
    }
    let d: Decimal = digits
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&digits))
        .map_err(|_| not_a_number())?;
    Ok(Some(if negative_parens { -d.abs() } else { d }.normalize()))
}

/// A number from a number cell or number text (see [`parse_number_text`]).
pub fn number(cell: &Data) -> Result<Option<Decimal>, CellIssue> {
    match cell {
        Data::Empty => Ok(None),
        Data::Int(i) => Ok(Some(Decimal::from(*i))),
        Data::Float(f) => Decimal::from_f64(*f)
            .map(|d| Some(d.normalize()))
            .ok_or_else(|| CellIssue(format!("{f} is not a usable number"))),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => parse_number_text(s),
        Data::Bool(_) => Err(CellIssue("a TRUE/FALSE cell is not a number".into())),
        Data::DateTime(_) => Err(CellIssue(format!(
            "the date {} is not a number",
            display(cell)
        ))),
        Data::Error(e) => Err(CellIssue(format!(
            "the cell holds the spreadsheet error {e}"
        ))),
    }
}

/// A percentage in points (5 means 5 %). Text is read as written (`5%`, `5.00%`, `5`). A
/// number cell below 1 is a percent-formatted cell (Excel stores 5 % as 0.05), so it is
/// scaled to points; rates below 1 % do not occur in GST or the distributor margins, and
/// styles are not read (edge case 15), so the value decides.
pub fn percent(cell: &Data) -> Result<Option<Decimal>, CellIssue> {
    let v = number(cell)?;
    let scaled = match (cell, v) {
        (Data::Float(_), Some(d)) if d > Decimal::ZERO && d < Decimal::ONE => {
            Some((d * Decimal::ONE_HUNDRED).normalize())
        }
        _ => v,
    };
    match scaled {
        Some(d) if d < Decimal::ZERO || d > Decimal::ONE_HUNDRED => {
            Err(CellIssue(format!("{d} % is outside 0–100")))
        }
        other => Ok(other),
    }
}

/// A whole number; text may carry a unit word after it (`30 days`).
pub fn whole_number(cell: &Data) -> Result<Option<i64>, CellIssue> {
    let d = match cell {
        Data::String(s) => {
            let s = clean(s);
            let lead: String = s
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',' || *c == '-')
                .collect();
            let rest = s[lead.len()..].trim();
            if !rest.is_empty() && !rest.chars().all(char::is_alphabetic) {
                return Err(CellIssue(format!("`{s}` is not a whole number")));
            }
            if lead.is_empty() && !rest.is_empty() {
                return Err(CellIssue(format!("`{s}` is not a whole number")));
            }
            parse_number_text(&lead)?
        }
        other => number(other)?,
    };
    match d {
        None => Ok(None),
        Some(d) if d.fract().is_zero() => i64::try_from(d)
            .map(Some)
            .map_err(|_| CellIssue(format!("{d} is too large"))),
        Some(d) => Err(CellIssue(format!("{d} is not a whole number"))),
    }
}

/// Whether a cell holds nothing (missing, empty string or only spaces).
pub fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => clean(s).is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn s(v: &str) -> Data {
        Data::String(v.into())
    }

    #[test]
    fn accounting_text_forms() {
        assert_eq!(number(&s("  0.500 ")).unwrap(), Some(dec!(0.5)));
        assert_eq!(number(&s(" - ")).unwrap(), Some(Decimal::ZERO));
        assert_eq!(number(&s("  30 ")).unwrap(), Some(dec!(30)));
        assert_eq!(number(&s("5,00,000")).unwrap(), Some(dec!(500000)));
        assert_eq!(number(&s("(1,234.50)")).unwrap(), Some(dec!(-1234.5)));
        assert_eq!(number(&s("₹ 220")).unwrap(), Some(dec!(220)));
        assert_eq!(number(&s(" ")).unwrap(), None);
        assert_eq!(number(&s("\u{a0}\u{a0}")).unwrap(), None);
        assert_eq!(number(&Data::Empty).unwrap(), None);
        assert!(number(&s("1-1.3")).is_err());
        assert!(number(&s("abc")).is_err());
        assert_eq!(number(&Data::Float(0.2)).unwrap(), Some(dec!(0.2)));
        assert_eq!(number(&Data::Int(7)).unwrap(), Some(dec!(7)));
    }

    #[test]
    fn percent_forms_and_percent_formatted_cells() {
        for v in ["5%", "5.00%", "5", " 5 % "] {
            assert_eq!(percent(&s(v)).unwrap(), Some(dec!(5)), "{v}");
        }
        assert_eq!(percent(&s("0%")).unwrap(), Some(Decimal::ZERO));
        assert_eq!(percent(&Data::Float(0.05)).unwrap(), Some(dec!(5)));
        assert_eq!(percent(&Data::Float(18.0)).unwrap(), Some(dec!(18)));
        assert!(percent(&s("120%")).is_err());
    }

    #[test]
    fn codes_stay_text_and_whole_numbers_take_units() {
        assert_eq!(
            code(&Data::Float(2004643.0)).unwrap().as_deref(),
            Some("2004643")
        );
        assert_eq!(code(&s("\u{feff}NA ")).unwrap().as_deref(), Some("NA"));
        assert_eq!(whole_number(&s("30 days")).unwrap(), Some(30));
        assert_eq!(whole_number(&s(" 547 ")).unwrap(), Some(547));
        assert!(whole_number(&s("2.5")).is_err());
        assert!(whole_number(&s("days")).is_err());
    }

    #[test]
    fn text_cleans_nbsp_and_reads_dates() {
        assert_eq!(
            text(&s("COHO\u{a0}SALMON  H/G\u{a0}\u{a0}"))
                .unwrap()
                .as_deref(),
            Some("COHO SALMON H/G")
        );
        let dt = Data::DateTime(ExcelDateTime::new(
            46_000.0,
            calamine::ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(text(&dt).unwrap().as_deref(), Some("2025-12-09"));
        assert!(number(&dt).is_err());
        assert!(text(&Data::Error(calamine::CellErrorType::NA)).is_err());
        assert!(is_blank(&s(" \u{a0}")) && !is_blank(&s("0")));
    }
}
