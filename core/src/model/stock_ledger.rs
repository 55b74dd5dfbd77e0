//! `stockledgers`: the append-only journal of stock movements (domain.md §1.9, §2.5). The
//! rewrite writes one row per batch actually moved, with a signed quantity, the order,
//! the actor and a reason code, in the same commit as the move (fixes D-D5).

use crate::types::{Timestamp, string_or_oid};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum LedgerType {
    /// Stock received.
    Add,
    /// Stock drawn for an order (allocation or clearance).
    Deduct,
    /// Stock returned from an order (cancel, reject, send-back, returns).
    Restore,
    /// A manual correction with a reason.
    Adjust,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StockLedgerEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub timestamp: Timestamp,
    /// The SKU code (the legacy field name says product id but held the SKU).
    pub product_id: String,
    #[serde(
        default,
        deserialize_with = "string_or_oid",
        skip_serializing_if = "Option::is_none"
    )]
    pub warehouse_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(rename = "type")]
    pub entry_type: LedgerType,
    /// Legacy rows hold a positive quantity with the sign implied by `type`.
    pub qty: Decimal,
    /// Signed change actually applied (negative for DEDUCT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_qty: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}
