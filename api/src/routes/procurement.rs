//! Procurement: the inbound quality gate (api.md §2.13 PR1–PR4, domain.md §1.10, §2.13,
//! D-L22).
//!
//! A consignment starts `Pending`; the procurement executive ticks the three document checks
//! (supplier inspection protocol, labels, import/quality documents) and attaches the
//! evidence; `submit` moves it to `Awaiting Head Approval` only when all three checks and an
//! attachment are there; the Procurement Head (or Admin) approves or rejects it with a
//! reason. The legacy routes needed no token at all (D-S8), let anyone set `Approved` with a
//! PUT of any fields, never locked the checks, had no reject path and never wrote the
//! status history (D-L22): here each step is its own audited endpoint, the checks are
//! editable only while `Pending`, every status change appends `{status, changedBy,
//! changedAt, remarks}`, and ids come from a sequence (`PRC-0001`; the legacy four clock
//! digits collided every 10 s, D-R6).
//!
//! Who: `procurement` permission to read, create, edit and submit; the Procurement Head role
//! (with `procurement`) or Admin to approve, reject and delete. A head does not approve an
//! entry they submitted themselves (segregation of duties; Admin excepted).

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::routes::common::{
    Bounded, MAX_PAGE, Paging, check_link, commit_with_sequence_id, snapshot,
};
use crate::routes::extract::{ApiQuery, OptionalJson};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission, Role};
use nexus_core::model::{
    AuditAction, EntityType, Procurement, ProcurementHistory, ProcurementStatus,
};
use nexus_core::store::{Collection, Filter, Query, StoreError, TypedStore, UpdateOp, Write};
use nexus_core::types::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([
        routes!(list, create),
        routes!(get_one, update, delete),
        routes!(submit),
        routes!(approve),
        routes!(reject),
    ])
}

// ---------------------------------------------------------------------------------------
// Helpers

fn can_read(actor: &Actor) -> Result<(), ApiError> {
    actor.require(Permission::Procurement, Access::View)
}

fn can_work(actor: &Actor) -> Result<(), ApiError> {
    actor.require(Permission::Procurement, Access::Full)
}

/// Approve, reject, delete: the Procurement Head (holding `procurement`) or Admin.
fn require_head(actor: &Actor) -> Result<(), ApiError> {
    if actor.is_admin()
        || (actor.role() == Role::ProcurementHead
            && actor.can(Permission::Procurement, Access::Full))
    {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            ErrorCode::Forbidden,
            "Only the Procurement Head or an Admin can do this.",
        )
        .with_details(json!({ "requiredRoles": ["Procurement Head", "Admin"] })))
    }
}

fn status_text(s: ProcurementStatus) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

/// `status` equal to `s`, including the legacy client's upper-case `PENDING`.
fn status_is(s: ProcurementStatus) -> Filter {
    let mut texts = vec![status_text(s)];
    if s == ProcurementStatus::Pending {
        texts.push(json!("PENDING"));
    }
    Filter::is_in("status", texts)
}

async fn load(st: &AppState, id: &str) -> Result<Procurement, ApiError> {
    st.store.get(Filter::id(id)).await?.ok_or_else(|| {
        ApiError::record_not_found(ErrorCode::ProcurementNotFound, "Procurement entry", id)
    })
}

fn wrong_status(p: &Procurement, wanted: ProcurementStatus, action: &str) -> ApiError {
    ApiError::conflict(
        ErrorCode::InvalidProcurementStatus,
        format!(
            "Cannot {action} entry {}: it is {}, not {}",
            p.id,
            status_text(p.status).as_str().unwrap_or("?"),
            status_text(wanted).as_str().unwrap_or("?")
        ),
    )
    .with_details(json!({ "status": p.status, "required": wanted }))
}

fn required_text(field: &str, v: &str) -> Result<String, ApiError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(ApiError::unprocessable(
            ErrorCode::InvalidField,
            format!("{field} is required (at most 200 characters)"),
        ));
    }
    Ok(t.to_string())
}

