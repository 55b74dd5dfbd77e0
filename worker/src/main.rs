//! `nexus-worker`: a worker process on the shared queue. Several may run against one Redis
//! (or one embedded data folder); the job records' claims keep any job from running twice
//! at once.

use clap::Parser;
use nexus_core::config::Config;
use nexus_worker::{service, startup};
use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: see docs/BENCHMARKS.md (allocation was the largest
/// cost of an order list).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let mut config = match startup::begin("nexus-worker") {
        Ok(c) => c,
        Err(code) => return code,
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
    startup::prepare(&mut config)?;
    let services = startup::connect(&config).await?;
    let deps = services.worker_deps(&config);
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
    service::run(deps, services.transport, service::shutdown_signal()).await?;
    tracing::info!("nexus-worker stopped");
    Ok(())
}
