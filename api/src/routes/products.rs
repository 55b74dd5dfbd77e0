//! Products — the material master with its batches (api.md §2.6, P1–P8; domain.md §1.3,
//! §2.1, §2.2) — and receiving stock into one product's batch.
//!
//! Changes from the legacy routes and why:
//! * `/api/products/import-template` and `/api/products/expiring` were shadowed by
//!   `/api/products/:id` (D-A3, 8.3.30); axum matches the static segments first and the tests
//!   call both;
//! * search was a raw regular expression from the query string (ReDoS, D-S12): it is literal
//!   text now;
//! * any role could create, edit or delete products (8.1.5): writes need `master_data`;
//! * PATCH took any field including `stock` and `batches`: it takes a whitelist, stock moves
//!   only through receipts and orders (with ledger rows);
//! * DELETE was a hard delete (8.2.29): it deactivates and keeps the batches and history,
//!   and refuses while open orders still reference the product;
//! * the expiring list compared UTC midnight with the clock (a batch expiring today was
//!   missing, D-L19): it uses the IST calendar day and `rules::expiry`;
//! * every write is a `_rev`-guarded replace or a guarded update with its audit entry in the
//!   same commit (D-R3).

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::{Paging, commit_audited, created, ok_data, snapshot};
use crate::routes::uploads::{self, Cell, TemplateSpec};
use crate::routes::warehouses::{
    ProductRef, ReceiptLine, batch_number, receipt_quantity, receive_stock, resolve_warehouse,
    rev_guard,
};
use crate::state::AppState;
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, EntityType, JobKind, Order, OrderStatus, Product};
use nexus_core::rules::expiry::{self, DEFAULT_EXPIRING_WINDOW_DAYS, today_ist};
use nexus_core::store::{
    Filter, Query as StoreQuery, StoreError, TypedStore, UpdateOp, Write, commit_with_business_id,
};
use nexus_core::types::{DateOnly, Money, Percent, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    let imports = OpenApiRouter::new()
        .routes(routes!(bulk_import))
        .layer(uploads::multipart_limit());
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(import_template))
        .routes(routes!(expiring))
        .routes(routes!(get_product, update_product, delete_product))
        .routes(routes!(receive_batch))
        .merge(imports)
}

async fn load(st: &AppState, id: &str) -> Result<Product, ApiError> {
    st.store
        .get::<Product>(Filter::id(id))
        .await?
        .ok_or_else(|| ApiError::record_not_found(ErrorCode::ProductNotFound, "Product", id))
}

fn trimmed(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A product id or SKU code: letters, digits, `.`, `_`, `/`, `-`; 1–40 characters (ERP
/// material codes). Anything else would not survive exports, URLs and the ledger.
fn code(field: &str, raw: &str) -> Result<String, ApiError> {
    let c = raw.trim();
    let ok = !c.is_empty()
        && c.len() <= 40
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-'));
    ok.then(|| c.to_string()).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!("{field} must be 1–40 letters, digits, '.', '_', '/' or '-'."),
        )
    })
}

fn non_negative(field: &str, m: Money) -> Result<Money, ApiError> {
    if m.is_negative() {
        return Err(ApiError::invalid(
            field,
            format!("{field} cannot be negative."),
        ));
    }
    Ok(m.round2())
}

fn shelf_life(d: i64) -> Result<i64, ApiError> {
    if !(1..=3650).contains(&d) {
        return Err(ApiError::invalid(
            "shelfLifeDays",
            "shelfLifeDays must be 1–3650.",
        ));
    }
    Ok(d)
}

// ---------------------------------------------------------------------------------------
// P1 / P2: read

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ProductFilter {
    /// Exact category.
    pub category: Option<String>,
    /// Exact specie (product family).
    pub specie: Option<String>,
    /// Literal text searched in name, SKU code, HSN code and id (case-insensitive).
    pub search: Option<String>,
    /// `true` also lists deactivated products (master data only).
    pub include_inactive: Option<bool>,
}

/// List products sorted by category then name (raw array; paging headers).
#[utoipa::path(get, path = "/api/products", tag = "Products", security(("bearer" = [])),
    params(ProductFilter, Paging),
    responses(
        (status = 200, description = "Products", body = [Object]),
        (status = 401, description = "Not signed in"),
    ))]
