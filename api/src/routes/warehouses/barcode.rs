//! W5: checking a scanned barcode against a SKU at the packing bench. Separate because it is
//! a read-only check with its own answer shape.

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::resolve_warehouse;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::Product;
use nexus_core::store::{Filter, TypedStore};
use nexus_core::types::{DateOnly, Quantity};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BarcodeRequest {
    /// Warehouse id or legacy alias (not blank).
    #[schema(pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    pub warehouse_id: String,
    /// The scanned code (not blank).
    #[schema(pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    pub barcode: String,
    /// Not blank.
    #[schema(pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    pub sku_code: String,
}

/// A batch of the scanned product held in the warehouse (`quantity`/`qty` and
/// `expDate`/`expiry` are the same values under the names the old clients read).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScannedBatch {
    pub batch_number: String,
    pub quantity: Quantity,
    pub qty: Quantity,
    #[schema(required = true)]
    pub exp_date: Option<DateOnly>,
    #[schema(required = true)]
    pub expiry: Option<DateOnly>,
    #[schema(required = true)]
    pub mfg_date: Option<DateOnly>,
    #[schema(required = true)]
    pub weight: Option<String>,
}

/// The barcode matches the SKU.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BarcodeValid {
    pub success: bool,
    /// `true`.
    pub is_valid: bool,
    pub product_id: String,
    pub product_name: String,
    pub sku_code: String,
    pub warehouse_id: String,
    /// Active batches holding stock in this warehouse.
    pub batches: Vec<ScannedBatch>,
}

/// The SKU is unknown or the barcode is not its own.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BarcodeInvalid {
    pub success: bool,
    /// `false`.
    pub is_valid: bool,
    /// `Unknown SKU` or `SKU and Barcode mismatch`.
    pub message: String,
}

/// The answer of a barcode check.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Describes the body for the OpenAPI document; the handler writes it as JSON.
pub enum BarcodeCheck {
    Valid(BarcodeValid),
    Invalid(BarcodeInvalid),
}

/// Check a scanned barcode against a SKU at the packing bench (§5.5): valid when the
/// product with that SKU carries this barcode, or the scan is the SKU code itself. A valid
/// answer lists the product's batches in this warehouse that hold stock.
#[utoipa::path(post, path = "/api/warehouse/validate-barcode", tag = "Warehouses", security(("bearer" = [])),
    request_body = BarcodeRequest,
    responses(
        (status = 200, description = "The product and its batches in the warehouse, or `isValid: false` with the reason", body = BarcodeCheck),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 404, description = "Unknown warehouse"),
        (status = 422, description = "A field is empty"),
    ))]
pub(super) async fn validate_barcode(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<BarcodeRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ManageWarehouse, Access::Full)?;
    let (barcode, sku) = (body.barcode.trim(), body.sku_code.trim());
    if barcode.is_empty() || sku.is_empty() || body.warehouse_id.trim().is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "warehouseId, barcode, and skuCode are required",
        ));
    }
    let warehouse = resolve_warehouse(&st, &body.warehouse_id).await?;
    let product: Option<Product> = st
        .store
        .get(Filter::and([
            Filter::eq("skuCode", sku),
            Filter::ne("isActive", false),
        ]))
        .await?;
    let Some(p) = product else {
        return Ok(Json(
            json!({ "success": true, "isValid": false, "message": "Unknown SKU" }),
        ));
    };
    let matches = barcode == sku || p.barcode.as_deref().map(str::trim) == Some(barcode);
    if !matches {
        return Ok(Json(json!({
            "success": true, "isValid": false, "message": "SKU and Barcode mismatch",
        })));
    }
    let batches: Vec<Value> = p
        .batches
        .iter()
        .filter(|b| {
            b.is_active
                && !b.quantity.is_zero()
                && b.warehouse_id.as_deref() == Some(warehouse.id.as_str())
        })
        .map(|b| {
            json!({
                "batchNumber": b.batch_number,
                "quantity": b.quantity,
                "qty": b.quantity,
                "expDate": b.exp_date,
                "expiry": b.exp_date,
                "mfgDate": b.mfg_date,
                "weight": b.weight,
            })
        })
        .collect();
    Ok(Json(json!({
        "success": true,
        "isValid": true,
        "productId": p.id,
        "productName": p.name,
        "skuCode": p.sku(),
        "warehouseId": warehouse.id,
        "batches": batches,
    })))
}
