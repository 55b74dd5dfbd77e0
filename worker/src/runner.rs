//! Runs one job from its ticket: claim the record, keep the claim alive while working,
//! publish progress, and record how it ended (succeeded, failed, retried with backoff, dead,
//! cancelled).
//!
//! Every state change is a guarded update of the record (`_rev`, or the worker's own claim),
//! so two workers holding tickets for the same job never both run it: the loser's update
//! matches nothing and it drops its ticket. A worker that dies leaves a lease that runs
//! out; the sweep re-enqueues the job and the next claim takes it over, counting the lost
//! run as an attempt.

use crate::expiry_scan;
use crate::work::{JobFailure, JobOutput, Work};
use nexus_core::blob::BlobStore;
use nexus_core::config::JobSettings;
use nexus_core::events::{Audience, Event, EventBus};
use nexus_core::jobs::{JobQueue, JobTicket};
use nexus_core::model::{JobProgress, JobRecord, JobStatus};
use nexus_core::store::{Filter, Store, StoreError, TypedStore, UpdateOp, Write};
use nexus_core::types::Timestamp;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// What a worker process shares between its jobs.
#[derive(Clone)]
pub struct WorkerDeps {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    pub events: Arc<dyn EventBus>,
    pub queue: Arc<dyn JobQueue>,
    pub settings: JobSettings,
    /// Who answers credit insights (Gemini when configured, else the rules).
    pub ai: Arc<dyn nexus_core::integrations::advisor::CreditAdvisor>,
    /// Who measures road distances (Distance Matrix when configured, else `None`: the
    /// offline city table).
    pub maps: Option<Arc<dyn nexus_core::integrations::DistanceSource>>,
    /// Unique per process run (`<host>-<pid>-<ulid>`), recorded on claimed jobs.
    pub worker_id: String,
}

impl WorkerDeps {
    pub fn new_worker_id() -> String {
        format!("worker-{}-{}", std::process::id(), ulid::Ulid::new())
    }

    pub(crate) async fn publish(&self, event: Event) {
        if let Err(e) = self.events.publish(event).await {
            tracing::warn!(error = %e, "event not published");
        }
    }
}

/// Why a ticket was dropped without running (logged at debug level).
#[derive(Debug, PartialEq, Eq)]
pub enum Skip {
    Missing,
    Finished,
    NotYet,
    HeldByLiveWorker,
    LostRace,
    Cancelled,
    OutOfAttempts,
}

pub struct Runner {
    deps: WorkerDeps,
    /// The fault-injection hang happens once per process (see `JobSettings`).
    fault_fired: Arc<AtomicBool>,
}

