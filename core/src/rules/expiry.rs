//! Expiry: the expiring-batch window, clearance eligibility, colour bands and the expiry-scan
//! buckets (domain.md §2.2).
//!
//! Everything here compares **calendar dates**. The legacy code compared a date-only expiry
//! read as midnight UTC with the current instant, so a batch expiring today was already
//! outside the list (D-L19). The caller turns "now" into a local date once ([`today_ist`],
//! or [`today_at`] with another offset) and every rule works on that date: a batch expiring
//! today is in the list, and "days to expiry" is a whole number of days.

use crate::model::product::Product;
use crate::types::{DateOnly, Money, Quantity, Timestamp};
use chrono::{FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// India Standard Time, UTC+05:30 (no daylight saving, so a fixed offset is exact).
pub fn ist() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600 + 30 * 60).expect("valid offset")
}

/// The calendar date of `now` in IST: the business day the warehouses work in.
pub fn today_ist(now: Timestamp) -> NaiveDate {
    today_at(now, ist())
}

/// The calendar date of `now` at a fixed UTC offset.
pub fn today_at(now: Timestamp, offset: FixedOffset) -> NaiveDate {
    now.datetime().with_timezone(&offset).date_naive()
}

/// Whole days from `today` to `expiry`: 0 when it expires today, negative once expired.
/// For a date-only expiry this equals the legacy `ceil((expDate − now) / 1 day)` whenever
/// "now" falls on the same calendar day in both reckonings.
pub fn days_to_expiry(expiry: DateOnly, today: NaiveDate) -> i64 {
    (expiry.naive() - today).num_days()
}

/// Default window of the expiring list (days).
pub const DEFAULT_EXPIRING_WINDOW_DAYS: i64 = 90;

/// In the expiring window when `today ≤ expiry ≤ today + days` (both ends inclusive).
pub fn is_expiring_within(expiry: DateOnly, today: NaiveDate, days: i64) -> bool {
    (0..=days).contains(&days_to_expiry(expiry, today))
}

/// One row of the expiring-stock list (the fields of the legacy output, §2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringBatch {
    pub product_id: String,
    pub sku_code: String,
    pub product_name: String,
    pub batch_number: String,
    pub exp_date: DateOnly,
    pub days_to_expiry: i64,
    pub quantity: Quantity,
    pub weight: Option<String>,
    pub warehouse_id: Option<String>,
    pub mrp: Option<Money>,
    pub base_rate: Money,
    pub colour: ExpiryColour,
}

/// Active batches holding stock that expire within `days` of `today` (today included),
/// soonest first.
pub fn expiring_batches(products: &[Product], today: NaiveDate, days: i64) -> Vec<ExpiringBatch> {
    let mut out: Vec<ExpiringBatch> = products
        .iter()
        .flat_map(|p| {
            p.batches.iter().filter_map(move |b| {
                let exp = b.exp_date?;
                (b.is_active && !b.quantity.is_zero() && is_expiring_within(exp, today, days)).then(
                    || {
                        let d = days_to_expiry(exp, today);
                        ExpiringBatch {
                            product_id: p.id.clone(),
                            sku_code: p.sku().to_string(),
                            product_name: p.name.clone(),
                            batch_number: b.batch_number.clone(),
                            exp_date: exp,
                            days_to_expiry: d,
                            quantity: b.quantity,
                            weight: b.weight.clone(),
                            warehouse_id: b.warehouse_id.clone(),
                            mrp: p.mrp,
                            base_rate: p.base_rate(),
                            colour: colour(d),
                        }
                    },
                )
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.exp_date, &a.product_id, &a.batch_number).cmp(&(
            b.exp_date,
            &b.product_id,
            &b.batch_number,
        ))
    });
    out
}

/// The clearance rule's limits. Defaults: at most 90 days to expiry (the legacy limit) and
/// not yet expired (fixing D-L6). A batch expiring today is still eligible (0 days), in line
/// with the expiring list; raise `min_days` if the business wants a selling margin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClearancePolicy {
    pub max_days: i64,
    pub min_days: i64,
}

