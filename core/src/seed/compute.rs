//! The computed figures of the demo data, from the business rules: PMS scores
//! ([`rules::pms`]), order totals with per-line GST and the CGST/SGST or IGST split
//! ([`rules::pricing`]), product stock ([`rules::stock`]) and logistics cost
//! ([`rules::logistics_cost`]). The seed stores what the
//! rules compute, so nothing it writes is stale (unlike the legacy seed's admin record,
//! domain.md §2.11).

use crate::model::order::CostBreakdown;
use crate::model::{Order, PerformanceRecord, Product};
use crate::rules::logistics_cost::{AncillaryCostInput, CostAssessment};
use crate::rules::{self, pms::PmsPolicy, pricing::LineInput};
use crate::types::Percent;

/// Scores every KRA, the total, the incentive percentage and amount, in place, under the
/// current policy (the record keeps the policy version).
pub(crate) fn score(r: &mut PerformanceRecord) {
    rules::pms::score_record(&PmsPolicy::default(), r).apply_to(r);
}

/// Prices every line with its own GST rate and sets the order totals and the tax split
/// (intra-state CGST + SGST when the supplier's state is the place of supply, else IGST).
pub(crate) fn price(o: &mut Order, supplier_state: &str) {
    let lines: Vec<LineInput> = o
        .items
        .iter()
        .map(|i| LineInput {
            quantity: i.quantity,
            rate: i.price,
            gst_rate: i.gst_rate.unwrap_or(Percent::ZERO),
        })
        .collect();
    let supply = rules::pricing::supply_kind(supplier_state, o.place_of_supply.as_deref());
    let priced = rules::pricing::price_order(&lines, supply);
    rules::pricing::apply_pricing(o, &priced);
}

/// Sets the product's stock to Σ quantity of its active batches (§2.1).
pub(crate) fn sync_stock(p: &mut Product) {
    rules::stock::sync_stock(p);
}

/// Thermacol, dry ice and transport legs (§2.9), and their ratio against the order's packed
/// value with the 15 % high-cost flag: the breakdown the order stores and the assessment.
pub(crate) fn logistics_cost(
    o: &Order,
    input: &AncillaryCostInput,
) -> (CostBreakdown, CostAssessment) {
    rules::logistics_cost::cost_step(o, input)
}
