//! Customers and their credit data (api.md §2.5, C1–C7; domain.md §1.2, §2.8).
//!
//! What changed from the legacy routes and why:
//! * every route needs a token and a permission (C4–C7 had none, D-S8);
//! * the generic PATCH took any field, so any role could raise a credit limit (8.1.5): it now
//!   takes a whitelist of contact and master fields, and credit figures change only through
//!   `PATCH /api/customers/{id}/credit` (credit control or master data), blocking only through
//!   `PATCH /api/customers/{id}/block`, each audited with old → new;
//! * creation keeps the delivery addresses and KYC documents the legacy schema dropped
//!   (D-D1), holding blob keys (never public URLs, D-S10) that are re-signed on every read;
//! * ids come from the store's sequence (`CUST-000001`), not the clock (D-R6);
//! * payments (C6) and ageing (C7) were mock data (8.3.32); they are computed from the
//!   customer's orders and credit figures;
//! * the import (C5) no longer overwrites credit balances in the request: it stores the file
//!   and queues a job that validates every row (8.2.26).

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::{Paging, commit_audited, created, ok_data, snapshot};
use crate::routes::uploads::{self, Cell, TemplateSpec, blob_error};
use crate::state::AppState;
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use nexus_core::auth::{Access, Permission};
use nexus_core::blob::{BlobKey, LOCAL_URL_PREFIX};
use nexus_core::model::{
    AgingBuckets, AuditAction, Customer, DeliveryAddress, EntityType, JobKind, Order, OrderStatus,
};
use nexus_core::rules::credit::{self, CreditSnapshot};
use nexus_core::rules::expiry::today_ist;
use nexus_core::store::{
    Filter, Query as StoreQuery, StoreError, TypedStore, UpdateOp, Write, commit_with_business_id,
};
use nexus_core::types::{DateOnly, Money, Timestamp};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    let imports = OpenApiRouter::new()
        .routes(routes!(bulk_import))
        .layer(uploads::multipart_limit());
    OpenApiRouter::new()
        .routes(routes!(list_customers, create_customer))
        .routes(routes!(update_customer))
        .routes(routes!(update_credit))
        .routes(routes!(set_blocked))
        .routes(routes!(import_template))
        .routes(routes!(payments))
        .routes(routes!(aging))
        .merge(imports)
}

/// Who may read customers and their credit position: booking (sales), order viewers, credit
/// control and master data. Warehouse, QC, logistics and delivery staff have no need.
const READERS: [(Permission, Access); 4] = [
    (Permission::ViewOrders, Access::View),
    (Permission::CreateOrders, Access::View),
    (Permission::ApproveCredit, Access::View),
    (Permission::MasterData, Access::View),
];

/// Who may change credit figures (and import the OD master that carries them).
const CREDIT_EDITORS: [(Permission, Access); 2] = [
    (Permission::ApproveCredit, Access::Full),
    (Permission::MasterData, Access::Full),
];

/// Signed KYC links handed out with a customer stay valid this long.
const KYC_URL_TTL: std::time::Duration = std::time::Duration::from_secs(3600);

/// The fields holding KYC document blob keys, with the name the key is echoed under.
const KYC_FIELDS: [(&str, &str); 3] = [
    ("gstPhotoUrl", "gstPhotoKey"),
    ("panPhotoUrl", "panPhotoKey"),
    ("chequePhotoUrl", "chequePhotoKey"),
];

async fn load(st: &AppState, id: &str) -> Result<Customer, ApiError> {
    st.store
        .get::<Customer>(Filter::id(id))
        .await?
        .ok_or_else(|| ApiError::record_not_found(ErrorCode::CustomerNotFound, "Customer", id))
}

/// A customer as the API shows it: the stored document with each KYC key replaced by a
/// freshly signed link (the legacy clients display `gstPhotoUrl` as a link) and the key
/// echoed next to it.
async fn present(st: &AppState, c: &Customer) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        for (field, key_field) in KYC_FIELDS {
            let Some(key) = o
                .get(field)
                .and_then(Value::as_str)
                .and_then(|s| BlobKey::parse(s).ok())
            else {
                continue;
            };
            match st.blobs.signed_url(&key, KYC_URL_TTL).await {
                Ok(url) => {
                    o.insert(field.into(), Value::String(url));
                    o.insert(key_field.into(), Value::String(key.to_string()));
                }
                Err(e) => tracing::warn!(error = %e, %key, "KYC link not signed"),
            }
        }
    }
    v
}

// ---------------------------------------------------------------------------------------
// Shared validation

fn trimmed(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn check_len(field: &'static str, v: &str, max: usize) -> Result<(), ApiError> {
    if v.chars().count() > max {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("{field} is longer than {max} characters."),
        )
        .with_details(json!({ "field": field })));
    }
    Ok(())
}

/// GSTIN: 15 characters — state code (2 digits), PAN (5 letters, 4 digits, 1 letter), entity
/// number, `Z`, check character. Normalised to upper case.
fn normalise_gstin(s: &str) -> Result<String, ApiError> {
    let g = s.trim().to_ascii_uppercase();
    let b = g.as_bytes();
    let ok = b.len() == 15
        && b[..2].iter().all(u8::is_ascii_digit)
        && normalise_pan(&g[2..12]).is_ok()
        && b[12].is_ascii_alphanumeric()
        && b[13] == b'Z'
        && b[14].is_ascii_alphanumeric();
    ok.then_some(g.clone()).ok_or_else(|| {
        ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("`{g}` is not a GSTIN."),
        )
        .with_details(json!({ "field": "gst" }))
    })
}

