//! What the console reads from the API, parsed leniently from JSON.
//!
//! Why lenient: the API keeps the legacy shapes (money as numbers or strings, optional
//! fields absent or null, aliases such as `osBalance`/`outstanding`), and a console must show
//! a record with one odd field rather than drop the whole list. Only the id is required (the
//! batch number for an expiring batch, the type for a live event); everything else falls
//! back.
//!
//! Every record is read with serde into typed fields: money and stock quantities as
//! `Decimal` (never a float) through core's `lenient_decimal`, order statuses as
//! `OrderStatus`, job kinds and statuses as core's `JobKind` and `JobStatus` (through
//! [`Named`], which keeps text this build does not know), the server's `availableSteps` as
//! `nexus_core::wire::AvailableStep`. Each field goes through a lenient reader (an odd value
//! falls back to its default), each list element by element (an odd element is skipped).
//! Where a record needs more than its fields (an id under one of several names, a legacy
//! alias pair, a required field), a private wire struct is read and then converted, which is
//! where the requirement is checked: the public type's `Deserialize` goes through it
//! (`#[serde(try_from = …)]`). Alias pairs are separate wire fields picked by precedence
//! rather than serde `alias`es, because the API writes both members and serde would reject
//! the duplicate.

use chrono::{DateTime, Utc};
use nexus_core::integrations::advisor::AdviceSource;
use nexus_core::integrations::distance_cost::LogisticsProposal;
use nexus_core::model::order::CreditCheck;
use nexus_core::model::{JobKind, JobStatus, OrderStatus};
use nexus_core::rules::credit::{Recommendation, RiskScore};
use nexus_core::types::lenient_decimal;
use nexus_core::wire::AvailableStep;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// A string field, or an empty string.
pub fn s(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(x)) => x.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// The first non-empty string among several alias fields.
pub fn s_any(v: &Value, keys: &[&str]) -> String {
    keys.iter()
        .map(|k| s(v, k))
        .find(|x| !x.is_empty())
        .unwrap_or_default()
}

pub fn time(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    let t = v.get(key)?.as_str()?;
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn id(v: &Value) -> Option<String> {
    let id = s_any(v, &["id", "_id"]);
    (!id.is_empty()).then_some(id)
}

/// The signed-in user, from the login answer's `user` or `GET /api/auth/me`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserInfo {
    pub id: String,
    pub name: String,
    pub role: String,
    /// Permission key → access level (`full`, `view`).
    pub permissions: Vec<(String, String)>,
}

impl UserInfo {
    pub fn from_json(v: &Value) -> Option<UserInfo> {
        let mut permissions: Vec<(String, String)> = v
            .get("effectivePermissions")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, l)| (k.clone(), l.as_str().unwrap_or("full").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        if permissions.is_empty() {
            // Older servers send only the granted keys.
            if let Some(list) = v.get("permissions").and_then(Value::as_array) {
                permissions = list
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|p| (p.to_string(), "full".to_string()))
                    .collect();
            }
        }
        Some(UserInfo {
            id: id(v)?,
            name: s(v, "name"),
            role: s(v, "role"),
            permissions,
        })
    }

    /// Whether the user holds a permission at the `full` level (the level steps need).
    pub fn can(&self, permission: &str) -> bool {
        self.role == "Admin"
            || self
                .permissions
                .iter()
                .any(|(p, level)| p == permission && level == "full")
    }
}

/// An order status as the server sent it: the text, and the canonical status it names.
///
/// Why both: the console compares, colours and counts by [`OrderStatus`] (legacy synonyms
/// such as `Pending` read as their canonical status, as on the server), but a status this
/// build does not know (a newer server) must not drop the row: it is shown as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    /// The text as sent.
    pub raw: String,
    /// The canonical status; `None` for text this build does not know.
    pub known: Option<OrderStatus>,
}

impl Status {
    pub fn parse(raw: &str) -> Status {
        Status {
            raw: raw.to_string(),
            known: OrderStatus::parse(raw),
        }
    }

    pub fn of(status: OrderStatus) -> Status {
        Status {
            raw: status.as_str().to_string(),
            known: Some(status),
        }
    }

    /// The name to show: the canonical one when known, else the text as sent.
    pub fn name(&self) -> &str {
        match self.known {
            Some(s) => s.as_str(),
            None => &self.raw,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.known.is_none() && self.raw.trim().is_empty()
    }

    /// Whether both name the same status (the same canonical one, or the same unknown text).
    pub fn same(&self, other: &Status) -> bool {
        match (self.known, other.known) {
            (Some(a), Some(b)) => a == b,
            (None, None) => self.raw.trim().eq_ignore_ascii_case(other.raw.trim()),
            _ => false,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(t) => Status::parse(&t),
            _ => Status::default(),
        })
    }
}

/// Text from a string, number or flag; anything else (null, objects) reads as empty.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(x) => x,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    })
}

/// An amount or quantity given as a JSON number or numeric text (`"1,250.50"`); anything
/// else reads as zero rather than failing the record.
fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    Ok(opt_decimal(d)?.unwrap_or_default())
}

fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    Ok(lenient_decimal(&Value::deserialize(d)?))
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Value::deserialize(d)? == Value::Bool(true))
}

fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(t) => DateTime::parse_from_rfc3339(&t)
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        _ => None,
    })
}

/// A list read element by element: an element that does not read is skipped, the rest are
/// kept (one odd line must not hide an order's other lines).
fn each<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|i| serde_json::from_value(i).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// An optional sub-document: `None` when absent, null or not of its shape (an odd enrichment
/// must not drop the order it is stored on).
fn optional<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

/// `availableSteps`: `None` when the field is absent or not a list (the steps are then
/// unknown, not empty: the console reloads the order before offering any).
fn steps<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<AvailableStep>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => Some(
            items
                .into_iter()
                .filter_map(|i| serde_json::from_value(i).ok())
                .collect(),
        ),
        _ => None,
    })
}

/// An order document as the API sends it (`GET /api/orders`, `GET /api/orders/{id}`, and
/// the order events' `data`). Every field is optional and read leniently: the API keeps the
/// legacy shapes (money as numbers or text, fields absent or null), and one odd field must
/// not drop the order. Only an id is required, checked when the rows are built.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireOrder {
    #[serde(deserialize_with = "text")]
    id: String,
    #[serde(rename = "_id", deserialize_with = "text")]
    legacy_id: String,
    /// Events name the order `orderId`.
    #[serde(deserialize_with = "text")]
    order_id: String,
    #[serde(deserialize_with = "text")]
    customer_id: String,
    #[serde(deserialize_with = "text")]
    customer_name: String,
    status: Status,
    /// `order:status-changed` events carry the status as `newStatus`.
    new_status: Status,
    #[serde(deserialize_with = "decimal")]
    total: Decimal,
    #[serde(deserialize_with = "decimal")]
    sub_total: Decimal,
    #[serde(deserialize_with = "decimal")]
    gst_amount: Decimal,
    #[serde(deserialize_with = "text")]
    salesperson_id: String,
    #[serde(deserialize_with = "instant")]
    created_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "each")]
    items: Vec<WireLine>,
    #[serde(deserialize_with = "each")]
    status_history: Vec<WireChange>,
    #[serde(deserialize_with = "text")]
    remarks: String,
    #[serde(deserialize_with = "text")]
    source_warehouse: String,
    #[serde(deserialize_with = "text")]
    order_type: String,
    #[serde(deserialize_with = "flag")]
    is_clearance: bool,
    #[serde(deserialize_with = "flag")]
    stock_reserved: bool,
    #[serde(deserialize_with = "steps")]
    available_steps: Option<Vec<AvailableStep>>,
    #[serde(deserialize_with = "optional")]
    credit_insight: Option<InsightSummary>,
    #[serde(deserialize_with = "optional")]
    logistics_proposal: Option<LogisticsProposal>,
    #[serde(deserialize_with = "optional")]
    credit_check: Option<CreditCheck>,
}

