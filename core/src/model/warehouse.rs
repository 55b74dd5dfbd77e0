//! `warehouses`: cold stores and hubs (domain.md §1.8). The rewrite gives each a stable
//! string `id` (e.g. `WH-KURLA`, §6.4) and keeps the legacy `inventory` array readable, but
//! stock itself lives in product batches tagged with the warehouse id (one stock store).

use crate::types::{Quantity, Timestamp, null_as_default};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Temperature {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WarehouseBatch {
    #[serde(default)]
    pub batch_number: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub qty: Quantity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<Timestamp>,
}

/// A legacy inventory line (read for migration; not written by the rewrite).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InventoryLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub qty: Quantity,
    #[serde(default, deserialize_with = "null_as_default")]
    pub batches: Vec<WarehouseBatch>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Warehouse {
    pub id: String,
    pub name: String,
    pub location: String,
    /// Legacy client aliases (`W1`–`W4`) that resolve to this warehouse.
    #[serde(default, deserialize_with = "null_as_default")]
    pub aliases: Vec<String>,
    /// State, the place the goods are supplied from (for the GST split).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default = "default_capacity", deserialize_with = "capacity_or_default")]
    pub capacity_total: Decimal,
    #[serde(default, deserialize_with = "null_as_default")]
    pub capacity_used: Decimal,
    #[serde(default, deserialize_with = "null_as_default")]
    pub temperature: Temperature,
    #[serde(default, deserialize_with = "null_as_default")]
    pub inventory: Vec<InventoryLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

fn default_capacity() -> Decimal {
    Decimal::from(50_000)
}

fn capacity_or_default<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    Ok(Option::<Decimal>::deserialize(d)?.unwrap_or_else(default_capacity))
}

impl Warehouse {
    /// Utilisation in percent (§2.4: 1,500 of 50,000 → 3 %).
    pub fn utilisation_pct(&self) -> Decimal {
        if self.capacity_total.is_zero() {
            return Decimal::ZERO;
        }
        (self.capacity_used / self.capacity_total * Decimal::ONE_HUNDRED).round_dp(2)
    }
}
