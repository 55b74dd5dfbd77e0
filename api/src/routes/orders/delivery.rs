//! Dispatch and delivery (domain.md §3.7, D-L16, D-L17, 8.2.25): a manifest id from a
//! sequence (the legacy `MAN-YYMMDD-k` repeated whenever two manifests had the same number
//! of orders), the agent stored by user id and checked to be a Delivery Team user, a 12-digit
//! e-way bill, logistics merged (never replaced), and a six-digit delivery OTP given once to
//! the dispatcher and kept only as a keyed hash, verified on the server by the assigned
//! agent (the legacy only checked its length). Returns restock through the ledger.

use super::access::{Visibility, visible_order};
use super::create::text;
use super::engine::{Done, Plan, apply, respond, retrying, run_step};
use super::view::public;
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::envelope::{Data, ItemError};
use crate::routes::extract::OptionalJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use nexus_core::auth::{Access, Permission, Role};
use nexus_core::model::order::{DeliveryDetails, Logistics};
use nexus_core::model::{AuditAction, EntityType, Order, OrderStatus, User};
use nexus_core::rules::expiry::today_ist;
use nexus_core::rules::lifecycle::{Action, OrderContext, transition};
use nexus_core::store::{Filter, Query, TypedStore, UpdateOp, Write};
use nexus_core::types::{Money, Quantity, Timestamp};
use rust_decimal::Decimal;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use utoipa::ToSchema;

/// Wrong OTPs allowed before the delivery must go through an admin bypass.
pub const MAX_OTP_ATTEMPTS: u64 = 5;
const OTP_HASH: &str = "deliveryOtpHash";
const OTP_ATTEMPTS: &str = "deliveryOtpAttempts";
/// Orders one manifest may carry.
const MAX_MANIFEST_ORDERS: usize = 100;

/// The longest road trip a dispatch records (the route-cost calculator's bound too).
const MAX_ROUTE_KM: i64 = 6_000;

fn otp_key(st: &AppState) -> Vec<u8> {
    static FALLBACK: OnceLock<[u8; 32]> = OnceLock::new();
    match &st.config.jwt_secret {
        Some(s) => s.expose_secret().as_bytes().to_vec(),
        // Without a configured secret (tests only) OTPs live as long as the process, like
        // the tokens.
        None => FALLBACK.get_or_init(rand::random).to_vec(),
    }
}

fn otp_mac(st: &AppState, order_id: &str, otp: &str) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&otp_key(st)).ok()?;
    mac.update(format!("delivery-otp:{order_id}:{otp}").as_bytes());
    Some(mac)
}

/// A fresh six-digit OTP and its keyed hash (HMAC-SHA256 under the server secret, so a
/// leaked order document does not reveal the code).
pub fn new_otp(st: &AppState, order_id: &str) -> Result<(String, String), ApiError> {
    let otp = format!("{:06}", rand::random_range(0..1_000_000u32));
    let mac = otp_mac(st, order_id, &otp)
        .ok_or_else(|| ApiError::internal_fault("delivery OTP key not usable"))?;
    Ok((otp, B64.encode(mac.finalize().into_bytes())))
}

fn otp_matches(st: &AppState, order_id: &str, otp: &str, stored: &str) -> bool {
    let (Some(mac), Ok(expected)) = (otp_mac(st, order_id, otp.trim()), B64.decode(stored)) else {
        return false;
    };
    mac.verify_slice(&expected).is_ok()
}

/// `MAN-YYMMDD-nnn`: the IST business day and a per-day sequence shared by every process.
pub async fn next_manifest_id(st: &AppState) -> Result<String, ApiError> {
    let day = today_ist(Timestamp::now()).format("%y%m%d").to_string();
    let name = format!("MAN-{day}");
    let n = st.store.next_sequence(&name).await?;
    Ok(format!("{name}-{n:03}"))
}

