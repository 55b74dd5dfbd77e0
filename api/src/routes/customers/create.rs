//! C2: creating a customer (server-issued `CUST-nnnnnn` or a master-data code, KYC keys,
//! a requested or decided limit). Separate from C3 because creation has its own body and id
//! rules.

use super::validate::{
    AddressInput, address_list, addresses, amount, check_email, check_len, de_opt_unsigned,
    kyc_key, normalise_gstin, normalise_pan, trimmed,
};
use super::{CREDIT_EDITORS, CustomerView, present};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::{created, snapshot};
use crate::routes::envelope::Data;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, Customer, EntityType};
use nexus_core::store::{StoreError, Write, commit_with_business_id};
use nexus_core::types::Money;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCustomer {
    /// The customer code, for master data only (the old app's master-data form types it):
    /// at most 40 letters, digits or `- _ . /`; otherwise (or empty) the server issues
    /// `CUST-nnnnnn`.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9._/-]{0,40}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub id: Option<String>,
    /// Not blank, at most 200 characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    /// e.g. `Distributor`, `Retailer`, `Horeca`.
    #[serde(rename = "type")]
    pub customer_type: Option<String>,
    /// `customerEmail` is the old app's name for it.
    #[serde(alias = "customerEmail")]
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[!-?A-~]{1,64}@[!--/-~][!-~]{0,93}\.[!-~]{0,93})?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: Option<String>,
    /// The old app sends `Active` (master data); a new customer is always active (blocking
    /// has its own route), so anything else is refused.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[Aa][Cc][Tt][Ii][Vv][Ee])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub status: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub phone: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub address: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub city: Option<String>,
    /// State (the place of supply for GST).
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// GSTIN (15 characters).
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[0-9]{2}[A-Za-z]{5}[0-9]{4}[A-Za-z][A-Za-z0-9][Zz][A-Za-z0-9])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub gst: Option<String>,
    /// PAN (10 characters).
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[A-Za-z]{5}[0-9]{4}[A-Za-z])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub pan: Option<String>,
    pub fssai: Option<String>,
    /// `Proprietorship`, `Partnership`, `Company`.
    pub constitution: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub partners: Option<String>,
    pub distribution_channel: Option<String>,
    pub customer_class: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub location: Option<String>,
    pub sales_manager: Option<String>,
    pub employee_responsible: Option<String>,
    /// Requested terms, e.g. `30 days`.
    pub credit_days: Option<String>,
    /// Requested credit limit. Set as the limit only when the caller may decide credit;
    /// otherwise kept as `requestedLimit` for credit control to confirm.
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub limit: Option<Money>,
    #[serde(default)]
    #[schema(schema_with = address_list)]
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
        (status = 201, description = "Created: the new customer", body = Data<CustomerView>),
        (status = 403, description = "Needs create_orders or master_data"),
        (status = 409, description = "A customer with this id already exists"),
        (status = 422, description = "Invalid field (details name it) or unknown KYC document"),
    ))]
pub(super) async fn create_customer(
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
        let limit = amount("limit", limit, false)?;
        // A salesperson proposes; only credit control or master data decide (§3.7).
        if actor.require_any(&CREDIT_EDITORS).is_ok() {
            c.set_limit(limit);
        } else {
            c.extra.insert("requestedLimit".into(), json!(limit));
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
