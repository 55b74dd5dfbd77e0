//! F1: the base64 photo upload, with the legacy folder deciding the purpose and the
//! permission it needs. Separate because the folder allow-list and base64 decoding are its own.

use super::PHOTO_MAX_BYTES;
use super::content::{blob_error, clean_file_name, sniff, too_large, unsupported_type};
use super::store::{UploadResponse, store_upload};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use base64::Engine;
use nexus_core::auth::{Access, Permission};
use nexus_core::blob::BlobKey;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhotoUploadRequest {
    /// The image as base64, or as a data URL (`data:image/png;base64,…`).
    #[schema(pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
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
        (status = 403, description = "The folder's purpose needs a permission the caller lacks"),
        (status = 413, description = "Larger than 5 MiB"),
        (status = 422, description = "Not JPEG/PNG/PDF, not base64, or a folder outside the allow-list"),
    ))]
pub(super) async fn upload_photo(
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
