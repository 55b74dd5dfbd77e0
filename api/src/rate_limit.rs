//! Request rate limits per route group, answering 429 with `Retry-After`: per user once
//! the request carries a valid access token, per client address before (so anonymous
//! traffic from one address never spends a signed-in user's budget, and users behind one
//! office NAT do not share one). The global default is the legacy 500 requests per 15
//! minutes. Embedded, the budgets live in this process (governor's GCRA); with `REDIS_URL`
//! they are fixed-window counters in Redis shared by every API instance (`shared_counters`),
//! with this process's limiter standing in while Redis does not answer.

use crate::auth::actor::bearer_of;
use crate::auth::jwt::TokenKind;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use nexus_core::config::{Budget, Config};
use nexus_core::shared_counters::SharedCounters;
use std::fmt;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// The route groups with their own budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Everything under `/api` not listed below.
    General,
    /// The public logistics cost calculator (it can call a paid maps API).
    PublicCost,
    /// Uploads and imports (requests that send a file; template downloads are not uploads).
    Upload,
}

/// Whose budget a request spends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Client {
    /// The signed-in user of a valid access token.
    User(String),
    /// An anonymous caller, by address.
    Addr(IpAddr),
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Client::User(id) => write!(f, "user:{id}"),
            Client::Addr(ip) => write!(f, "ip:{ip}"),
        }
    }
}

pub struct RateLimits {
    general: DefaultKeyedRateLimiter<Client>,
    public_cost: DefaultKeyedRateLimiter<Client>,
    upload: DefaultKeyedRateLimiter<Client>,
    budgets: Budgets,
    shared: Option<SharedCounters>,
}

/// The three budgets, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Budgets {
    pub general: Budget,
    pub public_cost: Budget,
    pub upload: Budget,
}

impl Budgets {
    pub fn of(config: &Config) -> Self {
        Budgets {
            general: Budget {
                max: config.rate_limit_max,
                window: config.rate_limit_window,
            },
            public_cost: config.cost_rate_limit,
            upload: config.upload_rate_limit,
        }
    }

    fn get(&self, group: Group) -> Budget {
        match group {
            Group::General => self.general,
            Group::PublicCost => self.public_cost,
            Group::Upload => self.upload,
        }
    }
}

fn quota(b: Budget) -> Quota {
    let max = NonZeroU32::new(b.max.max(1)).unwrap_or(NonZeroU32::MIN);
    let period = b.window / max.get();
    Quota::with_period(period.max(Duration::from_nanos(1)))
        .unwrap_or_else(|| Quota::per_second(max))
        .allow_burst(max)
}

impl RateLimits {
    pub fn new(budgets: Budgets) -> Self {
        RateLimits {
            general: RateLimiter::keyed(quota(budgets.general)),
            public_cost: RateLimiter::keyed(quota(budgets.public_cost)),
            upload: RateLimiter::keyed(quota(budgets.upload)),
            budgets,
            shared: None,
        }
    }

    /// The same budgets, counted in Redis for every API instance.
    pub fn shared(budgets: Budgets, counters: SharedCounters) -> Self {
        RateLimits {
            shared: Some(counters),
            ..Self::new(budgets)
        }
    }

