//! Every live event, typed: one variant per event type with its payload, and one constructor
//! per event. The API, the worker and the console share these types, so a payload changes in
//! one place and the compiler finds every producer and reader; before, each producer wrote
//! its own `json!` and two of them already disagreed on the same event.
//!
//! The wire form stays what clients know (api.md §3, docs/API_DOCUMENTATION.md): an
//! [`Event`] with `type`, `topic` and `data`; [`LiveEvent::parse`] reads one back.

use crate::events::{Audience, Event, Topic, order_audience, types};
use crate::integrations::advisor::AdviceSource;
use crate::model::{
    JobKind, JobProgress, JobRecord, JobStatus, MovementType, Order, OrderStatus, OrderType,
    PackagingMaterial, PackagingTransaction,
};
use crate::rules::credit::{Recommendation, RiskScore};
use crate::rules::ledger::StockMovement;
use crate::types::{Money, Quantity, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `order:created` (E4): a booking, clearance, STN or imported order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCreated {
    pub order_id: String,
    pub customer_name: Option<String>,
    pub total: Money,
    pub status: OrderStatus,
    pub salesperson_id: Option<String>,
    pub order_type: OrderType,
    pub created_at: Option<Timestamp>,
}

/// `order:updated` (E5): a change that keeps the status (remarks, photos).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderUpdated {
    pub order_id: String,
    pub customer_name: Option<String>,
    pub total: Money,
    pub status: OrderStatus,
    pub updated_at: Option<Timestamp>,
}

/// `order:status-changed` (E6): a lifecycle step ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderStatusChanged {
    pub order_id: String,
    /// The status before the step, as stored then (a legacy spelling reads as it was).
    pub old_status: String,
    pub new_status: OrderStatus,
    pub step: String,
    pub customer_name: Option<String>,
    pub total: Money,
    pub salesperson_id: Option<String>,
    pub timestamp: Timestamp,
}

/// `stock:changed`: what moved, in the shape of the commit that moved it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StockChanged {
    /// An order's step reserved, released or drew batches.
    Order {
        #[serde(rename = "orderId")]
        order_id: String,
        reason: String,
        movements: Vec<StockMovement>,
    },
    /// A batch received into a warehouse.
    #[serde(rename_all = "camelCase")]
    Receipt {
        product_id: String,
        sku_code: String,
        warehouse_id: String,
        batch_number: String,
        delta: Quantity,
        stock: Quantity,
        reason: String,
    },
    /// A packaging material moved in or out.
    #[serde(rename_all = "camelCase")]
    Packaging {
        /// Always `packaging`.
        kind: String,
        material_id: String,
        transaction_id: String,
        #[serde(rename = "type")]
        movement: MovementType,
        qty: Quantity,
    },
}

/// `packaging:low-stock`: a material fell under its minimum order quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackagingLowStock {
    pub material_id: String,
    pub material_name: String,
    pub balance: Quantity,
    pub moq: Quantity,
    pub timestamp: Timestamp,
}

/// `job:progress` and `job:finished`: the job record as it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobUpdate {
    pub job_id: String,
    pub kind: JobKind,
    pub status: JobStatus,
    pub progress: JobProgress,
    pub attempts: u32,
    pub max_attempts: u32,
    pub error: Option<String>,
    /// The job's summary, once it finished.
    pub result: Option<Value>,
    pub report_key: Option<String>,
}

/// `alert:expiry`: batches of one expiry bucket found by a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpiryAlert {
    /// The scan's day (`YYYY-MM-DD`, IST).
    pub date: Value,
    pub bucket: String,
    /// Batches in the bucket, all of them.
    pub count: usize,
    /// The most urgent of them (nearest expiry first), up to 200; `GET /api/products/expiring`
    /// lists them all.
    pub batches: Vec<Value>,
}

/// `credit:insight-ready`: an AI (or rule-based) credit insight was stored on an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditInsightReady {
    pub order_id: String,
    pub customer_id: String,
    pub risk_score: RiskScore,
    pub decision: Recommendation,
    pub source: AdviceSource,
}

/// `logistics:cost-proposed`: the distance-cost job stored a route and vehicle costs on an
/// order waiting at the logistics-cost step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CostProposed {
    pub order_id: String,
    /// `null` when no distance could be found (the proposal says why).
    pub distance_km: Option<rust_decimal::Decimal>,
    pub recommended: Option<crate::rules::logistics_cost::VehicleType>,
    pub is_fallback: bool,
}

