//! Order status: the canonical set of the rewrite's state machine (domain.md §3.7), stored
//! as the legacy display strings so old clients and documents keep working. Every legacy
//! synonym (§3.6) reads into its canonical value; the history keeps the original text.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Texts old data, the prototype and the old client wrote (§3.6) for a canonical status,
/// as they are stored (case variants of a canonical text included: the store compares
/// exactly, `parse` ignores case).
const LEGACY_SPELLINGS: &[(&str, OrderStatus)] = {
    use OrderStatus::*;
    &[
        ("Pending", PendingCreditApproval),
        ("Draft", PendingCreditApproval),
        ("Pending Credit", PendingCreditApproval),
        ("Hold", OnHold),
        ("Credit Approved", PendingWhSelection),
        ("Approved", PendingWhSelection),
        ("WH Assigned", PendingPacking),
        ("Warehouse Assigned", PendingPacking),
        ("Packed", PendingQualityControl),
        ("Pending Quality control", PendingQualityControl),
        ("Quality Checked", PendingLogisticsCost),
        ("Verified", PendingLogisticsCost),
        ("Cost Added", PendingLogisticsCost),
        ("Pending Logistics", PendingLogisticsCost),
        ("Logistics Costed", ReadyForBilling),
        ("Pending Invoicing", ReadyForBilling),
        ("Ready for Invoice", ReadyForBilling),
        ("Ready For Billing", ReadyForBilling),
        ("Invoiced", ReadyForDispatch),
        ("Ready For Dispatch", ReadyForDispatch),
        ("Loaded", InTransit),
        ("Dispatched", InTransit),
        ("Picked Up", OutForDelivery),
        ("Out For Delivery", OutForDelivery),
        ("Partially Delivered", PartAccepted),
    ]
};

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
        OrderStatus::ALL
            .into_iter()
            .map(|st| (st.as_str(), st))
            .chain(LEGACY_SPELLINGS.iter().copied())
            .find(|(text, _)| text.to_ascii_lowercase() == norm)
            .map(|(_, st)| st)
    }

    /// Every text a stored order may carry for this status: the canonical one first, then
    /// the legacy synonyms and spellings. Store filters compare stored text exactly, so a
    /// status condition lists them all.
    pub fn spellings(self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.as_str()).chain(
            LEGACY_SPELLINGS
                .iter()
                .filter(move |(_, st)| *st == self)
                .map(|(text, _)| *text),
        )
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

    #[test]
    fn every_spelling_reads_back_as_its_status() {
        for st in OrderStatus::ALL {
            let texts: Vec<&str> = st.spellings().collect();
            assert_eq!(texts[0], st.as_str());
            for t in texts {
                assert_eq!(OrderStatus::parse(t), Some(st), "{t}");
            }
        }
        let hold: Vec<&str> = OrderStatus::OnHold.spellings().collect();
        assert_eq!(hold, ["On Hold", "Hold"]);
    }
}
