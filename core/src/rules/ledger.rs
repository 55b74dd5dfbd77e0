//! Stock ledger rows for what was **actually** moved (domain.md §2.5, fixing D-D5).
//!
//! The legacy ledger recorded the quantity *requested* (DEDUCT 200 when only 150 existed),
//! left RESTORE rows without an order id, and had no actor, batch or signed quantity, so it
//! could not reconstruct stock. Here every stock rule returns [`StockMovement`]s — one per
//! batch touched, signed — and [`entries`] turns them into ledger rows with the order, the
//! actor and a reason code, to be written in the same commit as the batch change.

use crate::model::stock_ledger::{LedgerType, StockLedgerEntry};
use crate::types::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Map;

/// One batch quantity change. `delta` is signed: negative leaves stock, positive enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockMovement {
    pub product_id: String,
    /// The SKU code, which the ledger's `productId` holds (legacy naming).
    pub sku: String,
    pub batch_number: String,
    pub warehouse_id: Option<String>,
    pub delta: Decimal,
}

/// Why stock moved. Stored as the ledger's `reason` code; the type follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LedgerReason {
    StockReceipt,
    OrderAllocation,
    ClearanceReservation,
    OrderRelease,
    DeliveryReturn,
    ManualAdjustment,
}

impl LedgerReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerReason::StockReceipt => "STOCK_RECEIPT",
            LedgerReason::OrderAllocation => "ORDER_ALLOCATION",
            LedgerReason::ClearanceReservation => "CLEARANCE_RESERVATION",
            LedgerReason::OrderRelease => "ORDER_RELEASE",
            LedgerReason::DeliveryReturn => "DELIVERY_RETURN",
            LedgerReason::ManualAdjustment => "MANUAL_ADJUSTMENT",
        }
    }

    /// The legacy `type` for rows of this reason.
    pub fn ledger_type(self) -> LedgerType {
        match self {
            LedgerReason::StockReceipt => LedgerType::Add,
            LedgerReason::OrderAllocation | LedgerReason::ClearanceReservation => {
                LedgerType::Deduct
            }
            LedgerReason::OrderRelease | LedgerReason::DeliveryReturn => LedgerType::Restore,
            LedgerReason::ManualAdjustment => LedgerType::Adjust,
        }
    }
}

/// Who moved the stock, for which order, why and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerContext<'a> {
    pub order_id: Option<&'a str>,
    pub actor_id: &'a str,
    pub reason: LedgerReason,
    pub details: Option<&'a str>,
    pub at: Timestamp,
}

/// Ledger rows for a set of movements: `qty` is the absolute amount (legacy readers imply
/// the sign from `type`), `signedQty` the signed change actually applied. Zero movements
/// produce no row.
pub fn entries(movements: &[StockMovement], ctx: &LedgerContext<'_>) -> Vec<StockLedgerEntry> {
    movements
        .iter()
        .filter(|m| !m.delta.is_zero())
        .map(|m| StockLedgerEntry {
            id: None,
            timestamp: ctx.at,
            product_id: m.sku.clone(),
            warehouse_id: m.warehouse_id.clone(),
            order_id: ctx.order_id.map(str::to_string),
            entry_type: ctx.reason.ledger_type(),
            qty: m.delta.abs(),
            signed_qty: Some(m.delta),
            batch_number: Some(m.batch_number.clone()),
            actor_id: Some(ctx.actor_id.to_string()),
            reason: Some(ctx.reason.as_str().to_string()),
            details: ctx.details.map(str::to_string),
            extra: Map::new(),
        })
        .collect()
}

/// The net quantity a set of ledger rows moved (Σ signed quantity, legacy rows signed by
/// their type), so stock can be reconciled from the ledger.
pub fn net_change(rows: &[StockLedgerEntry]) -> Decimal {
    rows.iter()
        .map(|r| {
            r.signed_qty.unwrap_or(match r.entry_type {
                LedgerType::Deduct => -r.qty,
                LedgerType::Add | LedgerType::Restore | LedgerType::Adjust => r.qty,
            })
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn mv(batch: &str, delta: Decimal) -> StockMovement {
        StockMovement {
            product_id: "PROD-X".into(),
            sku: "X".into(),
            batch_number: batch.into(),
            warehouse_id: Some("WH-KURLA".into()),
            delta,
        }
    }

    #[test]
    fn example_2_4_fefo_shortage_ledger_records_what_moved() {
        // Need 200, only C 10 + A 40 + B 100 exist: the ledger says −150 in three rows, not −200.
        let ctx = LedgerContext {
            order_id: Some("ORD-000001"),
            actor_id: "WH-007",
            reason: LedgerReason::OrderAllocation,
            details: None,
            at: Timestamp::parse("2026-03-01T10:00:00Z").unwrap(),
        };
        let rows = entries(
            &[mv("C", dec!(-10)), mv("A", dec!(-40)), mv("B", dec!(-100))],
            &ctx,
        );
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.entry_type == LedgerType::Deduct
            && r.order_id.as_deref() == Some("ORD-000001")
            && r.actor_id.as_deref() == Some("WH-007")
            && r.reason.as_deref() == Some("ORDER_ALLOCATION")
            && r.product_id == "X"));
        assert_eq!(rows[0].qty, dec!(10));
        assert_eq!(rows[0].signed_qty, Some(dec!(-10)));
        assert_eq!(rows[2].batch_number.as_deref(), Some("B"));
        assert_eq!(net_change(&rows), dec!(-150));
    }

    #[test]
    fn restore_rows_carry_the_order_and_are_positive() {
        let ctx = LedgerContext {
            order_id: Some("ORD-000001"),
            actor_id: "CC-1",
            reason: LedgerReason::OrderRelease,
            details: Some("Cancelled: customer request"),
            at: Timestamp::parse("2026-03-02T10:00:00Z").unwrap(),
        };
        let rows = entries(&[mv("C", dec!(10)), mv("A", dec!(0))], &ctx);
        assert_eq!(rows.len(), 1, "zero moves write nothing");
        assert_eq!(rows[0].entry_type, LedgerType::Restore);
        assert_eq!(rows[0].order_id.as_deref(), Some("ORD-000001"));
        assert_eq!(net_change(&rows), dec!(10));
    }

    #[test]
    fn legacy_rows_are_signed_by_type() {
        let legacy: StockLedgerEntry = serde_json::from_value(serde_json::json!({
            "timestamp": "2026-01-01T00:00:00.000Z", "productId": "X",
            "type": "DEDUCT", "qty": 60
        }))
        .unwrap();
        assert_eq!(net_change(&[legacy]), dec!(-60));
    }
}