fn history(
    status: ProcurementStatus,
    actor: &Actor,
    remarks: Option<String>,
) -> ProcurementHistory {
    ProcurementHistory {
        status: status_text(status).as_str().unwrap_or_default().to_string(),
        changed_by: Some(actor.id().to_string()),
        changed_at: Timestamp::now(),
        remarks,
    }
}

/// A status change: guarded on the current status (and `extra_guard`), with the history
/// entry and the audit entry in the same commit. Returns the updated entry.
#[allow(clippy::too_many_arguments)]
async fn change_status(
    st: &AppState,
    actor: &Actor,
    current: &Procurement,
    from: ProcurementStatus,
    to: ProcurementStatus,
    extra_guard: Filter,
    mut sets: Vec<(&'static str, Value)>,
    action: AuditAction,
    remarks: Option<String>,
) -> Result<Procurement, ApiError> {
    let now = Timestamp::now();
    let h = history(to, actor, remarks.clone());
    sets.push(("status", status_text(to)));
    sets.push(("updatedBy", json!(actor.id())));
    sets.push(("updatedAt", json!(now)));
    let mut ops: Vec<UpdateOp> = sets
        .iter()
        .map(|(k, v)| UpdateOp::Set((*k).to_string(), v.clone()))
        .collect();
    ops.push(UpdateOp::Push("statusHistory".into(), json!(h)));
    let mut next = current.clone();
    next.status = to;
    next.updated_by = Some(actor.id().to_string());
    next.updated_at = Some(now);
    for (k, v) in &sets {
        match *k {
            "clearedBy" => next.cleared_by = v.as_str().map(str::to_string),
            "approvedBy" => next.approved_by = v.as_str().map(str::to_string),
            _ => {}
        }
    }
    next.status_history.push(h);
    let mut audit = actor
        .audit(action)
        .entity(EntityType::Procurement, current.id.clone())
        .change(snapshot(current), snapshot(&next));
    audit.reason = remarks;
    match st
        .store
        .commit(vec![
            Write::update_one::<Procurement>(
                Filter::and([Filter::id(current.id.clone()), status_is(from), extra_guard]),
                ops,
            ),
            Write::insert(&audit)?,
        ])
        .await
    {
        Ok(()) => Ok(next),
        // Changed (or deleted) since it was read: report what it is now.
        Err(StoreError::Conflict(_)) => {
            let now = load(st, &current.id).await?;
            Err(wrong_status(&now, from, "change"))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// PR1 / PR2

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only entries in this status (Pending, Awaiting Head Approval, Approved, Rejected).
    #[param(value_type = Option<ProcurementStatus>, inline)]
    pub status: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1_000_000)]
    pub page: Option<Bounded<1, MAX_PAGE>>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub limit: Option<Bounded<1, 500>>,
}

/// Procurement entries, newest first (a raw array, as the mobile client reads it; totals in
/// `X-Total-Count`).
#[utoipa::path(get, path = "/api/procurement", tag = "Procurement", security(("bearer" = [])), params(ListQuery), responses(
    (status = 200, description = "Raw array of entries; X-Total-Count, X-Page, X-Limit headers", body = [Procurement]),
    (status = 403, description = "Needs procurement"),
    (status = 422, description = "Unknown status"),
))]
async fn list(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    can_read(&actor)?;
    let filter = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Filter::All,
        Some(s) => {
            let parsed: ProcurementStatus = serde_json::from_value(json!(s)).map_err(|_| {
                ApiError::unprocessable(
                    ErrorCode::InvalidStatus,
                    format!("Unknown procurement status `{s}`"),
                )
            })?;
            status_is(parsed)
        }
    };
    let paging = Paging {
        page: q.page,
        limit: q.limit,
    };
    let (items, total): (Vec<Procurement>, _) = paging
        .fetch(
            &st,
            Query::new(filter).sort_desc("createdAt").sort_desc("id"),
        )
        .await?;
    Ok(paging.respond(items, total))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateProcurementRequest {
    /// Not blank, at most 200 characters (as the other two names).
    #[schema(
        example = "Oceanic Seafoods Pvt Ltd",
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub supplier_name: String,
    #[schema(
        example = "Frozen Prawns 1kg",
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub sku_name: String,
    #[schema(
        example = "SKU-PRAWN-1KG",
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub sku_code: String,
    #[serde(default)]
    pub sip_checked: bool,
    #[serde(default)]
    pub labels_checked: bool,
    #[serde(default)]
    pub docs_checked: bool,
    /// Link or blob key of the uploaded evidence (not file contents, so never a `data:`
    /// URL), at most 2,048 bytes.
    #[schema(max_length = 2048)]
    pub attachment: Option<String>,
    pub attachment_name: Option<String>,
}

