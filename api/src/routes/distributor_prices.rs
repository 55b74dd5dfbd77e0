//! The distributor price list (api.md §2.7, D1–D7; domain.md §1.11, §2.14).
//!
//! Changes from the legacy routes and why:
//! * reads needed no token (D-S8): they need one, and a commercial permission;
//! * the import template was shadowed by `/:id` (D-A3): it is its own route;
//! * search was a raw regular expression (D-S12): literal text now;
//! * every audit entry of a price change failed validation (`PRICE_LIST` was missing from
//!   the enum, D-S14) and was lost: edits are audited as `PRICE_CHANGE` on `PRICE_LIST` in
//!   the same commit as the change;
//! * any logged-in user could create or edit prices and the PATCH took any field: writes need
//!   `master_data` and take a whitelist;
//! * a (distributor, material) pair is unique, so a second entry is a 409, not a silent
//!   duplicate. `billingRate` stays data from the business, never derived here (§2.14: the
//!   formula is an open question).

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::routes::common::{Paging, commit_audited, ok_data, snapshot};
use crate::routes::common::{code, some_or_null, trimmed};
use crate::routes::envelope::{Data, Message};
use crate::routes::extract::ApiQuery;
use crate::routes::numbers::{de_opt_unsigned, price};
use crate::routes::param_schemas::at_least_one;
use crate::routes::uploads::{self, Cell, TemplateSpec};
use crate::state::AppState;
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, DistributorPrice, EntityType, JobKind};
use nexus_core::store::{
    Filter, Query as StoreQuery, StoreError, TypedStore, UpdateOp, Write, commit_with_business_id,
};
use nexus_core::types::{Money, Percent, Timestamp};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{IntoParams, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    let imports = area_router([routes!(bulk_import)]).layer(uploads::multipart_limit());
    area_router([
        routes!(list_prices, create_price),
        routes!(import_template),
        routes!(get_price, update_price, delete_price),
    ])
    .merge(imports)
}

/// Who may read the price list: those who book, approve, invoice or maintain prices.
const READERS: [(Permission, Access); 5] = [
    (Permission::ViewOrders, Access::View),
    (Permission::CreateOrders, Access::View),
    (Permission::ApproveCredit, Access::View),
    (Permission::Invoicing, Access::View),
    (Permission::MasterData, Access::View),
];

async fn load(st: &AppState, id: &str) -> Result<DistributorPrice, ApiError> {
    st.store
        .get::<DistributorPrice>(Filter::id(id))
        .await?
        .ok_or_else(|| {
            ApiError::record_not_found(
                ErrorCode::DistributorPriceNotFound,
                "Distributor price entry",
                id,
            )
        })
}

// ---------------------------------------------------------------------------------------
// D1 / D2: read

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct PriceFilter {
    /// Literal text searched in material name, material code, material number and
    /// distributor name/code (case-insensitive).
    pub search: Option<String>,
    /// Exact category.
    pub category: Option<String>,
    /// Exact distributor code.
    pub distributor_code: Option<String>,
}

/// The active price list, sorted by category then name (raw array; paging headers).
#[utoipa::path(get, path = "/api/distributor-prices", tag = "Distributor prices", security(("bearer" = [])),
    params(PriceFilter, Paging),
    responses(
        (status = 200, description = "Active entries (`X-Total-Count`, `X-Page`, `X-Limit` headers)", body = [DistributorPrice]),
        (status = 403, description = "Needs view_orders, create_orders, approve_credit, invoicing or master_data"),
    ))]
async fn list_prices(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(f): ApiQuery<PriceFilter>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, ApiError> {
    actor.require_any(&READERS)?;
    let mut conds = vec![Filter::ne("isActive", false)];
    if let Some(s) = f.search.as_deref().and_then(trimmed) {
        let s: String = s.chars().take(100).collect();
        conds.push(Filter::or([
            Filter::contains("name", s.clone()),
            Filter::contains("code", s.clone()),
            Filter::contains("materialNumber", s.clone()),
            Filter::contains("distributorName", s.clone()),
            Filter::contains("distributorCode", s),
        ]));
    }
    if let Some(c) = f.category.as_deref().and_then(trimmed) {
        conds.push(Filter::eq("category", c));
    }
    if let Some(d) = f.distributor_code.as_deref().and_then(trimmed) {
        conds.push(Filter::eq("distributorCode", d));
    }
    let filter = Filter::and(conds);
    let query = StoreQuery::new(filter)
        .sort_asc("category")
        .sort_asc("name")
        .sort_asc("id");
    let (page, total): (Vec<DistributorPrice>, _) = paging.fetch(&st, query).await?;
    Ok(paging.respond(page, total))
}

/// One entry (active or not), raw.
#[utoipa::path(get, path = "/api/distributor-prices/{id}", tag = "Distributor prices", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entry id")),
    responses(
        (status = 200, description = "The entry", body = DistributorPrice),
        (status = 403, description = "Needs view_orders, create_orders, approve_credit, invoicing or master_data"),
        (status = 404, description = "No such entry"),
    ))]
