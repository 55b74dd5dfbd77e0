//! `performancerecords`: one PMS record per user per month, with its KRAs and the computed
//! score and incentive (domain.md §1.5, §2.11).

use crate::types::{Money, PmsMonth, Timestamp, null_as_default};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum KraType {
    #[default]
    Unrestricted,
    Restricted,
    #[serde(rename = "As per slab", alias = "As Per Slab", alias = "as per slab")]
    AsPerSlab,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Kra {
    pub id: i64,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub target: Decimal,
    #[serde(default, deserialize_with = "null_as_default")]
    pub achieved: Decimal,
    #[serde(default, deserialize_with = "null_as_default")]
    pub weightage: Decimal,
    #[serde(rename = "type", default, deserialize_with = "null_as_default")]
    pub kra_type: KraType,
    #[serde(default, deserialize_with = "null_as_default")]
    pub final_score: Decimal,
}

/// Outstanding-overdue balances in three territories; their total feeds the OD KRA.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OdBalances {
    #[serde(default, deserialize_with = "null_as_default")]
    pub chennai: Money,
    #[serde(rename = "self", default, deserialize_with = "null_as_default")]
    pub self_: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub hyd: Money,
}

impl OdBalances {
    pub fn total(&self) -> Money {
        self.chennai + self.self_ + self.hyd
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PerformanceRecord {
    pub user_id: String,
    pub user_name: String,
    pub month: PmsMonth,
    /// Sortable `YYYY-MM` twin of `month` (D-D6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub gross_monthly_salary: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub od_balances: OdBalances,
    #[serde(default, deserialize_with = "null_as_default")]
    pub kras: Vec<Kra>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_score: Decimal,
    #[serde(default, deserialize_with = "null_as_default")]
    pub incentive_amount: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub incentive_percentage: Decimal,
    /// Which scoring policy produced the stored figures, so a policy change is traceable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(rename = "_rev", default, deserialize_with = "null_as_default")]
    pub rev: u64,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}
