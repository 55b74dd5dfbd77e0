//! Shapes the API sends that its clients read back, defined once so both ends agree by
//! construction: the lifecycle steps an order offers its reader (`availableSteps`) and the
//! lifecycle stages orders are counted in (`stageCounts`).
//!
//! Why here and not in each client: the operator console used to keep its own table of
//! which step a role may take from which status, and it drifted from the transition rules
//! (issue #17). A client that reads these types offers what the server computed and counts
//! what the server counts; it never restates the rules.

use crate::model::OrderStatus;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// One lifecycle step the reader may take on an order now, with the request that takes it
/// (`GET /api/orders` and `GET /api/orders/{id}`, field `availableSteps`).
///
/// `body` holds only the fields that select the step (`{"decision": "hold"}`,
/// `{"passed": true}`); the step's own inputs (a reason, a warehouse, picks) are the
/// client's to add. The server still judges those inputs when the request arrives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AvailableStep {
    /// The step code (`lifecycle::Action::code`), e.g. `credit_hold`.
    pub step: String,
    /// The status the step leads to; `null` for a step that leads anywhere (the admin
    /// bypass). A status this build does not know also reads as `None`, so a newer server
    /// never makes an older client drop the step.
    #[serde(default, deserialize_with = "lenient_status")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub to: Option<OrderStatus>,
    /// The HTTP method, upper case (`POST`, `PATCH`).
    pub method: String,
    /// The absolute request path, e.g. `/api/orders/ORD-001/credit-decision`.
    pub path: String,
    /// The fields that select the step; always an object on the wire.
    #[serde(default = "empty_object")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object, required = true))]
    pub body: Value,
}

impl AvailableStep {
    /// A step whose request goes to `/api/orders/{order_id}/{segment}`.
    pub fn new(
        step: impl Into<String>,
        to: Option<OrderStatus>,
        method: &str,
        order_id: &str,
        segment: &str,
        body: Value,
    ) -> AvailableStep {
        AvailableStep {
            step: step.into(),
            to,
            method: method.to_string(),
            path: format!("/api/orders/{order_id}/{segment}"),
            body,
        }
    }

    /// The selecting fields as an object (a missing or non-object body reads as empty).
    pub fn body_fields(&self) -> Map<String, Value> {
        match &self.body {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        }
    }
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

fn lenient_status<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OrderStatus>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => OrderStatus::parse(&s),
        _ => None,
    })
}

/// The lifecycle stages orders are counted in (domain.md §3.1): the keys of the analytics
/// dashboard's `stageCounts`, in lifecycle order. [`Stage::of`] is an exhaustive match, so a
/// new status cannot be added without deciding its stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    CreditApproval,
    WhSelection,
    Packing,
    Qc,
    LogisticsCost,
    Invoicing,
    Dispatch,
    Delivery,
    Delivered,
    /// Closed without a sale: rejected, cancelled, returned.
    Closed,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::CreditApproval,
        Stage::WhSelection,
        Stage::Packing,
        Stage::Qc,
        Stage::LogisticsCost,
        Stage::Invoicing,
        Stage::Dispatch,
        Stage::Delivery,
        Stage::Delivered,
        Stage::Closed,
    ];

    /// The key in `stageCounts`.
    pub fn key(self) -> &'static str {
        match self {
            Stage::CreditApproval => "credit_approval",
            Stage::WhSelection => "wh_selection",
            Stage::Packing => "packing",
            Stage::Qc => "qc",
            Stage::LogisticsCost => "logistics_cost",
            Stage::Invoicing => "invoicing",
            Stage::Dispatch => "dispatch",
            Stage::Delivery => "delivery",
            Stage::Delivered => "delivered",
            Stage::Closed => "closed",
        }
    }

    /// The stage with this `stageCounts` key.
    pub fn from_key(key: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The stage an order in `status` counts under.
    pub fn of(status: OrderStatus) -> Stage {
        use OrderStatus::*;
        match status {
            PendingCreditApproval | OnHold => Stage::CreditApproval,
            PendingWhSelection => Stage::WhSelection,
            PendingPacking | PartPacked | Backorder => Stage::Packing,
            PendingQualityControl => Stage::Qc,
            PendingLogisticsCost | PendingAdminReview => Stage::LogisticsCost,
            ReadyForBilling => Stage::Invoicing,
            ReadyForDispatch => Stage::Dispatch,
            InTransit | OutForDelivery => Stage::Delivery,
            Delivered | PartAccepted => Stage::Delivered,
            Rejected | Cancelled | ReturnedToWarehouse => Stage::Closed,
        }
    }

    /// The statuses in this stage, in `OrderStatus::ALL` order.
    pub fn statuses(self) -> Vec<OrderStatus> {
        OrderStatus::ALL
            .into_iter()
            .filter(|s| Stage::of(*s) == self)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_step_round_trips_with_a_null_target_and_reads_unknown_statuses() {
        let s = AvailableStep::new(
            "credit_hold",
            Some(OrderStatus::OnHold),
            "POST",
            "ORD-1",
            "credit-decision",
            json!({"decision": "hold"}),
        );
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            v,
            json!({"step": "credit_hold", "to": "On Hold", "method": "POST",
                   "path": "/api/orders/ORD-1/credit-decision", "body": {"decision": "hold"}})
        );
        assert_eq!(serde_json::from_value::<AvailableStep>(v).unwrap(), s);

        let bypass = AvailableStep::new("admin_bypass", None, "POST", "ORD-1", "bypass", json!({}));
        assert_eq!(serde_json::to_value(&bypass).unwrap()["to"], Value::Null);

        // A newer server's status and a missing body still read.
        let newer: AvailableStep = serde_json::from_value(json!({
            "step": "x", "to": "Awaiting Drone", "method": "POST", "path": "/api/orders/O/x"
        }))
        .unwrap();
        assert_eq!(newer.to, None);
        assert_eq!(newer.body, json!({}));
        assert!(newer.body_fields().is_empty());
    }

    #[test]
    fn every_status_is_in_exactly_one_stage_and_keys_are_the_serde_names() {
        for s in OrderStatus::ALL {
            let n = Stage::ALL
                .iter()
                .filter(|st| st.statuses().contains(&s))
                .count();
            assert_eq!(n, 1, "{s:?}");
        }
        for st in Stage::ALL {
            assert_eq!(serde_json::to_value(st).unwrap(), json!(st.key()));
            assert_eq!(Stage::from_key(st.key()), Some(st));
        }
        assert_eq!(
            Stage::Closed.statuses(),
            vec![
                OrderStatus::Rejected,
                OrderStatus::Cancelled,
                OrderStatus::ReturnedToWarehouse
            ]
        );
    }
}