async fn get_price(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<DistributorPrice>, ApiError> {
    actor.require_any(&READERS)?;
    Ok(Json(load(&st, &id).await?))
}

// ---------------------------------------------------------------------------------------
// D3: create

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPrice {
    /// The distributor's customer code (at most 40 letters, digits or `. _ / -`; empty:
    /// none); with it the id is `<distributorCode>-<code>`.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9._/-]{0,40}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub distributor_code: Option<String>,
    pub distributor_name: Option<String>,
    /// Material (SKU) code: 1 to 40 letters, digits or `. _ / -`.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9._/-]{1,40}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub code: String,
    /// Material description: not blank, at most 200 characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    pub material_number: Option<String>,
    /// Pack size as text (`5 Kg`, `0.2`).
    pub in_kg: Option<String>,
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub mrp: Option<Money>,
    /// Percent (points, 0–100); default 5.
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100)]
    pub gst_pct: Option<Percent>,
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100)]
    pub retailer_margin_on_mrp: Option<Percent>,
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100)]
    pub dist_margin_on_cost: Option<Percent>,
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100)]
    pub dist_margin_on_mrp: Option<Percent>,
    /// Net price billed to the distributor, as agreed (never derived).
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub billing_rate: Option<Money>,
    pub category: Option<String>,
}

fn duplicate(distributor: Option<&str>, material: &str) -> ApiError {
    ApiError::conflict(
        ErrorCode::DuplicatePriceEntry,
        "This distributor already has an entry for this material.",
    )
    .with_details(json!({ "distributorCode": distributor, "code": material }))
}

/// Create a price-list entry (master data). One entry per (distributor, material).
#[utoipa::path(post, path = "/api/distributor-prices", tag = "Distributor prices", security(("bearer" = [])),
    request_body = NewPrice,
    responses(
        (status = 201, description = "The new entry (raw, as the legacy route answered)", body = DistributorPrice),
        (status = 403, description = "Needs master_data"),
        (status = 409, description = "The (distributorCode, code) pair already has an entry"),
        (status = 422, description = "Invalid field"),
    ))]
async fn create_price(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(b): ApiJson<NewPrice>,
) -> Result<Response, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    let material = code("code", &b.code)?;
    let distributor = b
        .distributor_code
        .as_deref()
        .and_then(trimmed)
        .map(|d| code("distributorCode", &d))
        .transpose()?;
    let name = trimmed(&b.name).ok_or_else(|| ApiError::invalid("name", "name is required."))?;
    if name.chars().count() > 200 {
        return Err(ApiError::invalid(
            "name",
            "name is longer than 200 characters.",
        ));
    }
    let now = Timestamp::now();
    let text = |v: Option<String>| v.as_deref().and_then(trimmed);
    let entry = DistributorPrice {
        id: String::new(),
        distributor_code: distributor.clone(),
        distributor_name: text(b.distributor_name),
        code: material.clone(),
        name,
        material_number: text(b.material_number),
        in_kg: text(b.in_kg),
        mrp: b
            .mrp
            .map(|m| price("mrp", m))
            .transpose()?
            .unwrap_or_default(),
        gst_pct: b
            .gst_pct
            .unwrap_or_else(|| Percent::new(rust_decimal::Decimal::from(5)).unwrap_or_default()),
        retailer_margin_on_mrp: b.retailer_margin_on_mrp.unwrap_or_default(),
        dist_margin_on_cost: b.dist_margin_on_cost.unwrap_or_default(),
        dist_margin_on_mrp: b.dist_margin_on_mrp.unwrap_or_default(),
        billing_rate: b
            .billing_rate
            .map(|m| price("billingRate", m))
            .transpose()?
            .unwrap_or_default(),
        category: text(b.category),
        is_active: true,
        created_at: Some(now),
        updated_at: Some(now),
        extra: Map::new(),
    };
    // The pair is unique whether or not a distributor is named (the unique index covers the
    // named case on every store; the check also covers entries without a distributor).
    let same_pair = Filter::and([
        match &distributor {
            Some(d) => Filter::eq("distributorCode", d.as_str()),
            None => Filter::Missing("distributorCode".into()),
        },
        Filter::eq("code", material.as_str()),
    ]);
    if st.store.count_of::<DistributorPrice>(&same_pair).await? > 0 {
        return Err(duplicate(distributor.as_deref(), &material));
    }
    let writes_for = |id: &str| -> Result<Vec<Write>, StoreError> {
        let mut doc = entry.clone();
        doc.id = id.to_string();
        let audit = actor
            .audit(AuditAction::Create)
            .entity(EntityType::PriceList, id)
            .change(None, snapshot(&doc));
        Ok(vec![Write::insert(&doc)?, Write::insert(&audit)?])
    };
    let result = match &distributor {
        Some(d) => {
            let id = format!("{d}-{material}");
            st.store.commit(writes_for(&id)?).await.map(|_| id)
        }
        None => commit_with_business_id(st.store.as_ref(), "DP-", writes_for).await,
    };
    let id = match result {
        Ok(id) => id,
        Err(StoreError::DuplicateKey { .. }) => {
            return Err(duplicate(distributor.as_deref(), &material));
        }
        Err(e) => return Err(e.into()),
    };
    Ok((StatusCode::CREATED, Json(load(&st, &id).await?)).into_response())
}

