//! Packaging inventory (api.md §2.12, domain.md §2.10): materials with their MOQ, the IN/OUT
//! movements that change a balance, and the low-stock list.
//!
//! What changed from the legacy routes:
//! * balances move only through `inward`/`outward`, each one commit holding the movement,
//!   the `$inc` of the balance and the audit entry — the legacy wrote the movement, then
//!   read-modified-wrote the balance (D-R2, 8.2.21), unaudited (8.1.14);
//! * an outward is a guarded update (`balance >= qty`, exactly one match), so concurrent
//!   outwards can never take the balance below zero or lose each other's update;
//! * quantities are typed JSON numbers greater than zero (the legacy concatenated
//!   `500 + "5"` into 5005 and accepted negative inwards);
//! * movement ids come from store sequences (`PKG-IN-000001`), not the clock (D-R6);
//! * an outward records why (`reason`) and, optionally, for which order; a low balance
//!   publishes `packaging:low-stock` (E7, which the legacy never emitted);
//! * materials can be created through the API (there was no endpoint; D-S8 aside, they came
//!   only from seeding), with the opening balance booked as an IN movement so the balance
//!   always reconciles with the movements.
//!
//! Who: reading is for warehouse staff (`manage_warehouse`) and procurement; inward for both
//! (procurement receives supplies); outward only for the warehouse, which consumes them;
//! creating a material for master data or procurement. The legacy role lists named only
//! `Warehouse` and `Procurement` and so locked out WH Manager, WH House and Procurement Head
//! (D-A4); permissions fix that.

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::routes::common::{Bounded, MAX_PAGE, check_link, commit_with_sequence_id, snapshot};
use crate::routes::dates::date_range_filter;
use crate::routes::envelope::{Data, MessageData, Pagination};
use crate::routes::extract::ApiQuery;
use crate::routes::numbers::de_number;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission};
use nexus_core::events::{Audience, Event};
use nexus_core::model::{
    AuditAction, EntityType, MovementType, Order, PackagingCategory, PackagingMaterial,
    PackagingTransaction, PackagingUnit,
};
use nexus_core::rules::packaging::PackagingHealth;
use nexus_core::rules::packaging::{material_health, material_is_low};
use nexus_core::store::{
    Collection, Filter, Query, StoreError, TypedStore, UpdateOp, Write, next_business_id,
};
use nexus_core::types::{DateOnly, Quantity, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([
        routes!(list_materials, create_material),
        routes!(list_transactions),
        routes!(inward),
        routes!(outward),
        routes!(low_stock),
    ])
}

fn can_read(actor: &Actor) -> Result<(), ApiError> {
    actor.require_any(&[
        (Permission::ManageWarehouse, Access::View),
        (Permission::Procurement, Access::View),
    ])
}

fn material_not_found(id: &str) -> ApiError {
    ApiError::not_found(
        ErrorCode::PackagingMaterialNotFound,
        format!("Packaging material not found: {id}"),
    )
    .with_details(json!({ "materialId": id }))
}

// The body `material_view` builds, described for the OpenAPI document (the handlers send JSON).
/// A packaging material as the API shows it: the stored material with its derived stock
/// state.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaterialView {
    #[serde(flatten)]
    pub material: PackagingMaterial,
    /// Balance at or below the MOQ.
    pub is_low_stock: bool,
    pub health: PackagingHealth,
}

/// One page of packaging movements.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionPage {
    pub success: bool,
    pub data: Vec<PackagingTransaction>,
    pub pagination: Pagination,
}

/// A recorded movement and the material after it (`null` if it vanished meanwhile).
#[derive(Debug, Serialize, ToSchema)]
pub struct Movement {
    pub transaction: PackagingTransaction,
    #[schema(required = true)]
    pub material: Option<MaterialView>,
}

/// The low-stock list.
#[derive(Debug, Serialize, ToSchema)]
pub struct LowStock {
    pub success: bool,
    pub data: Vec<MaterialView>,
    pub count: u64,
}

