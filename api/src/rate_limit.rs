//! Request rate limits per client address and route group, answering 429 with
//! `Retry-After`. The global default is the legacy 500 requests per 15 minutes. Embedded, the
//! budgets live in this process (governor's GCRA); with `REDIS_URL` they are fixed-window
//! counters in Redis shared by every API instance (`shared_counters`), with this process's
//! limiter standing in while Redis does not answer.

use crate::error::{ApiError, ErrorCode};
use crate::shared_counters::SharedCounters;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

/// The route groups with their own budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Everything under `/api` not listed below.
    General,
    /// The public logistics cost calculator (it can call a paid maps API).
    PublicCost,
    /// Uploads and imports.
    Upload,
}

pub struct RateLimits {
    general: DefaultKeyedRateLimiter<IpAddr>,
    public_cost: DefaultKeyedRateLimiter<IpAddr>,
    upload: DefaultKeyedRateLimiter<IpAddr>,
    general_limit: u32,
    general_window: Duration,
    shared: Option<SharedCounters>,
}

const PUBLIC_COST: (Duration, u32) = (Duration::from_secs(60), 30);
const UPLOAD: (Duration, u32) = (Duration::from_secs(60), 20);

fn quota(window: Duration, max: u32) -> Quota {
    let max = NonZeroU32::new(max.max(1)).unwrap_or(NonZeroU32::MIN);
    let period = window / max.get();
    Quota::with_period(period.max(Duration::from_nanos(1)))
        .unwrap_or_else(|| Quota::per_second(max))
        .allow_burst(max)
}

impl RateLimits {
    pub fn new(window: Duration, max: u32) -> Self {
        RateLimits {
            general: RateLimiter::keyed(quota(window, max)),
            public_cost: RateLimiter::keyed(quota(PUBLIC_COST.0, PUBLIC_COST.1)),
            upload: RateLimiter::keyed(quota(UPLOAD.0, UPLOAD.1)),
            general_limit: max,
            general_window: window,
            shared: None,
        }
    }

    /// The same budgets, counted in Redis for every API instance.
    pub fn shared(window: Duration, max: u32, counters: SharedCounters) -> Self {
        RateLimits {
            shared: Some(counters),
            ..Self::new(window, max)
        }
    }

    /// Counts one request of `ip` in `group`; `Err(wait)` when over the budget.
    pub async fn check(&self, group: Group, ip: IpAddr) -> Result<(), Duration> {
        let Some(shared) = &self.shared else {
            return self.check_here(group, ip);
        };
        let (name, (window, max)) = match group {
            Group::General => ("general", (self.general_window, self.general_limit)),
            Group::PublicCost => ("cost", PUBLIC_COST),
            Group::Upload => ("upload", UPLOAD),
        };
        match shared.hit(&format!("rate:{name}:{ip}"), window).await {
            Ok(w) if w.count > u64::from(max.max(1)) => Err(w.remaining),
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "shared rate limit unavailable; this instance's limit applies");
                self.check_here(group, ip)
            }
        }
    }

    fn check_here(&self, group: Group, ip: IpAddr) -> Result<(), Duration> {
        let limiter = match group {
            Group::General => &self.general,
            Group::PublicCost => &self.public_cost,
            Group::Upload => &self.upload,
        };
        limiter
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    pub fn general_limit(&self) -> u32 {
        self.general_limit
    }

    /// Forgets the clients whose budget is whole again: without it every address ever seen
    /// keeps an entry for the life of the process.
    pub fn prune(&self) {
        for l in [&self.general, &self.public_cost, &self.upload] {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }

    /// Clients this process tracks (for the pruning tests and diagnostics).
    pub fn tracked(&self) -> usize {
        self.general.len() + self.public_cost.len() + self.upload.len()
    }
}

fn group_of(path: &str) -> Group {
    if path == "/api/logistics/calculate-cost" {
        Group::PublicCost
    } else if path.contains("bulk") || path.contains("upload") || path.contains("import") {
        Group::Upload
    } else {
        Group::General
    }
}

pub fn too_many(retry_after: Duration) -> Response {
    let secs = retry_after.as_secs().max(1);
    let mut r = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        "Too many requests, please try again later.",
    )
    .with_details(serde_json::json!({ "retryAfterSeconds": secs }))
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        r.headers_mut().insert("retry-after", v);
    }
    r
}

/// Middleware over `/api` (health and readiness are exempt so probes never get throttled).
pub async fn limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !path.starts_with("/api/") || path == "/api/health" || path == "/api/ready" {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let group = group_of(&path);
    if let Err(wait) = st.rate_limits.check(group, ip).await {
        return too_many(wait);
    }
    if group != Group::General
        && let Err(wait) = st.rate_limits.check(Group::General, ip).await
    {
        return too_many(wait);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn clients_whose_budget_is_whole_again_are_forgotten() {
        // A window so short that every budget is whole again by the time we prune.
        let l = RateLimits::new(Duration::from_nanos(1), 1);
        for i in 0..10_000u32 {
            let _ = l.check(Group::General, IpAddr::from(i.to_be_bytes())).await;
        }
        assert!(l.tracked() > 0);
        l.prune();
        assert_eq!(l.tracked(), 0);
        // A client inside its window is kept.
        let kept = RateLimits::new(Duration::from_secs(900), 500);
        let _ = kept
            .check(Group::General, IpAddr::from([10, 0, 0, 9]))
            .await;
        kept.prune();
        assert_eq!(kept.tracked(), 1);
    }

    #[tokio::test]
    async fn refuses_past_the_budget_with_a_wait() {
        let l = RateLimits::new(Duration::from_secs(900), 3);
        let ip = IpAddr::from([10, 0, 0, 1]);
        for _ in 0..3 {
            assert!(l.check(Group::General, ip).await.is_ok());
        }
        let wait = l.check(Group::General, ip).await.unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(300));
        assert!(
            l.check(Group::General, IpAddr::from([10, 0, 0, 2]))
                .await
                .is_ok(),
            "other clients unaffected"
        );
    }
}