impl Runner {
    pub fn new(deps: WorkerDeps) -> Runner {
        Runner {
            deps,
            fault_fired: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn deps(&self) -> &WorkerDeps {
        &self.deps
    }

    /// Handles one ticket to the end. Store trouble while claiming is returned so the
    /// caller can log it; the record is left as it was and the sweep retries.
    pub async fn handle(&self, ticket: &JobTicket) -> Result<(), StoreError> {
        match self.claim(&ticket.job_id).await? {
            Ok(job) => {
                self.execute(job).await;
                Ok(())
            }
            Err(skip) => {
                tracing::debug!(job = %ticket.job_id, ?skip, "ticket dropped");
                Ok(())
            }
        }
    }

    async fn load(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        self.deps.store.get::<JobRecord>(Filter::id(id)).await
    }

    /// Takes the job for this worker if it is runnable now.
    pub async fn claim(&self, id: &str) -> Result<Result<JobRecord, Skip>, StoreError> {
        let Some(job) = self.load(id).await? else {
            return Ok(Err(Skip::Missing));
        };
        let now = Timestamp::now();
        if job.status.is_finished() {
            return Ok(Err(Skip::Finished));
        }
        if job.cancel_requested {
            self.finish(&job, Outcome::Cancelled, None).await?;
            return Ok(Err(Skip::Cancelled));
        }
        match job.status {
            JobStatus::Queued => {
                if job.run_after.is_some_and(|t| t > now) {
                    return Ok(Err(Skip::NotYet));
                }
            }
            JobStatus::Running => {
                if job.lease_until.is_some_and(|t| t > now) {
                    return Ok(Err(Skip::HeldByLiveWorker));
                }
                if job.attempts >= job.max_attempts {
                    let lost = "the worker running the last attempt stopped before it finished";
                    self.finish(&job, Outcome::Dead(lost.into()), None).await?;
                    return Ok(Err(Skip::OutOfAttempts));
                }
                tracing::warn!(job = %job.id, worker = ?job.worker_id, "taking over a job whose worker stopped");
            }
            _ => return Ok(Err(Skip::Finished)),
        }
        let lease_until = now.plus(self.deps.settings.lease);
        let mut ops = vec![
            UpdateOp::Set("status".into(), json!(JobStatus::Running)),
            UpdateOp::Inc("attempts".into(), json!(1)),
            UpdateOp::Set("workerId".into(), json!(self.deps.worker_id)),
            UpdateOp::Set("leaseUntil".into(), json!(lease_until)),
            UpdateOp::Set("updatedAt".into(), json!(now)),
            UpdateOp::Unset("runAfter".into()),
            UpdateOp::Inc("_rev".into(), json!(1)),
        ];
        if job.started_at.is_none() {
            ops.push(UpdateOp::Set("startedAt".into(), json!(now)));
        }
        let guard = Filter::and([Filter::id(&job.id), Filter::eq("_rev", job.rev)]);
        match self
            .deps
            .store
            .commit(vec![Write::update_one::<JobRecord>(guard, ops)])
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Ok(Err(Skip::LostRace)),
            Err(e) => return Err(e),
        }
        let job = self.load(id).await?.ok_or(StoreError::Conflict(format!(
            "job {id} vanished after its claim"
        )))?;
        self.publish_progress(&job, &job.progress).await;
        Ok(Ok(job))
    }

    /// A guard that matches the record only while this worker holds it.
    fn mine(&self, id: &str) -> Filter {
        Filter::and([
            Filter::id(id),
            Filter::eq("status", json!(JobStatus::Running)),
            Filter::eq("workerId", self.deps.worker_id.as_str()),
        ])
    }

    async fn execute(&self, job: JobRecord) {
        let cancelled = Arc::new(AtomicBool::new(false));
        let (progress_tx, progress_rx) = watch::channel(job.progress.clone());
        let keeper = tokio::spawn(keep_claim(
            self.deps.clone(),
            job.clone(),
            self.mine(&job.id),
            cancelled.clone(),
            progress_rx,
        ));
        let hang_after = self.deps.settings.fault_hang_after_progress;
        let reports = std::sync::atomic::AtomicU64::new(0);
        let job_id = job.id.clone();
        let hang_until = cancelled.clone();
        let fault_fired = self.fault_fired.clone();
        let work = Work {
            deps: &self.deps,
            job: &job,
            progress: &move |p: JobProgress| {
                let _ = progress_tx.send(p);
                let n = reports.fetch_add(1, Ordering::SeqCst) + 1;
                if hang_after.is_some_and(|h| n >= h) && !fault_fired.swap(true, Ordering::SeqCst) {
                    tracing::error!(job = %job_id, "fault injection: hanging mid-job until cancelled");
                    // Hand this thread's other tasks (the lease keeper, the queue's heartbeat)
                    // to the rest of the runtime first, so only the job itself hangs; a
                    // cancel noticed by the keeper lets it go on to its next checkpoint.
                    tokio::task::block_in_place(|| {
                        while !hang_until.load(Ordering::SeqCst) {
                            std::thread::park_timeout(Duration::from_millis(10));
                        }
                    });
                }
            },
            cancelled: &{
                let c = cancelled.clone();
                move || c.load(Ordering::Relaxed)
            },
        };
        let result = work.run().await;
        keeper.abort();
        let _ = keeper.await;
        let outcome = match result {
            Ok(out) => Outcome::Succeeded(out),
            Err(JobFailure::Cancelled) => Outcome::Cancelled,
            Err(JobFailure::Permanent(msg)) => Outcome::Failed(msg),
            Err(JobFailure::Retryable(msg)) if job.attempts < job.max_attempts => {
                let delay = backoff(self.deps.settings.backoff, job.attempts);
                Outcome::Retry(msg, delay)
            }
            Err(JobFailure::Retryable(msg)) => Outcome::Dead(msg),
            // A provider asked us to wait: never sooner than it said, nor than the backoff.
            Err(JobFailure::RetryLater { message, after }) if job.attempts < job.max_attempts => {
                let delay = backoff(self.deps.settings.backoff, job.attempts).max(after);
                Outcome::Retry(message, delay)
            }
            Err(JobFailure::RetryLater { message, .. }) => Outcome::Dead(message),
        };
        let retry_delay = match &outcome {
            Outcome::Retry(_, d) => Some(*d),
            _ => None,
        };
        match self.finish(&job, outcome, Some(self.mine(&job.id))).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                tracing::warn!(job = %job.id, "claim lost before the job ended; its outcome is left to the new holder");
                return;
            }
            Err(e) => {
                tracing::error!(job = %job.id, error = %e, "could not record how the job ended; the sweep will run it again");
                return;
            }
        }
        if let Some(delay) = retry_delay
            && let Err(e) = self.deps.queue.enqueue(&job.id, Some(delay)).await
        {
            tracing::warn!(job = %job.id, error = %e, "retry not enqueued; the sweep will pick it up");
        }
    }

    /// Records the end of a run (or of a queued job) and publishes it.
    async fn finish(
        &self,
        job: &JobRecord,
        outcome: Outcome,
        guard: Option<Filter>,
    ) -> Result<(), StoreError> {
        let now = Timestamp::now();
        let guard = guard
            .unwrap_or_else(|| Filter::and([Filter::id(&job.id), Filter::eq("_rev", job.rev)]));
        let mut ops = vec![
            UpdateOp::Set("updatedAt".into(), json!(now)),
            UpdateOp::Unset("leaseUntil".into()),
            UpdateOp::Inc("_rev".into(), json!(1)),
        ];
        let status = outcome.status();
        ops.push(UpdateOp::Set("status".into(), json!(status)));
        if status.is_finished() {
            ops.push(UpdateOp::Set("finishedAt".into(), json!(now)));
        }
        let mut writes = Vec::new();
        match &outcome {
            Outcome::Succeeded(out) => {
                ops.push(UpdateOp::Set("result".into(), out.result.clone()));
                ops.push(UpdateOp::Unset("error".into()));
                if let Some(key) = &out.report_key {
                    ops.push(UpdateOp::Set("reportKey".into(), json!(key)));
                }
                if let Some(p) = &out.final_progress {
                    ops.push(UpdateOp::Set("progress".into(), json!(p)));
                }
                writes.extend(out.writes.iter().cloned());
            }
            Outcome::Failed(msg) | Outcome::Dead(msg) => {
                ops.push(UpdateOp::Set("error".into(), json!(msg)));
            }
            Outcome::Retry(msg, delay) => {
                ops.push(UpdateOp::Set("error".into(), json!(msg)));
                ops.push(UpdateOp::Set("runAfter".into(), json!(now.plus(*delay))));
                ops.push(UpdateOp::Unset("workerId".into()));
            }
            Outcome::Cancelled => {}
        }
        writes.insert(0, Write::update_one::<JobRecord>(guard, ops));
        self.deps.store.commit(writes).await?;
        if let Some(job) = self.load(&job.id).await? {
            if let Outcome::Succeeded(out) = &outcome {
                for e in &out.events {
                    self.deps.publish(e.clone()).await;
                }
            }
            self.deps.publish(job_event(&job, &job.progress)).await;
        }
        Ok(())
    }

    async fn publish_progress(&self, job: &JobRecord, p: &JobProgress) {
        self.deps.publish(job_event(job, p)).await;
    }
}

