//! Bulk work on orders: the bulk-order template (O11) and upload (O12), and bulk lifecycle
//! steps (O8).
//!
//! The legacy upload parsed and inserted in the request (500 on an empty file, a partial
//! insert on an id collision, 8.3.35, 8.2.22) and the bulk update `$set` any fields on any
//! orders without authentication (D-S8). Here the upload only stores the file privately and
//! queues a job (the worker validates, groups lines by "Order Ref" and creates orders
//! idempotently); the bulk update applies one lifecycle step per order, each checked and
//! committed on its own, with a result per order.

use super::credit::{CreditChoice, cancel_step, decide_credit, release_hold_step};
use super::edit::bypass_step;
use super::quality::{ReviewChoice, admin_review_step};
use super::warehouse::send_back_step;
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::envelope::JobAccepted;
use crate::routes::uploads::{WorkbookJob, XLSX_CONTENT_TYPE, is_xlsx, submit_workbook};
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, JobKind, OrderStatus};
use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, XlsxError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

/// The largest workbook accepted (bytes of the file itself), as for every import.
pub const MAX_UPLOAD_BYTES: usize = crate::routes::uploads::FILE_MAX_BYTES;
/// The request body limit of the upload route: the file as base64 inside JSON (4/3 of the
/// file) or multipart, plus room for the envelope.
pub const UPLOAD_REQUEST_LIMIT: usize = MAX_UPLOAD_BYTES / 3 * 4 + 64 * 1024;
/// Orders one bulk update may touch.
const MAX_BULK: usize = 100;

/// `(header, width, required, description)` of the "Bulk Orders" sheet, in column order
/// (api.md §5.4.4), plus the optional "Order Ref" that groups lines into one order.
const COLUMNS: [(&str, f64, &str, &str); 6] = [
    (
        "Customer ID",
        15.0,
        "Yes",
        "Customer id as in the customer master (e.g. CUST-001)",
    ),
    (
        "SKU Code",
        15.0,
        "Yes",
        "SKU code as in the material master (e.g. SKU-001)",
    ),
    (
        "Quantity",
        12.0,
        "Yes",
        "Quantity to order; a number greater than 0",
    ),
    (
        "Applied Rate (Optional)",
        20.0,
        "No",
        "Negotiated rate per unit ex-GST; empty = the customer's last rate, else the base rate",
    ),
    (
        "Remarks (Optional)",
        30.0,
        "No",
        "Free text stored on the order",
    ),
    (
        "Order Ref (Optional)",
        20.0,
        "No",
        "Rows with the same reference and customer become one order; empty = one order per customer",
    ),
];

const NOTES: [&str; 6] = [
    "Keep the header names; columns are found by header, in any order.",
    "Customer IDs and SKU codes must already exist.",
    "Quantity must be a positive number.",
    "Delete the two sample rows before uploading.",
    "No row limit: a file of any size up to 10 MiB is imported in the background; rejected rows come back in a report with the reason for each.",
    "GST is added per product by the server; totals in the file are not read.",
];

fn build_template() -> Result<Vec<u8>, XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(0x10B981))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let bold = Format::new().set_bold();
    let mut wb = Workbook::new();

    let ws = wb.add_worksheet();
    ws.set_name("Bulk Orders")?;
    ws.set_row_height(0, 25)?;
    for (c, (title, width, _, _)) in COLUMNS.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *title, &header)?;
        ws.set_column_width(c, *width)?;
    }
    // Two samples: one with rate, remark and reference, one without.
    ws.write_string(1, 0, "CUST-001")?;
    ws.write_string(1, 1, "SKU-001")?;
    ws.write_number(1, 2, 10)?;
    ws.write_number(1, 3, 450)?;
    ws.write_string(1, 4, "Sample row - delete before upload")?;
    ws.write_string(1, 5, "REF-1")?;
    ws.write_string(2, 0, "CUST-002")?;
    ws.write_string(2, 1, "SKU-002")?;
    ws.write_number(2, 2, 5)?;

    let ins = wb.add_worksheet();
    ins.set_name("Instructions")?;
    ins.set_row_height(0, 25)?;
    for (c, (title, width)) in [("Field", 25.0), ("Description", 60.0), ("Required", 12.0)]
        .into_iter()
        .enumerate()
    {
        ins.write_string_with_format(0, c as u16, title, &header)?;
        ins.set_column_width(c as u16, width)?;
    }
    let mut row = 1;
    for (title, _, required, description) in COLUMNS {
        ins.write_string(row, 0, title)?;
        ins.write_string(row, 1, description)?;
        ins.write_string(row, 2, required)?;
        row += 1;
    }
    row += 1;
    ins.write_string_with_format(row, 0, "Important notes", &bold)?;
    for note in NOTES {
        row += 1;
        ins.write_string(row, 0, format!("• {note}"))?;
    }
    wb.save_to_buffer()
}

