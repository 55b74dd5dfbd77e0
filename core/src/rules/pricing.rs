//! Order pricing: base and applied rates, per-line GST from the product's own rate, order
//! totals, and the CGST+SGST / IGST split by place of supply (domain.md §2.6).
//!
//! What changes from the legacy system, and why:
//! * tax is computed **per line from the product's GST rate**
//!   (`lineTax = round2(rate × qty × gst / 100)`), not a flat 18 % (D-L7): most seafood is 5 %,
//!   so the old figure overstated tax (₹500.66 instead of ₹139.07 in the §2.6 example);
//! * the server computes every total; the client's figures are never trusted (D-S5);
//! * clearance and bulk lines go through the same rule (they used to carry no GST at all);
//! * `boxCount` is a **packaging count** (how many boxes the quantity ships in), never a
//!   price multiplier: the stored legacy totals ignored it, only the booking screen multiplied
//!   (D-L8), so keeping it out of the value keeps old totals and new totals comparable;
//! * the invoice split follows the place of supply: CGST + SGST (half each) within the
//!   supplier's state, IGST across states (the legacy split was always CGST + SGST).
//!
//! Distributor prices: `billingRate` is data from the price list, never derived from MRP and
//! margins — the template's own sample (MRP 220 → 116.29) matches no known chain (§2.14).

use crate::model::order::{Order, OrderItem};
use crate::model::product::Product;
use crate::types::{Money, Percent, Quantity};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The booking base rate: the first positive of the candidates in order of precedence
/// (`price`, then the older `baseRate`, then `mrp`), else 0 (FE rule of §2.6).
pub fn base_rate<I>(candidates: I) -> Money
where
    I: IntoIterator<Item = Option<Money>>,
{
    candidates
        .into_iter()
        .flatten()
        .find(|m| m.is_positive())
        .unwrap_or(Money::ZERO)
}

/// [`base_rate`] of a product: `price`, else `baseRate`, else `mrp` (agrees with
/// `Product::base_rate`).
pub fn product_base_rate(p: &Product) -> Money {
    base_rate([p.price, p.base_rate, p.mrp])
}

/// The rate a line is booked at: the customer's last rate for the SKU when positive,
/// else the base rate.
pub fn applied_rate(last_rate: Option<Money>, base: Money) -> Money {
    last_rate.filter(|r| r.is_positive()).unwrap_or(base)
}

/// One line to price. `rate` is the applied rate per unit ex-GST; `gst_rate` is the
/// product's own rate (a product without one is priced at 0 % and should be fixed in the
/// master data — the API can refuse such lines; this rule does not guess 18 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineInput {
    pub quantity: Quantity,
    pub rate: Money,
    pub gst_rate: Percent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PricedLine {
    /// `round2(rate × qty)`
    pub value: Money,
    pub gst_rate: Percent,
    /// `round2(rate × qty × gst / 100)`
    pub tax: Money,
    pub total: Money,
}

/// Line value and tax.
pub fn price_line(line: &LineInput) -> PricedLine {
    let raw = line.rate * line.quantity.value();
    let value = raw.round2();
    let tax = (raw * line.gst_rate.fraction()).round2();
    PricedLine {
        value,
        gst_rate: line.gst_rate,
        tax,
        total: value + tax,
    }
}

/// Whether the supply is within the supplier's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SupplyKind {
    IntraState,
    InterState,
}

