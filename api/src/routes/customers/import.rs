//! C4/C5: the customer / OD master template and its import. Separate because it is the
//! area's only file intake; the shared import machinery is `routes::uploads`.

use super::CREDIT_EDITORS;
use crate::auth::Actor;
use crate::error::ApiError;
use crate::routes::uploads::{self, Cell, TemplateSpec};
use crate::state::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::Response;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AgingBuckets, Customer, JobKind};

/// The 22 columns of the customer / OD master (api.md §5.4.3), in the served order.
pub const TEMPLATE_HEADERS: [&str; 22] = {
    let mut all = [""; 22];
    let mut i = 0;
    while i < all.len() {
        all[i] = match i.checked_sub(Customer::OD_MASTER_COLUMNS.len()) {
            None => Customer::OD_MASTER_COLUMNS[i],
            Some(b) => AgingBuckets::LABELS[b],
        };
        i += 1;
    }
    all
};

const TEMPLATE: TemplateSpec = TemplateSpec {
    sheet: "Customer Master",
    headers: &TEMPLATE_HEADERS,
    header_rgb: 0x334155,
    column_width: 16.0,
    sample: &[] as &[Cell],
    file_name: "Customer_Master_Template.xlsx",
};

/// Download the customer / OD master import template (22 columns, no sample row).
#[utoipa::path(get, path = "/api/customers/import-template", tag = "Customers", security(("bearer" = [])),
    responses(
        (status = 200, description = "Customer_Master_Template.xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Needs approve_credit or master_data"),
    ))]
pub(super) async fn import_template(actor: Actor) -> Result<Response, ApiError> {
    actor.require_any(&[
        (Permission::ApproveCredit, Access::View),
        (Permission::MasterData, Access::View),
    ])?;
    uploads::template_response(&TEMPLATE)
}

/// Upload the customer / OD master workbook (multipart field `file`, ≤ 10 MiB, .xlsx). The
/// file is stored and a `customer_import` job is queued; the worker validates each row and
/// reports rejected rows. The request waits for the job (`NEXUS_IMPORT_WAIT`) and answers
/// 200 with its outcome, or 202 with its id while it still runs (at once with
/// `Prefer: respond-async`).
#[utoipa::path(post, path = "/api/customers/bulk-import", tag = "Customers", security(("bearer" = [])),
    request_body(content((uploads::WorkbookForm = "multipart/form-data")), description = "Field `file`: the .xlsx workbook"),
    responses(
        uploads::ImportAnswers,
        (status = 403, description = "Needs approve_credit or master_data (the sheet carries credit figures)"),
    ))]
pub(super) async fn bulk_import(
    State(st): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    actor.require_any(&CREDIT_EDITORS)?;
    uploads::queue_import(&st, &actor, &headers, multipart, JobKind::CustomerImport).await
}