async fn list_products(
    State(st): State<AppState>,
    actor: Actor,
    Query(f): Query<ProductFilter>,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    let mut conds = Vec::new();
    let show_inactive =
        f.include_inactive == Some(true) && actor.can(Permission::MasterData, Access::View);
    if !show_inactive {
        conds.push(Filter::ne("isActive", false));
    }
    if let Some(c) = f.category.as_deref().and_then(trimmed) {
        conds.push(Filter::eq("category", c));
    }
    if let Some(s) = f.specie.as_deref().and_then(trimmed) {
        conds.push(Filter::eq("specie", s));
    }
    if let Some(s) = f.search.as_deref().and_then(trimmed) {
        let s: String = s.chars().take(100).collect();
        conds.push(Filter::or([
            Filter::contains("name", s.clone()),
            Filter::contains("skuCode", s.clone()),
            Filter::contains("hsnCode", s.clone()),
            Filter::contains("id", s),
        ]));
    }
    let filter = Filter::and(conds);
    let total = st.store.count_of::<Product>(&filter).await?;
    let page: Vec<Product> = st
        .store
        .list(
            &paging.apply(
                StoreQuery::new(filter)
                    .sort_asc("category")
                    .sort_asc("name")
                    .sort_asc("id"),
            ),
        )
        .await?;
    Ok(paging.respond(page, total))
}

/// One product with its batches (raw document; deactivated products too, for history).
#[utoipa::path(get, path = "/api/products/{id}", tag = "Products", security(("bearer" = [])),
    params(("id" = String, Path, description = "Product id")),
    responses(
        (status = 200, description = "The product", body = Object),
        (status = 401, description = "Not signed in"),
        (status = 404, description = "No such product"),
    ))]
async fn get_product(
    State(st): State<AppState>,
    _actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(load(&st, &id).await?))
}

// ---------------------------------------------------------------------------------------
// P3: create

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewProduct {
    /// Defaults to `skuCode`, else `PROD-nnnnnn`.
    pub id: Option<String>,
    /// ERP material code (unique).
    pub sku_code: Option<String>,
    pub name: String,
    /// `shortName` is the old mobile app's name for it.
    #[serde(alias = "shortName")]
    pub product_short_name: Option<String>,
    /// The old app sends an opening `stock`; stock is the sum of received batches, so only
    /// zero (or none) is accepted here.
    #[schema(ignore)]
    pub stock: Option<rust_decimal::Decimal>,
    pub distribution_channel: Option<String>,
    pub specie: Option<String>,
    pub weight_packing: Option<String>,
    pub product_weight: Option<String>,
    pub product_packing: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub mrp: Option<Money>,
    /// Default selling price (booking base rate).
    #[schema(value_type = Option<f64>)]
    pub price: Option<Money>,
    #[schema(value_type = Option<f64>)]
    pub base_rate: Option<Money>,
    /// GST rate in percent (0–100), e.g. 5.
    #[schema(value_type = Option<f64>)]
    pub gst: Option<Percent>,
    pub hsn_code: Option<String>,
    pub country_of_origin: Option<String>,
    pub shelf_life_days: Option<i64>,
    pub remarks: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub yc70: Option<Money>,
    #[schema(value_type = Option<f64>)]
    pub processing_charges: Option<Money>,
    pub category: Option<String>,
    /// e.g. `PCS`, `KG`, `PKT`.
    pub unit: Option<String>,
    pub barcode: Option<String>,
    pub image_url: Option<String>,
}

/// Create a product (master data). Stock starts at zero: it arrives through receipts.
#[utoipa::path(post, path = "/api/products", tag = "Products", security(("bearer" = [])),
    request_body = NewProduct,
    responses(
        (status = 201, description = "`{success, data}` with the new product"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs master_data"),
        (status = 409, description = "The id or SKU code is taken"),
        (status = 422, description = "Invalid field (e.g. GST outside 0–100, `stock` or `batches` sent)"),
    ))]
