//! Import jobs: read the uploaded workbook from the blob store, run the import engine with
//! the runner's progress and cancel hooks, keep the error report as a private blob on the
//! job, and announce the orders it created.

use crate::imports::{ImportContext, ImportError, run_import};
use crate::work::{JobFailure, JobOutput, Work};
use nexus_core::blob::{BlobError, BlobKey};
use nexus_core::events::order_created;
use nexus_core::model::{JobProgress, Order};
use nexus_core::store::{Filter, Query, TypedStore};
use nexus_core::types::Timestamp;
use serde_json::json;

/// Content type of the error report.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Orders announced per store read.
const EVENT_BATCH: usize = 500;

pub async fn run(work: &Work<'_>) -> Result<JobOutput, JobFailure> {
    let input = work.job.input.as_ref();
    let field = |name: &str| input.and_then(|i| i.get(name)).and_then(|v| v.as_str());
    let key = field("blobKey")
        .ok_or_else(|| JobFailure::Permanent("the job names no uploaded file".into()))?;
    let key = BlobKey::parse(key).map_err(|e| JobFailure::Permanent(e.to_string()))?;
    let blob = match work.deps.blobs.get(&key).await {
        Ok(b) => b,
        Err(BlobError::NotFound(_)) => {
            return Err(JobFailure::Permanent(
                "the uploaded file is no longer stored; upload it again".into(),
            ));
        }
        Err(e) => return Err(JobFailure::Retryable(e.to_string())),
    };
    // The hash recorded at upload; recomputed for records that lack it.
    let sha256 = field("sha256")
        .map(str::to_string)
        .unwrap_or_else(|| nexus_core::blob::sha256_hex(&blob.bytes));
    let ctx = ImportContext {
        store: work.deps.store.as_ref(),
        job_id: &work.job.id,
        requested_by: &work.job.requested_by,
        file_sha256: &sha256,
        now: Timestamp::now(),
    };
    let outcome = run_import(
        work.job.kind,
        &ctx,
        &blob.bytes,
        work.progress,
        work.cancelled,
    )
    .await
    .map_err(|e| match e {
        ImportError::Cancelled => JobFailure::Cancelled,
        e if e.is_retryable() => JobFailure::Retryable(e.to_string()),
        e => JobFailure::Permanent(e.to_string()),
    })?;

    let report_key = match &outcome.report {
        Some(bytes) => {
            let key = BlobKey::parse(&format!("reports/{}-rejected-rows.xlsx", work.job.id))
                .map_err(|e| JobFailure::Permanent(e.to_string()))?;
            work.deps
                .blobs
                .put(&key, bytes.clone(), XLSX)
                .await
                .map_err(|e| JobFailure::Retryable(e.to_string()))?;
            Some(key.to_string())
        }
        None => None,
    };

    let mut events = Vec::new();
    for ids in outcome.created_order_ids.chunks(EVENT_BATCH) {
        let orders: Vec<Order> = work
            .deps
            .store
            .list(&Query::new(Filter::is_in(
                "id",
                ids.iter().map(|i| json!(i)).collect(),
            )))
            .await?;
        events.extend(orders.iter().map(order_created));
    }
    // Every imported order waits for credit control: its insight is computed now, by a job
    // of its own, as for an order booked over HTTP.
    for id in &outcome.created_order_ids {
        nexus_core::jobs::submit(
            work.deps.store.as_ref(),
            work.deps.queue.as_ref(),
            nexus_core::model::JobKind::CreditInsight,
            &work.job.requested_by,
            Some(json!({ "orderId": id })),
            work.deps.settings.max_attempts,
            |_| Ok(Vec::new()),
        )
        .await?;
    }
    let total = outcome.summary["totalRows"].as_u64().unwrap_or_default();
    Ok(JobOutput {
        result: outcome.summary,
        report_key,
        final_progress: Some(JobProgress {
            done: total,
            total,
            message: Some("import finished".into()),
        }),
        writes: Vec::new(),
        events,
    })
}
