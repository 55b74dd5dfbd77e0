//! W2: the warehouse list with the stock each holds, counted from product batches. Separate
//! because it is the only read of the area.

use crate::auth::Actor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use nexus_core::model::{Batch, Product, Temperature, Warehouse};
use nexus_core::store::{Filter, Query as StoreQuery, TypedStore};
use nexus_core::types::{DateOnly, Quantity, Timestamp};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

fn temp_range(t: &Temperature) -> Option<String> {
    match (t.min, t.max) {
        (Some(lo), Some(hi)) => Some(format!("{} °C to {} °C", lo.normalize(), hi.normalize())),
        _ => None,
    }
}

/// A batch of a product held in the warehouse.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HeldBatch {
    pub batch_number: String,
    pub qty: Quantity,
    /// The batch's expiry date, or `null`.
    #[schema(required = true)]
    pub expiry: Option<DateOnly>,
    #[schema(required = true)]
    pub mfg_date: Option<DateOnly>,
    /// When the batch was received, or `null` (legacy batches).
    #[schema(required = true)]
    pub received_at: Option<Timestamp>,
}

/// One product the warehouse holds, with its active batches there.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StockLine {
    pub product_id: String,
    pub sku_code: String,
    pub name: String,
    #[schema(required = true)]
    pub barcode: Option<String>,
    /// Σ of the batches below.
    pub qty: Quantity,
    pub batches: Vec<HeldBatch>,
}

/// A warehouse as the list shows it: the stored warehouse (legacy fields it does not model
/// come along) with `capacityUsed` and `inventory` computed from the product batches tagged
/// with it, and the fields the Flutter model reads.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WarehouseView {
    pub id: String,
    pub name: String,
    pub location: String,
    /// Legacy client aliases (`W1`–`W4`).
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub capacity_total: f64,
    /// Σ of the active batch quantities tagged with this warehouse.
    pub capacity_used: Quantity,
    pub temperature: Temperature,
    pub inventory: Vec<StockLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// `capacityUsed / capacityTotal` in percent, two decimals.
    pub utilisation_pct: f64,
    /// The same as `capacityTotal` (the Flutter model's name).
    pub capacity_max: f64,
    /// `2 °C to 8 °C`, or `null` without both bounds.
    #[schema(required = true)]
    pub temp_range: Option<String>,
    pub sku_count: u64,
    pub batch_count: u64,
}

/// `{ success, warehouses }`.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarehouseList {
    pub success: bool,
    pub warehouses: Vec<WarehouseView>,
}

/// The warehouses with their stock as held in product batches: `capacityUsed` is the sum of
/// active batch quantities tagged with the warehouse (§2.4), `inventory` one line per
/// product (the legacy shape old clients read), plus the fields the Flutter model expects
/// (`capacityMax`, `tempRange`, `manager`).
#[utoipa::path(get, path = "/api/warehouse/list", tag = "Warehouses", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every warehouse with its stock", body = WarehouseList),
    ))]
pub(super) async fn list_warehouses(
    State(st): State<AppState>,
    _actor: Actor,
) -> Result<Json<Value>, ApiError> {
    let warehouses: Vec<Warehouse> = st
        .store
        .list(&StoreQuery::all().sort_asc("name").sort_asc("id"))
        .await?;
    let products: Vec<Product> = st
        .store
        .list(&StoreQuery::new(Filter::Exists("batches.warehouseId".into())).sort_asc("id"))
        .await?;
    let out: Vec<Value> = warehouses
        .iter()
        .map(|w| {
            let mut used = Quantity::ZERO;
            let mut batches = 0usize;
            let inventory: Vec<Value> = products
                .iter()
                .filter_map(|p| {
                    let held: Vec<&Batch> = p
                        .batches
                        .iter()
                        .filter(|b| b.is_active && b.warehouse_id.as_deref() == Some(w.id.as_str()))
                        .collect();
                    if held.is_empty() {
                        return None;
                    }
                    let qty: Quantity = held.iter().map(|b| b.quantity).sum();
                    used = used + qty;
                    batches += held.len();
                    Some(json!({
                        "productId": p.id,
                        "skuCode": p.sku(),
                        "name": p.name,
                        "barcode": p.barcode,
                        "qty": qty,
                        "batches": held.iter().map(|b| json!({
                            "batchNumber": b.batch_number,
                            "qty": b.quantity,
                            "expiry": b.exp_date,
                            "mfgDate": b.mfg_date,
                            "receivedAt": b.created_at,
                        })).collect::<Vec<_>>(),
                    }))
                })
                .collect();
            let mut v = serde_json::to_value(w).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                let mut counted = w.clone();
                counted.capacity_used = used.value();
                o.insert("capacityUsed".into(), json!(used));
                o.insert("utilisationPct".into(), json!(counted.utilisation_pct()));
                o.insert("capacityMax".into(), json!(w.capacity_total));
                o.insert("tempRange".into(), json!(temp_range(&w.temperature)));
                o.insert("skuCount".into(), json!(inventory.len()));
                o.insert("batchCount".into(), json!(batches));
                o.insert("inventory".into(), Value::Array(inventory));
            }
            v
        })
        .collect();
    Ok(Json(json!({ "success": true, "warehouses": out })))
}
