//! Warehouses (api.md §2.11 W1, W2, W3, W5; domain.md §1.8, §2.4, §5.5) and the stock
//! receipt that both `POST /api/warehouse/add-stock` and `POST /api/products/{id}/batches`
//! use. Assigning an order to a warehouse (W4) belongs to the orders area.
//!
//! The legacy router had no authentication at all (D-S8), kept a second stock store inside
//! the warehouse documents that drifted from the product batches (D-L1), created "virtual"
//! inventory lines for unknown SKUs (D-L3), invented an expiry of today + 30 days, wrote
//! the whole warehouse document back (D-R5) and fell back to "the first warehouse" for an
//! unknown id (D-D4, 8.2.19). Here stock lives only in product batches tagged with the
//! warehouse id, a receipt must name an existing product, each product is written with a
//! `_rev` guard (a concurrent change makes the commit fail and the receipt is recomputed),
//! every receipt writes ledger rows and its audit entry in the same commit, and an unknown
//! warehouse is a 404.

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::{commit_audited, snapshot};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission};
use nexus_core::events::Audience;
use nexus_core::model::{
    AuditAction, AuditLog, Batch, EntityType, Product, Temperature, Warehouse,
};
use nexus_core::rules::expiry::today_ist;
use nexus_core::rules::ledger::{self, LedgerContext, LedgerReason, StockMovement};
use nexus_core::rules::stock;
use nexus_core::store::{Filter, Query as StoreQuery, StoreError, TypedStore, Write};
use nexus_core::types::{DateOnly, Quantity, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_warehouse))
        .routes(routes!(list_warehouses))
        .routes(routes!(add_stock))
        .routes(routes!(validate_barcode))
}

/// The warehouse with this id or legacy alias (`W1`–`W4`); 404 otherwise, never another
/// warehouse.
pub(crate) async fn resolve_warehouse(st: &AppState, id: &str) -> Result<Warehouse, ApiError> {
    let id = id.trim();
    let found = if id.is_empty() {
        None
    } else {
        st.store
            .get::<Warehouse>(Filter::or([Filter::id(id), Filter::eq("aliases", id)]))
            .await?
    };
    found.ok_or_else(|| {
        ApiError::not_found(
            ErrorCode::WarehouseNotFound,
            format!("Warehouse {id} not found"),
        )
    })
}

/// The `_rev` guard of a whole-document replace. Documents written before revisions existed
/// have no `_rev` and read as 0.
pub(crate) fn rev_guard(id: &str, rev: u64) -> Filter {
    let rev_matches = if rev == 0 {
        Filter::or([Filter::eq("_rev", 0), Filter::Missing("_rev".into())])
    } else {
        Filter::eq("_rev", rev)
    };
    Filter::and([Filter::id(id), rev_matches])
}

/// Who should hear about stock levels: warehouse staff and the people who book against them.
pub(crate) fn stock_audience() -> Audience {
    Audience {
        permissions: vec![
            Permission::ManageWarehouse.as_str().into(),
            Permission::CreateOrders.as_str().into(),
            Permission::ViewOrders.as_str().into(),
        ],
        ..Audience::default()
    }
}

// ---------------------------------------------------------------------------------------
// Stock receipt (W3 and POST /api/products/{id}/batches)

/// How a receipt line names its product.
#[derive(Debug, Clone)]
pub(crate) enum ProductRef {
    Id(String),
    Sku(String),
    Name(String),
}

impl ProductRef {
    fn filter(&self) -> Filter {
        match self {
            ProductRef::Id(id) => Filter::id(id.as_str()),
            ProductRef::Sku(s) => Filter::eq("skuCode", s.as_str()),
            ProductRef::Name(n) => Filter::eq("name", n.as_str()),
        }
    }

    fn describe(&self) -> String {
        match self {
            ProductRef::Id(id) => format!("product {id}"),
            ProductRef::Sku(s) => format!("SKU {s}"),
            ProductRef::Name(n) => format!("product named {n}"),
        }
    }
}

/// One validated receipt line.
#[derive(Debug, Clone)]
pub(crate) struct ReceiptLine {
    pub product: ProductRef,
    pub batch_number: Option<String>,
    pub quantity: Quantity,
    pub mfg_date: Option<DateOnly>,
    pub exp_date: Option<DateOnly>,
    pub weight: Option<String>,
}

