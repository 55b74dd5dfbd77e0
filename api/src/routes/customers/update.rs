//! C3: the whitelisted, non-credit update of a customer, and who may make it. Separate
//! because the patch body, its `null` handling and the ownership check belong to it alone.

use super::validate::{
    AddressInput, addresses, check_email, check_len, kyc_key, normalise_gstin, normalise_pan,
    trimmed,
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
use utoipa::ToSchema;

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
    request_body = CustomerPatch,
    responses(
        (status = 200, description = "The updated customer", body = Data<CustomerView>),
        (status = 403, description = "Needs master_data, or create_orders on an own customer"),
        (status = 404, description = "No such customer"),
        (status = 422, description = "Unknown or invalid field (credit fields are refused here)"),
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
