//! A worker process's moving parts: the apalis worker consuming tickets, the sweep that
//! re-enqueues jobs nobody holds, and the apalis-cron schedule of the daily expiry scan.
//! `nexus-worker` runs these on their own; `nexus-api` runs the same in-process when
//! embedded.

use crate::expiry_scan;
use crate::queue::Transport;
use crate::runner::{Runner, WorkerDeps};
use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use nexus_core::jobs::JobTicket;
use nexus_core::model::{JobRecord, JobStatus};
use nexus_core::store::{Filter, Query, StoreError, TypedStore, UpdateOp, Write};
use nexus_core::types::Timestamp;
use serde_json::json;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;

async fn handle_ticket(ticket: JobTicket, runner: Data<Arc<Runner>>) -> Result<(), BoxDynError> {
    // The record carries every outcome; the queue only needs to know the ticket is spent.
    if let Err(e) = runner.handle(&ticket).await {
        tracing::warn!(job = %ticket.job_id, error = %e, "ticket not handled; the sweep will retry");
    }
    Ok(())
}

async fn on_tick(
    tick: Tick<chrono_tz::Tz>,
    deps: Data<Arc<WorkerDeps>>,
) -> Result<(), BoxDynError> {
    let at = chrono::DateTime::from_timestamp(tick.get_timestamp() as i64, 0)
        .unwrap_or_else(chrono::Utc::now);
    let day = at.with_timezone(&deps.settings.expiry_tz).date_naive();
    let (id, created) = expiry_scan::schedule_daily(
        deps.store.as_ref(),
        deps.queue.as_ref(),
        day,
        deps.settings.max_attempts,
    )
    .await?;
    tracing::info!(job = %id, created, "daily expiry scan");
    Ok(())
}

/// Runs until `shutdown` resolves.
pub async fn run(
    deps: WorkerDeps,
    transport: Transport,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let runner = Arc::new(Runner::new(deps.clone()));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
            Ok::<(), std::io::Error>(())
        }
    };
    let name = deps.worker_id.clone();
    let concurrency = deps.settings.concurrency;
    let consumer = {
        let stopped = stopped();
        let runner = runner.clone();
        tokio::spawn(async move {
            let poll = std::time::Duration::from_millis(250);
            let r = match transport {
                Transport::Sqlite(s) => {
                    WorkerBuilder::new(name)
                        .backend(s.poll_with_interval(poll))
                        .concurrency(concurrency)
                        .data(runner)
                        .build(handle_ticket)
                        .run_until(stopped)
                        .await
                }
                Transport::Redis(s) => {
                    WorkerBuilder::new(name)
                        .backend(s)
                        .concurrency(concurrency)
                        .data(runner)
                        .build(handle_ticket)
                        .run_until(stopped)
                        .await
                }
            };
            if let Err(e) = r {
                tracing::error!(error = %e, "job consumer stopped");
            }
        })
    };
    let sweeper = tokio::spawn(sweep_forever(deps.clone()));
    let scheduler = deps.settings.expiry_cron.clone().map(|expr| {
        let deps = Arc::new(deps.clone());
        let stopped = stopped();
        tokio::spawn(async move {
            let schedule = match cron::Schedule::from_str(&expr) {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "expiry scan schedule not started");
                    return;
                }
            };
            let tz = deps.settings.expiry_tz;
            let r = WorkerBuilder::new(format!("{}-expiry-schedule", deps.worker_id))
                .backend(CronScheduler::new(schedule).with_timezone(tz))
                .data(deps)
                .build(on_tick)
                .run_until(stopped)
                .await;
            if let Err(e) = r {
                tracing::error!(error = %e, "expiry schedule stopped");
            }
        })
    });
    shutdown.await;
    let _ = stop_tx.send(true);
    sweeper.abort();
    let _ = consumer.await;
    if let Some(s) = scheduler {
        let _ = s.await;
    }
    Ok(())
}

async fn sweep_forever(deps: WorkerDeps) {
    let mut tick = tokio::time::interval(deps.settings.heartbeat);
    loop {
        tick.tick().await;
        match sweep(&deps).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "re-enqueued jobs nobody held"),
            Err(e) => tracing::warn!(error = %e, "job sweep failed"),
        }
    }
}

