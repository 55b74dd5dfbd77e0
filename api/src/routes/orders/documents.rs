//! An order's documents (the PO copy and sales photos from booking, the QC photo, the proof
//! of delivery) as links a reader can open. The order keeps blob keys; the links an upload
//! answered with expire within a day, so every read signs fresh ones, as customer KYC
//! documents are. Nothing here is a public link: each is signed for an hour and only sent
//! to a reader who may see the order.

use crate::state::AppState;
use nexus_core::blob::BlobKey;
use nexus_core::model::Order;
use nexus_core::types::Timestamp;
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// How long a document link stays valid: enough to open it from the screen that read it.
pub const DOCUMENT_URL_TTL: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// The customer's purchase order, the first photo of the booking.
    PoCopy,
    SalesPhoto,
    QcPhoto,
    ProofOfDelivery,
}

/// One document of an order with a freshly signed link.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderDocument {
    pub kind: DocumentKind,
    /// The stored blob key.
    pub key: String,
    /// Signed link, valid until `expiresAt`.
    pub url: String,
    pub expires_at: Timestamp,
}

/// The blob key a stored value names: a bare key, or a link this server (or its bucket)
/// signed for an uploaded photo. Anything else (a legacy link to somewhere else) is not a
/// file of ours and is not re-published.
fn key_of(stored: &str) -> Option<BlobKey> {
    BlobKey::parse(stored.trim())
        .ok()
        .or_else(|| super::qc_photo::photo_key(stored))
}

/// Every document of `order` with a link signed now; a file that cannot be signed is left
/// out and logged (the order itself still reads).
pub async fn signed(st: &AppState, order: &Order) -> Vec<OrderDocument> {
    let mut stored: Vec<(DocumentKind, &str)> = Vec::new();
    for (i, p) in order.sales_photos.iter().enumerate() {
        let kind = if i == 0 {
            DocumentKind::PoCopy
        } else {
            DocumentKind::SalesPhoto
        };
        stored.push((kind, p));
    }
    if let Some(p) = order.qc_photo.as_deref() {
        stored.push((DocumentKind::QcPhoto, p));
    }
    let pods = [
        order.pod_url.as_deref(),
        order.delivery.as_ref().and_then(|d| d.pod_url.as_deref()),
    ];
    for p in pods.into_iter().flatten() {
        if !stored
            .iter()
            .any(|(k, s)| *k == DocumentKind::ProofOfDelivery && *s == p)
        {
            stored.push((DocumentKind::ProofOfDelivery, p));
        }
    }
    let now = Timestamp::now();
    let expires_at =
        Timestamp::from_millis(now.millis() + DOCUMENT_URL_TTL.as_millis() as i64).unwrap_or(now);
    let mut out = Vec::with_capacity(stored.len());
    for (kind, value) in stored {
        let Some(key) = key_of(value) else { continue };
        match st.blobs.signed_url(&key, DOCUMENT_URL_TTL).await {
            Ok(url) => out.push(OrderDocument {
                kind,
                key: key.to_string(),
                url,
                expires_at,
            }),
            Err(e) => {
                tracing::warn!(error = %e, %key, order = %order.id, "document link not signed")
            }
        }
    }
    out
}