/// What the console shows of an order's stored credit insight (`creditInsight`), in
/// core's own types: a renamed or re-spelled field fails here, not on screen.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InsightSummary {
    pub risk_score: RiskScore,
    pub decision: Recommendation,
    pub source: AdviceSource,
    #[serde(default)]
    pub fallback_reason: Option<String>,
    #[serde(default)]
    pub generated_by: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireLine {
    #[serde(deserialize_with = "text")]
    product_id: String,
    #[serde(deserialize_with = "text")]
    product_name: String,
    #[serde(deserialize_with = "text")]
    sku_code: String,
    #[serde(deserialize_with = "text")]
    batch_number: String,
    #[serde(deserialize_with = "decimal")]
    quantity: Decimal,
    #[serde(deserialize_with = "decimal")]
    price: Decimal,
    #[serde(deserialize_with = "decimal")]
    gst_rate: Decimal,
    #[serde(deserialize_with = "opt_decimal")]
    total: Option<Decimal>,
    #[serde(deserialize_with = "opt_decimal")]
    packed_quantity: Option<Decimal>,
    #[serde(deserialize_with = "each")]
    allocated_batches: Vec<WireBatch>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireBatch {
    #[serde(deserialize_with = "text")]
    batch_number: String,
    #[serde(deserialize_with = "decimal")]
    qty: Decimal,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireChange {
    status: Status,
    #[serde(deserialize_with = "instant")]
    timestamp: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "text")]
    actor_id: String,
    #[serde(deserialize_with = "text")]
    actor_role: String,
    #[serde(deserialize_with = "text")]
    reason: String,
}

impl WireOrder {
    fn read(v: &Value) -> Option<WireOrder> {
        // A JSON object always reads (every field is lenient); anything else is no order.
        let o: WireOrder = serde_json::from_value(v.clone()).ok()?;
        (!o.id().is_empty()).then_some(o)
    }

    fn id(&self) -> &str {
        [&self.id, &self.legacy_id, &self.order_id]
            .into_iter()
            .find(|x| !x.trim().is_empty())
            .map_or("", |x| x.as_str())
    }

    fn row(&self) -> OrderRow {
        OrderRow {
            id: self.id().to_string(),
            customer_id: self.customer_id.clone(),
            customer_name: self.customer_name.clone(),
            status: if self.status.is_empty() {
                self.new_status.clone()
            } else {
                self.status.clone()
            },
            total: self.total,
            salesperson_id: self.salesperson_id.clone(),
            created_at: self.created_at,
            items: self.items.len(),
            steps: self.available_steps.clone(),
            credit: self.credit_check.as_ref().map(CreditMark::of),
        }
    }
}

/// What the credit check recorded at booking means for the credit queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditMark {
    /// Within the limit, nothing overdue.
    Passed,
    /// Overdue or no limit: a person decides.
    Review,
    /// Over the limit or cash-only: approving needs credit_override.
    Override,
}

impl CreditMark {
    pub fn of(c: &CreditCheck) -> CreditMark {
        if c.override_required {
            CreditMark::Override
        } else if c.passed {
            CreditMark::Passed
        } else {
            CreditMark::Review
        }
    }
}

/// One row of the order list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderRow {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub status: Status,
    pub total: Decimal,
    pub salesperson_id: String,
    pub created_at: Option<DateTime<Utc>>,
    pub items: usize,
    /// The lifecycle steps the server offers this user on the order now (`availableSteps`),
    /// in its order. `None` while unknown: a row announced by a live event, or one whose
    /// status changed since it was read; the console reloads the order before offering any.
    pub steps: Option<Vec<AvailableStep>>,
    /// The credit check the order recorded (orders booked before it existed have none).
    pub credit: Option<CreditMark>,
}

impl OrderRow {
    /// A row from an order document or an order event's data; `None` without an id.
    pub fn from_json(v: &Value) -> Option<OrderRow> {
        WireOrder::read(v).map(|o| o.row())
    }

    /// The rows of a list answer (a raw array or `{data: [...]}`), read one by one: an
    /// unreadable element is skipped, never the whole list.
    pub fn list_from_json(v: &Value) -> Vec<OrderRow> {
        v.as_array()
            .or_else(|| v.get("data").and_then(Value::as_array))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(OrderRow::from_json)
            .collect()
    }
}

/// An order line in the detail pane.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderLine {
    pub product_id: String,
    /// The product's name, or its id when the line has no name.
    pub product: String,
    /// Batches allocated to the line (batch number, quantity), from WH selection on.
    pub allocated: Vec<(String, Decimal)>,
    pub sku: String,
    /// The batch a clearance line draws from.
    pub batch_number: String,
    pub quantity: Decimal,
    pub packed: Option<Decimal>,
    /// Rate per unit, ex-GST.
    pub price: Decimal,
    pub gst_rate: Decimal,
    pub total: Decimal,
}

impl OrderLine {
    /// What the line carries to the customer, as the deliver endpoint counts it: its
    /// allocation while the order holds stock, else what was packed, else what was ordered.
    pub fn carried(&self, stock_reserved: bool) -> Decimal {
        if stock_reserved && !self.allocated.is_empty() {
            self.allocated.iter().map(|(_, q)| *q).sum()
        } else {
            self.packed.unwrap_or(self.quantity)
        }
    }
}

/// One entry of an order's status timeline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimelineEntry {
    pub status: Status,
    pub at: Option<DateTime<Utc>>,
    pub actor: String,
    pub reason: String,
}

/// An order with lines, totals and timeline (`GET /api/orders/{id}`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderDetail {
    pub row: OrderRow,
    pub lines: Vec<OrderLine>,
    pub sub_total: Decimal,
    pub gst: Decimal,
    pub timeline: Vec<TimelineEntry>,
    pub remarks: String,
    pub warehouse: String,
    /// A clearance order: its lines name their batch and an edit sends them back so.
    pub clearance: bool,
    /// The order holds stock (its allocation is what it carries).
    pub stock_reserved: bool,
    /// The credit insight the queued job (or a controller's request) stored.
    pub insight: Option<InsightSummary>,
    /// The route and vehicle costs the distance-cost job proposed.
    pub proposal: Option<LogisticsProposal>,
    /// The credit check taken at booking, an edit or the last credit decision.
    pub credit_check: Option<CreditCheck>,
}

