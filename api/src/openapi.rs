//! The OpenAPI document, generated from the annotated handlers (never hand-kept). Served at
//! `/api/openapi.json`; `docs/openapi.json` and the Postman collection are produced from it
//! and a test fails when either drifts from the code.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "NexusOMS API",
        description = "Order management for a food and FMCG distributor: orders through their lifecycle, credit, warehouse batches, packaging, dispatch and sales performance. Errors are `{ \"error\": { \"code\", \"message\", \"details\" }, \"requestId\" }`.",
    ),
    modifiers(&BearerAuth),
    // Named by `uploads::ImportAnswers`, whose derive documents responses but does not
    // collect the schemas they refer to.
    components(schemas(crate::routes::uploads::ImportFinished, crate::routes::uploads::ImportQueued)),
    tags(
        (name = "System", description = "Health and readiness"),
        (name = "Authentication", description = "Login, refresh, logout, password change"),
        (name = "Users", description = "Users and organisation: profiles, roles, permissions, step access, status, credentials, org slots, reporting line"),
        (name = "Customers", description = "Customers, credit figures, blocking, payments and ageing, OD master import"),
        (name = "Products", description = "Material master, batches, stock receipts, expiring stock, material import"),
        (name = "Distributor prices", description = "Price list per distributor and material, price-list import"),
        (name = "Warehouses", description = "Warehouses, stock receipts into product batches, barcode checks"),
        (name = "Uploads", description = "Photo and proof-of-delivery uploads (private, typed by content) and signed file downloads"),
        (name = "Packaging", description = "Packaging materials, inward/outward movements, low stock"),
        (name = "Procurement", description = "Inbound quality gate: checks, submission, head approval"),
        (name = "PMS", description = "Performance records: KRAs, OD balances, scores, incentives, leaderboard"),
        (name = "Analytics", description = "Dashboards, reports, exports and the Tally voucher, scoped to the caller"),
        (name = "Logistics", description = "Route cost calculator (offline city table fallback) and cost history"),
        (name = "AI", description = "Credit insight: four-part risk assessment stored on the order"),
        (name = "Realtime", description = "WebSocket events (orders, jobs, stock, alerts), scoped to what the user may see"),
        (name = "Orders", description = "Orders in scope, booking with server pricing, edits"),
        (name = "Order lifecycle", description = "One endpoint per lifecycle step, with stock effects"),
        (name = "Clearance", description = "Clearance orders on near-expiry batches"),
        (name = "Stock transfers", description = "Stock transfer notes between warehouses"),
        (name = "Bulk orders", description = "Bulk-order template and upload"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document as served, serialised once: building it walks every route, and it cannot
/// change while the process runs.
pub fn document_json() -> &'static [u8] {
    static DOC: std::sync::LazyLock<Vec<u8>> =
        std::sync::LazyLock::new(|| serde_json::to_vec(&document()).unwrap_or_default());
    &DOC
}

/// The complete document, with the crate version.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = crate::routes::router().split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_string();
    // After the routes are merged in: the modifiers of `ApiDoc` run before there are any.
    crate::openapi_errors::StandardErrors.modify(&mut api);
    api
}
