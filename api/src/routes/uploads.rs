//! File uploads (api.md §2.8, F1/F2), signed file downloads, and the pieces the three
//! master-data imports share (multipart file intake, xlsx templates, import jobs).
//!
//! Fixes of D-S10 / 8.1.9 / 8.1.10: every upload needs a token (the POD upload had none);
//! the type is decided by the content's magic bytes (jpg, png, pdf), never by the client's
//! file name or MIME claim; sizes are capped (5 MiB decoded for photos, 10 MiB for POD and
//! imports); the key is chosen by the server (`photos/<ULID>.<ext>`), so neither a client
//! folder nor a client file name reaches a path; blobs are private and read back through
//! URLs signed by the server that expire. Downloads go out as attachments with `nosniff`,
//! so an uploaded file can never run as a page of the API's origin.

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, Chain, ErrorCode};
use crate::job_wait::{JobWaiter, allowed_wait};
use crate::routes::common::commit_audited;
use crate::state::AppState;
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use nexus_core::auth::{Access, Permission};
use nexus_core::blob::{BlobError, BlobKey, BlobMeta};
use nexus_core::model::{AuditAction, EntityType, JobKind, JobRecord, JobStatus};
use nexus_core::store::Write;
use nexus_core::types::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest photo accepted by F1, after base64 decoding (the legacy `MAX_FILE_SIZE`, §1.2).
pub const PHOTO_MAX_BYTES: usize = 5 * 1024 * 1024;
/// Largest file accepted by the multipart uploads (POD, imports).
pub const FILE_MAX_BYTES: usize = 10 * 1024 * 1024;
/// F1's body limit: a 5 MiB photo is about 6.7 MiB of base64, plus a data-URL prefix and
/// the JSON around it. Larger bodies are refused with 413 before they are read.
const PHOTO_BODY_LIMIT: usize = PHOTO_MAX_BYTES / 3 * 4 + 256 * 1024;
/// Multipart bodies: the file plus the part headers and boundaries.
const MULTIPART_BODY_LIMIT: usize = FILE_MAX_BYTES + 64 * 1024;
/// How long a signed URL handed out after an upload stays valid. Clients that keep a URL
/// longer (the legacy app stored photo URLs on orders) must keep the `key` and ask for a
/// fresh URL; a day covers the booking → credit-check window the photos are looked at in.
pub const SIGNED_URL_TTL: Duration = Duration::from_secs(24 * 3600);

pub fn router() -> OpenApiRouter<AppState> {
    let photo = OpenApiRouter::new()
        .routes(routes!(upload_photo))
        .layer(DefaultBodyLimit::max(PHOTO_BODY_LIMIT));
    let pod = OpenApiRouter::new()
        .routes(routes!(upload_pod))
        .layer(DefaultBodyLimit::max(MULTIPART_BODY_LIMIT));
    // Keys have several segments (`photos/01J….jpg`), so axum serves the download with a
    // catch-all; OpenAPI has no catch-all syntax, so the same handler is documented as
    // `/api/files/{key}` (a key with percent-encoded slashes reaches the same route).
    let (_, file_docs, _): utoipa_axum::router::UtoipaMethodRouter<AppState> = routes!(serve_file);
    let mut files = OpenApiRouter::new().route("/api/files/{*key}", get(serve_file));
    files.get_openapi_mut().paths.paths.extend(file_docs.paths);
    OpenApiRouter::new().merge(photo).merge(pod).merge(files)
}

/// The multipart body limit, for the import routes of the other areas.
pub(crate) fn multipart_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MULTIPART_BODY_LIMIT)
}

// ---------------------------------------------------------------------------------------
// Content checks

/// A file type the uploads accept, recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileKind {
    pub ext: &'static str,
    pub content_type: &'static str,
}

