//! The state every handler shares, built once at start-up.

use crate::auth::{JwtKeys, LoginLimiter};
use crate::rate_limit::{Budgets, RateLimits};
use nexus_core::blob::BlobStore;
use nexus_core::config::Config;
use nexus_core::events::{EventBus, InProcessBus};
use nexus_core::integrations::DistanceSource;
use nexus_core::integrations::advisor::CreditAdvisor;
use nexus_core::integrations::call_budget::{CallBudget, GEMINI_BUDGET_KEY};
use nexus_core::jobs::{JobQueue, RecordingQueue};
use nexus_core::store::Store;
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What every handler and layer shares. Cloned per request by each layer and extractor that
/// takes the state, so it is one pointer: as a struct of a dozen `Arc`s (and the queue
/// transport) its clone and drop were the top of the health route's profile (17 % of the
/// CPU, docs/BENCHMARKS.md).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The state's contents (read through [`AppState`]).
pub struct Shared {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub jwt: Arc<JwtKeys>,
    pub events: Arc<dyn EventBus>,
    /// Uploaded files (private; read through the API or a signed URL).
    pub blobs: Arc<dyn BlobStore>,
    /// Where queued jobs go: the apalis transport once connected, a recording queue in
    /// states built without one (tests of the HTTP side).
    pub jobs: Arc<dyn JobQueue>,
    /// The transport itself, for running workers in this process.
    pub transport: Option<nexus_worker::Transport>,
    /// Who answers credit insights: Gemini when configured, else the rules. The route falls
    /// back to the rules whenever Gemini fails.
    pub ai: Arc<dyn CreditAdvisor>,
    /// The live road-distance provider (Google Distance Matrix) when configured; `None`
    /// means the offline city table answers every lookup.
    pub maps: Option<Arc<dyn DistanceSource>>,
    pub login_limiter: Arc<LoginLimiter>,
    pub rate_limits: Arc<RateLimits>,
    pub started_at: Instant,
    /// The liveness probe's last store ping (`/api/health`).
    pub health: Arc<crate::routes::health::HealthCache>,
    /// Bookings for one customer queue within this process (see `BookingTurns`).
    pub booking_turns: Arc<crate::routes::orders::credit_check::BookingTurns>,
}

impl Shared {
    fn new(config: Config, store: Arc<dyn Store>) -> Self {
        let secret = config.jwt_secret.clone().unwrap_or_else(|| {
            SecretString::from(format!("{}{}", ulid::Ulid::new(), ulid::Ulid::new()))
        });
        let jwt = JwtKeys::new(&secret, config.jwt_expiry, config.refresh_expiry);
        let rate_limits = RateLimits::new(Budgets::of(&config));
        let blobs = nexus_core::blob::from_settings(
            &config.blob,
            &config.data_dir.join("blobs"),
            secret.expose_secret().as_bytes(),
        );
        let login_limiter = Arc::new(login_limiter());
        let rate_limits = Arc::new(rate_limits);
        prune_limits(&rate_limits, &login_limiter);
        Shared {
            jwt: Arc::new(jwt),
            events: Arc::new(InProcessBus::default()),
            blobs,
            jobs: Arc::new(RecordingQueue::default()),
            transport: None,
            ai: nexus_core::integrations::credit_advisor(config.gemini.as_ref(), CallBudget::local),
            maps: nexus_core::integrations::distance_source(config.maps.as_ref()),
            login_limiter,
            rate_limits,
            store,
            config: Arc::new(config),
            started_at: Instant::now(),
            health: Arc::default(),
            booking_turns: Arc::default(),
        }
    }
}

impl AppState {
    /// Builds the state from a validated configuration. The JWT secret must have been
    /// resolved (see `Config::resolve_jwt_secret`); without one a random per-process secret
    /// is used, which only tests rely on.
    pub fn new(config: Config, store: Arc<dyn Store>) -> Self {
        AppState(Arc::new(Shared::new(config, store)))
    }

    /// The state over the services the deployment shares ([`nexus_worker::startup`]): its
    /// store, files, event bus and queue. With Redis, rate limits and login lockouts are
    /// counted there too, so they hold across every API instance; an unreachable Redis is a
    /// start-up error, not a silent downgrade.
    pub async fn with_services(
        config: Config,
        services: nexus_worker::startup::Services,
    ) -> Result<Self, nexus_worker::startup::StartError> {
        let mut st = Shared::new(config, services.store);
        st.events = services.events;
        st.blobs = services.blobs;
        st.jobs = Arc::new(services.transport.clone());
        st.transport = Some(services.transport);
        if let Some(counters) = services.counters {
            st.rate_limits = Arc::new(RateLimits::shared(
                Budgets::of(&st.config),
                counters.clone(),
            ));
            // Gemini's quota is the project's: every API and worker spends one budget.
            st.ai = nexus_core::integrations::credit_advisor(st.config.gemini.as_ref(), |b| {
                CallBudget::shared(b, counters.clone(), GEMINI_BUDGET_KEY)
            });
            st.login_limiter = Arc::new(login_limiter().shared(counters));
            prune_limits(&st.rate_limits, &st.login_limiter);
        }
        Ok(AppState(Arc::new(st)))
    }

    /// The dependencies of workers running in this process, sharing this state's store,
    /// files, events and queue.
    pub fn worker_deps(&self) -> nexus_worker::WorkerDeps {
        nexus_worker::WorkerDeps {
            store: self.store.clone(),
            blobs: self.blobs.clone(),
            events: self.events.clone(),
            queue: self.jobs.clone(),
            settings: self.config.jobs.clone(),
            ai: self.ai.clone(),
            maps: self.maps.clone(),
            worker_id: nexus_worker::WorkerDeps::new_worker_id(),
        }
    }

    /// One line per integration as actually built (the banner and `/api/ready`): the
    /// configuration's view, with each live component describing itself.
    pub fn integration_states(&self) -> Vec<(&'static str, String)> {
        self.config
            .integration_states()
            .into_iter()
            .map(|(name, state)| {
                let live = match name {
                    "File storage" => self.blobs.describe(),
                    "Events" => self.events.describe(),
                    "Gemini AI" => self.ai.describe(),
                    "Google Maps" => match &self.maps {
                        Some(m) => m.describe(),
                        None => state,
                    },
                    _ => state,
                };
                (name, live)
            })
            .collect()
    }

    /// Publishes after a commit; a failed publish is logged and never undoes the change.
    pub async fn publish(&self, event: nexus_core::events::Event) {
        if let Err(e) = self.events.publish(event).await {
            tracing::warn!(error = %e, "event not published");
        }
    }
}

/// Every minute, forgets the clients whose limits have reset, so the limiters' memory
/// follows the clients of the last window, not every address ever seen. The task ends with
/// the limiters (it holds them weakly); outside a runtime (a state built for a unit test)
/// nothing is scheduled.
fn prune_limits(rate: &Arc<RateLimits>, login: &Arc<LoginLimiter>) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let (rate, login) = (Arc::downgrade(rate), Arc::downgrade(login));
    rt.spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        every.tick().await;
        loop {
            every.tick().await;
            let (Some(rate), Some(login)) = (rate.upgrade(), login.upgrade()) else {
                return;
            };
            rate.prune();
            login.prune();
        }
    });
}

/// Five failed logins per account, fifty per address, in fifteen minutes.
fn login_limiter() -> LoginLimiter {
    LoginLimiter::new(Duration::from_secs(15 * 60), 5, 50)
}
