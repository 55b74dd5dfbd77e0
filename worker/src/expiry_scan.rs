//! The expiry scan (issue: worker §6): batches expiring within 30/60/90 days, the ones
//! already expired, and clearance candidates, with one alert event per bucket.
//!
//! Idempotent per day: the scheduled scan of a calendar day (in the configured zone) is one
//! job record with the id `JOB-EXPIRY-YYYYMMDD`; a second tick or a second worker process
//! finds the record already there and does nothing, so alerts go out once a day.

use chrono::NaiveDate;
use nexus_core::events::{Audience, Event};
use nexus_core::jobs::JobQueue;
use nexus_core::model::{JobKind, JobRecord, Product};
use nexus_core::rules::expiry::{
    ClearancePolicy, ExpiryBucket, clearance_eligibility, colour, days_to_expiry, scan_bucket,
};
use nexus_core::store::{Filter, Query, Store, StoreError, TypedStore, Write};
use nexus_core::types::Timestamp;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Who hears expiry alerts: those who run the warehouse or sell clearance stock.
pub const ALERT_PERMISSIONS: [&str; 2] = ["manage_warehouse", "create_orders"];

/// The scan's findings for `today`: every active batch holding stock, bucketed.
pub fn scan(products: &[Product], today: NaiveDate) -> Value {
    let policy = ClearancePolicy::default();
    let mut buckets: BTreeMap<ExpiryBucket, Vec<Value>> = BTreeMap::new();
    let mut candidates = Vec::new();
    for p in products.iter().filter(|p| p.is_active) {
        for b in p
            .batches
            .iter()
            .filter(|b| b.is_active && !b.quantity.is_zero())
        {
            let Some(exp) = b.exp_date else { continue };
            let days = days_to_expiry(exp, today);
            let Some(bucket) = scan_bucket(days) else {
                continue;
            };
            let row = json!({
                "productId": p.id,
                "skuCode": p.sku_code,
                "productName": p.name,
                "batchNumber": b.batch_number,
                "expDate": exp,
                "daysToExpiry": days,
                "quantity": b.quantity,
                "warehouseId": b.warehouse_id,
                "colour": colour(days),
            });
            if clearance_eligibility(Some(exp), today, &policy).is_ok() {
                candidates.push(row.clone());
            }
            buckets.entry(bucket).or_default().push(row);
        }
    }
    for rows in buckets.values_mut() {
        rows.sort_by_key(|r| r["daysToExpiry"].as_i64().unwrap_or_default());
    }
    candidates.sort_by_key(|r| r["daysToExpiry"].as_i64().unwrap_or_default());
    let count = |b: ExpiryBucket| buckets.get(&b).map_or(0, Vec::len);
    json!({
        "date": today.to_string(),
        "counts": {
            "expired": count(ExpiryBucket::Expired),
            "within30": count(ExpiryBucket::Within30),
            "within60": count(ExpiryBucket::Within60),
            "within90": count(ExpiryBucket::Within90),
            "clearanceCandidates": candidates.len(),
        },
        "expired": buckets.remove(&ExpiryBucket::Expired).unwrap_or_default(),
        "within30": buckets.remove(&ExpiryBucket::Within30).unwrap_or_default(),
        "within60": buckets.remove(&ExpiryBucket::Within60).unwrap_or_default(),
        "within90": buckets.remove(&ExpiryBucket::Within90).unwrap_or_default(),
        "clearanceCandidates": candidates,
    })
}

/// Reads the products and scans them for `today`.
pub async fn run(store: &dyn Store, today: NaiveDate) -> Result<Value, StoreError> {
    let products: Vec<Product> = store
        .list(&Query::new(Filter::ne("isActive", false)))
        .await?;
    Ok(scan(&products, today))
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
        (!rows.is_empty()).then(|| {
            nexus_core::live::expiry_alert(
                result["date"].clone(),
                bucket,
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
    use nexus_core::model::Batch;
    use nexus_core::types::{DateOnly, Quantity};

    fn product(id: &str, batches: Vec<Batch>) -> Product {
        let mut p: Product = serde_json::from_value(json!({
            "id": id, "skuCode": id, "name": format!("Product {id}"), "isActive": true
        }))
        .unwrap();
        p.batches = batches;
        p
    }

    fn batch(n: &str, qty: u64, exp: NaiveDate) -> Batch {
        Batch::new(n, Quantity::from_int(qty), Some(DateOnly::new(exp)))
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

    #[test]
    fn the_daily_id_names_the_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(daily_job_id(day), "JOB-EXPIRY-20261124");
    }
}
