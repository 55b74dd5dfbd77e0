//! Signed downloads: a stored file through a URL the server signed, no token. Separate
//! because it is the one route here that reads and needs no sign-in.

use super::content::blob_error;
use crate::error::{ApiError, ErrorCode};
use crate::routes::extract::ApiQuery;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use nexus_core::blob::BlobKey;
use nexus_core::types::Timestamp;
use serde::Deserialize;
use utoipa::IntoParams;

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
pub(super) async fn serve_file(
    State(st): State<AppState>,
    Path(key): Path<String>,
    ApiQuery(q): ApiQuery<SignedQuery>,
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
