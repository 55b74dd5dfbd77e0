//! The public error shape: `{ "error": { "code", "message", "details" } }` with the right
//! status. Internal causes are logged, never sent (no SQL, driver text or stack traces).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nexus_core::store::StoreError;
use serde_json::{Value, json};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Value::Null,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "Something went wrong on our side; it has been logged.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The top-level `message` repeats `error.message` for the old mobile app, which shows
        // `body['message']` (docs/LEGACY_CLIENT.md); programs read the structured `error`.
        let body = json!({
            "error": { "code": self.code, "message": &self.message, "details": self.details },
            "message": self.message,
        });
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::DuplicateKey { collection, index } => {
                tracing::info!(%collection, %index, "duplicate key refused");
                ApiError::new(
                    StatusCode::CONFLICT,
                    "DUPLICATE",
                    "A record with the same key already exists.",
                )
                .with_details(json!({ "collection": collection, "index": index }))
            }
            StoreError::Conflict(_) => ApiError::new(
                StatusCode::CONFLICT,
                "CONFLICT",
                "The record was changed by someone else; reload and try again.",
            ),
            StoreError::Unavailable(_) => {
                tracing::error!(error = %e, "store unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "STORE_UNAVAILABLE",
                    "The database is not reachable right now.",
                )
            }
            _ => {
                tracing::error!(error = %e, "store error");
                ApiError::internal()
            }
        }
    }
}
