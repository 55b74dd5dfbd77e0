//! Liveness and readiness. `/api/health` stays cheap (at most one store ping a second per
//! process, no collection counts: the legacy probe ran three counts per call); `/api/ready`
//! pings on every call and also lists integration states.

use crate::routes::area_router;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use nexus_core::store::{Backend, Store};
use nexus_core::types::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([
        routes!(root),
        routes!(health),
        routes!(ready),
        routes!(openapi_json),
    ])
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "SQLite",
        Backend::Mongo => "MongoDB",
    }
}

/// The service's name, state and version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceStatus {
    #[schema(example = "NexusOMS API")]
    pub name: String,
    #[schema(example = "online")]
    pub status: String,
    pub version: String,
}

/// The liveness answer (the same shape for 200 and 503).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// `OK`, or `ERROR` when the database does not answer.
    #[schema(example = "OK")]
    pub status: String,
    /// `Connected` or `Disconnected`.
    #[schema(example = "Connected")]
    pub database: String,
    /// `SQLite` or `MongoDB`.
    #[schema(example = "SQLite")]
    pub backend: String,
    pub version: String,
    pub uptime_seconds: u64,
    pub server_time: Timestamp,
}

/// The readiness answer (the same shape for 200 and 503).
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub ready: bool,
    /// `Connected` or `Disconnected`.
    pub database: String,
    /// The state of each integration by name (e.g. `"gemini": "offline fallback"`).
    pub integrations: BTreeMap<String, String>,
}

/// Service name and version.
#[utoipa::path(get, path = "/", tag = "System", responses((status = 200, description = "Service status", body = ServiceStatus)))]
async fn root() -> Json<Value> {
    Json(
        json!({ "name": "NexusOMS API", "status": "online", "version": env!("CARGO_PKG_VERSION") }),
    )
}

/// Liveness: the process runs and the database answers.
#[utoipa::path(get, path = "/api/health", tag = "System", responses(
    (status = 200, description = "Healthy", body = Health),
    (status = 503, description = "Database unreachable", body = Health),
))]
async fn health(State(st): State<AppState>) -> (StatusCode, Json<Value>) {
    let ok = st.health.database_ok(st.store.as_ref()).await;
    let body = json!({
        "status": if ok { "OK" } else { "ERROR" },
        "database": if ok { "Connected" } else { "Disconnected" },
        "backend": backend_name(st.store.backend()),
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeSeconds": st.started_at.elapsed().as_secs(),
        "serverTime": Timestamp::now(),
    });
    (
        if ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(body),
    )
}

/// The last store ping of this process, reused for [`PING_EVERY`]: a load balancer or
/// monitor polling `/api/health` many times a second costs the database one round trip a
/// second, and the probe answers at the speed of the HTTP stack (docs/BENCHMARKS.md).
/// A failed ping is not reused: the next probe asks again, so recovery shows at once.
#[derive(Debug, Default)]
pub struct HealthCache {
    /// Milliseconds since `epoch` of the last successful ping; 0 before the first.
    last_ok: AtomicU64,
    epoch: std::sync::OnceLock<Instant>,
}

/// How long a successful ping stands for the database's state.
pub const PING_EVERY: Duration = Duration::from_secs(1);

impl HealthCache {
    pub async fn database_ok(&self, store: &dyn Store) -> bool {
        let epoch = *self.epoch.get_or_init(Instant::now);
        // +1 so that a ping in the first millisecond is not read as "never".
        let now = u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX) + 1;
        let last = self.last_ok.load(Ordering::Relaxed);
        if last != 0 && now.saturating_sub(last) < PING_EVERY.as_millis() as u64 {
            return true;
        }
        let ok = store.ping().await.is_ok();
        self.last_ok
            .store(if ok { now } else { 0 }, Ordering::Relaxed);
        ok
    }
}

/// Readiness, with the state of every integration (never a secret).
#[utoipa::path(get, path = "/api/ready", tag = "System", responses(
    (status = 200, description = "Ready", body = Readiness),
    (status = 503, description = "Not ready", body = Readiness),
))]
async fn ready(State(st): State<AppState>) -> (StatusCode, Json<Value>) {
    let db = st.store.ping().await;
    let integrations: serde_json::Map<String, Value> = st
        .integration_states()
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v)))
        .collect();
    let ready = db.is_ok();
    (
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(json!({
            "ready": ready,
            "database": if ready { "Connected" } else { "Disconnected" },
            "integrations": integrations,
        })),
    )
}

/// This API's OpenAPI 3 document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "System", responses((status = 200, description = "This document (OpenAPI 3.1); its own schema is the OpenAPI specification's", body = Object)))]
async fn openapi_json() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        crate::openapi::document_json(),
    )
}
