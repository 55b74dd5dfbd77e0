//! `distributorprices`: the price list per distributor and material (domain.md §1.11,
//! §2.14). `billingRate` is data from the business, never derived here.

use crate::types::{Money, Percent, Timestamp, default_true, null_as_default, true_unless_false};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DistributorPrice {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distributor_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distributor_name: Option<String>,
    /// SKU / material code.
    pub code: String,
    /// Material description.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material_number: Option<String>,
    /// Pack size as text (`5 Kg`, `0.2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_kg: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub mrp: Money,
    #[serde(default = "default_gst", deserialize_with = "gst_or_default")]
    pub gst_pct: Percent,
    #[serde(default, deserialize_with = "null_as_default")]
    pub retailer_margin_on_mrp: Percent,
    #[serde(default, deserialize_with = "null_as_default")]
    pub dist_margin_on_cost: Percent,
    #[serde(default, deserialize_with = "null_as_default")]
    pub dist_margin_on_mrp: Percent,
    #[serde(default, deserialize_with = "null_as_default")]
    pub billing_rate: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default = "default_true", deserialize_with = "true_unless_false")]
    pub is_active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

fn default_gst() -> Percent {
    Percent::new(rust_decimal::Decimal::from(5)).unwrap_or_default()
}

fn gst_or_default<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Percent, D::Error> {
    Ok(Option::<Percent>::deserialize(d)?.unwrap_or_else(default_gst))
}
