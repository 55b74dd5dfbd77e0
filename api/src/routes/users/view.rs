//! What a caller may see of a user, and whose records a caller may see at all.
//!
//! The legacy list and detail endpoints were public and returned salaries, phone numbers and
//! org slots to anyone (D-S3, api.md §8.1.1). Here the shape stays the legacy raw user (the
//! client reads those field names) minus the secrets: never the password hash or the token
//! version, and the salary and target fields only for holders of `user_management` (the HR
//! view).

use crate::auth::Actor;
use crate::error::ApiError;
use crate::state::AppState;
use nexus_core::auth::{Access, Permission, Role};
use nexus_core::model::User;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// Fields only `user_management` sees (D-S3: "never return salary outside HR views").
pub const SALARY_FIELDS: [&str; 3] = ["grossMonthlySalary", "monthlyTarget", "monthlyQtyTarget"];

/// Fields nobody sees through the API.
const SECRET_FIELDS: [&str; 4] = ["password", "tokenVersion", "_id", "__v"];

// The body `user_json` builds, described for the OpenAPI document (the handlers send JSON).
/// A user as the API shows them: the stored account without its secrets (password hash,
/// token version); `grossMonthlySalary`, `monthlyTarget` and `monthlyQtyTarget` only for
/// callers who hold `user_management`; plus the legacy singular `orgPosition`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    #[serde(flatten)]
    pub user: User,
    /// The first of `orgPositions`, or `null` (the slot the old login and profile answers
    /// carried).
    #[schema(required = true)]
    pub org_position: Option<String>,
}

/// True when the actor administers users (the HR / security view).
pub fn manages_users(actor: &Actor) -> bool {
    actor.can(Permission::UserManagement, Access::Full)
}

/// The legacy raw user without secrets; salary fields only when `show_salary`. Adds the
/// singular `orgPosition` the old login/profile responses carried (the first slot).
pub fn user_json(u: &User, show_salary: bool) -> Value {
    let mut v = serde_json::to_value(u).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        for k in SECRET_FIELDS {
            o.remove(k);
        }
        if !show_salary {
            for k in SALARY_FIELDS {
                o.remove(k);
            }
        }
        o.insert(
            "orgPosition".into(),
            u.org_positions
                .first()
                .map(|s| Value::String(s.clone()))
                .unwrap_or(Value::Null),
        );
    }
    v
}

/// The user as `actor` may see them.
pub fn user_for(actor: &Actor, u: &User) -> Value {
    user_json(u, manages_users(actor))
}

/// The reporting-line managers (RSM, ASM, NSM) see themselves and everyone below them,
/// recursively (domain.md §4.7 rewrite rule; the audit route's one-level walk was D-15).
pub fn is_line_manager(actor: &Actor) -> bool {
    matches!(actor.role(), Role::Nsm | Role::Rsm | Role::Asm)
}

/// Whose records the actor may read: `None` = everyone; otherwise the listed ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visible {
    All,
    Only(BTreeSet<String>),
}

impl Visible {
    pub fn contains(&self, id: &str) -> bool {
        match self {
            Visible::All => true,
            Visible::Only(s) => s.contains(id),
        }
    }
}

/// Self plus the recursive team for line managers; just self for everyone else.
pub async fn self_and_team(st: &AppState, actor: &Actor) -> Result<BTreeSet<String>, ApiError> {
    let mut set = actor.subordinates(st).await?;
    set.insert(actor.id().to_string());
    Ok(set)
}