/// jpg, png or pdf by magic bytes (the legacy `ALLOWED_FILE_TYPES`, never enforced there).
pub(crate) fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind {
            ext: "jpg",
            content_type: "image/jpeg",
        })
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(FileKind {
            ext: "png",
            content_type: "image/png",
        })
    } else if bytes.starts_with(b"%PDF-") {
        Some(FileKind {
            ext: "pdf",
            content_type: "application/pdf",
        })
    } else {
        None
    }
}

pub(crate) const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An Office Open XML workbook: a zip (local file header `PK\3\4`) holding the package's
/// `[Content_Types].xml` and a `xl/workbook.xml` part. Entry names are stored uncompressed
/// in the zip headers, so this needs no unzipping; the worker parses the real content.
pub(crate) fn is_xlsx(bytes: &[u8]) -> bool {
    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }
    bytes.starts_with(b"PK\x03\x04")
        && contains(bytes, b"[Content_Types].xml")
        && contains(bytes, b"xl/workbook.xml")
}

fn unsupported_type() -> ApiError {
    ApiError::unprocessable(
        ErrorCode::UnsupportedFileType,
        "Only JPEG, PNG and PDF files are accepted.",
    )
}

fn too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::FileTooLarge,
        format!("The file is larger than {} MiB.", max / (1024 * 1024)),
    )
}

pub(crate) fn blob_error(e: BlobError) -> ApiError {
    match e {
        BlobError::NotFound(_) => ApiError::not_found(ErrorCode::FileNotFound, "No such file."),
        BlobError::InvalidKey(_) => {
            ApiError::unprocessable(ErrorCode::InvalidFileKey, "That is not a valid file key.")
        }
        e @ BlobError::Unavailable(_) => {
            tracing::error!(error = %Chain(&e), "blob store failure");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::FileStoreUnavailable,
                "File storage is not available right now.",
            )
        }
    }
}

/// A client file name reduced to something safe to record (never used in a path).
fn clean_file_name(name: Option<&str>) -> Option<String> {
    let cleaned: String = name?
        .rsplit(['/', '\\'])
        .next()?
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

// ---------------------------------------------------------------------------------------
// Multipart intake (POD and the three imports)

pub(crate) struct UploadedFile {
    pub bytes: Vec<u8>,
    pub file_name: Option<String>,
}

fn not_multipart() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
        "Send the file as multipart/form-data.",
    )
}

fn multipart_error(e: axum::extract::multipart::MultipartError, max: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(max)
    } else {
        ApiError::bad_request(
            ErrorCode::MalformedMultipart,
            "The multipart body is malformed.",
        )
    }
}

/// Reads the part named `field` (at most `max` bytes, counted while streaming). Other parts
/// are skipped. The multipart rejection is passed in rather than extracted earlier so the
/// caller's permission check runs first: a caller without the permission gets 403, not a
/// complaint about their body.
pub(crate) async fn read_file_field(
    multipart: Result<Multipart, MultipartRejection>,
    field: &str,
    max: usize,
) -> Result<UploadedFile, ApiError> {
    let mut multipart = multipart.map_err(|_| not_multipart())?;
    while let Some(mut part) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, max))?
    {
        if part.name() != Some(field) {
            continue;
        }
        let file_name = clean_file_name(part.file_name());
        let mut bytes = Vec::new();
        while let Some(chunk) = part.chunk().await.map_err(|e| multipart_error(e, max))? {
            if bytes.len() + chunk.len() > max {
                return Err(too_large(max));
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(ApiError::bad_request(
                ErrorCode::EmptyFile,
                "The uploaded file is empty.",
            ));
        }
        return Ok(UploadedFile { bytes, file_name });
    }
    Err(ApiError::bad_request(
        ErrorCode::NoFile,
        format!("No file uploaded (expected a multipart field named `{field}`)."),
    ))
}