/// What one line did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptResult {
    pub product_id: String,
    pub sku_code: String,
    pub batch_number: String,
    #[schema(value_type = f64)]
    pub quantity: Quantity,
    #[schema(value_type = Option<String>)]
    pub exp_date: Option<DateOnly>,
    pub warehouse_id: String,
    /// The batch's quantity after the receipt.
    #[schema(value_type = f64)]
    pub batch_quantity: Quantity,
    /// The product's total stock after the receipt.
    #[schema(value_type = f64)]
    pub product_stock: Quantity,
}

/// Checks a batch number: printable, at most 64 characters.
pub(crate) fn batch_number(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(b) = raw.map(str::trim).filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    if b.chars().count() > 64 || b.chars().any(char::is_control) {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "batchNumber must be at most 64 printable characters.",
        ));
    }
    Ok(Some(b.to_string()))
}

/// A positive receipt quantity.
pub(crate) fn receipt_quantity(d: Decimal, line: usize) -> Result<Quantity, ApiError> {
    Quantity::positive(d).map_err(|_| {
        ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "quantity must be greater than 0.",
        )
        .with_details(json!({ "line": line, "field": "quantity" }))
    })
}

/// The expiry a received batch gets: the one given, else manufacture date (or today, IST)
/// plus the product's shelf life, else none — an undated batch is allocated last. The
/// legacy default of "now + 30 days" invented a date nobody had printed on the pack.
fn expiry_for(line: &ReceiptLine, p: &Product, today: chrono::NaiveDate) -> Option<DateOnly> {
    line.exp_date.or_else(|| {
        let days = p.shelf_life_days.filter(|d| *d > 0)?;
        let from = line.mfg_date.map(DateOnly::naive).unwrap_or(today);
        Some(DateOnly::new(from + chrono::Duration::days(days)))
    })
}

/// Adds one line to a product's batches (same number in the same warehouse: top up;
/// otherwise a new batch). Returns the movement and the batch's new quantity.
fn apply_line(
    p: &mut Product,
    line: &ReceiptLine,
    index: usize,
    warehouse_id: &str,
    today: chrono::NaiveDate,
    now: Timestamp,
) -> Result<(StockMovement, Quantity, Option<DateOnly>), ApiError> {
    let number = line
        .batch_number
        .clone()
        .unwrap_or_else(|| format!("BATCH-{}", ulid::Ulid::new()));
    let existing = p
        .batches
        .iter()
        .position(|b| b.batch_number == number && b.warehouse_id.as_deref() == Some(warehouse_id));
    // Topping up a lot keeps its printed expiry; only a new lot gets the shelf-life default.
    let exp = match existing {
        Some(i) => line.exp_date.or(p.batches[i].exp_date),
        None => expiry_for(line, p, today),
    };
    if let (Some(m), Some(e)) = (line.mfg_date, exp)
        && m > e
    {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "mfgDate is after the expiry date.",
        )
        .with_details(json!({ "line": index })));
    }
    let batch_qty = match existing {
        Some(i) => {
            let b = &mut p.batches[i];
            if let (Some(have), Some(new)) = (b.exp_date, line.exp_date)
                && have != new
            {
                return Err(ApiError::conflict(
                    ErrorCode::BatchExpiryMismatch,
                    format!(
                        "Batch {number} of {} is already held here with expiry {have}, not {new}.",
                        p.id
                    ),
                )
                .with_details(json!({ "line": index })));
            }
            b.quantity = b.quantity + line.quantity;
            b.is_active = true;
            b.exp_date = b.exp_date.or(exp);
            b.mfg_date = b.mfg_date.or(line.mfg_date);
            if b.weight.is_none() {
                b.weight = line.weight.clone();
            }
            b.quantity
        }
        None => {
            let mut b = Batch::new(number.clone(), line.quantity, exp);
            b.mfg_date = line.mfg_date;
            b.weight = line.weight.clone();
            b.warehouse_id = Some(warehouse_id.to_string());
            b.created_at = Some(now);
            p.batches.push(b);
            line.quantity
        }
    };
    Ok((
        StockMovement {
            product_id: p.id.clone(),
            sku: p.sku().to_string(),
            batch_number: number,
            warehouse_id: Some(warehouse_id.to_string()),
            delta: line.quantity.value(),
        },
        batch_qty,
        exp,
    ))
}

