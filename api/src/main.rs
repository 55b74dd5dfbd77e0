//! `nexus-api`: loads the configuration once, builds the API through [`startup::build`]
//! (store, files, events, queue, demo data), prints the banner and serves until Ctrl-C or
//! SIGTERM.

use clap::Parser;
use nexus_api::banner::{self, BannerInfo};
use nexus_api::startup;
use nexus_core::config::Config;
use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: see docs/BENCHMARKS.md (allocation was the largest
/// cost of an order list).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// NexusOMS API server (REST).
#[derive(Parser, Debug)]
#[command(name = "nexus-api", version, about)]
struct Args {
    /// Seed the demo data set (users of every role, customers, products, packaging, PMS,
    /// orders across the lifecycle) if it is not there yet.
    #[arg(long)]
    demo: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut config = match nexus_worker::startup::begin("nexus-api") {
        Ok(c) => c,
        Err(code) => return code,
    };
    config.demo_data |= args.demo;
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nexus-api: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    // Bind first: a port in use fails the start before anything is seeded.
    let listener = tokio::net::TcpListener::bind((config.bind, config.port)).await?;
    let listen = listener.local_addr()?;
    let built = startup::build(config).await?;
    let integrations = built.state.integration_states();
    let banner_text = banner::render(&BannerInfo {
        integrations: &integrations,
        listen,
        default_password_users: built.default_password_users,
        demo_summary: built.demo_summary,
        warnings: banner::layout_warnings(&built.state.config),
    });
    println!("{banner_text}");
    startup::serve(
        built.state,
        listener,
        nexus_worker::service::shutdown_signal(),
    )
    .await?;
    tracing::info!("nexus-api stopped");
    Ok(())
}
