//! What a user may do and whether they may sign in: role, permissions, step access, status
//! and credentials (api.md §2.3 U4, U5, U6, U11 and the status endpoint).
//!
//! Legacy: all unauthenticated except credentials, which let any signed-in user reset anyone's
//! password without the old one and without an audit entry (§8.1.1, §8.1.2, D-S3, D-S4);
//! roles were stored unvalidated; `isApprover` was never recomputed (D-L21); a role change
//! took effect only when the 7-day token expired. Here every change needs `user_management`
//! (credentials: yourself with your current password, or `user_management`), is audited, and
//! every change of access bumps `tokenVersion` so the user's existing tokens stop working at
//! once.

use super::change::{Change, change_user};
use super::guard::{
    check_target, guard_permission_grant, guard_role_grant, not_self, require_user_management,
};
use super::profile::password_policy_error;
use super::validate::{self, StepAccessMap};
use super::view::{UserView, user_for};
use crate::ApiJson;
use crate::auth::actor::forbidden;
use crate::auth::{Actor, password};
use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use nexus_core::auth::{Access, Permission, Role, check_policy};
use nexus_core::model::{AuditAction, EntityType, User, UserStatus};
use nexus_core::store::{Filter, TypedStore, UpdateOp};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([
        routes!(change_role),
        routes!(set_permissions),
        routes!(set_step_access),
        routes!(set_status),
        routes!(update_credentials),
    ])
}

fn revoke() -> UpdateOp {
    UpdateOp::Inc("tokenVersion".into(), json!(1))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    #[schema(value_type = Role, example = "ASM")]
    pub role: Role,
}

/// Change a user's role (`user_management`). The approver flag is recomputed from the new role
/// (D-L21) and the user's tokens are revoked so the new role applies immediately.
#[utoipa::path(patch, path = "/api/users/{id}/role", tag = "Users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = RoleRequest,
    responses(
        (status = 200, description = "The updated user (raw)", body = UserView),
        (status = 403, description = "Not a user manager"),
        (status = 404, description = "No such user"),
        (status = 409, description = "Your own role, or an erased user"),
        (status = 422, description = "Unknown role"),
    ))]