/// The material as stored plus the derived `isLowStock` (balance ≤ MOQ) and the
/// prototype's `health` label (LOW / OVERAGE / STAGNANT / OK).
fn material_view(m: &PackagingMaterial, now: Timestamp) -> Value {
    let mut v = serde_json::to_value(m).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("isLowStock".into(), json!(material_is_low(m)));
        o.insert("health".into(), json!(material_health(m, now)));
    }
    v
}

fn audience() -> Audience {
    Audience {
        permissions: vec![
            Permission::ManageWarehouse.as_str().into(),
            Permission::Procurement.as_str().into(),
        ],
        ..Audience::default()
    }
}

fn movement_event(tx: &PackagingTransaction) -> Event {
    nexus_core::live::packaging_moved(tx, audience())
}

fn low_stock_event(m: &PackagingMaterial) -> Event {
    nexus_core::live::packaging_low_stock(m, audience())
}

/// The smallest quantity a movement takes: a gram, or a thousandth of a piece or roll.
const MIN_QTY: Decimal = Decimal::from_parts(1, 0, 0, false, 3);
/// The largest quantity a movement, an opening balance or an MOQ takes.
const MAX_QTY: i64 = 10_000_000;

/// A movement's quantity: [`MIN_QTY`] to [`MAX_QTY`].
fn positive_qty(qty: Decimal) -> Result<Quantity, ApiError> {
    if qty < MIN_QTY || qty > Decimal::from(MAX_QTY) {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidQuantity,
            format!("qty must be a number from {MIN_QTY} to {MAX_QTY}"),
        )
        .with_details(json!({ "qty": qty })));
    }
    Quantity::positive(qty).map_err(|_| {
        ApiError::unprocessable(
            ErrorCode::InvalidQuantity,
            "qty must be a number greater than 0",
        )
        .with_details(json!({ "qty": qty }))
    })
}

/// [`de_number`], except that a number too small for the 28 decimal places of a decimal
/// (`1e-300`) reads as the 0 it rounds to instead of being refused.
fn de_quantity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let v = Value::deserialize(d)?;
    if let Value::Number(n) = &v
        && n.as_f64().is_some_and(|f| (0.0..1e-28).contains(&f))
    {
        return Ok(Decimal::ZERO);
    }
    de_number(v).map_err(serde::de::Error::custom)
}

/// [`de_quantity`] for an optional field (`null` or absent → `None`).
fn de_opt_quantity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => de_quantity(v).map(Some).map_err(serde::de::Error::custom),
    }
}

/// An opening balance as the document describes it: 0 (none), or 0.001 to 10,000,000.
pub struct OpeningBalance;

impl PartialSchema for OpeningBalance {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .enum_values(Some([0])),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .minimum(Some(0.001))
                    .maximum(Some(MAX_QTY)),
            )
            .description(Some(
                "Stock on hand when the material is registered, booked as an IN movement: 0 (or `null`) for none, else 0.001 to 10,000,000.",
            ))
            .examples([json!(1200)])
            .into()
    }
}
impl ToSchema for OpeningBalance {}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

// ---------------------------------------------------------------------------------------
// Materials

