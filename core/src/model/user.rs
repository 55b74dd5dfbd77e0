//! `users`: staff accounts. Field names and enums as in the legacy collection (domain.md §1.1).

use crate::auth::{Permission, Role};
use crate::types::{Money, Timestamp, null_as_default};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum UserStatus {
    #[default]
    Active,
    Inactive,
    Suspended,
    /// Set by GDPR erasure: the account is anonymised and can never log in again.
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Zone {
    #[serde(rename = "WEST", alias = "West", alias = "west")]
    West,
    #[serde(rename = "EAST", alias = "East", alias = "east")]
    East,
    #[serde(rename = "SOUTH", alias = "South", alias = "south")]
    South,
    #[serde(rename = "NORTH", alias = "North", alias = "north")]
    North,
    #[default]
    #[serde(rename = "PAN INDIA", alias = "Pan India", alias = "pan india")]
    PanIndia,
}

/// A staff account. The password hash and the token version never leave the server, so the
/// API's schema of a user leaves them out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub role: Role,
    #[serde(default, deserialize_with = "null_as_default")]
    pub status: UserStatus,
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_approver: bool,
    /// A bcrypt hash; legacy rows may still hold plaintext until `migrate-passwords` runs.
    /// Never serialised into API responses (the API has its own profile type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub zone: Zone,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp_number: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub permissions: Vec<Permission>,
    /// Dashboard step label → `full` | `view` | `no` (§4.5).
    #[serde(default, deserialize_with = "null_as_default")]
    pub step_access: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub gross_monthly_salary: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub monthly_target: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub monthly_qty_target: rust_decimal::Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub org_positions: Vec<String>,
    /// Kept by the rewrite (the legacy credentials endpoint wrote them into the void, D-D1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Bumped on logout, password change and role change; tokens carrying an older value are
    /// refused, which is how old 7-day tokens get revoked (D-S7).
    #[serde(default, deserialize_with = "null_as_default")]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub token_version: u32,
    /// True until the user sets a password of their own (seed and reset accounts).
    #[serde(default, deserialize_with = "null_as_default")]
    pub must_change_password: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Fields this version does not model (`_id`, `__v`, future keys) survive a rewrite.
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

impl User {
    pub fn new(id: impl Into<String>, name: impl Into<String>, role: Role) -> Self {
        let now = Timestamp::now();
        User {
            id: id.into(),
            name: name.into(),
            email: None,
            role,
            status: UserStatus::Active,
            is_approver: role.default_is_approver(),
            password: None,
            location: Some("Pan India".into()),
            zone: Zone::PanIndia,
            department1: None,
            department2: None,
            channel: None,
            whatsapp_number: None,
            permissions: Vec::new(),
            step_access: BTreeMap::new(),
            gross_monthly_salary: Money::ZERO,
            monthly_target: Money::ZERO,
            monthly_qty_target: rust_decimal::Decimal::ZERO,
            last_login: None,
            manager_id: None,
            org_positions: Vec::new(),
            employee_id: None,
            address: None,
            token_version: 0,
            must_change_password: false,
            deleted_at: None,
            created_at: Some(now),
            updated_at: Some(now),
            extra: Map::new(),
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }
}

/// The role and permission keys are written as their stored text (`auth::roles`,
/// `auth::permissions`); described here, with the user record that carries them.
#[cfg(feature = "openapi")]
mod schemas {
    use crate::auth::{Permission, Role};
    use crate::types::openapi::string_enum;
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;

    impl utoipa::PartialSchema for Role {
        fn schema() -> RefOr<Schema> {
            string_enum("A user's role, as stored.", Role::ALL.map(Role::as_str))
        }
    }
    impl utoipa::ToSchema for Role {}

    impl utoipa::PartialSchema for Permission {
        fn schema() -> RefOr<Schema> {
            string_enum(
                "A permission key of `users.permissions`.",
                Permission::ALL.map(Permission::as_str),
            )
        }
    }
    impl utoipa::ToSchema for Permission {}
}
