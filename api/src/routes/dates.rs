//! Dates in query parameters, as the business counts them (IST calendar days): the
//! `startDate`/`endDate` range and its store filter, IST midnight, and the current PMS
//! month. Separate (out of analytics' filters) because packaging, PMS and logistics read
//! dates the same way analytics does.

use crate::error::{ApiError, ErrorCode};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use nexus_core::rules::expiry::ist;
use nexus_core::store::Filter;
use nexus_core::types::{PmsMonth, Timestamp};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

fn bad_date(field: &str, raw: &str) -> ApiError {
    ApiError::bad_request(
        ErrorCode::InvalidDate,
        format!("{field} `{raw}` is not a date (YYYY-MM-DD) or an RFC 3339 instant"),
    )
    .with_details(json!({ "field": field, "value": raw }))
}

/// A date in a request body: `YYYY-MM-DD` or an RFC 3339 instant as text, or null. Stored
/// documents are read more leniently (`DateOnly` also takes epoch milliseconds and `$date`
/// wrappers from old data); a client's request is held to what the document declares.
pub(crate) fn text_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<nexus_core::types::DateOnly>, D::Error> {
    use serde::Deserialize;
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => nexus_core::types::DateOnly::parse(&s)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// An RFC 3339 instant as a client writes it in a request. Stored documents are read more
/// leniently (`Timestamp::parse` also takes epoch milliseconds from old data); a request is
/// held to what the document declares (`format: date-time`).
pub(crate) fn rfc3339(s: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|dt| Timestamp::from_datetime(dt.with_timezone(&Utc)))
}

pub(crate) fn ist_midnight(d: NaiveDate) -> Timestamp {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    let local = ist()
        .from_local_datetime(&naive)
        .single()
        .unwrap_or_else(|| ist().from_utc_datetime(&naive));
    Timestamp::from_datetime(local.with_timezone(&Utc))
}

/// The period an answer covers: `null` for an open end.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    #[schema(required = true)]
    pub start_date: Option<Timestamp>,
    /// The first instant after the period.
    #[schema(required = true)]
    pub end_date: Option<Timestamp>,
}

/// Which end of a [`DateRange`] a query value was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeEnd {
    Start,
    End,
}

/// A half-open range of instants `[start, end)`, either end open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DateRange {
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
}

impl DateRange {
    /// `startDate`/`endDate` query values: a date (the whole IST day, both ends inclusive)
    /// or an RFC 3339 instant (inclusive). Either may be absent (the legacy only filtered
    /// when both were given). A reversed range matches nothing, like any other filter that
    /// leaves nothing: the answer is empty, not an error.
    pub fn parse(start: Option<&str>, end: Option<&str>) -> Result<DateRange, ApiError> {
        Self::parse_with(start, end, |side, raw| {
            bad_date(
                match side {
                    RangeEnd::Start => "startDate",
                    RangeEnd::End => "endDate",
                },
                raw,
            )
        })
    }

    /// The one reading of a date range every route shares (orders' `from`/`to`, the audit
    /// log's `fromDate`/`toDate`, analytics' `startDate`/`endDate`); `bad` words the error
    /// in the route's own parameter names and documented status.
    pub fn parse_with(
        start: Option<&str>,
        end: Option<&str>,
        bad: impl Fn(RangeEnd, &str) -> ApiError,
    ) -> Result<DateRange, ApiError> {
        fn clean(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        let start = match clean(start) {
            None => None,
            Some(s) => Some(match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => ist_midnight(d),
                Err(_) => rfc3339(s).ok_or_else(|| bad(RangeEnd::Start, s))?,
            }),
        };
        let end = match clean(end) {
            None => None,
            Some(s) => Some(match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => ist_midnight(d.succ_opt().ok_or_else(|| bad(RangeEnd::End, s))?),
                Err(_) => rfc3339(s)
                    .map(|t| Timestamp::from_datetime(t.datetime() + Duration::milliseconds(1)))
                    .ok_or_else(|| bad(RangeEnd::End, s))?,
            }),
        };
        Ok(DateRange { start, end })
    }

    pub fn since(start: Option<Timestamp>) -> DateRange {
        DateRange { start, end: None }
    }

    pub fn filter(&self, path: &str) -> Filter {
        Filter::and([
            self.start
                .map(|s| Filter::gte(path, json!(s)))
                .unwrap_or(Filter::All),
            self.end
                .map(|e| Filter::lt(path, json!(e)))
                .unwrap_or(Filter::All),
        ])
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t < e)
    }

    pub fn to_json(self) -> Value {
        json!({ "startDate": self.start, "endDate": self.end })
    }
}

/// The store filter for a `startDate`/`endDate` pair on a date field.
pub(crate) fn date_range_filter(
    path: &str,
    start: Option<&str>,
    end: Option<&str>,
) -> Result<Filter, ApiError> {
    Ok(DateRange::parse(start, end)?.filter(path))
}

/// The PMS-style month key of `now` in IST (`Feb'26`).
pub(crate) fn current_month(now: Timestamp) -> PmsMonth {
    PmsMonth::of_date(now.datetime().with_timezone(&ist()).date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_only_bounds_are_whole_ist_days() {
        let r = DateRange::parse(Some("2026-02-01"), Some("2026-02-28")).unwrap();
        assert_eq!(r.start.unwrap().to_iso(), "2026-01-31T18:30:00.000Z");
        assert_eq!(r.end.unwrap().to_iso(), "2026-02-28T18:30:00.000Z");
        assert!(r.contains(Timestamp::parse("2026-02-28T18:29:59Z").unwrap()));
        assert!(!r.contains(Timestamp::parse("2026-02-28T18:30:00Z").unwrap()));
        assert!(DateRange::parse(Some("yesterday"), None).is_err());
        // A reversed range is empty, not an error.
        let reversed = DateRange::parse(Some("2026-03-01"), Some("2026-02-01")).unwrap();
        assert!(!reversed.contains(Timestamp::parse("2026-02-15T00:00:00Z").unwrap()));
        assert!(!reversed.contains(Timestamp::parse("2026-03-01T06:00:00Z").unwrap()));
    }
}
