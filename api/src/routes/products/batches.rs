//! Receiving stock into one product's batch at a warehouse (`POST /api/products/{id}/batches`).
//! Separate because it only turns its body into a receipt line; the receipt itself is
//! `routes::stock_receipt`, shared with the warehouses' W3.

use super::{load, trimmed};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
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
    /// Supplier lot number (at most 64 printable characters); receiving an existing number
    /// in the same warehouse tops it up. Empty or absent: a new batch number is generated.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,64}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub batch_number: Option<String>,
    /// 0.001 to 10,000,000.
    #[schema(value_type = f64, minimum = 0.001, maximum = 10000000)]
    pub quantity: Decimal,
    /// `YYYY-MM-DD`; not after the expiry date.
    #[serde(default, deserialize_with = "crate::routes::dates::text_date")]
    #[schema(value_type = Option<DateOnly>)]
    pub mfg_date: Option<DateOnly>,
    /// `YYYY-MM-DD`. When absent: manufacture date (or today) + shelf life, else undated.
    #[serde(default, deserialize_with = "crate::routes::dates::text_date")]
    #[schema(value_type = Option<DateOnly>)]
    pub exp_date: Option<DateOnly>,
    pub weight: Option<String>,
    /// Goods receipt note or challan reference.
    pub note: Option<String>,
}

/// The smallest and largest quantity one receipt line takes (a gram or a thousandth of a
/// piece; an order line's largest quantity).
const MIN_RECEIPT_QTY: Decimal = Decimal::from_parts(1, 0, 0, false, 3);
const MAX_RECEIPT_QTY: i64 = nexus_core::rules::booking::MAX_QTY;

/// A receipt quantity within [`MIN_RECEIPT_QTY`]..=[`MAX_RECEIPT_QTY`].
fn received_quantity(q: Decimal) -> Result<Decimal, ApiError> {
    if q < MIN_RECEIPT_QTY || q > Decimal::from(MAX_RECEIPT_QTY) {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("quantity must be from {MIN_RECEIPT_QTY} to {MAX_RECEIPT_QTY}."),
        )
        .with_details(json!({ "field": "quantity" })));
    }
    Ok(q)
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
        quantity: receipt_quantity(received_quantity(b.quantity)?, 0)?,
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
