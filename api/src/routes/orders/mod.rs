//! Orders and their whole lifecycle (api.md §2.9–§2.11, domain.md §2.3–§2.7, §3): reading
//! within scope, booking with server pricing, one endpoint per lifecycle step driven by
//! `rules::lifecycle` with atomic stock effects (`engine`), clearance, stock transfers,
//! manifests and the bulk-order template and upload.
//!
//! Specific paths (`/api/orders/clearance`, `/api/orders/stn`, `/api/orders/bulk`,
//! `/api/orders/bulk-update`, `/api/orders/bulk/template`, `/api/orders/last-rate/…`) are
//! their own routes; axum matches static segments before `/{id}`, so none is shadowed
//! (D-A3), and the tests call each one.

pub(crate) mod access;
mod bulk;
mod clearance;
mod create;
mod credit;
pub(crate) mod credit_check;
mod delivery;
mod documents;
mod edit;
mod engine;
mod enrichment;
mod errors;
mod invoice;
mod legacy;
mod lines;
mod list;
mod lookup;
mod qc_photo;
mod quality;
mod stn;
pub(crate) mod view;
mod warehouse;

/// How an order is shown to clients (secrets such as the delivery OTP hash removed): other
/// areas that return order documents (exports, GDPR, events) should go through this.
pub use view::{SECRET_FIELDS as ORDER_SECRET_FIELDS, public as public_order};

pub(crate) use invoice::invoice_for;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    // The upload route alone takes bodies up to the workbook limit.
    let upload = OpenApiRouter::new()
        .routes(routes!(bulk::upload))
        .layer(DefaultBodyLimit::max(bulk::UPLOAD_REQUEST_LIMIT));
    OpenApiRouter::new()
        .routes(routes!(list::list_orders, create::create_order))
        .routes(routes!(
            list::get_order,
            edit::patch_order,
            credit::delete_order
        ))
        .routes(routes!(list::last_rate_of))
        .routes(routes!(invoice::invoice_pdf))
        .routes(routes!(edit::edit_items))
        .routes(routes!(credit::credit_decision))
        .routes(routes!(credit::release_hold))
        .routes(routes!(credit::cancel))
        .routes(routes!(warehouse::assign_warehouse))
        .routes(routes!(warehouse::legacy_assign))
        .routes(routes!(warehouse::pack))
        .routes(routes!(warehouse::send_back))
        .routes(routes!(quality::qc))
        .routes(routes!(quality::logistics_cost))
        .routes(routes!(quality::admin_review))
        .routes(routes!(quality::invoice))
        .routes(routes!(delivery::dispatch))
        .routes(routes!(delivery::bulk_assign))
        .routes(routes!(delivery::out_for_delivery))
        .routes(routes!(delivery::deliver))
        .routes(routes!(delivery::part_accept))
        .routes(routes!(delivery::reopen_backorder))
        .routes(routes!(delivery::return_to_warehouse))
        .routes(routes!(edit::bypass))
        .routes(routes!(bulk::bulk_update))
        .routes(routes!(clearance::create_clearance))
        .routes(routes!(clearance::clearance_history))
        .routes(routes!(stn::create_stn))
        .routes(routes!(stn::receive_stn))
        .routes(routes!(bulk::template))
        .merge(upload)
}