/// GST state codes with their names and the usual abbreviations (CBIC list).
const STATES: &[(u8, &str, &str)] = &[
    (1, "jammu and kashmir", "jk"),
    (2, "himachal pradesh", "hp"),
    (3, "punjab", "pb"),
    (4, "chandigarh", "ch"),
    (5, "uttarakhand", "uk"),
    (6, "haryana", "hr"),
    (7, "delhi", "dl"),
    (8, "rajasthan", "rj"),
    (9, "uttar pradesh", "up"),
    (10, "bihar", "br"),
    (11, "sikkim", "sk"),
    (12, "arunachal pradesh", "ar"),
    (13, "nagaland", "nl"),
    (14, "manipur", "mn"),
    (15, "mizoram", "mz"),
    (16, "tripura", "tr"),
    (17, "meghalaya", "ml"),
    (18, "assam", "as"),
    (19, "west bengal", "wb"),
    (20, "jharkhand", "jh"),
    (21, "odisha", "od"),
    (22, "chhattisgarh", "cg"),
    (23, "madhya pradesh", "mp"),
    (24, "gujarat", "gj"),
    (26, "dadra and nagar haveli and daman and diu", "dn"),
    (27, "maharashtra", "mh"),
    (29, "karnataka", "ka"),
    (30, "goa", "ga"),
    (31, "lakshadweep", "ld"),
    (32, "kerala", "kl"),
    (33, "tamil nadu", "tn"),
    (34, "puducherry", "py"),
    (35, "andaman and nicobar islands", "an"),
    (36, "telangana", "ts"),
    (37, "andhra pradesh", "ap"),
    (38, "ladakh", "la"),
];

/// Common alternative spellings seen in address data.
const STATE_ALIASES: &[(&str, u8)] = &[
    ("new delhi", 7),
    ("nct of delhi", 7),
    ("orissa", 21),
    ("pondicherry", 34),
    ("bombay", 27),
    ("tg", 36),
    ("j&k", 1),
    ("jammu & kashmir", 1),
    ("andaman & nicobar islands", 35),
];

/// The GST state code of a state name, abbreviation or 2-digit code, compared
/// case-insensitively with spacing normalised. `None` for anything unrecognised.
pub fn state_code(s: &str) -> Option<u8> {
    let norm = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if norm.is_empty() {
        return None;
    }
    if let Ok(n) = norm.parse::<u8>() {
        return STATES.iter().find(|(c, _, _)| *c == n).map(|(c, _, _)| *c);
    }
    STATES
        .iter()
        .find(|(_, name, abbr)| *name == norm || *abbr == norm)
        .map(|(c, _, _)| *c)
        .or_else(|| {
            STATE_ALIASES
                .iter()
                .find(|(a, _)| *a == norm)
                .map(|(_, c)| *c)
        })
}

/// The state code of a GSTIN (its first two digits), when it looks like one.
pub fn state_code_from_gstin(gstin: &str) -> Option<u8> {
    let g = gstin.trim();
    if g.len() != 15 {
        return None;
    }
    state_code(g.get(0..2)?)
}

/// Intra- or inter-state supply. States are compared by GST state code when both are
/// recognised, else as case-insensitive text.
///
/// Decision: an unknown (missing or blank) place of supply counts as **intra-state**. That is
/// what every legacy invoice did, and most sales ship within the supplier's state; the
/// invoice step should capture the place of supply before finalising so the default is
/// only ever used for estimates.
pub fn supply_kind(supplier_state: &str, place_of_supply: Option<&str>) -> SupplyKind {
    let Some(place) = place_of_supply.filter(|p| !p.trim().is_empty()) else {
        return SupplyKind::IntraState;
    };
    let same = match (state_code(supplier_state), state_code(place)) {
        (Some(a), Some(b)) => a == b,
        _ => {
            let n = |s: &str| {
                s.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            };
            n(supplier_state) == n(place)
        }
    };
    if same {
        SupplyKind::IntraState
    } else {
        SupplyKind::InterState
    }
}

/// The tax split shown on the invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxSplit {
    pub cgst: Money,
    pub sgst: Money,
    pub igst: Money,
}

/// Splits a (rounded) tax amount. Intra-state: CGST = round2(tax / 2), SGST = the rest, so
/// the halves always add back to the tax (an odd paisa goes to CGST). Inter-state: all IGST.
pub fn split_tax(tax: Money, kind: SupplyKind) -> TaxSplit {
    match kind {
        SupplyKind::IntraState => {
            let cgst = (tax * Decimal::new(5, 1)).round2();
            TaxSplit {
                cgst,
                sgst: tax - cgst,
                igst: Money::ZERO,
            }
        }
        SupplyKind::InterState => TaxSplit {
            cgst: Money::ZERO,
            sgst: Money::ZERO,
            igst: tax,
        },
    }
}