/// PAN: 5 letters, 4 digits, 1 letter. Normalised to upper case.
fn normalise_pan(s: &str) -> Result<String, ApiError> {
    let p = s.trim().to_ascii_uppercase();
    let b = p.as_bytes();
    let ok = b.len() == 10
        && b[..5].iter().all(u8::is_ascii_uppercase)
        && b[5..9].iter().all(u8::is_ascii_digit)
        && b[9].is_ascii_uppercase();
    ok.then_some(p.clone()).ok_or_else(|| {
        ApiError::unprocessable(ErrorCode::ValidationFailed, format!("`{p}` is not a PAN."))
            .with_details(json!({ "field": "pan" }))
    })
}

fn check_email(s: &str) -> Result<String, ApiError> {
    let e = s.trim();
    let ok = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(u, d)| !u.is_empty() && d.contains('.') && !d.starts_with('.'))
        && !e.chars().any(char::is_whitespace);
    ok.then(|| e.to_string()).ok_or_else(|| {
        ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "email is not an e-mail address.",
        )
        .with_details(json!({ "field": "email" }))
    })
}

/// Reads a KYC document reference: a blob key (`photos/01J….jpg`) or a URL this server
/// signed (`/api/files/photos/01J….jpg?exp=…`, possibly absolute). It must name an
/// uploaded photo; the key is what gets stored.
async fn kyc_key(st: &AppState, field: &'static str, raw: &str) -> Result<String, ApiError> {
    let raw = raw.trim();
    let path = match raw.find(LOCAL_URL_PREFIX) {
        Some(i) => &raw[i + LOCAL_URL_PREFIX.len() + 1..],
        None => raw,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let unknown = || {
        ApiError::unprocessable(
            ErrorCode::KycDocumentUnknown,
            format!("{field} does not refer to an uploaded document."),
        )
        .with_details(json!({ "field": field }))
    };
    let key = BlobKey::parse(path).map_err(|_| unknown())?;
    if key.top_folder() != "photos" {
        return Err(unknown());
    }
    match st.blobs.metadata(&key).await.map_err(blob_error)? {
        Some(_) => Ok(key.to_string()),
        None => Err(unknown()),
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressInput {
    pub id: Option<String>,
    pub label: Option<String>,
    pub street: String,
    pub city: String,
    pub state: String,
    pub pincode: String,
    /// `Billing` or `Delivery` (default).
    #[serde(rename = "type")]
    pub address_type: Option<String>,
    #[serde(default)]
    pub is_default: bool,
}

fn addresses(input: Vec<AddressInput>) -> Result<Vec<DeliveryAddress>, ApiError> {
    if input.len() > 20 {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "At most 20 addresses.",
        ));
    }
    let defaults = input.iter().filter(|a| a.is_default).count();
    if defaults > 1 {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "Only one address can be the default.",
        ));
    }
    input
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let kind = a
                .address_type
                .as_deref()
                .map(str::trim)
                .unwrap_or("Delivery");
            let kind = match kind.to_ascii_lowercase().as_str() {
                "delivery" => "Delivery",
                "billing" => "Billing",
                _ => {
                    return Err(ApiError::unprocessable(
                        ErrorCode::ValidationFailed,
                        "Address type must be Billing or Delivery.",
                    )
                    .with_details(json!({ "field": format!("addresses[{i}].type") })));
                }
            };
            let pin = a.pincode.trim();
            if !(pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit())) {
                return Err(ApiError::unprocessable(
                    ErrorCode::ValidationFailed,
                    "A PIN code has six digits.",
                )
                .with_details(json!({ "field": format!("addresses[{i}].pincode") })));
            }
            for (f, v) in [
                ("street", &a.street),
                ("city", &a.city),
                ("state", &a.state),
            ] {
                if v.trim().is_empty() {
                    return Err(ApiError::unprocessable(
                        ErrorCode::ValidationFailed,
                        format!("Address {f} is required."),
                    )
                    .with_details(json!({ "field": format!("addresses[{i}].{f}") })));
                }
                check_len("address", v, 300)?;
            }
            Ok(DeliveryAddress {
                id: a
                    .id
                    .and_then(|s| trimmed(&s))
                    .unwrap_or_else(|| format!("ADDR-{}", i + 1)),
                label: a.label.and_then(|s| trimmed(&s)).unwrap_or_default(),
                street: a.street.trim().into(),
                city: a.city.trim().into(),
                state: a.state.trim().into(),
                pincode: pin.into(),
                address_type: kind.into(),
                is_default: a.is_default,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// C1: list

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilter {
    /// Literal text searched in id, name and location (case-insensitive; never a pattern).
    pub search: Option<String>,
    /// Exact distribution channel (e.g. `Modern Trade`).
    pub channel: Option<String>,
    /// Exact customer class (e.g. `A+`).
    pub class: Option<String>,
}

/// List customers (raw array; `X-Total-Count`, `X-Page`, `X-Limit` headers).
#[utoipa::path(get, path = "/api/customers", tag = "Customers", security(("bearer" = [])),
    params(CustomerFilter, Paging),
    responses(
        (status = 200, description = "Customers sorted by name", body = [Object]),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs view_orders, create_orders, approve_credit or master_data"),
    ))]
async fn list_customers(
    State(st): State<AppState>,
    actor: Actor,
    Query(f): Query<CustomerFilter>,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    actor.require_any(&READERS)?;
    let mut conds = Vec::new();
    if let Some(s) = f.search.as_deref().and_then(trimmed) {
        let s: String = s.chars().take(100).collect();
        conds.push(Filter::or([
            Filter::contains("id", s.clone()),
            Filter::contains("name", s.clone()),
            Filter::contains("location", s),
        ]));
    }
    if let Some(c) = f.channel.as_deref().and_then(trimmed) {
        conds.push(Filter::eq("distributionChannel", c));
    }
    if let Some(c) = f.class.as_deref().and_then(trimmed) {
        conds.push(Filter::eq("customerClass", c));
    }
    let filter = Filter::and(conds);
    let total = st.store.count_of::<Customer>(&filter).await?;
    let page: Vec<Customer> = st
        .store
        .list(&paging.apply(StoreQuery::new(filter).sort_asc("name").sort_asc("id")))
        .await?;
    let mut out = Vec::with_capacity(page.len());
    for c in &page {
        out.push(present(&st, c).await);
    }
    Ok(paging.respond(out, total))
}