async fn change_role(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoleRequest>,
) -> Result<Json<Value>, ApiError> {
    require_user_management(&actor)?;
    not_self(&actor, &id, "role")?;
    guard_role_grant(&actor, body.role)?;
    let changed = change_user(&st, &id, |u| {
        check_target(&actor, u)?;
        if u.role == body.role {
            return Ok(None);
        }
        Ok(Some(Change::new(
            vec![
                UpdateOp::Set("role".into(), json!(body.role)),
                UpdateOp::Set("isApprover".into(), json!(body.role.default_is_approver())),
                revoke(),
            ],
            actor
                .audit(AuditAction::RoleChange)
                .entity(EntityType::User, u.id.clone()),
        )))
    })
    .await?;
    Ok(Json(user_for(&actor, &changed.after)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionsRequest {
    /// Permission keys (view_orders, create_orders, approve_credit, manage_warehouse,
    /// quality_control, logistics_costing, invoicing, fleet_loading, delivery, procurement,
    /// admin_bypass, user_management, master_data, credit_override). Replaces the list.
    #[schema(value_type = Vec<Permission>)]
    pub permissions: Vec<String>,
}

/// Replace a user's explicit permission grants (`user_management`; only an Admin grants
/// `admin_bypass`). Revokes the user's tokens.
#[utoipa::path(patch, path = "/api/users/{id}/permissions", tag = "Users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = PermissionsRequest,
    responses(
        (status = 200, description = "The updated user (raw)", body = UserView),
        (status = 403, description = "Not a user manager"),
        (status = 404, description = "No such user"),
        (status = 409, description = "Your own account: ask another administrator"),
        (status = 422, description = "Unknown permission key"),
    ))]
async fn set_permissions(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PermissionsRequest>,
) -> Result<Json<Value>, ApiError> {
    require_user_management(&actor)?;
    not_self(&actor, &id, "permissions")?;
    let perms = validate::permissions(&body.permissions)?;
    guard_permission_grant(&actor, &perms)?;
    let changed = change_user(&st, &id, |u| {
        check_target(&actor, u)?;
        if u.permissions == perms {
            return Ok(None);
        }
        Ok(Some(Change::new(
            vec![UpdateOp::Set("permissions".into(), json!(perms)), revoke()],
            actor
                .audit(AuditAction::Update)
                .entity(EntityType::User, u.id.clone()),
        )))
    })
    .await?;
    Ok(Json(user_for(&actor, &changed.after)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepAccessRequest {
    /// Step label → `full` | `view` | `no`. Replaces the whole map.
    #[schema(value_type = StepAccessMap)]
    pub step_access: BTreeMap<String, String>,
}

/// Replace a user's step access (`user_management`). Keys are normalised to the ten lifecycle
/// step labels; values must be full, view or no. Revokes the user's tokens.
#[utoipa::path(patch, path = "/api/users/{id}/step-access", tag = "Users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = StepAccessRequest,
    responses(
        (status = 200, description = "The updated user (raw)", body = UserView),
        (status = 403, description = "Not a user manager"),
        (status = 404, description = "No such user"),
        (status = 409, description = "Your own account: ask another administrator"),
        (status = 422, description = "Unknown step or value"),
    ))]
async fn set_step_access(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StepAccessRequest>,
) -> Result<Json<Value>, ApiError> {
    require_user_management(&actor)?;
    not_self(&actor, &id, "step access")?;
    let steps = validate::step_access(&body.step_access)?;
    let changed = change_user(&st, &id, |u| {
        check_target(&actor, u)?;
        if u.step_access == steps {
            return Ok(None);
        }
        Ok(Some(Change::new(
            vec![UpdateOp::Set("stepAccess".into(), json!(steps)), revoke()],
            actor
                .audit(AuditAction::Update)
                .entity(EntityType::User, u.id.clone()),
        )))
    })
    .await?;
    Ok(Json(user_for(&actor, &changed.after)))
}

/// The statuses an administrator may set; `Deleted` only comes from GDPR erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum SettableStatus {
    Active,
    Inactive,
    Suspended,
}

impl SettableStatus {
    fn status(self) -> UserStatus {
        match self {
            SettableStatus::Active => UserStatus::Active,
            SettableStatus::Inactive => UserStatus::Inactive,
            SettableStatus::Suspended => UserStatus::Suspended,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    pub status: SettableStatus,
    /// Why (kept in the audit entry): at most 500 characters, no control characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,500}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub reason: Option<String>,
}

/// Activate, deactivate or suspend a user (`user_management`; not yourself). Anything but
/// Active signs the user out everywhere: their tokens are refused from the next request.
#[utoipa::path(patch, path = "/api/users/{id}/status", tag = "Users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = StatusRequest,
    responses(
        (status = 200, description = "The updated user (raw)", body = UserView),
        (status = 403, description = "Not a user manager"),
        (status = 404, description = "No such user"),
        (status = 409, description = "Your own account, or an erased user"),
        (status = 422, description = "Unknown status (Deleted is set only by GDPR erasure)"),
    ))]
async fn set_status(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StatusRequest>,
) -> Result<Json<Value>, ApiError> {
    require_user_management(&actor)?;
    not_self(&actor, &id, "status")?;
    let reason = match &body.reason {
        Some(r) => validate::text("reason", r, 500)?,
        None => None,
    };
    let status = body.status.status();
    let changed = change_user(&st, &id, |u| {
        check_target(&actor, u)?;
        if u.status == status {
            return Ok(None);
        }
        let mut audit = actor
            .audit(AuditAction::StatusChange)
            .entity(EntityType::User, u.id.clone());
        audit.reason = reason.clone();
        Ok(Some(Change::new(
            vec![UpdateOp::Set("status".into(), json!(status)), revoke()],
            audit,
        )))
    })
    .await?;
    Ok(Json(user_for(&actor, &changed.after)))
}

/// A non-empty trimmed value (the legacy endpoint applied only non-empty values).
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialsRequest {
    /// Empty or absent: unchanged.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,100}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    /// Empty or absent: unchanged.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[!-?A-~]{1,64}@[!--/-?A-~][!-?A-~]{0,93}\.[!-?A-~]{0,93}[!--/-?A-~])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,64}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub employee_id: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,300}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub address: Option<String>,
    /// New password (policy applies: at least 8 characters, not the id or e-mail, not a
    /// known default). Empty or absent: unchanged.
    #[schema(pattern = r"^(?:[\s\S]{8,})?$")]
    pub password: Option<String>,
    /// Required when you change your own credentials.
    pub current_password: Option<String>,
}

/// Change login credentials and identity fields. Yourself: give `currentPassword`. Another
/// user: `user_management` only; a new password is then a reset (audited `PASSWORD_RESET`,
/// `mustChangePassword` set). Any password change revokes the user's tokens (D-S4).
#[utoipa::path(patch, path = "/api/users/{id}/credentials", tag = "Users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = CredentialsRequest,
    responses(
        (status = 200, description = "The updated user (raw)", body = UserView),
        (status = 401, description = "Your current password is wrong"),
        (status = 403, description = "Another user's credentials without user_management"),
        (status = 404, description = "No such user"),
        (status = 409, description = "E-mail already used"),
        (status = 422, description = "Invalid value, password policy, or currentPassword missing"),
    ))]