/// Register an inbound consignment; it starts `Pending` whatever the client sends.
#[utoipa::path(post, path = "/api/procurement", tag = "Procurement", security(("bearer" = [])), request_body = CreateProcurementRequest, responses(
    (status = 201, description = "The raw entry (`PRC-nnnn`)", body = Procurement),
    (status = 403, description = "Needs procurement"),
    (status = 422, description = "Missing supplier, SKU name or code; an attachment that is not a link; or a field that may not be set (e.g. status)"),
))]
async fn create(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<CreateProcurementRequest>,
) -> Result<Response, ApiError> {
    can_work(&actor)?;
    check_link("attachment", body.attachment.as_deref())?;
    let now = Timestamp::now();
    let template = Procurement {
        id: String::new(),
        supplier_name: required_text("supplierName", &body.supplier_name)?,
        sku_name: required_text("skuName", &body.sku_name)?,
        sku_code: required_text("skuCode", &body.sku_code)?,
        sip_checked: body.sip_checked,
        labels_checked: body.labels_checked,
        docs_checked: body.docs_checked,
        status: ProcurementStatus::Pending,
        attachment: body
            .attachment
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty()),
        attachment_name: body
            .attachment_name
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty()),
        cleared_by: None,
        approved_by: None,
        updated_by: Some(actor.id().to_string()),
        status_history: vec![history(
            ProcurementStatus::Pending,
            &actor,
            Some("Created".into()),
        )],
        created_at: Some(now),
        updated_at: Some(now),
        extra: Map::new(),
    };
    let mut created = template.clone();
    commit_with_sequence_id(
        &st,
        Collection::Procurements,
        "PRC-",
        |n| format!("PRC-{n:04}"),
        |id| {
            created = template.clone();
            created.id = id.to_string();
            let audit = actor
                .audit(AuditAction::Create)
                .entity(EntityType::Procurement, id)
                .change(None, snapshot(&created));
            Ok(vec![Write::insert(&created)?, Write::insert(&audit)?])
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

// ---------------------------------------------------------------------------------------
// One entry

/// One procurement entry with its history.
#[utoipa::path(get, path = "/api/procurement/{id}", tag = "Procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Procurement id")),
    responses(
        (status = 200, description = "The raw entry", body = Procurement),
        (status = 403, description = "Needs procurement"),
        (status = 404, description = "Unknown entry"),
    ))]
