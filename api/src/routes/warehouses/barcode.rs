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
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BarcodeRequest {
    pub warehouse_id: String,
    pub barcode: String,
    pub sku_code: String,
}

/// Check a scanned barcode against a SKU at the packing bench (§5.5): valid when the
/// product with that SKU carries this barcode, or the scan is the SKU code itself. A valid
/// answer lists the product's batches in this warehouse that hold stock.
#[utoipa::path(post, path = "/api/warehouse/validate-barcode", tag = "Warehouses", security(("bearer" = [])),
    request_body = BarcodeRequest,
    responses(
        (status = 200, description = "`{success, isValid, productName, batches}` or `{success, isValid:false, message}`"),
        (status = 401, description = "Not signed in"),
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