// ---------------------------------------------------------------------------------------
// Storing an upload

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadResponse {
    pub success: bool,
    /// A signed URL that works without a token until it expires.
    pub url: String,
    /// The permanent reference to keep (e.g. on an order or a customer).
    pub key: String,
    /// The stored file name (legacy field of the POD upload).
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    /// Seconds until `url` expires.
    pub expires_in: u64,
}

/// Stores the blob, then commits the audit entry; if the audit cannot be written the blob
/// is removed again, so no file exists without its audit entry.
async fn store_upload(
    st: &AppState,
    actor: &Actor,
    key: BlobKey,
    bytes: Vec<u8>,
    kind: FileKind,
    detail: Value,
) -> Result<UploadResponse, ApiError> {
    let meta: BlobMeta = st
        .blobs
        .put(&key, bytes, kind.content_type)
        .await
        .map_err(blob_error)?;
    let mut new = json!({
        "key": key.as_str(),
        "contentType": meta.content_type,
        "size": meta.size,
        "sha256": meta.sha256,
    });
    if let (Some(n), Value::Object(d)) = (new.as_object_mut(), detail) {
        n.extend(d);
    }
    let audit = actor
        .audit(AuditAction::FileUpload)
        .entity(EntityType::FileUpload, key.as_str())
        .change(None, Some(new));
    if let Err(e) = commit_audited(st, Vec::new(), audit, Vec::new()).await {
        let _ = st.blobs.delete(&key).await;
        return Err(e);
    }
    let url = st
        .blobs
        .signed_url(&key, SIGNED_URL_TTL)
        .await
        .map_err(blob_error)?;
    Ok(UploadResponse {
        success: true,
        url,
        filename: key.file_name().to_string(),
        key: key.to_string(),
        content_type: meta.content_type,
        size: meta.size,
        expires_in: SIGNED_URL_TTL.as_secs(),
    })
}

// ---------------------------------------------------------------------------------------
// F1: photo upload (base64)

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhotoUploadRequest {
    /// The image as base64, or as a data URL (`data:image/png;base64,…`).
    pub base64_image: String,
    /// The client's file name; recorded in the audit entry, never used for the key.
    pub file_name: Option<String>,
    /// The legacy client's folder (`uploads`, `Orders/<customer>/<salesperson>_<date>`,
    /// `Customers/<customer>/Docs_<date>`, `qc-photos`, `pod`). Only the first segment is
    /// used, to pick the purpose and the permission it needs; it never becomes part of the key.
    pub folder: Option<String>,
}

/// What a photo is for, from the legacy folder layout (api.md §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PhotoPurpose {
    General,
    OrderPhoto,
    KycDocument,
    QcPhoto,
    ProofOfDelivery,
}

impl PhotoPurpose {
    const ALLOWED: [&'static str; 5] = ["uploads", "Orders/…", "Customers/…", "qc-photos", "pod"];

    fn from_folder(folder: Option<&str>) -> Result<PhotoPurpose, ApiError> {
        let folder = folder.map(str::trim).filter(|f| !f.is_empty());
        let Some(folder) = folder else {
            return Ok(PhotoPurpose::General);
        };
        let first = folder.split('/').next().unwrap_or_default();
        let purpose = match first {
            "uploads" => PhotoPurpose::General,
            "Orders" => PhotoPurpose::OrderPhoto,
            "Customers" => PhotoPurpose::KycDocument,
            "qc-photos" => PhotoPurpose::QcPhoto,
            "pod" => PhotoPurpose::ProofOfDelivery,
            _ => {
                return Err(ApiError::unprocessable(
                    ErrorCode::FolderNotAllowed,
                    "That upload folder is not allowed.",
                )
                .with_details(json!({ "allowed": Self::ALLOWED })));
            }
        };
        if folder.len() > 200 || folder.split('/').any(|s| s == ".." || s == ".") {
            return Err(ApiError::unprocessable(
                ErrorCode::FolderNotAllowed,
                "That upload folder is not allowed.",
            )
            .with_details(json!({ "allowed": Self::ALLOWED })));
        }
        Ok(purpose)
    }

    fn as_str(self) -> &'static str {
        match self {
            PhotoPurpose::General => "general",
            PhotoPurpose::OrderPhoto => "order_photo",
            PhotoPurpose::KycDocument => "kyc_document",
            PhotoPurpose::QcPhoto => "qc_photo",
            PhotoPurpose::ProofOfDelivery => "proof_of_delivery",
        }
    }

