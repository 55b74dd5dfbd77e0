//! The one way an API process comes up: `nexus-api`, the test harness and the benchmark all
//! call [`build`] with a validated [`Config`] and then [`serve`]. Each used to wire the store,
//! the bus, the queue and the workers itself, and a setting honoured in one path could be
//! ignored in another.

use crate::state::AppState;
use nexus_core::config::Config;
use nexus_worker::startup::{self as shared, StartError};
use std::future::Future;

/// A built API: its state and what the banner reports about the start.
pub struct Built {
    pub state: AppState,
    /// What seeding the demo data did (`None` when the demo data was not asked for).
    pub demo_summary: Option<String>,
    /// Users still signing in with a published demo password.
    pub default_password_users: Vec<String>,
}

/// Prepares the data folder and secret, connects the shared services, seeds the demo data
/// when the configuration asks for it, and builds the state.
pub async fn build(mut config: Config) -> Result<Built, StartError> {
    shared::prepare(&mut config)?;
    let services = shared::connect(&config).await?;
    let demo_summary = if config.demo_data {
        let opts = nexus_core::seed::SeedOptions {
            bcrypt_cost: config.bcrypt_cost,
            ..Default::default()
        };
        let report = nexus_core::seed::seed_demo(services.store.as_ref(), &opts).await?;
        Some(crate::banner::demo_summary(
            report.created(),
            report.skipped(),
        ))
    } else {
        None
    };
    let default_password_users =
        nexus_core::seed::default_password_users(services.store.as_ref()).await?;
    let state = AppState::with_services(config, services).await?;
    if state.config.demo_data {
        // The demo's queued job (see the seed) runs as soon as a worker starts.
        state
            .jobs
            .enqueue(nexus_core::seed::DEMO_JOB_ID, None)
            .await
            .map_err(|e| StartError::Queue(e.to_string()))?;
    }
    Ok(Built {
        state,
        demo_summary,
        default_password_users,
    })
}

/// Serves the API on `listener` until `shutdown` resolves, with the job workers in this
/// process when the configuration says so (`NEXUS_IN_PROCESS_WORKER`, the embedded
/// default); they stop after the server, so no accepted job is left half-run.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
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
        crate::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    let _ = stop_tx.send(true);
    if let Some(w) = workers {
        w.await??;
    }
    Ok(())
}
