//! One router per area, merged here. Specific paths are registered as their own routes, so
//! nothing is shadowed by a `/:id` route (the legacy defect D-A3 cannot recur in axum, which
//! matches static segments first, and the tests exercise each such path).
//!
//! What several areas share lives beside them, not inside one of them: `common` (envelopes,
//! paging, audited commits, `_rev` guards, sequence ids, warehouse lookup, attachment links),
//! `dates` (IST date ranges and months), `extract` (request extractors and optional bodies),
//! `numbers` (exact JSON numbers in and out), `stock_receipt` (receiving into product
//! batches) and, for uploads and master-data imports, `uploads`.

pub mod ai;
pub mod analytics;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod common;
pub mod customers;
mod dates;
pub mod distributor_prices;
pub mod envelope;
mod extract;
pub mod gdpr;
pub mod health;
mod jobs;
pub mod logistics;
mod numbers;
pub mod orders;
pub mod packaging;
pub(crate) mod param_schemas;
pub mod pms;
pub mod procurement;
pub mod products;
mod stock_receipt;
pub mod uploads;
pub mod users;
mod vouchers;
pub mod warehouses;
pub mod ws;

use crate::error::{ApiError, ErrorCode};
use crate::openapi::ApiDoc;
use crate::state::AppState;
use axum::http::{Method, Uri};
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

/// An area's router from its route sets, one `routes!` per path, registered in the order
/// given: every area builds its router the same way, so each lists only its paths.
pub(crate) fn area_router(
    sets: impl IntoIterator<Item = UtoipaMethodRouter<AppState>>,
) -> OpenApiRouter<AppState> {
    sets.into_iter()
        .fold(OpenApiRouter::new(), OpenApiRouter::routes)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(auth::router())
        .merge(users::router())
        .merge(attendance::router())
        .merge(audit::router())
        .merge(gdpr::router())
        .merge(customers::router())
        .merge(products::router())
        .merge(distributor_prices::router())
        .merge(uploads::router())
        .merge(warehouses::router())
        .merge(packaging::router())
        .merge(procurement::router())
        .merge(pms::router())
        .merge(analytics::router())
        .merge(logistics::router())
        .merge(ai::router())
        .merge(ws::router())
        .merge(jobs::router())
        .merge(orders::router())
        .fallback(not_found)
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(
        ErrorCode::EndpointNotFound,
        format!("No endpoint {method} {}", uri.path()),
    )
}
