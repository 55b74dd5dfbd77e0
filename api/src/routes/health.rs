//! Liveness and readiness. `/api/health` stays cheap (one store ping, no collection counts:
//! the legacy probe ran three counts per call); `/api/ready` also lists integration states.

use crate::routes::area_router;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use nexus_core::store::Backend;
use nexus_core::types::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
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
    let ok = st.store.ping().await.is_ok();
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
