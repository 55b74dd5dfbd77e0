//! The NexusOMS API: the one door for people and programs. Authenticates, authorises,
//! validates, calls the rules, persists through the store, publishes events and writes the
//! audit log.

pub mod auth;
pub mod banner;
pub mod client_addr;
pub mod docs;
pub mod error;
pub mod error_code;
pub mod invoice_pdf;
pub mod job_wait;
pub mod json;
pub mod layers;
pub mod meta;
pub mod openapi;
pub mod openapi_errors;
pub mod pdf_kit;
pub mod rate_limit;
pub mod report_pdf;
pub mod routes;
pub mod startup;
pub mod state;

pub use error::ApiError;
pub use json::ApiJson;
pub use state::AppState;

use axum::Router;

/// The whole HTTP surface with its layers, ready to serve.
pub fn app(state: AppState) -> Router {
    let (router, _) = routes::router().split_for_parts();
    layers::apply(router, &state).with_state(state)
}