// ---------------------------------------------------------------------------------------
// C2: create

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCustomer {
    /// The customer code, for master data only (the old app's master-data form types it);
    /// otherwise the server issues `CUST-nnnnnn`.
    pub id: Option<String>,
    pub name: String,
    /// e.g. `Distributor`, `Retailer`, `Horeca`.
    #[serde(rename = "type")]
    pub customer_type: Option<String>,
    /// `customerEmail` is the old app's name for it.
    #[serde(alias = "customerEmail")]
    pub email: Option<String>,
    /// The old app sends `Active`; a new customer is always active (blocking has its own
    /// route), so anything else is refused.
    pub status: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    /// State (the place of supply for GST).
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// GSTIN (15 characters).
    pub gst: Option<String>,
    pub pan: Option<String>,
    pub fssai: Option<String>,
    /// `Proprietorship`, `Partnership`, `Company`.
    pub constitution: Option<String>,
    pub partners: Option<String>,
    pub distribution_channel: Option<String>,
    pub customer_class: Option<String>,
    pub location: Option<String>,
    pub sales_manager: Option<String>,
    pub employee_responsible: Option<String>,
    /// Requested terms, e.g. `30 days`.
    pub credit_days: Option<String>,
    /// Requested credit limit. Set as the limit only when the caller may decide credit;
    /// otherwise kept as `requestedLimit` for credit control to confirm.
    #[schema(value_type = Option<f64>)]
    pub limit: Option<Money>,
    #[serde(default)]
    pub addresses: Vec<AddressInput>,
    /// KYC documents: the `key` (or the signed `url`) returned by `/api/upload-photo`.
    pub gst_photo_url: Option<String>,
    pub pan_photo_url: Option<String>,
    pub cheque_photo_url: Option<String>,
}

/// Create a customer. The id (`CUST-nnnnnn`) is chosen by the server and the caller becomes
/// the assigned salesperson.
#[utoipa::path(post, path = "/api/customers", tag = "Customers", security(("bearer" = [])),
    request_body = NewCustomer,
    responses(
        (status = 201, description = "`{success, data}` with the new customer"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs create_orders or master_data"),
        (status = 422, description = "Invalid field (details name it) or unknown KYC document"),
    ))]
async fn create_customer(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewCustomer>,
) -> Result<Response, ApiError> {
    actor.require_any(&[
        (Permission::CreateOrders, Access::Full),
        (Permission::MasterData, Access::Full),
    ])?;
    let name = trimmed(&body.name).ok_or_else(|| {
        ApiError::unprocessable(ErrorCode::ValidationFailed, "name is required.")
            .with_details(json!({ "field": "name" }))
    })?;
    check_len("name", &name, 200)?;
    // The old master-data screens (master data only) send a code and `status: Active`;
    // from anyone else both stay refused (mass assignment, 8.1.5).
    let master = actor.can(Permission::MasterData, Access::Full);
    if let Some(status) = body.status.as_deref().and_then(trimmed)
        && !(master && status.eq_ignore_ascii_case("active"))
    {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "A new customer is Active; block or unblock it with PATCH /api/customers/{id}/block.",
        )
        .with_details(json!({ "field": "status" })));
    }
    let chosen_id = match body.id.as_deref().and_then(trimmed) {
        None => None,
        Some(_) if !master => {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "Customer ids are issued by the server.",
            )
            .with_details(json!({ "field": "id" })));
        }
        Some(code) => Some(customer_code(&code)?),
    };
    let mut c = Customer::new("", name);
    let text = |v: Option<String>| v.as_deref().and_then(trimmed);
    c.customer_type = text(body.customer_type);
    c.phone = text(body.phone);
    c.address = text(body.address);
    c.city = text(body.city);
    c.region = text(body.region);
    c.postal_code = text(body.postal_code);
    c.fssai = text(body.fssai);
    c.constitution = text(body.constitution);
    c.partners = text(body.partners);
    c.distribution_channel = text(body.distribution_channel);
    c.customer_class = text(body.customer_class);
    c.location = text(body.location);
    c.sales_manager = text(body.sales_manager);
    c.employee_responsible = text(body.employee_responsible);
    c.credit_days = text(body.credit_days);
    for v in [
        &c.phone,
        &c.address,
        &c.city,
        &c.region,
        &c.partners,
        &c.location,
    ]
    .into_iter()
    .flatten()
    {
        check_len("field", v, 300)?;
    }
    c.email = text(body.email).map(|e| check_email(&e)).transpose()?;
    c.gst = text(body.gst).map(|g| normalise_gstin(&g)).transpose()?;
    c.pan = text(body.pan).map(|p| normalise_pan(&p)).transpose()?;
    c.addresses = addresses(body.addresses)?;
    c.gst_photo_url = match text(body.gst_photo_url) {
        Some(r) => Some(kyc_key(&st, "gstPhotoUrl", &r).await?),
        None => None,
    };
    c.pan_photo_url = match text(body.pan_photo_url) {
        Some(r) => Some(kyc_key(&st, "panPhotoUrl", &r).await?),
        None => None,
    };
    c.cheque_photo_url = match text(body.cheque_photo_url) {
        Some(r) => Some(kyc_key(&st, "chequePhotoUrl", &r).await?),
        None => None,
    };
    if let Some(limit) = body.limit {
        if limit.is_negative() {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "limit cannot be negative.",
            )
            .with_details(json!({ "field": "limit" })));
        }
        // A salesperson proposes; only credit control or master data decide (§3.7).
        if actor.require_any(&CREDIT_EDITORS).is_ok() {
            c.set_limit(limit.round2());
        } else {
            c.extra
                .insert("requestedLimit".into(), json!(limit.round2()));
        }
    }
    c.assigned_salesperson_id = Some(actor.id().to_string());
    c.created_by = Some(actor.id().to_string());

    let mut saved = c.clone();
    let writes = |id: &str| -> Result<Vec<Write>, StoreError> {
        let mut doc = c.clone();
        doc.id = id.to_string();
        let audit = actor
            .audit(AuditAction::Create)
            .entity(EntityType::Customer, id)
            .change(None, snapshot(&doc));
        Ok(vec![Write::insert(&doc)?, Write::insert(&audit)?])
    };
    let id = match chosen_id {
        // A taken code is a unique-index violation: 409, nothing written.
        Some(code) => {
            st.store.commit(writes(&code)?).await?;
            code
        }
        None => commit_with_business_id(st.store.as_ref(), "CUST-", writes).await?,
    };
    saved.id = id;
    Ok(created(present(&st, &saved).await))
}

