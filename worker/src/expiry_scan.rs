//! The expiry scan (issue: worker §6): batches expiring within 30/60/90 days, the ones
//! already expired, and clearance candidates, with one alert event per bucket.
//!
//! Idempotent per day: the scheduled scan of a calendar day (in the configured zone) is one
//! job record with the id `JOB-EXPIRY-YYYYMMDD`; a second tick or a second worker process
//! finds the record already there and does nothing, so alerts go out once a day.

use chrono::NaiveDate;
use nexus_core::events::{Audience, Event};
use nexus_core::jobs::JobQueue;
use nexus_core::model::{JobKind, JobRecord};
use nexus_core::rules::expiry::{
    ClearancePolicy, ExpiryBucket, clearance_eligibility, colour, days_to_expiry, scan_bucket,
};
use nexus_core::store::{Collection, Filter, Query, Store, StoreError, Write};
use nexus_core::types::Timestamp;
use nexus_core::types::{DateOnly, Quantity, default_true, null_as_default, true_unless_false};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Who hears expiry alerts: those who run the warehouse or sell clearance stock.
pub const ALERT_PERMISSIONS: [&str; 2] = ["manage_warehouse", "create_orders"];

/// Rows of each bucket a scan's result and its alerts name, the most urgent first. The
/// counts cover every batch, and `GET /api/products/expiring` serves the whole list, paged:
/// unbounded, a warehouse of a million batches made a 49 MiB job record and alerts to match
/// (docs/BENCHMARKS.md, "Expiry scan").
pub const ROWS_PER_BUCKET: usize = 200;

/// What the scan reads of a product: its names and batches. Decoding whole products (thirty
/// fields and a flattened remainder) was half of the scan's time.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanProduct {
    pub id: String,
    #[serde(default)]
    pub sku_code: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub batches: Vec<ScanBatch>,
    #[serde(default = "default_true", deserialize_with = "true_unless_false")]
    pub is_active: bool,
}

/// What the scan reads of a batch (the stored fields as [`Batch`] reads them).
///
/// [`Batch`]: nexus_core::model::Batch
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanBatch {
    #[serde(default)]
    pub batch_number: String,
    #[serde(default)]
    pub exp_date: Option<DateOnly>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub quantity: Quantity,
    #[serde(default = "default_true", deserialize_with = "true_unless_false")]
    pub is_active: bool,
    #[serde(default)]
    pub warehouse_id: Option<String>,
}

/// One bucketed batch, by position: rows are built only for the ones the result names.
#[derive(Clone, Copy)]
struct Found {
    days: i64,
    product: usize,
    batch: usize,
}

/// The scan's findings for `today`: every active batch holding stock, bucketed; each bucket
/// counted in full and listed up to [`ROWS_PER_BUCKET`], nearest expiry first.
pub fn scan(products: &[ScanProduct], today: NaiveDate) -> Value {
    let policy = ClearancePolicy::default();
    let mut buckets: BTreeMap<ExpiryBucket, Vec<Found>> = BTreeMap::new();
    let mut candidates = Vec::new();
    for (pi, p) in products.iter().enumerate().filter(|(_, p)| p.is_active) {
        for (bi, b) in p.batches.iter().enumerate() {
            if !b.is_active || b.quantity.is_zero() {
                continue;
            }
            let Some(exp) = b.exp_date else { continue };
            let days = days_to_expiry(exp, today);
            let Some(bucket) = scan_bucket(days) else {
                continue;
            };
            let found = Found {
                days,
                product: pi,
                batch: bi,
            };
            if clearance_eligibility(Some(exp), today, &policy).is_ok() {
                candidates.push(found);
            }
            buckets.entry(bucket).or_default().push(found);
        }
    }
    let row = |f: &Found| {
        let p = &products[f.product];
        let b = &p.batches[f.batch];
        json!({
            "productId": p.id,
            "skuCode": p.sku_code,
            "productName": p.name,
            "batchNumber": b.batch_number,
            "expDate": b.exp_date,
            "daysToExpiry": f.days,
            "quantity": b.quantity,
            "warehouseId": b.warehouse_id,
            "colour": colour(f.days),
        })
    };
    // The most urgent rows, in order; a stable sort keeps the catalogue order among equals.
    let listed = |mut found: Vec<Found>| -> Vec<Value> {
        if found.len() > ROWS_PER_BUCKET {
            found.select_nth_unstable_by_key(ROWS_PER_BUCKET, |f| (f.days, f.product, f.batch));
            found.truncate(ROWS_PER_BUCKET);
        }
        found.sort_by_key(|f| (f.days, f.product, f.batch));
        found.iter().map(row).collect()
    };
    let count = |b: ExpiryBucket| buckets.get(&b).map_or(0, Vec::len);
    let counts = json!({
        "expired": count(ExpiryBucket::Expired),
        "within30": count(ExpiryBucket::Within30),
        "within60": count(ExpiryBucket::Within60),
        "within90": count(ExpiryBucket::Within90),
        "clearanceCandidates": candidates.len(),
    });
    let mut take = |b: ExpiryBucket| listed(buckets.remove(&b).unwrap_or_default());
    json!({
        "date": today.to_string(),
        "counts": counts,
        "rowsPerBucket": ROWS_PER_BUCKET,
        "expired": take(ExpiryBucket::Expired),
        "within30": take(ExpiryBucket::Within30),
        "within60": take(ExpiryBucket::Within60),
        "within90": take(ExpiryBucket::Within90),
        "clearanceCandidates": listed(candidates),
    })
}