    /// Order photos belong to booking, KYC documents to onboarding (or master data), QC
    /// photos to QC, delivery proofs to the delivery and hub steps; general uploads to
    /// any signed-in user.
    fn check(self, actor: &Actor) -> Result<(), ApiError> {
        let full = |p| (p, Access::Full);
        match self {
            PhotoPurpose::General => Ok(()),
            PhotoPurpose::OrderPhoto => actor.require(Permission::CreateOrders, Access::Full),
            PhotoPurpose::KycDocument => {
                actor.require_any(&[full(Permission::CreateOrders), full(Permission::MasterData)])
            }
            PhotoPurpose::QcPhoto => actor.require(Permission::QualityControl, Access::Full),
            PhotoPurpose::ProofOfDelivery => {
                actor.require_any(&[full(Permission::Delivery), full(Permission::FleetLoading)])
            }
        }
    }
}

fn decode_base64_image(raw: &str) -> Result<Vec<u8>, ApiError> {
    let payload = match raw.trim_start().strip_prefix("data:") {
        Some(rest) => rest.split_once(',').map(|(_, d)| d).unwrap_or_default(),
        None => raw,
    };
    let compact: String = payload
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::ImageRequired,
            "base64Image is required.",
        ));
    }
    if compact.len() / 4 * 3 > PHOTO_MAX_BYTES + 3 {
        return Err(too_large(PHOTO_MAX_BYTES));
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = engine.decode(compact.as_bytes()).map_err(|_| {
        ApiError::unprocessable(ErrorCode::InvalidBase64, "base64Image is not valid base64.")
    })?;
    if bytes.len() > PHOTO_MAX_BYTES {
        return Err(too_large(PHOTO_MAX_BYTES));
    }
    Ok(bytes)
}

/// Upload a photo or document as base64 (order photos, KYC documents, QC photos).
///
/// The type is read from the content (JPEG, PNG or PDF), at most 5 MiB decoded. The file is
/// stored privately under a server-chosen key; the answer carries the key to keep and a
/// URL signed for 24 hours.
#[utoipa::path(post, path = "/api/upload-photo", tag = "Uploads", security(("bearer" = [])),
    request_body = PhotoUploadRequest,
    responses(
        (status = 200, description = "Stored", body = UploadResponse),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "The folder's purpose needs a permission the caller lacks"),
        (status = 413, description = "Larger than 5 MiB"),
        (status = 422, description = "Not JPEG/PNG/PDF, not base64, or a folder outside the allow-list"),
    ))]
async fn upload_photo(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<PhotoUploadRequest>,
) -> Result<Json<UploadResponse>, ApiError> {
    let purpose = PhotoPurpose::from_folder(body.folder.as_deref())?;
    purpose.check(&actor)?;
    let bytes = decode_base64_image(&body.base64_image)?;
    let kind = sniff(&bytes).ok_or_else(unsupported_type)?;
    let key = BlobKey::generate("photos", kind.ext).map_err(blob_error)?;
    let detail = json!({
        "purpose": purpose.as_str(),
        "folder": body.folder.as_deref().map(|f| f.chars().take(200).collect::<String>()),
        "fileName": clean_file_name(body.file_name.as_deref()),
    });
    Ok(Json(
        store_upload(&st, &actor, key, bytes, kind, detail).await?,
    ))
}

// ---------------------------------------------------------------------------------------
// F2: proof of delivery (multipart)

