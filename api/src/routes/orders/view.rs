//! How an order leaves the API (the legacy camelCase document, minus secrets) and the live
//! events about it (api.md §3 E4–E6, published after the commit with an audience so
//! delivery can be scoped like the REST reads).

use nexus_core::auth::{Access, ActorContext, Permission, can};
use nexus_core::model::Order;
use nexus_core::rules::lifecycle::{OrderContext, available};
use nexus_core::wire::AvailableStep;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// Fields kept on the stored order that no client may read: the delivery OTP's keyed hash
/// and its attempt counter (D-L16: the OTP is verified on the server only).
pub const SECRET_FIELDS: [&str; 2] = ["deliveryOtpHash", "deliveryOtpAttempts"];

// The body `for_actor` builds, described for the OpenAPI document (the handlers send JSON).
/// An order as its reader gets it: the stored order without its secrets (the delivery OTP's
/// hash and attempt count never leave the server) and with the lifecycle steps the reader may
/// take on it now.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    #[serde(flatten)]
    pub order: Order,
    /// The lifecycle steps the reader may take on the order now, each with its request
    /// (possibly none).
    pub available_steps: Vec<AvailableStep>,
}

// The body `get_order` builds, described for the OpenAPI document.
/// One order as its reader gets it ([`OrderView`]) with its documents signed for the read.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetailView {
    #[serde(flatten)]
    pub order: OrderView,
    /// The PO copy, sales photos, QC photo and proof of delivery, each a link signed now
    /// and valid for an hour (never a public link).
    pub documents: Vec<super::documents::OrderDocument>,
}

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

/// The order as `actor` sees it: [`public`] with `availableSteps`, the lifecycle steps this
/// user may take on it now, each with the request that takes it. They come from the
/// transition rules themselves (`lifecycle::available` dry-runs them), so a client that
/// offers exactly these never offers a step the server refuses for its status or role; the
/// server still judges the step's own inputs. The shape is `nexus_core::wire::AvailableStep`,
/// which the console deserialises as is.
pub fn for_actor(order: &Order, actor: &ActorContext) -> Value {
    let mut v = public(order);
    if let Some(o) = v.as_object_mut() {
        let steps = serde_json::to_value(available_steps(order, actor))
            .unwrap_or_else(|_| Value::Array(Vec::new()));
        o.insert("availableSteps".into(), steps);
    }
    v
}

/// The steps `actor` may take on `order` now, in the order the rules list them (one entry
/// per step code), then the admin bypass for its holders on an open order. `body` holds
/// the fields that select the step (e.g. `{"decision": "hold"}`); the step's own inputs are
/// the client's to add.
pub fn available_steps(order: &Order, actor: &ActorContext) -> Vec<AvailableStep> {
    let mut out: Vec<AvailableStep> = Vec::new();
    for (_, outcome) in available(&OrderContext::of(order), actor) {
        if out.iter().any(|s| s.step == outcome.step) {
            continue;
        }
        let Some((method, segment, body)) = request_of(outcome.step) else {
            continue;
        };
        out.push(AvailableStep::new(
            outcome.step,
            Some(outcome.to),
            method,
            &order.id,
            segment,
            body,
        ));
    }
    if !order.status.is_terminal() && can(actor, Permission::AdminBypass, Access::Full) {
        out.push(AvailableStep::new(
            "admin_bypass",
            None,
            "POST",
            &order.id,
            "bypass",
            json!({}),
        ));
    }
    out
}

/// The request of each step code (routes/orders/mod.rs); `None` for a step without a route
/// of its own.
fn request_of(step: &str) -> Option<(&'static str, &'static str, Value)> {
    let post = |segment: &'static str, body: Value| Some(("POST", segment, body));
    match step {
        "credit_approve" => post("credit-decision", json!({ "decision": "approve" })),
        "credit_hold" => post("credit-decision", json!({ "decision": "hold" })),
        "credit_reject" => post("credit-decision", json!({ "decision": "reject" })),
        "release_hold" => post("release-hold", json!({})),
        "cancel" => post("cancel", json!({})),
        "edit_items" => Some(("PATCH", "items", json!({}))),
        "assign_warehouse" => post("assign-warehouse", json!({})),
        "pack" => post("pack", json!({})),
        "send_back_to_wh" => post("send-back", json!({})),
        "qc_pass" => post("qc", json!({ "passed": true })),
        "qc_fail" => post("qc", json!({ "passed": false })),
        "logistics_cost" => post("logistics-cost", json!({})),
        "admin_review_approve" => post("admin-review", json!({ "decision": "approve" })),
        "admin_review_reject" => post("admin-review", json!({ "decision": "reject" })),
        "invoice" => post("invoice", json!({})),
        "dispatch" => post("dispatch", json!({})),
        "out_for_delivery" => post("out-for-delivery", json!({})),
        "deliver" => post("deliver", json!({})),
        "part_accept" => post("part-accept", json!({})),
        "reopen_backorder" => post("reopen-backorder", json!({})),
        "return_to_warehouse" => post("return-to-warehouse", json!({})),
        _ => None,
    }
}

// The order events are typed once, in `nexus_core::live`; these are their names here.
pub use nexus_core::live::{
    order_created as created_event, order_status_changed as status_event,
    order_stock_moved as stock_event, order_updated as updated_event,
};
