//! Multipart intake (POD and the three imports): one named file field, size-capped while
//! streaming. Separate because F2 and every import read their file through it.

use super::content::{clean_file_name, too_large};
use crate::error::{ApiError, ErrorCode};
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;

pub(crate) struct UploadedFile {
    pub bytes: Vec<u8>,
    /// The client's name reduced to a safe file name (letters, digits, `.`, `-`, `_`).
    pub file_name: Option<String>,
    /// The client's name as sent, for routes that show it (never used as a path).
    pub sent_name: Option<String>,
}

fn not_multipart() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::UnsupportedMediaType,
        "Send the file as multipart/form-data.",
    )
}

/// The form has one part; anything else is a client mistake worth saying, not something to
/// skip silently (the document declares no other part).
fn unexpected(name: Option<&str>, field: &str) -> ApiError {
    let name: String = name.unwrap_or("").chars().take(64).collect();
    ApiError::unprocessable(
        ErrorCode::ValidationFailed,
        format!("Unexpected form field `{name}`: send only `{field}`."),
    )
    .with_details(serde_json::json!({ "field": name, "expected": field }))
}

fn multipart_error(e: axum::extract::multipart::MultipartError, max: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(max)
    } else {
        ApiError::bad_request(
            ErrorCode::MalformedMultipart,
            "The multipart body is malformed.",
        )
        .with_details(serde_json::json!({ "reason": e.body_text() }))
    }
}

/// Reads the part named `field` (at most `max` bytes, counted while streaming); any other
/// part is refused. The multipart rejection is passed in rather than extracted earlier so the
/// caller's permission check runs first: a caller without the permission gets 403, not a
/// complaint about their body.
pub(crate) async fn read_file_field(
    multipart: Result<Multipart, MultipartRejection>,
    field: &str,
    max: usize,
) -> Result<UploadedFile, ApiError> {
    let mut multipart = multipart.map_err(|_| not_multipart())?;
    let Some(mut part) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, max))?
    else {
        return Err(ApiError::bad_request(
            ErrorCode::NoFile,
            format!("No file uploaded (expected a multipart field named `{field}`)."),
        ));
    };
    if part.name() != Some(field) {
        return Err(unexpected(part.name(), field));
    }
    let sent_name = part.file_name().map(str::to_string);
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
    // The part holds the stream's lock until it is dropped.
    drop(part);
    if let Some(extra) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, max))?
    {
        return Err(unexpected(extra.name(), field));
    }
    Ok(UploadedFile {
        bytes,
        file_name,
        sent_name,
    })
}