impl OrderDetail {
    pub fn from_json(v: &Value) -> Option<OrderDetail> {
        let o = WireOrder::read(v.get("data").unwrap_or(v))?;
        let lines = o
            .items
            .iter()
            .map(|i| OrderLine {
                product_id: i.product_id.clone(),
                product: if i.product_name.is_empty() {
                    i.product_id.clone()
                } else {
                    i.product_name.clone()
                },
                allocated: i
                    .allocated_batches
                    .iter()
                    .filter(|b| !b.batch_number.is_empty())
                    .map(|b| (b.batch_number.clone(), b.qty))
                    .collect(),
                sku: i.sku_code.clone(),
                batch_number: i.batch_number.clone(),
                quantity: i.quantity,
                packed: i.packed_quantity,
                price: i.price,
                gst_rate: i.gst_rate,
                total: i.total.unwrap_or(i.quantity * i.price),
            })
            .collect();
        let timeline = o
            .status_history
            .iter()
            .map(|e| TimelineEntry {
                status: e.status.clone(),
                at: e.timestamp,
                actor: if e.actor_id.is_empty() {
                    e.actor_role.clone()
                } else {
                    e.actor_id.clone()
                },
                reason: e.reason.clone(),
            })
            .collect();
        let clearance = o.is_clearance
            || o.order_type.eq_ignore_ascii_case("clearance")
            || o.id().starts_with("CLR-");
        Some(OrderDetail {
            row: o.row(),
            lines,
            sub_total: o.sub_total,
            gst: o.gst_amount,
            timeline,
            remarks: o.remarks,
            warehouse: o.source_warehouse,
            clearance,
            stock_reserved: o.stock_reserved,
            insight: o.credit_insight,
            proposal: o.logistics_proposal,
            credit_check: o.credit_check,
        })
    }
}

/// A whole count (job progress, attempts) given as a JSON number or numeric text; anything
/// else reads as zero. Fractions are cut and negatives read as zero, as a cast would.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(lenient_decimal(&Value::deserialize(d)?).map_or(0, |x| {
        let x = x.trunc();
        if x.is_sign_negative() {
            0
        } else {
            x.to_u64().unwrap_or(u64::MAX)
        }
    }))
}

/// A whole number of days (possibly negative) given as a JSON number or numeric text;
/// anything else reads as zero. Fractions are cut.
fn days<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(lenient_decimal(&Value::deserialize(d)?).map_or(0, |x| {
        let x = x.trunc();
        x.to_i64().unwrap_or(if x.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
    }))
}

/// A nested object read with its own lenient reader; anything that is not an object (null,
/// text, a list) reads as the default rather than failing the record around it.
fn nested<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<T, D::Error> {
    Ok(match Value::deserialize(d)? {
        v @ Value::Object(_) => serde_json::from_value(v).unwrap_or_default(),
        _ => T::default(),
    })
}

/// A map of amounts (the legacy ageing buckets): each entry as a decimal, an odd value as
/// zero (the label is kept); anything but an object reads as no entries.
fn amounts<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Decimal>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(m) => m
            .into_iter()
            .map(|(k, v)| (k, lenient_decimal(&v).unwrap_or_default()))
            .collect(),
        _ => BTreeMap::new(),
    })
}

/// The first non-empty text among the members of a legacy alias pair (or triple), in the
/// order given: the API writes both members of a pair (`osBalance` and `outstanding`), so
/// they are read as separate fields and picked here rather than as a serde `alias`, which
/// would reject the record for a duplicate field.
fn first(candidates: &[&String]) -> String {
    candidates
        .iter()
        .find(|x| !x.is_empty())
        .map_or_else(String::new, |x| (*x).clone())
}

/// A record read through its `Deserialize` (a lenient wire form and the check of its
/// required field); `None` for anything but a JSON object or a record without that field.
fn record<'a, T: Deserialize<'a>>(v: &'a Value) -> Option<T> {
    if v.is_object() {
        T::deserialize(v).ok()
    } else {
        None
    }
}

/// The records of a list answer (a raw array or `{data: [...]}`), read element by element:
/// an element that does not read is skipped, never the whole list.
pub fn list<T: DeserializeOwned>(v: &Value) -> Vec<T> {
    v.as_array()
        .or_else(|| v.get("data").and_then(Value::as_array))
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(record)
        .collect()
}

/// A value of one of core's wire enums (a job's kind or status) as the server sent it: the
/// enum when this build knows the text, else the text itself.
///
/// Why not the enum alone: a newer server may add a kind or a status, and a console must show
/// that job as sent rather than drop it (or the whole list). The console compares, colours
/// and counts by the enum; text it does not know is only shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named<T> {
    Known(T),
    /// Text this build does not know (empty when the field was absent or not text).
    Other(String),
}

/// Core's wire enums the console reads through [`Named`], with their wire spelling.
pub trait WireName: Copy + DeserializeOwned {
    fn wire_name(self) -> &'static str;
}

impl WireName for JobKind {
    fn wire_name(self) -> &'static str {
        self.as_str()
    }
}

impl WireName for JobStatus {
    fn wire_name(self) -> &'static str {
        self.as_str()
    }
}

impl<T: WireName> Named<T> {
    /// The enum named by `raw` (as the server spells it; surrounding blanks and capitals
    /// are forgiven), else the text as sent.
    pub fn parse(raw: &str) -> Named<T> {
        let read = |t: &str| serde_json::from_value::<T>(Value::String(t.to_string())).ok();
        match read(raw).or_else(|| read(&raw.trim().to_ascii_lowercase())) {
            Some(known) => Named::Known(known),
            None => Named::Other(raw.to_string()),
        }
    }

    /// The enum, when this build knows the text.
    pub fn known(&self) -> Option<T> {
        match self {
            Named::Known(t) => Some(*t),
            Named::Other(_) => None,
        }
    }

    /// Whether this is `t`.
    pub fn is(&self, t: T) -> bool
    where
        T: PartialEq,
    {
        self.known() == Some(t)
    }

    /// The name to show: the wire spelling when known, else the text as sent.
    pub fn name(&self) -> &str {
        match self {
            Named::Known(t) => t.wire_name(),
            Named::Other(raw) => raw,
        }
    }
}

impl<T> Default for Named<T> {
    fn default() -> Self {
        Named::Other(String::new())
    }
}

impl<T> From<T> for Named<T> {
    fn from(t: T) -> Self {
        Named::Known(t)
    }
}

impl<T: WireName> fmt::Display for Named<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de, T: WireName> Deserialize<'de> for Named<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Named::parse(&text(d)?))
    }
}

/// A job record (`GET /api/jobs`, `job:*` events, the answer of a retry or a cancel).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(try_from = "WireJob")]
pub struct Job {
    pub id: String,
    pub kind: Named<JobKind>,
    pub status: Named<JobStatus>,
    pub done: u64,
    pub total: u64,
    pub message: String,
    pub error: String,
    pub has_report: bool,
    pub attempts: u64,
    pub created_at: Option<DateTime<Utc>>,
}

/// A job as the API lists it (core's `JobRecord`: `id`, legacy `_id`) or as a `job:*` event
/// carries it (core's `live::JobUpdate`: `jobId`). Only an id is required.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireJob {
    #[serde(deserialize_with = "text")]
    id: String,
    #[serde(rename = "_id", deserialize_with = "text")]
    legacy_id: String,
    #[serde(deserialize_with = "text")]
    job_id: String,
    kind: Named<JobKind>,
    status: Named<JobStatus>,
    #[serde(deserialize_with = "nested")]
    progress: Progress,
    #[serde(deserialize_with = "text")]
    error: String,
    #[serde(deserialize_with = "text")]
    report_key: String,
    #[serde(deserialize_with = "flag")]
    has_report: bool,
    #[serde(deserialize_with = "count")]
    attempts: u64,
    #[serde(deserialize_with = "instant")]
    created_at: Option<DateTime<Utc>>,
}

