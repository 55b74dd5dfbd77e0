//! What the console reads from the API, parsed leniently from JSON.
//!
//! Why by hand from `serde_json::Value` rather than strict derives: the API keeps the legacy
//! shapes (money as numbers or strings, optional fields absent or null, aliases such as
//! `osBalance`/`outstanding`), and a console must show a record with one odd field rather
//! than drop the whole list. Only the id is required; everything else falls back.

use chrono::{DateTime, Utc};
use serde_json::Value;

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

/// One row of the order list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderRow {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub status: String,
    pub total: f64,
    pub salesperson_id: String,
    pub created_at: Option<DateTime<Utc>>,
    pub items: usize,
}

impl OrderRow {
    pub fn from_json(v: &Value) -> Option<OrderRow> {
        Some(OrderRow {
            id: id(v).or_else(|| {
                let o = s(v, "orderId");
                (!o.is_empty()).then_some(o)
            })?,
            customer_id: s(v, "customerId"),
            customer_name: s(v, "customerName"),
            status: s_any(v, &["status", "newStatus"]),
            total: num(v, "total"),
            salesperson_id: s(v, "salespersonId"),
            created_at: time(v, "createdAt"),
            items: v.get("items").and_then(Value::as_array).map_or(0, Vec::len),
        })
    }
}

/// An order line in the detail pane.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderLine {
    pub product: String,
    /// Batches allocated to the line (batch number, quantity), from WH selection on.
    pub allocated: Vec<(String, f64)>,
    pub sku: String,
    pub quantity: f64,
    pub price: f64,
    pub gst_rate: f64,
    pub total: f64,
}

/// One entry of an order's status timeline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimelineEntry {
    pub status: String,
    pub at: Option<DateTime<Utc>>,
    pub actor: String,
    pub reason: String,
}

/// An order with lines, totals and timeline (`GET /api/orders/{id}`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderDetail {
    pub row: OrderRow,
    pub lines: Vec<OrderLine>,
    pub sub_total: f64,
    pub gst: f64,
    pub timeline: Vec<TimelineEntry>,
    pub remarks: String,
    pub warehouse: String,
}

impl OrderDetail {
    pub fn from_json(v: &Value) -> Option<OrderDetail> {
        let v = v.get("data").unwrap_or(v);
        let row = OrderRow::from_json(v)?;
        let lines = v
            .get("items")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|i| OrderLine {
                        product: s_any(i, &["productName", "productId"]),
                        allocated: i
                            .get("allocatedBatches")
                            .and_then(Value::as_array)
                            .map(|a| {
                                a.iter()
                                    .map(|b| (s(b, "batchNumber"), num(b, "qty")))
                                    .filter(|(b, _)| !b.is_empty())
                                    .collect()
                            })
                            .unwrap_or_default(),
                        sku: s(i, "skuCode"),
                        quantity: num(i, "quantity"),
                        price: num(i, "price"),
                        gst_rate: num(i, "gstRate"),
                        total: num_opt(i, "total")
                            .unwrap_or_else(|| num(i, "quantity") * num(i, "price")),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let timeline = v
            .get("statusHistory")
            .and_then(Value::as_array)
            .map(|h| {
                h.iter()
                    .map(|e| TimelineEntry {
                        status: s(e, "status"),
                        at: time(e, "timestamp"),
                        actor: s_any(e, &["actorId", "actorRole"]),
                        reason: s(e, "reason"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(OrderDetail {
            row,
            lines,
            sub_total: num(v, "subTotal"),
            gst: num(v, "gstAmount"),
            timeline,
            remarks: s(v, "remarks"),
            warehouse: s(v, "sourceWarehouse"),
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
            "id": "ORD-001", "customerName": "ABC", "total": "5285.5",
            "status": "Pending Credit Approval", "items": [{}, {}], "createdAt": "2026-02-12T10:00:00Z",
            "salespersonId": null
        }))
        .unwrap();
        assert_eq!(o.total, 5285.5);
        assert_eq!(o.items, 2);
        assert_eq!(o.salesperson_id, "");
        assert!(o.created_at.is_some());
        assert!(OrderRow::from_json(&json!({"customerName": "no id"})).is_none());
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
