//! What the console reads from the API, parsed leniently from JSON.
//!
//! Why lenient: the API keeps the legacy shapes (money as numbers or strings, optional
//! fields absent or null, aliases such as `osBalance`/`outstanding`), and a console must show
//! a record with one odd field rather than drop the whole list. Only the id is required;
//! everything else falls back.
//!
//! Orders are read with serde into typed fields (statuses as `OrderStatus`, money as
//! `Decimal`, the server's `availableSteps` as `nexus_core::wire::AvailableStep`), each field
//! through a lenient reader and each list element by element. The smaller records (jobs,
//! stock, credit) are still read field by field from `serde_json::Value`.

use chrono::{DateTime, Utc};
use nexus_core::model::OrderStatus;
use nexus_core::types::lenient_decimal;
use nexus_core::wire::AvailableStep;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
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

/// A number given as a JSON number or a numeric string.
pub fn num_opt(v: &Value, key: &str) -> Option<f64> {
    match v.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(x) => x.trim().parse().ok(),
        _ => None,
    }
}

pub fn num(v: &Value, key: &str) -> f64 {
    num_opt(v, key).unwrap_or(0.0)
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
        })
    }
}

/// A job record (`GET /api/jobs`, `job:*` events).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub done: u64,
    pub total: u64,
    pub message: String,
    pub error: String,
    pub has_report: bool,
    pub attempts: u64,
    pub created_at: Option<DateTime<Utc>>,
}

impl Job {
    pub fn from_json(v: &Value) -> Option<Job> {
        let id = id(v).or_else(|| {
            let j = s(v, "jobId");
            (!j.is_empty()).then_some(j)
        })?;
        let p = v.get("progress").cloned().unwrap_or(Value::Null);
        Some(Job {
            id,
            kind: s(v, "kind"),
            status: s(v, "status"),
            done: num(&p, "done") as u64,
            total: num(&p, "total") as u64,
            message: s(&p, "message"),
            error: s(v, "error"),
            has_report: !s(v, "reportKey").is_empty()
                || v.get("hasReport").and_then(Value::as_bool) == Some(true),
            attempts: num(v, "attempts") as u64,
            created_at: time(v, "createdAt"),
        })
    }

    /// Progress as a fraction, 0 when the total is unknown.
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }
}

/// A batch expiring within the window (`GET /api/products/expiring`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExpiringBatch {
    pub product_id: String,
    pub sku: String,
    pub product: String,
    pub batch: String,
    pub exp_date: String,
    pub days: i64,
    pub quantity: f64,
    pub warehouse: String,
}

impl ExpiringBatch {
    pub fn from_json(v: &Value) -> Option<ExpiringBatch> {
        let batch = s(v, "batchNumber");
        if batch.is_empty() {
            return None;
        }
        Some(ExpiringBatch {
            product_id: s(v, "productId"),
            sku: s(v, "skuCode"),
            product: s(v, "productName"),
            batch,
            exp_date: s(v, "expDate"),
            days: num(v, "daysToExpiry") as i64,
            quantity: num(v, "quantity"),
            warehouse: s(v, "warehouseId"),
        })
    }
}

/// A packaging material at or below its MOQ (`GET /api/packaging/low-stock`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LowPackaging {
    pub id: String,
    pub name: String,
    pub balance: f64,
    pub moq: f64,
    pub unit: String,
}

impl LowPackaging {
    pub fn from_json(v: &Value) -> Option<LowPackaging> {
        Some(LowPackaging {
            id: id(v).or_else(|| {
                let m = s(v, "materialId");
                (!m.is_empty()).then_some(m)
            })?,
            name: s_any(v, &["name", "materialName"]),
            balance: num(v, "balance"),
            moq: num(v, "moq"),
            unit: s(v, "unit"),
        })
    }
}

/// A customer's credit position (`GET /api/customers`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomerCredit {
    pub id: String,
    pub name: String,
    pub outstanding: f64,
    pub overdue: f64,
    pub limit: Option<f64>,
    /// The nine legacy buckets folded into the review's three: 0–30, 31–90, 90+.
    pub buckets: [f64; 3],
    pub blocked: bool,
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

