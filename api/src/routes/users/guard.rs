//! Who may manage whom: user administration needs `user_management`; only an Admin touches
//! an Admin account, gives the Admin role or grants `admin_bypass`; nobody changes their own
//! access; an erased account stays as it is. Separate because profiles, access, the org
//! chart and GDPR erasure all apply these checks (they lived in `profile` and `access`).

use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use nexus_core::auth::{Access, Permission, Role};
use nexus_core::model::{User, UserStatus};

/// 403 for a caller who may not administer users.
pub(super) fn require_user_management(actor: &Actor) -> Result<(), ApiError> {
    actor.require(Permission::UserManagement, Access::Full)
}

/// A user manager who is not an Admin may not touch an Admin account (reset its password,
/// demote or deactivate it): otherwise `user_management` would be a path to taking over the
/// system owner's account.
pub(crate) fn guard_target(actor: &Actor, target: &User) -> Result<(), ApiError> {
    if target.role == Role::Admin && !actor.is_admin() {
        return Err(ApiError::forbidden(
            ErrorCode::AdminAccountProtected,
            "Only an Admin may change an Admin account.",
        ));
    }
    Ok(())
}

/// Only an Admin may create Admins or promote to Admin (same reason as [`guard_target`]).
pub(super) fn guard_role_grant(actor: &Actor, role: Role) -> Result<(), ApiError> {
    if role == Role::Admin && !actor.is_admin() {
        return Err(ApiError::forbidden(
            ErrorCode::AdminRoleProtected,
            "Only an Admin may give the Admin role.",
        ));
    }
    Ok(())
}

/// Only an Admin may grant `admin_bypass` (it skips workflow rules, D-S5).
pub(super) fn guard_permission_grant(actor: &Actor, perms: &[Permission]) -> Result<(), ApiError> {
    if perms.contains(&Permission::AdminBypass) && !actor.is_admin() {
        return Err(ApiError::forbidden(
            ErrorCode::AdminBypassProtected,
            "Only an Admin may grant admin_bypass.",
        ));
    }
    Ok(())
}

/// Refuses changes to your own access: an administrator who demotes, deactivates or strips
/// themselves could lock the organisation out of user administration.
pub(super) fn not_self(actor: &Actor, id: &str, what: &str) -> Result<(), ApiError> {
    if actor.id() == id {
        return Err(ApiError::conflict(
            ErrorCode::SelfChangeRefused,
            format!("You cannot change your own {what}; ask another administrator."),
        ));
    }
    Ok(())
}

/// The target may be changed by this actor: [`guard_target`], and not an erased account.
pub(super) fn check_target(actor: &Actor, u: &User) -> Result<(), ApiError> {
    guard_target(actor, u)?;
    if u.status == UserStatus::Deleted {
        return Err(deleted_user(&u.id));
    }
    Ok(())
}

/// 409 for changes to an erased (GDPR) account: it stays anonymised.
pub(crate) fn deleted_user(id: &str) -> ApiError {
    ApiError::conflict(
        ErrorCode::UserDeleted,
        format!("User {id} was erased and cannot be changed"),
    )
}
