//! P8: active batches expiring within a window (IST days), soonest first, with their colour
//! band. Separate because it reads batches across products, not one product.

use super::trimmed;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::resolve_warehouse;
use crate::routes::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::Product;
use nexus_core::rules::expiry::ExpiryColour;
use nexus_core::rules::expiry::{self, DEFAULT_EXPIRING_WINDOW_DAYS, today_ist};
use nexus_core::store::{Filter, Query as StoreQuery, TypedStore};
use nexus_core::types::{DateOnly, Timestamp};
use nexus_core::types::{Money, Quantity};
use serde::Deserialize;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::IntoParams;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringQuery {
    /// Window in days from today (IST), both ends included; default 90, at most 365.
    #[param(value_type = Option<u32>, minimum = 0, maximum = 365)]
    pub days: Option<String>,
    /// Only batches held in this warehouse (id or alias).
    pub warehouse_id: Option<String>,
}

/// The longest window the expiring list accepts.
const MAX_EXPIRING_DAYS: i64 = 365;

/// One expiring batch.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringRow {
    pub product_id: String,
    pub sku_code: String,
    pub product_name: String,
    pub batch_number: String,
    pub exp_date: DateOnly,
    pub quantity: Quantity,
    /// `null` when the batch has no weight on file.
    #[schema(required = true)]
    pub weight: Option<String>,
    #[schema(required = true)]
    pub mrp: Option<Money>,
    pub base_rate: Money,
    pub days_to_expiry: i64,
    pub band: ExpiryColour,
    /// `null` for a batch not tagged with a warehouse.
    #[schema(required = true)]
    pub warehouse_id: Option<String>,
}

/// The expiring batches within the window.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringAnswer {
    pub success: bool,
    pub count: u64,
    /// The window in days.
    pub days: i64,
    /// Today (IST), the window's first day.
    pub as_of: DateOnly,
    pub data: Vec<ExpiringRow>,
}

/// Active batches holding stock that expire between today and today + `days` (IST calendar
/// days, both included), soonest first, with days to expiry and the colour band
/// (`RED` < 30, `AMBER` < 60, else `GREEN`).
#[utoipa::path(get, path = "/api/products/expiring", tag = "Products", security(("bearer" = [])),
    params(ExpiringQuery),
    responses(
        (status = 200, description = "The expiring batches, soonest first", body = ExpiringAnswer),
        (status = 403, description = "Needs view_orders, create_orders or manage_warehouse"),
        (status = 404, description = "Unknown warehouse"),
        (status = 422, description = "days is not a whole number between 0 and 365"),
    ))]
pub(super) async fn expiring(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ExpiringQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require_any(&[
        (Permission::ViewOrders, Access::View),
        (Permission::CreateOrders, Access::View),
        (Permission::ManageWarehouse, Access::View),
    ])?;
    let days = match q.days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => DEFAULT_EXPIRING_WINDOW_DAYS,
        Some(d) => d
            .parse::<i64>()
            .ok()
            .filter(|d| (0..=MAX_EXPIRING_DAYS).contains(d))
            .ok_or_else(|| {
                ApiError::unprocessable(
                    ErrorCode::InvalidDays,
                    format!("days must be a whole number from 0 to {MAX_EXPIRING_DAYS}."),
                )
            })?,
    };
    let warehouse = match q.warehouse_id.as_deref().and_then(trimmed) {
        Some(w) => Some(resolve_warehouse(&st, &w).await?),
        None => None,
    };
    let today = today_ist(Timestamp::now());
    // Expiry dates are stored as `YYYY-MM-DD` text, which sorts as dates. The bound is the
    // day after the window so an old row holding a full timestamp on the last day is still
    // fetched; `rules::expiry` then applies the exact window.
    let after_window = DateOnly::new(today + chrono::Duration::days(days + 1));
    let products: Vec<Product> = st
        .store
        .list(&StoreQuery::new(Filter::and([
            Filter::ne("isActive", false),
            Filter::elem_match(
                "batches",
                Filter::and([
                    Filter::gte("expDate", DateOnly::new(today).to_string()),
                    Filter::lt("expDate", after_window.to_string()),
                ]),
            ),
        ])))
        .await?;
    let rows: Vec<Value> = expiry::expiring_batches(&products, today, days)
        .into_iter()
        .filter(|b| {
            warehouse
                .as_ref()
                .is_none_or(|w| b.warehouse_id.as_deref() == Some(w.id.as_str()))
        })
        .map(|b| {
            json!({
                "productId": b.product_id,
                "skuCode": b.sku_code,
                "productName": b.product_name,
                "batchNumber": b.batch_number,
                "expDate": b.exp_date,
                "quantity": b.quantity,
                "weight": b.weight,
                "mrp": b.mrp,
                "baseRate": b.base_rate,
                "daysToExpiry": b.days_to_expiry,
                "band": b.colour,
                "warehouseId": b.warehouse_id,
            })
        })
        .collect();
    Ok(Json(json!({
        "success": true,
        "count": rows.len(),
        "days": days,
        "asOf": DateOnly::new(today),
        "data": rows,
    })))
}