/// The old app's customer form sends the limit with the descriptive fields: the current
/// limit is accepted and ignored; a new one is refused here, as before, because credit terms
/// change only through `PATCH /api/customers/{id}/credit` (credit editors, audited as such).
fn check_limit_unchanged(current: &Customer, sent: Option<Money>) -> Result<(), ApiError> {
    match sent.map(Money::round2) {
        None => Ok(()),
        Some(l) if current.effective_limit().map(Money::round2) == Some(l) => Ok(()),
        Some(_) => Err(ApiError::unprocessable(
            ErrorCode::FieldNotEditable,
            "The credit limit changes through credit control: PATCH /api/customers/{id}/credit.",
        )
        .with_details(json!({ "field": "limit" }))),
    }
}

/// A customer code chosen by master data: what the importers accept as an id.
fn customer_code(raw: &str) -> Result<String, ApiError> {
    let ok = raw.len() <= 40
        && raw
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_./".contains(ch));
    if ok {
        Ok(raw.to_string())
    } else {
        Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "id is 1 to 40 letters, digits or - _ . /",
        )
        .with_details(json!({ "field": "id" })))
    }
}

// ---------------------------------------------------------------------------------------
// C3: update (whitelisted, non-credit)

/// `Some(None)` for an explicit `null` (clear the field), `None` when absent.
fn some_or_null<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Some(Option::<T>::deserialize(d)?))
}

/// The fields anyone who may edit a customer may change. Credit figures, status, blocking,
/// the assigned salesperson and the id are not here (mass assignment, 8.1.5).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerPatch {
    pub name: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub customer_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null", alias = "customerEmail")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// The old app's customer form sends the credit limit with the rest: the current value
    /// is accepted and ignored; a new one is refused (credit terms change through
    /// `PATCH /api/customers/{id}/credit`).
    #[schema(value_type = Option<f64>)]
    pub limit: Option<Money>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub city: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub region: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub postal_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub gst: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub pan: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub fssai: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub constitution: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub partners: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub distribution_channel: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub customer_class: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub sales_manager: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub employee_responsible: Option<Option<String>>,
    /// Replaces the whole list.
    pub addresses: Option<Vec<AddressInput>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub gst_photo_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub pan_photo_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub cheque_photo_url: Option<Option<String>>,
}

/// Master data may edit any customer; a salesperson (or their managers up the reporting
/// line) the customers assigned to them.
async fn check_may_edit(st: &AppState, actor: &Actor, c: &Customer) -> Result<(), ApiError> {
    if actor.can(Permission::MasterData, Access::Full) {
        return Ok(());
    }
    actor.require_any(&[
        (Permission::CreateOrders, Access::Full),
        (Permission::MasterData, Access::Full),
    ])?;
    let owner = c.assigned_salesperson_id.as_deref().unwrap_or_default();
    if !owner.is_empty() && (owner == actor.id() || actor.subordinates(st).await?.contains(owner)) {
        return Ok(());
    }
    Err(ApiError::forbidden(
        ErrorCode::NotYourCustomer,
        "Only the assigned salesperson, their managers or master data may edit this customer.",
    ))
}

async fn patch_ops(st: &AppState, p: CustomerPatch) -> Result<Vec<UpdateOp>, ApiError> {
    let mut ops = Vec::new();
    if let Some(name) = p.name {
        let name = trimmed(&name).ok_or_else(|| {
            ApiError::unprocessable(ErrorCode::ValidationFailed, "name cannot be empty.")
                .with_details(json!({ "field": "name" }))
        })?;
        check_len("name", &name, 200)?;
        ops.push(UpdateOp::Set("name".into(), json!(name)));
    }
    let plain = [
        ("type", p.customer_type),
        ("phone", p.phone),
        ("address", p.address),
        ("city", p.city),
        ("region", p.region),
        ("postalCode", p.postal_code),
        ("fssai", p.fssai),
        ("constitution", p.constitution),
        ("partners", p.partners),
        ("distributionChannel", p.distribution_channel),
        ("customerClass", p.customer_class),
        ("location", p.location),
        ("salesManager", p.sales_manager),
        ("employeeResponsible", p.employee_responsible),
    ];
    for (field, v) in plain {
        match v {
            None => {}
            Some(v) => match v.as_deref().and_then(trimmed) {
                Some(s) => {
                    check_len(field, &s, 300)?;
                    ops.push(UpdateOp::Set(field.into(), json!(s)));
                }
                None => ops.push(UpdateOp::Unset(field.into())),
            },
        }
    }
    type Check = fn(&str) -> Result<String, ApiError>;
    let checked: [(&str, Option<Option<String>>, Check); 3] = [
        ("email", p.email, check_email),
        ("gst", p.gst, normalise_gstin),
        ("pan", p.pan, normalise_pan),
    ];
    for (field, v, check) in checked {
        match v {
            None => {}
            Some(v) => match v.as_deref().and_then(trimmed) {
                Some(s) => ops.push(UpdateOp::Set(field.into(), json!(check(&s)?))),
                None => ops.push(UpdateOp::Unset(field.into())),
            },
        }
    }
    for (field, v) in [
        ("gstPhotoUrl", p.gst_photo_url),
        ("panPhotoUrl", p.pan_photo_url),
        ("chequePhotoUrl", p.cheque_photo_url),
    ] {
        match v {
            None => {}
            Some(v) => match v.as_deref().and_then(trimmed) {
                Some(s) => {
                    let f: &'static str = field;
                    ops.push(UpdateOp::Set(
                        field.into(),
                        json!(kyc_key(st, f, &s).await?),
                    ));
                }
                None => ops.push(UpdateOp::Unset(field.into())),
            },
        }
    }
    if let Some(a) = p.addresses {
        ops.push(UpdateOp::Set("addresses".into(), json!(addresses(a)?)));
    }
    Ok(ops)
}

