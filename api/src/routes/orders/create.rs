//! Booking an order (O4, domain.md §3.7 first row). The server prices it, sets the status,
//! the salesperson and the first history entry; the legacy endpoint stored the client's
//! totals, status and id as sent (D-S5, 8.2.24, D-R6).

use super::engine::insert_new_order;
use super::lines::{LineRequest, pricing_error, sales_items};
use super::lookup::bookable_customer;
use super::view::public;
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::created;
use crate::routes::envelope::Data;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use nexus_core::model::order::{OrderSource, OrderType};
use nexus_core::model::{Order, OrderStatus};
use nexus_core::rules::booking::{self, SalesBooking};
use nexus_core::rules::lifecycle;
use nexus_core::types::Timestamp;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

/// At most this many sales photos (PO copy plus two photos, domain.md §1.4).
pub const MAX_PHOTOS: usize = 3;

// Named apart in the OpenAPI document: the customer form's `AddressInput` is another shape.
/// A structured delivery address (the shape of the customer's `addresses`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = BookingAddress)]
pub struct AddressInput {
    pub label: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub pincode: Option<String>,
}

/// A delivery address as one line of text (old clients) or structured.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum DeliveryAddress {
    Text(String),
    Structured(AddressInput),
}

impl DeliveryAddress {
    pub fn state(&self) -> Option<&str> {
        match self {
            DeliveryAddress::Structured(a) => a.state.as_deref().filter(|s| !s.trim().is_empty()),
            DeliveryAddress::Text(_) => None,
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            DeliveryAddress::Text(s) => Value::String(s.trim().to_string()),
            DeliveryAddress::Structured(a) => json!({
                "label": a.label, "street": a.street, "city": a.city,
                "state": a.state, "pincode": a.pincode,
            }),
        }
    }
}

/// The booking. Totals, status, id, salesperson and history are the server's and are
/// refused here (`deny_unknown_fields`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateOrderRequest {
    #[schema(example = "CUST-001")]
    pub customer_id: String,
    /// 1 to 200 lines.
    #[schema(value_type = Vec<super::lines::BookingLine>, min_items = 1, max_items = 200)]
    pub items: Vec<LineRequest>,
    pub remarks: Option<String>,
    /// Blob keys of up to three photos uploaded first (PO copy first).
    #[serde(default)]
    #[schema(value_type = Vec<crate::routes::param_schemas::BlobKeyText>, max_items = 3)]
    pub sales_photos: Vec<String>,
    pub partner_type: Option<String>,
    pub delivery_address: Option<DeliveryAddress>,
    /// State of delivery for the GST split; default: the address's state, else the
    /// customer's region.
    pub place_of_supply: Option<String>,
    /// Display name old clients send; ignored (read from the customer).
    #[schema(ignore)]
    #[allow(dead_code)]
    pub customer_name: Option<Value>,
    /// What the old mobile app computes and sends (docs/LEGACY_CLIENT.md): checked against
    /// the server's own values, never stored as sent.
    #[schema(ignore)]
    pub status: Option<String>,
    #[schema(ignore)]
    pub total: Option<Decimal>,
    #[schema(ignore)]
    pub sub_total: Option<Decimal>,
    #[schema(ignore)]
    pub gst_amount: Option<Decimal>,
    #[schema(ignore)]
    pub salesperson_id: Option<String>,
    /// The device's clock; the server's time is recorded.
    #[schema(ignore)]
    #[allow(dead_code)]
    pub created_at: Option<Value>,
}

/// The old app's own figures for a booking, checked against the server's: a status or
/// salesperson other than the server's is refused (they were the legacy mass-assignment
/// holes); totals that disagree are logged and the server's kept.
fn check_client_figures(
    body: &CreateOrderRequest,
    order: &Order,
    actor: &Actor,
) -> Result<(), ApiError> {
    if let Some(s) = body.status.as_deref()
        && OrderStatus::parse(s) != Some(order.status)
    {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!(
                "A new order starts at {}; `status` cannot choose another",
                order.status
            ),
        )
        .with_details(json!({ "field": "status", "sent": s })));
    }
    if let Some(s) = body.salesperson_id.as_deref()
        && s.trim() != actor.id()
    {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "`salespersonId` is the signed-in user; an order cannot be booked in another's name",
        )
        .with_details(json!({ "field": "salespersonId" })));
    }
    super::legacy::log_client_totals(order, body.total, body.sub_total, body.gst_amount);
    Ok(())
}

