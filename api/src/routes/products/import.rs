//! P6/P7: the material master template and its import. Separate because it is the area's
//! only file intake; the shared import machinery is `routes::uploads`.

use crate::auth::Actor;
use crate::error::ApiError;
use crate::routes::uploads::{self, Cell, TemplateSpec};
use crate::state::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::Response;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::JobKind;

/// The 16 columns of the material master (api.md §5.4.1).
pub const TEMPLATE_HEADERS: [&str; 16] = [
    "ProductCode",
    "Product Name",
    "ProductShortName",
    "DistributionChannel",
    "Specie",
    "Weight Packing",
    "Weight",
    "Packing",
    "MRP",
    "GST%",
    "HSNCODE",
    "COUNTRY OF ORIGIN",
    "Shelf Life in days",
    "REMARKS",
    "YC70",
    "Processing charges",
];

const TEMPLATE: TemplateSpec = TemplateSpec {
    sheet: "Material Master",
    headers: &TEMPLATE_HEADERS,
    header_rgb: 0x1F2A44,
    column_width: 18.0,
    // The legacy template's sample: a 200 g breaded fish-finger retail pack.
    sample: &[
        Cell::Text("FG-BRD-200"),
        Cell::Text("Breaded Fish Fingers 200g"),
        Cell::Text("Fish Fingers 200g"),
        Cell::Text("RETAIL/HD"),
        Cell::Text("Breaded"),
        Cell::Text("200G PKTS"),
        Cell::Text("0.200"),
        Cell::Text("PKTS"),
        Cell::Number(220.0),
        Cell::Number(5.0),
        Cell::Text("16042000"),
        Cell::Text("India"),
        Cell::Number(365.0),
        Cell::Text("Keep frozen at -18 °C"),
        Cell::Number(0.0),
        Cell::Number(0.0),
    ],
    file_name: "Material_Master_Template.xlsx",
};

/// Download the material master import template (16 columns and a sample row).
#[utoipa::path(get, path = "/api/products/import-template", tag = "Products", security(("bearer" = [])),
    responses(
        (status = 200, description = "Material_Master_Template.xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Needs master_data"),
    ))]
pub(super) async fn import_template(actor: Actor) -> Result<Response, ApiError> {
    actor.require(Permission::MasterData, Access::View)?;
    uploads::template_response(&TEMPLATE)
}

/// Upload the material master workbook (multipart field `file`, ≤ 10 MiB, .xlsx); a
/// `product_import` job is queued; the request waits for it (`NEXUS_IMPORT_WAIT`) and answers 200 with its outcome, or 202
/// with its id while it still runs (at once with `Prefer: respond-async`).
#[utoipa::path(post, path = "/api/products/bulk-import", tag = "Products", security(("bearer" = [])),
    request_body(content((uploads::WorkbookForm = "multipart/form-data")), description = "Field `file`: the .xlsx workbook"),
    responses(
        uploads::ImportAnswers,
        (status = 403, description = "Needs master_data"),
    ))]
pub(super) async fn bulk_import(
    State(st): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    uploads::queue_import(&st, &actor, &headers, multipart, JobKind::ProductImport).await
}