/// One live event, by type.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    OrderCreated(OrderCreated),
    OrderUpdated(OrderUpdated),
    OrderStatusChanged(OrderStatusChanged),
    StockChanged(StockChanged),
    PackagingLowStock(PackagingLowStock),
    JobProgress(JobUpdate),
    JobFinished(JobUpdate),
    ExpiryAlert(ExpiryAlert),
    CreditInsightReady(CreditInsightReady),
    CostProposed(CostProposed),
}

impl LiveEvent {
    /// The stable type name clients switch on.
    pub fn type_name(&self) -> &'static str {
        match self {
            LiveEvent::OrderCreated(_) => types::ORDER_CREATED,
            LiveEvent::OrderUpdated(_) => types::ORDER_UPDATED,
            LiveEvent::OrderStatusChanged(_) => types::ORDER_STATUS_CHANGED,
            LiveEvent::StockChanged(_) => types::STOCK_CHANGED,
            LiveEvent::PackagingLowStock(_) => types::PACKAGING_LOW_STOCK,
            LiveEvent::JobProgress(_) => types::JOB_PROGRESS,
            LiveEvent::JobFinished(_) => types::JOB_FINISHED,
            LiveEvent::ExpiryAlert(_) => types::EXPIRY_ALERT,
            LiveEvent::CreditInsightReady(_) => types::CREDIT_INSIGHT_READY,
            LiveEvent::CostProposed(_) => types::COST_PROPOSED,
        }
    }

    pub fn topic(&self) -> Topic {
        match self {
            LiveEvent::OrderCreated(_)
            | LiveEvent::OrderUpdated(_)
            | LiveEvent::OrderStatusChanged(_)
            | LiveEvent::CreditInsightReady(_)
            | LiveEvent::CostProposed(_) => Topic::Orders,
            LiveEvent::StockChanged(_) => Topic::Stock,
            LiveEvent::PackagingLowStock(_) | LiveEvent::ExpiryAlert(_) => Topic::Alerts,
            LiveEvent::JobProgress(_) | LiveEvent::JobFinished(_) => Topic::Jobs,
        }
    }

    fn data(&self) -> Value {
        let v = match self {
            LiveEvent::OrderCreated(p) => serde_json::to_value(p),
            LiveEvent::OrderUpdated(p) => serde_json::to_value(p),
            LiveEvent::OrderStatusChanged(p) => serde_json::to_value(p),
            LiveEvent::StockChanged(p) => serde_json::to_value(p),
            LiveEvent::PackagingLowStock(p) => serde_json::to_value(p),
            LiveEvent::JobProgress(p) | LiveEvent::JobFinished(p) => serde_json::to_value(p),
            LiveEvent::ExpiryAlert(p) => serde_json::to_value(p),
            LiveEvent::CreditInsightReady(p) => serde_json::to_value(p),
            LiveEvent::CostProposed(p) => serde_json::to_value(p),
        };
        // Plain data structs: serialising them cannot fail.
        v.unwrap_or(Value::Null)
    }

    /// The event on the bus, for `audience`.
    pub fn to(&self, audience: Audience) -> Event {
        Event::new(self.topic(), self.type_name(), self.data()).to(audience)
    }

    /// Reads an event's `type` and `data` back (a client's side). `None` for a type this
    /// build does not know, or a payload that is not that type's.
    pub fn parse(event_type: &str, data: &Value) -> Option<LiveEvent> {
        let d = || data.clone();
        Some(match event_type {
            types::ORDER_CREATED => LiveEvent::OrderCreated(serde_json::from_value(d()).ok()?),
            types::ORDER_UPDATED => LiveEvent::OrderUpdated(serde_json::from_value(d()).ok()?),
            types::ORDER_STATUS_CHANGED => {
                LiveEvent::OrderStatusChanged(serde_json::from_value(d()).ok()?)
            }
            types::STOCK_CHANGED => LiveEvent::StockChanged(serde_json::from_value(d()).ok()?),
            types::PACKAGING_LOW_STOCK => {
                LiveEvent::PackagingLowStock(serde_json::from_value(d()).ok()?)
            }
            types::JOB_PROGRESS => LiveEvent::JobProgress(serde_json::from_value(d()).ok()?),
            types::JOB_FINISHED => LiveEvent::JobFinished(serde_json::from_value(d()).ok()?),
            types::EXPIRY_ALERT => LiveEvent::ExpiryAlert(serde_json::from_value(d()).ok()?),
            types::CREDIT_INSIGHT_READY => {
                LiveEvent::CreditInsightReady(serde_json::from_value(d()).ok()?)
            }
            types::COST_PROPOSED => LiveEvent::CostProposed(serde_json::from_value(d()).ok()?),
            _ => return None,
        })
    }
}