async fn get_one(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Procurement>, ApiError> {
    can_read(&actor)?;
    Ok(Json(load(&st, &id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateProcurementRequest {
    pub supplier_name: Option<String>,
    pub sku_name: Option<String>,
    pub sku_code: Option<String>,
    pub sip_checked: Option<bool>,
    pub labels_checked: Option<bool>,
    pub docs_checked: Option<bool>,
    /// Link or blob key; an empty string removes it.
    pub attachment: Option<String>,
    pub attachment_name: Option<String>,
    /// The old mobile app moves an entry with `{"status": …}` alone: `Awaiting Head
    /// Approval` runs the submit, `Approved` the approval, with their own rules.
    pub status: Option<String>,
}

/// Either `{"status": …}` alone (the old app's way of moving an entry), or an edit that
/// gives at least one field.
impl PartialSchema for UpdateProcurementRequest {
    fn schema() -> RefOr<Schema> {
        let nullable =
            |t: Type| ObjectBuilder::new().schema_type(SchemaType::from_iter([t, Type::Null]));
        let name = |example: &str| {
            nullable(Type::String)
                .pattern(Some(NAME_200))
                .examples([example])
        };
        const EDITS: [&str; 8] = [
            "supplierName",
            "skuName",
            "skuCode",
            "sipChecked",
            "labelsChecked",
            "docsChecked",
            "attachment",
            "attachmentName",
        ];
        let base = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Either an edit of a Pending entry (at least one of the fields other than `status`, not `null`), or `status` alone: the old mobile app's way to move an entry, `Awaiting Head Approval` running the submit (of a Pending entry) and `Approved` the approval (of an entry awaiting it), with their own rules.",
            ))
            .property(
                "supplierName",
                name("Oceanic Seafoods Pvt Ltd").description(Some(
                    "Not blank, at most 200 characters (as the other two names).",
                )),
            )
            .property("skuName", name("Frozen Prawns 1kg"))
            .property("skuCode", name("SKU-PRAWN-1KG"))
            .property("sipChecked", nullable(Type::Boolean))
            .property("labelsChecked", nullable(Type::Boolean))
            .property("docsChecked", nullable(Type::Boolean))
            .property(
                "attachment",
                nullable(Type::String).max_length(Some(2048)).description(Some(
                    "Link or blob key (not file contents, so never a `data:` URL), at most 2,048 bytes; an empty string removes it.",
                )),
            )
            .property("attachmentName", nullable(Type::String))
            .property(
                "status",
                nullable(Type::String)
                    .enum_values(Some([json!("Awaiting Head Approval"), json!("Approved"), Value::Null])),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .build();
        // `status` alone: a step, every edit field absent or `null`.
        let mut alone: Map<String, Value> = EDITS
            .iter()
            .map(|f| ((*f).to_string(), json!({ "type": "null" })))
            .collect();
        alone.insert("status".into(), json!({ "type": "string" }));
        let status_alone = json!({ "required": ["status"], "properties": alone });
        // An edit: no step, at least one edit field with a value.
        let given: Vec<Value> = EDITS
            .iter()
            .map(|f| {
                json!({
                    "required": [f],
                    "properties": { *f: { "type": ["string", "boolean"] } },
                })
            })
            .collect();
        let edit = json!({
            "properties": { "status": { "type": "null" } },
            "anyOf": given,
        });
        let mut o = base;
        o.extensions
            .get_or_insert_with(Default::default)
            .insert("oneOf".into(), json!([edit, status_alone]));
        RefOr::T(Schema::Object(o))
    }
}
impl ToSchema for UpdateProcurementRequest {}

/// Not blank, at most 200 characters (after trimming).
const NAME_200: &str = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";

/// The old app's `{"status": …}`: the step it names, alone in the body.
async fn status_change(
    st: &AppState,
    actor: &Actor,
    id: &str,
    status: &str,
    body: &UpdateProcurementRequest,
) -> Result<Procurement, ApiError> {
    let alone = body.supplier_name.is_none()
        && body.sku_name.is_none()
        && body.sku_code.is_none()
        && body.sip_checked.is_none()
        && body.labels_checked.is_none()
        && body.docs_checked.is_none()
        && body.attachment.is_none()
        && body.attachment_name.is_none();
    if !alone {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "`status` changes an entry on its own; send the other fields separately",
        ));
    }
    // Only the next step of the entry's own flow; a jump is refused before anything else,
    // as a client-set status always was.
    let current = load(st, id).await?;
    let norm = status.trim().to_ascii_lowercase();
    match (current.status, norm.as_str()) {
        (ProcurementStatus::Pending, "awaiting head approval") => {
            submit_entry(st, actor, id, None).await
        }
        (ProcurementStatus::AwaitingHeadApproval, "approved") => {
            approve_entry(st, actor, id, None).await
        }
        (from, _) => Err(ApiError::unprocessable(
            ErrorCode::StatusJumpNotAllowed,
            "`status` moves a Pending entry to `Awaiting Head Approval` (submit) and an entry awaiting approval to `Approved`; a rejection needs POST /api/procurement/{id}/reject with a reason",
        )
        .with_details(json!({ "from": from, "status": status }))),
    }
}

/// Edit a `Pending` entry: the three checks, the attachment and the names. Status, approver
/// and history change only through submit/approve/reject; after submission the checks are
/// locked (409).
#[utoipa::path(put, path = "/api/procurement/{id}", tag = "Procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Procurement id")),
    request_body = UpdateProcurementRequest,
    responses(
        (status = 200, description = "The raw updated entry", body = Procurement),
        (status = 403, description = "Needs procurement"),
        (status = 404, description = "Unknown entry"),
        (status = 409, description = "Not Pending any more: the checks are locked"),
        (status = 422, description = "Nothing to change, an empty name, or a field that may not be set"),
    ))]
