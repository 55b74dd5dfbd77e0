//! `nexus-worker`: executes queued jobs (bulk Excel imports, AI credit insight, distance-cost
//! lookups, expiry scans) with the same ports as the API. The job runners are not built yet;
//! until they are, this binary says so instead of pretending to work.

use clap::Parser;

/// NexusOMS background job worker.
///
/// Runs queued jobs from the shared queue (Redis in production, SQLite when embedded):
/// bulk order and master-data imports, AI credit insights, distance-cost lookups and
/// scheduled expiry scans.
#[derive(Parser, Debug)]
#[command(name = "nexus-worker", version, about, long_about)]
struct Args {
    /// How many jobs to run at once.
    #[arg(long, default_value_t = 2)]
    concurrency: usize,
}

fn main() {
    let args = Args::parse();
    eprintln!(
        "nexus-worker {}: no job runners are built in this version yet \
         (planned: bulk order import, master-data imports, credit insight, distance cost, \
         expiry scan). Requested concurrency {} ignored. Exiting.",
        env!("CARGO_PKG_VERSION"),
        args.concurrency
    );
    std::process::exit(2);
}