async fn create_product(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(b): ApiJson<NewProduct>,
) -> Result<Response, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    if b.stock.is_some_and(|s| !s.is_zero()) {
        return Err(ApiError::invalid(
            "stock",
            "stock is the sum of received batches: create the product, then POST /api/products/{id}/batches",
        ));
    }
    let name = trimmed(&b.name).ok_or_else(|| ApiError::invalid("name", "name is required."))?;
    if name.chars().count() > 200 {
        return Err(ApiError::invalid(
            "name",
            "name is longer than 200 characters.",
        ));
    }
    let sku = b
        .sku_code
        .as_deref()
        .map(|s| code("skuCode", s))
        .transpose()?;
    let given_id = b.id.as_deref().map(|s| code("id", s)).transpose()?;
    let text = |v: Option<String>| v.as_deref().and_then(trimmed);
    let mut p = Product::new("", name);
    p.product_short_name = text(b.product_short_name);
    p.distribution_channel = text(b.distribution_channel);
    p.specie = text(b.specie);
    p.weight_packing = text(b.weight_packing);
    p.product_weight = text(b.product_weight);
    p.product_packing = text(b.product_packing);
    p.hsn_code = text(b.hsn_code);
    p.country_of_origin = text(b.country_of_origin);
    p.remarks = text(b.remarks);
    p.category = text(b.category);
    p.unit = text(b.unit);
    p.barcode = text(b.barcode);
    p.image_url = text(b.image_url);
    p.mrp = b.mrp.map(|m| non_negative("mrp", m)).transpose()?;
    p.price = b.price.map(|m| non_negative("price", m)).transpose()?;
    p.base_rate = b
        .base_rate
        .map(|m| non_negative("baseRate", m))
        .transpose()?;
    p.yc70 = b.yc70.map(|m| non_negative("yc70", m)).transpose()?;
    p.processing_charges = b
        .processing_charges
        .map(|m| non_negative("processingCharges", m))
        .transpose()?;
    p.gst = b.gst;
    p.shelf_life_days = b.shelf_life_days.map(shelf_life).transpose()?;

    let writes_for = |id: &str| -> Result<Vec<Write>, StoreError> {
        let mut doc = p.clone();
        doc.id = id.to_string();
        doc.sku_code = Some(sku.clone().unwrap_or_else(|| id.to_string()));
        let audit = actor
            .audit(AuditAction::Create)
            .entity(EntityType::Product, id)
            .change(None, snapshot(&doc));
        Ok(vec![Write::insert(&doc)?, Write::insert(&audit)?])
    };
    let id = match given_id.or_else(|| sku.clone()) {
        Some(id) => {
            st.store.commit(writes_for(&id)?).await?;
            id
        }
        None => commit_with_business_id(st.store.as_ref(), "PROD-", writes_for).await?,
    };
    Ok(created(load(&st, &id).await?))
}

// ---------------------------------------------------------------------------------------
// P4: update

fn some_or_null<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Some(Option::<T>::deserialize(d)?))
}

/// The master fields a PATCH may change; `null` clears a field. Not the id, the SKU code
/// (orders and the ledger refer to it), `stock`, `batches` or `isActive`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub product_short_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub distribution_channel: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub specie: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub weight_packing: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub product_weight: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub product_packing: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<f64>)]
    pub mrp: Option<Option<Money>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<f64>)]
    pub price: Option<Option<Money>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<f64>)]
    pub base_rate: Option<Option<Money>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<f64>)]
    pub gst: Option<Option<Percent>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub hsn_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub country_of_origin: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<i64>)]
    pub shelf_life_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub remarks: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<f64>)]
    pub yc70: Option<Option<Money>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<f64>)]
    pub processing_charges: Option<Option<Money>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub unit: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub barcode: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub image_url: Option<Option<String>>,
}

