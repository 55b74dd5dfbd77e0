//! `orders`: sales orders, stock-transfer notes and clearance orders in one collection
//! (domain.md §1.4). Legacy fields are kept as they are; the fields the old schema silently
//! dropped (clearance/STN/bulk flags, per-step data) are first-class here (D-D1, §3.8).

use super::OrderStatus;
use crate::types::{Money, Percent, Quantity, Timestamp, null_as_default};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum OrderType {
    #[default]
    Sales,
    Stn,
    Clearance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum OrderSource {
    #[default]
    App,
    Bulk,
}

/// A batch drawn for an order line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AllocatedBatch {
    #[serde(default)]
    pub batch_number: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub qty: Quantity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Timestamp>,
    /// Which product the batch belongs to (legacy rows lack it; the line's product applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// The warehouse the batch was drawn from, so a restore puts it back in the same place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    #[serde(default)]
    pub product_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_code: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub quantity: Quantity,
    /// Applied rate per unit, ex-GST.
    #[serde(default, deserialize_with = "null_as_default")]
    pub price: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// A packaging count shown to the warehouse, not a price multiplier (D-L8 decision).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        serialize_with = "crate::types::decimal_number"
    )]
    pub box_count: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_rate: Option<Money>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub prev_rate: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The product's GST rate at booking time, so later master-data edits never reprice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gst_rate: Option<Percent>,
    /// Line value ex-GST (price × quantity), rounded to the paisa.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    /// Clearance lines name the batch they draw (dropped by the legacy schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_number: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub allocated_batches: Vec<AllocatedBatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packed_quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

/// One entry of the append-only status history. `status` keeps the stored text verbatim
/// (legacy synonyms included); the rest is what the legacy history lacked (D-D8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    #[serde(default)]
    pub status: String,
    #[serde(default = "Timestamp::now")]
    pub timestamp: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// Logistics cost inputs and result (the PROTO intended rule, §2.9), kept on the order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CostBreakdown {
    #[serde(
        default,
        deserialize_with = "null_as_default",
        serialize_with = "crate::types::decimal_number"
    )]
    pub thermacol_box_count: Decimal,
    #[serde(default, deserialize_with = "null_as_default")]
    pub thermacol_rate: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub thermacol_amount: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub dry_ice_kg: Decimal,
    #[serde(default, deserialize_with = "null_as_default")]
    pub dry_ice_rate: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub dry_ice_amount: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub wh_to_station_amount: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub station_to_loc_amount: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub wh_to_cust_amount: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total: Money,
    /// Cost as a percentage of the packed value ex-GST; none when nothing was packed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_pct: Option<Decimal>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Logistics {
    /// A user id in the rewrite (the legacy client stored a display name here, D-L16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_agent_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle_provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<Decimal>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub shipping_cost: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub high_cost_alert: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eway_bill: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_breakdown: Option<CostBreakdown>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_delivery_date: Option<Timestamp>,
}

/// The credit decision with the figures it was taken on (§3.8: the legacy kept status only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreditDecision {
    pub decision: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub decided_by: String,
    pub decided_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Money>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub outstanding: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub overdue: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub exposure: Money,
    /// Approved although the credit check failed, by a holder of `credit_override`, with
    /// the reason above.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridden: bool,
    /// Approved by the auto-approval setting, not by a person (`decidedBy` is `rule`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_rule: bool,
}

/// What the credit check found, one entry per finding (domain.md §2.8, "Credit check").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CreditFlag {
    /// Exposure above the limit: approving needs an override.
    OverLimit,
    /// A limit of 1, the ERP's mark of a cash-sale or blocked account: approving on credit
    /// needs an override.
    CashOnly,
    /// Money past due: a credit controller decides (no auto-approval), no override needed.
    Overdue,
    /// No limit on file, so nothing to measure against: a credit controller decides.
    NoLimit,
}

impl CreditFlag {
    /// Whether approving an order with this finding needs `credit_override`.
    pub fn needs_override(self) -> bool {
        matches!(self, CreditFlag::OverLimit | CreditFlag::CashOnly)
    }
}

/// The credit check an order records when it is booked or its lines change, and that the
/// approval repeats on fresh figures: exposure = osBalance + the customer's open orders not
/// yet invoiced + this order, against the limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreditCheck {
    /// Nothing found: the order may be approved by rule when auto-approval is on.
    pub passed: bool,
    /// A finding that needs `credit_override` to approve (over the limit, cash-only).
    pub override_required: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub flags: Vec<CreditFlag>,
    /// One line for people, e.g. "Over the limit by ₹21,700; overdue ₹5,000".
    pub summary: String,
    /// `null` when no limit is on file.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub limit: Option<Money>,
    pub outstanding: Money,
    /// The customer's other open orders not yet invoiced.
    pub open_orders: Money,
    pub order_total: Money,
    /// outstanding + open orders + this order.
    pub exposure: Money,
    /// exposure − limit when over the limit, else `null`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub over_by: Option<Money>,
    pub overdue: Money,
    pub checked_at: Timestamp,
}

