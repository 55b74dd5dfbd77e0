//! `attendances`: one check-in/check-out record per user per IST day (domain.md §1.13,
//! §2.15).

use crate::types::{DateOnly, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    #[serde(default)]
    pub lat: f64,
    #[serde(default)]
    pub lng: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Attendance {
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_role: Option<String>,
    /// The calendar day in India Standard Time.
    pub date: DateOnly,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_in_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_out_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_in_location: Option<GeoPoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_out_location: Option<GeoPoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}
