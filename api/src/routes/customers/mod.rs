//! Customers and their credit data (api.md §2.5, C1–C7; domain.md §1.2, §2.8).
//!
//! What changed from the legacy routes and why:
//! * every route needs a token and a permission (C4–C7 had none, D-S8);
//! * the generic PATCH took any field, so any role could raise a credit limit (8.1.5): it now
//!   takes a whitelist of contact and master fields, and credit figures change only through
//!   `PATCH /api/customers/{id}/credit` (credit control or master data), blocking only through
//!   `PATCH /api/customers/{id}/block`, each audited with old → new;
//! * creation keeps the delivery addresses and KYC documents the legacy schema dropped
//!   (D-D1), holding blob keys (never public URLs, D-S10) that are re-signed on every read;
//! * ids come from the store's sequence (`CUST-000001`), not the clock (D-R6);
//! * payments (C6) and ageing (C7) were mock data (8.3.32); they are computed from the
//!   customer's orders and credit figures;
//! * the import (C5) no longer overwrites credit balances in the request: it stores the file
//!   and queues a job that validates every row (8.2.26).
//!
//! The area follows its sections: `validate` (the field checks every write shares), `list`
//! (C1), `create` (C2), `update` (C3), `credit` (credit figures and blocking), `import`
//! (C4/C5), `payments` (C6 payments, C7 ageing). This file holds the router, who may read
//! and who may change credit, and loading and presenting a customer.

mod create;
mod credit;
mod import;
mod list;
mod payments;
mod update;
mod validate;

use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::routes::uploads;
use crate::state::AppState;
use nexus_core::auth::{Access, Permission};
use nexus_core::blob::BlobKey;
use nexus_core::model::Customer;
use nexus_core::store::{Filter, TypedStore, UpdateOp};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    let imports = area_router([routes!(import::bulk_import)]).layer(uploads::multipart_limit());
    area_router([
        routes!(list::list_customers, create::create_customer),
        routes!(update::update_customer),
        routes!(credit::update_credit),
        routes!(credit::set_blocked),
        routes!(import::import_template),
        routes!(payments::payments),
        routes!(payments::aging),
    ])
    .merge(imports)
}

/// Who may read customers and their credit position: booking (sales), order viewers, credit
/// control and master data. Warehouse, QC, logistics and delivery staff have no need.
const READERS: [(Permission, Access); 4] = [
    (Permission::ViewOrders, Access::View),
    (Permission::CreateOrders, Access::View),
    (Permission::ApproveCredit, Access::View),
    (Permission::MasterData, Access::View),
];

/// Who may change credit figures (and import the OD master that carries them).
const CREDIT_EDITORS: [(Permission, Access); 2] = [
    (Permission::ApproveCredit, Access::Full),
    (Permission::MasterData, Access::Full),
];

/// Signed KYC links handed out with a customer stay valid this long.
const KYC_URL_TTL: std::time::Duration = std::time::Duration::from_secs(3600);

/// The fields holding KYC document blob keys, with the name the key is echoed under.
const KYC_FIELDS: [(&str, &str); 3] = [
    ("gstPhotoUrl", "gstPhotoKey"),
    ("panPhotoUrl", "panPhotoKey"),
    ("chequePhotoUrl", "chequePhotoKey"),
];

async fn load(st: &AppState, id: &str) -> Result<Customer, ApiError> {
    st.store
        .get::<Customer>(Filter::id(id))
        .await?
        .ok_or_else(|| ApiError::record_not_found(ErrorCode::CustomerNotFound, "Customer", id))
}

// The body `present` builds, described for the OpenAPI document (the handlers send JSON).
/// A customer as the API shows it: the stored customer, where each KYC document
/// link (`gstPhotoUrl`, `panPhotoUrl`, `chequePhotoUrl`) holding an uploaded file is a freshly
/// signed link valid for an hour, with the file's key echoed beside it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerView {
    #[serde(flatten)]
    pub customer: Customer,
    /// The blob key behind `gstPhotoUrl`, when it holds an uploaded file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gst_photo_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pan_photo_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cheque_photo_key: Option<String>,
}

/// A customer as the API shows it: the stored document with each KYC key replaced by a
/// freshly signed link (the legacy clients display `gstPhotoUrl` as a link) and the key
/// echoed next to it.
async fn present(st: &AppState, c: &Customer) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        for (field, key_field) in KYC_FIELDS {
            let Some(key) = o
                .get(field)
                .and_then(Value::as_str)
                .and_then(|s| BlobKey::parse(s).ok())
            else {
                continue;
            };
            match st.blobs.signed_url(&key, KYC_URL_TTL).await {
                Ok(url) => {
                    o.insert(field.into(), Value::String(url));
                    o.insert(key_field.into(), Value::String(key.to_string()));
                }
                Err(e) => tracing::warn!(error = %e, %key, "KYC link not signed"),
            }
        }
    }
    v
}

/// Apply `ops` to a copy of the customer, for the audit's new image.
fn after(c: &Customer, ops: &[UpdateOp]) -> Result<Customer, ApiError> {
    let mut doc = serde_json::to_value(c)
        .map_err(|e| ApiError::internal_cause("customer does not encode", &e))?;
    nexus_core::store::apply::apply_ops(&mut doc, ops)?;
    serde_json::from_value(doc)
        .map_err(|e| ApiError::internal_cause("updated customer does not decode", &e))
}
