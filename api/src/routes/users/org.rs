//! The sales organisation: org-chart slots and the reporting line (api.md §2.3 U7, U8, U10;
//! domain.md §4.7).
//!
//! Legacy: unauthenticated; slot keys unchecked; the one-region rule only in the Flutter
//! picker; any string accepted as a manager, so a typo or a loop (A reports to B reports to
//! A) went straight into the data that the hierarchy scope walks. Here: `user_management`,
//! the slot grammar, the region rule enforced atomically by the update's guard, and a manager
//! that must exist and must not be in the user's own team.

use super::change::{Change, change_user, load, next_stamp};
use super::guard::{guard_target, require_user_management};
use super::validate::{Slot, SlotKey};
use super::view::{UserView, user_for};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::routes::common::commit_audited;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use nexus_core::auth::scope::subordinates;
use nexus_core::model::{AuditAction, EntityType, User, UserStatus};
use nexus_core::store::{Filter, Query, TypedStore, UpdateOp, Write};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([routes!(org_add), routes!(org_remove), routes!(set_manager)])
}

pub fn region_conflict() -> ApiError {
    ApiError::conflict(
        ErrorCode::OrgRegionConflict,
        "A user may hold regional slots of one region only (national and all-India slots are exempt).",
    )
}

pub fn unknown_manager(id: &str) -> ApiError {
    ApiError::invalid("managerId", format!("Manager {id} does not exist"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SlotRequest {
    #[schema(value_type = SlotKey, example = "asm_west_retail")]
    pub slot_key: String,
}

/// The slot to release: any key the user holds, including legacy keys that predate the
/// grammar.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SlotRemoval {
    /// Not blank.
    #[schema(
        example = "asm_west_retail",
        pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub slot_key: String,
}

/// Add an org-chart slot (`user_management`). Set semantics (adding a held slot changes
/// nothing); a regional slot of another region than one already held is refused with 409.
/// The region rule is part of the update's guard, so two concurrent adds cannot both pass.
#[utoipa::path(patch, path = "/api/users/{id}/org-add", tag = "Users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = SlotRequest,
    responses(
        (status = 200, description = "The updated user (raw)", body = UserView),
        (status = 403, description = "Not a user manager"),
        (status = 404, description = "No such user"),
        (status = 409, description = "Slot of a different region than one already held"),
        (status = 422, description = "Slot key does not follow the grammar"),
    ))]
async fn org_add(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SlotRequest>,
) -> Result<Json<Value>, ApiError> {
    require_user_management(&actor)?;
    let slot = Slot::parse(&body.slot_key)?;
    let before = load(&st, &id).await?;
    guard_target(&actor, &before)?;
    if before.status == UserStatus::Deleted {
        return Err(super::guard::deleted_user(&id));
    }
    if before.org_positions.contains(&slot.key) {
        return Ok(Json(user_for(&actor, &before)));
    }
    let conflicts = slot.conflicting_keys();
    if before.org_positions.iter().any(|s| conflicts.contains(s)) {
        return Err(region_conflict());
    }
    let mut guard = vec![Filter::id(id.clone())];
    if !conflicts.is_empty() {
        guard.push(Filter::Nin(
            "orgPositions".into(),
            conflicts.into_iter().map(Value::String).collect(),
        ));
    }
    let audit = actor
        .audit(AuditAction::Update)
        .entity(EntityType::User, id.clone())
        .change(
            Some(json!({ "orgPositions": before.org_positions })),
            Some(json!({ "orgPositions": { "added": slot.key } })),
        );
    let write = Write::update_one::<User>(
        Filter::and(guard),
        vec![
            UpdateOp::AddToSet("orgPositions".into(), json!(slot.key)),
            UpdateOp::Set("updatedAt".into(), json!(next_stamp(before.updated_at))),
        ],
    );
    match commit_audited(&st, vec![write], audit, vec![]).await {
        Ok(()) => {}
        Err(e) if e.code == ErrorCode::Conflict => {
            // The guard failed: the user is gone, or took a slot of another region meanwhile.
            load(&st, &id).await?;
            return Err(region_conflict());
        }
        Err(e) => return Err(e),
    }
    Ok(Json(user_for(&actor, &load(&st, &id).await?)))
}