/// Server-computed order totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPricing {
    pub lines: Vec<PricedLine>,
    pub sub_total: Money,
    pub gst_amount: Money,
    pub total: Money,
    pub supply: SupplyKind,
    pub tax_split: TaxSplit,
}

/// Prices an order (normal, clearance or bulk alike): subTotal = Σ line values,
/// gstAmount = Σ line taxes, total = subTotal + gstAmount, split by place of supply.
/// Example (§2.6): 10 × 220.00 + 5 × 116.29 at 5 % → 2,781.45 + 139.07 = 2,920.52.
pub fn price_order(lines: &[LineInput], supply: SupplyKind) -> OrderPricing {
    let lines: Vec<PricedLine> = lines.iter().map(price_line).collect();
    let sub_total: Money = lines.iter().map(|l| l.value).sum();
    let gst_amount: Money = lines.iter().map(|l| l.tax).sum();
    OrderPricing {
        sub_total,
        gst_amount,
        total: sub_total + gst_amount,
        supply,
        tax_split: split_tax(gst_amount, supply),
        lines,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// The line carries no GST rate. The booking step copies the product's rate onto the
    /// line; a product without one must be fixed in the master data rather than guessed.
    #[error("line {line} ({product_id}) has no GST rate")]
    MissingGstRate { line: usize, product_id: String },
}

/// The pricing inputs of stored order lines (`price` = applied rate, `gstRate` copied from
/// the product at booking). `boxCount` is not read: it is a packaging count.
pub fn line_inputs(items: &[OrderItem]) -> Result<Vec<LineInput>, PricingError> {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            Ok(LineInput {
                quantity: it.quantity,
                rate: it.price,
                gst_rate: it.gst_rate.ok_or_else(|| PricingError::MissingGstRate {
                    line: i,
                    product_id: it.product_id.clone(),
                })?,
            })
        })
        .collect()
}

/// Prices an order's lines for the place of supply on the order, from the supplier's state.
pub fn price_items(order: &Order, supplier_state: &str) -> Result<OrderPricing, PricingError> {
    let lines = line_inputs(&order.items)?;
    Ok(price_order(
        &lines,
        supply_kind(supplier_state, order.place_of_supply.as_deref()),
    ))
}

/// Writes server-computed figures onto the order and its lines (the client's are ignored).
pub fn apply_pricing(order: &mut Order, pricing: &OrderPricing) {
    for (item, line) in order.items.iter_mut().zip(&pricing.lines) {
        item.total = Some(line.value);
        item.tax_amount = Some(line.tax);
    }
    order.sub_total = pricing.sub_total;
    order.gst_amount = pricing.gst_amount;
    order.total = pricing.total;
    order.cgst = pricing.tax_split.cgst;
    order.sgst = pricing.tax_split.sgst;
    order.igst = pricing.tax_split.igst;
}