/// What the hub enters when loading.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DispatchRequest {
    /// User id of a Delivery Team member.
    #[schema(example = "DRV-001")]
    pub delivery_agent_id: String,
    #[schema(
        example = "MH-04-AB-1234",
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,19}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub vehicle_no: String,
    /// The 12-digit GST e-way bill number.
    #[schema(example = "331000001234", pattern = "^\\s*[0-9]{12}\\s*$")]
    pub eway_bill: String,
    #[schema(
        example = "SEAL-0042",
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,39}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub seal_no: String,
    pub vehicle_provider: Option<String>,
    pub vehicle_type: Option<String>,
    /// Kilometres, 0 to 6,000.
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 6000)]
    pub distance_km: Option<Decimal>,
    /// Legacy bulk-assign fields, accepted and ignored: costing is its own step and the
    /// manifest id comes from the server's sequence.
    #[schema(ignore)]
    #[allow(dead_code)]
    pub shipping_cost: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub manifest_id: Option<Value>,
}

/// Checked dispatch data with the agent's user record.
#[derive(Debug, Clone)]
pub struct Loading {
    pub agent: User,
    pub vehicle_no: String,
    pub eway_bill: String,
    pub seal_no: String,
    pub vehicle_provider: String,
    pub vehicle_type: Option<String>,
    pub distance_km: Option<Decimal>,
}

/// The agent by user id; failing that, by exact name when exactly one active Delivery Team
/// user has it (the old mobile app's hub screen sends the agent's name).
async fn delivery_agent(st: &AppState, key: &str) -> Result<Option<User>, ApiError> {
    let is_agent = |u: &User| u.role == Role::DeliveryTeam && u.is_active();
    if let Some(u) = st.store.get::<User>(Filter::id(key)).await? {
        return Ok(Some(u).filter(is_agent));
    }
    let named: Vec<User> = st
        .store
        .list(&Query::new(Filter::and([
            Filter::eq("name", key),
            Filter::eq("role", Role::DeliveryTeam.as_str()),
        ])))
        .await?;
    let mut active = named.into_iter().filter(is_agent);
    Ok(match (active.next(), active.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    })
}

pub async fn check_loading(st: &AppState, d: &DispatchRequest) -> Result<Loading, ApiError> {
    let agent = delivery_agent(st, d.delivery_agent_id.trim())
        .await?
        .ok_or_else(|| {
            ApiError::unprocessable(
                ErrorCode::InvalidDeliveryAgent,
                "deliveryAgentId must be an active Delivery Team user (id, or a name only one agent has)",
            )
            .with_details(json!({ "deliveryAgentId": d.delivery_agent_id }))
        })?;
    let eway = d.eway_bill.trim();
    if eway.len() != 12 || !eway.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidEwayBill,
            "ewayBill must be the 12-digit e-way bill number",
        )
        .with_details(json!({ "ewayBill": eway })));
    }
    let required = |field: &str, v: &str, max: usize| -> Result<String, ApiError> {
        text(field, Some(v.to_string()), max)?.ok_or_else(|| {
            ApiError::unprocessable(ErrorCode::FieldRequired, format!("`{field}` is required"))
                .with_details(json!({ "field": field }))
        })
    };
    if let Some(km) = d.distance_km
        && (km < Decimal::ZERO || km > Decimal::from(MAX_ROUTE_KM))
    {
        return Err(ApiError::unprocessable(
            ErrorCode::NegativeAmount,
            format!("distanceKm must be from 0 to {MAX_ROUTE_KM}"),
        )
        .with_details(json!({})));
    }
    Ok(Loading {
        vehicle_no: required("vehicleNo", &d.vehicle_no, 20)?,
        seal_no: required("sealNo", &d.seal_no, 40)?,
        eway_bill: eway.to_string(),
        vehicle_provider: text("vehicleProvider", d.vehicle_provider.clone(), 60)?
            .unwrap_or_else(|| "Hub Manifest".into()),
        vehicle_type: text("vehicleType", d.vehicle_type.clone(), 40)?,
        distance_km: d.distance_km,
        agent,
    })
}