/// Applies the patch to `p`; returns whether a price field (MRP, price, base rate, GST)
/// changed, which makes the audit entry a `PRICE_CHANGE`.
fn apply_patch(p: &mut Product, patch: &ProductPatch) -> Result<(bool, bool), ApiError> {
    let mut changed = false;
    let text = |v: &Option<Option<String>>, slot: &mut Option<String>, changed: &mut bool| {
        if let Some(v) = v {
            *slot = v.as_deref().and_then(trimmed);
            *changed = true;
        }
    };
    if let Some(n) = &patch.name {
        let n = trimmed(n).ok_or_else(|| ApiError::invalid("name", "name cannot be empty."))?;
        if n.chars().count() > 200 {
            return Err(ApiError::invalid(
                "name",
                "name is longer than 200 characters.",
            ));
        }
        p.name = n;
        changed = true;
    }
    text(
        &patch.product_short_name,
        &mut p.product_short_name,
        &mut changed,
    );
    text(
        &patch.distribution_channel,
        &mut p.distribution_channel,
        &mut changed,
    );
    text(&patch.specie, &mut p.specie, &mut changed);
    text(&patch.weight_packing, &mut p.weight_packing, &mut changed);
    text(&patch.product_weight, &mut p.product_weight, &mut changed);
    text(&patch.product_packing, &mut p.product_packing, &mut changed);
    text(&patch.hsn_code, &mut p.hsn_code, &mut changed);
    text(
        &patch.country_of_origin,
        &mut p.country_of_origin,
        &mut changed,
    );
    text(&patch.remarks, &mut p.remarks, &mut changed);
    text(&patch.category, &mut p.category, &mut changed);
    text(&patch.unit, &mut p.unit, &mut changed);
    text(&patch.barcode, &mut p.barcode, &mut changed);
    text(&patch.image_url, &mut p.image_url, &mut changed);
    let before_prices = (p.mrp, p.price, p.base_rate, p.gst);
    let money = |field: &str,
                 v: &Option<Option<Money>>,
                 slot: &mut Option<Money>,
                 changed: &mut bool|
     -> Result<(), ApiError> {
        if let Some(v) = v {
            *slot = v.map(|m| non_negative(field, m)).transpose()?;
            *changed = true;
        }
        Ok(())
    };
    money("mrp", &patch.mrp, &mut p.mrp, &mut changed)?;
    money("price", &patch.price, &mut p.price, &mut changed)?;
    money("baseRate", &patch.base_rate, &mut p.base_rate, &mut changed)?;
    money("yc70", &patch.yc70, &mut p.yc70, &mut changed)?;
    money(
        "processingCharges",
        &patch.processing_charges,
        &mut p.processing_charges,
        &mut changed,
    )?;
    if let Some(g) = patch.gst {
        p.gst = g;
        changed = true;
    }
    if let Some(d) = patch.shelf_life_days {
        p.shelf_life_days = d.map(shelf_life).transpose()?;
        changed = true;
    }
    let price_changed = before_prices != (p.mrp, p.price, p.base_rate, p.gst);
    Ok((changed, price_changed))
}

/// How often an edit is re-applied when the product changed between read and write.
const WRITE_ATTEMPTS: usize = 5;

/// Update a product's master fields (master data). Price changes are audited as
/// `PRICE_CHANGE`.
#[utoipa::path(patch, path = "/api/products/{id}", tag = "Products", security(("bearer" = [])),
    params(("id" = String, Path, description = "Product id")),
    request_body = ProductPatch,
    responses(
        (status = 200, description = "`{success, data}` with the updated product"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs master_data"),
        (status = 404, description = "No such product"),
        (status = 422, description = "Unknown or invalid field (`stock`, `batches`, `skuCode` are refused)"),
    ))]
async fn update_product(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ProductPatch>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    for attempt in 1..=WRITE_ATTEMPTS {
        let current = load(&st, &id).await?;
        let mut next = current.clone();
        let (changed, price_changed) = apply_patch(&mut next, &patch)?;
        if !changed {
            return Err(ApiError::unprocessable(
                ErrorCode::NothingToUpdate,
                "The body changes nothing.",
            ));
        }
        next.rev = current.rev + 1;
        next.updated_at = Some(Timestamp::now());
        let action = if price_changed {
            AuditAction::PriceChange
        } else {
            AuditAction::Update
        };
        let audit = actor
            .audit(action)
            .entity(EntityType::Product, &id)
            .change(snapshot(&current), snapshot(&next));
        let write = Write::replace(rev_guard(&id, current.rev), &next)?;
        match commit_audited(&st, vec![write], audit, Vec::new()).await {
            Ok(()) => return Ok(ok_data(next)),
            Err(e) if e.code == ErrorCode::Conflict && attempt < WRITE_ATTEMPTS => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict("product kept changing".into()).into())
}

// ---------------------------------------------------------------------------------------
// P5: soft delete

/// Order statuses after which an order no longer needs its products.
const CLOSED: [OrderStatus; 4] = [
    OrderStatus::Delivered,
    OrderStatus::Cancelled,
    OrderStatus::Rejected,
    OrderStatus::ReturnedToWarehouse,
];

/// Deactivate a product (master data). It disappears from lists and can no longer receive
/// stock; the document, its batches and every order and ledger row that refer to it stay.
/// Refused while an open order still holds it.
#[utoipa::path(delete, path = "/api/products/{id}", tag = "Products", security(("bearer" = [])),
    params(("id" = String, Path, description = "Product id")),
    responses(
        (status = 200, description = "`{success, message}`"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs master_data"),
        (status = 404, description = "No such product"),
        (status = 409, description = "Open orders still reference it (details list them)"),
    ))]