/// How often a receipt is recomputed when a product changed between read and write.
const RECEIPT_ATTEMPTS: usize = 5;

/// Receives stock into a warehouse: per product, the batches are updated and written with a
/// `_rev` guard; ledger ADD rows (what was actually received, signed, with actor and batch)
/// and the audit entry go in the same commit. A concurrent change to any of the products
/// fails the commit (nothing is applied) and the receipt is recomputed from fresh reads.
pub(crate) async fn receive_stock(
    st: &AppState,
    actor: &Actor,
    warehouse: &Warehouse,
    lines: &[ReceiptLine],
    note: Option<&str>,
    audit_entity: (EntityType, &str),
) -> Result<Vec<ReceiptResult>, ApiError> {
    for attempt in 1..=RECEIPT_ATTEMPTS {
        let now = Timestamp::now();
        let today = today_ist(now);
        // Load every product once, in line order.
        let mut products: BTreeMap<String, (Product, u64)> = BTreeMap::new();
        let mut line_product: Vec<String> = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            let p: Option<Product> = st.store.get(line.product.filter()).await?;
            let p = p.ok_or_else(|| {
                ApiError::unprocessable(
                    ErrorCode::ProductNotFound,
                    format!("Line {}: no {}.", i + 1, line.product.describe()),
                )
                .with_details(json!({ "line": i }))
            })?;
            if !p.is_active {
                return Err(ApiError::unprocessable(
                    ErrorCode::ProductInactive,
                    format!("Line {}: product {} is deactivated.", i + 1, p.id),
                )
                .with_details(json!({ "line": i })));
            }
            line_product.push(p.id.clone());
            products.entry(p.id.clone()).or_insert_with(|| {
                let rev = p.rev;
                (p, rev)
            });
        }
        let mut movements = Vec::with_capacity(lines.len());
        let mut results = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            let (p, _) = products
                .get_mut(&line_product[i])
                .ok_or_else(|| ApiError::internal_fault("stock receipt line lost its product"))?;
            let (m, batch_qty, exp) = apply_line(p, line, i, &warehouse.id, today, now)?;
            results.push(ReceiptResult {
                product_id: p.id.clone(),
                sku_code: p.sku().to_string(),
                batch_number: m.batch_number.clone(),
                quantity: line.quantity,
                exp_date: exp,
                warehouse_id: warehouse.id.clone(),
                batch_quantity: batch_qty,
                product_stock: Quantity::ZERO,
            });
            movements.push(m);
        }
        let mut writes = Vec::new();
        for (p, read_rev) in products.values_mut() {
            stock::sync_stock(p);
            p.rev = *read_rev + 1;
            p.updated_at = Some(now);
            writes.push(Write::replace(rev_guard(&p.id, *read_rev), &*p)?);
        }
        for r in &mut results {
            if let Some((p, _)) = products.get(&r.product_id) {
                r.product_stock = p.stock;
            }
        }
        let details = match note {
            Some(n) => format!("Stock entry at {}: {n}", warehouse.id),
            None => format!("Stock entry at {}", warehouse.id),
        };
        let ctx = LedgerContext {
            order_id: None,
            actor_id: actor.id(),
            reason: LedgerReason::StockReceipt,
            details: Some(&details),
            at: now,
        };
        for mut row in ledger::entries(&movements, &ctx) {
            row.id = Some(format!("LED-{}", ulid::Ulid::new()));
            writes.push(Write::insert(&row)?);
        }
        let mut audit: AuditLog = actor
            .audit(AuditAction::StockMovement)
            .entity(audit_entity.0, audit_entity.1)
            .change(
                None,
                Some(json!({ "warehouseId": warehouse.id, "received": results })),
            );
        audit.reason = note.map(str::to_string);
        let events = results
            .iter()
            .map(|r| {
                nexus_core::live::stock_received(
                    &nexus_core::live::Received {
                        product_id: &r.product_id,
                        sku_code: &r.sku_code,
                        warehouse_id: &r.warehouse_id,
                        batch_number: &r.batch_number,
                        quantity: r.quantity,
                        product_stock: r.product_stock,
                    },
                    stock_audience(),
                )
            })
            .collect();
        match commit_audited(st, writes, audit, events).await {
            Ok(()) => return Ok(results),
            Err(e) if e.code == ErrorCode::Conflict && attempt < RECEIPT_ATTEMPTS => {
                tracing::info!(attempt, "stock receipt raced another change; recomputing");
            }
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::from(StoreError::Conflict(
        "stock receipt kept racing other changes".into(),
    )))
}

