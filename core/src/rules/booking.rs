//! Booking a sales order: the line checks, the line shape and the new order's fields that
//! every channel shares — the API's `POST /api/orders` and the bulk-order import build
//! orders with these functions, so an imported order is priced, taxed and stamped exactly
//! like one booked on screen (domain.md §2.6, §3.7 first row).
//!
//! Why one place: the legacy bulk upload had its own rules (no GST, its own rate fallback,
//! one order per row, §2.7), and its orders disagreed with app orders in every total.
//!
//! Pure functions over model values: the callers look customers, products and last rates
//! up, and map [`BookingError`] to their own error shape (a 422 in the API, a rejected row
//! in an import).

use super::lifecycle::Outcome;
use super::pricing::{self, PricingError};
use crate::model::order::{OrderItem, OrderSource, OrderType, StatusChange};
use crate::model::{Customer, Order, Product};
use crate::types::{Money, Quantity, Timestamp};
use rust_decimal::Decimal;

/// The supplier's home state, used for the GST split before a warehouse is chosen (the head
/// office and the main cold store are in Mumbai; the seed data uses the same value).
pub const HOME_STATE: &str = "Maharashtra";

/// Most lines one order may carry (a guard against oversized documents).
pub const MAX_LINES: usize = 200;

/// Largest quantity on one line.
pub const MAX_QTY: i64 = 10_000_000;

/// Smallest quantity on one line: a gram of a KG line (finer amounts would book nothing
/// anyone can pick, and come only from float noise).
pub const MIN_QTY: Decimal = Decimal::from_parts(1, 0, 0, false, 3);

/// Largest rate per unit (₹1 crore): far above any product, and a clear 422 instead of an
/// overflow further on.
pub const MAX_RATE: i64 = 10_000_000;

/// Smallest rate per unit: one paisa (rates are rounded to the paisa, so less would book
/// the line at ₹0).
pub const MIN_RATE: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// Why a line or an order cannot be booked. `line` is the 0-based index in the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    #[error("line {line}: quantity {quantity} is too large")]
    QuantityTooLarge { line: usize, quantity: Decimal },
    #[error("line {line}: quantity must be greater than 0 (at least 0.001)")]
    QuantityNotPositive { line: usize },
    #[error("line {line}: the rate must be from ₹0.01 to ₹{MAX_RATE}")]
    RateNotPositive { line: usize },
    #[error("line {line}: product {product_id} is no longer sold")]
    ProductInactive { line: usize, product_id: String },
    #[error("line {line}: product {product_id} has no GST rate in the master data")]
    MissingGstRate { line: usize, product_id: String },
    #[error("line {line}: product {product_id} has no base rate and no earlier rate; give a price")]
    NoPrice { line: usize, product_id: String },
    #[error("line {line}: boxCount must be from 0 to {MAX_QTY}")]
    NegativeBoxCount { line: usize },
    #[error("An order needs between 1 and {MAX_LINES} lines")]
    LineCount { lines: usize },
}

impl BookingError {
    /// The stable public code (the API's error code; the import's reason prefix).
    pub fn code(&self) -> &'static str {
        match self {
            BookingError::QuantityTooLarge { .. } | BookingError::QuantityNotPositive { .. } => {
                "INVALID_QUANTITY"
            }
            BookingError::RateNotPositive { .. } => "INVALID_PRICE",
            BookingError::ProductInactive { .. } => "PRODUCT_INACTIVE",
            BookingError::MissingGstRate { .. } => "MISSING_GST_RATE",
            BookingError::NoPrice { .. } => "NO_PRICE",
            BookingError::NegativeBoxCount { .. } => "INVALID_BOX_COUNT",
            BookingError::LineCount { .. } => "INVALID_ITEMS",
        }
    }

    /// The line the error is about, when it is about one.
    pub fn line(&self) -> Option<usize> {
        match self {
            BookingError::QuantityTooLarge { line, .. }
            | BookingError::QuantityNotPositive { line }
            | BookingError::RateNotPositive { line }
            | BookingError::ProductInactive { line, .. }
            | BookingError::MissingGstRate { line, .. }
            | BookingError::NoPrice { line, .. }
            | BookingError::NegativeBoxCount { line } => Some(*line),
            BookingError::LineCount { .. } => None,
        }
    }
}

/// A positive quantity of sensible size.
pub fn quantity(line: usize, q: Decimal) -> Result<Quantity, BookingError> {
    if q > Decimal::from(MAX_QTY) {
        return Err(BookingError::QuantityTooLarge { line, quantity: q });
    }
    if q < MIN_QTY {
        return Err(BookingError::QuantityNotPositive { line });
    }
    Quantity::positive(q).map_err(|_| BookingError::QuantityNotPositive { line })
}