/// How a run ended.
enum Outcome {
    Succeeded(JobOutput),
    Failed(String),
    Retry(String, Duration),
    Dead(String),
    Cancelled,
}

impl Outcome {
    fn status(&self) -> JobStatus {
        match self {
            Outcome::Succeeded(_) => JobStatus::Succeeded,
            Outcome::Failed(_) => JobStatus::Failed,
            Outcome::Retry(..) => JobStatus::Queued,
            Outcome::Dead(_) => JobStatus::Dead,
            Outcome::Cancelled => JobStatus::Cancelled,
        }
    }
}

/// `base × 2^(attempt-1)`, capped at an hour: 5 s, 10 s, 20 s … with the default base.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
    base.saturating_mul(factor).min(Duration::from_secs(3600))
}

/// The `job:*` event for a record (`job:finished` once it finished, else `job:progress`):
/// its owner sees it, and so does whoever may see every job (the audience's permission
/// list is for operators of the system).
pub fn job_event(job: &JobRecord, p: &JobProgress) -> Event {
    let audience = if job.requested_by == "system" {
        Audience {
            permissions: expiry_scan::ALERT_PERMISSIONS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            ..Audience::default()
        }
    } else {
        Audience {
            users: vec![job.requested_by.clone()],
            ..Audience::default()
        }
    };
    nexus_core::live::job_update(job, p, audience)
}