impl Default for ClearancePolicy {
    fn default() -> Self {
        ClearancePolicy {
            max_days: 90,
            min_days: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClearanceError {
    #[error("batch has no expiry date; only dated batches can be cleared")]
    NoExpiryDate,
    #[error("batch expired {} day(s) ago", -days_to_expiry)]
    Expired { days_to_expiry: i64 },
    #[error("batch expires in {days_to_expiry} day(s); clearance needs at least {min_days}")]
    TooCloseToExpiry { days_to_expiry: i64, min_days: i64 },
    #[error("batch expires in {days_to_expiry} day(s); clearance is only for ≤ {max_days}")]
    TooFarFromExpiry { days_to_expiry: i64, max_days: i64 },
}

/// Whether a batch may be sold on a clearance order today; Ok gives the days to expiry.
/// Example (today 1 Mar 2026): 15 May → 75 ok; 15 Jun → 106 refused; 20 Feb → expired,
/// refused (the legacy system accepted it).
pub fn clearance_eligibility(
    expiry: Option<DateOnly>,
    today: NaiveDate,
    policy: &ClearancePolicy,
) -> Result<i64, ClearanceError> {
    let expiry = expiry.ok_or(ClearanceError::NoExpiryDate)?;
    let days = days_to_expiry(expiry, today);
    if days < 0 {
        return Err(ClearanceError::Expired {
            days_to_expiry: days,
        });
    }
    if days < policy.min_days {
        return Err(ClearanceError::TooCloseToExpiry {
            days_to_expiry: days,
            min_days: policy.min_days,
        });
    }
    if days > policy.max_days {
        return Err(ClearanceError::TooFarFromExpiry {
            days_to_expiry: days,
            max_days: policy.max_days,
        });
    }
    Ok(days)
}

/// The expiry colour band by days to expiry: < 30 red, < 60 amber, otherwise green.
/// Expired batches (negative days) are red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExpiryColour {
    Red,
    Amber,
    Green,
}

pub fn colour(days_to_expiry: i64) -> ExpiryColour {
    if days_to_expiry < 30 {
        ExpiryColour::Red
    } else if days_to_expiry < 60 {
        ExpiryColour::Amber
    } else {
        ExpiryColour::Green
    }
}

/// Buckets of the expiry scan job. "Within N days" is inclusive, like the expiring window:
/// 0–30 → `Within30`, 31–60 → `Within60`, 61–90 → `Within90`; past expiry → `Expired`;
/// beyond 90 days nothing is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExpiryBucket {
    Expired,
    Within30,
    Within60,
    Within90,
}

pub fn scan_bucket(days_to_expiry: i64) -> Option<ExpiryBucket> {
    Some(match days_to_expiry {
        d if d < 0 => ExpiryBucket::Expired,
        0..=30 => ExpiryBucket::Within30,
        31..=60 => ExpiryBucket::Within60,
        61..=90 => ExpiryBucket::Within90,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> DateOnly {
        DateOnly::ymd(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        // 1 Mar 2026 10:00 UTC is 15:30 IST, still 1 Mar.
        today_ist(Timestamp::parse("2026-03-01T10:00:00Z").unwrap())
    }

    #[test]
    fn example_15_may_is_75_days_and_eligible() {
        assert_eq!(days_to_expiry(d(2026, 5, 15), today()), 75);
        assert_eq!(
            clearance_eligibility(Some(d(2026, 5, 15)), today(), &ClearancePolicy::default()),
            Ok(75)
        );
    }

    #[test]
    fn example_15_jun_is_106_days_and_rejected() {
        assert_eq!(
            clearance_eligibility(Some(d(2026, 6, 15)), today(), &ClearancePolicy::default()),
            Err(ClearanceError::TooFarFromExpiry {
                days_to_expiry: 106,
                max_days: 90
            })
        );
    }

    #[test]
    fn example_20_feb_is_expired_and_rejected_in_the_rewrite() {
        assert_eq!(
            clearance_eligibility(Some(d(2026, 2, 20)), today(), &ClearancePolicy::default()),
            Err(ClearanceError::Expired { days_to_expiry: -9 })
        );
        assert_eq!(
            clearance_eligibility(None, today(), &ClearancePolicy::default()),
            Err(ClearanceError::NoExpiryDate)
        );
    }

    #[test]
    fn boundaries_today_and_day_90() {
        let p = ClearancePolicy::default();
        assert_eq!(
            clearance_eligibility(Some(d(2026, 3, 1)), today(), &p),
            Ok(0)
        );
        assert_eq!(
            clearance_eligibility(Some(d(2026, 5, 30)), today(), &p),
            Ok(90)
        );
        assert!(clearance_eligibility(Some(d(2026, 5, 31)), today(), &p).is_err());
        let strict = ClearancePolicy { min_days: 7, ..p };
        assert!(matches!(
            clearance_eligibility(Some(d(2026, 3, 3)), today(), &strict),
            Err(ClearanceError::TooCloseToExpiry { .. })
        ));
    }

    #[test]
    fn expiring_list_includes_a_batch_expiring_today() {
        assert!(is_expiring_within(d(2026, 3, 1), today(), 90));
        assert!(is_expiring_within(d(2026, 5, 30), today(), 90));
        assert!(!is_expiring_within(d(2026, 5, 31), today(), 90));
        assert!(!is_expiring_within(d(2026, 2, 28), today(), 90));
    }

    #[test]
    fn ist_date_differs_from_utc_date_late_evening() {
        // 20:00 UTC on 28 Feb is 01:30 IST on 1 Mar.
        let now = Timestamp::parse("2026-02-28T20:00:00Z").unwrap();
        assert_eq!(today_ist(now), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert_eq!(now.date(), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
    }

    #[test]
    fn colours_and_buckets() {
        assert_eq!(colour(-3), ExpiryColour::Red);
        assert_eq!(colour(29), ExpiryColour::Red);
        assert_eq!(colour(30), ExpiryColour::Amber);
        assert_eq!(colour(59), ExpiryColour::Amber);
        assert_eq!(colour(60), ExpiryColour::Green);
        assert_eq!(scan_bucket(-1), Some(ExpiryBucket::Expired));
        assert_eq!(scan_bucket(0), Some(ExpiryBucket::Within30));
        assert_eq!(scan_bucket(30), Some(ExpiryBucket::Within30));
        assert_eq!(scan_bucket(31), Some(ExpiryBucket::Within60));
        assert_eq!(scan_bucket(90), Some(ExpiryBucket::Within90));
        assert_eq!(scan_bucket(91), None);
    }

    #[test]
    fn expiring_list_over_products() {
        use crate::model::product::Batch;
        let mut p = Product::new("SKU-1", "Basa fillet");
        let b = |n: &str, q: u64, exp: Option<DateOnly>, active: bool| Batch {
            is_active: active,
            ..Batch::new(n, Quantity::from_int(q), exp)
        };
        p.batches = vec![
            b("LATE", 5, Some(d(2026, 6, 15)), true),
            b("SOON", 5, Some(d(2026, 3, 20)), true),
            b("TODAY", 5, Some(d(2026, 3, 1)), true),
            b("GONE", 5, Some(d(2026, 2, 20)), true),
            b("OFF", 5, Some(d(2026, 3, 5)), false),
            b("UNDATED", 5, None, true),
        ];
        let rows = expiring_batches(&[p], today(), DEFAULT_EXPIRING_WINDOW_DAYS);
        let names: Vec<&str> = rows.iter().map(|r| r.batch_number.as_str()).collect();
        assert_eq!(names, vec!["TODAY", "SOON"]);
        assert_eq!(rows[1].days_to_expiry, 19);
        assert_eq!(rows[1].colour, ExpiryColour::Red);
    }

    proptest! {
        #[test]
        fn eligible_iff_within_0_to_90(offset in -400i64..400) {
            let exp = DateOnly::new(today() + chrono::Duration::days(offset));
            let ok = clearance_eligibility(Some(exp), today(), &ClearancePolicy::default()).is_ok();
            prop_assert_eq!(ok, (0..=90).contains(&offset));
            prop_assert_eq!(is_expiring_within(exp, today(), 90), ok);
        }
    }
}
