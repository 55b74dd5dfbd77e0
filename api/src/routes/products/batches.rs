//! Receiving stock into one product's batch at a warehouse (`POST /api/products/{id}/batches`).
//! Separate because it only turns its body into a receipt line; the receipt itself is
//! `routes::stock_receipt`, shared with the warehouses' W3.

use super::{load, trimmed};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::ApiError;
use crate::routes::common::{created, resolve_warehouse};
use crate::routes::envelope::Data;
use crate::routes::stock_receipt::{
    ProductRef, ReceiptLine, ReceiptResult, batch_number, receipt_quantity, receive_stock,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{EntityType, Product};
use nexus_core::types::DateOnly;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BatchReceipt {
    /// Warehouse id or legacy alias.
    pub warehouse_id: String,
    /// Supplier lot number; receiving an existing number in the same warehouse tops it up.
    pub batch_number: Option<String>,
    #[schema(value_type = f64)]
    pub quantity: Decimal,
    #[schema(value_type = Option<String>)]
    pub mfg_date: Option<DateOnly>,
    /// When absent: manufacture date (or today) + shelf life, else undated.
    #[schema(value_type = Option<String>)]
    pub exp_date: Option<DateOnly>,
    pub weight: Option<String>,
    /// Goods receipt note or challan reference.
    pub note: Option<String>,
}

/// A receipt into one product's batches.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchReceived {
    /// The product after the receipt.
    pub product: Product,
    pub receipt: ReceiptResult,
}

/// Receive stock into a batch of this product at a warehouse (warehouse staff): the batch
/// is created or topped up under a `_rev` guard, with a ledger ADD row and the audit entry
/// in the same commit, and a `stock:changed` event.
#[utoipa::path(post, path = "/api/products/{id}/batches", tag = "Products", security(("bearer" = [])),
    params(("id" = String, Path, description = "Product id")),
    request_body = BatchReceipt,
    responses(
        (status = 201, description = "Received: the product and what the receipt did", body = Data<BatchReceived>),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 404, description = "No such product or warehouse"),
        (status = 409, description = "The batch is held with another expiry"),
        (status = 422, description = "Bad quantity or dates, or the product is deactivated"),
    ))]
pub(super) async fn receive_batch(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BatchReceipt>,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageWarehouse, Access::Full)?;
    load(&st, &id).await?;
    let line = ReceiptLine {
        product: ProductRef::Id(id.clone()),
        batch_number: batch_number(b.batch_number.as_deref())?,
        quantity: receipt_quantity(b.quantity, 0)?,
        mfg_date: b.mfg_date,
        exp_date: b.exp_date,
        weight: b.weight.as_deref().and_then(trimmed),
    };
    let warehouse = resolve_warehouse(&st, &b.warehouse_id).await?;
    let note = b.note.as_deref().and_then(trimmed);
    let mut results = receive_stock(
        &st,
        &actor,
        &warehouse,
        std::slice::from_ref(&line),
        note.as_deref(),
        (EntityType::Product, &id),
    )
    .await?;
    let product = load(&st, &id).await?;
    Ok(created(
        json!({ "product": product, "receipt": results.pop() }),
    ))
}