/// Re-enqueues queued jobs whose ticket went missing (not touched for a lease period, and
/// due) and running jobs whose lease ran out (their worker died). Each re-enqueue touches
/// the record under a `_rev` guard, so concurrent sweeps of several workers push one ticket
/// and the next push waits another lease period. Returns how many were re-enqueued.
pub async fn sweep(deps: &WorkerDeps) -> Result<usize, StoreError> {
    let now = Timestamp::now();
    let open: Vec<JobRecord> = deps
        .store
        .list(&Query::new(Filter::is_in(
            "status",
            vec![json!(JobStatus::Queued), json!(JobStatus::Running)],
        )))
        .await?;
    let mut pushed = 0;
    for job in open {
        if !is_due(&job, now, deps.settings.lease) {
            continue;
        }
        let guard = Filter::and([Filter::id(&job.id), Filter::eq("_rev", job.rev)]);
        let touch = Write::update_one::<JobRecord>(
            guard,
            vec![
                UpdateOp::Set("updatedAt".into(), json!(now)),
                UpdateOp::Inc("_rev".into(), json!(1)),
            ],
        );
        match deps.store.commit(vec![touch]).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
        if let Err(e) = deps.queue.enqueue(&job.id, None).await {
            tracing::warn!(job = %job.id, error = %e, "sweep could not enqueue");
            continue;
        }
        pushed += 1;
    }
    Ok(pushed)
}

/// Resolves on Ctrl-C or SIGTERM: how every NexusOMS process is asked to stop.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Whether the sweep should hand `job` to the queue again at `now`.
fn is_due(job: &JobRecord, now: Timestamp, lease: std::time::Duration) -> bool {
    let stale_before = Timestamp::from_millis(
        now.millis() - i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2),
    )
    .unwrap_or(now);
    match job.status {
        JobStatus::Queued => {
            let touched = job.updated_at;
            match job.run_after {
                // A retry is due at its time even where the queue ignored the delay;
                // after that, like any queued job, once per lease period.
                Some(at) => at <= now && touched.is_none_or(|t| t <= at || t <= stale_before),
                None => touched.is_none_or(|t| t <= stale_before),
            }
        }
        JobStatus::Running => job.lease_until.is_none_or(|t| t <= now),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_core::model::JobKind;
    use std::time::Duration;

    const LEASE: Duration = Duration::from_secs(60);

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_millis(1_800_000_000_000 + secs * 1000).unwrap()
    }

    fn job(status: JobStatus, updated: i64) -> JobRecord {
        let mut j = JobRecord::queued("JOB-1", JobKind::ExpiryScan, "u", None, 3, at(updated));
        j.status = status;
        j
    }

    #[test]
    fn queued_jobs_are_pushed_again_once_per_lease_period() {
        let j = job(JobStatus::Queued, 0);
        assert!(!is_due(&j, at(30), LEASE), "recently enqueued");
        assert!(is_due(&j, at(61), LEASE), "its ticket went missing");
    }

    #[test]
    fn a_retry_is_due_at_its_time_even_if_the_queue_ignored_the_delay() {
        let mut j = job(JobStatus::Queued, 0);
        j.run_after = Some(at(5));
        assert!(!is_due(&j, at(4), LEASE));
        assert!(is_due(&j, at(6), LEASE));
        // Touched by a sweep after it was due: then once per lease period again.
        j.updated_at = Some(at(6));
        assert!(!is_due(&j, at(7), LEASE));
        assert!(is_due(&j, at(67), LEASE));
    }

    #[test]
    fn running_jobs_are_taken_over_only_after_their_lease() {
        let mut j = job(JobStatus::Running, 0);
        j.lease_until = Some(at(60));
        assert!(!is_due(&j, at(59), LEASE));
        assert!(is_due(&j, at(60), LEASE));
        let done = job(JobStatus::Succeeded, 0);
        assert!(!is_due(&done, at(1000), LEASE));
    }
}
