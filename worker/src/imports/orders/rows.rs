//! One row of the bulk-order sheet (api.md §5.4.4 plus the optional "Order Ref"), read and
//! checked against the preloaded customers and products.
//!
//! Rate sanity ([`RATE_BAND`]): a given Applied Rate must be positive and, when the product
//! has a base rate, within a factor of 10 of it either way. Outside that band the figure is
//! almost always a slip — a per-kg rate typed on a per-box SKU, a missing decimal point, or
//! paise typed as rupees — and an order priced 10× off would go to credit approval looking
//! normal. Real negotiated discounts and premiums sit well inside the band. A product without
//! a base rate accepts any positive rate.

use super::super::cells::{self, CellIssue};
use super::super::sheet::{Column, Layout, Row};
use super::catalog::Catalog;
use nexus_core::model::{Customer, Product};
use nexus_core::rules::booking::{self, BookingError};
use nexus_core::types::{Money, Quantity};
use rust_decimal::Decimal;

/// How far (as a factor either way) an Applied Rate may stray from the base rate.
pub const RATE_BAND: i64 = 10;

pub(crate) const LAYOUT: Layout = Layout {
    what: "bulk order",
    sheet_names: &["Bulk Orders"],
    columns: &[
        Column::required(
            "customer",
            "Customer ID",
            &["CustomerID", "Customer Code", "Cust ID"],
        ),
        Column::required(
            "sku",
            "SKU Code",
            &[
                "SKU",
                "SKUCode",
                "Product Code",
                "ProductCode",
                "Product ID",
                "Material",
            ],
        ),
        Column::required(
            "quantity",
            "Quantity",
            &["Qty", "Order Qty", "Order Quantity"],
        ),
        Column::optional(
            "rate",
            "Applied Rate (Optional)",
            &["Applied Rate", "Rate", "Price", "Negotiated Rate"],
        ),
        Column::optional("remarks", "Remarks (Optional)", &["Remarks", "Remark"]),
        Column::optional(
            "orderRef",
            "Order Ref (Optional)",
            &[
                "Order Ref",
                "Order Reference",
                "Reference",
                "PO Number",
                "PO No",
            ],
        ),
    ],
};

/// A row that parsed; `product` and `customer` are resolved in [`check`].
pub(super) struct Line<'a> {
    pub row: Row<'a>,
    pub customer_id: String,
    pub sku: String,
    pub quantity: Quantity,
    pub rate: Option<Money>,
    pub remarks: Option<String>,
    pub order_ref: Option<String>,
}

fn issue(title: &str, e: CellIssue) -> String {
    format!("{title}: {e}")
}

/// The import's wording of a booking refusal (the rule's own text names an API line index).
pub(super) fn booking_reason(e: &BookingError) -> String {
    match e {
        BookingError::QuantityTooLarge { quantity, .. } => format!(
            "Quantity {quantity} is too large (at most {})",
            booking::MAX_QTY
        ),
        BookingError::QuantityNotPositive { .. } => "Quantity must be greater than 0".into(),
        BookingError::RateNotPositive { .. } => "Applied Rate must be greater than 0".into(),
        BookingError::ProductInactive { product_id, .. } => {
            format!("product {product_id} is inactive (no longer sold)")
        }
        BookingError::MissingGstRate { product_id, .. } => format!(
            "product {product_id} has no GST rate in the material master; fix the master first"
        ),
        BookingError::NoPrice { product_id, .. } => format!(
            "no Applied Rate given, and product {product_id} has no base rate and no earlier \
             rate for this customer; give a rate"
        ),
        other => other.to_string(),
    }
}

/// Reads the row's cells (nothing looked up yet).
pub(super) fn read<'a>(row: Row<'a>) -> Result<Line<'a>, String> {
    let customer_id = cells::code(row.get("customer"))
        .map_err(|e| issue("Customer ID", e))?
        .ok_or("Customer ID is empty")?;
    let sku = cells::code(row.get("sku"))
        .map_err(|e| issue("SKU Code", e))?
        .ok_or("SKU Code is empty")?;
    let qty = cells::number(row.get("quantity"))
        .map_err(|e| issue("Quantity", e))?
        .ok_or("Quantity is empty")?;
    let quantity = booking::quantity(0, qty).map_err(|e| booking_reason(&e))?;
    let rate = cells::number(row.get("rate"))
        .map_err(|e| issue("Applied Rate", e))?
        .map(|r| booking::rate(0, r).map_err(|e| booking_reason(&e)))
        .transpose()?;
    let remarks = cells::text(row.get("remarks")).map_err(|e| issue("Remarks", e))?;
    if remarks.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err("Remarks: longer than 500 characters".into());
    }
    let order_ref = cells::code(row.get("orderRef")).map_err(|e| issue("Order Ref", e))?;
    Ok(Line {
        row,
        customer_id,
        sku,
        quantity,
        rate,
        remarks,
        order_ref,
    })
}