/// Upload a proof of delivery (multipart field `pod`: JPEG, PNG or PDF, at most 10 MiB).
///
/// Needs the `delivery` or `fleet_loading` permission (the legacy route had no
/// authentication at all and kept the client's file name on the server's disk).
#[utoipa::path(post, path = "/api/upload/pod", tag = "Uploads", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "Field `pod`: the file"),
    responses(
        (status = 200, description = "Stored", body = UploadResponse),
        (status = 400, description = "No `pod` field"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs delivery or fleet_loading"),
        (status = 413, description = "Larger than 10 MiB"),
        (status = 415, description = "Not a multipart body"),
        (status = 422, description = "Not JPEG/PNG/PDF"),
    ))]
async fn upload_pod(
    State(st): State<AppState>,
    actor: Actor,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<UploadResponse>, ApiError> {
    actor.require_any(&[
        (Permission::Delivery, Access::Full),
        (Permission::FleetLoading, Access::Full),
    ])?;
    let file = read_file_field(multipart, "pod", FILE_MAX_BYTES).await?;
    let kind = sniff(&file.bytes).ok_or_else(unsupported_type)?;
    let key = BlobKey::generate("pod", kind.ext).map_err(blob_error)?;
    let detail = json!({ "purpose": "proof_of_delivery", "fileName": file.file_name });
    Ok(Json(
        store_upload(&st, &actor, key, file.bytes, kind, detail).await?,
    ))
}

// ---------------------------------------------------------------------------------------
// Signed downloads

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignedQuery {
    /// Expiry, Unix seconds.
    pub exp: Option<String>,
    /// Hex HMAC signature.
    pub sig: Option<String>,
}

fn bad_signature() -> ApiError {
    ApiError::forbidden(
        ErrorCode::FileUrlInvalid,
        "This file link is invalid or has expired.",
    )
}

/// Download a stored file through a signed URL (as returned by an upload).
///
/// No token: the signature is the credential. Invalid, tampered and expired links all get
/// the same 403. Files are sent as attachments with their stored type and `nosniff`.
#[utoipa::path(get, path = "/api/files/{key}", tag = "Uploads",
    params(
        ("key" = String, Path, description = "The file key, e.g. `photos/01J….jpg` (slashes allowed)"),
        SignedQuery,
    ),
    responses(
        (status = 200, description = "The file"),
        (status = 403, description = "Missing, invalid or expired signature"),
        (status = 404, description = "No such file"),
    ))]
async fn serve_file(
    State(st): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<SignedQuery>,
) -> Result<Response, ApiError> {
    let key = BlobKey::parse(&key).map_err(|_| bad_signature())?;
    st.blobs
        .verify(&key, q.exp.as_deref(), q.sig.as_deref(), Timestamp::now())
        .map_err(|_| bad_signature())?;
    let blob = st.blobs.get(&key).await.map_err(blob_error)?;
    let mut res = blob.bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&blob.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", key.file_name())) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    Ok(res)
}

// ---------------------------------------------------------------------------------------
// Master-data imports: templates and queued jobs

/// A template cell of the sample row.
pub(crate) enum Cell {
    Text(&'static str),
    Number(f64),
}

/// One import template (api.md §5.4).
pub(crate) struct TemplateSpec {
    pub sheet: &'static str,
    pub headers: &'static [&'static str],
    /// Header background, RGB.
    pub header_rgb: u32,
    pub column_width: f64,
    pub sample: &'static [Cell],
    pub file_name: &'static str,
}

