//! C3: the whitelisted, non-credit update of a customer, and who may make it. Separate
//! because the patch body, its `null` handling and the ownership check belong to it alone.

use super::validate::{
    AddressInput, address_list_or_null, addresses, at_least_one, check_email, check_len,
    de_opt_unsigned, kyc_key, normalise_gstin, normalise_pan, trimmed,
};
use super::{CustomerView, after, load, present};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::some_or_null;
use crate::routes::common::{commit_audited, ok_data, snapshot};
use crate::routes::envelope::Data;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, Customer, EntityType};
use nexus_core::store::{Filter, UpdateOp, Write};
use nexus_core::types::{Money, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};

/// The fields anyone who may edit a customer may change. Credit figures, status, blocking,
/// the assigned salesperson and the id are not here (mass assignment, 8.1.5).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerPatch {
    /// Not blank, at most 200 characters; `null` leaves it.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub customer_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null", alias = "customerEmail")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[!-?A-~]{1,64}@[!--/-~][!-~]{0,93}\.[!-~]{0,93})?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub email: Option<Option<String>>,
    /// The old app's customer form sends the credit limit with the rest: the current value
    /// is accepted and ignored; a new one is refused (credit terms change through
    /// `PATCH /api/customers/{id}/credit`).
    #[serde(default, deserialize_with = "de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub limit: Option<Money>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub city: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub region: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub postal_code: Option<Option<String>>,
    /// GSTIN (15 characters).
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[0-9]{2}[A-Za-z]{5}[0-9]{4}[A-Za-z][A-Za-z0-9][Zz][A-Za-z0-9])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub gst: Option<Option<String>>,
    /// PAN (10 characters).
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[A-Za-z]{5}[0-9]{4}[A-Za-z])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub pan: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub fssai: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub constitution: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub partners: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub distribution_channel: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub customer_class: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub sales_manager: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>, pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,298}[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")]
    pub employee_responsible: Option<Option<String>>,
    /// Replaces the whole list.
    #[schema(schema_with = address_list_or_null)]
    pub addresses: Option<Vec<AddressInput>>,
    /// KYC documents: the `key` (or the signed `url`) of an uploaded photo; empty or `null`
    /// removes it.
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

/// The request body as the document describes it: [`CustomerPatch`] with at least one field
/// that changes something (`limit` alone never does: it is only accepted unchanged).
pub struct CustomerPatchBody;

impl PartialSchema for CustomerPatchBody {
    fn schema() -> RefOr<Schema> {
        at_least_one(
            CustomerPatch::schema(),
            &["name", "addresses"],
            &[
                "type",
                "email",
                "phone",
                "address",
                "city",
                "region",
                "postalCode",
                "gst",
                "pan",
                "fssai",
                "constitution",
                "partners",
                "distributionChannel",
                "customerClass",
                "location",
                "salesManager",
                "employeeResponsible",
                "gstPhotoUrl",
                "panPhotoUrl",
                "chequePhotoUrl",
            ],
        )
    }
}

impl ToSchema for CustomerPatchBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "CustomerPatch".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <CustomerPatch as ToSchema>::schemas(schemas);
    }
}

/// Master data may edit any customer; a salesperson (or their managers up the reporting
/// line) the customers assigned to them.
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

/// Update a customer's contact and master fields (not credit, status or blocking).
#[utoipa::path(patch, path = "/api/customers/{id}", tag = "Customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = CustomerPatchBody,
    responses(
        (status = 200, description = "The updated customer", body = Data<CustomerView>),
        (status = 403, description = "Needs master_data, or create_orders on an own customer"),
        (status = 404, description = "No such customer"),
        (status = 422, description = "Unknown or invalid field (a changed credit limit is refused here), a KYC document that was never uploaded, or nothing to change"),
    ))]
pub(super) async fn update_customer(
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