/// `order:created` for an order, to the order's audience.
pub fn order_created(order: &Order) -> Event {
    LiveEvent::OrderCreated(OrderCreated {
        order_id: order.id.clone(),
        customer_name: order.customer_name.clone(),
        total: order.total,
        status: order.status,
        salesperson_id: order.salesperson_id.clone(),
        order_type: order.order_type,
        created_at: order.created_at,
    })
    .to(order_audience(order))
}

/// `order:updated` for an order, to the order's audience.
pub fn order_updated(order: &Order) -> Event {
    LiveEvent::OrderUpdated(OrderUpdated {
        order_id: order.id.clone(),
        customer_name: order.customer_name.clone(),
        total: order.total,
        status: order.status,
        updated_at: order.updated_at,
    })
    .to(order_audience(order))
}

/// `order:status-changed` after `step` moved the order on from `old`.
pub fn order_status_changed(order: &Order, old: &str, step: &str) -> Event {
    LiveEvent::OrderStatusChanged(OrderStatusChanged {
        order_id: order.id.clone(),
        old_status: old.to_string(),
        new_status: order.status,
        step: step.to_string(),
        customer_name: order.customer_name.clone(),
        total: order.total,
        salesperson_id: order.salesperson_id.clone(),
        timestamp: Timestamp::now(),
    })
    .to(order_audience(order))
}

/// Who follows stock: the warehouse and master data.
fn stock_audience() -> Audience {
    Audience {
        permissions: vec!["manage_warehouse".into(), "master_data".into()],
        ..Audience::default()
    }
}

/// `stock:changed` for the batch movements of one order's commit (`None` when nothing moved).
pub fn order_stock_moved(
    order_id: &str,
    reason: &str,
    movements: &[StockMovement],
) -> Option<Event> {
    (!movements.is_empty()).then(|| {
        LiveEvent::StockChanged(StockChanged::Order {
            order_id: order_id.to_string(),
            reason: reason.to_string(),
            movements: movements.to_vec(),
        })
        .to(stock_audience())
    })
}

/// One received batch, as the receipt recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Received<'a> {
    pub product_id: &'a str,
    pub sku_code: &'a str,
    pub warehouse_id: &'a str,
    pub batch_number: &'a str,
    pub quantity: Quantity,
    /// The product's stock after the receipt.
    pub product_stock: Quantity,
}

/// `stock:changed` for a received batch, to `audience` (who books against the stock).
pub fn stock_received(r: &Received<'_>, audience: Audience) -> Event {
    LiveEvent::StockChanged(StockChanged::Receipt {
        product_id: r.product_id.to_string(),
        sku_code: r.sku_code.to_string(),
        warehouse_id: r.warehouse_id.to_string(),
        batch_number: r.batch_number.to_string(),
        delta: r.quantity,
        stock: r.product_stock,
        reason: "STOCK_RECEIPT".into(),
    })
    .to(audience)
}

/// `stock:changed` for a packaging movement, to `audience` (packaging's readers).
pub fn packaging_moved(tx: &PackagingTransaction, audience: Audience) -> Event {
    LiveEvent::StockChanged(StockChanged::Packaging {
        kind: "packaging".into(),
        material_id: tx.material_id.clone(),
        transaction_id: tx.id.clone(),
        movement: tx.movement,
        qty: tx.qty,
    })
    .to(audience)
}

/// `packaging:low-stock` for a material under its minimum, to `audience`.
pub fn packaging_low_stock(m: &PackagingMaterial, audience: Audience) -> Event {
    LiveEvent::PackagingLowStock(PackagingLowStock {
        material_id: m.id.clone(),
        material_name: m.name.clone(),
        balance: m.balance,
        moq: m.moq,
        timestamp: Timestamp::now(),
    })
    .to(audience)
}

/// `job:progress`, or `job:finished` once the record is finished, for the record with
/// `progress` (which may be newer than the stored one), to `audience`.
pub fn job_update(job: &JobRecord, progress: &JobProgress, audience: Audience) -> Event {
    let update = JobUpdate {
        job_id: job.id.clone(),
        kind: job.kind,
        status: job.status,
        progress: progress.clone(),
        attempts: job.attempts,
        max_attempts: job.max_attempts,
        error: job.error.clone(),
        result: job
            .status
            .is_finished()
            .then(|| job.result.clone())
            .flatten(),
        report_key: job.report_key.clone(),
    };
    let event = if job.status.is_finished() {
        LiveEvent::JobFinished(update)
    } else {
        LiveEvent::JobProgress(update)
    };
    event.to(audience)
}