/// A job's `progress`: `{done, total, message}`, in a job record or a `job:*` event.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct Progress {
    #[serde(deserialize_with = "count")]
    pub done: u64,
    #[serde(deserialize_with = "count")]
    pub total: u64,
    #[serde(deserialize_with = "text")]
    pub message: String,
}

impl TryFrom<WireJob> for Job {
    type Error = &'static str;

    fn try_from(j: WireJob) -> Result<Job, Self::Error> {
        let id = first(&[&j.id, &j.legacy_id, &j.job_id]);
        if id.is_empty() {
            return Err("a job without an id");
        }
        Ok(Job {
            id,
            kind: j.kind,
            status: j.status,
            done: j.progress.done,
            total: j.progress.total,
            message: j.progress.message,
            error: j.error,
            has_report: !j.report_key.is_empty() || j.has_report,
            attempts: j.attempts,
            created_at: j.created_at,
        })
    }
}

impl Job {
    pub fn from_json(v: &Value) -> Option<Job> {
        record(v)
    }

    /// The job in an answer's `data` (a retry's or a cancel's), or the answer itself.
    pub fn from_answer(v: &Value) -> Option<Job> {
        record(v.get("data").unwrap_or(v))
    }

    /// Progress as a share of the job's count, exactly, from 0 to 1; 0 when the total is
    /// unknown. A gauge's input, not an amount.
    pub fn ratio(&self) -> Decimal {
        if self.total == 0 {
            Decimal::ZERO
        } else {
            (Decimal::from(self.done) / Decimal::from(self.total))
                .clamp(Decimal::ZERO, Decimal::ONE)
        }
    }
}

/// The download link of a job's report (`GET /api/jobs/{id}/report`, its `data`). Only the
/// link is required.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(try_from = "WireReportLink")]
pub struct ReportLink {
    pub url: String,
    pub file_name: String,
    /// How long the link holds, in seconds (0 when not said).
    pub expires_in_seconds: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireReportLink {
    #[serde(deserialize_with = "text")]
    url: String,
    #[serde(deserialize_with = "text")]
    file_name: String,
    #[serde(deserialize_with = "count")]
    expires_in_seconds: u64,
}

impl TryFrom<WireReportLink> for ReportLink {
    type Error = &'static str;

    fn try_from(r: WireReportLink) -> Result<ReportLink, Self::Error> {
        if r.url.trim().is_empty() {
            return Err("a report answer without a link");
        }
        Ok(ReportLink {
            url: r.url,
            file_name: r.file_name,
            expires_in_seconds: r.expires_in_seconds,
        })
    }
}

impl ReportLink {
    /// The link in the answer's `data`, or the answer itself; `None` without a link.
    pub fn from_answer(v: &Value) -> Option<ReportLink> {
        record(v.get("data").unwrap_or(v))
    }
}

/// A batch expiring within the window (`GET /api/products/expiring`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(try_from = "WireExpiring")]
pub struct ExpiringBatch {
    pub product_id: String,
    pub sku: String,
    pub product: String,
    pub batch: String,
    pub exp_date: String,
    pub days: i64,
    /// Stock left in the batch. A plain decimal rather than a `Quantity`: legacy batches can
    /// be overdrawn (D-L2), and the console shows that as sent instead of as zero.
    pub quantity: Decimal,
    pub warehouse: String,
}

/// Only the batch number is required.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireExpiring {
    #[serde(deserialize_with = "text")]
    product_id: String,
    #[serde(deserialize_with = "text")]
    sku_code: String,
    #[serde(deserialize_with = "text")]
    product_name: String,
    #[serde(deserialize_with = "text")]
    batch_number: String,
    #[serde(deserialize_with = "text")]
    exp_date: String,
    #[serde(deserialize_with = "days")]
    days_to_expiry: i64,
    #[serde(deserialize_with = "decimal")]
    quantity: Decimal,
    #[serde(deserialize_with = "text")]
    warehouse_id: String,
}

impl TryFrom<WireExpiring> for ExpiringBatch {
    type Error = &'static str;

    fn try_from(b: WireExpiring) -> Result<ExpiringBatch, Self::Error> {
        if b.batch_number.is_empty() {
            return Err("an expiring batch without a batch number");
        }
        Ok(ExpiringBatch {
            product_id: b.product_id,
            sku: b.sku_code,
            product: b.product_name,
            batch: b.batch_number,
            exp_date: b.exp_date,
            days: b.days_to_expiry,
            quantity: b.quantity,
            warehouse: b.warehouse_id,
        })
    }
}

impl ExpiringBatch {
    pub fn from_json(v: &Value) -> Option<ExpiringBatch> {
        record(v)
    }
}

/// A packaging material at or below its MOQ (`GET /api/packaging/low-stock`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(try_from = "WirePackaging")]
pub struct LowPackaging {
    pub id: String,
    pub name: String,
    /// What is in stock; may be negative on legacy data (shown as sent, in red).
    pub balance: Decimal,
    pub moq: Decimal,
    pub unit: String,
}

/// A material as listed (`id`, `name`) or as the `packaging:low-stock` event names it
/// (`materialId`, `materialName`). Only an id is required.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WirePackaging {
    #[serde(deserialize_with = "text")]
    id: String,
    #[serde(rename = "_id", deserialize_with = "text")]
    legacy_id: String,
    #[serde(deserialize_with = "text")]
    material_id: String,
    #[serde(deserialize_with = "text")]
    name: String,
    #[serde(deserialize_with = "text")]
    material_name: String,
    #[serde(deserialize_with = "decimal")]
    balance: Decimal,
    #[serde(deserialize_with = "decimal")]
    moq: Decimal,
    #[serde(deserialize_with = "text")]
    unit: String,
}

impl TryFrom<WirePackaging> for LowPackaging {
    type Error = &'static str;

    fn try_from(p: WirePackaging) -> Result<LowPackaging, Self::Error> {
        let id = first(&[&p.id, &p.legacy_id, &p.material_id]);
        if id.is_empty() {
            return Err("a packaging material without an id");
        }
        Ok(LowPackaging {
            id,
            name: first(&[&p.name, &p.material_name]),
            balance: p.balance,
            moq: p.moq,
            unit: p.unit,
        })
    }
}

impl LowPackaging {
    pub fn from_json(v: &Value) -> Option<LowPackaging> {
        record(v)
    }
}

/// A customer's credit position (`GET /api/customers`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(try_from = "WireCustomer")]
pub struct CustomerCredit {
    pub id: String,
    pub name: String,
    pub outstanding: Decimal,
    pub overdue: Decimal,
    pub limit: Option<Decimal>,
    /// The nine legacy buckets folded into the review's three: 0–30, 31–90, 90+.
    pub buckets: [Decimal; 3],
    pub blocked: bool,
}

