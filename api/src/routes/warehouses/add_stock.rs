//! W3: receiving stock into a warehouse, many lines naming their product by id, SKU or name.
//! Separate because it only turns the legacy body into receipt lines; the receipt itself is
//! `routes::stock_receipt`.

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::resolve_warehouse;
use crate::routes::envelope::MessageData;
use crate::routes::stock_receipt::{
    ProductRef, ReceiptLine, ReceiptResult, batch_number, receipt_quantity, receive_stock,
};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::EntityType;
use nexus_core::types::DateOnly;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StockItemInput {
    /// The product: `productId`, else `skuCode`, else exact `name` (at least one not
    /// blank).
    pub product_id: Option<String>,
    pub sku_code: Option<String>,
    pub name: Option<String>,
    /// Supplier lot number (at most 64 printable characters); generated when absent or
    /// empty.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,64}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub batch_number: Option<String>,
    /// Received quantity, 0.001 to 10,000,000; legacy clients send `qty`.
    #[serde(alias = "qty")]
    #[schema(value_type = f64, minimum = 0.001, maximum = 10000000)]
    pub quantity: Decimal,
    /// `YYYY-MM-DD`; legacy clients send `expiry`. When absent: manufacture date (or
    /// today) + the product's shelf life, else undated.
    #[serde(alias = "expiry")]
    #[serde(default, deserialize_with = "crate::routes::dates::text_date")]
    #[schema(value_type = Option<DateOnly>)]
    pub exp_date: Option<DateOnly>,
    /// `YYYY-MM-DD`; not after the expiry date.
    #[serde(default, deserialize_with = "crate::routes::dates::text_date")]
    #[schema(value_type = Option<DateOnly>)]
    pub mfg_date: Option<DateOnly>,
    pub weight: Option<String>,
}

/// A receipt line as the document describes it: [`StockItemInput`]'s fields, with at least
/// one of `productId`, `skuCode` and `name` not blank.
pub struct StockItem;

impl PartialSchema for StockItem {
    fn schema() -> RefOr<Schema> {
        let named = |field: &str| {
            json!({
                "required": [field],
                "properties": { field: { "type": "string", "pattern": NONBLANK } },
            })
        };
        match StockItemInput::schema() {
            RefOr::T(Schema::Object(mut o)) => {
                o.extensions.get_or_insert_with(Default::default).insert(
                    "anyOf".into(),
                    json!([named("productId"), named("skuCode"), named("name")]),
                );
                o.description = Some(
                    "One received line: the product (by `productId`, else `skuCode`, else exact `name`; at least one not blank), the quantity and the batch.".into(),
                );
                RefOr::T(Schema::Object(o))
            }
            other => other,
        }
    }
}

impl ToSchema for StockItem {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <StockItemInput as ToSchema>::schemas(schemas);
    }
}

/// Not blank (after trimming).
const NONBLANK: &str = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddStockRequest {
    /// Warehouse id or legacy alias.
    pub warehouse_id: String,
    /// 1 to 200 lines.
    #[schema(value_type = Vec<StockItem>, min_items = 1, max_items = 200)]
    pub items: Vec<StockItemInput>,
    /// Goods receipt note, challan number… (kept in the ledger and the audit entry).
    pub note: Option<String>,
}

const MAX_RECEIPT_LINES: usize = 200;

/// The smallest and largest quantity one line takes (a gram or a thousandth of a piece; an
/// order line's largest quantity).
const MIN_RECEIPT_QTY: Decimal = Decimal::from_parts(1, 0, 0, false, 3);
const MAX_RECEIPT_QTY: i64 = nexus_core::rules::booking::MAX_QTY;

/// A line's quantity within [`MIN_RECEIPT_QTY`]..=[`MAX_RECEIPT_QTY`].
fn received_quantity(q: Decimal, line: usize) -> Result<Decimal, ApiError> {
    if q < MIN_RECEIPT_QTY || q > Decimal::from(MAX_RECEIPT_QTY) {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("quantity must be from {MIN_RECEIPT_QTY} to {MAX_RECEIPT_QTY}."),
        )
        .with_details(json!({ "line": line, "field": "quantity" })));
    }
    Ok(q)
}

/// Receive stock into a warehouse: each item becomes (or tops up) a batch of its product,
/// with a stock-ledger ADD row, in one audited commit.
#[utoipa::path(post, path = "/api/warehouse/add-stock", tag = "Warehouses", security(("bearer" = [])),
    request_body = AddStockRequest,
    responses(
        (status = 200, description = "Received: what each line did, in order", body = MessageData<Vec<ReceiptResult>>),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 404, description = "Unknown warehouse"),
        (status = 409, description = "Batch already held with another expiry, or kept racing other changes"),
        (status = 422, description = "Unknown product, bad quantity or dates"),
    ))]
pub(super) async fn add_stock(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<AddStockRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ManageWarehouse, Access::Full)?;
    if body.items.is_empty() || body.items.len() > MAX_RECEIPT_LINES {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("items must hold 1 to {MAX_RECEIPT_LINES} lines."),
        ));
    }
    let note = body
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(300).collect::<String>());
    let mut lines = Vec::with_capacity(body.items.len());
    for (i, it) in body.items.into_iter().enumerate() {
        let pick = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let product = match (pick(it.product_id), pick(it.sku_code), pick(it.name)) {
            (Some(id), _, _) => ProductRef::Id(id),
            (None, Some(sku), _) => ProductRef::Sku(sku),
            (None, None, Some(n)) => ProductRef::Name(n),
            _ => {
                return Err(ApiError::unprocessable(
                    ErrorCode::ValidationFailed,
                    format!(
                        "Line {}: name the product (productId, skuCode or name).",
                        i + 1
                    ),
                )
                .with_details(json!({ "line": i })));
            }
        };
        lines.push(ReceiptLine {
            product,
            batch_number: batch_number(it.batch_number.as_deref())?,
            quantity: receipt_quantity(received_quantity(it.quantity, i)?, i)?,
            mfg_date: it.mfg_date,
            exp_date: it.exp_date,
            weight: pick(it.weight),
        });
    }
    let warehouse = resolve_warehouse(&st, &body.warehouse_id).await?;
    let results = receive_stock(
        &st,
        &actor,
        &warehouse,
        &lines,
        note.as_deref(),
        (EntityType::Warehouse, &warehouse.id),
    )
    .await?;
    Ok(Json(json!({
        "success": true,
        "message": "Stock added successfully",
        "data": results,
    })))
}