/// Remove an org-chart slot (`user_management`). Removing a slot the user does not hold
/// changes nothing.
#[utoipa::path(patch, path = "/api/users/{id}/org-remove", tag = "Users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = SlotRemoval,
    responses(
        (status = 200, description = "The updated user (raw)", body = UserView),
        (status = 403, description = "Not a user manager"),
        (status = 404, description = "No such user"),
        (status = 422, description = "Slot key is empty"),
    ))]
async fn org_remove(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SlotRemoval>,
) -> Result<Json<Value>, ApiError> {
    require_user_management(&actor)?;
    // Removal accepts any held key, including legacy keys that predate the grammar.
    let key = body.slot_key.trim().to_string();
    if key.is_empty() {
        return Err(ApiError::invalid("slotKey", "slotKey is required"));
    }
    let before = load(&st, &id).await?;
    guard_target(&actor, &before)?;
    let held = before
        .org_positions
        .iter()
        .find(|s| s.eq_ignore_ascii_case(&key))
        .cloned();
    let Some(held) = held else {
        return Ok(Json(user_for(&actor, &before)));
    };
    let audit = actor
        .audit(AuditAction::Update)
        .entity(EntityType::User, id.clone())
        .change(
            Some(json!({ "orgPositions": before.org_positions })),
            Some(json!({ "orgPositions": { "removed": held } })),
        );
    let write = Write::update_one::<User>(
        Filter::and([
            Filter::id(id.clone()),
            Filter::eq("orgPositions", held.clone()),
        ]),
        vec![
            UpdateOp::Pull("orgPositions".into(), json!(held)),
            UpdateOp::Set("updatedAt".into(), json!(next_stamp(before.updated_at))),
        ],
    );
    match commit_audited(&st, vec![write], audit, vec![]).await {
        // Someone else removed it first: the result is the same.
        Ok(())
        | Err(ApiError {
            code: ErrorCode::Conflict,
            ..
        }) => {}
        Err(e) => return Err(e),
    }
    Ok(Json(user_for(&actor, &load(&st, &id).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagerRequest {
    /// The manager's user id; null or empty removes the manager.
    pub manager_id: Option<String>,
}

/// Set or clear a user's manager (`user_management`). The manager must exist, must not be the
/// user, and must not be anywhere in the user's own team (that would make a reporting loop).
#[utoipa::path(patch, path = "/api/users/{id}/manager", tag = "Users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = ManagerRequest,
    responses(
        (status = 200, description = "The updated user (raw)", body = UserView),
        (status = 403, description = "Not a user manager"),
        (status = 404, description = "No such user"),
        (status = 409, description = "The change would make a reporting loop"),
        (status = 422, description = "Manager does not exist"),
    ))]
async fn set_manager(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ManagerRequest>,
) -> Result<Json<Value>, ApiError> {
    require_user_management(&actor)?;
    let manager = body
        .manager_id
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string);
    if let Some(m) = &manager {
        if st.store.count_of::<User>(&Filter::id(m.clone())).await? == 0 {
            return Err(unknown_manager(m));
        }
        if *m == id {
            return Err(cycle());
        }
        let everyone: Vec<User> = st
            .store
            .list::<User>(&Query::new(Filter::Exists("managerId".into())))
            .await?;
        let team = subordinates(
            &id,
            everyone
                .iter()
                .map(|u| (u.id.as_str(), u.manager_id.as_deref())),
        );
        if team.contains(m) {
            return Err(cycle());
        }
    }
    let changed = change_user(&st, &id, |u| {
        guard_target(&actor, u)?;
        if u.manager_id == manager {
            return Ok(None);
        }
        let op = match &manager {
            Some(m) => UpdateOp::Set("managerId".into(), json!(m)),
            None => UpdateOp::Unset("managerId".into()),
        };
        Ok(Some(Change::new(
            vec![op],
            actor
                .audit(AuditAction::Update)
                .entity(EntityType::User, u.id.clone()),
        )))
    })
    .await?;
    Ok(Json(user_for(&actor, &changed.after)))
}

fn cycle() -> ApiError {
    ApiError::conflict(
        ErrorCode::ManagerCycle,
        "That manager reports (directly or indirectly) to this user; the reporting line would loop.",
    )
}