/// Dispatches one order on `manifest`; returns the committed step and the OTP (shown once).
pub async fn dispatch_one(
    st: &AppState,
    actor: &Actor,
    id: &str,
    loading: &Loading,
    manifest: &str,
) -> Result<(Done, String), ApiError> {
    let (otp, hash) = new_otp(st, id)?;
    let done = run_step(st, actor, id, |_| {
        let (l, hash, manifest) = (loading.clone(), hash.clone(), manifest.to_string());
        Ok(Plan::new(Action::Dispatch).record(move |o, _| {
            let now = Timestamp::now();
            let lg = o.logistics.get_or_insert_with(Logistics::default);
            lg.delivery_agent_id = Some(l.agent.id.clone());
            lg.delivery_agent_name = Some(l.agent.name.clone());
            lg.vehicle_no = Some(l.vehicle_no);
            lg.vehicle_provider = Some(l.vehicle_provider);
            if l.vehicle_type.is_some() {
                lg.vehicle_type = l.vehicle_type;
            }
            if l.distance_km.is_some() {
                lg.distance_km = l.distance_km;
            }
            lg.manifest_id = Some(manifest.clone());
            lg.eway_bill = Some(l.eway_bill);
            lg.seal_no = Some(l.seal_no);
            lg.booking_date = Some(now);
            lg.assigned_at = Some(now);
            o.extra.insert(OTP_HASH.into(), Value::String(hash));
            o.extra.insert(OTP_ATTEMPTS.into(), json!(0));
            Ok(Some(
                json!({ "manifestId": manifest, "deliveryAgentId": l.agent.id }),
            ))
        }))
    })
    .await?;
    Ok((done, otp))
}

/// Load an invoiced order for delivery (fleet_loading): manifest id, agent, vehicle, e-way
/// bill, seal. The response carries the delivery OTP once; only its hash is kept.
#[utoipa::path(post, path = "/api/orders/{id}/dispatch", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = DispatchRequest,
    responses(
        (status = 200, description = "Dispatched: the order, its manifest and the delivery OTP", body = Dispatched),
        (status = 403, description = "Needs fleet_loading"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Not ready for dispatch"),
        (status = 422, description = "Agent not a Delivery Team user, e-way bill not 12 digits, missing vehicle or seal"),
    ))]
pub async fn dispatch(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DispatchRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::FleetLoading, Access::Full)?;
    let loading = check_loading(&st, &body).await?;
    let manifest = next_manifest_id(&st).await?;
    let (done, otp) = dispatch_one(&st, &actor, &id, &loading, &manifest).await?;
    Ok(Json(json!({
        "success": true,
        "data": public(&done.order),
        "manifestId": manifest,
        "deliveryOtp": otp,
    })))
}

/// A dispatched order with its manifest and the delivery OTP (shown once, to the loader, for
/// the customer; the server keeps only a keyed hash).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dispatched {
    pub success: bool,
    pub data: Order,
    pub manifest_id: String,
    /// Six digits.
    pub delivery_otp: String,
}

/// An order the bulk dispatch loaded.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DispatchDone {
    pub order_id: String,
    /// `true`.
    pub success: bool,
    pub status: OrderStatus,
    pub delivery_otp: String,
}

/// An order the bulk dispatch refused.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DispatchRefused {
    pub order_id: String,
    /// `false`.
    pub success: bool,
    /// The HTTP status the order would have got on its own.
    pub status: u16,
    pub error: ItemError,
}

/// One order's result.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Describes the body for the OpenAPI document; the handler writes it as JSON.
pub enum DispatchResult {
    Done(DispatchDone),
    Refused(DispatchRefused),
}

/// The answer of a bulk dispatch under one manifest.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkDispatch {
    /// True when every order was dispatched.
    pub success: bool,
    pub message: String,
    /// Orders dispatched.
    pub updated: u64,
    pub manifest_id: String,
    pub results: Vec<DispatchResult>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkAssignRequest {
    /// 1 to 50 order ids (blank and repeated ids are dropped).
    #[schema(value_type = Vec<crate::routes::param_schemas::NonBlank>, min_items = 1, max_items = 50)]
    pub order_ids: Vec<String>,
    pub logistics_data: DispatchRequest,
}

/// Dispatch several orders under one manifest (L1, fleet_loading). Each order is checked and
/// committed on its own (Ready for Dispatch only); the answer lists the result per order.
#[utoipa::path(post, path = "/api/logistics/bulk-assign", tag = "Order lifecycle",
    security(("bearer" = [])), request_body = BulkAssignRequest,
    responses(
        (status = 200, description = "The result per order (`success` is true only when every order was dispatched)", body = BulkDispatch),
        (status = 403, description = "Needs fleet_loading"),
        (status = 422, description = "No order ids, too many, or bad loading data"),
    ))]