/// A customer document. The API writes both members of each legacy alias pair; the same
/// precedence as core's `Customer::effective_*` applies: `osBalance` over `outstanding`,
/// `odAmt` over `overdue`, `limit` over `creditLimit` (a member that does not read as a
/// number counts as absent). Only an id is required.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireCustomer {
    #[serde(deserialize_with = "text")]
    id: String,
    #[serde(rename = "_id", deserialize_with = "text")]
    legacy_id: String,
    #[serde(deserialize_with = "text")]
    name: String,
    #[serde(deserialize_with = "opt_decimal")]
    os_balance: Option<Decimal>,
    #[serde(deserialize_with = "opt_decimal")]
    outstanding: Option<Decimal>,
    #[serde(deserialize_with = "opt_decimal")]
    od_amt: Option<Decimal>,
    #[serde(deserialize_with = "opt_decimal")]
    overdue: Option<Decimal>,
    #[serde(deserialize_with = "opt_decimal")]
    limit: Option<Decimal>,
    #[serde(deserialize_with = "opt_decimal")]
    credit_limit: Option<Decimal>,
    #[serde(deserialize_with = "amounts")]
    aging_buckets: BTreeMap<String, Decimal>,
    #[serde(deserialize_with = "flag")]
    is_blocked: bool,
}

/// The nine bucket labels of `agingBuckets` and the review group each falls in.
const BUCKETS: [(&str, usize); 9] = [
    ("0 to 7", 0),
    ("7 to 15", 0),
    ("15 to 30", 0),
    ("30 to 45", 1),
    ("45 to 90", 1),
    ("90 to 120", 2),
    ("120 to 150", 2),
    ("150 to 180", 2),
    (">180", 2),
];

impl TryFrom<WireCustomer> for CustomerCredit {
    type Error = &'static str;

    fn try_from(c: WireCustomer) -> Result<CustomerCredit, Self::Error> {
        let id = first(&[&c.id, &c.legacy_id]);
        if id.is_empty() {
            return Err("a customer without an id");
        }
        let mut buckets = [Decimal::ZERO; 3];
        for (label, group) in BUCKETS {
            if let Some(amount) = c.aging_buckets.get(label) {
                buckets[group] = buckets[group].saturating_add(*amount);
            }
        }
        Ok(CustomerCredit {
            id,
            name: c.name,
            outstanding: c.os_balance.or(c.outstanding).unwrap_or_default(),
            overdue: c.od_amt.or(c.overdue).unwrap_or_default(),
            limit: c.limit.or(c.credit_limit),
            buckets,
            blocked: c.is_blocked,
        })
    }
}

impl CustomerCredit {
    pub fn from_json(v: &Value) -> Option<CustomerCredit> {
        record(v)
    }

    /// Outstanding as a share of the limit, exactly (None without a positive limit). A
    /// share too large to hold reads as the largest decimal: far over the limit.
    pub fn utilisation(&self) -> Option<Decimal> {
        self.limit
            .filter(|l| l.is_sign_positive() && !l.is_zero())
            .map(|l| self.outstanding.checked_div(l).unwrap_or(Decimal::MAX))
    }
}

/// The exposure detail of one customer (`GET /api/customers/{id}/aging`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(from = "WireAging")]
pub struct Aging {
    pub customer_id: String,
    pub exposure: Decimal,
    pub open_orders: Decimal,
    pub limit: Option<Decimal>,
    pub headroom: Option<Decimal>,
    pub over_limit: bool,
    pub label: String,
    /// The legacy buckets the answer has, in age order, with their labels.
    pub buckets: Vec<(String, Decimal)>,
}

/// The ageing answer's `data`. Nothing is required: the detail is asked for one customer.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireAging {
    #[serde(deserialize_with = "text")]
    customer_id: String,
    #[serde(deserialize_with = "nested")]
    exposure: WireExposure,
    #[serde(deserialize_with = "opt_decimal")]
    credit_limit: Option<Decimal>,
    #[serde(deserialize_with = "flag")]
    over_limit: bool,
    #[serde(deserialize_with = "text")]
    ageing_label: String,
    #[serde(deserialize_with = "amounts")]
    buckets: BTreeMap<String, Decimal>,
}

/// `exposure`: outstanding plus open orders against the limit.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireExposure {
    #[serde(deserialize_with = "decimal")]
    total: Decimal,
    #[serde(deserialize_with = "decimal")]
    open_orders: Decimal,
    #[serde(deserialize_with = "opt_decimal")]
    headroom: Option<Decimal>,
}

impl From<WireAging> for Aging {
    fn from(a: WireAging) -> Aging {
        let buckets = BUCKETS
            .iter()
            .filter_map(|(l, _)| a.buckets.get(*l).map(|x| (l.to_string(), *x)))
            .collect();
        Aging {
            customer_id: a.customer_id,
            exposure: a.exposure.total,
            open_orders: a.exposure.open_orders,
            limit: a.credit_limit,
            headroom: a.exposure.headroom,
            over_limit: a.over_limit,
            label: a.ageing_label,
            buckets,
        }
    }
}

impl Aging {
    /// The answer's `data` (or the answer itself); `None` when that is not an object.
    pub fn from_json(v: &Value) -> Option<Aging> {
        record(v.get("data").unwrap_or(v))
    }
}

/// A live event as the server sends it: `{type, topic?, data, at}`. Only `type` is required.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "WireEnvelope")]
pub struct WireEvent {
    pub kind: String,
    pub topic: String,
    /// The payload as sent: order and job events are read into rows with their own
    /// readers, the rest through [`WireEvent::payload`].
    pub data: Value,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireEnvelope {
    #[serde(rename = "type", deserialize_with = "text")]
    kind: String,
    #[serde(deserialize_with = "text")]
    topic: String,
    data: Value,
    #[serde(deserialize_with = "instant")]
    at: Option<DateTime<Utc>>,
}

impl TryFrom<WireEnvelope> for WireEvent {
    type Error = &'static str;

    fn try_from(e: WireEnvelope) -> Result<WireEvent, Self::Error> {
        if e.kind.is_empty() {
            return Err("an event without a type");
        }
        Ok(WireEvent {
            kind: e.kind,
            topic: e.topic,
            data: e.data,
            at: e.at,
        })
    }
}

/// The fields of an event's `data` the console shows, each read leniently (absent, null or
/// odd reads as empty or zero). One flat record serves every event type: each uses a few.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EventData {
    #[serde(deserialize_with = "text")]
    pub order_id: String,
    #[serde(deserialize_with = "text")]
    pub customer_name: String,
    #[serde(deserialize_with = "decimal")]
    pub total: Decimal,
    #[serde(deserialize_with = "text")]
    pub status: String,
    #[serde(deserialize_with = "text")]
    pub old_status: String,
    #[serde(deserialize_with = "text")]
    pub new_status: String,
    #[serde(deserialize_with = "text")]
    pub reason: String,
    #[serde(deserialize_with = "text")]
    pub job_id: String,
    #[serde(deserialize_with = "text")]
    pub kind: String,
    #[serde(deserialize_with = "nested")]
    pub progress: Progress,
    #[serde(deserialize_with = "text")]
    pub product_name: String,
    #[serde(deserialize_with = "text")]
    pub sku_code: String,
    #[serde(deserialize_with = "text")]
    pub batch_number: String,
    #[serde(deserialize_with = "days")]
    pub days_to_expiry: i64,
    #[serde(deserialize_with = "text")]
    pub material_name: String,
    #[serde(deserialize_with = "decimal")]
    pub balance: Decimal,
    #[serde(deserialize_with = "decimal")]
    pub moq: Decimal,
}

impl WireEvent {
    pub fn from_json(v: &Value) -> Option<WireEvent> {
        record(v)
    }

    /// The payload's shown fields (all empty or zero when `data` is not an object).
    pub fn payload(&self) -> EventData {
        record(&self.data).unwrap_or_default()
    }