/// Every packaging material with its low-stock flag and health label.
#[utoipa::path(get, path = "/api/packaging/materials", tag = "Packaging", security(("bearer" = [])), responses(
    (status = 200, description = "Every material with its stock health", body = Data<Vec<MaterialView>>),
    (status = 403, description = "Needs manage_warehouse or procurement"),
))]
async fn list_materials(State(st): State<AppState>, actor: Actor) -> Result<Json<Value>, ApiError> {
    can_read(&actor)?;
    let now = Timestamp::now();
    let materials: Vec<PackagingMaterial> = st.store.list(&Query::all().sort_asc("id")).await?;
    let data: Vec<Value> = materials.iter().map(|m| material_view(m, now)).collect();
    Ok(Json(json!({ "success": true, "data": data })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateMaterialRequest {
    /// Not blank, at most 200 characters.
    #[schema(
        example = "Poly Bags 2kg",
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    /// PCS, KG or ROLLS.
    #[schema(value_type = PackagingUnit, example = "PCS")]
    pub unit: PackagingUnit,
    /// Poly Pkts, Vacuum Pouches, Cartons or Tape/Labels.
    #[schema(value_type = PackagingCategory, example = "Poly Pkts")]
    pub category: PackagingCategory,
    /// Re-order threshold (minimum order quantity), 0 to 10,000,000.
    #[serde(deserialize_with = "de_quantity")]
    #[schema(value_type = f64, example = 500, minimum = 0, maximum = 10000000)]
    pub moq: Decimal,
    #[serde(default, deserialize_with = "de_opt_quantity")]
    #[schema(value_type = Option<OpeningBalance>)]
    pub opening_balance: Option<Decimal>,
}

/// Register a packaging material (`PKG-nnn`). An opening balance is booked as an IN
/// movement in the same commit, so balance = Σ movements from the start.
#[utoipa::path(post, path = "/api/packaging/materials", tag = "Packaging", security(("bearer" = [])), request_body = CreateMaterialRequest, responses(
    (status = 201, description = "Created: the material", body = Data<MaterialView>),
    (status = 403, description = "Needs master_data or procurement"),
    (status = 422, description = "Invalid name, unit, category or quantity"),
))]
async fn create_material(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<CreateMaterialRequest>,
) -> Result<Response, ApiError> {
    actor.require_any(&[
        (Permission::MasterData, Access::Full),
        (Permission::Procurement, Access::Full),
    ])?;
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidName,
            "name is required (at most 200 characters)",
        ));
    }
    let moq = Quantity::new(body.moq)
        .ok()
        .filter(|q| q.value() <= Decimal::from(MAX_QTY))
        .ok_or_else(|| {
            ApiError::unprocessable(
                ErrorCode::InvalidQuantity,
                format!("moq must be from 0 to {MAX_QTY}"),
            )
        })?;
    let opening = match body.opening_balance {
        Some(q) if q.is_zero() => None,
        Some(q) => Some(positive_qty(q)?),
        None => None,
    };
    let now = Timestamp::now();
    let material = PackagingMaterial {
        id: String::new(),
        name,
        unit: body.unit,
        moq,
        balance: opening.unwrap_or(Quantity::ZERO),
        category: body.category,
        last_movement_date: opening.map(|_| now),
        created_at: Some(now),
        updated_at: Some(now),
        extra: Map::new(),
    };
    // The opening movement's id is drawn once and redrawn only if a legacy movement holds
    // it; the material id is redrawn by the sequence helper.
    let mut opening_tx_id = match opening {
        Some(_) => Some(next_business_id(st.store.as_ref(), "PKG-IN-").await?),
        None => None,
    };
    let mut created: Option<PackagingMaterial> = None;
    for _ in 0..100 {
        let tx_id = opening_tx_id.clone();
        let result = commit_with_sequence_id(
            &st,
            Collection::PackagingMaterials,
            "PKG-",
            |n| format!("PKG-{n:03}"),
            |id| {
                let mut m = material.clone();
                m.id = id.to_string();
                let mut writes = vec![Write::insert(&m)?];
                if let (Some(q), Some(tx_id)) = (opening, tx_id.as_ref()) {
                    let tx = PackagingTransaction {
                        id: tx_id.clone(),
                        reason: Some("Opening balance".into()),
                        balance_after: Some(q),
                        ..movement(&actor, &m, MovementType::In, q, now)
                    };
                    writes.push(Write::insert(&tx)?);
                }
                let audit = actor
                    .audit(AuditAction::Create)
                    .entity(EntityType::Packaging, m.id.clone())
                    .change(None, snapshot(&m));
                writes.push(Write::insert(&audit)?);
                created = Some(m);
                Ok(writes)
            },
        )
        .await;
        match result {
            Ok(_) => break,
            Err(e)
                if e.code == ErrorCode::Duplicate
                    && e.details["collection"] == Collection::PackagingTransactions.name() =>
            {
                // The opening movement's id was taken (by a legacy movement): draw another.
                created = None;
                opening_tx_id = Some(next_business_id(st.store.as_ref(), "PKG-IN-").await?);
            }
            Err(e) => return Err(e),
        }
    }
    let m = created.ok_or_else(|| {
        ApiError::conflict(
            ErrorCode::NoFreeId,
            "No free identifier could be allocated; try again.",
        )
    })?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "success": true, "data": material_view(&m, now) })),
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------
// Movements

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TransactionQuery {
    /// Only this material's movements.
    pub material_id: Option<String>,
    /// From this date (YYYY-MM-DD, IST day) or instant (RFC 3339), inclusive.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub start_date: Option<String>,
    /// Up to this date (the whole IST day) or instant, inclusive.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub end_date: Option<String>,
    /// 1-based page (default 1).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1_000_000)]
    pub page: Option<Bounded<1, MAX_PAGE>>,
    /// Page size (default 20, at most 200).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 200)]
    pub limit: Option<Bounded<1, 200>>,
}