/// Apply `ops` to a copy of the customer, for the audit's new image.
fn after(c: &Customer, ops: &[UpdateOp]) -> Result<Customer, ApiError> {
    let mut doc = serde_json::to_value(c)
        .map_err(|e| ApiError::internal_cause("customer does not encode", &e))?;
    nexus_core::store::apply::apply_ops(&mut doc, ops)?;
    serde_json::from_value(doc)
        .map_err(|e| ApiError::internal_cause("updated customer does not decode", &e))
}

/// Update a customer's contact and master fields (not credit, status or blocking).
#[utoipa::path(patch, path = "/api/customers/{id}", tag = "Customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = CustomerPatch,
    responses(
        (status = 200, description = "`{success, data}` with the updated customer"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs master_data, or create_orders on an own customer"),
        (status = 404, description = "No such customer"),
        (status = 422, description = "Unknown or invalid field (credit fields are refused here)"),
    ))]
async fn update_customer(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CustomerPatch>,
) -> Result<Json<Value>, ApiError> {
    actor.require_any(&[
        (Permission::CreateOrders, Access::Full),
        (Permission::MasterData, Access::Full),
    ])?;
    let current = load(&st, &id).await?;
    check_may_edit(&st, &actor, &current).await?;
    check_limit_unchanged(&current, body.limit)?;
    let mut ops = patch_ops(&st, body).await?;
    if ops.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::NothingToUpdate,
            "The body changes nothing.",
        ));
    }
    ops.push(UpdateOp::Set("updatedAt".into(), json!(Timestamp::now())));
    let updated = after(&current, &ops)?;
    let audit = actor
        .audit(AuditAction::Update)
        .entity(EntityType::Customer, &id)
        .change(snapshot(&current), snapshot(&updated));
    commit_audited(
        &st,
        vec![Write::update_one::<Customer>(Filter::id(&id), ops)],
        audit,
        Vec::new(),
    )
    .await?;
    Ok(ok_data(present(&st, &updated).await))
}

// ---------------------------------------------------------------------------------------
// Credit figures

/// The nine ageing buckets, each optional (absent keeps the stored value).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketsInput {
    #[serde(rename = "0 to 7")]
    #[schema(value_type = Option<f64>)]
    pub d0_7: Option<Money>,
    #[serde(rename = "7 to 15")]
    #[schema(value_type = Option<f64>)]
    pub d7_15: Option<Money>,
    #[serde(rename = "15 to 30")]
    #[schema(value_type = Option<f64>)]
    pub d15_30: Option<Money>,
    #[serde(rename = "30 to 45")]
    #[schema(value_type = Option<f64>)]
    pub d30_45: Option<Money>,
    #[serde(rename = "45 to 90")]
    #[schema(value_type = Option<f64>)]
    pub d45_90: Option<Money>,
    #[serde(rename = "90 to 120")]
    #[schema(value_type = Option<f64>)]
    pub d90_120: Option<Money>,
    #[serde(rename = "120 to 150")]
    #[schema(value_type = Option<f64>)]
    pub d120_150: Option<Money>,
    #[serde(rename = "150 to 180")]
    #[schema(value_type = Option<f64>)]
    pub d150_180: Option<Money>,
    #[serde(rename = ">180")]
    #[schema(value_type = Option<f64>)]
    pub over_180: Option<Money>,
}