    /// Counts one request of `client` in `group`; `Err(wait)` when over the budget.
    pub async fn check(&self, group: Group, client: &Client) -> Result<(), Duration> {
        let Some(shared) = &self.shared else {
            return self.check_here(group, client);
        };
        let name = match group {
            Group::General => "general",
            Group::PublicCost => "cost",
            Group::Upload => "upload",
        };
        let budget = self.budgets.get(group);
        match shared
            .hit(&format!("rate:{name}:{client}"), budget.window)
            .await
        {
            Ok(w) if w.count > u64::from(budget.max.max(1)) => Err(w.remaining),
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "shared rate limit unavailable; this instance's limit applies");
                self.check_here(group, client)
            }
        }
    }

    fn check_here(&self, group: Group, client: &Client) -> Result<(), Duration> {
        let limiter = match group {
            Group::General => &self.general,
            Group::PublicCost => &self.public_cost,
            Group::Upload => &self.upload,
        };
        limiter
            .check_key(client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    pub fn general_limit(&self) -> u32 {
        self.budgets.general.max
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

/// Sending a file: a write to an upload, import or bulk path. Reading a template or a
/// stored file under those paths is ordinary traffic.
fn group_of(method: &Method, path: &str) -> Group {
    if path == "/api/logistics/calculate-cost" {
        Group::PublicCost
    } else if method != Method::GET
        && method != Method::HEAD
        && (path.contains("bulk") || path.contains("upload") || path.contains("import"))
    {
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

/// The user of a valid access token (signature and expiry: a cheap check with no store
/// read; the handler still authenticates fully), else the peer address.
pub fn client_of(st: &AppState, req: &Request) -> Client {
    if let Some(token) = bearer_of(req.headers())
        && let Ok(claims) = st.jwt.verify(token, TokenKind::Access)
    {
        return Client::User(claims.user_id);
    }
    Client::Addr(crate::client_addr::of(req.extensions()).unwrap_or(IpAddr::from([127, 0, 0, 1])))
}

/// Middleware over `/api` (health and readiness are exempt so probes never get throttled).
pub async fn limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !path.starts_with("/api/") || path == "/api/health" || path == "/api/ready" {
        return next.run(req).await;
    }
    let client = client_of(&st, &req);
    let group = group_of(req.method(), &path);
    if let Err(wait) = st.rate_limits.check(group, &client).await {
        return too_many(wait);
    }
    if group != Group::General
        && let Err(wait) = st.rate_limits.check(Group::General, &client).await
    {
        return too_many(wait);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budgets(window: Duration, max: u32) -> Budgets {
        let b = Budget { max, window };
        Budgets {
            general: b,
            public_cost: b,
            upload: b,
        }
    }

    #[test]
    fn only_sending_a_file_counts_as_an_upload() {
        for (method, path, group) in [
            (Method::POST, "/api/orders/bulk", Group::Upload),
            (Method::POST, "/api/customers/import", Group::Upload),
            (Method::POST, "/api/upload/pod", Group::Upload),
            (Method::GET, "/api/orders/bulk/template", Group::General),
            (
                Method::GET,
                "/api/customers/import/template",
                Group::General,
            ),
            (Method::GET, "/api/uploads/file/x", Group::General),
            (
                Method::POST,
                "/api/logistics/calculate-cost",
                Group::PublicCost,
            ),
            (Method::GET, "/api/orders", Group::General),
        ] {
            assert_eq!(group_of(&method, path), group, "{method} {path}");
        }
    }

    #[tokio::test]
    async fn clients_whose_budget_is_whole_again_are_forgotten() {
        // A window so short that every budget is whole again by the time we prune.
        let l = RateLimits::new(budgets(Duration::from_nanos(1), 1));
        for i in 0..10_000u32 {
            let _ = l
                .check(Group::General, &Client::Addr(IpAddr::from(i.to_be_bytes())))
                .await;
        }
        assert!(l.tracked() > 0);
        l.prune();
        assert_eq!(l.tracked(), 0);
        // A client inside its window is kept.
        let kept = RateLimits::new(budgets(Duration::from_secs(900), 500));
        let _ = kept
            .check(Group::General, &Client::Addr(IpAddr::from([10, 0, 0, 9])))
            .await;
        kept.prune();
        assert_eq!(kept.tracked(), 1);
    }

    #[tokio::test]
    async fn refuses_past_the_budget_with_a_wait() {
        let l = RateLimits::new(budgets(Duration::from_secs(900), 3));
        let ip = Client::Addr(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..3 {
            assert!(l.check(Group::General, &ip).await.is_ok());
        }
        let wait = l.check(Group::General, &ip).await.unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(300));
        assert!(
            l.check(Group::General, &Client::User("U2".into()))
                .await
                .is_ok(),
            "other clients unaffected"
        );
    }
}