/// A rate that is given must be positive; rounded to the paisa.
pub fn rate(line: usize, r: Decimal) -> Result<Money, BookingError> {
    if r < MIN_RATE || r > Decimal::from(MAX_RATE) {
        return Err(BookingError::RateNotPositive { line });
    }
    Ok(Money::new(r).round2())
}

/// Only active products are sold.
pub fn sellable(line: usize, product: &Product) -> Result<(), BookingError> {
    if product.is_active {
        Ok(())
    } else {
        Err(BookingError::ProductInactive {
            line,
            product_id: product.id.clone(),
        })
    }
}

/// The rate a line is booked at: the negotiated rate when given, else the customer's last
/// rate for the SKU, else the product's base rate; a line that ends up with no positive
/// rate is refused rather than booked free.
pub fn line_rate(
    line: usize,
    product: &Product,
    negotiated: Option<Money>,
    last: Option<Money>,
) -> Result<Money, BookingError> {
    let price = negotiated
        .unwrap_or_else(|| pricing::applied_rate(last, pricing::product_base_rate(product)));
    if price.is_positive() {
        Ok(price)
    } else {
        Err(BookingError::NoPrice {
            line,
            product_id: product.id.clone(),
        })
    }
}

/// A line for `product`, GST rate copied from the product (required: a product without one
/// is fixed in the master data, never guessed at 18 %). Values are filled by pricing.
pub fn item_for(
    line: usize,
    product: &Product,
    qty: Quantity,
    price: Money,
    prev_rate: Money,
) -> Result<OrderItem, BookingError> {
    let gst = product.gst.ok_or_else(|| BookingError::MissingGstRate {
        line,
        product_id: product.id.clone(),
    })?;
    Ok(OrderItem {
        product_id: product.id.clone(),
        product_name: Some(product.name.clone()),
        sku_code: Some(product.sku().to_string()),
        quantity: qty,
        price,
        barcode: product.barcode.clone(),
        unit: product.unit.clone(),
        box_count: Decimal::ZERO,
        base_rate: Some(product.base_rate()),
        prev_rate,
        image_url: product.image_url.clone(),
        gst_rate: Some(gst),
        total: None,
        tax_amount: None,
        batch_number: None,
        allocated_batches: Vec::new(),
        packed_quantity: None,
        delivered_quantity: None,
        remarks: None,
    })
}

/// Between 1 and [`MAX_LINES`] lines.
pub fn line_count(lines: usize) -> Result<(), BookingError> {
    if lines == 0 || lines > MAX_LINES {
        Err(BookingError::LineCount { lines })
    } else {
        Ok(())
    }
}

/// What a new sales order is made of; the caller has checked the customer, built the
/// lines and asked the lifecycle (`lifecycle::create`) for the initial status.
#[derive(Debug, Clone)]
pub struct SalesBooking<'a> {
    pub customer: &'a Customer,
    pub items: Vec<OrderItem>,
    /// The lifecycle's answer for the booker: initial status, step and actor.
    pub outcome: &'a Outcome,
    pub salesperson_name: Option<String>,
    pub source: OrderSource,
    pub remarks: Option<String>,
    /// Default: the customer's type.
    pub partner_type: Option<String>,
    /// Default: the customer's region.
    pub place_of_supply: Option<String>,
    pub now: Timestamp,
}