/// Blob keys are server-issued names: bounded, no control characters, no path tricks.
pub fn check_photos(photos: &[String]) -> Result<Vec<String>, ApiError> {
    if photos.len() > MAX_PHOTOS {
        return Err(ApiError::unprocessable(
            ErrorCode::TooManyPhotos,
            format!("At most {MAX_PHOTOS} sales photos"),
        )
        .with_details(json!({ "count": photos.len() })));
    }
    photos
        .iter()
        .map(|p| {
            let p = p.trim();
            if p.is_empty() || p.len() > 512 || p.contains("..") || p.chars().any(char::is_control)
            {
                Err(ApiError::unprocessable(
                    ErrorCode::InvalidPhotoKey,
                    "A sales photo key is empty, too long or malformed",
                )
                .with_details(json!({ "key": p.chars().take(64).collect::<String>() })))
            } else {
                Ok(p.to_string())
            }
        })
        .collect()
}

/// Trims free text and caps its length.
pub fn text(field: &str, v: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    match v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => Err(ApiError::unprocessable(
            ErrorCode::TextTooLong,
            format!("`{field}` is longer than {max} characters"),
        )
        .with_details(json!({ "field": field }))),
        other => Ok(other),
    }
}

/// Book an order for a customer (status Pending Credit Approval). The server computes line
/// values, per-line GST from each product, CGST+SGST or IGST and the totals.
#[utoipa::path(post, path = "/api/orders", tag = "Orders", security(("bearer" = [])),
    request_body = CreateOrderRequest,
    responses(
        (status = 201, description = "Created: the order (a stock transfer when the legacy STN fields are sent)", body = Data<Order>),
        (status = 403, description = "Needs create_orders"),
        (status = 422, description = "Unknown or blocked customer, unknown product, bad quantity or price, or a field the server owns (total, status, id …)"),
    ))]
pub async fn create_order(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(raw): ApiJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    if let Some(stn) = super::legacy::stn_request(&raw, &actor) {
        return super::stn::create(&st, &actor, stn?).await;
    }
    let body: CreateOrderRequest = crate::json::from_body(Value::Object(raw))?;
    let outcome =
        lifecycle::create(OrderType::Sales, &actor.ctx).map_err(super::errors::lifecycle_error)?;
    let customer = bookable_customer(&st, body.customer_id.trim()).await?;
    let items = sales_items(&st, &customer.id, &body.items).await?;
    let photos = check_photos(&body.sales_photos)?;
    let now = Timestamp::now();
    let remarks = text("remarks", body.remarks.clone(), 2_000)?;
    let partner_type = text("partnerType", body.partner_type.clone(), 100)?;
    let place_of_supply = text("placeOfSupply", body.place_of_supply.clone(), 100)?.or_else(|| {
        body.delivery_address
            .as_ref()
            .and_then(|a| a.state().map(str::to_string))
    });
    let mut order = booking::sales_order(SalesBooking {
        customer: &customer,
        items,
        outcome: &outcome,
        salesperson_name: Some(actor.user.name.clone()),
        source: OrderSource::App,
        remarks,
        partner_type,
        place_of_supply,
        now,
    })
    .map_err(|e| pricing_error(e, ""))?;
    order.sales_photos = photos;
    check_client_figures(&body, &order, &actor)?;
    if let Some(a) = &body.delivery_address {
        order.extra.insert("deliveryAddress".into(), a.to_value());
    }

    // The credit check and the order commit together under the customer's guard; a
    // booking for the same customer that committed in between means reading again.
    let _turn = st.booking_turns.take(&order.customer_id).await;
    for _ in 0..super::engine::MAX_ATTEMPTS {
        let mut attempt = order.clone();
        let credit_guard = super::credit_check::check_new_order(&st, &mut attempt).await?;
        if insert_new_order(&st, &actor, "ORD-", &mut attempt, None, credit_guard).await? {
            super::enrichment::on_arrival(&st, actor.id(), &attempt).await;
            return Ok(created(public(&attempt)));
        }
        tokio::task::yield_now().await;
    }
    Err(ApiError::conflict(
        ErrorCode::Conflict,
        "Other orders for this customer kept arriving while this one was checked; try again.",
    ))
}
