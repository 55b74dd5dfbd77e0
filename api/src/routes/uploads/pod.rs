//! F2: the proof-of-delivery upload (multipart). Separate because it is its own route with its
//! own permission and body limit.

use super::FILE_MAX_BYTES;
use super::content::{blob_error, sniff, unsupported_type};
use super::intake::read_file_field;
use super::store::{UploadResponse, store_upload};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use nexus_core::auth::{Access, Permission};
use nexus_core::blob::BlobKey;
use serde_json::json;

/// The form `upload_pod` reads (documentation only: the handler reads the parts itself).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct PodForm {
    /// A JPEG, PNG or PDF file, at most 10 MiB.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    pub pod: Vec<u8>,
}

/// Upload a proof of delivery (multipart field `pod`: JPEG, PNG or PDF, at most 10 MiB).
///
/// Needs the `delivery` or `fleet_loading` permission (the legacy route had no
/// authentication at all and kept the client's file name on the server's disk).
#[utoipa::path(post, path = "/api/upload/pod", tag = "Uploads", security(("bearer" = [])),
    request_body(content((PodForm = "multipart/form-data")), description = "Field `pod`: the file"),
    responses(
        (status = 200, description = "Stored", body = UploadResponse),
        (status = 400, description = "No `pod` field"),
        (status = 403, description = "Needs delivery or fleet_loading"),
        (status = 413, description = "Larger than 10 MiB"),
        (status = 415, description = "Not a multipart body"),
        (status = 422, description = "Not JPEG/PNG/PDF"),
    ))]
pub(super) async fn upload_pod(
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