/// The new order (id left empty for the caller's id allocation): status and first history
/// entry from the lifecycle, the booker as salesperson (the legacy server forced the
/// caller's id too, domain.md §1.4), and every total computed here for the home state.
pub fn sales_order(b: SalesBooking<'_>) -> Result<Order, PricingError> {
    let mut order = Order::new("", b.customer.id.clone());
    order.order_type = OrderType::Sales;
    order.source = b.source;
    order.is_bulk_upload = b.source == OrderSource::Bulk;
    order.customer_name = Some(b.customer.name.clone());
    order.items = b.items;
    order.status = b.outcome.to;
    order.salesperson_id = Some(b.outcome.actor_id.clone());
    order.salesperson_name = b.salesperson_name;
    order.remarks = b.remarks;
    order.partner_type = b.partner_type.or_else(|| b.customer.customer_type.clone());
    order.place_of_supply = b.place_of_supply.or_else(|| b.customer.region.clone());
    order.created_at = Some(b.now);
    order.updated_at = Some(b.now);
    order.status_history.push(StatusChange {
        status: b.outcome.to.as_str().to_string(),
        timestamp: b.now,
        from: None,
        step: Some(b.outcome.step.to_string()),
        actor_id: Some(b.outcome.actor_id.clone()),
        actor_role: Some(b.outcome.actor_role.as_str().to_string()),
        reason: None,
        data: None,
    });
    let priced = pricing::price_items(&order, HOME_STATE)?;
    pricing::apply_pricing(&mut order, &priced);
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{ActorContext, Role};
    use crate::model::OrderStatus;
    use crate::rules::lifecycle;
    use crate::types::Percent;
    use rust_decimal_macros::dec;

    fn product(id: &str, price: Decimal, gst: Decimal) -> Product {
        let mut p = Product::new(id, format!("Product {id}"));
        p.price = Some(Money::new(price));
        p.gst = Some(Percent::new(gst).unwrap());
        p
    }

    #[test]
    fn quantity_and_rate_bounds() {
        assert!(quantity(0, dec!(1)).is_ok());
        assert_eq!(
            quantity(2, dec!(0)),
            Err(BookingError::QuantityNotPositive { line: 2 })
        );
        assert_eq!(
            quantity(1, dec!(10000001)).unwrap_err().code(),
            "INVALID_QUANTITY"
        );
        assert_eq!(rate(0, dec!(116.294)).unwrap(), Money::new(dec!(116.29)));
        assert_eq!(rate(3, dec!(0)).unwrap_err().line(), Some(3));
    }

    #[test]
    fn rate_precedence_negotiated_then_last_then_base() {
        let p = product("P1", dec!(220), dec!(5));
        let m = |d| Some(Money::new(d));
        assert_eq!(
            line_rate(0, &p, m(dec!(200)), m(dec!(210))).unwrap(),
            Money::new(dec!(200))
        );
        assert_eq!(
            line_rate(0, &p, None, m(dec!(210))).unwrap(),
            Money::new(dec!(210))
        );
        assert_eq!(line_rate(0, &p, None, None).unwrap(), Money::new(dec!(220)));
        let free = Product::new("P0", "No price");
        assert_eq!(
            line_rate(4, &free, None, None).unwrap_err().code(),
            "NO_PRICE"
        );
    }

    /// The §2.6 example: 10 × 220.00 + 5 × 116.29 at 5 % → 2,781.45 + 139.07 = 2,920.52,
    /// split CGST/SGST for a Maharashtra customer and IGST for a Karnataka one.
    #[test]
    fn sales_order_is_priced_and_stamped_like_the_api() {
        let a = product("P1", dec!(220), dec!(5));
        let b = product("P2", dec!(116.29), dec!(5));
        let items = vec![
            item_for(
                0,
                &a,
                quantity(0, dec!(10)).unwrap(),
                a.base_rate(),
                Money::ZERO,
            )
            .unwrap(),
            item_for(
                1,
                &b,
                quantity(1, dec!(5)).unwrap(),
                b.base_rate(),
                Money::ZERO,
            )
            .unwrap(),
        ];
        let actor = ActorContext::with_role("SALES-1", Role::Sales);
        let outcome = lifecycle::create(OrderType::Sales, &actor).unwrap();
        let mut customer = Customer::new("CUST-1", "Fresh Mart");
        customer.region = Some("Karnataka".into());
        let now = Timestamp::now();
        let order = sales_order(SalesBooking {
            customer: &customer,
            items: items.clone(),
            outcome: &outcome,
            salesperson_name: Some("Asha".into()),
            source: OrderSource::Bulk,
            remarks: None,
            partner_type: None,
            place_of_supply: None,
            now,
        })
        .unwrap();
        assert_eq!(order.status, OrderStatus::PendingCreditApproval);
        assert!(order.is_bulk_upload);
        assert_eq!(order.salesperson_id.as_deref(), Some("SALES-1"));
        assert_eq!(order.sub_total, Money::new(dec!(2781.45)));
        assert_eq!(order.gst_amount, Money::new(dec!(139.07)));
        assert_eq!(order.total, Money::new(dec!(2920.52)));
        assert_eq!(order.igst, Money::new(dec!(139.07)));
        assert_eq!(order.status_history.len(), 1);
        assert_eq!(order.status_history[0].step.as_deref(), Some("create"));

        customer.region = Some("Maharashtra".into());
        let local = sales_order(SalesBooking {
            customer: &customer,
            items,
            outcome: &outcome,
            salesperson_name: None,
            source: OrderSource::App,
            remarks: None,
            partner_type: None,
            place_of_supply: None,
            now,
        })
        .unwrap();
        assert!(!local.is_bulk_upload);
        assert_eq!(local.cgst + local.sgst, Money::new(dec!(139.07)));
        assert_eq!(local.igst, Money::ZERO);
    }

    #[test]
    fn products_without_gst_or_inactive_are_refused() {
        let mut p = Product::new("P9", "No GST");
        p.price = Some(Money::new(dec!(10)));
        let q = quantity(0, dec!(1)).unwrap();
        assert_eq!(
            item_for(0, &p, q, Money::new(dec!(10)), Money::ZERO)
                .unwrap_err()
                .code(),
            "MISSING_GST_RATE"
        );
        p.is_active = false;
        assert_eq!(sellable(5, &p).unwrap_err().line(), Some(5));
        assert!(line_count(0).is_err() && line_count(MAX_LINES + 1).is_err());
        assert!(line_count(MAX_LINES).is_ok());
    }
}
