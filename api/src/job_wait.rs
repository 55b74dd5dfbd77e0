//! Waiting, inside a request, for a queued job to finish.
//!
//! A master-data import is queued so that a large file never runs in the request, but the
//! old mobile app counts only a `200` as success and never looks at a job again. So an
//! import request waits a bounded time (`NEXUS_IMPORT_WAIT`) for its job and answers with
//! the outcome when the job is done in time, and `202` with the job id when it is not.
//! Clients that follow progress live say so with `Prefer: respond-async` (RFC 7240) and get
//! the `202` at once; `Prefer: wait=N` shortens the wait.
//!
//! The wait listens to the event bus (Redis pub/sub across processes, so a worker on
//! another host wakes it), and the job record in the store stays the answer: an event only
//! says when to look, and a missed event costs at most the wait.

use crate::error::ApiError;
use crate::state::AppState;
use axum::http::HeaderMap;
use axum::http::header::HeaderName;
use nexus_core::events::{Event, types};
use nexus_core::model::JobRecord;
use nexus_core::store::{Filter, TypedStore};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

const PREFER: HeaderName = HeaderName::from_static("prefer");

/// How long this request may wait for its job: nothing with `Prefer: respond-async`, the
/// smaller of `wait=N` and the configured limit when given, else the configured limit.
pub fn allowed_wait(headers: &HeaderMap, configured: Duration) -> Duration {
    let mut wait = configured;
    for value in headers.get_all(PREFER) {
        let Ok(value) = value.to_str() else { continue };
        for pref in value.split(',').map(str::trim) {
            let (name, arg) = match pref.split_once('=') {
                Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
                None => (pref, None),
            };
            if name.eq_ignore_ascii_case("respond-async") {
                return Duration::ZERO;
            }
            if name.eq_ignore_ascii_case("wait")
                && let Some(secs) = arg.and_then(|a| a.parse::<u64>().ok())
            {
                wait = wait.min(Duration::from_secs(secs));
            }
        }
    }
    wait
}

/// A subscription taken before the job is submitted, so its finishing event cannot be
/// missed between the submit and the wait.
pub struct JobWaiter {
    events: Option<broadcast::Receiver<Event>>,
    limit: Duration,
}

impl JobWaiter {
    /// Subscribes when there is anything to wait for.
    pub fn new(st: &AppState, limit: Duration) -> JobWaiter {
        JobWaiter {
            events: (!limit.is_zero()).then(|| st.events.subscribe()),
            limit,
        }
    }

    /// The job once it has finished, or `None` when the limit passed first (or there was
    /// nothing to wait for).
    pub async fn finished(
        self,
        st: &AppState,
        job_id: &str,
    ) -> Result<Option<JobRecord>, ApiError> {
        let Some(mut events) = self.events else {
            return Ok(None);
        };
        let deadline = Instant::now() + self.limit;
        loop {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(Ok(e)) if e.event_type == types::JOB_FINISHED && e.data["jobId"] == job_id => {
                    break;
                }
                Ok(Ok(_)) => continue,
                // Events were dropped while we were slow: the store tells whether ours was
                // among them.
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                    if let Some(job) = finished_job(st, job_id).await? {
                        return Ok(Some(job));
                    }
                }
                Ok(Err(broadcast::error::RecvError::Closed)) | Err(_) => break,
            }
        }
        finished_job(st, job_id).await
    }
}

async fn finished_job(st: &AppState, job_id: &str) -> Result<Option<JobRecord>, ApiError> {
    let job: Option<JobRecord> = st.store.get(Filter::id(job_id)).await?;
    Ok(job.filter(|j| j.status.is_finished()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(prefer: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for p in prefer {
            h.append(PREFER, HeaderValue::from_str(p).unwrap());
        }
        h
    }

    #[test]
    fn respond_async_wins_and_wait_only_shortens() {
        let limit = Duration::from_secs(20);
        assert_eq!(allowed_wait(&with(&[]), limit), limit);
        assert_eq!(
            allowed_wait(&with(&["respond-async"]), limit),
            Duration::ZERO
        );
        assert_eq!(
            allowed_wait(&with(&["return=minimal, Respond-Async"]), limit),
            Duration::ZERO
        );
        assert_eq!(
            allowed_wait(&with(&["wait=5"]), limit),
            Duration::from_secs(5)
        );
        assert_eq!(allowed_wait(&with(&["wait=600"]), limit), limit);
        assert_eq!(allowed_wait(&with(&["wait=soon"]), limit), limit);
        assert_eq!(
            allowed_wait(&with(&["handling=strict", "wait=\"3\""]), limit),
            Duration::from_secs(3)
        );
    }
}