/// The products, as the scan reads them. All of them: a condition on `isActive` made SQLite
/// parse every stored product (batches and all) once more, and the scan skips inactive ones.
pub async fn read(store: &dyn Store) -> Result<Vec<ScanProduct>, StoreError> {
    store
        .find_text(
            Collection::Products,
            &Query::new(Filter::All).in_any_order(),
        )
        .await?
        .iter()
        .map(|doc| {
            serde_json::from_str(doc).map_err(|e| StoreError::Decode {
                collection: Collection::Products.name().to_string(),
                message: e.to_string(),
            })
        })
        .collect()
}

/// Reads the products and scans them for `today`.
pub async fn run(store: &dyn Store, today: NaiveDate) -> Result<Value, StoreError> {
    Ok(scan(&read(store).await?, today))
}

/// The alert events of a finished scan: one per non-empty bucket, then the candidates.
pub fn alerts(result: &Value) -> Vec<Event> {
    let audience = Audience {
        permissions: ALERT_PERMISSIONS.iter().map(|s| s.to_string()).collect(),
        ..Audience::default()
    };
    [
        "expired",
        "within30",
        "within60",
        "within90",
        "clearanceCandidates",
    ]
    .into_iter()
    .filter_map(|bucket| {
        let rows = result.get(bucket)?.as_array()?;
        let count = result["counts"][bucket]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(rows.len());
        (count > 0).then(|| {
            nexus_core::live::expiry_alert(
                result["date"].clone(),
                bucket,
                count,
                rows.clone(),
                audience.clone(),
            )
        })
    })
    .collect()
}

/// The job id of the scheduled scan of `day`.
pub fn daily_job_id(day: NaiveDate) -> String {
    format!("JOB-EXPIRY-{}", day.format("%Y%m%d"))
}