// ---------------------------------------------------------------------------------------
// D4: update

/// The fields a PATCH may change; `null` clears an optional text. Not the id, the
/// distributor or material codes (they identify the entry) or `isActive`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PricePatch {
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub distributor_name: Option<Option<String>>,
    /// Not blank, at most 200 characters; `null` leaves it.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub material_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub in_kg: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub mrp: Option<Money>,
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100)]
    pub gst_pct: Option<Percent>,
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100)]
    pub retailer_margin_on_mrp: Option<Percent>,
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100)]
    pub dist_margin_on_cost: Option<Percent>,
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100)]
    pub dist_margin_on_mrp: Option<Percent>,
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub billing_rate: Option<Money>,
}

/// The request body as the document describes it: [`PricePatch`] with at least one field
/// that changes something.
pub struct PricePatchBody;

impl PartialSchema for PricePatchBody {
    fn schema() -> RefOr<Schema> {
        at_least_one(
            PricePatch::schema(),
            &[
                "name",
                "mrp",
                "gstPct",
                "retailerMarginOnMrp",
                "distMarginOnCost",
                "distMarginOnMrp",
                "billingRate",
            ],
            &["distributorName", "materialNumber", "inKg", "category"],
        )
    }
}

impl ToSchema for PricePatchBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "PricePatch".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <PricePatch as ToSchema>::schemas(schemas);
    }
}

fn patch_ops(p: PricePatch) -> Result<Vec<UpdateOp>, ApiError> {
    let mut ops = Vec::new();
    if let Some(n) = p.name {
        let n = trimmed(&n).ok_or_else(|| ApiError::invalid("name", "name cannot be empty."))?;
        if n.chars().count() > 200 {
            return Err(ApiError::invalid(
                "name",
                "name is longer than 200 characters.",
            ));
        }
        ops.push(UpdateOp::Set("name".into(), json!(n)));
    }
    for (field, v) in [
        ("distributorName", p.distributor_name),
        ("materialNumber", p.material_number),
        ("inKg", p.in_kg),
        ("category", p.category),
    ] {
        match v {
            None => {}
            Some(v) => match v.as_deref().and_then(trimmed) {
                Some(s) => ops.push(UpdateOp::Set(field.into(), json!(s))),
                None => ops.push(UpdateOp::Unset(field.into())),
            },
        }
    }
    for (field, v) in [("mrp", p.mrp), ("billingRate", p.billing_rate)] {
        if let Some(m) = v {
            ops.push(UpdateOp::Set(field.into(), json!(price(field, m)?)));
        }
    }
    for (field, v) in [
        ("gstPct", p.gst_pct),
        ("retailerMarginOnMrp", p.retailer_margin_on_mrp),
        ("distMarginOnCost", p.dist_margin_on_cost),
        ("distMarginOnMrp", p.dist_margin_on_mrp),
    ] {
        if let Some(pc) = v {
            ops.push(UpdateOp::Set(field.into(), json!(pc)));
        }
    }
    Ok(ops)
}

/// Change an entry (master data); audited as `PRICE_CHANGE` on `PRICE_LIST` with old → new.
#[utoipa::path(patch, path = "/api/distributor-prices/{id}", tag = "Distributor prices", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entry id")),
    request_body = PricePatchBody,
    responses(
        (status = 200, description = "The updated entry", body = Data<DistributorPrice>),
        (status = 403, description = "Needs master_data"),
        (status = 404, description = "No such entry"),
        (status = 422, description = "Unknown or invalid field"),
    ))]