impl BucketsInput {
    fn apply(self, b: &AgingBuckets) -> AgingBuckets {
        let pick = |new: Option<Money>, old: Money| new.map(Money::round2).unwrap_or(old);
        AgingBuckets {
            d0_7: pick(self.d0_7, b.d0_7),
            d7_15: pick(self.d7_15, b.d7_15),
            d15_30: pick(self.d15_30, b.d15_30),
            d30_45: pick(self.d30_45, b.d30_45),
            d45_90: pick(self.d45_90, b.d45_90),
            d90_120: pick(self.d90_120, b.d90_120),
            d120_150: pick(self.d120_150, b.d120_150),
            d150_180: pick(self.d150_180, b.d150_180),
            over_180: pick(self.over_180, b.over_180),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditUpdate {
    /// Credit limit (written to both `limit` and the legacy `creditLimit`).
    #[schema(value_type = Option<f64>)]
    pub limit: Option<Money>,
    /// Terms, e.g. `30 days`.
    pub credit_days: Option<String>,
    /// Outstanding receivable (written to `osBalance` and `outstanding`); negative = advance.
    #[serde(alias = "outstanding")]
    #[schema(value_type = Option<f64>)]
    pub os_balance: Option<Money>,
    /// Overdue amount (written to `odAmt` and `overdue`).
    #[serde(alias = "overdue")]
    #[schema(value_type = Option<f64>)]
    pub od_amt: Option<Money>,
    pub aging_buckets: Option<BucketsInput>,
    /// Security cheque held (`Yes` / `-`).
    pub security_chq: Option<String>,
    pub ageing_days: Option<i64>,
    #[schema(value_type = Option<f64>)]
    pub diff_yesterday_today: Option<Money>,
    /// Why the figures change (kept in the audit entry).
    pub reason: Option<String>,
}

/// The credit part of a customer, for the audit's old → new.
fn credit_view(c: &Customer) -> Value {
    json!({
        "limit": c.limit, "creditLimit": c.credit_limit,
        "osBalance": c.os_balance, "outstanding": c.outstanding,
        "odAmt": c.od_amt, "overdue": c.overdue,
        "agingBuckets": c.aging_buckets, "creditDays": c.credit_days,
        "securityChq": c.security_chq, "ageingDays": c.ageing_days,
        "diffYesterdayToday": c.diff_yesterday_today,
    })
}

/// Change a customer's credit limit, terms, balances and ageing (credit control or master
/// data). Both members of each legacy alias pair are written so old readers agree.
#[utoipa::path(patch, path = "/api/customers/{id}/credit", tag = "Customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = CreditUpdate,
    responses(
        (status = 200, description = "`{success, data}` with the updated customer"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs approve_credit or master_data"),
        (status = 404, description = "No such customer"),
        (status = 422, description = "Invalid figure, or nothing to change"),
    ))]
async fn update_credit(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreditUpdate>,
) -> Result<Json<Value>, ApiError> {
    actor.require_any(&CREDIT_EDITORS)?;
    let current = load(&st, &id).await?;
    let mut next = current.clone();
    let mut changed = false;
    if let Some(l) = body.limit {
        if l.is_negative() {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "limit cannot be negative.",
            )
            .with_details(json!({ "field": "limit" })));
        }
        next.set_limit(l.round2());
        changed = true;
    }
    if body.os_balance.is_some() || body.od_amt.is_some() {
        let os = body
            .os_balance
            .map(Money::round2)
            .unwrap_or(current.effective_outstanding());
        let od = body
            .od_amt
            .map(Money::round2)
            .unwrap_or(current.effective_overdue());
        if od.is_negative() {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "odAmt cannot be negative.",
            )
            .with_details(json!({ "field": "odAmt" })));
        }
        next.set_balances(os, od);
        changed = true;
    }
    if let Some(b) = body.aging_buckets {
        next.aging_buckets = b.apply(&current.aging_buckets);
        changed = true;
    }
    if let Some(d) = body.credit_days {
        next.credit_days = trimmed(&d);
        changed = true;
    }
    if let Some(s) = body.security_chq {
        let s = trimmed(&s).unwrap_or_else(|| "-".into());
        next.security_chq = Some(s.clone());
        next.security_chq_status = Some(s);
        changed = true;
    }
    if let Some(d) = body.ageing_days {
        if d < 0 {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "ageingDays cannot be negative.",
            )
            .with_details(json!({ "field": "ageingDays" })));
        }
        next.ageing_days = Some(d);
        changed = true;
    }
    if let Some(d) = body.diff_yesterday_today {
        next.diff_yesterday_today = d.round2();
        changed = true;
    }
    if !changed {
        return Err(ApiError::unprocessable(
            ErrorCode::NothingToUpdate,
            "The body changes nothing.",
        ));
    }
    next.updated_at = Some(Timestamp::now());
    let v = credit_view(&next);
    let mut ops: Vec<UpdateOp> = v
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, val)| {
            if val.is_null() {
                UpdateOp::Unset(k.clone())
            } else {
                UpdateOp::Set(k.clone(), val.clone())
            }
        })
        .collect();
    if let Some(s) = &next.security_chq_status {
        ops.push(UpdateOp::Set("securityChqStatus".into(), json!(s)));
    }
    ops.push(UpdateOp::Set("updatedAt".into(), json!(next.updated_at)));
    let mut audit = actor
        .audit(AuditAction::Update)
        .entity(EntityType::Customer, &id)
        .change(Some(credit_view(&current)), Some(v));
    audit.reason = body.reason.as_deref().and_then(trimmed);
    commit_audited(
        &st,
        vec![Write::update_one::<Customer>(Filter::id(&id), ops)],
        audit,
        Vec::new(),
    )
    .await?;
    Ok(ok_data(present(&st, &next).await))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BlockRequest {
    pub blocked: bool,
    /// Required when blocking.
    pub reason: Option<String>,
}

/// Block or unblock a customer (credit control). Orders for a blocked customer are refused
/// at booking and import.
#[utoipa::path(patch, path = "/api/customers/{id}/block", tag = "Customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = BlockRequest,
    responses(
        (status = 200, description = "`{success, data, changed}`"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs approve_credit"),
        (status = 404, description = "No such customer"),
        (status = 409, description = "Changed meanwhile by someone else"),
        (status = 422, description = "Blocking without a reason"),
    ))]
