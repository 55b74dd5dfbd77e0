//! Master-data imports as queued jobs: the workbook stored and its job queued
//! (`queue_import`), the optional wait for it, and the two answers (`ImportQueued`,
//! `ImportFinished`). Separate because the three import routes of the other areas share it.

use super::FILE_MAX_BYTES;
use super::content::{XLSX_CONTENT_TYPE, blob_error, is_xlsx};
use super::intake::read_file_field;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::job_wait::{JobWaiter, allowed_wait};
use crate::state::AppState;
use axum::Json;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use nexus_core::blob::{BlobKey, BlobMeta};
use nexus_core::model::{AuditAction, EntityType, JobKind, JobRecord, JobStatus};
use nexus_core::store::Write;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// The form an import route reads: one `file` part (documentation only: the handler reads
/// the parts itself, and refuses any other part).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct WorkbookForm {
    /// The .xlsx workbook, at most 10 MiB.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    pub file: Vec<u8>,
}

/// Every answer of a master-data import route but its 403 (which names the route's own
/// permission): the three import routes document them once, here.
// Never built: it only documents what `queue_import` answers.
#[allow(dead_code)]
#[derive(utoipa::IntoResponses)]
pub enum ImportAnswers {
    /// Finished while the request waited (`NEXUS_IMPORT_WAIT`; never with `Prefer: respond-async`)
    #[response(status = 200)]
    Finished(ImportFinished),
    /// Queued: still running when the wait ended, or `Prefer: respond-async` was sent
    #[response(status = 202)]
    Queued(ImportQueued),
    /// No `file` field
    #[response(status = 400)]
    NoFile,
    /// Larger than 10 MiB
    #[response(status = 413)]
    TooLarge,
    /// Not a multipart body
    #[response(status = 415)]
    NotMultipart,
    /// Not an .xlsx workbook, or the import failed while the request waited (`IMPORT_FAILED`)
    #[response(status = 422)]
    NotImported,
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
    let waiter = JobWaiter::new(st, allowed_wait(headers, st.config.jobs.import_wait));
    let job_id = submit_workbook(
        st,
        actor,
        WorkbookJob {
            kind,
            folder: import_folder(kind),
            action: AuditAction::Import,
            bytes: file.bytes,
        },
        |key, meta| {
            json!({
                "blobKey": key.as_str(),
                "fileName": file.file_name,
                "size": meta.size,
                "sha256": meta.sha256,
            })
        },
        |input| json!({ "kind": kind, "input": input }),
    )
    .await?;
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

/// A workbook to keep as a private blob and the job that will read it.
pub(crate) struct WorkbookJob {
    pub kind: JobKind,
    /// The blob folder, so each kind's files sit apart.
    pub folder: &'static str,
    /// What the audit entry calls the upload.
    pub action: AuditAction,
    pub bytes: Vec<u8>,
}

/// Stores the workbook under a server-chosen key and queues its job with the audit entry in
/// the same commit, then announces the job; the job id on success. `input` is the job's
/// input from the stored blob, `audited` what the audit entry records of that input. When the
/// job cannot be queued nothing refers to the file, so it is not left behind (D-A9).
pub(crate) async fn submit_workbook(
    st: &AppState,
    actor: &Actor,
    job: WorkbookJob,
    input: impl FnOnce(&BlobKey, &BlobMeta) -> Value + Send,
    audited: impl Fn(&Value) -> Value + Send + Sync,
) -> Result<String, ApiError> {
    let key = BlobKey::generate(job.folder, "xlsx").map_err(blob_error)?;
    let meta = st
        .blobs
        .put(&key, job.bytes, XLSX_CONTENT_TYPE)
        .await
        .map_err(blob_error)?;
    let input = input(&key, &meta);
    let committed = nexus_core::jobs::submit(
        st.store.as_ref(),
        st.jobs.as_ref(),
        job.kind,
        actor.id(),
        Some(input.clone()),
        st.config.jobs.max_attempts,
        |id| {
            let audit = actor
                .audit(job.action)
                .entity(EntityType::Job, id)
                .change(None, Some(audited(&input)));
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
        job.kind,
        st.config.jobs.max_attempts,
        actor.id(),
    ))
    .await;
    Ok(job_id)
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