pub async fn bulk_assign(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<BulkAssignRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::FleetLoading, Access::Full)?;
    let mut ids: Vec<String> = Vec::new();
    for id in body.order_ids.iter().map(|s| s.trim().to_string()) {
        if !id.is_empty() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() || ids.len() > MAX_MANIFEST_ORDERS {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidOrderIds,
            format!("orderIds must name 1 to {MAX_MANIFEST_ORDERS} orders"),
        )
        .with_details(json!({ "count": ids.len() })));
    }
    let loading = check_loading(&st, &body.logistics_data).await?;
    let manifest = next_manifest_id(&st).await?;
    let mut results = Vec::with_capacity(ids.len());
    let mut updated = 0;
    for id in &ids {
        match dispatch_one(&st, &actor, id, &loading, &manifest).await {
            Ok((done, otp)) => {
                updated += 1;
                results.push(json!({
                    "orderId": id, "success": true, "status": done.order.status,
                    "deliveryOtp": otp,
                }));
            }
            Err(e) => results.push(json!({
                "orderId": id, "success": false, "status": e.status.as_u16(),
                "error": { "code": e.code, "message": e.message },
            })),
        }
    }
    Ok(Json(json!({
        "success": updated == ids.len(),
        "message": format!("{updated} order(s) dispatched successfully"),
        "updated": updated,
        "manifestId": manifest,
        "results": results,
    })))
}

/// The assigned agent picked the goods up (In Transit → Out for Delivery).
#[utoipa::path(post, path = "/api/orders/{id}/out-for-delivery", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    responses(
        (status = 200, description = "Out for Delivery", body = Data<Order>),
        (status = 403, description = "Needs delivery, and only the assigned agent"),
        (status = 404, description = "No such order among your deliveries"),
        (status = 409, description = "Not in transit"),
    ))]
pub async fn out_for_delivery(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::Delivery, Access::Full)?;
    let done = run_step(&st, &actor, &id, |_| Ok(Plan::new(Action::OutForDelivery))).await?;
    Ok(respond(&done))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliverRequest {
    /// The six-digit code the customer received at dispatch.
    pub otp: Option<String>,
    /// Cash taken from the customer at the door (0 to 1e12; not negative).
    #[serde(default)]
    #[schema(value_type = f64, minimum = 0, maximum = 1e12)]
    pub cash_collected: Decimal,
    /// Blob key of the proof of delivery.
    #[schema(value_type = Option<crate::routes::param_schemas::BlobKeyText>)]
    pub pod_key: Option<String>,
    pub receiver_name: Option<String>,
    /// Accepted quantity per line, in order; default: everything. Less on any line → Part
    /// Accepted, and the rest goes back to its batches.
    #[schema(value_type = Option<Vec<crate::routes::param_schemas::DeliveredQuantity>>)]
    pub delivered_quantities: Option<Vec<Decimal>>,
    pub remarks: Option<String>,
}

/// What the order carried per line: its allocation while it holds stock, else what was
/// packed, else what was ordered.
fn carried(order: &Order) -> Vec<Quantity> {
    order
        .items
        .iter()
        .map(|i| {
            if order.stock_reserved {
                i.allocated_batches.iter().map(|a| a.qty).sum()
            } else {
                i.packed_quantity.unwrap_or(i.quantity)
            }
        })
        .collect()
}