async fn update(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateProcurementRequest>,
) -> Result<Json<Procurement>, ApiError> {
    if let Some(status) = body.status.as_deref() {
        return Ok(Json(status_change(&st, &actor, &id, status, &body).await?));
    }
    can_work(&actor)?;
    check_link("attachment", body.attachment.as_deref())?;
    let current = load(&st, &id).await?;
    if current.status != ProcurementStatus::Pending {
        return Err(ApiError::conflict(
            ErrorCode::ProcurementLocked,
            format!("Entry {} was submitted; its checks are locked", current.id),
        )
        .with_details(json!({ "status": current.status })));
    }
    let mut next = current.clone();
    let mut ops = Vec::new();
    for (field, value, slot) in [
        ("supplierName", &body.supplier_name, &mut next.supplier_name),
        ("skuName", &body.sku_name, &mut next.sku_name),
        ("skuCode", &body.sku_code, &mut next.sku_code),
    ] {
        if let Some(v) = value {
            let v = required_text(field, v)?;
            ops.push(UpdateOp::Set(field.into(), json!(v)));
            *slot = v;
        }
    }
    for (field, value, slot) in [
        ("sipChecked", body.sip_checked, &mut next.sip_checked),
        (
            "labelsChecked",
            body.labels_checked,
            &mut next.labels_checked,
        ),
        ("docsChecked", body.docs_checked, &mut next.docs_checked),
    ] {
        if let Some(v) = value {
            ops.push(UpdateOp::Set(field.into(), json!(v)));
            *slot = v;
        }
    }
    for (field, value, slot) in [
        ("attachment", &body.attachment, &mut next.attachment),
        (
            "attachmentName",
            &body.attachment_name,
            &mut next.attachment_name,
        ),
    ] {
        if let Some(v) = value {
            let v = v.trim();
            if v.is_empty() {
                ops.push(UpdateOp::Unset(field.into()));
                *slot = None;
            } else {
                ops.push(UpdateOp::Set(field.into(), json!(v)));
                *slot = Some(v.to_string());
            }
        }
    }
    if ops.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::NothingToUpdate,
            "No field to change was given",
        ));
    }
    let now = Timestamp::now();
    next.updated_by = Some(actor.id().to_string());
    next.updated_at = Some(now);
    ops.push(UpdateOp::Set("updatedBy".into(), json!(actor.id())));
    ops.push(UpdateOp::Set("updatedAt".into(), json!(now)));
    let audit = actor
        .audit(AuditAction::Update)
        .entity(EntityType::Procurement, current.id.clone())
        .change(snapshot(&current), snapshot(&next));
    match st
        .store
        .commit(vec![
            Write::update_one::<Procurement>(
                Filter::and([
                    Filter::id(current.id.clone()),
                    status_is(ProcurementStatus::Pending),
                ]),
                ops,
            ),
            Write::insert(&audit)?,
        ])
        .await
    {
        Ok(()) => Ok(Json(next)),
        Err(StoreError::Conflict(_)) => {
            let now = load(&st, &id).await?;
            Err(wrong_status(&now, ProcurementStatus::Pending, "edit"))
        }
        Err(e) => Err(e.into()),
    }
}