async fn delete_product(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    let current = load(&st, &id).await?;
    if !current.is_active {
        return Ok(Json(
            json!({ "success": true, "message": "Product already deactivated" }),
        ));
    }
    let open: Vec<Order> = st
        .store
        .list(
            &StoreQuery::new(Filter::and([
                Filter::eq("items.productId", id.as_str()),
                Filter::Nin(
                    "status".into(),
                    CLOSED.iter().map(|s| json!(s.as_str())).collect(),
                ),
            ]))
            .sort_asc("id")
            .limit(20),
        )
        .await?;
    if !open.is_empty() {
        return Err(ApiError::conflict(
            ErrorCode::ProductInUse,
            "Open orders still reference this product; close them first.",
        )
        .with_details(json!({ "orderIds": open.iter().map(|o| &o.id).collect::<Vec<_>>() })));
    }
    let now = Timestamp::now();
    let audit = actor
        .audit(AuditAction::Delete)
        .entity(EntityType::Product, &id)
        .change(
            Some(json!({ "isActive": true, "stock": current.stock })),
            Some(json!({ "isActive": false })),
        );
    let write = Write::update_one::<Product>(
        Filter::and([Filter::id(&id), Filter::ne("isActive", false)]),
        vec![
            UpdateOp::Set("isActive".into(), json!(false)),
            UpdateOp::Set("updatedAt".into(), json!(now)),
            UpdateOp::Inc("_rev".into(), json!(1)),
        ],
    );
    commit_audited(&st, vec![write], audit, Vec::new()).await?;
    Ok(Json(json!({
        "success": true,
        "message": "Product deleted (deactivated; batches and history kept)",
        "remainingStock": current.stock,
    })))
}

// ---------------------------------------------------------------------------------------
// P6 / P7: material master template and import

/// The 16 columns of the material master (api.md §5.4.1).
pub const TEMPLATE_HEADERS: [&str; 16] = [
    "ProductCode",
    "Product Name",
    "ProductShortName",
    "DistributionChannel",
    "Specie",
    "Weight Packing",
    "Weight",
    "Packing",
    "MRP",
    "GST%",
    "HSNCODE",
    "COUNTRY OF ORIGIN",
    "Shelf Life in days",
    "REMARKS",
    "YC70",
    "Processing charges",
];

const TEMPLATE: TemplateSpec = TemplateSpec {
    sheet: "Material Master",
    headers: &TEMPLATE_HEADERS,
    header_rgb: 0x1F2A44,
    column_width: 18.0,
    // The legacy template's sample: a 200 g breaded fish-finger retail pack.
    sample: &[
        Cell::Text("FG-BRD-200"),
        Cell::Text("Breaded Fish Fingers 200g"),
        Cell::Text("Fish Fingers 200g"),
        Cell::Text("RETAIL/HD"),
        Cell::Text("Breaded"),
        Cell::Text("200G PKTS"),
        Cell::Text("0.200"),
        Cell::Text("PKTS"),
        Cell::Number(220.0),
        Cell::Number(5.0),
        Cell::Text("16042000"),
        Cell::Text("India"),
        Cell::Number(365.0),
        Cell::Text("Keep frozen at -18 °C"),
        Cell::Number(0.0),
        Cell::Number(0.0),
    ],
    file_name: "Material_Master_Template.xlsx",
};

/// Download the material master import template (16 columns and a sample row).
#[utoipa::path(get, path = "/api/products/import-template", tag = "Products", security(("bearer" = [])),
    responses(
        (status = 200, description = "Material_Master_Template.xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs master_data"),
    ))]
async fn import_template(actor: Actor) -> Result<Response, ApiError> {
    actor.require(Permission::MasterData, Access::View)?;
    uploads::template_response(&TEMPLATE)
}