/// `job:progress` for a job just queued by `requested_by`'s request (before any worker saw
/// it), to that user.
pub fn job_queued(job_id: &str, kind: JobKind, max_attempts: u32, requested_by: &str) -> Event {
    LiveEvent::JobProgress(JobUpdate {
        job_id: job_id.to_string(),
        kind,
        status: JobStatus::Queued,
        progress: JobProgress::default(),
        attempts: 0,
        max_attempts,
        error: None,
        result: None,
        report_key: None,
    })
    .to(Audience {
        users: vec![requested_by.to_string()],
        ..Audience::default()
    })
}

/// `alert:expiry` for one bucket of a scan's result, to `audience`.
pub fn expiry_alert(
    date: Value,
    bucket: &str,
    count: usize,
    batches: Vec<Value>,
    audience: Audience,
) -> Event {
    LiveEvent::ExpiryAlert(ExpiryAlert {
        date,
        bucket: bucket.to_string(),
        count,
        batches,
    })
    .to(audience)
}

/// `credit:insight-ready` for an order's stored insight, to `audience`.
pub fn credit_insight_ready(
    order: &Order,
    customer_id: &str,
    risk_score: RiskScore,
    decision: Recommendation,
    source: AdviceSource,
    audience: Audience,
) -> Event {
    LiveEvent::CreditInsightReady(CreditInsightReady {
        order_id: order.id.clone(),
        customer_id: customer_id.to_string(),
        risk_score,
        decision,
        source,
    })
    .to(audience)
}

/// `logistics:cost-proposed` for a proposal stored on `order`, to `audience`.
pub fn cost_proposed(
    order: &Order,
    proposal: &crate::integrations::distance_cost::LogisticsProposal,
    audience: Audience,
) -> Event {
    LiveEvent::CostProposed(CostProposed {
        order_id: order.id.clone(),
        distance_km: proposal.distance_km,
        recommended: proposal.recommended,
        is_fallback: proposal.is_fallback,
    })
    .to(audience)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order() -> Order {
        serde_json::from_value(json!({
            "id": "ORD-7", "customerId": "CUST-1", "customerName": "ABC Traders",
            "status": "Pending Credit Approval", "total": 1180.0, "salespersonId": "SALES-001",
            "createdAt": "2026-03-01T10:00:00.000Z"
        }))
        .unwrap()
    }

    /// What a client reads back is what the producer meant, and the wire keeps the field
    /// names clients already parse.
    #[test]
    fn events_round_trip_through_their_wire_form() {
        let o = order();
        let events = [
            order_created(&o),
            order_updated(&o),
            order_status_changed(&o, "On Hold", "release_hold"),
            order_stock_moved(
                "ORD-7",
                "RESERVE",
                &[StockMovement {
                    product_id: "PROD-1".into(),
                    sku: "SKU-1".into(),
                    batch_number: "B1".into(),
                    warehouse_id: Some("WH-1".into()),
                    delta: rust_decimal::Decimal::from(-2),
                }],
            )
            .unwrap(),
            job_queued("JOB-1", JobKind::CustomerImport, 3, "USER-001"),
        ];
        for e in &events {
            let wire = serde_json::to_value(e).unwrap();
            let back = LiveEvent::parse(wire["type"].as_str().unwrap(), &wire["data"])
                .unwrap_or_else(|| panic!("{wire}"));
            assert_eq!(back.type_name(), e.event_type);
            assert_eq!(back.topic(), e.topic);
        }
        let created = &events[0].data;
        for key in [
            "orderId",
            "customerName",
            "total",
            "status",
            "salespersonId",
            "createdAt",
        ] {
            assert!(created.get(key).is_some(), "{key}: {created}");
        }
        assert_eq!(events[2].data["oldStatus"], "On Hold");
        assert_eq!(events[2].data["newStatus"], "Pending Credit Approval");
        assert_eq!(events[3].data["movements"][0]["batchNumber"], "B1");
        assert_eq!(events[4].data["status"], "queued");
        assert_eq!(events[4].audience.users, vec!["USER-001".to_string()]);
        assert!(order_stock_moved("ORD-7", "RESERVE", &[]).is_none());
        assert!(LiveEvent::parse("order:teleported", &json!({})).is_none());
    }
}