    /// One line describing the event for the Events view.
    pub fn summary(&self) -> String {
        let d = self.payload();
        match self.kind.as_str() {
            "order:created" => format!(
                "{} {} {:.2} {}",
                d.order_id,
                d.customer_name,
                d.total
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
                d.status
            ),
            "order:status-changed" => {
                format!("{} {} → {}", d.order_id, d.old_status, d.new_status)
            }
            "order:updated" => format!("{} updated", d.order_id),
            "credit:insight-ready" | "logistics:cost-proposed" => {
                format!("{} {}", d.order_id, self.kind.replace(':', " "))
            }
            "job:progress" | "job:finished" => {
                let p = &d.progress;
                format!(
                    "{} {} {} {}/{}",
                    d.job_id, d.kind, d.status, p.done, p.total
                )
            }
            // `{date, bucket, count, batches}` (`nexus_core::live::ExpiryAlert`), the batches
            // soonest first: the line names the soonest.
            "alert:expiry" => {
                let soonest: EventData = self
                    .data
                    .get("batches")
                    .and_then(|b| b.get(0))
                    .and_then(record)
                    .unwrap_or_default();
                let count = self.data.get("count").and_then(Value::as_u64).unwrap_or(0);
                let more = match count {
                    0 | 1 => String::new(),
                    n => format!(" (+{} more)", n - 1),
                };
                format!(
                    "{} batch {} expires in {} days{more}",
                    first(&[&soonest.product_name, &soonest.sku_code]),
                    soonest.batch_number,
                    soonest.days_to_expiry
                )
            }
            "packaging:low-stock" => format!(
                "{} at {} (MOQ {})",
                d.material_name,
                d.balance.normalize(),
                d.moq.normalize()
            ),
            "stock:changed" => format!("{} {}", d.order_id, d.reason),
            _ => {
                let text = self.data.to_string();
                text.chars().take(120).collect()
            }
        }
    }
}