/// Upload the material master workbook (multipart field `file`, ≤ 10 MiB, .xlsx); a
/// `product_import` job is queued and 202 returns its id.
#[utoipa::path(post, path = "/api/products/bulk-import", tag = "Products", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "Field `file`: the .xlsx workbook"),
    responses(
        (status = 200, description = "Finished while the request waited (`NEXUS_IMPORT_WAIT`; never with `Prefer: respond-async`)", body = uploads::ImportFinished),
        (status = 202, description = "Queued: still running when the wait ended, or `Prefer: respond-async` was sent", body = uploads::ImportQueued),
        (status = 400, description = "No `file` field"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs master_data"),
        (status = 413, description = "Larger than 10 MiB"),
        (status = 415, description = "Not a multipart body"),
        (status = 422, description = "Not an .xlsx workbook, or the import failed while the request waited (`IMPORT_FAILED`)"),
    ))]
async fn bulk_import(
    State(st): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    uploads::queue_import(&st, &actor, &headers, multipart, JobKind::ProductImport).await
}

// ---------------------------------------------------------------------------------------
// P8: expiring batches

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringQuery {
    /// Window in days from today (IST), both ends included; default 90, at most 365.
    pub days: Option<String>,
    /// Only batches held in this warehouse (id or alias).
    pub warehouse_id: Option<String>,
}

/// The longest window the expiring list accepts.
const MAX_EXPIRING_DAYS: i64 = 365;

/// Active batches holding stock that expire between today and today + `days` (IST calendar
/// days, both included), soonest first, with days to expiry and the colour band
/// (`RED` < 30, `AMBER` < 60, else `GREEN`).
#[utoipa::path(get, path = "/api/products/expiring", tag = "Products", security(("bearer" = [])),
    params(ExpiringQuery),
    responses(
        (status = 200, description = "`{success, data:[…], count}`"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs view_orders, create_orders or manage_warehouse"),
        (status = 404, description = "Unknown warehouse"),
        (status = 422, description = "days is not a whole number between 0 and 365"),
    ))]
async fn expiring(
    State(st): State<AppState>,
    actor: Actor,
    Query(q): Query<ExpiringQuery>,
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

// ---------------------------------------------------------------------------------------
// Receiving into one product

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

/// Receive stock into a batch of this product at a warehouse (warehouse staff): the batch
/// is created or topped up under a `_rev` guard, with a ledger ADD row and the audit entry
/// in the same commit, and a `stock:changed` event.
#[utoipa::path(post, path = "/api/products/{id}/batches", tag = "Products", security(("bearer" = [])),
    params(("id" = String, Path, description = "Product id")),
    request_body = BatchReceipt,
    responses(
        (status = 201, description = "`{success, data: product, receipt}`"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 404, description = "No such product or warehouse"),
        (status = 409, description = "The batch is held with another expiry"),
        (status = 422, description = "Bad quantity or dates, or the product is deactivated"),
    ))]
async fn receive_batch(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_plain() {
        assert_eq!(code("skuCode", " SKU-001 ").unwrap(), "SKU-001");
        assert!(code("skuCode", "a b").is_err());
        assert!(code("skuCode", "").is_err());
        assert!(code("skuCode", "$where").is_err());
        assert!(code("skuCode", &"x".repeat(41)).is_err());
    }

    #[test]
    fn patch_reports_price_changes() {
        let mut p = Product::new("P", "Prawns");
        p.mrp = Some(Money::from_rupees(380));
        let patch: ProductPatch = serde_json::from_value(json!({ "remarks": "x" })).unwrap();
        assert_eq!(apply_patch(&mut p, &patch).unwrap(), (true, false));
        let patch: ProductPatch = serde_json::from_value(json!({ "mrp": 399 })).unwrap();
        assert_eq!(apply_patch(&mut p, &patch).unwrap(), (true, true));
        let patch: ProductPatch = serde_json::from_value(json!({ "gst": null })).unwrap();
        assert_eq!(
            apply_patch(&mut p, &patch).unwrap(),
            (true, false),
            "gst was unset already"
        );
        assert!(serde_json::from_value::<ProductPatch>(json!({ "stock": 5 })).is_err());
        assert!(serde_json::from_value::<ProductPatch>(json!({ "batches": [] })).is_err());
        assert!(serde_json::from_value::<ProductPatch>(json!({ "gst": 120 })).is_err());
    }
}