/// The workbook for a template: one sheet, bold white headers on the given colour, fixed
/// column width, the sample row if any.
pub(crate) fn xlsx_template(spec: &TemplateSpec) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| {
        ApiError::internal_cause(&format!("template {} not generated", spec.file_name), &e)
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(spec.sheet).map_err(fail)?;
    let head = Format::new()
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(spec.header_rgb));
    for (col, h) in spec.headers.iter().enumerate() {
        let col = col as u16;
        ws.write_string_with_format(0, col, *h, &head)
            .map_err(fail)?;
        ws.set_column_width(col, spec.column_width).map_err(fail)?;
    }
    for (col, cell) in spec.sample.iter().enumerate() {
        let col = col as u16;
        match cell {
            Cell::Text(t) => ws.write_string(1, col, *t).map(|_| ()),
            Cell::Number(n) => ws.write_number(1, col, *n).map(|_| ()),
        }
        .map_err(fail)?;
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    wb.save_to_buffer().map_err(fail)
}

/// The template as a download.
pub(crate) fn template_response(spec: &TemplateSpec) -> Result<Response, ApiError> {
    let bytes = xlsx_template(spec)?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX_CONTENT_TYPE.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", spec.file_name),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The answer to an accepted import.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportQueued {
    pub success: bool,
    pub job_id: String,
    /// Always `queued`.
    pub status: String,
    pub message: String,
}

fn import_folder(kind: JobKind) -> &'static str {
    match kind {
        JobKind::CustomerImport => "imports/customers",
        JobKind::ProductImport => "imports/products",
        JobKind::DistributorPriceImport => "imports/distributor-prices",
        _ => "imports/other",
    }
}

/// Takes an import workbook (multipart field `file`, ≤ 10 MiB, a real xlsx by content),
/// stores it as a private blob and queues a job record for the worker, which parses and
/// validates it row by row (api.md §5.4, ARCHITECTURE "Jobs"). Nothing is parsed here:
/// the legacy imports parsed in the request, coerced junk to 0 and committed half a file
/// on errors (8.2.26). The file's SHA-256 travels with the job for idempotency.
///
/// The caller checks permissions before calling this.
pub(crate) async fn queue_import(
    st: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
    kind: JobKind,
) -> Result<Response, ApiError> {
    let file = read_file_field(multipart, "file", FILE_MAX_BYTES).await?;
    if !is_xlsx(&file.bytes) {
        return Err(ApiError::unprocessable(
            ErrorCode::NotAnXlsx,
            "The file is not an Excel workbook (.xlsx).",
        ));
    }
    let key = BlobKey::generate(import_folder(kind), "xlsx").map_err(blob_error)?;
    let meta = st
        .blobs
        .put(&key, file.bytes, XLSX_CONTENT_TYPE)
        .await
        .map_err(blob_error)?;
    let waiter = JobWaiter::new(st, allowed_wait(headers, st.config.jobs.import_wait));
    let input = json!({
        "blobKey": key.as_str(),
        "fileName": file.file_name,
        "size": meta.size,
        "sha256": meta.sha256,
    });
    let committed = nexus_core::jobs::submit(
        st.store.as_ref(),
        st.jobs.as_ref(),
        kind,
        actor.id(),
        Some(input.clone()),
        st.config.jobs.max_attempts,
        |id| {
            let audit = actor
                .audit(AuditAction::Import)
                .entity(EntityType::Job, id)
                .change(None, Some(json!({ "kind": kind, "input": input })));
            Ok(vec![Write::insert(&audit)?])
        },
    )
    .await;
    let job_id = match committed {
        Ok(id) => id,
        Err(e) => {
            let _ = st.blobs.delete(&key).await;
            return Err(e.into());
        }
    };
    st.publish(nexus_core::live::job_queued(
        &job_id,
        kind,
        st.config.jobs.max_attempts,
        actor.id(),
    ))
    .await;
    if let Some(job) = waiter.finished(st, &job_id).await? {
        return import_outcome(job);
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(ImportQueued {
            success: true,
            job_id,
            status: "queued".into(),
            message: "File received; the import runs in the background.".into(),
        }),
    )
        .into_response())
}