/// Movements, newest first, with page metadata.
#[utoipa::path(get, path = "/api/packaging/transactions", tag = "Packaging", security(("bearer" = [])), params(TransactionQuery), responses(
    (status = 200, description = "One page of movements, newest first", body = TransactionPage),
    (status = 400, description = "A date that cannot be read"),
    (status = 403, description = "Needs manage_warehouse or procurement"),
))]
async fn list_transactions(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<TransactionQuery>,
) -> Result<Json<Value>, ApiError> {
    can_read(&actor)?;
    let page = q.page.map_or(1, |p| p.0);
    // The legacy limit had no cap (a memory DoS with limit=1e9).
    let limit = q.limit.map_or(20, |l| l.0);
    let filter = Filter::and([
        q.material_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|id| Filter::eq("materialId", id))
            .unwrap_or(Filter::All),
        date_range_filter("date", q.start_date.as_deref(), q.end_date.as_deref())?,
    ]);
    let total = st.store.count_of::<PackagingTransaction>(&filter).await?;
    let rows: Vec<PackagingTransaction> = st
        .store
        .list(
            &Query::new(filter)
                .sort_desc("date")
                .sort_desc("id")
                .skip((page - 1) * limit)
                .limit(limit),
        )
        .await?;
    Ok(Json(json!({
        "success": true,
        "data": rows,
        "pagination": { "page": page, "limit": limit, "total": total, "pages": total.div_ceil(limit) },
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InwardRequest {
    #[schema(example = "PKG-001")]
    pub material_id: String,
    /// 0.001 to 10,000,000.
    #[serde(deserialize_with = "de_quantity")]
    #[schema(value_type = f64, example = 800, minimum = 0.001, maximum = 10000000)]
    pub qty: Decimal,
    /// The supplier's batch.
    pub batch: Option<String>,
    #[serde(default, deserialize_with = "crate::routes::dates::text_date")]
    #[schema(value_type = Option<DateOnly>, example = "2026-01-15")]
    pub mfg_date: Option<DateOnly>,
    #[serde(default, deserialize_with = "crate::routes::dates::text_date")]
    #[schema(value_type = Option<DateOnly>, example = "2027-01-15")]
    pub exp_date: Option<DateOnly>,
    pub vendor_name: Option<String>,
    /// Challan or invoice number.
    pub reference_no: Option<String>,
    /// Link or blob key of the uploaded challan (not file contents, so never a `data:`
    /// URL), at most 2,048 bytes.
    #[schema(max_length = 2048)]
    pub attachment: Option<String>,
}

/// Receive packaging stock: the movement, the balance increment and the audit entry in one
/// commit.
#[utoipa::path(post, path = "/api/packaging/inward", tag = "Packaging", security(("bearer" = [])), request_body = InwardRequest, responses(
    (status = 201, description = "Recorded: the movement and the material after it", body = MessageData<Movement>),
    (status = 403, description = "Needs manage_warehouse or procurement"),
    (status = 404, description = "Unknown material"),
    (status = 422, description = "qty not a number > 0, or an attachment that is not a link"),
))]
async fn inward(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<InwardRequest>,
) -> Result<Response, ApiError> {
    actor.require_any(&[
        (Permission::ManageWarehouse, Access::Full),
        (Permission::Procurement, Access::Full),
    ])?;
    let qty = positive_qty(body.qty)?;
    check_link("attachment", body.attachment.as_deref())?;
    let material = load_material(&st, &body.material_id).await?;
    let now = Timestamp::now();
    let template = PackagingTransaction {
        batch: trimmed(body.batch),
        mfg_date: body.mfg_date,
        exp_date: body.exp_date,
        vendor_name: trimmed(body.vendor_name),
        reference_no: trimmed(body.reference_no),
        attachment: trimmed(body.attachment),
        ..movement(&actor, &material, MovementType::In, qty, now)
    };
    let committed = commit_movement(
        &st,
        &actor,
        template,
        "PKG-IN-",
        Filter::id(material.id.clone()),
        json!(qty),
    )
    .await;
    let tx = match committed {
        Ok(tx) => tx,
        // The material disappeared between the read and the commit.
        Err(StoreError::Conflict(_)) => return Err(material_not_found(&material.id)),
        Err(e) => return Err(e.into()),
    };
    st.publish(movement_event(&tx)).await;
    let after: Option<PackagingMaterial> = st.store.get(Filter::id(material.id.clone())).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "success": true,
            "message": "Inward entry created successfully",
            "data": { "transaction": tx, "material": after.map(|m| material_view(&m, now)) },
        })),
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutwardRequest {
    #[schema(example = "PKG-003")]
    pub material_id: String,
    /// 0.001 to 10,000,000, at most the balance.
    #[serde(deserialize_with = "de_quantity")]
    #[schema(value_type = f64, example = 40, minimum = 0.001, maximum = 10000000)]
    pub qty: Decimal,
    /// Why the stock goes out (e.g. "Packing ORD-003", "Damaged"); not blank.
    #[schema(
        example = "Packing for dispatch",
        pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub reason: String,
    /// The order the packaging was used for, when there is one.
    pub order_id: Option<String>,
    pub reference_no: Option<String>,
}