async fn update_price(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PricePatch>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    let current = load(&st, &id).await?;
    let mut ops = patch_ops(body)?;
    if ops.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::NothingToUpdate,
            "The body changes nothing.",
        ));
    }
    ops.push(UpdateOp::Set("updatedAt".into(), json!(Timestamp::now())));
    let mut doc = serde_json::to_value(&current)
        .map_err(|e| ApiError::internal_cause("price entry does not encode", &e))?;
    nexus_core::store::apply::apply_ops(&mut doc, &ops)?;
    let updated: DistributorPrice = serde_json::from_value(doc)
        .map_err(|e| ApiError::internal_cause("updated price entry does not decode", &e))?;
    let audit = actor
        .audit(AuditAction::PriceChange)
        .entity(EntityType::PriceList, &id)
        .change(snapshot(&current), snapshot(&updated));
    commit_audited(
        &st,
        vec![Write::update_one::<DistributorPrice>(Filter::id(&id), ops)],
        audit,
        Vec::new(),
    )
    .await?;
    Ok(ok_data(updated))
}

// ---------------------------------------------------------------------------------------
// D5: soft delete

/// Deactivate an entry (master data): it leaves the list and stays readable by id.
#[utoipa::path(delete, path = "/api/distributor-prices/{id}", tag = "Distributor prices", security(("bearer" = [])),
    params(("id" = String, Path, description = "Entry id")),
    responses(
        (status = 200, description = "Soft-deleted (or already inactive)", body = Message),
        (status = 403, description = "Needs master_data"),
        (status = 404, description = "No such entry"),
    ))]
async fn delete_price(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    let current = load(&st, &id).await?;
    if !current.is_active {
        return Ok(Json(
            json!({ "success": true, "message": "Already inactive" }),
        ));
    }
    let audit = actor
        .audit(AuditAction::Delete)
        .entity(EntityType::PriceList, &id)
        .change(
            Some(json!({ "isActive": true })),
            Some(json!({ "isActive": false })),
        );
    let write = Write::update_one::<DistributorPrice>(
        Filter::and([Filter::id(&id), Filter::ne("isActive", false)]),
        vec![
            UpdateOp::Set("isActive".into(), json!(false)),
            UpdateOp::Set("updatedAt".into(), json!(Timestamp::now())),
        ],
    );
    commit_audited(&st, vec![write], audit, Vec::new()).await?;
    Ok(Json(json!({ "success": true, "message": "Soft-deleted" })))
}

// ---------------------------------------------------------------------------------------
// D6 / D7: template and import

/// The 11 columns of the distributor price list (api.md §5.4.2).
pub const TEMPLATE_HEADERS: [&str; 11] = [
    "Code",
    "Name",
    "Material",
    "Material Number",
    "MRP",
    "in Kg",
    "% GST",
    "Retailer Margin On MRP",
    "Dist Margin On Cost",
    "Dist Margin On MRP",
    "Billing Rate",
];

const TEMPLATE: TemplateSpec = TemplateSpec {
    sheet: "Distributor Prices",
    headers: &TEMPLATE_HEADERS,
    header_rgb: 0x1F2A44,
    column_width: 18.0,
    // The legacy sample: MRP 220, 0.2 kg, 5 % GST, 34 % retailer margin, 10 % / 0 %
    // distributor margins, billing rate 116.29. Percentages are points (34, not 0.34), the
    // unit the rest of the system stores.
    sample: &[
        Cell::Text("D1001"),
        Cell::Text("Sample Distributor"),
        Cell::Text("FG-BRD-200"),
        Cell::Text("Breaded Fish Fingers 200g"),
        Cell::Number(220.0),
        Cell::Text("0.2"),
        Cell::Number(5.0),
        Cell::Number(34.0),
        Cell::Number(10.0),
        Cell::Number(0.0),
        Cell::Number(116.29),
    ],
    file_name: "Distributor_Price_Template.xlsx",
};

/// Download the distributor price import template (11 columns and a sample row).
#[utoipa::path(get, path = "/api/distributor-prices/import-template", tag = "Distributor prices", security(("bearer" = [])),
    responses(
        (status = 200, description = "Distributor_Price_Template.xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, description = "Needs master_data"),
    ))]
async fn import_template(actor: Actor) -> Result<Response, ApiError> {
    actor.require(Permission::MasterData, Access::View)?;
    uploads::template_response(&TEMPLATE)
}

/// Upload the price list workbook (multipart field `file`, ≤ 10 MiB, .xlsx); a
/// `distributor_price_import` job is queued; the request waits for it (`NEXUS_IMPORT_WAIT`) and answers 200 with its outcome, or 202
/// with its id while it still runs (at once with `Prefer: respond-async`).
#[utoipa::path(post, path = "/api/distributor-prices/bulk-import", tag = "Distributor prices", security(("bearer" = [])),
    request_body(content((uploads::WorkbookForm = "multipart/form-data")), description = "Field `file`: the .xlsx workbook"),
    responses(
        uploads::ImportAnswers,
        (status = 403, description = "Needs master_data"),
    ))]
async fn bulk_import(
    State(st): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    uploads::queue_import(
        &st,
        &actor,
        &headers,
        multipart,
        JobKind::DistributorPriceImport,
    )
    .await
}
