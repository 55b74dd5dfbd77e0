//! `auditlogs`: who did what, old → new, when (domain.md §1.12, §2.16). The shape is the
//! legacy one (the archive screen reads it), with the entity types the old enum was missing
//! (D-S14) and the actor's role and request id added.

use crate::types::{Timestamp, default_true, true_unless_false};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuditAction {
    Login,
    Logout,
    Create,
    Update,
    Delete,
    StatusChange,
    PriceChange,
    RoleChange,
    Export,
    Approve,
    Reject,
    BulkUpload,
    FileUpload,
    PasswordReset,
    PasswordChange,
    Import,
    StockMovement,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntityType {
    Order,
    Customer,
    Product,
    User,
    Procurement,
    Invoice,
    Packaging,
    Pms,
    System,
    FileUpload,
    PriceList,
    Warehouse,
    Stock,
    Job,
    /// Check-in/check-out records (every mutation is audited; the legacy enum had no type).
    Attendance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditLog {
    /// A ULID for entries written by the rewrite (legacy entries only have `_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub user_id: String,
    pub user_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_role: Option<String>,
    pub action: AuditAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<EntityType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_data: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_data: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default = "Timestamp::now")]
    pub timestamp: Timestamp,
    #[serde(default = "default_true", deserialize_with = "true_unless_false")]
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

impl AuditLog {
    /// A new entry stamped now with a fresh id.
    pub fn new(
        user_id: impl Into<String>,
        user_name: impl Into<String>,
        action: AuditAction,
    ) -> Self {
        let now = Timestamp::now();
        AuditLog {
            id: Some(ulid::Ulid::new().to_string()),
            user_id: user_id.into(),
            user_name: user_name.into(),
            user_role: None,
            action,
            entity_type: None,
            entity_id: None,
            old_data: None,
            new_data: None,
            reason: None,
            ip_address: None,
            user_agent: None,
            request_id: None,
            timestamp: now,
            success: true,
            error_message: None,
            created_at: Some(now),
            updated_at: Some(now),
            extra: Map::new(),
        }
    }

    pub fn entity(mut self, t: EntityType, id: impl Into<String>) -> Self {
        self.entity_type = Some(t);
        self.entity_id = Some(id.into());
        self
    }

    pub fn change(mut self, old: Option<Value>, new: Option<Value>) -> Self {
        self.old_data = old;
        self.new_data = new;
        self
    }
}