/// Issue packaging stock. The balance update is guarded (`balance >= qty`): never negative,
/// no lost update under concurrency. Publishes `packaging:low-stock` when the balance ends
/// at or below the MOQ.
#[utoipa::path(post, path = "/api/packaging/outward", tag = "Packaging", security(("bearer" = [])), request_body = OutwardRequest, responses(
    (status = 201, description = "Recorded: the movement and the material after it", body = MessageData<Movement>),
    (status = 400, description = "`Insufficient balance. Available: a, Requested: r`"),
    (status = 403, description = "Needs manage_warehouse"),
    (status = 404, description = "Unknown material or order"),
    (status = 422, description = "qty not a number > 0, or no reason"),
))]
async fn outward(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<OutwardRequest>,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageWarehouse, Access::Full)?;
    let qty = positive_qty(body.qty)?;
    let reason = body.reason.trim().to_string();
    if reason.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::ReasonRequired,
            "reason is required for an outward movement",
        ));
    }
    let material = load_material(&st, &body.material_id).await?;
    let order_id = trimmed(body.order_id);
    if let Some(oid) = &order_id
        && st
            .store
            .get::<Order>(Filter::id(oid.clone()))
            .await?
            .is_none()
    {
        return Err(ApiError::record_not_found(
            ErrorCode::OrderNotFound,
            "Order",
            oid,
        ));
    }
    if material.balance < qty {
        return Err(insufficient(material.balance, qty, &material.id));
    }
    let now = Timestamp::now();
    let template = PackagingTransaction {
        reference_no: trimmed(body.reference_no),
        reason: Some(reason),
        order_id,
        ..movement(&actor, &material, MovementType::Out, qty, now)
    };
    // The guard is the whole point (D-R2): exactly one material with enough balance, or
    // nothing in this commit happens.
    let committed = commit_movement(
        &st,
        &actor,
        template,
        "PKG-OUT-",
        Filter::and([
            Filter::id(material.id.clone()),
            Filter::gte("balance", json!(qty)),
        ]),
        json!(-qty.value()),
    )
    .await;
    let tx = match committed {
        Ok(tx) => tx,
        Err(StoreError::Conflict(_)) => {
            // Someone else took the stock first (or the material is gone): report what is
            // there now.
            return match st
                .store
                .get::<PackagingMaterial>(Filter::id(material.id.clone()))
                .await?
            {
                Some(m) => Err(insufficient(m.balance, qty, &m.id)),
                None => Err(material_not_found(&material.id)),
            };
        }
        Err(e) => return Err(e.into()),
    };
    st.publish(movement_event(&tx)).await;
    let after: Option<PackagingMaterial> = st.store.get(Filter::id(material.id.clone())).await?;
    if let Some(m) = after.as_ref().filter(|m| material_is_low(m)) {
        st.publish(low_stock_event(m)).await;
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "success": true,
            "message": "Outward entry created successfully",
            "data": { "transaction": tx, "material": after.map(|m| material_view(&m, now)) },
        })),
    )
        .into_response())
}