/// `{ success, message: "Deleted", id }`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcurementDeleted {
    pub success: bool,
    pub message: String,
    /// The deleted entry's id.
    pub id: String,
}

/// Delete a `Pending` entry (Procurement Head or Admin). Submitted entries are kept.
#[utoipa::path(delete, path = "/api/procurement/{id}", tag = "Procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Procurement id")),
    responses(
        (status = 200, description = "Deleted", body = ProcurementDeleted),
        (status = 403, description = "Only the Procurement Head or Admin"),
        (status = 404, description = "Unknown entry"),
        (status = 409, description = "Not Pending"),
    ))]
async fn delete(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    require_head(&actor)?;
    let current = load(&st, &id).await?;
    if current.status != ProcurementStatus::Pending {
        return Err(wrong_status(&current, ProcurementStatus::Pending, "delete"));
    }
    let audit = actor
        .audit(AuditAction::Delete)
        .entity(EntityType::Procurement, current.id.clone())
        .change(snapshot(&current), None);
    match st
        .store
        .commit(vec![
            Write::delete_one::<Procurement>(Filter::and([
                Filter::id(current.id.clone()),
                status_is(ProcurementStatus::Pending),
            ])),
            Write::insert(&audit)?,
        ])
        .await
    {
        Ok(()) => Ok(Json(
            json!({ "success": true, "message": "Deleted", "id": current.id }),
        )),
        Err(StoreError::Conflict(_)) => {
            let now = load(&st, &id).await?;
            Err(wrong_status(&now, ProcurementStatus::Pending, "delete"))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// Workflow

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemarksRequest {
    pub remarks: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RejectRequest {
    /// Not blank.
    #[schema(
        example = "Labels do not match the import permit",
        pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub reason: String,
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Submit a `Pending` entry for head approval: all three checks and an attachment required.
#[utoipa::path(post, path = "/api/procurement/{id}/submit", tag = "Procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Procurement id")),
    request_body(content = Option<RemarksRequest>, description = "Optional"),
    responses(
        (status = 200, description = "The raw entry, now Awaiting Head Approval", body = Procurement),
        (status = 403, description = "Needs procurement"),
        (status = 404, description = "Unknown entry"),
        (status = 409, description = "Not Pending"),
        (status = 422, description = "`PROCUREMENT_NOT_READY`: checks or attachment missing (listed)"),
    ))]
async fn submit(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<RemarksRequest>,
) -> Result<Json<Procurement>, ApiError> {
    Ok(Json(
        submit_entry(&st, &actor, &id, clean(body.remarks)).await?,
    ))
}

/// Submit for head approval: all three checks and an attachment first.
async fn submit_entry(
    st: &AppState,
    actor: &Actor,
    id: &str,
    remarks: Option<String>,
) -> Result<Procurement, ApiError> {
    can_work(actor)?;
    let current = load(st, id).await?;
    if current.status != ProcurementStatus::Pending {
        return Err(wrong_status(&current, ProcurementStatus::Pending, "submit"));
    }
    let mut missing = Vec::new();
    if !current.sip_checked {
        missing.push("sipChecked");
    }
    if !current.labels_checked {
        missing.push("labelsChecked");
    }
    if !current.docs_checked {
        missing.push("docsChecked");
    }
    if current
        .attachment
        .as_deref()
        .is_none_or(|a| a.trim().is_empty())
    {
        missing.push("attachment");
    }
    if !missing.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::ProcurementNotReady,
            "All three checks and an attachment are needed before submission",
        )
        .with_details(json!({ "missing": missing })));
    }
    // The guard repeats the readiness rule so an edit racing the submit cannot slip an
    // unchecked entry through.
    let ready = Filter::and([
        Filter::eq("sipChecked", true),
        Filter::eq("labelsChecked", true),
        Filter::eq("docsChecked", true),
        Filter::Exists("attachment".into()),
    ]);
    change_status(
        st,
        actor,
        &current,
        ProcurementStatus::Pending,
        ProcurementStatus::AwaitingHeadApproval,
        ready,
        vec![("clearedBy", json!(actor.id()))],
        AuditAction::StatusChange,
        remarks,
    )
    .await
}