/// Download the bulk-order workbook (create_orders): sheet "Bulk Orders" with the styled
/// header and two sample rows, sheet "Instructions".
#[utoipa::path(get, path = "/api/orders/bulk/template", tag = "Bulk orders",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "NexusOMS_BulkOrder_Template.xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Needs create_orders"),
    ))]
pub async fn template(actor: Actor) -> Result<Response, ApiError> {
    actor.require(Permission::CreateOrders, Access::Full)?;
    let bytes =
        build_template().map_err(|e| ApiError::internal_cause("bulk-order template", &e))?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(XLSX_CONTENT_TYPE),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"NexusOMS_BulkOrder_Template.xlsx\""),
    );
    Ok(res)
}

/// The legacy JSON upload: the workbook as base64 (a data-URL prefix is accepted).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LegacyUploadRequest {
    /// The workbook as base64 (or a data URL).
    #[schema(pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    pub excel_data: String,
    pub file_name: Option<String>,
}

/// The multipart upload: one `file` part.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(value_type = String, format = Binary, min_length = 1)]
    pub file: Vec<u8>,
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        format!(
            "The workbook is larger than {} MiB.",
            MAX_UPLOAD_BYTES / 1024 / 1024
        ),
    )
}

/// A display name only (the stored name is the server's): the last path segment, safe
/// characters, bounded.
fn clean_name(raw: Option<&str>) -> String {
    let base = raw
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || " ._-()".contains(*c))
        .take(100)
        .collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        "bulk-orders.xlsx".into()
    } else {
        cleaned
    }
}

async fn read_upload(st: &AppState, req: Request) -> Result<(Vec<u8>, String), ApiError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ct.starts_with("multipart/form-data") {
        let mp = Multipart::from_request(req, st).await;
        let file = crate::routes::uploads::read_file_field(mp, "file", MAX_UPLOAD_BYTES).await?;
        return Ok((file.bytes, clean_name(file.sent_name.as_deref())));
    }
    let ApiJson(body) = ApiJson::<LegacyUploadRequest>::from_request(req, st).await?;
    let data = body.excel_data.trim();
    let data = data.split_once(";base64,").map(|(_, d)| d).unwrap_or(data);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|_| {
            ApiError::unprocessable(ErrorCode::InvalidBase64, "excelData is not valid base64.")
        })?;
    Ok((bytes, clean_name(body.file_name.as_deref())))
}

/// Upload a filled bulk-order workbook (create_orders) as multipart `file` or the legacy JSON
/// `{excelData: base64}`. The file (xlsx by content, at most 10 MiB) is stored as a private
/// blob and a `bulk_order_import` job is queued; progress and the result arrive on the job.
#[utoipa::path(post, path = "/api/orders/bulk", tag = "Bulk orders",
    security(("bearer" = [])),
    request_body(content(
        (UploadForm = "multipart/form-data"),
        (LegacyUploadRequest = "application/json"),
    )),
    responses(
        (status = 202, description = "Queued: follow the job at `GET /api/jobs/{jobId}`", body = JobAccepted),
        (status = 400, description = "No file, empty file or malformed base64"),
        (status = 403, description = "Needs create_orders"),
        (status = 413, description = "Larger than 10 MiB"),
        (status = 422, description = "Not an xlsx workbook"),
    ))]
pub async fn upload(
    State(st): State<AppState>,
    actor: Actor,
    req: Request,
) -> Result<Response, ApiError> {
    actor.require(Permission::CreateOrders, Access::Full)?;
    let (bytes, file_name) = read_upload(&st, req).await?;
    if bytes.is_empty() {
        return Err(ApiError::bad_request(
            ErrorCode::EmptyFile,
            "The workbook is empty.",
        ));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(too_large());
    }
    // By content, not by name: an xlsx is a zip holding the workbook parts.
    if !is_xlsx(&bytes) {
        return Err(ApiError::unprocessable(
            ErrorCode::NotAnXlsx,
            "The file is not an Excel workbook (.xlsx).",
        )
        .with_details(json!({})));
    }
    // A private blob under a server-chosen key; the worker reads it from there.
    let job_id = submit_workbook(
        &st,
        &actor,
        WorkbookJob {
            kind: JobKind::BulkOrderImport,
            folder: "imports/bulk-orders",
            action: AuditAction::BulkUpload,
            bytes,
        },
        |key, meta| {
            json!({
                "blobKey": key.as_str(),
                "fileName": file_name,
                "sha256": meta.sha256,
                "size": meta.size,
            })
        },
        Value::clone,
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "success": true, "jobId": job_id, "status": "queued" })),
    )
        .into_response())
}

/// An order the bulk step moved.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkMoved {
    pub order_id: String,
    /// `true`.
    pub success: bool,
    pub from: OrderStatus,
    pub status: OrderStatus,
}

/// Why the bulk step refused an order: the error it would have got on its own.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkItemError {
    /// The HTTP status.
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// An order the bulk step could not move.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkRefused {
    pub order_id: String,
    /// `false`.
    pub success: bool,
    pub error: BulkItemError,
}