/// The answer to an import that finished while the request waited.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportFinished {
    pub success: bool,
    pub job_id: String,
    /// Always `succeeded` (a failed import answers 422 `IMPORT_FAILED`).
    pub status: String,
    /// The counts in a sentence, for clients that show one line.
    pub message: String,
    /// The job's summary: `totalRows`, `created`, `updated`, `unchanged`, `rejected`, …
    #[schema(value_type = Object)]
    pub result: Value,
    /// Whether rejected rows can be downloaded from `GET /api/jobs/{jobId}/report`.
    pub has_report: bool,
}

fn import_outcome(job: JobRecord) -> Result<Response, ApiError> {
    if job.status != JobStatus::Succeeded {
        return Err(ApiError::unprocessable(
            ErrorCode::ImportFailed,
            format!(
                "The import did not finish: {}",
                job.error.as_deref().unwrap_or(job.status.as_str())
            ),
        )
        .with_details(json!({ "jobId": job.id, "status": job.status, "error": job.error })));
    }
    let result = job.result.unwrap_or_else(|| json!({}));
    let count = |k: &str| result[k].as_u64().unwrap_or_default();
    let mut message = format!(
        "Import finished: {} rows, {} created, {} updated, {} unchanged, {} rejected.",
        count("totalRows"),
        count("created"),
        count("updated"),
        count("unchanged"),
        count("rejected"),
    );
    if job.report_key.is_some() {
        message.push_str(&format!(
            " The rejected rows: GET /api/jobs/{}/report.",
            job.id
        ));
    }
    Ok((
        StatusCode::OK,
        Json(ImportFinished {
            success: true,
            job_id: job.id,
            status: JobStatus::Succeeded.as_str().into(),
            message,
            result,
            has_report: job.report_key.is_some(),
        }),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content_not_name() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest").unwrap().ext, "jpg");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest").unwrap().ext, "png");
        assert_eq!(sniff(b"%PDF-1.7").unwrap().ext, "pdf");
        assert!(sniff(b"<html><script>").is_none());
        assert!(sniff(b"GIF89a").is_none());
        assert!(sniff(b"").is_none());
    }

    #[test]
    fn xlsx_needs_the_package_parts() {
        assert!(!is_xlsx(b"PK\x03\x04just a zip"));
        assert!(is_xlsx(
            b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml...."
        ));
        assert!(!is_xlsx(b"Customer ID,Name\n1,ABC"));
    }

    #[test]
    fn data_urls_and_plain_base64_decode() {
        let png = b"\x89PNG\r\n\x1a\n0000";
        let b64 = base64::engine::general_purpose::STANDARD.encode(png);
        assert_eq!(decode_base64_image(&b64).unwrap(), png);
        assert_eq!(
            decode_base64_image(&format!("data:image/png;base64,{b64}")).unwrap(),
            png
        );
        assert!(decode_base64_image("!!!").is_err());
        assert!(decode_base64_image("").is_err());
    }

    #[test]
    fn folders_come_from_the_allow_list() {
        assert_eq!(
            PhotoPurpose::from_folder(None).unwrap(),
            PhotoPurpose::General
        );
        assert_eq!(
            PhotoPurpose::from_folder(Some("Orders/ABC_Traders/Rajesh_2026-03-01")).unwrap(),
            PhotoPurpose::OrderPhoto
        );
        assert_eq!(
            PhotoPurpose::from_folder(Some("Customers/ABC/Docs_2026-03-01")).unwrap(),
            PhotoPurpose::KycDocument
        );
        for bad in [
            "../../etc",
            "Orders/../../x",
            "public",
            "/uploads",
            "qc-photos/..",
        ] {
            assert!(PhotoPurpose::from_folder(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn client_file_names_are_reduced() {
        assert_eq!(
            clean_file_name(Some("../../etc/passwd")).as_deref(),
            Some("passwd")
        );
        assert_eq!(
            clean_file_name(Some("C:\\x\\my photo.jpg")).as_deref(),
            Some("my_photo.jpg")
        );
        assert_eq!(clean_file_name(Some("")), None);
    }
}
