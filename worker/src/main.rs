//! `nexus-worker`: a worker process on the shared queue. Several may run against one Redis
//! (or one embedded data folder); the job records' claims keep any job from running twice
//! at once.

use clap::Parser;
use nexus_core::config::Config;
use nexus_core::events::{EventBus, InProcessBus};
use nexus_worker::{Transport, WorkerDeps, service};
use secrecy::ExposeSecret;
use std::process::ExitCode;
use std::sync::Arc;

/// NexusOMS background job worker.
///
/// Runs queued jobs from the shared queue (Redis when REDIS_URL is set, else the SQLite
/// queue in the data folder): bulk order and master-data imports and the daily expiry scan.
/// Settings come from the same environment as nexus-api (see README "Configuration").
#[derive(Parser, Debug)]
#[command(name = "nexus-worker", version, about, long_about)]
struct Args {
    /// How many jobs to run at once (overrides NEXUS_WORKER_CONCURRENCY).
    #[arg(long)]
    concurrency: Option<usize>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("nexus-worker: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(n) = args.concurrency {
        if n == 0 {
            eprintln!("nexus-worker: --concurrency must be at least 1");
            return ExitCode::from(2);
        }
        config.jobs.concurrency = n;
    }
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nexus-worker: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(mut config: Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    config.resolve_jwt_secret()?;
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
            .await?,
        ),
        // Embedded: events stay in this process; the API reads progress from the records.
        None => Arc::new(InProcessBus::default()),
    };
    let transport = Transport::connect(&config).await?;
    let deps = WorkerDeps {
        store,
        blobs,
        events,
        queue: Arc::new(transport.clone()),
        settings: config.jobs.clone(),
        worker_id: WorkerDeps::new_worker_id(),
    };
    println!(
        "nexus-worker {} ready: {} ({} at once), worker id {}",
        env!("CARGO_PKG_VERSION"),
        config
            .integration_states()
            .into_iter()
            .find(|(k, _)| *k == "Job queue")
            .map(|(_, v)| v)
            .unwrap_or_default(),
        config.jobs.concurrency,
        deps.worker_id
    );
    service::run(deps, transport, nexus_worker::service::shutdown_signal()).await?;
    tracing::info!("nexus-worker stopped");
    Ok(())
}