/// Approve an entry awaiting head approval (Procurement Head or Admin).
#[utoipa::path(post, path = "/api/procurement/{id}/approve", tag = "Procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Procurement id")),
    request_body(content = Option<RemarksRequest>, description = "Optional"),
    responses(
        (status = 200, description = "The raw entry, now Approved", body = Procurement),
        (status = 403, description = "Only the Procurement Head or Admin; never your own submission"),
        (status = 404, description = "Unknown entry"),
        (status = 409, description = "Not awaiting approval"),
    ))]
async fn approve(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<RemarksRequest>,
) -> Result<Json<Procurement>, ApiError> {
    Ok(Json(
        approve_entry(&st, &actor, &id, clean(body.remarks)).await?,
    ))
}

/// Approve: the head (or Admin), never one's own submission.
async fn approve_entry(
    st: &AppState,
    actor: &Actor,
    id: &str,
    remarks: Option<String>,
) -> Result<Procurement, ApiError> {
    require_head(actor)?;
    let current = load(st, id).await?;
    if current.status != ProcurementStatus::AwaitingHeadApproval {
        return Err(wrong_status(
            &current,
            ProcurementStatus::AwaitingHeadApproval,
            "approve",
        ));
    }
    if !actor.is_admin() && current.cleared_by.as_deref() == Some(actor.id()) {
        return Err(ApiError::forbidden(
            ErrorCode::SegregationOfDuties,
            "You cannot approve an entry you submitted yourself.",
        ));
    }
    change_status(
        st,
        actor,
        &current,
        ProcurementStatus::AwaitingHeadApproval,
        ProcurementStatus::Approved,
        Filter::All,
        vec![("approvedBy", json!(actor.id()))],
        AuditAction::Approve,
        remarks,
    )
    .await
}

/// Reject an entry awaiting head approval, with a reason (Procurement Head or Admin).
#[utoipa::path(post, path = "/api/procurement/{id}/reject", tag = "Procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Procurement id")),
    request_body = RejectRequest,
    responses(
        (status = 200, description = "The raw entry, now Rejected", body = Procurement),
        (status = 403, description = "Only the Procurement Head or Admin"),
        (status = 404, description = "Unknown entry"),
        (status = 409, description = "Not awaiting approval"),
        (status = 422, description = "No reason"),
    ))]
async fn reject(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RejectRequest>,
) -> Result<Json<Procurement>, ApiError> {
    require_head(&actor)?;
    let reason = clean(Some(body.reason)).ok_or_else(|| {
        ApiError::unprocessable(ErrorCode::ReasonRequired, "A reason is required to reject")
    })?;
    let current = load(&st, &id).await?;
    if current.status != ProcurementStatus::AwaitingHeadApproval {
        return Err(wrong_status(
            &current,
            ProcurementStatus::AwaitingHeadApproval,
            "reject",
        ));
    }
    let next = change_status(
        &st,
        &actor,
        &current,
        ProcurementStatus::AwaitingHeadApproval,
        ProcurementStatus::Rejected,
        Filter::All,
        Vec::new(),
        AuditAction::Reject,
        Some(reason),
    )
    .await?;
    Ok(Json(next))
}