#[cfg(test)]
mod server_answers;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_order_reads_with_odd_fields() {
        let o = OrderRow::from_json(&json!({
            "id": "ORD-001", "customerName": "ABC", "total": "5,285.5",
            "status": "Pending Credit Approval", "items": [{}, {}], "createdAt": "2026-02-12T10:00:00Z",
            "salespersonId": null
        }))
        .unwrap();
        assert_eq!(o.total, Decimal::new(52855, 1));
        assert_eq!(o.items, 2);
        assert_eq!(o.salesperson_id, "");
        assert!(o.created_at.is_some());
        assert_eq!(o.status.known, Some(OrderStatus::PendingCreditApproval));
        // No `availableSteps`: unknown, not "none".
        assert_eq!(o.steps, None);
        assert!(OrderRow::from_json(&json!({"customerName": "no id"})).is_none());
        assert!(OrderRow::from_json(&json!("ORD-001")).is_none());
    }

    #[test]
    fn statuses_read_legacy_spellings_and_keep_unknown_text() {
        let row = |status: Value| {
            OrderRow::from_json(&json!({"id": "O", "status": status}))
                .unwrap()
                .status
        };
        let legacy = row(json!("Pending"));
        assert_eq!(legacy.known, Some(OrderStatus::PendingCreditApproval));
        assert_eq!(legacy.name(), OrderStatus::PendingCreditApproval.as_str());
        let newer = row(json!("Awaiting Drone"));
        assert_eq!(newer.known, None);
        assert_eq!(newer.name(), "Awaiting Drone");
        assert!(row(json!(7)).is_empty());
        assert!(Status::parse("on  hold").same(&Status::of(OrderStatus::OnHold)));
        // An event names the order `orderId` and its status `newStatus`.
        let ev =
            OrderRow::from_json(&json!({"orderId": "ORD-9", "newStatus": "In Transit"})).unwrap();
        assert_eq!(
            (ev.id.as_str(), ev.status.known),
            ("ORD-9", Some(OrderStatus::InTransit))
        );
    }

    #[test]
    fn one_odd_record_or_field_does_not_drop_the_rest() {
        let list = OrderRow::list_from_json(&json!([
            {"id": "ORD-1", "total": {"$numberDecimal": "1"}, "createdAt": 5, "customerName": 42},
            "not an order",
            {"customerName": "no id"},
            {"id": "ORD-2", "availableSteps": [
                {"step": "cancel", "to": "Cancelled", "method": "POST", "path": "/api/orders/ORD-2/cancel", "body": {}},
                {"step": "broken"},
                {"step": "next_gen", "to": "Teleported", "method": "POST", "path": "/api/orders/ORD-2/x"}
            ]},
            {"id": "ORD-3", "availableSteps": "soon"}
        ]));
        let ids: Vec<&str> = list.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["ORD-1", "ORD-2", "ORD-3"]);
        assert_eq!(list[0].total, Decimal::ZERO);
        assert_eq!(list[0].created_at, None);
        assert_eq!(list[0].customer_name, "42");
        let codes: Vec<&str> = list[1]
            .steps
            .as_ref()
            .unwrap()
            .iter()
            .map(|s| s.step.as_str())
            .collect();
        assert_eq!(codes, ["cancel", "next_gen"]);
        assert_eq!(list[2].steps, None);
        // `{data: [...]}` reads too.
        assert_eq!(
            OrderRow::list_from_json(&json!({"data": [{"id": "X"}]})).len(),
            1
        );
    }

    #[test]
    fn a_detail_reads_lines_timeline_and_money_as_decimals() {
        let d = OrderDetail::from_json(&json!({"data": {
            "id": "CLR-1", "status": "Out for Delivery", "subTotal": 100.1, "gstAmount": "5.05",
            "stockReserved": true,
            "items": [
                {"productId": "P1", "productName": "Prawns", "quantity": 10, "price": "10.01",
                 "gstRate": 5, "batchNumber": "B1",
                 "allocatedBatches": [{"batchNumber": "B1", "qty": 6}, {"batchNumber": "", "qty": 1}, 3]},
                {"productId": "P2", "quantity": "2", "price": 1, "total": 2, "packedQuantity": 1},
                7
            ],
            "statusHistory": [
                {"status": "Items Edited", "timestamp": "2026-02-12T10:00:00Z", "actorRole": "Sales"},
                {"status": "Out for Delivery", "actorId": "DRV-001", "reason": "ok"}
            ]
        }}))
        .unwrap();
        assert_eq!(d.row.id, "CLR-1");
        assert!(d.clearance && d.stock_reserved);
        assert_eq!(d.sub_total, Decimal::new(1001, 1));
        assert_eq!(d.gst, Decimal::new(505, 2));
        assert_eq!(d.lines.len(), 2);
        assert_eq!(
            d.lines[0].allocated,
            vec![("B1".to_string(), Decimal::from(6))]
        );
        assert_eq!(d.lines[0].total, Decimal::new(1001, 1));
        assert_eq!(d.lines[0].carried(true), Decimal::from(6));
        assert_eq!(d.lines[1].product, "P2");
        assert_eq!(d.lines[1].carried(true), Decimal::ONE);
        assert_eq!(d.timeline[0].status.name(), "Items Edited");
        assert_eq!(d.timeline[0].actor, "Sales");
        assert_eq!(
            d.timeline[1].status.known,
            Some(OrderStatus::OutForDelivery)
        );
    }

    #[test]
    fn credit_folds_nine_buckets_into_three() {
        let c = CustomerCredit::from_json(&json!({
            "id": "CUST-1", "name": "X", "osBalance": 100, "creditLimit": 200,
            "agingBuckets": {"0 to 7": 1, "15 to 30": 2, "45 to 90": 3, ">180": 4}
        }))
        .unwrap();
        let d = Decimal::from;
        assert_eq!(c.buckets, [d(3), d(3), d(4)]);
        assert_eq!(c.utilisation(), Some(Decimal::new(5, 1)));
    }

    #[test]
    fn credit_reads_legacy_shapes_and_keeps_exact_paise() {
        // Numbers as text (with separators), the legacy aliases, nulls, one odd field.
        let c = CustomerCredit::from_json(&json!({
            "_id": "CUST-7", "name": null, "outstanding": "1,234.56", "overdue": 0.1,
            "creditLimit": "2469.12", "isBlocked": "yes",
            "agingBuckets": {"0 to 7": "0.10", "7 to 15": 0.2, "30 to 45": null, "90 to 120": "n/a",
                             ">180": "1234.56", "not a bucket": 99}
        }))
        .unwrap();
        assert_eq!(c.id, "CUST-7");
        assert_eq!(c.name, "");
        assert_eq!(c.outstanding, Decimal::new(123_456, 2));
        assert_eq!(c.outstanding.to_string(), "1234.56");
        assert_eq!(c.overdue, Decimal::new(1, 1));
        assert_eq!(c.limit, Some(Decimal::new(246_912, 2)));
        // 0.10 + 0.2 is 0.3 exactly (as floats it is 0.30000000000000004).
        assert_eq!(
            c.buckets,
            [Decimal::new(3, 1), Decimal::ZERO, Decimal::new(123_456, 2)]
        );
        assert_eq!(c.utilisation(), Some(Decimal::new(5, 1)));
        assert!(!c.blocked);
        assert_eq!(crate::widgets::amount(c.outstanding), "1,234.56");

        // The API writes both members of each pair: the record still reads, and the
        // current member wins over the legacy one; a current member that is not a number
        // counts as absent.
        let both = CustomerCredit::from_json(&json!({
            "id": "CUST-8", "osBalance": 10, "outstanding": 20, "odAmt": "oops", "overdue": 5,
            "limit": 50000, "creditLimit": 999999, "isBlocked": true, "agingBuckets": "none"
        }))
        .unwrap();
        assert_eq!(both.outstanding, Decimal::TEN);
        assert_eq!(both.overdue, Decimal::from(5));
        assert_eq!(both.limit, Some(Decimal::from(50000)));
        assert_eq!(both.buckets, [Decimal::ZERO; 3]);
        assert!(both.blocked);

        // No limit, or a zero one: no share. Over the limit: above one, exactly.
        let share = |limit: Value| {
            CustomerCredit::from_json(&json!({"id": "C", "osBalance": "150.01", "limit": limit}))
                .unwrap()
                .utilisation()
        };
        assert_eq!(share(Value::Null), None);
        assert_eq!(share(json!(0)), None);
        assert_eq!(share(json!("100")), Some(Decimal::new(15001, 4)));

        // Only the id is required; a list is read element by element.
        assert!(CustomerCredit::from_json(&json!({"name": "no id", "osBalance": 1})).is_none());
        let list: Vec<CustomerCredit> = list(&json!({"data": [
            {"id": "A", "osBalance": {"$numberDecimal": "1"}},
            ["B"],
            {"name": "no id"},
            7,
            {"id": 42, "limit": true}
        ]}));
        let ids: Vec<&str> = list.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["A", "42"]);
        assert_eq!(list[0].outstanding, Decimal::ZERO);
        assert_eq!(list[1].limit, None);
    }

    #[test]
    fn ageing_reads_its_exposure_and_buckets_in_age_order() {
        let a = Aging::from_json(&json!({"success": true, "data": {
            "customerId": "CUST-1", "creditLimit": "100000.10", "overLimit": true,
            "ageingLabel": "31-90 days",
            "exposure": {"total": "125285.55", "openOrders": 5285.55, "headroom": "-25285.45"},
            "buckets": {">180": "10000.01", "0 to 7": 80000, "30 to 45": null, "someday": 1}
        }}))
        .unwrap();
        assert_eq!(a.customer_id, "CUST-1");
        assert_eq!(a.exposure, Decimal::new(12_528_555, 2));
        assert_eq!(a.open_orders, Decimal::new(528_555, 2));
        assert_eq!(a.headroom, Some(Decimal::new(-2_528_545, 2)));
        assert_eq!(a.limit, Some(Decimal::new(10_000_010, 2)));
        assert!(a.over_limit);
        assert_eq!(a.label, "31-90 days");
        assert_eq!(
            a.buckets,
            vec![
                ("0 to 7".to_string(), Decimal::from(80000)),
                ("30 to 45".to_string(), Decimal::ZERO),
                (">180".to_string(), Decimal::new(1_000_001, 2)),
            ]
        );
        // An odd exposure reads as zero, not as no answer; an answer that is no object is.
        let odd = Aging::from_json(&json!({"exposure": "n/a", "creditLimit": null})).unwrap();
        assert_eq!(
            (odd.exposure, odd.limit, odd.headroom),
            (Decimal::ZERO, None, None)
        );
        assert!(Aging::from_json(&json!({"data": null})).is_none());
        assert!(Aging::from_json(&json!("CUST-1")).is_none());
    }

    #[test]
    fn stock_reads_quantities_as_decimals_and_needs_only_its_key() {
        let b = ExpiringBatch::from_json(&json!({
            "batchNumber": "B-1", "productName": "Prawns", "skuCode": 2, "productId": null,
            "quantity": "120.50", "daysToExpiry": "12", "expDate": "2026-02-24", "warehouseId": null
        }))
        .unwrap();
        assert_eq!(b.batch, "B-1");
        assert_eq!(b.sku, "2");
        assert_eq!(b.product_id, "");
        assert_eq!(b.quantity, Decimal::new(12_050, 2));
        assert_eq!(crate::widgets::quantity(b.quantity), "120.5");
        assert_eq!(b.days, 12);
        assert_eq!(b.warehouse, "");
        let odd = ExpiringBatch::from_json(
            &json!({"batchNumber": 7, "quantity": "lots", "daysToExpiry": -3.7}),
        )
        .unwrap();
        assert_eq!(
            (odd.batch.as_str(), odd.quantity, odd.days),
            ("7", Decimal::ZERO, -3)
        );
        let batches: Vec<ExpiringBatch> = list(&json!([
            {"batchNumber": "", "quantity": 1},
            {"productName": "no batch"},
            {"batchNumber": "B-2", "quantity": 0.3}
        ]));
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].quantity, Decimal::new(3, 1));

        // A material listed (`id`, `name`) or as the low-stock event names it.
        let p = LowPackaging::from_json(&json!({
            "_id": "", "materialId": "PKG-3", "name": "", "materialName": "Cartons",
            "balance": "-12.5", "moq": "1,000", "unit": null
        }))
        .unwrap();
        assert_eq!(p.id, "PKG-3");
        assert_eq!(p.name, "Cartons");
        assert_eq!(p.balance, Decimal::new(-125, 1));
        assert_eq!(p.moq, Decimal::from(1000));
        assert_eq!(p.unit, "");
        let listed = LowPackaging::from_json(
            &json!({"id": "PKG-1", "materialId": "PKG-X", "name": "Bags", "balance": [], "moq": 200}),
        )
        .unwrap();
        assert_eq!(
            (listed.id.as_str(), listed.name.as_str()),
            ("PKG-1", "Bags")
        );
        assert_eq!(listed.balance, Decimal::ZERO);
        assert!(LowPackaging::from_json(&json!({"name": "no id", "balance": 1})).is_none());
    }

    #[test]
    fn jobs_read_from_the_list_and_from_events() {
        let j = Job::from_json(&json!({
            "id": "JOB-1", "kind": "bulk_order_import", "status": "running",
            "progress": {"done": "40", "total": 100.0, "message": "row 40"},
            "attempts": "2", "error": null, "reportKey": "", "hasReport": false,
            "createdAt": "2026-02-12T10:00:00Z"
        }))
        .unwrap();
        assert_eq!((j.done, j.total, j.attempts), (40, 100, 2));
        assert_eq!(j.message, "row 40");
        assert_eq!(j.error, "");
        assert!(!j.has_report);
        assert!(j.created_at.is_some());
        assert_eq!(j.ratio(), Decimal::new(4, 1));
        assert_eq!(j.kind, Named::Known(JobKind::BulkOrderImport));
        assert!(j.status.is(JobStatus::Running));
        // An event names the job `jobId`; a report key means a report.
        let ev = Job::from_json(&json!({
            "jobId": "JOB-2", "status": "succeeded", "progress": null, "attempts": -1,
            "reportKey": "reports/JOB-2.xlsx", "createdAt": 5
        }))
        .unwrap();
        assert_eq!(ev.id, "JOB-2");
        assert_eq!((ev.done, ev.total, ev.attempts), (0, 0, 0));
        assert!(ev.has_report);
        assert_eq!(ev.created_at, None);
        assert_eq!(ev.ratio(), Decimal::ZERO);
        assert!(ev.status.is(JobStatus::Succeeded));
        // No kind: nothing known, shown empty.
        assert_eq!((ev.kind.known(), ev.kind.name()), (None, ""));
        let odd = Job::from_json(&json!({"_id": "JOB-3", "progress": [5, 10], "hasReport": true}))
            .unwrap();
        assert_eq!((odd.id.as_str(), odd.done, odd.total), ("JOB-3", 0, 0));
        assert!(odd.has_report);
        assert!(Job::from_json(&json!({"kind": "no id"})).is_none());
        let jobs: Vec<Job> = list(&json!([{"id": "A"}, null, {"status": "x"}, {"jobId": "B"}]));
        assert_eq!(jobs.len(), 2);
        // A retry's or a cancel's answer: the job in `data`.
        let retried =
            Job::from_answer(&json!({"success": true, "data": {"id": "J", "status": "queued"}}));
        assert!(retried.unwrap().status.is(JobStatus::Queued));
        assert!(
            Job::from_answer(&json!({"success": true, "data": {"status": "queued"}})).is_none()
        );
        // A report answer needs its link.
        let link =
            ReportLink::from_answer(&json!({"data": {"url": "/r", "expiresInSeconds": "900"}}));
        assert_eq!(
            link.map(|l| (l.url, l.expires_in_seconds)),
            Some(("/r".into(), 900))
        );
        assert!(ReportLink::from_answer(&json!({"data": {"fileName": "x.xlsx"}})).is_none());
    }

    #[test]
    fn job_kinds_and_statuses_read_as_core_enums_and_keep_unknown_text() {
        let job = |kind: Value, status: Value| {
            Job::from_json(&json!({"id": "J", "kind": kind, "status": status})).unwrap()
        };
        // Every kind and status as core spells it reads as itself, and shows so.
        for k in JobKind::ALL {
            let j = job(json!(k), json!("queued"));
            assert_eq!(j.kind, Named::Known(k));
            assert_eq!(j.kind.to_string(), k.as_str());
        }
        for s in [
            JobStatus::Queued,
            JobStatus::Running,
            JobStatus::Succeeded,
            JobStatus::Failed,
            JobStatus::Dead,
            JobStatus::Cancelled,
        ] {
            let j = job(json!("expiry_scan"), json!(s));
            assert!(j.status.is(s));
            assert_eq!(j.status.name(), s.as_str());
        }
        // Blanks and capitals are forgiven.
        let j = job(json!(" Expiry_Scan "), json!("RUNNING"));
        assert_eq!(j.kind.known(), Some(JobKind::ExpiryScan));
        assert_eq!(j.status.to_string(), "running");
        // A kind or status this build does not know (a newer server): kept as sent, the job
        // is not dropped.
        let j = job(json!("stock_sync"), json!("paused"));
        assert_eq!(j.kind, Named::Other("stock_sync".into()));
        assert_eq!((j.status.known(), j.status.name()), (None, "paused"));
        // Not text: a number is shown as sent, anything else as nothing.
        let j = job(json!(7), json!({"state": "running"}));
        assert_eq!(j.kind, Named::Other("7".into()));
        assert_eq!(j.status, Named::default());
        assert_eq!(j.status.to_string(), "");
    }

    #[test]
    fn events_read_their_envelope_and_summarise_typed_payloads() {
        assert!(WireEvent::from_json(&json!({"topic": "orders", "data": {}})).is_none());
        assert!(WireEvent::from_json(&json!(["order:created"])).is_none());
        let summary = |kind: &str, data: Value| {
            WireEvent::from_json(&json!({"type": kind, "topic": "x", "data": data, "at": 3}))
                .unwrap()
                .summary()
        };
        assert_eq!(
            summary(
                "order:created",
                json!({"orderId": "ORD-1", "customerName": "ABC", "total": "1234.565", "status": "Pending"})
            ),
            "ORD-1 ABC 1234.57 Pending"
        );
        assert_eq!(
            summary("order:created", json!({"orderId": "ORD-2", "total": null})),
            "ORD-2  0.00 "
        );
        assert_eq!(
            summary(
                "job:progress",
                json!({"jobId": "J", "kind": "k", "status": "running", "progress": {"done": "4", "total": 10}})
            ),
            "J k running 4/10"
        );
        assert_eq!(
            summary(
                "alert:expiry",
                json!({"date": "2026-03-01", "bucket": "within30", "count": 2, "batches": [
                    {"skuCode": "SKU-2", "batchNumber": "B", "daysToExpiry": "12"},
                    {"skuCode": "SKU-3", "batchNumber": "C", "daysToExpiry": 20},
                ]})
            ),
            "SKU-2 batch B expires in 12 days (+1 more)"
        );
        assert_eq!(
            summary(
                "packaging:low-stock",
                json!({"materialName": "Bags", "balance": "180.50", "moq": 200})
            ),
            "Bags at 180.5 (MOQ 200)"
        );
        assert_eq!(summary("stock:changed", Value::Null), " ");
        let ev =
            WireEvent::from_json(&json!({"type": "resync", "data": {"reason": "lagged"}})).unwrap();
        assert_eq!((ev.topic.as_str(), ev.at), ("", None));
        assert_eq!(ev.payload().reason, "lagged");
    }

    #[test]
    fn user_permissions_need_full_level() {
        let u = UserInfo::from_json(&json!({
            "id": "CREDIT-001", "role": "Credit Control",
            "effectivePermissions": {"approve_credit": "full", "view_orders": "view"}
        }))
        .unwrap();
        assert!(u.can("approve_credit"));
        assert!(!u.can("view_orders"));
        assert!(!u.can("admin_bypass"));
    }
}