impl CustomerCredit {
    pub fn from_json(v: &Value) -> Option<CustomerCredit> {
        let mut buckets = [0.0; 3];
        if let Some(b) = v.get("agingBuckets") {
            for (label, group) in BUCKETS {
                buckets[group] += num(b, label);
            }
        }
        let limit = num_opt(v, "limit").or_else(|| num_opt(v, "creditLimit"));
        Some(CustomerCredit {
            id: id(v)?,
            name: s(v, "name"),
            outstanding: num_opt(v, "osBalance").unwrap_or_else(|| num(v, "outstanding")),
            overdue: num_opt(v, "odAmt").unwrap_or_else(|| num(v, "overdue")),
            limit,
            buckets,
            blocked: v.get("isBlocked").and_then(Value::as_bool) == Some(true),
        })
    }

    /// Outstanding as a share of the limit (None without a limit).
    pub fn utilisation(&self) -> Option<f64> {
        self.limit
            .filter(|l| *l > 0.0)
            .map(|l| self.outstanding / l)
    }
}

/// The exposure detail of one customer (`GET /api/customers/{id}/aging`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Aging {
    pub customer_id: String,
    pub exposure: f64,
    pub open_orders: f64,
    pub limit: Option<f64>,
    pub headroom: Option<f64>,
    pub over_limit: bool,
    pub label: String,
    pub buckets: Vec<(String, f64)>,
}

impl Aging {
    pub fn from_json(v: &Value) -> Option<Aging> {
        let v = v.get("data").unwrap_or(v);
        let e = v.get("exposure").cloned().unwrap_or(Value::Null);
        let buckets = v
            .get("buckets")
            .and_then(Value::as_object)
            .map(|m| {
                BUCKETS
                    .iter()
                    .filter_map(|(l, _)| m.get(*l).map(|x| (l.to_string(), value_num(x))))
                    .collect()
            })
            .unwrap_or_default();
        Some(Aging {
            customer_id: s(v, "customerId"),
            exposure: num(&e, "total"),
            open_orders: num(&e, "openOrders"),
            limit: num_opt(v, "creditLimit"),
            headroom: num_opt(&e, "headroom"),
            over_limit: v.get("overLimit").and_then(Value::as_bool) == Some(true),
            label: s(v, "ageingLabel"),
            buckets,
        })
    }
}

fn value_num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(x) => x.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// A live event as the server sends it: `{type, topic?, data, at}`.
#[derive(Debug, Clone, PartialEq)]
pub struct WireEvent {
    pub kind: String,
    pub topic: String,
    pub data: Value,
    pub at: Option<DateTime<Utc>>,
}

impl WireEvent {
    pub fn from_json(v: &Value) -> Option<WireEvent> {
        let kind = s(v, "type");
        if kind.is_empty() {
            return None;
        }
        Some(WireEvent {
            kind,
            topic: s(v, "topic"),
            data: v.get("data").cloned().unwrap_or(Value::Null),
            at: time(v, "at"),
        })
    }

    /// One line describing the event for the Events view.
    pub fn summary(&self) -> String {
        let d = &self.data;
        match self.kind.as_str() {
            "order:created" => format!(
                "{} {} {:.2} {}",
                s(d, "orderId"),
                s(d, "customerName"),
                num(d, "total"),
                s(d, "status")
            ),
            "order:status-changed" => format!(
                "{} {} → {}",
                s(d, "orderId"),
                s(d, "oldStatus"),
                s(d, "newStatus")
            ),
            "order:updated" => format!("{} updated", s(d, "orderId")),
            "job:progress" | "job:finished" => {
                let p = d.get("progress").cloned().unwrap_or(Value::Null);
                format!(
                    "{} {} {} {}/{}",
                    s(d, "jobId"),
                    s(d, "kind"),
                    s(d, "status"),
                    num(&p, "done"),
                    num(&p, "total")
                )
            }
            "alert:expiry" => format!(
                "{} batch {} expires in {} days",
                s_any(d, &["productName", "skuCode"]),
                s(d, "batchNumber"),
                num(d, "daysToExpiry")
            ),
            "packaging:low-stock" => format!(
                "{} at {} (MOQ {})",
                s(d, "materialName"),
                num(d, "balance"),
                num(d, "moq")
            ),
            "stock:changed" => format!("{} {}", s(d, "orderId"), s(d, "reason")),
            _ => {
                let text = d.to_string();
                text.chars().take(120).collect()
            }
        }
    }
}

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
        assert_eq!(c.buckets, [3.0, 3.0, 4.0]);
        assert_eq!(c.utilisation(), Some(0.5));
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
