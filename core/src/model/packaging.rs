//! `packagingmaterials` and `packagingtransactions`: packaging stock with its MOQ and the
//! in/out movements that change it (domain.md §1.6, §1.7, §2.10).

use crate::types::{DateOnly, Quantity, Timestamp, null_as_default};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PackagingUnit {
    #[serde(rename = "PCS", alias = "Pcs", alias = "pcs")]
    Pcs,
    #[serde(rename = "KG", alias = "Kg", alias = "kg")]
    Kg,
    #[serde(rename = "ROLLS", alias = "Rolls", alias = "rolls")]
    Rolls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PackagingCategory {
    #[serde(rename = "Poly Pkts")]
    PolyPkts,
    #[serde(rename = "Vacuum Pouches")]
    VacuumPouches,
    #[serde(rename = "Cartons")]
    Cartons,
    #[serde(rename = "Tape/Labels")]
    TapeLabels,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PackagingMaterial {
    pub id: String,
    pub name: String,
    pub unit: PackagingUnit,
    /// Minimum order quantity, used as the re-order threshold.
    #[serde(default, deserialize_with = "null_as_default")]
    pub moq: Quantity,
    #[serde(default, deserialize_with = "null_as_default")]
    pub balance: Quantity,
    pub category: PackagingCategory,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_movement_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MovementType {
    #[serde(rename = "IN")]
    In,
    #[serde(rename = "OUT")]
    Out,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PackagingTransaction {
    pub id: String,
    pub material_id: String,
    #[serde(rename = "type")]
    pub movement: MovementType,
    pub qty: Quantity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfg_date: Option<DateOnly>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp_date: Option<DateOnly>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_no: Option<String>,
    /// A blob-store key or link; never base64 inside the document (D-S10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
    /// Why stock went out (the legacy outward captured nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// Balance right after this movement, for reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_after: Option<Quantity>,
    #[serde(default = "Timestamp::now")]
    pub date: Timestamp,
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}