async fn set_blocked(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BlockRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::ApproveCredit, Access::Full)?;
    let reason = body.reason.as_deref().and_then(trimmed);
    if body.blocked && reason.is_none() {
        return Err(ApiError::unprocessable(
            ErrorCode::ReasonRequired,
            "Give a reason for blocking.",
        )
        .with_details(json!({ "field": "reason" })));
    }
    let current = load(&st, &id).await?;
    if current.is_blocked == body.blocked {
        return Ok(Json(
            json!({ "success": true, "changed": false, "data": present(&st, &current).await }),
        ));
    }
    let now = Timestamp::now();
    let mut ops = vec![
        UpdateOp::Set("isBlocked".into(), json!(body.blocked)),
        UpdateOp::Set("updatedAt".into(), json!(now)),
    ];
    if body.blocked {
        ops.push(UpdateOp::Set("blockedReason".into(), json!(reason)));
        ops.push(UpdateOp::Set("blockedBy".into(), json!(actor.id())));
        ops.push(UpdateOp::Set("blockedAt".into(), json!(now)));
    } else {
        for f in ["blockedReason", "blockedBy", "blockedAt"] {
            ops.push(UpdateOp::Unset(f.into()));
        }
    }
    let updated = after(&current, &ops)?;
    let mut audit = actor
        .audit(AuditAction::StatusChange)
        .entity(EntityType::Customer, &id)
        .change(
            Some(json!({ "isBlocked": current.is_blocked })),
            Some(json!({ "isBlocked": body.blocked })),
        );
    audit.reason = reason;
    // Guarded on the state read, so two opposite decisions cannot both go through.
    let guard = Filter::and([
        Filter::id(&id),
        if current.is_blocked {
            Filter::eq("isBlocked", true)
        } else {
            Filter::ne("isBlocked", true)
        },
    ]);
    commit_audited(
        &st,
        vec![Write::update_one::<Customer>(guard, ops)],
        audit,
        Vec::new(),
    )
    .await?;
    Ok(Json(
        json!({ "success": true, "changed": true, "data": present(&st, &updated).await }),
    ))
}

// ---------------------------------------------------------------------------------------
// C4/C5: OD master template and import

/// The 22 columns of the customer / OD master (api.md §5.4.3), in the served order.
pub const TEMPLATE_HEADERS: [&str; 22] = [
    "Customer ID",
    "Dist",
    "Sales Manager",
    "Class",
    "Employee respons.",
    "Customer Names",
    "Credit Days",
    "Credit Limit",
    "Security Chq",
    "Dist Channel",
    "O/s Amt",
    "OD Amt",
    "Diffn btw ydy & tday",
    "0 to 7",
    "7 to 15",
    "15 to 30",
    "30 to 45",
    "45 to 90",
    "90 to 120",
    "120 to 150",
    "150 to 180",
    ">180",
];

const TEMPLATE: TemplateSpec = TemplateSpec {
    sheet: "Customer Master",
    headers: &TEMPLATE_HEADERS,
    header_rgb: 0x334155,
    column_width: 16.0,
    sample: &[] as &[Cell],
    file_name: "Customer_Master_Template.xlsx",
};

/// Download the customer / OD master import template (22 columns, no sample row).
#[utoipa::path(get, path = "/api/customers/import-template", tag = "Customers", security(("bearer" = [])),
    responses(
        (status = 200, description = "Customer_Master_Template.xlsx", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs approve_credit or master_data"),
    ))]
async fn import_template(actor: Actor) -> Result<Response, ApiError> {
    actor.require_any(&[
        (Permission::ApproveCredit, Access::View),
        (Permission::MasterData, Access::View),
    ])?;
    uploads::template_response(&TEMPLATE)
}

/// Upload the customer / OD master workbook (multipart field `file`, ≤ 10 MiB, .xlsx). The
/// file is stored and a `customer_import` job is queued; the worker validates each row and
/// reports rejected rows. Answers 202 with the job id.
#[utoipa::path(post, path = "/api/customers/bulk-import", tag = "Customers", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "Field `file`: the .xlsx workbook"),
    responses(
        (status = 200, description = "Finished while the request waited (`NEXUS_IMPORT_WAIT`; never with `Prefer: respond-async`)", body = uploads::ImportFinished),
        (status = 202, description = "Queued: still running when the wait ended, or `Prefer: respond-async` was sent", body = uploads::ImportQueued),
        (status = 400, description = "No `file` field"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs approve_credit or master_data (the sheet carries credit figures)"),
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
    actor.require_any(&CREDIT_EDITORS)?;
    uploads::queue_import(&st, &actor, &headers, multipart, JobKind::CustomerImport).await
}

// ---------------------------------------------------------------------------------------
// C6: payments

/// Terms assumed when a customer has none on file: the Flutter client's display default
/// of 15 days (domain.md §1.2).
const DEFAULT_CREDIT_DAYS: i64 = 15;

/// `30 days` → 30; the leading number of the terms text.
fn credit_days(c: &Customer) -> i64 {
    c.credit_days
        .as_deref()
        .map(|s| {
            s.trim()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|d| d.parse().ok())
        .unwrap_or(DEFAULT_CREDIT_DAYS)
}

/// Statuses after invoicing: the order is a receivable.
fn is_invoiced(o: &Order) -> bool {
    use OrderStatus::*;
    o.invoice.is_some()
        || matches!(
            o.status,
            ReadyForDispatch | InTransit | OutForDelivery | Delivered | PartAccepted
        )
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRow {
    /// Invoice date (or, for orders without invoice details, when the order was booked).
    #[schema(value_type = String)]
    pub date: Timestamp,
    pub order_id: String,
    pub invoice_no: Option<String>,
    /// Invoice amount.
    #[schema(value_type = f64)]
    pub amount: Money,
    /// Collected at delivery.
    #[schema(value_type = f64)]
    pub paid_amount: Money,
    #[schema(value_type = f64)]
    pub balance: Money,
    #[schema(value_type = String)]
    pub due_date: DateOnly,
    /// `Paid`, `Part Paid`, `Due` or `Overdue`.
    pub status: String,
    /// Days past the due date (0 when not overdue).
    pub days_overdue: i64,
    /// How the money came in (`Cash on delivery`), when anything was collected.
    pub method: Option<String>,
}

/// The customer's invoiced orders as receivables: invoice amount, cash collected at
/// delivery, due date from the customer's credit days, and whether it is overdue today
/// (IST). Payments made outside delivery reach the system only through the ERP's OD master
/// (the customer's `osBalance`), not per invoice, so a row without cash shows as due or
/// overdue until the next OD import is reconciled by credit control.
fn payment_rows(c: &Customer, orders: &[Order], now: Timestamp) -> Vec<PaymentRow> {
    let today = today_ist(now);
    let days = credit_days(c);
    let mut rows: Vec<PaymentRow> = orders
        .iter()
        .filter(|o| !matches!(o.status, OrderStatus::Cancelled | OrderStatus::Rejected))
        .filter(|o| is_invoiced(o))
        .map(|o| {
            let inv = o.invoice.as_ref();
            let date = inv
                .and_then(|i| i.invoice_date)
                .or(o.created_at)
                .unwrap_or(now);
            let amount = inv
                .map(|i| i.total)
                .filter(|t| t.is_positive())
                .unwrap_or(o.total)
                .round2();
            let paid = o
                .delivery
                .as_ref()
                .map(|d| d.cash_collected)
                .unwrap_or_default()
                .round2();
            let balance = (amount - paid).max(Money::ZERO);
            let due = today_ist(date) + chrono::Duration::days(days);
            let late = (today - due).num_days().max(0);
            let status = if balance.is_zero() {
                "Paid"
            } else if late > 0 {
                "Overdue"
            } else if paid.is_positive() {
                "Part Paid"
            } else {
                "Due"
            };
            PaymentRow {
                date,
                order_id: o.id.clone(),
                invoice_no: inv.map(|i| i.invoice_no.clone()),
                amount,
                paid_amount: paid,
                balance,
                due_date: DateOnly::new(due),
                status: status.into(),
                days_overdue: if balance.is_zero() { 0 } else { late },
                method: paid.is_positive().then(|| "Cash on delivery".into()),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.date.cmp(&a.date).then(a.order_id.cmp(&b.order_id)));
    rows
}

async fn customer_orders(st: &AppState, id: &str) -> Result<Vec<Order>, ApiError> {
    Ok(st
        .store
        .list::<Order>(&StoreQuery::new(Filter::eq("customerId", id)))
        .await?)
}

/// The customer's receivables: one row per invoiced order, newest first (raw array).
#[utoipa::path(get, path = "/api/customers/{id}/payments", tag = "Customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "Rows newest first", body = [PaymentRow]),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs view_orders, create_orders, approve_credit or master_data"),
        (status = 404, description = "No such customer"),
    ))]
async fn payments(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Vec<PaymentRow>>, ApiError> {
    actor.require_any(&READERS)?;
    let c = load(&st, &id).await?;
    let orders = customer_orders(&st, &id).await?;
    Ok(Json(payment_rows(&c, &orders, Timestamp::now())))
}

// ---------------------------------------------------------------------------------------
// C7: ageing

/// The customer's ageing and exposure: the nine OD buckets, the three groups the credit
/// review uses (0–30, 31–90, 90+), and exposure = outstanding + open uninvoiced orders
/// against the limit (`rules::credit`).
#[utoipa::path(get, path = "/api/customers/{id}/aging", tag = "Customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "`{success, data}`"),
        (status = 401, description = "Not signed in"),
        (status = 403, description = "Needs view_orders, create_orders, approve_credit or master_data"),
        (status = 404, description = "No such customer"),
    ))]