/// What the legacy client did: a flat 18 % on the subtotal, whatever the products' rates.
/// Only for reconciling old orders (reports, migration checks); never for new orders.
pub fn legacy_flat_gst(sub_total: Money) -> (Money, Money) {
    let gst = (sub_total * Decimal::new(18, 2)).round2();
    (gst, sub_total + gst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn m(d: Decimal) -> Money {
        Money::new(d)
    }
    fn pct(d: Decimal) -> Percent {
        Percent::new(d).unwrap()
    }
    fn example_lines(gst: Decimal) -> [LineInput; 2] {
        [
            LineInput {
                quantity: Quantity::from_int(10),
                rate: m(dec!(220.00)),
                gst_rate: pct(gst),
            },
            LineInput {
                quantity: Quantity::from_int(5),
                rate: m(dec!(116.29)),
                gst_rate: pct(gst),
            },
        ]
    }

    #[test]
    fn example_2_6_subtotal_2781_45_and_tax_139_07_at_5_pct() {
        let p = price_order(&example_lines(dec!(5)), SupplyKind::IntraState);
        assert_eq!(p.lines[0].value, m(dec!(2200.00)));
        assert_eq!(p.lines[1].value, m(dec!(581.45)));
        assert_eq!(p.sub_total, m(dec!(2781.45)));
        assert_eq!(p.lines[0].tax, m(dec!(110.00)));
        assert_eq!(p.lines[1].tax, m(dec!(29.07)));
        assert_eq!(p.gst_amount, m(dec!(139.07)));
        assert_eq!(p.total, m(dec!(2920.52)));
        assert_eq!(p.tax_split.cgst, m(dec!(69.54)));
        assert_eq!(p.tax_split.sgst, m(dec!(69.53)));
        assert_eq!(p.tax_split.igst, Money::ZERO);
    }

    #[test]
    fn example_2_6_inter_state_is_all_igst() {
        let kind = supply_kind("Maharashtra", Some("Karnataka"));
        assert_eq!(kind, SupplyKind::InterState);
        let p = price_order(&example_lines(dec!(5)), kind);
        assert_eq!(
            p.tax_split,
            TaxSplit {
                cgst: Money::ZERO,
                sgst: Money::ZERO,
                igst: m(dec!(139.07))
            }
        );
    }

    #[test]
    fn example_2_6_legacy_flat_18_pct_was_500_66() {
        let (gst, total) = legacy_flat_gst(m(dec!(2781.45)));
        assert_eq!(gst, m(dec!(500.66)));
        assert_eq!(total, m(dec!(3282.11)));
        // The overstatement the rewrite removes: 3,282.11 − (2,781.45 + 139.07).
        assert_eq!(total - m(dec!(2920.52)), m(dec!(361.59)));
    }

    #[test]
    fn mixed_rates_tax_each_line_at_its_own_rate() {
        let lines = [
            LineInput {
                quantity: Quantity::from_int(10),
                rate: m(dec!(220)),
                gst_rate: pct(dec!(5)),
            },
            LineInput {
                quantity: Quantity::from_int(5),
                rate: m(dec!(116.29)),
                gst_rate: pct(dec!(18)),
            },
        ];
        let p = price_order(&lines, SupplyKind::IntraState);
        // 110.00 + round2(581.45 × 0.18 = 104.661) = 214.66
        assert_eq!(p.gst_amount, m(dec!(214.66)));
    }

    #[test]
    fn clearance_lines_carry_gst_like_any_other() {
        // A clearance line at a proposed rate of 150 for 4 units of a 5 % product.
        let p = price_order(
            &[LineInput {
                quantity: Quantity::from_int(4),
                rate: m(dec!(150)),
                gst_rate: pct(dec!(5)),
            }],
            SupplyKind::IntraState,
        );
        assert_eq!(p.sub_total, m(dec!(600)));
        assert_eq!(p.gst_amount, m(dec!(30)));
        assert_eq!(p.total, m(dec!(630)));
    }

    #[test]
    fn base_and_applied_rates() {
        assert_eq!(
            base_rate([Some(m(dec!(220))), Some(m(dec!(250)))]),
            m(dec!(220))
        );
        assert_eq!(
            base_rate([Some(Money::ZERO), None, Some(m(dec!(250)))]),
            m(dec!(250))
        );
        assert_eq!(base_rate([None, None]), Money::ZERO);
        assert_eq!(applied_rate(Some(m(dec!(210))), m(dec!(220))), m(dec!(210)));
        assert_eq!(applied_rate(Some(Money::ZERO), m(dec!(220))), m(dec!(220)));
        assert_eq!(applied_rate(None, m(dec!(220))), m(dec!(220)));
    }

    #[test]
    fn state_matching_is_case_insensitive_and_knows_codes() {
        use SupplyKind::{InterState as Inter, IntraState as Intra};
        // (seller's state, place of supply, the kind of supply)
        for (ours, theirs, want) in [
            ("Maharashtra", Some("  MAHARASHTRA "), Intra),
            ("Maharashtra", Some("27"), Intra),
            ("MH", Some("maharashtra"), Intra),
            ("Tamil Nadu", Some("tamil  nadu"), Intra),
            ("Delhi", Some("New Delhi"), Intra),
            ("Maharashtra", Some("29"), Inter),
            ("Maharashtra", None, Intra),
            ("Maharashtra", Some(" "), Intra),
            // Unrecognised names still compare as text.
            ("Atlantis", Some("atlantis"), Intra),
            ("Atlantis", Some("Lemuria"), Inter),
        ] {
            assert_eq!(supply_kind(ours, theirs), want, "{ours} / {theirs:?}");
        }
        assert_eq!(state_code_from_gstin("27AAAAA0000A1Z5"), Some(27));
        assert_eq!(state_code_from_gstin("27AAA"), None);
    }

    #[test]
    fn box_count_is_not_a_multiplier() {
        // The line value depends only on quantity and rate; there is no box-count input.
        let l = price_line(&LineInput {
            quantity: Quantity::from_int(10),
            rate: m(dec!(220)),
            gst_rate: pct(dec!(5)),
        });
        assert_eq!(l.value, m(dec!(2200)));
    }

    #[test]
    fn example_2_6_priced_on_a_stored_order() {
        let mut order: Order = serde_json::from_value(serde_json::json!({
            "id": "ORD-000001", "customerId": "CUST-1", "placeOfSupply": "Karnataka",
            "items": [
                {"productId": "P1", "quantity": 10, "price": 220, "gstRate": 5, "boxCount": 2},
                {"productId": "P2", "quantity": 5, "price": 116.29, "gstRate": 5, "boxCount": 1}
            ],
            "total": 3282.11
        }))
        .unwrap();
        let p = price_items(&order, "Karnataka").unwrap();
        apply_pricing(&mut order, &p);
        assert_eq!(
            order.sub_total,
            m(dec!(2781.45)),
            "boxCount 2 does not multiply"
        );
        assert_eq!(order.gst_amount, m(dec!(139.07)));
        assert_eq!(order.total, m(dec!(2920.52)));
        assert_eq!(
            (order.cgst, order.sgst, order.igst),
            (m(dec!(69.54)), m(dec!(69.53)), Money::ZERO)
        );
        assert_eq!(order.items[1].tax_amount, Some(m(dec!(29.07))));
        let inter = price_items(&order, "Maharashtra").unwrap();
        assert_eq!(inter.tax_split.igst, m(dec!(139.07)));
        order.items[0].gst_rate = None;
        assert_eq!(
            price_items(&order, "Karnataka"),
            Err(PricingError::MissingGstRate {
                line: 0,
                product_id: "P1".into()
            })
        );
    }

    #[test]
    fn product_base_rate_matches_the_model() {
        let mut p = Product::new("SKU-1", "Seer fish steaks");
        p.mrp = Some(m(dec!(250)));
        assert_eq!(product_base_rate(&p), m(dec!(250)));
        p.base_rate = Some(m(dec!(230)));
        p.price = Some(Money::ZERO);
        assert_eq!(product_base_rate(&p), m(dec!(230)));
        assert_eq!(product_base_rate(&p), p.base_rate());
    }

    proptest! {
        #[test]
        fn split_halves_add_back(paise in 0i64..10_000_000) {
            let tax = Money::new(Decimal::new(paise, 2));
            let s = split_tax(tax, SupplyKind::IntraState);
            prop_assert_eq!(s.cgst + s.sgst, tax);
            prop_assert!((s.cgst - s.sgst).amount().abs() <= dec!(0.01));
        }

        #[test]
        fn totals_are_sums(qs in proptest::collection::vec((1u64..1000, 1i64..1_000_000, 0usize..4), 1..8)) {
            let rates = [dec!(0), dec!(5), dec!(12), dec!(18)];
            let lines: Vec<LineInput> = qs.iter().map(|(q, r, g)| LineInput {
                quantity: Quantity::from_int(*q),
                rate: Money::new(Decimal::new(*r, 2)),
                gst_rate: pct(rates[*g]),
            }).collect();
            let p = price_order(&lines, SupplyKind::IntraState);
            prop_assert_eq!(p.total, p.sub_total + p.gst_amount);
            prop_assert_eq!(p.tax_split.cgst + p.tax_split.sgst, p.gst_amount);
            prop_assert!(!p.gst_amount.is_negative());
        }
    }
}
