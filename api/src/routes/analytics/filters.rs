//! What every analytics view shares: the caller's order scope as a store filter, status
//! filters that also match the legacy status texts, the sales-hub periods in IST, and the
//! small arithmetic of averages and percentages. Date ranges, IST midnight and the current
//! month are in `routes::dates`, which other areas share.

use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::dates::ist_midnight;
use crate::state::AppState;
use chrono::{Duration, Months, Utc};
use nexus_core::auth::scope::OrderScope;
use nexus_core::model::{Order, OrderStatus};
use nexus_core::rules::expiry::ist;
use nexus_core::store::{Filter, Query, TypedStore};
use nexus_core::types::{Money, Timestamp};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::json;

pub(crate) use crate::routes::orders::access::status_filter;

/// Statuses of orders that never became a sale.
pub(crate) const NOT_SOLD: [OrderStatus; 3] = [
    OrderStatus::Cancelled,
    OrderStatus::Rejected,
    OrderStatus::ReturnedToWarehouse,
];

pub(crate) fn is_sale(s: OrderStatus) -> bool {
    !NOT_SOLD.contains(&s)
}

/// Orders that count as sales (not cancelled, rejected or returned).
pub(crate) fn sales_filter() -> Filter {
    Filter::Not(Box::new(status_filter(NOT_SOLD)))
}

/// The store filter equivalent of an [`OrderScope`]: everything, or the union of its
/// branches. An empty union matches nothing.
pub(crate) fn scope_filter(s: &OrderScope) -> Filter {
    if s.all {
        return Filter::All;
    }
    Filter::Or(crate::routes::orders::access::scope_branches(s))
}

/// The caller's order scope and its store filter.
pub(crate) async fn caller_scope(
    st: &AppState,
    actor: &Actor,
) -> Result<(OrderScope, Filter), ApiError> {
    let subs = actor.subordinates(st).await?;
    let scope = nexus_core::auth::order_scope(&actor.ctx, &subs);
    let filter = scope_filter(&scope);
    Ok((scope, filter))
}

/// 403 unless the scope covers every order of `salesperson_id` (a figure for someone
/// outside your team would leak theirs).
pub(crate) fn require_salesperson_in_scope(
    scope: &OrderScope,
    salesperson_id: &str,
) -> Result<(), ApiError> {
    if scope.all || scope.salespeople.contains(salesperson_id) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            ErrorCode::Forbidden,
            "That salesperson is outside your team.",
        )
        .with_details(json!({ "salespersonId": salesperson_id })))
    }
}

/// The sales-hub periods (api.md AN3), plus `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Period {
    Today,
    Week,
    Month,
    Quarter,
    SixMonths,
    Year,
    All,
}

/// The names `Period::parse` reads (a few spellings more are read for old clients).
impl utoipa::PartialSchema for Period {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::routes::param_schemas::one_of(&Period::NAMES)
    }
}
impl utoipa::ToSchema for Period {}

impl Period {
    pub const NAMES: [&'static str; 7] = [
        "today",
        "week",
        "month",
        "quarter",
        "six-months",
        "year",
        "all",
    ];

    pub fn parse(raw: Option<&str>, default: Period) -> Result<Period, ApiError> {
        let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(default);
        };
        Ok(match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "today" | "day" => Period::Today,
            "week" | "7d" => Period::Week,
            "month" | "30d" => Period::Month,
            "quarter" => Period::Quarter,
            "six-months" | "sixmonths" | "6months" | "6-months" | "half-year" => Period::SixMonths,
            "year" => Period::Year,
            "all" => Period::All,
            _ => {
                return Err(ApiError::bad_request(
                    ErrorCode::InvalidPeriod,
                    format!("Unknown period `{s}`"),
                )
                .with_details(json!({ "supported": Period::NAMES })));
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Period::Today => "today",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::SixMonths => "six-months",
            Period::Year => "year",
            Period::All => "all",
        }
    }

    /// Where the window starts, counted back from `now`: today = since IST midnight; week =
    /// the last 7 days; month, quarter, six months and year = the same instant that many
    /// calendar months ago.
    pub fn start(self, now: Timestamp) -> Option<Timestamp> {
        let local = now.datetime().with_timezone(&ist());
        let months = |n: u32| {
            local
                .checked_sub_months(Months::new(n))
                .map(|d| Timestamp::from_datetime(d.with_timezone(&Utc)))
        };
        match self {
            Period::Today => Some(ist_midnight(local.date_naive())),
            Period::Week => Some(Timestamp::from_datetime(now.datetime() - Duration::days(7))),
            Period::Month => months(1),
            Period::Quarter => months(3),
            Period::SixMonths => months(6),
            Period::Year => months(12),
            Period::All => None,
        }
    }

    /// Length of the window in days (for pro-rating a monthly target); `None` for `all`.
    pub fn days(self, now: Timestamp) -> Option<Decimal> {
        let start = self.start(now)?;
        let ms = (now.millis() - start.millis()).max(0);
        Some(Decimal::from(ms) / Decimal::from(86_400_000i64))
    }
}

pub(crate) fn round1(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

pub(crate) fn average(total: Money, n: usize) -> Money {
    if n == 0 {
        Money::ZERO
    } else {
        (total * (Decimal::ONE / Decimal::from(n as u64))).round2()
    }
}

pub(crate) fn pct(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (whole > Decimal::ZERO).then(|| round1(part / whole * Decimal::ONE_HUNDRED))
}

/// Orders in scope matching `extra`, newest first.
pub(crate) async fn scoped_orders(
    st: &AppState,
    scope_filter: &Filter,
    extra: Filter,
) -> Result<Vec<Order>, ApiError> {
    Ok(st
        .store
        .list(&Query::new(Filter::and([scope_filter.clone(), extra])).sort_desc("createdAt"))
        .await?)
}

pub(crate) fn created(o: &Order) -> Option<Timestamp> {
    o.created_at
}

pub(crate) fn is_delivered(s: OrderStatus) -> bool {
    matches!(s, OrderStatus::Delivered | OrderStatus::PartAccepted)
}

pub(crate) fn is_open(s: OrderStatus) -> bool {
    !s.is_terminal() && !is_delivered(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_start() {
        let now = Timestamp::parse("2026-03-15T06:00:00Z").unwrap();
        assert_eq!(
            Period::parse(None, Period::Month)
                .unwrap()
                .start(now)
                .unwrap()
                .to_iso(),
            "2026-02-15T06:00:00.000Z"
        );
        assert_eq!(
            Period::parse(Some("today"), Period::Month)
                .unwrap()
                .start(now)
                .unwrap()
                .to_iso(),
            "2026-03-14T18:30:00.000Z"
        );
        assert_eq!(
            Period::parse(Some("ALL"), Period::Month)
                .unwrap()
                .start(now),
            None
        );
        assert!(Period::parse(Some("fortnight"), Period::Month).is_err());
    }
}
