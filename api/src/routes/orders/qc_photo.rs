//! The old QC screen's second call: after the pass it sends
//! `PATCH /api/orders/{id} {"qcPhoto": <the URL upload-photo returned>}`. The old server
//! `$set` any text there. Here the photo is evidence of the QC step: only a quality-control
//! user may attach it (one who sees the order, or the inspector who recorded its check), only
//! to an order whose QC was recorded, and only a photo uploaded to
//! this server (`POST /api/upload-photo`), kept as its blob key — never a client's URL,
//! which could point anywhere and whose signature expires within a day.

use super::access::{Visibility, load_order, rev_guard};
use super::engine::Done;
use super::view::updated_event;
use crate::auth::Actor;
use crate::error::{ApiError, Chain, ErrorCode};
use crate::state::AppState;
use axum::http::StatusCode;
use nexus_core::auth::{Access, Permission};
use nexus_core::blob::BlobKey;
use nexus_core::model::{AuditAction, EntityType, Order};
use nexus_core::store::{Filter, StoreError, Write};
use nexus_core::types::Timestamp;
use serde_json::{Map, Value, json};

/// The folder `POST /api/upload-photo` stores photos in.
const PHOTO_FOLDER: &str = "photos/";

/// Is this PATCH body the QC screen's photo (`{"qcPhoto": …}` alone)?
pub fn is_qc_photo_patch(body: &Map<String, Value>) -> bool {
    body.len() == 1 && body.contains_key("qcPhoto")
}

/// The blob key inside what the app holds: a bare key, or a signed URL of this server
/// (`/api/files/photos/….jpg?exp=…&sig=…`) or of the S3 bucket (`https://…/photos/….jpg?…`).
pub fn photo_key(raw: &str) -> Option<BlobKey> {
    let raw = raw.trim();
    let path = raw.split(['?', '#']).next().unwrap_or_default();
    let start = path.rfind(PHOTO_FOLDER)?;
    let key = &path[start..];
    // A key is one file in the photo folder, never a path that climbs out of it.
    if key[PHOTO_FOLDER.len()..].contains('/') {
        return None;
    }
    BlobKey::parse(key).ok()
}

/// Attaches the photo to the order's QC record.
pub async fn attach_qc_photo(
    st: &AppState,
    actor: &Actor,
    id: &str,
    body: &Map<String, Value>,
) -> Result<Done, ApiError> {
    actor.require(Permission::QualityControl, Access::Full)?;
    let raw = body.get("qcPhoto").and_then(Value::as_str).unwrap_or("");
    let invalid = || {
        ApiError::unprocessable(
            ErrorCode::InvalidPhoto,
            "qcPhoto must be a photo uploaded with POST /api/upload-photo (its key or URL)",
        )
        .with_details(json!({ "qcPhoto": raw.chars().take(80).collect::<String>() }))
    };
    let key = photo_key(raw).ok_or_else(invalid)?;
    match st.blobs.metadata(&key).await {
        Ok(Some(_)) => {}
        Ok(None) => return Err(invalid()),
        Err(e) => {
            tracing::error!(error = %Chain(&e), "blob store unavailable while checking a QC photo");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::StorageUnavailable,
                "File storage is unavailable; try again.",
            ));
        }
    }
    let vis = Visibility::of(st, actor).await?;
    for _ in 0..3 {
        // The pass moves the order on, out of the QC queue the inspector sees; the one who
        // recorded its check may still attach the photo of it.
        let order = load_order(st, id).await?;
        let inspector =
            order.qc.as_ref().and_then(|q| q.qc_agent_id.as_deref()) == Some(actor.id());
        if !inspector && !vis.sees(&order) {
            return Err(ApiError::record_not_found(
                ErrorCode::OrderNotFound,
                "Order",
                id,
            ));
        }
        if order.qc.is_none() || order.status.is_terminal() {
            return Err(ApiError::conflict(
                ErrorCode::QcNotRecorded,
                format!(
                    "Order {} has no open QC record to attach a photo to (status {})",
                    order.id, order.status
                ),
            )
            .with_details(json!({ "status": order.status })));
        }
        let mut new = order.clone();
        new.qc_photo = Some(key.as_str().to_string());
        new.rev = order.rev + 1;
        new.updated_at = Some(Timestamp::now());
        let mut audit = actor
            .audit(AuditAction::Update)
            .entity(EntityType::Order, order.id.clone())
            .change(
                Some(json!({ "qcPhoto": order.qc_photo })),
                Some(json!({ "qcPhoto": new.qc_photo })),
            );
        audit.reason = Some("QC photo from the old mobile app".into());
        let writes = vec![
            Write::replace::<Order>(
                Filter::and([Filter::id(order.id.clone()), rev_guard(order.rev)]),
                &new,
            )?,
            Write::insert(&audit)?,
        ];
        match st.store.commit(writes).await {
            Ok(()) => {
                st.publish(updated_event(&new)).await;
                return Ok(Done {
                    from: order.status,
                    order: new,
                });
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(
        ErrorCode::Conflict,
        "The order kept changing; try again.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_out_of_our_urls_only_as_photo_files() {
        for ok in [
            "photos/01J9ZK3V8Q.jpg",
            "/api/files/photos/01J9ZK3V8Q.jpg?exp=1767225600&sig=ab12",
            "http://10.0.2.2:3000/api/files/photos/01J9ZK3V8Q.jpg?exp=1&sig=2",
            "https://bucket.r2.example/photos/01J9ZK3V8Q.jpg?X-Amz-Signature=abc",
        ] {
            assert_eq!(
                photo_key(ok).map(|k| k.as_str().to_string()).as_deref(),
                Some("photos/01J9ZK3V8Q.jpg"),
                "{ok}"
            );
        }
        for bad in [
            "",
            "https://evil.example/x.jpg",
            "photos/../etc/passwd",
            "photos/a/b.jpg",
            "pod/01J9.jpg",
            "photos/",
        ] {
            assert!(photo_key(bad).is_none(), "{bad}");
        }
    }
}