/// Per line: (delivered, returned).
fn split_delivery(
    order: &Order,
    given: Option<&[Decimal]>,
) -> Result<Vec<(Quantity, Quantity)>, ApiError> {
    let carried = carried(order);
    let Some(given) = given else {
        return Ok(carried.into_iter().map(|c| (c, Quantity::ZERO)).collect());
    };
    if given.len() != carried.len() {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidQuantities,
            format!(
                "deliveredQuantities needs one entry per line ({})",
                carried.len()
            ),
        )
        .with_details(json!({ "lines": carried.len() })));
    }
    given
        .iter()
        .zip(carried)
        .enumerate()
        .map(|(i, (g, c))| {
            let d = Quantity::new(*g).map_err(|_| {
                ApiError::unprocessable(
                    ErrorCode::InvalidQuantities,
                    format!("line {i}: a delivered quantity cannot be negative"),
                )
                .with_details(json!({ "line": i }))
            })?;
            let returned = c.checked_sub(d).ok_or_else(|| {
                ApiError::unprocessable(
                    ErrorCode::InvalidQuantities,
                    format!("line {i}: delivered {d}, but only {c} was carried"),
                )
                .with_details(json!({ "line": i, "carried": c }))
            })?;
            Ok((d, returned))
        })
        .collect()
}

fn otp_attempts(order: &Order) -> u64 {
    order
        .extra
        .get(OTP_ATTEMPTS)
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

/// Verifies the OTP; a wrong one is counted (and audited) and refused.
async fn check_otp(
    st: &AppState,
    actor: &Actor,
    order: &Order,
    otp: Option<&str>,
) -> Result<bool, ApiError> {
    let Some(hash) = order.extra.get(OTP_HASH).and_then(Value::as_str) else {
        // Dispatched before OTPs existed (legacy data): delivered without one, recorded as
        // not verified.
        return Ok(false);
    };
    let attempts = otp_attempts(order);
    if attempts >= MAX_OTP_ATTEMPTS {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::OtpLocked,
            "Too many wrong OTPs for this order; an Admin must complete it with a bypass.",
        ));
    }
    let Some(otp) = otp.map(str::trim).filter(|o| !o.is_empty()) else {
        return Err(ApiError::unprocessable(
            ErrorCode::OtpRequired,
            "The delivery OTP is required",
        )
        .with_details(json!({})));
    };
    if otp_matches(st, &order.id, otp, hash) {
        return Ok(true);
    }
    let mut audit = actor
        .audit(AuditAction::StatusChange)
        .entity(EntityType::Order, order.id.clone());
    audit.success = false;
    audit.error_message = Some("OTP_INVALID".into());
    st.store
        .commit(vec![
            Write::update_one::<Order>(
                Filter::id(order.id.clone()),
                vec![UpdateOp::Inc(OTP_ATTEMPTS.into(), json!(1))],
            ),
            Write::insert(&audit)?,
        ])
        .await?;
    Err(
        ApiError::unprocessable(ErrorCode::OtpInvalid, "The delivery OTP is wrong")
            .with_details(json!({ "attemptsLeft": MAX_OTP_ATTEMPTS.saturating_sub(attempts + 1) })),
    )
}

/// What the caller of [`deliver_step`] asked for: whatever the quantities say (the legacy
/// `/deliver`), or explicitly a part acceptance (`/part-accept`), which must leave something
/// undelivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    AsCounted,
    Partial,
}

