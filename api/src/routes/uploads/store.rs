//! Storing an upload: the private blob, its audit entry (or no blob at all) and the signed
//! answer. Separate because F1 and F2 store alike.

use super::SIGNED_URL_TTL;
use super::content::{FileKind, blob_error};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::routes::common::commit_audited;
use crate::state::AppState;
use nexus_core::blob::{BlobKey, BlobMeta};
use nexus_core::model::{AuditAction, EntityType};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

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
pub(super) async fn store_upload(
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