/// Records and enqueues the scan of `day` unless that day's scan exists. Returns the job id
/// and whether this call created it.
pub async fn schedule_daily(
    store: &dyn Store,
    queue: &dyn JobQueue,
    day: NaiveDate,
    max_attempts: u32,
) -> Result<(String, bool), StoreError> {
    let id = daily_job_id(day);
    let job = JobRecord::queued(
        &id,
        JobKind::ExpiryScan,
        "system",
        Some(json!({ "date": day.to_string(), "trigger": "schedule" })),
        max_attempts,
        Timestamp::now(),
    );
    match store.commit(vec![Write::insert(&job)?]).await {
        Ok(()) => {
            if let Err(e) = queue.enqueue(&id, None).await {
                tracing::warn!(job = %id, error = %e, "expiry scan recorded but not enqueued; the sweep will pick it up");
            }
            Ok((id, true))
        }
        Err(StoreError::DuplicateKey { .. }) => Ok((id, false)),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn product(id: &str, batches: Vec<ScanBatch>) -> ScanProduct {
        let mut p: ScanProduct = serde_json::from_value(json!({
            "id": id, "skuCode": id, "name": format!("Product {id}"), "isActive": true
        }))
        .unwrap();
        p.batches = batches;
        p
    }

    fn batch(n: &str, qty: u64, exp: NaiveDate) -> ScanBatch {
        ScanBatch {
            batch_number: n.into(),
            exp_date: Some(DateOnly::new(exp)),
            quantity: Quantity::from_int(qty),
            is_active: true,
            warehouse_id: None,
        }
    }

    #[test]
    fn buckets_candidates_and_alerts() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let d = |n: i64| today + chrono::Duration::days(n);
        let products = vec![
            product(
                "P1",
                vec![
                    batch("OLD", 5, d(-2)),
                    batch("TODAY", 5, d(0)),
                    batch("D30", 5, d(30)),
                    batch("D31", 5, d(31)),
                    batch("D75", 5, d(75)),
                    batch("D91", 5, d(91)),
                    batch("EMPTY", 0, d(10)),
                ],
            ),
            product("P2", vec![batch("D60", 3, d(60))]),
        ];
        let r = scan(&products, today);
        assert_eq!(r["counts"]["expired"], 1);
        assert_eq!(r["counts"]["within30"], 2, "{r}");
        assert_eq!(r["counts"]["within60"], 2);
        assert_eq!(r["counts"]["within90"], 1);
        // Clearance: 0..=90 days and not expired; the empty batch and day 91 are not.
        assert_eq!(r["counts"]["clearanceCandidates"], 5);
        assert_eq!(r["within30"][0]["batchNumber"], "TODAY");
        assert_eq!(r["within30"][0]["colour"], "RED");
        let alerts = alerts(&r);
        assert_eq!(alerts.len(), 5);
        assert!(
            alerts
                .iter()
                .all(|e| e.event_type == nexus_core::events::types::EXPIRY_ALERT)
        );
        assert_eq!(alerts[0].data["bucket"], "expired");
    }

    /// A bucket larger than the bound is counted in full and lists its most urgent rows,
    /// nearest expiry first; its alert says how many there are.
    #[test]
    fn large_buckets_list_their_most_urgent_rows() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let n = ROWS_PER_BUCKET + 50;
        // Days 1..=n, stored in reverse: the listed rows are days 1..=ROWS_PER_BUCKET.
        let batches = (1..=n as u64)
            .rev()
            .map(|d| {
                batch(
                    &format!("B{d}"),
                    1,
                    today + chrono::Duration::days(d as i64 % 30),
                )
            })
            .collect();
        let r = scan(&[product("P1", batches)], today);
        assert_eq!(r["counts"]["within30"], n, "{}", r["counts"]);
        let rows = r["within30"].as_array().unwrap();
        assert_eq!(rows.len(), ROWS_PER_BUCKET);
        let days: Vec<i64> = rows
            .iter()
            .map(|r| r["daysToExpiry"].as_i64().unwrap())
            .collect();
        assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
        // Every row of the bucket with fewer days than the last listed one is listed.
        let last = *days.last().unwrap();
        let sooner = (1..=n as i64).filter(|d| d % 30 < last).count();
        assert_eq!(days.iter().filter(|d| **d < last).count(), sooner);
        let alert = alerts(&r)
            .into_iter()
            .find(|e| e.data["bucket"] == "within30")
            .unwrap();
        assert_eq!(alert.data["count"], n);
        assert_eq!(
            alert.data["batches"].as_array().unwrap().len(),
            ROWS_PER_BUCKET
        );
    }

    /// Products decode leniently: a stored product without a name or batches is still read,
    /// and a stored batch reads as the model's [`nexus_core::model::Batch`] reads it.
    #[test]
    fn scan_products_read_the_fields_they_need() {
        let p: ScanProduct = serde_json::from_value(json!({
            "id": "P9", "isActive": null, "batches": null, "price": 12, "extra": {"a": 1}
        }))
        .unwrap();
        assert!(p.is_active && p.batches.is_empty() && p.name.is_empty());
        let stored = json!({"batchNumber": "B1", "expDate": "2026-03-31", "quantity": "12.5",
            "isActive": null, "warehouseId": "WH-01", "mfgDate": "2025-03-31",
            "createdAt": "2025-04-01T00:00:00Z"});
        let model: nexus_core::model::Batch = serde_json::from_value(stored.clone()).unwrap();
        let scan: ScanBatch = serde_json::from_value(stored).unwrap();
        assert_eq!(
            (
                scan.batch_number,
                scan.exp_date,
                scan.quantity,
                scan.is_active,
                scan.warehouse_id
            ),
            (
                model.batch_number,
                model.exp_date,
                model.quantity,
                model.is_active,
                model.warehouse_id
            )
        );
    }

    #[test]
    fn the_daily_id_names_the_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(daily_job_id(day), "JOB-EXPIRY-20261124");
    }
}