async fn update_credentials(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CredentialsRequest>,
) -> Result<Json<Value>, ApiError> {
    let own = id == actor.id();
    if !own && !actor.can(Permission::UserManagement, Access::Full) {
        return Err(forbidden(&[(Permission::UserManagement, Access::Full)]));
    }
    if own {
        let Some(current) = body.current_password.clone().filter(|p| !p.is_empty()) else {
            return Err(ApiError::invalid(
                "currentPassword",
                "currentPassword is required to change your own credentials",
            ));
        };
        if !password::verify(current, actor.user.password.clone()).await {
            return Err(ApiError::unauthorized(
                ErrorCode::InvalidCredentials,
                "The current password is wrong.",
            ));
        }
    }
    let target = super::change::load(&st, &id).await?;
    if !own {
        check_target(&actor, &target)?;
    }
    let mut ops = Vec::new();
    if let Some(n) = given(&body.name) {
        ops.push(UpdateOp::Set("name".into(), json!(validate::name(n)?)));
    }
    let email = match given(&body.email) {
        Some(e) => Some(validate::email(e)?),
        None => None,
    };
    if let Some(e) = &email {
        let taken = st
            .store
            .count_of::<User>(&Filter::and([
                Filter::or([Filter::id(e.clone()), Filter::eq("email", e.clone())]),
                Filter::ne("id", id.clone()),
            ]))
            .await?;
        if taken > 0 {
            return Err(ApiError::conflict(
                ErrorCode::UserExists,
                format!("{e} is already used as a user id or e-mail"),
            ));
        }
        ops.push(UpdateOp::Set("email".into(), json!(e)));
    }
    if let Some(v) = given(&body.employee_id) {
        ops.push(UpdateOp::Set(
            "employeeId".into(),
            json!(validate::text("employeeId", v, 64)?),
        ));
    }
    if let Some(v) = given(&body.address) {
        ops.push(UpdateOp::Set(
            "address".into(),
            json!(validate::text("address", v, 300)?),
        ));
    }
    let new_password = body.password.clone().filter(|p| !p.is_empty());
    let password_changed = new_password.is_some();
    if let Some(p) = new_password {
        let check_email = email.clone().or(target.email.clone());
        check_policy(&p, &id, check_email.as_deref()).map_err(password_policy_error)?;
        let hash = password::hash(p, st.config.bcrypt_cost).await?;
        ops.push(UpdateOp::Set("password".into(), json!(hash)));
        // A reset by an administrator is a password someone else knows: the user must
        // choose their own at next login. Your own change is your own choice.
        ops.push(UpdateOp::Set("mustChangePassword".into(), json!(!own)));
        ops.push(revoke());
    }
    let action = match (password_changed, own) {
        (true, true) => AuditAction::PasswordChange,
        (true, false) => AuditAction::PasswordReset,
        (false, _) => AuditAction::Update,
    };
    let changed = change_user(&st, &id, |u| {
        if !own {
            check_target(&actor, u)?;
        }
        if ops.is_empty() {
            return Ok(None);
        }
        Ok(Some(Change::new(
            ops.clone(),
            actor.audit(action).entity(EntityType::User, u.id.clone()),
        )))
    })
    .await?;
    Ok(Json(user_for(&actor, &changed.after)))
}