async fn aging(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    actor.require_any(&READERS)?;
    let c = load(&st, &id).await?;
    let orders = customer_orders(&st, &id).await?;
    let snap = CreditSnapshot::from_customer(&c);
    let open = credit::open_uninvoiced_total(&orders, &id, "");
    let exposure = credit::exposure(&snap, open, Money::ZERO);
    let summary = credit::ageing_summary(&snap.aging_buckets);
    let buckets: serde_json::Map<String, Value> = AgingBuckets::LABELS
        .iter()
        .zip(snap.aging_buckets.as_array())
        .map(|(l, m)| (l.to_string(), json!(m)))
        .collect();
    let ageing_days = snap.ageing_days();
    Ok(ok_data(json!({
        "customerId": c.id,
        "customerName": c.name,
        "buckets": buckets,
        "summary": {
            "0-30": summary.d0_30,
            "31-90": summary.d31_90,
            "90+": summary.d90_plus,
        },
        "bucketTotal": snap.aging_buckets.total(),
        "totalOutstanding": snap.os_balance,
        "overdue": snap.od_amt,
        "overdueSharePct": credit::overdue_share(&snap),
        "creditLimit": snap.limit,
        "availableCredit": credit::available_credit(&snap),
        "creditUtilization": snap.limit.map(|l| {
            if l.is_zero() { rust_decimal::Decimal::ZERO }
            else { (snap.os_balance.amount() / l.amount() * rust_decimal::Decimal::ONE_HUNDRED).round_dp(1) }
        }),
        "exposure": exposure,
        "overLimit": exposure.over_limit(),
        "ageingDays": ageing_days,
        "ageingLabel": credit::ageing_label(ageing_days),
        "critical": credit::is_critical(&snap.aging_buckets),
        "odRisk": credit::od_risk(snap.od_amt),
        "isBlocked": c.is_blocked,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_ids_are_checked_and_normalised() {
        assert_eq!(normalise_pan(" abcde1234f ").unwrap(), "ABCDE1234F");
        assert!(normalise_pan("ABCDE12345").is_err());
        assert_eq!(
            normalise_gstin("27abcde1234f1z5").unwrap(),
            "27ABCDE1234F1Z5"
        );
        assert!(normalise_gstin("27ABCDE1234F1X5").is_err());
        assert!(normalise_gstin("27ABCDE1234F1Z").is_err());
        assert!(check_email("a@b.co").is_ok());
        assert!(check_email("not-an-email").is_err());
        assert!(check_email("a b@c.d").is_err());
    }

    #[test]
    fn credit_days_read_the_leading_number() {
        let mut c = Customer::new("C", "C");
        assert_eq!(credit_days(&c), DEFAULT_CREDIT_DAYS);
        c.credit_days = Some("30 days".into());
        assert_eq!(credit_days(&c), 30);
        c.credit_days = Some("cash".into());
        assert_eq!(credit_days(&c), DEFAULT_CREDIT_DAYS);
    }
}