// ---------------------------------------------------------------------------------------
// W1: create

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemperatureInput {
    #[schema(value_type = Option<f64>)]
    pub current: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub min: Option<Decimal>,
    #[schema(value_type = Option<f64>)]
    pub max: Option<Decimal>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWarehouse {
    pub name: String,
    pub location: String,
    /// Short code for the id (`KURLA` → `WH-KURLA`); the name is used when absent.
    pub code: Option<String>,
    /// Other ids old clients use for this warehouse (e.g. `W1`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// State the goods ship from (GST place of supply).
    pub state: Option<String>,
    /// Capacity (default 50,000).
    #[schema(value_type = Option<f64>)]
    pub capacity_total: Option<Decimal>,
    pub temperature: Option<TemperatureInput>,
    pub manager: Option<String>,
}

/// `Kurla Cold Storage` → `KURLA-COLD-STORAGE`: upper-case letters and digits, anything
/// else a single dash, at most 32 characters.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.trim_end_matches('-').chars().take(32).collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Create a warehouse with a stable id `WH-<code>` (master data).
#[utoipa::path(post, path = "/api/warehouse/create", tag = "Warehouses", security(("bearer" = [])),
    request_body = NewWarehouse,
    responses(
        (status = 201, description = "`{success, warehouse}`"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs master_data"),
        (status = 409, description = "The id or an alias is already used"),
        (status = 422, description = "Invalid field"),
    ))]
async fn create_warehouse(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewWarehouse>,
) -> Result<Response, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    let name = body.name.trim().to_string();
    let location = body.location.trim().to_string();
    if name.is_empty() || location.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "name and location are required.",
        ));
    }
    if name.chars().count() > 120 || location.chars().count() > 200 {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "name or location is too long.",
        ));
    }
    let code = slug(body.code.as_deref().unwrap_or(&name));
    if code.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "code (or name) needs at least one letter or digit.",
        ));
    }
    let id = format!("WH-{code}");
    let mut aliases: Vec<String> = Vec::new();
    for a in &body.aliases {
        let a = a.trim();
        if a.is_empty() || a.len() > 32 || a.chars().any(char::is_whitespace) {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "aliases are short codes without spaces.",
            ));
        }
        if !aliases.iter().any(|x| x == a) && a != id {
            aliases.push(a.to_string());
        }
    }
    let capacity = body.capacity_total.unwrap_or(Decimal::from(50_000));
    if capacity <= Decimal::ZERO {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "capacityTotal must be positive.",
        ));
    }
    let temperature = body.temperature.map(|t| Temperature {
        current: t.current,
        min: t.min,
        max: t.max,
    });
    if let Some(t) = &temperature
        && let (Some(lo), Some(hi)) = (t.min, t.max)
        && lo > hi
    {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "temperature.min is above max.",
        ));
    }
    // An id or alias must point at one warehouse only.
    let mut names: Vec<Value> = vec![json!(id)];
    names.extend(aliases.iter().map(|a| json!(a)));
    let clash: Option<Warehouse> = st
        .store
        .get(Filter::or([
            Filter::is_in("id", names.clone()),
            Filter::is_in("aliases", names),
        ]))
        .await?;
    if let Some(w) = clash {
        return Err(ApiError::conflict(
            ErrorCode::WarehouseExists,
            format!("The id or an alias is already used by warehouse {}.", w.id),
        ));
    }
    let now = Timestamp::now();
    let w = Warehouse {
        id: id.clone(),
        name,
        location,
        aliases,
        state: body
            .state
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        capacity_total: capacity,
        capacity_used: Decimal::ZERO,
        temperature: temperature.unwrap_or_default(),
        inventory: Vec::new(),
        manager: body
            .manager
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        created_at: Some(now),
        updated_at: Some(now),
        extra: Map::new(),
    };
    let audit = actor
        .audit(AuditAction::Create)
        .entity(EntityType::Warehouse, &id)
        .change(None, snapshot(&w));
    commit_audited(&st, vec![Write::insert(&w)?], audit, Vec::new()).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "success": true, "warehouse": w })),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------
