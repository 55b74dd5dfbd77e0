//! Order status: the canonical set of the rewrite's state machine (domain.md §3.7), stored
//! as the legacy display strings so old clients and documents keep working. Every legacy
//! synonym (§3.6) reads into its canonical value; the history keeps the original text.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrderStatus {
    PendingCreditApproval,
    OnHold,
    Rejected,
    Cancelled,
    PendingWhSelection,
    PendingPacking,
    PartPacked,
    Backorder,
    PendingQualityControl,
    PendingLogisticsCost,
    PendingAdminReview,
    ReadyForBilling,
    ReadyForDispatch,
    InTransit,
    OutForDelivery,
    Delivered,
    PartAccepted,
    ReturnedToWarehouse,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 18] = [
        OrderStatus::PendingCreditApproval,
        OrderStatus::OnHold,
        OrderStatus::Rejected,
        OrderStatus::Cancelled,
        OrderStatus::PendingWhSelection,
        OrderStatus::PendingPacking,
        OrderStatus::PartPacked,
        OrderStatus::Backorder,
        OrderStatus::PendingQualityControl,
        OrderStatus::PendingLogisticsCost,
        OrderStatus::PendingAdminReview,
        OrderStatus::ReadyForBilling,
        OrderStatus::ReadyForDispatch,
        OrderStatus::InTransit,
        OrderStatus::OutForDelivery,
        OrderStatus::Delivered,
        OrderStatus::PartAccepted,
        OrderStatus::ReturnedToWarehouse,
    ];

    /// The string stored in `orders.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingCreditApproval => "Pending Credit Approval",
            OrderStatus::OnHold => "On Hold",
            OrderStatus::Rejected => "Rejected",
            OrderStatus::Cancelled => "Cancelled",
            OrderStatus::PendingWhSelection => "Pending WH Selection",
            OrderStatus::PendingPacking => "Pending Packing",
            OrderStatus::PartPacked => "Part Packed",
            OrderStatus::Backorder => "Backorder",
            OrderStatus::PendingQualityControl => "Pending Quality Control",
            OrderStatus::PendingLogisticsCost => "Pending Logistics Cost",
            OrderStatus::PendingAdminReview => "Pending Admin Review",
            OrderStatus::ReadyForBilling => "Ready for Billing",
            OrderStatus::ReadyForDispatch => "Ready for Dispatch",
            OrderStatus::InTransit => "In Transit",
            OrderStatus::OutForDelivery => "Out for Delivery",
            OrderStatus::Delivered => "Delivered",
            OrderStatus::PartAccepted => "Part Accepted",
            OrderStatus::ReturnedToWarehouse => "Returned to Warehouse",
        }
    }

    /// Reads any status the legacy system, its prototype or its documents wrote
    /// (domain.md §3.6), case- and spacing-insensitively.
    pub fn parse(s: &str) -> Option<OrderStatus> {
        let norm: String = s
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        if let Some(st) = OrderStatus::ALL
            .into_iter()
            .find(|st| st.as_str().to_ascii_lowercase() == norm)
        {
            return Some(st);
        }
        use OrderStatus::*;
        Some(match norm.as_str() {
            "pending" | "draft" | "pending credit" => PendingCreditApproval,
            "hold" => OnHold,
            "credit approved" | "approved" => PendingWhSelection,
            "wh assigned" | "warehouse assigned" => PendingPacking,
            "packed" => PendingQualityControl,
            "quality checked" | "verified" | "cost added" | "pending logistics" => {
                PendingLogisticsCost
            }
            "logistics costed" | "pending invoicing" | "ready for invoice" => ReadyForBilling,
            "invoiced" => ReadyForDispatch,
            "loaded" | "dispatched" => InTransit,
            "picked up" => OutForDelivery,
            "partially delivered" => PartAccepted,
            _ => return None,
        })
    }

    /// No transition leaves a terminal status (except an audited admin bypass).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            OrderStatus::Rejected
                | OrderStatus::Cancelled
                | OrderStatus::Delivered
                | OrderStatus::ReturnedToWarehouse
        )
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for OrderStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OrderStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        OrderStatus::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown order status `{s}`")))
    }
}

/// Written as the canonical display text only (synonyms are read, never written).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for OrderStatus {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::types::openapi::string_enum(
            "An order status, as its canonical display text (legacy synonyms are read, never written).",
            OrderStatus::ALL.map(OrderStatus::as_str),
        )
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for OrderStatus {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_legacy_value_maps() {
        let legacy = [
            ("Pending", OrderStatus::PendingCreditApproval),
            ("Hold", OrderStatus::OnHold),
            ("Credit Approved", OrderStatus::PendingWhSelection),
            ("WH Assigned", OrderStatus::PendingPacking),
            ("Packed", OrderStatus::PendingQualityControl),
            ("Quality Checked", OrderStatus::PendingLogisticsCost),
            ("Cost Added", OrderStatus::PendingLogisticsCost),
            ("Logistics Costed", OrderStatus::ReadyForBilling),
            ("Pending Invoicing", OrderStatus::ReadyForBilling),
            ("Invoiced", OrderStatus::ReadyForDispatch),
            ("Loaded", OrderStatus::InTransit),
            ("Picked Up", OrderStatus::OutForDelivery),
            ("Partially Delivered", OrderStatus::PartAccepted),
        ];
        for (s, st) in legacy {
            assert_eq!(OrderStatus::parse(s), Some(st), "{s}");
        }
        for st in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(st.as_str()), Some(st));
        }
        assert_eq!(OrderStatus::parse("Items Edited"), None);
    }
}
