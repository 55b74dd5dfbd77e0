//! `nexus-api`: loads the configuration once, opens the store, optionally seeds the demo data,
//! prints the banner and serves until Ctrl-C or SIGTERM.

use clap::Parser;
use nexus_api::banner::{self, BannerInfo};
use nexus_api::{AppState, app};
use nexus_core::config::Config;
use std::process::ExitCode;

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
            eprintln!("nexus-api: configuration error: {e}");
            return ExitCode::from(2);
        }
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

async fn run(mut config: Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    config.resolve_jwt_secret()?;
    let store = nexus_core::store::open(&config.store_config()).await?;

    let demo_summary = if config.demo_data {
        let opts = nexus_core::seed::SeedOptions {
            bcrypt_cost: config.bcrypt_cost,
            ..Default::default()
        };
        let report = nexus_core::seed::seed_demo(store.as_ref(), &opts).await?;
        Some(banner::demo_summary(report.created(), report.skipped()))
    } else {
        None
    };
    let default_password_users = nexus_core::seed::default_password_users(store.as_ref()).await?;

    let listener = tokio::net::TcpListener::bind((config.bind, config.port)).await?;
    let listen = listener.local_addr()?;
    // The event bus connects before the banner, so a broken REDIS_URL fails the start.
    let state = AppState::connect(config, store).await?;
    if state.config.demo_data {
        // The demo's queued job (see the seed) runs as soon as a worker starts.
        state
            .jobs
            .enqueue(nexus_core::seed::DEMO_JOB_ID, None)
            .await?;
    }
    let integrations = state.integration_states();
    let banner_text = banner::render(&BannerInfo {
        integrations: &integrations,
        listen,
        default_password_users,
        demo_summary,
        warnings: banner::layout_warnings(&state.config),
    });
    println!("{banner_text}");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let workers = match (&state.transport, state.config.in_process_worker) {
        (Some(transport), true) => {
            let mut rx = stop_rx.clone();
            Some(tokio::spawn(nexus_worker::service::run(
                state.worker_deps(),
                transport.clone(),
                async move {
                    let _ = rx.wait_for(|s| *s).await;
                },
            )))
        }
        _ => None,
    };
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(nexus_worker::service::shutdown_signal())
    .await?;
    let _ = stop_tx.send(true);
    if let Some(w) = workers {
        w.await??;
    }
    tracing::info!("nexus-api stopped");
    Ok(())
}
