//! Live events: what changed, published after the change commits, delivered to WebSocket
//! clients and the console. The port is [`EventBus`]; the embedded adapter is an in-process
//! broadcast channel, the multi-process one Redis pub/sub (so fan-out crosses API instances).

use crate::types::Timestamp;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::broadcast;

/// The subscription topics clients choose from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Topic {
    Orders,
    Jobs,
    Stock,
    Alerts,
}

impl Topic {
    pub const ALL: [Topic; 4] = [Topic::Orders, Topic::Jobs, Topic::Stock, Topic::Alerts];

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim().to_ascii_lowercase())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Orders => "orders",
            Topic::Jobs => "jobs",
            Topic::Stock => "stock",
            Topic::Alerts => "alerts",
        }
    }
}

/// Who may receive an event. Delivery filters on this with the same scope rules as the REST
/// reads, so a socket never shows what the user could not fetch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Audience {
    /// The order's salesperson (drives the hierarchy scope), when the event is about an order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesperson_id: Option<String>,
    /// The order's status (operational roles see their queue statuses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_status: Option<String>,
    /// The assigned delivery agent, for delivery-scoped events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_agent_id: Option<String>,
    /// Only these users (e.g. the owner of a job); empty means no user restriction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// Only holders of any of these permission keys; empty means no permission restriction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<String>,
}

/// One event as delivered: `{ "type", "data", "at" }` plus routing facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    #[serde(rename = "type")]
    pub event_type: String,
    pub topic: Topic,
    pub data: Value,
    pub at: Timestamp,
    #[serde(default)]
    pub audience: Audience,
}

impl Event {
    pub fn new(topic: Topic, event_type: impl Into<String>, data: Value) -> Self {
        Event {
            event_type: event_type.into(),
            topic,
            data,
            at: Timestamp::now(),
            audience: Audience::default(),
        }
    }

    pub fn to(mut self, audience: Audience) -> Self {
        self.audience = audience;
        self
    }
}

/// Event type names (stable strings, documented in docs/API_DOCUMENTATION.md).
pub mod types {
    pub const ORDER_CREATED: &str = "order:created";
    pub const ORDER_UPDATED: &str = "order:updated";
    pub const ORDER_STATUS_CHANGED: &str = "order:status-changed";
    pub const STOCK_CHANGED: &str = "stock:changed";
    pub const PACKAGING_LOW_STOCK: &str = "packaging:low-stock";
    pub const JOB_PROGRESS: &str = "job:progress";
    pub const JOB_FINISHED: &str = "job:finished";
    pub const EXPIRY_ALERT: &str = "alert:expiry";
    pub const CREDIT_INSIGHT_READY: &str = "credit:insight-ready";
    pub const COST_PROPOSED: &str = "logistics:cost-proposed";
}

#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("event bus unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait EventBus: Send + Sync + 'static {
    /// Publishes to every subscriber in every process. Called after the change committed;
    /// a failure is logged by the caller and never undoes the change.
    async fn publish(&self, event: Event) -> Result<(), EventError>;

    /// A receiver of every event from now on. A receiver that falls behind gets
    /// `RecvError::Lagged`, which the WebSocket turns into a resync message.
    fn subscribe(&self) -> broadcast::Receiver<Event>;

    /// For the banner and readiness checks.
    fn describe(&self) -> String;
}

/// The embedded bus: one broadcast channel in this process.
pub struct InProcessBus {
    tx: broadcast::Sender<Event>,
}

impl InProcessBus {
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(16));
        InProcessBus { tx }
    }

    /// Hands an event to local subscribers (also used by the Redis adapter's listener).
    pub fn deliver(&self, event: Event) {
        // No subscribers is not an error: nobody is watching right now.
        let _ = self.tx.send(event);
    }
}

impl Default for InProcessBus {
    fn default() -> Self {
        InProcessBus::new(1024)
    }
}

#[async_trait]
impl EventBus for InProcessBus {
    async fn publish(&self, event: Event) -> Result<(), EventError> {
        self.deliver(event);
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.tx.subscribe()
    }

    fn describe(&self) -> String {
        "in-process channel".into()
    }
}

/// Who receives events about an order: its salesperson's hierarchy, the queue of its status
/// and its delivery agent (the same scope as the REST reads).
pub fn order_audience(order: &crate::model::Order) -> Audience {
    Audience {
        salesperson_id: order.salesperson_id.clone(),
        order_status: Some(order.status.as_str().to_string()),
        delivery_agent_id: order
            .logistics
            .as_ref()
            .and_then(|l| l.delivery_agent_id.clone()),
        ..Audience::default()
    }
}

/// `order:created` (api.md §3 E4), from the API and from imports: built with the other
/// typed events in [`crate::live`].
pub use crate::live::order_created;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn subscribers_get_events_published_after_they_subscribed() {
        let bus = InProcessBus::new(16);
        let mut rx = bus.subscribe();
        bus.publish(Event::new(
            Topic::Orders,
            types::ORDER_CREATED,
            json!({"orderId": "ORD-1"}),
        ))
        .await
        .unwrap();
        let e = rx.recv().await.unwrap();
        assert_eq!(e.event_type, "order:created");
        let wire = serde_json::to_value(&e).unwrap();
        assert_eq!(wire["type"], "order:created");
        assert_eq!(wire["data"]["orderId"], "ORD-1");
        assert!(wire["at"].is_string());
    }

    #[tokio::test]
    async fn a_slow_subscriber_learns_it_lagged() {
        let bus = InProcessBus::new(16);
        let mut rx = bus.subscribe();
        for i in 0..40 {
            bus.deliver(Event::new(
                Topic::Stock,
                types::STOCK_CHANGED,
                json!({ "i": i }),
            ));
        }
        assert!(matches!(
            rx.recv().await,
            Err(broadcast::error::RecvError::Lagged(_))
        ));
    }
}
