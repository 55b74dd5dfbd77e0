//! The `distance_cost` job: the route and vehicle costs of orders waiting at the
//! logistics-cost step ([`nexus_core::integrations::distance_cost`]). Input `{ "orderId" }`
//! prices one order (queued when quality control passes it); `{ "all": true }` prices every
//! waiting order at once.
//!
//! Every proposal is stored in the job's own success commit, so a worker killed mid-batch
//! leaves the job to run again, never half the batch stored; re-running stores the same
//! proposals (unchanged inputs reuse the stored one without a lookup). A Maps provider that is
//! unavailable makes the job try again with backoff; on its last attempt the offline city
//! table answers, marked as the fallback.

use crate::work::{JobFailure, JobOutput, Work};
use nexus_core::auth::Permission;
use nexus_core::events::{Audience, Event};
use nexus_core::integrations::DistanceError;
use nexus_core::integrations::distance_cost::{self, LogisticsProposal, TripError};
use nexus_core::model::{AuditAction, AuditLog, EntityType, JobProgress, Order, OrderStatus};
use nexus_core::store::{Filter, Query, TypedStore, Write};
use serde_json::{Value, json};

pub async fn run(w: &Work<'_>) -> Result<JobOutput, JobFailure> {
    let input = w.job.input.clone().unwrap_or(Value::Null);
    let store = w.deps.store.as_ref();
    let orders: Vec<Order> = match (input["orderId"].as_str(), input["all"].as_bool()) {
        (Some(id), _) => {
            let order: Order = store
                .get(Filter::id(id))
                .await?
                .ok_or_else(|| JobFailure::Permanent(format!("order {id} does not exist")))?;
            vec![order]
        }
        (None, Some(true)) => {
            store
                .list(&Query::new(Filter::is_in(
                    "status",
                    OrderStatus::PendingLogisticsCost
                        .spellings()
                        .map(Value::from)
                        .collect(),
                )))
                .await?
        }
        _ => {
            return Err(JobFailure::Permanent(
                "input needs orderId, or all: true to price every order waiting for logistics"
                    .into(),
            ));
        }
    };
    let last_attempt = w.job.attempts >= w.job.max_attempts;
    let by = format!("job:{}", w.job.id);
    let total = orders.len() as u64;
    let mut writes: Vec<Write> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut results: Vec<Value> = Vec::new();
    for (i, order) in orders.into_iter().enumerate() {
        if (w.cancelled)() {
            return Err(JobFailure::Cancelled);
        }
        let id = order.id.clone();
        let outcome = price(w, order, &by, last_attempt).await?;
        match outcome {
            Priced::Skipped(why) => results.push(json!({ "orderId": id, "skipped": why })),
            Priced::Reused(p) => results.push(summary(&id, &p, true)),
            Priced::New(order, p) => {
                let audit = AuditLog::new(by.clone(), "Distance cost job", AuditAction::Update)
                    .entity(EntityType::Order, id.clone());
                writes.extend(distance_cost::writes(&order, &p, audit)?);
                events.push(nexus_core::live::cost_proposed(
                    &order,
                    &p,
                    Audience {
                        permissions: vec![Permission::LogisticsCosting.as_str().into()],
                        ..Audience::default()
                    },
                ));
                results.push(summary(&id, &p, false));
            }
        }
        (w.progress)(JobProgress {
            done: i as u64 + 1,
            total,
            message: Some(format!("priced {id}")),
        });
    }
    let priced = results
        .iter()
        .filter(|r| r["distanceKm"].is_number())
        .count();
    Ok(JobOutput {
        result: json!({ "orders": results, "priced": priced, "total": total }),
        final_progress: Some(JobProgress {
            done: total,
            total,
            message: Some(format!("{priced} of {total} orders priced")),
        }),
        writes,
        events,
        ..JobOutput::default()
    })
}

enum Priced {
    Skipped(String),
    Reused(LogisticsProposal),
    New(Box<Order>, LogisticsProposal),
}

async fn price(
    w: &Work<'_>,
    order: Order,
    by: &str,
    last_attempt: bool,
) -> Result<Priced, JobFailure> {
    if order.status != OrderStatus::PendingLogisticsCost {
        return Ok(Priced::Skipped(
            "the order no longer waits at the logistics-cost step".into(),
        ));
    }
    let trip = match distance_cost::trip(w.deps.store.as_ref(), order).await {
        Ok(t) => t,
        Err(TripError::Store(e)) => return Err(e.into()),
        // Nothing to look up: reported per order, the others are still priced.
        Err(e) => return Ok(Priced::Skipped(e.to_string())),
    };
    if let Some(stored) = trip.stored() {
        return Ok(Priced::Reused(stored));
    }
    match distance_cost::propose(w.deps.maps.as_deref(), &trip, by, last_attempt).await {
        Ok(p) => Ok(Priced::New(Box::new(trip.order), p)),
        Err(DistanceError::Unavailable(why)) => Err(JobFailure::Retryable(format!(
            "the distance provider is unavailable ({why}); trying again"
        ))),
        Err(e) => Err(JobFailure::Permanent(e.to_string())),
    }
}

fn summary(order_id: &str, p: &LogisticsProposal, reused: bool) -> Value {
    json!({
        "orderId": order_id,
        "distanceKm": p.distance_km,
        "distanceSource": p.distance_source,
        "isFallback": p.is_fallback,
        "recommended": p.recommended,
        "reason": p.reason,
        "reused": reused,
    })
}