/// While the job runs: renews the lease every heartbeat, notices a cancel request, and
/// writes and publishes the newest progress (at most one write per heartbeat tick or per
/// change, whichever is later, so a fast import does not flood the store).
async fn keep_claim(
    deps: WorkerDeps,
    job: JobRecord,
    mine: Filter,
    cancelled: Arc<AtomicBool>,
    mut progress: watch::Receiver<JobProgress>,
) {
    let mut tick = tokio::time::interval(deps.settings.heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_written = job.progress.clone();
    loop {
        let renew = tokio::select! {
            _ = tick.tick() => true,
            changed = progress.changed() => {
                if changed.is_err() {
                    // The job is over; the final state is written by `finish`.
                    std::future::pending::<()>().await;
                }
                false
            }
        };
        let now = Timestamp::now();
        let p = progress.borrow_and_update().clone();
        let mut ops = Vec::new();
        if renew {
            ops.push(UpdateOp::Set(
                "leaseUntil".into(),
                json!(now.plus(deps.settings.lease)),
            ));
        }
        if p != last_written {
            ops.push(UpdateOp::Set("progress".into(), json!(p)));
        }
        if ops.is_empty() {
            continue;
        }
        ops.push(UpdateOp::Set("updatedAt".into(), json!(now)));
        match deps
            .store
            .commit(vec![Write::update_one::<JobRecord>(mine.clone(), ops)])
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                // Taken over (our lease ran out) or cancelled while queued: stop working.
                cancelled.store(true, Ordering::Relaxed);
                return;
            }
            Err(e) => {
                tracing::warn!(job = %job.id, error = %e, "lease not renewed");
                continue;
            }
        }
        if p != last_written {
            deps.publish(job_event(&job_running(&job), &p)).await;
            last_written = p;
        }
        if renew
            && let Ok(Some(current)) = deps.store.get::<JobRecord>(Filter::id(&job.id)).await
            && current.cancel_requested
        {
            cancelled.store(true, Ordering::Relaxed);
        }
    }
}

fn job_running(job: &JobRecord) -> JobRecord {
    JobRecord {
        status: JobStatus::Running,
        ..job.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, 1), Duration::from_secs(5));
        assert_eq!(backoff(base, 2), Duration::from_secs(10));
        assert_eq!(backoff(base, 3), Duration::from_secs(20));
        assert_eq!(backoff(base, 30), Duration::from_secs(3600));
    }
}
