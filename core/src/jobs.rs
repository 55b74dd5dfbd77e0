//! The job queue port (ARCHITECTURE "Jobs").
//!
//! What users, events and the console see of a job is its [`JobRecord`] in the store; the
//! queue only carries a ticket naming the record, so a ticket delivered twice, late or after
//! a crash is harmless: the runner claims the record with a guarded update and drops tickets
//! whose record is finished or held by a live worker. The apalis adapters (SQLite embedded,
//! Redis in production) live in the worker crate; the API only needs this trait.

use crate::model::{JobKind, JobRecord};
use crate::store::{Store, StoreError, Write, commit_with_business_id};
use crate::types::Timestamp;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Mutex;
use std::time::Duration;

/// What travels through the queue: the id of a job record, nothing else (no payloads that
/// could go stale or leak into the queue backend).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobTicket {
    pub job_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("job queue unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait JobQueue: Send + Sync + 'static {
    /// Hands the job to the workers, to start no earlier than `delay` from now.
    async fn enqueue(&self, job_id: &str, delay: Option<Duration>) -> Result<(), QueueError>;

    /// For the banner and readiness checks (never a secret).
    fn describe(&self) -> String;
}

/// Records every ticket and runs nothing: for processes that only record jobs (tests of
/// the HTTP side, tools). The record stays `queued`; a worker started later finds it through
/// its sweep of queued records.
#[derive(Debug, Default)]
pub struct RecordingQueue {
    tickets: Mutex<Vec<JobTicket>>,
}

impl RecordingQueue {
    pub fn tickets(&self) -> Vec<JobTicket> {
        self.tickets.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl JobQueue for RecordingQueue {
    async fn enqueue(&self, job_id: &str, _delay: Option<Duration>) -> Result<(), QueueError> {
        if let Ok(mut t) = self.tickets.lock() {
            t.push(JobTicket {
                job_id: job_id.to_string(),
            });
        }
        Ok(())
    }

    fn describe(&self) -> String {
        "recording only (no workers in this process)".into()
    }
}

/// Records a queued job (with any writes that must commit with it, e.g. its audit entry)
/// under a fresh `JOB-` id, then enqueues it. If the queue refuses the ticket the record
/// stays queued and the workers' sweep picks it up, so the caller still gets the id.
pub async fn submit(
    store: &dyn Store,
    queue: &dyn JobQueue,
    kind: JobKind,
    requested_by: &str,
    input: Option<Value>,
    max_attempts: u32,
    extra_writes: impl Fn(&str) -> Result<Vec<Write>, StoreError> + Send + Sync,
) -> Result<String, StoreError> {
    let now = Timestamp::now();
    let id = commit_with_business_id(store, "JOB-", |id| {
        let job = JobRecord::queued(id, kind, requested_by, input.clone(), max_attempts, now);
        let mut writes = vec![Write::insert(&job)?];
        writes.extend(extra_writes(id)?);
        Ok(writes)
    })
    .await?;
    if let Err(e) = queue.enqueue(&id, None).await {
        tracing::warn!(job = %id, error = %e, "job recorded but not enqueued; the sweep will pick it up");
    }
    Ok(id)
}