pub async fn deliver_step(
    st: &AppState,
    actor: &Actor,
    id: &str,
    body: &DeliverRequest,
    acceptance: Acceptance,
) -> Result<Done, ApiError> {
    actor.require(Permission::Delivery, Access::Full)?;
    if body.cash_collected < Decimal::ZERO {
        return Err(ApiError::unprocessable(
            ErrorCode::NegativeAmount,
            "cashCollected cannot be negative",
        )
        .with_details(json!({})));
    }
    let receiver = text("receiverName", body.receiver_name.clone(), 120)?;
    let remarks = text("remarks", body.remarks.clone(), 1_000)?;
    let pod = match body.pod_key.as_ref() {
        Some(p) => super::create::check_photos(std::slice::from_ref(p))?.pop(),
        None => None,
    };
    let vis = Visibility::of(st, actor).await?;
    let (vis, receiver, remarks, pod) = (&vis, &receiver, &remarks, &pod);
    retrying(move || async move {
        let order = visible_order(st, vis, id).await?;
        // Who may deliver (the assigned agent, on the road) before what they sent: the three
        // ends of a delivery share that gate, so a stranger learns nothing from a 422.
        transition(&OrderContext::of(&order), &Action::Deliver, &actor.ctx)
            .map_err(super::errors::lifecycle_error)?;
        let lines = split_delivery(&order, body.delivered_quantities.as_deref())?;
        let partial = lines.iter().any(|(_, r)| !r.is_zero());
        if lines.iter().all(|(d, _)| d.is_zero()) {
            return Err(ApiError::unprocessable(
                ErrorCode::NothingDelivered,
                "Nothing was accepted: use return-to-warehouse",
            )
            .with_details(json!({})));
        }
        if acceptance == Acceptance::Partial && !partial {
            return Err(ApiError::unprocessable(
                ErrorCode::NothingReturned,
                "Every line was accepted in full: that is a delivery (POST /api/orders/{id}/deliver)",
            )
            .with_details(json!({})));
        }
        let action = if partial {
            Action::PartAccept
        } else {
            Action::Deliver
        };
        // Only the assigned agent may even try an OTP (so nobody else can lock it out).
        transition(&OrderContext::of(&order), &action, &actor.ctx)
            .map_err(super::errors::lifecycle_error)?;
        let verified = check_otp(st, actor, &order, body.otp.as_deref()).await?;
        let mut plan = Plan::new(action).note(remarks.clone());
        plan.stock.returns = lines
            .iter()
            .enumerate()
            .filter(|(_, (_, r))| !r.is_zero())
            .map(|(i, (_, r))| (i, *r))
            .collect::<BTreeMap<_, _>>();
        let (by, cash) = (
            actor.id().to_string(),
            Money::new(body.cash_collected).round2(),
        );
        let (receiver, remarks, pod) = (receiver.clone(), remarks.clone(), pod.clone());
        let plan = plan.record(move |o, _| {
            // A backorder's second trip adds to what the first delivered.
            for (item, (d, _)) in o.items.iter_mut().zip(&lines) {
                item.delivered_quantity = Some(item.delivered_quantity.unwrap_or_default() + *d);
            }
            o.delivery = Some(DeliveryDetails {
                otp_verified: verified,
                delivered_at: Some(Timestamp::now()),
                delivered_by: Some(by),
                cash_collected: cash,
                pod_url: pod.clone(),
                receiver_name: receiver,
                remarks,
            });
            if pod.is_some() {
                o.pod_url = pod;
            }
            o.extra.remove(OTP_HASH);
            o.extra.remove(OTP_ATTEMPTS);
            Ok(Some(json!({
                "otpVerified": verified,
                "cashCollected": cash,
                "delivered": lines.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
                "returned": lines.iter().map(|(_, r)| *r).collect::<Vec<_>>(),
            })))
        });
        apply(st, actor, order, plan).await
    })
    .await
}

/// Confirm delivery (assigned agent only, delivery): the OTP is checked on the server; less
/// than carried on any line → Part Accepted with the rest restocked through the ledger.
#[utoipa::path(post, path = "/api/orders/{id}/deliver", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = DeliverRequest,
    responses(
        (status = 200, description = "Delivered or Part Accepted", body = Data<Order>),
        (status = 403, description = "Needs delivery, and only the assigned agent"),
        (status = 404, description = "No such order among your deliveries"),
        (status = 409, description = "Not out for delivery"),
        (status = 422, description = "OTP missing or wrong; quantities invalid"),
        (status = 429, description = "Too many wrong OTPs"),
    ))]
pub async fn deliver(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeliverRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = deliver_step(&st, &actor, &id, &body, Acceptance::AsCounted).await?;
    Ok(respond(&done))
}

/// The customer accepted part of the goods (assigned agent only, delivery): the OTP is
/// checked as for a delivery, `deliveredQuantities` (one per line) must leave something
/// undelivered, and what was not accepted goes back to its batches through the ledger. The
/// order is Part Accepted; the warehouse may then re-attempt the rest
/// (`POST /api/orders/{id}/reopen-backorder`).
#[utoipa::path(post, path = "/api/orders/{id}/part-accept", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = DeliverRequest,
    responses(
        (status = 200, description = "Part Accepted, the rest restocked", body = Data<Order>),
        (status = 403, description = "Needs delivery, and only the assigned agent"),
        (status = 404, description = "No such order among your deliveries"),
        (status = 409, description = "Not out for delivery"),
        (status = 422, description = "OTP missing or wrong; quantities invalid, all accepted (`NOTHING_RETURNED`) or none (`NOTHING_DELIVERED`)"),
        (status = 429, description = "Too many wrong OTPs"),
    ))]
