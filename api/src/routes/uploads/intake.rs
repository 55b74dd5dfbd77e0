//! Multipart intake (POD and the three imports): one named file field, size-capped while
//! streaming. Separate because F2 and every import read their file through it.

use super::content::{clean_file_name, too_large};
use crate::error::{ApiError, ErrorCode};
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;

pub(super) struct UploadedFile {
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
pub(super) async fn read_file_field(
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
