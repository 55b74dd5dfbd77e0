//! How an order leaves the API (the legacy camelCase document, minus secrets) and the live
//! events about it (api.md §3 E4–E6, published after the commit with an audience so
//! delivery can be scoped like the REST reads).

use nexus_core::events::{Audience, Event, Topic, types};
use nexus_core::model::Order;
use nexus_core::rules::ledger::StockMovement;
use nexus_core::types::Timestamp;
use serde_json::{Value, json};

/// Fields kept on the stored order that no client may read: the delivery OTP's keyed hash
/// and its attempt counter (D-L16: the OTP is verified on the server only).
pub const SECRET_FIELDS: [&str; 2] = ["deliveryOtpHash", "deliveryOtpAttempts"];

/// The order as clients see it.
pub fn public(order: &Order) -> Value {
    let mut v = serde_json::to_value(order).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        for k in SECRET_FIELDS {
            o.remove(k);
        }
        o.remove("_id");
        o.remove("__v");
    }
    v
}

pub use nexus_core::events::{order_audience as audience, order_created as created_event};

/// E5 `order:updated`, for changes that keep the status (remarks, photos).
pub fn updated_event(order: &Order) -> Event {
    Event::new(
        Topic::Orders,
        types::ORDER_UPDATED,
        json!({
            "orderId": order.id,
            "customerName": order.customer_name,
            "total": order.total,
            "status": order.status,
            "updatedAt": order.updated_at,
        }),
    )
    .to(audience(order))
}

/// E6 `order:status-changed`.
pub fn status_event(order: &Order, old: &str, step: &str) -> Event {
    Event::new(
        Topic::Orders,
        types::ORDER_STATUS_CHANGED,
        json!({
            "orderId": order.id,
            "oldStatus": old,
            "newStatus": order.status,
            "step": step,
            "customerName": order.customer_name,
            "total": order.total,
            "salespersonId": order.salesperson_id,
            "timestamp": Timestamp::now(),
        }),
    )
    .to(audience(order))
}

/// `stock:changed`, one event per commit that moved stock, for warehouse and master-data
/// screens.
pub fn stock_event(order_id: &str, reason: &str, movements: &[StockMovement]) -> Option<Event> {
    if movements.is_empty() {
        return None;
    }
    Some(
        Event::new(
            Topic::Stock,
            types::STOCK_CHANGED,
            json!({ "orderId": order_id, "reason": reason, "movements": movements }),
        )
        .to(Audience {
            permissions: vec!["manage_warehouse".into(), "master_data".into()],
            ..Audience::default()
        }),
    )
}
