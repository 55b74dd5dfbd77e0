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
//!
//! One file per piece: `photo` (F1), `pod` (F2), `download` (signed downloads); what those
//! share: `content` (type by magic bytes, size and blob errors), `intake` (reading a multipart
//! file field), `store` (blob plus audit entry); and what the three master-data imports
//! (customers, products, distributor prices) share: `template` (xlsx templates) and `import`
//! (storing the workbook and queueing its job, with the wait and its two answers). This file
//! holds the size limits and the router.

mod content;
mod download;
mod import;
mod intake;
mod photo;
mod pod;
mod store;
mod template;

pub(crate) use content::{XLSX_CONTENT_TYPE, blob_error, is_xlsx};
pub(crate) use import::{
    ImportAnswers, ImportFinished, ImportQueued, WorkbookForm, WorkbookJob, queue_import,
    submit_workbook,
};
pub(crate) use intake::read_file_field;
pub(crate) use template::{Cell, TemplateSpec, template_response};

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use std::time::Duration;
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
        .routes(routes!(photo::upload_photo))
        .layer(DefaultBodyLimit::max(PHOTO_BODY_LIMIT));
    let pod = OpenApiRouter::new()
        .routes(routes!(pod::upload_pod))
        .layer(DefaultBodyLimit::max(MULTIPART_BODY_LIMIT));
    // Keys have several segments (`photos/01J….jpg`), so axum serves the download with a
    // catch-all; OpenAPI has no catch-all syntax, so the same handler is documented as
    // `/api/files/{key}` (a key with percent-encoded slashes reaches the same route).
    let (_, file_docs, _): utoipa_axum::router::UtoipaMethodRouter<AppState> =
        routes!(download::serve_file);
    let mut files = OpenApiRouter::new().route("/api/files/{*key}", get(download::serve_file));
    files.get_openapi_mut().paths.paths.extend(file_docs.paths);
    OpenApiRouter::new().merge(photo).merge(pod).merge(files)
}

/// The multipart body limit, for the import routes of the other areas.
pub(crate) fn multipart_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MULTIPART_BODY_LIMIT)
}