/// One order's result.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Describes the body for the OpenAPI document; the handler writes it as JSON.
pub enum BulkItemResult {
    Moved(BulkMoved),
    Refused(BulkRefused),
}

/// The answer of a bulk step.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkUpdateAnswer {
    /// True when every order moved.
    pub success: bool,
    pub processed: u64,
    pub succeeded: u64,
    pub failed: u64,
    /// One per distinct order id, in request order.
    pub results: Vec<BulkItemResult>,
}

/// One lifecycle step for every listed order.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum BulkAction {
    CreditDecision {
        decision: CreditChoice,
        reason: Option<String>,
    },
    ReleaseHold,
    Cancel {
        reason: Option<String>,
    },
    SendBack {
        reason: Option<String>,
    },
    AdminReview {
        decision: ReviewChoice,
        reason: Option<String>,
    },
    Bypass {
        to: String,
        reason: String,
    },
}

impl BulkAction {
    /// The permission the step needs at all (checked once for the whole request).
    fn requires(&self) -> Vec<(Permission, Access)> {
        use Permission::*;
        match self {
            BulkAction::CreditDecision { .. } => vec![(ApproveCredit, Access::Full)],
            BulkAction::ReleaseHold | BulkAction::Cancel { .. } => vec![
                (CreateOrders, Access::Full),
                (ApproveCredit, Access::Full),
                (AdminBypass, Access::Full),
            ],
            BulkAction::SendBack { .. } => vec![(ManageWarehouse, Access::Full)],
            BulkAction::AdminReview { .. } | BulkAction::Bypass { .. } => {
                vec![(AdminBypass, Access::Full)]
            }
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkUpdateRequest {
    /// 1 to 100 order ids (blank and repeated ids are dropped).
    #[schema(value_type = Vec<crate::routes::param_schemas::NonBlank>, min_items = 1, max_items = 100)]
    pub order_ids: Vec<String>,
    /// e.g. `{"step": "credit-decision", "decision": "approve"}`,
    /// `{"step": "cancel", "reason": "…"}`.
    pub action: BulkAction,
}

/// Apply one lifecycle step to many orders (O8). Each order is decided and committed on its
/// own; the answer lists the outcome per order. Replaces the legacy unauthenticated `$set`.
#[utoipa::path(post, path = "/api/orders/bulk-update", tag = "Order lifecycle",
    security(("bearer" = [])), request_body = BulkUpdateRequest,
    responses(
        (status = 200, description = "The result per order (`success` is true only when every order moved)", body = BulkUpdateAnswer),
        (status = 403, description = "No permission for this step"),
        (status = 422, description = "No order ids, too many, or an unknown step"),
    ))]
pub async fn bulk_update(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<BulkUpdateRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require_any(&body.action.requires())?;
    let mut ids: Vec<String> = Vec::new();
    for id in body.order_ids.iter().map(|s| s.trim().to_string()) {
        if !id.is_empty() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() || ids.len() > MAX_BULK {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidOrderIds,
            format!("orderIds must name 1 to {MAX_BULK} orders"),
        )
        .with_details(json!({ "count": ids.len() })));
    }
    let mut results = Vec::with_capacity(ids.len());
    let mut ok = 0;
    for id in &ids {
        let r = match &body.action {
            BulkAction::CreditDecision { decision, reason } => {
                decide_credit(&st, &actor, id, *decision, reason.clone(), false).await
            }
            BulkAction::ReleaseHold => release_hold_step(&st, &actor, id).await,
            BulkAction::Cancel { reason } => cancel_step(&st, &actor, id, reason.clone()).await,
            BulkAction::SendBack { reason } => {
                send_back_step(&st, &actor, id, reason.clone()).await
            }
            BulkAction::AdminReview { decision, reason } => {
                admin_review_step(&st, &actor, id, *decision, reason.clone()).await
            }
            BulkAction::Bypass { to, reason } => bypass_step(&st, &actor, id, to, reason).await,
        };
        match r {
            Ok(done) => {
                ok += 1;
                results.push(json!({
                    "orderId": id, "success": true,
                    "from": done.from, "status": done.order.status,
                }));
            }
            Err(e) => results.push(json!({
                "orderId": id, "success": false,
                "error": { "status": e.status.as_u16(), "code": e.code, "message": e.message },
            })),
        }
    }
    Ok(Json(json!({
        "success": ok == ids.len(),
        "processed": ids.len(),
        "succeeded": ok,
        "failed": ids.len() - ok,
        "results": results,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_an_xlsx_workbook() {
        let b = build_template().unwrap();
        assert!(is_xlsx(&b));
    }

    #[test]
    fn display_names_lose_paths_and_odd_characters() {
        assert_eq!(clean_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_name(Some("C:\\x\\Orders <1>.xlsx")), "Orders 1.xlsx");
        assert_eq!(clean_name(None), "bulk-orders.xlsx");
    }
}
