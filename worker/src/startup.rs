//! The services every NexusOMS process connects to at start-up, built in one place from the
//! validated configuration: the store, the file storage, the event bus and the job queue.
//!
//! `nexus-worker` and `nexus-api` (which also runs these workers in-process when embedded)
//! both start here, so a process can never reach a different database, bucket or queue than
//! its neighbours because one start-up path parsed a setting differently.

use crate::queue::Transport;
use crate::runner::WorkerDeps;
use nexus_core::blob::BlobStore;
use nexus_core::config::Config;
use nexus_core::events::{EventBus, InProcessBus};
use nexus_core::integrations::call_budget::{CallBudget, GEMINI_BUDGET_KEY};
use nexus_core::store::{Store, StoreError};
use secrecy::ExposeSecret;
use std::sync::Arc;

/// A shared service that could not be reached or prepared at start-up.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("data folder {path}: {source}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("signing secret: {0}")]
    Secret(#[source] std::io::Error),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("demo data: {0}")]
    Seed(#[from] nexus_core::seed::SeedError),
    #[error("event bus: {0}")]
    Events(String),
    #[error("job queue: {0}")]
    Queue(String),
}

/// What a process shares with every other process of the deployment.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    pub events: Arc<dyn EventBus>,
    pub transport: Transport,
    /// Redis counters when the deployment has Redis: budgets shared by every process.
    pub counters: Option<nexus_core::shared_counters::SharedCounters>,
}

impl Services {
    /// The dependencies of workers running on these services.
    pub fn worker_deps(&self, config: &Config) -> WorkerDeps {
        WorkerDeps {
            store: self.store.clone(),
            blobs: self.blobs.clone(),
            events: self.events.clone(),
            queue: Arc::new(self.transport.clone()),
            settings: config.jobs.clone(),
            ai: nexus_core::integrations::credit_advisor(config.gemini.as_ref(), |b| {
                match &self.counters {
                    Some(c) => CallBudget::shared(b, c.clone(), GEMINI_BUDGET_KEY),
                    None => CallBudget::local(b),
                }
            }),
            maps: nexus_core::integrations::distance_source(config.maps.as_ref()),
            worker_id: WorkerDeps::new_worker_id(),
        }
    }
}

/// The start of every binary: logs to stderr at `RUST_LOG` (default `info`), then the
/// configuration from the environment, read once. A bad setting prints
/// `<bin>: configuration error: …` and the caller exits with 2 (the usage-error code).
pub fn begin(bin: &str) -> Result<Config, std::process::ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    Config::from_env().map_err(|e| {
        eprintln!("{bin}: configuration error: {e}");
        std::process::ExitCode::from(2)
    })
}

/// Makes the data folder and settles the signing secret (`JWT_SECRET`, else the one kept in
/// the data folder), which also signs file URLs: every process of one data folder must
/// agree on it.
pub fn prepare(config: &mut Config) -> Result<(), StartError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    config.resolve_jwt_secret().map_err(StartError::Secret)
}

/// Connects every shared service the configuration names. An unreachable Redis or database
/// is a start-up error, never a silent downgrade to something process-local.
pub async fn connect(config: &Config) -> Result<Services, StartError> {
    let store = nexus_core::store::open(&config.store_config()).await?;
    let secret = config
        .jwt_secret
        .as_ref()
        .map(|s| s.expose_secret().as_bytes().to_vec())
        .unwrap_or_default();
    let blobs =
        nexus_core::blob::from_settings(&config.blob, &config.data_dir.join("blobs"), &secret);
    let events: Arc<dyn EventBus> = match &config.redis_url {
        Some(url) => Arc::new(
            nexus_core::events_redis::RedisBus::connect(
                url.expose_secret(),
                nexus_core::events_redis::DEFAULT_CHANNEL,
            )
            .await
            .map_err(|e| StartError::Events(e.to_string()))?,
        ),
        None => Arc::new(InProcessBus::default()),
    };
    let transport = Transport::connect(config)
        .await
        .map_err(|e| StartError::Queue(e.to_string()))?;
    let counters = match &config.redis_url {
        Some(url) => Some(
            nexus_core::shared_counters::SharedCounters::connect(url.expose_secret())
                .await
                .map_err(|e| StartError::Events(format!("Redis counters: {e}")))?,
        ),
        None => None,
    };
    Ok(Services {
        store,
        blobs,
        events,
        transport,
        counters,
    })
}