pub async fn part_accept(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeliverRequest>,
) -> Result<Json<Value>, ApiError> {
    let done = deliver_step(&st, &actor, &id, &body, Acceptance::Partial).await?;
    Ok(respond(&done))
}

/// An optional note for a backorder re-attempt.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReopenRequest {
    /// Why, or what was agreed with the customer (at most 1,000 characters).
    pub reason: Option<String>,
}

/// Re-attempt what a part acceptance left undelivered (manage_warehouse): Part Accepted →
/// Backorder, reserving each line's undelivered quantity again (FEFO in the order's
/// warehouse; what is short stays on backorder). The order then goes through packing, QC
/// and dispatch again; the next delivery adds to what was delivered.
#[utoipa::path(post, path = "/api/orders/{id}/reopen-backorder", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body(content = Option<ReopenRequest>, description = "Optional note"),
    responses(
        (status = 200, description = "Backorder, the undelivered rest reserved", body = Data<Order>),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "Not Part Accepted, or nothing is outstanding (`NOTHING_OUTSTANDING`)"),
        (status = 422, description = "Note too long"),
    ))]
pub async fn reopen_backorder(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<ReopenRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ManageWarehouse, Access::Full)?;
    let reason = text("reason", body.reason, 1_000)?;
    let done = run_step(&st, &actor, &id, |order| {
        let outstanding: Vec<Quantity> = order.items.iter().map(outstanding_of).collect();
        if order.status == OrderStatus::PartAccepted && outstanding.iter().all(|q| q.is_zero()) {
            return Err(ApiError::conflict(
                ErrorCode::NothingOutstanding,
                "Every line was delivered in full: there is nothing to re-attempt",
            )
            .with_details(json!({})));
        }
        Ok(Plan::new(Action::ReopenBackorder)
            .note(reason.clone())
            .record(move |_, _| Ok(Some(json!({ "outstanding": outstanding })))))
    })
    .await?;
    Ok(respond(&done))
}

/// What a line still owes the customer: ordered less delivered.
fn outstanding_of(item: &nexus_core::model::order::OrderItem) -> Quantity {
    item.quantity
        .checked_sub(item.delivered_quantity.unwrap_or_default())
        .unwrap_or_default()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReturnRequest {
    /// Why the customer did not accept the goods.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,999}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub reason: String,
}

/// The customer refused everything: the goods go back to their batches (assigned agent).
#[utoipa::path(post, path = "/api/orders/{id}/return-to-warehouse", tag = "Order lifecycle",
    security(("bearer" = [])), params(("id" = String, Path, description = "Order id")),
    request_body = ReturnRequest,
    responses(
        (status = 200, description = "Returned to Warehouse, stock restocked", body = Data<Order>),
        (status = 403, description = "Needs delivery, and only the assigned agent"),
        (status = 404, description = "No such order among your deliveries"),
        (status = 409, description = "Not out for delivery"),
        (status = 422, description = "Reason missing"),
    ))]
pub async fn return_to_warehouse(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReturnRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::Delivery, Access::Full)?;
    let reason = text("reason", Some(body.reason), 1_000)?.ok_or_else(|| {
        ApiError::unprocessable(ErrorCode::ReasonRequired, "A reason is required")
            .with_details(json!({}))
    })?;
    let done = run_step(&st, &actor, &id, |order| {
        let mut plan = Plan::new(Action::ReturnToWarehouse).note(Some(reason.clone()));
        plan.stock.returns = carried(order)
            .into_iter()
            .enumerate()
            .filter(|(_, q)| !q.is_zero())
            .collect();
        let r = reason.clone();
        Ok(plan.record(move |o, _| {
            for item in &mut o.items {
                item.delivered_quantity = Some(Quantity::ZERO);
            }
            o.rejection_reason = Some(r);
            o.extra.remove(OTP_HASH);
            o.extra.remove(OTP_ATTEMPTS);
            Ok(None)
        }))
    })
    .await?;
    Ok(respond(&done))
}
