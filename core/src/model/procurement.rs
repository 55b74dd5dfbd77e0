//! `procurements`: the inbound quality gate, three document checks then head approval
//! (domain.md §1.10, §2.13).

use crate::types::{Timestamp, null_as_default};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProcurementStatus {
    #[default]
    #[serde(alias = "PENDING")]
    Pending,
    #[serde(rename = "Awaiting Head Approval")]
    AwaitingHeadApproval,
    Approved,
    /// The reject path the legacy system lacked (D-L22).
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProcurementHistory {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
    #[serde(default = "Timestamp::now")]
    pub changed_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Procurement {
    pub id: String,
    pub supplier_name: String,
    pub sku_name: String,
    pub sku_code: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub sip_checked: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub labels_checked: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub docs_checked: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub status: ProcurementStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleared_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub status_history: Vec<ProcurementHistory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}
