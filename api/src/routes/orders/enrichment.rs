//! The enrichment jobs an order starts by arriving in a queue: entering Pending Credit
//! Approval (booked, released from hold, or its lines edited) queues its credit insight;
//! entering Pending Logistics Cost (quality control passed it) queues its route and vehicle
//! costs.
//! Whoever works the queue next opens the order with the figures already there.
//!
//! Queued after the step's commit: a queue that cannot take the job is logged, not an error
//! of the step, because the insight is still computed on request and the logistics team can
//! price every waiting order at once (`POST /api/jobs/distance-cost`).

use crate::state::AppState;
use nexus_core::model::{JobKind, Order, OrderStatus};
use serde_json::json;

/// Queues what `order`'s arrival in its status calls for; the caller says it arrived (a new
/// order, a status change, or new lines that change the facts of its credit review).
pub async fn on_arrival(st: &AppState, requested_by: &str, order: &Order) {
    let kind = match order.status {
        OrderStatus::PendingCreditApproval => JobKind::CreditInsight,
        OrderStatus::PendingLogisticsCost => JobKind::DistanceCost,
        _ => return,
    };
    let input = json!({ "orderId": order.id });
    let queued = crate::routes::jobs::queue_job(st, requested_by, kind, input, None).await;
    if let Err(e) = queued {
        tracing::warn!(error = %e, order_id = %order.id, kind = kind.as_str(), "enrichment job not queued");
    }
}