// W2: list

fn temp_range(t: &Temperature) -> Option<String> {
    match (t.min, t.max) {
        (Some(lo), Some(hi)) => Some(format!("{} °C to {} °C", lo.normalize(), hi.normalize())),
        _ => None,
    }
}

/// The warehouses with their stock as held in product batches: `capacityUsed` is the sum of
/// active batch quantities tagged with the warehouse (§2.4), `inventory` one line per
/// product (the legacy shape old clients read), plus the fields the Flutter model expects
/// (`capacityMax`, `tempRange`, `manager`).
#[utoipa::path(get, path = "/api/warehouse/list", tag = "Warehouses", security(("bearer" = [])),
    responses(
        (status = 200, description = "`{success, warehouses}`"),
        (status = 401, description = "Not signed in"),
    ))]
async fn list_warehouses(
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

// ---------------------------------------------------------------------------------------
// W3: add stock

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StockItemInput {
    /// The product: `productId`, else `skuCode`, else exact `name`.
    pub product_id: Option<String>,
    pub sku_code: Option<String>,
    pub name: Option<String>,
    /// Supplier lot number; generated when absent.
    pub batch_number: Option<String>,
    /// Received quantity (> 0); legacy clients send `qty`.
    #[serde(alias = "qty")]
    #[schema(value_type = f64)]
    pub quantity: Decimal,
    /// `YYYY-MM-DD`; legacy clients send `expiry`. When absent: manufacture date (or
    /// today) + the product's shelf life, else undated.
    #[serde(alias = "expiry")]
    #[schema(value_type = Option<String>)]
    pub exp_date: Option<DateOnly>,
    #[schema(value_type = Option<String>)]
    pub mfg_date: Option<DateOnly>,
    pub weight: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddStockRequest {
    /// Warehouse id or legacy alias.
    pub warehouse_id: String,
    pub items: Vec<StockItemInput>,
    /// Goods receipt note, challan number… (kept in the ledger and the audit entry).
    pub note: Option<String>,
}

const MAX_RECEIPT_LINES: usize = 200;

/// Receive stock into a warehouse: each item becomes (or tops up) a batch of its product,
/// with a stock-ledger ADD row, in one audited commit.
#[utoipa::path(post, path = "/api/warehouse/add-stock", tag = "Warehouses", security(("bearer" = [])),
    request_body = AddStockRequest,
    responses(
        (status = 200, description = "`{success, message, data:[…]}` per line"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 404, description = "Unknown warehouse"),
        (status = 409, description = "Batch already held with another expiry, or kept racing other changes"),
        (status = 422, description = "Unknown product, bad quantity or dates"),
    ))]
async fn add_stock(
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
            quantity: receipt_quantity(it.quantity, i)?,
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

// ---------------------------------------------------------------------------------------
// W5: validate barcode

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
async fn validate_barcode(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_stable_upper_case_codes() {
        assert_eq!(slug("Kurla Cold Storage"), "KURLA-COLD-STORAGE");
        assert_eq!(slug("  jolly  bng!! "), "JOLLY-BNG");
        assert_eq!(slug("---"), "");
        assert_eq!(slug(&"x".repeat(40)).len(), 32);
    }

    #[test]
    fn expiry_defaults_to_shelf_life_not_an_invented_date() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let mut p = Product::new("P", "P");
        let line = ReceiptLine {
            product: ProductRef::Id("P".into()),
            batch_number: None,
            quantity: Quantity::from_int(1),
            mfg_date: DateOnly::ymd(2026, 2, 1),
            exp_date: None,
            weight: None,
        };
        assert_eq!(expiry_for(&line, &p, today), None);
        p.shelf_life_days = Some(180);
        assert_eq!(expiry_for(&line, &p, today), DateOnly::ymd(2026, 7, 31));
        let given = ReceiptLine {
            exp_date: DateOnly::ymd(2026, 5, 1),
            ..line
        };
        assert_eq!(expiry_for(&given, &p, today), DateOnly::ymd(2026, 5, 1));
    }
}
