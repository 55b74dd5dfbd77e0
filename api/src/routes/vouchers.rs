//! The figures of an order's sales voucher: invoice number, date, party, taxable value and
//! the GST split. Both the Tally export (`analytics/tally.rs`) and the invoice PDF
//! (`orders/invoice.rs`) print them, so they are computed here, in one place neither area
//! owns.

use crate::error::ApiError;
use crate::state::AppState;
use nexus_core::model::{Customer, Order, OrderStatus, Warehouse};
use nexus_core::rules::expiry::ist;
use nexus_core::rules::pricing::{split_tax, supply_kind};
use nexus_core::store::{Filter, TypedStore};
use nexus_core::types::{Money, Timestamp};

/// Where goods ship from when an order names no warehouse: the head office and main cold
/// store are in Mumbai (the seed's `HOME_STATE`).
const HOME_STATE: &str = "Maharashtra";

/// The figures of one sales voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Voucher {
    pub number: String,
    pub reference: String,
    /// `YYYYMMDD` (IST), Tally's date form.
    pub date: String,
    pub party: String,
    pub party_gstin: Option<String>,
    pub sales: Money,
    pub cgst: Money,
    pub sgst: Money,
    pub igst: Money,
    pub total: Money,
    pub narration: String,
}

/// Statuses an order reaches only after it was invoiced.
pub(crate) fn past_invoicing(s: OrderStatus) -> bool {
    matches!(
        s,
        OrderStatus::ReadyForDispatch
            | OrderStatus::InTransit
            | OrderStatus::OutForDelivery
            | OrderStatus::Delivered
            | OrderStatus::PartAccepted
    )
}

/// The voucher figures of an order: the invoice's when it has one, else the order's own
/// (legacy orders), with the tax split derived from the place of supply when only a GST
/// total was stored.
pub(crate) fn voucher_for(
    order: &Order,
    customer: Option<&Customer>,
    supplier_state: &str,
) -> Voucher {
    let (total, mut cgst, mut sgst, mut igst, number, at) = match &order.invoice {
        Some(inv) => (
            inv.total,
            inv.cgst,
            inv.sgst,
            inv.igst,
            Some(inv.invoice_no.clone()).filter(|n| !n.trim().is_empty()),
            inv.invoice_date.or(order.created_at),
        ),
        None => (
            order.total,
            order.cgst,
            order.sgst,
            order.igst,
            None,
            order.created_at,
        ),
    };
    if (cgst + sgst + igst).is_zero() && order.gst_amount.is_positive() {
        let split = split_tax(
            order.gst_amount.round2(),
            supply_kind(supplier_state, order.place_of_supply.as_deref()),
        );
        cgst = split.cgst;
        sgst = split.sgst;
        igst = split.igst;
    }
    let total = total.round2();
    let (cgst, sgst, igst) = (cgst.round2(), sgst.round2(), igst.round2());
    let date = at
        .unwrap_or_else(Timestamp::now)
        .datetime()
        .with_timezone(&ist())
        .format("%Y%m%d")
        .to_string();
    Voucher {
        number: number.unwrap_or_else(|| order.id.clone()),
        reference: order.id.clone(),
        date,
        party: order
            .customer_name
            .clone()
            .or_else(|| customer.map(|c| c.name.clone()))
            .unwrap_or_else(|| order.customer_id.clone()),
        party_gstin: customer
            .and_then(|c| c.gst.clone())
            .filter(|g| !g.trim().is_empty()),
        sales: total - cgst - sgst - igst,
        cgst,
        sgst,
        igst,
        total,
        narration: format!("NexusOMS order {}", order.id),
    }
}

/// The voucher of an order with what it needs from the store: the customer (name, GSTIN)
/// and the state goods ship from (the order's warehouse, else the head office), which
/// decides CGST + SGST against IGST.
pub(crate) async fn voucher_of(
    st: &AppState,
    order: &Order,
) -> Result<(Voucher, Option<Customer>), ApiError> {
    let customer: Option<Customer> = st.store.get(Filter::id(order.customer_id.clone())).await?;
    let supplier_state = match order.source_warehouse.as_deref() {
        Some(w) => st
            .store
            .get::<Warehouse>(Filter::id(w))
            .await?
            .and_then(|w| w.state),
        None => None,
    }
    .unwrap_or_else(|| HOME_STATE.to_string());
    let voucher = voucher_for(order, customer.as_ref(), &supplier_state);
    Ok((voucher, customer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use serde_json::json;

    fn m(s: &str) -> Money {
        Money::new(s.parse::<Decimal>().unwrap())
    }

    #[test]
    fn legacy_order_splits_gst_and_balances() {
        let order: Order = serde_json::from_value(json!({
            "id": "ORD-9", "customerId": "C", "customerName": "Tom & Jerry <Pvt>",
            "status": "Delivered", "subTotal": 2781.45, "gstAmount": 139.07, "total": 2920.52,
            "placeOfSupply": "Maharashtra", "createdAt": "2026-02-12T20:00:00.000Z"
        }))
        .unwrap();
        let v = voucher_for(&order, None, "Maharashtra");
        assert_eq!(v.cgst, m("69.54"));
        assert_eq!(v.sgst, m("69.53"));
        assert_eq!(v.igst, Money::ZERO);
        assert_eq!(v.sales, m("2781.45"));
        assert_eq!(v.sales + v.cgst + v.sgst + v.igst, v.total);
        // 20:00 UTC on the 12th is the 13th in IST.
        assert_eq!(v.date, "20260213");
        assert!(past_invoicing(order.status));
        // Inter-state: all IGST.
        let v = voucher_for(&order, None, "Karnataka");
        assert_eq!(v.igst, m("139.07"));
        assert!(v.cgst.is_zero());
    }
}