/// Why a customer takes no orders: blocked, or a status that says it is closed.
fn refusal(c: &Customer) -> Option<String> {
    if c.is_blocked {
        return Some(format!(
            "customer {} is blocked; no orders can be booked",
            c.id
        ));
    }
    let status = c.status.as_deref().unwrap_or("Active").trim();
    matches!(
        status.to_ascii_lowercase().as_str(),
        "inactive" | "blocked" | "closed" | "suspended"
    )
    .then(|| format!("customer {} is {status}; no orders can be booked", c.id))
}

/// Checks a line against the master data: customer bookable, product sellable with a GST
/// rate, rate inside the band. Returns the customer and product it books.
pub(super) fn check<'c>(
    line: &Line<'_>,
    catalog: &'c Catalog,
) -> Result<(&'c Customer, &'c Product), String> {
    let customer = catalog
        .customer(&line.customer_id)
        .ok_or_else(|| format!("customer {} does not exist", line.customer_id))?;
    if let Some(r) = refusal(customer) {
        return Err(r);
    }
    let product = catalog
        .product(&line.sku)
        .ok_or_else(|| format!("SKU {} does not exist in the material master", line.sku))?;
    booking::sellable(0, product).map_err(|e| booking_reason(&e))?;
    if product.gst.is_none() {
        return Err(booking_reason(&BookingError::MissingGstRate {
            line: 0,
            product_id: product.id.clone(),
        }));
    }
    if let Some(rate) = line.rate {
        let base = product.base_rate();
        let band = Decimal::from(RATE_BAND);
        if base.is_positive()
            && (rate.amount() > base.amount() * band || rate.amount() * band < base.amount())
        {
            return Err(format!(
                "Applied Rate {rate} is more than {RATE_BAND}× away from the base rate {base} of \
                 SKU {} (a unit or decimal-point slip?); correct it or leave it blank",
                line.sku
            ));
        }
    }
    Ok((customer, product))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_core::types::Percent;
    use rust_decimal_macros::dec;

    #[test]
    fn closed_customers_are_refused() {
        let mut c = Customer::new("C1", "Shop");
        assert!(refusal(&c).is_none());
        c.status = Some("Inactive".into());
        assert!(refusal(&c).unwrap().contains("Inactive"));
        c.status = None;
        c.is_blocked = true;
        assert!(refusal(&c).unwrap().contains("blocked"));
    }

    #[test]
    fn rate_band_catches_slips() {
        let mut p = Product::new("P1", "Prawns");
        p.price = Some(Money::new(dec!(220)));
        p.gst = Some(Percent::new(dec!(5)).unwrap());
        let catalog = Catalog::for_tests(vec![Customer::new("C1", "Shop")], vec![p]);
        let headers = std::collections::HashMap::new();
        let row = Row::for_tests(2, &[], &headers);
        let line = |rate: Option<Decimal>| Line {
            row,
            customer_id: "C1".into(),
            sku: "P1".into(),
            quantity: Quantity::from_int(1),
            rate: rate.map(Money::new),
            remarks: None,
            order_ref: None,
        };
        assert!(check(&line(Some(dec!(200))), &catalog).is_ok());
        assert!(check(&line(None), &catalog).is_ok());
        assert!(check(&line(Some(dec!(2200))), &catalog).is_ok());
        assert!(
            check(&line(Some(dec!(2200.01))), &catalog)
                .unwrap_err()
                .contains("10×")
        );
        assert!(check(&line(Some(dec!(21.99))), &catalog).is_err());
        let unknown = Line {
            sku: "NOPE".into(),
            ..line(None)
        };
        assert!(
            check(&unknown, &catalog)
                .unwrap_err()
                .contains("does not exist")
        );
    }
}