/// The five-point QC checklist (§3.2 step 5 / PROTO QCDetails).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct QcDetails {
    #[serde(default)]
    pub temp_verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_temp: Option<Decimal>,
    #[serde(default)]
    pub packaging_intact: bool,
    #[serde(default)]
    pub weight_verified: bool,
    #[serde(default)]
    pub label_clarity: bool,
    #[serde(default)]
    pub invoice_dc_attached: bool,
    #[serde(default)]
    pub qc_passed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qc_agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qc_timestamp: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qc_remarks: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InvoiceDetails {
    #[serde(default)]
    pub invoice_no: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_file: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub taxable_value: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub cgst: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub sgst: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub igst: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoiced_by: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDetails {
    #[serde(default)]
    pub otp_verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_by: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub cash_collected: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub order_type: OrderType,
    #[serde(default, deserialize_with = "null_as_default")]
    pub source: OrderSource,
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub items: Vec<OrderItem>,
    #[serde(default = "default_status", deserialize_with = "status_or_default")]
    pub status: OrderStatus,
    /// Grand total including GST (legacy clearance and bulk orders excluded GST, §2.6).
    #[serde(default, deserialize_with = "null_as_default")]
    pub total: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub sub_total: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub gst_amount: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub cgst: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub sgst: Money,
    #[serde(default, deserialize_with = "null_as_default")]
    pub igst: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_supply: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesperson_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesperson_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
    /// Warehouse id after WH selection; for legacy STNs a facility name (D-D4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_warehouse: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_warehouse: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intelligence_insight: Option<String>,
    /// The structured four-part credit insight behind `intelligenceInsight`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_insight: Option<Value>,
    /// The route and vehicle costs the `distance_cost` job proposes at the logistics-cost
    /// step (`integrations::distance_cost::LogisticsProposal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::integrations::distance_cost::LogisticsProposal>))]
    pub logistics_proposal: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_url: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub status_history: Vec<StatusChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logistics: Option<Logistics>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub sales_photos: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qc_photo: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_clearance: bool,
    #[serde(rename = "isSTN", default, deserialize_with = "null_as_default")]
    pub is_stn: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_bulk_upload: bool,
    /// Bulk-import idempotency key (file hash + order reference) under a unique index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_decision: Option<CreditDecision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_check: Option<CreditCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qc: Option<QcDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<InvoiceDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryDetails>,
    /// True while the order holds stock; cleared exactly once when stock goes back, which is
    /// what makes cancel-twice restore once (D-L4).
    #[serde(default, deserialize_with = "null_as_default")]
    pub stock_reserved: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
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

fn default_status() -> OrderStatus {
    OrderStatus::PendingCreditApproval
}

/// The legacy schema default was `Pending`; an empty or null status reads the same way.
fn status_or_default<'de, D: serde::Deserializer<'de>>(d: D) -> Result<OrderStatus, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(default_status()),
        Some(s) if s.trim().is_empty() => Ok(default_status()),
        Some(s) => OrderStatus::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown order status `{s}`"))),
    }
}

impl Order {
    pub fn new(id: impl Into<String>, customer_id: impl Into<String>) -> Self {
        let now = Timestamp::now();
        Order {
            id: id.into(),
            order_type: OrderType::Sales,
            source: OrderSource::App,
            customer_id: customer_id.into(),
            customer_name: None,
            items: Vec::new(),
            status: OrderStatus::PendingCreditApproval,
            total: Money::ZERO,
            sub_total: Money::ZERO,
            gst_amount: Money::ZERO,
            cgst: Money::ZERO,
            sgst: Money::ZERO,
            igst: Money::ZERO,
            place_of_supply: None,
            salesperson_id: None,
            salesperson_name: None,
            remarks: None,
            source_warehouse: None,
            destination_warehouse: None,
            partner_type: None,
            intelligence_insight: None,
            credit_insight: None,
            logistics_proposal: None,
            pod_url: None,
            invoice_url: None,
            status_history: Vec::new(),
            logistics: None,
            sales_photos: Vec::new(),
            qc_photo: None,
            is_clearance: false,
            is_stn: false,
            is_bulk_upload: false,
            import_key: None,
            credit_decision: None,
            credit_check: None,
            qc: None,
            invoice: None,
            delivery: None,
            stock_reserved: false,
            rejection_reason: None,
            created_at: Some(now),
            updated_at: Some(now),
            rev: 0,
            extra: Map::new(),
        }
    }

    /// The order's kind, recognising legacy data by id prefix and STN destination
    /// (§6.3), since the legacy flags were never stored.
    pub fn kind(&self) -> OrderType {
        if self.is_clearance
            || self.id.starts_with("CLR-")
            || self.order_type == OrderType::Clearance
        {
            OrderType::Clearance
        } else if self.is_stn
            || self.id.starts_with("STN-")
            || self.order_type == OrderType::Stn
            || self
                .destination_warehouse
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty())
        {
            OrderType::Stn
        } else {
            OrderType::Sales
        }
    }

    /// Value ex-GST of what was packed (the base of the 15 % logistics rule, §2.9).
    pub fn packed_value(&self) -> Money {
        self.items
            .iter()
            .map(|i| {
                let q = i.packed_quantity.unwrap_or(i.quantity);
                (i.price * q.value()).round2()
            })
            .sum()
    }
}