/// The material named by `id` (trimmed), or 404.
async fn load_material(st: &AppState, id: &str) -> Result<PackagingMaterial, ApiError> {
    let id = id.trim();
    st.store
        .get(Filter::id(id.to_string()))
        .await?
        .ok_or_else(|| material_not_found(id))
}

/// A movement of `qty` of `material` by the caller at `now`, with no id yet and none of the
/// optional details (batch, vendor, reason, order …) filled in.
fn movement(
    actor: &Actor,
    material: &PackagingMaterial,
    movement: MovementType,
    qty: Quantity,
    now: Timestamp,
) -> PackagingTransaction {
    PackagingTransaction {
        id: String::new(),
        material_id: material.id.clone(),
        movement,
        qty,
        batch: None,
        mfg_date: None,
        exp_date: None,
        vendor_name: None,
        reference_no: None,
        attachment: None,
        reason: None,
        order_id: None,
        balance_after: None,
        date: now,
        created_by: actor.id().to_string(),
        created_at: Some(now),
        updated_at: Some(now),
        extra: Map::new(),
    }
}

/// Commits `template` under a fresh `<prefix>n` id, the material's balance change by `delta`
/// (on the one material `material` selects, so a guard in it makes the whole commit fail with
/// a conflict) and the audit entry (with the movement's reason), all or nothing; the stored
/// movement.
async fn commit_movement(
    st: &AppState,
    actor: &Actor,
    template: PackagingTransaction,
    prefix: &str,
    material: Filter,
    delta: Value,
) -> Result<PackagingTransaction, StoreError> {
    let now = template.date;
    let mut tx = template.clone();
    nexus_core::store::commit_with_business_id(st.store.as_ref(), prefix, |id| {
        tx = template.clone();
        tx.id = id.to_string();
        let mut audit = actor
            .audit(AuditAction::StockMovement)
            .entity(EntityType::Packaging, tx.material_id.clone())
            .change(None, snapshot(&tx));
        audit.reason = tx.reason.clone();
        Ok(vec![
            Write::insert(&tx)?,
            Write::update_one::<PackagingMaterial>(
                material.clone(),
                vec![
                    UpdateOp::Inc("balance".into(), delta.clone()),
                    UpdateOp::Set("lastMovementDate".into(), json!(now)),
                    UpdateOp::Set("updatedAt".into(), json!(now)),
                ],
            ),
            Write::insert(&audit)?,
        ])
    })
    .await?;
    Ok(tx)
}

fn insufficient(available: Quantity, requested: Quantity, material_id: &str) -> ApiError {
    ApiError::bad_request(
        ErrorCode::InsufficientBalance,
        format!("Insufficient balance. Available: {available}, Requested: {requested}"),
    )
    .with_details(
        json!({ "materialId": material_id, "available": available, "requested": requested }),
    )
}

/// Materials at or below their MOQ.
#[utoipa::path(get, path = "/api/packaging/low-stock", tag = "Packaging", security(("bearer" = [])), responses(
    (status = 200, description = "The materials at or below their MOQ", body = LowStock),
    (status = 403, description = "Needs manage_warehouse or procurement"),
))]
async fn low_stock(State(st): State<AppState>, actor: Actor) -> Result<Json<Value>, ApiError> {
    can_read(&actor)?;
    let now = Timestamp::now();
    // `balance <= moq` compares two fields of one document, which the store's filter
    // language does not express; the materials collection is a short master list.
    let materials: Vec<PackagingMaterial> = st.store.list(&Query::all().sort_asc("id")).await?;
    let data: Vec<Value> = materials
        .iter()
        .filter(|m| material_is_low(m))
        .map(|m| material_view(m, now))
        .collect();
    let count = data.len();
    Ok(Json(
        json!({ "success": true, "data": data, "count": count }),
    ))
}
