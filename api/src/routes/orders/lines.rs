//! Order lines from a request, priced on the server (domain.md §2.6, D-L7, 8.2.24): the
//! product is resolved by id or SKU, the rate is the negotiated price when given, else the
//! customer's last rate, else the product's base rate; GST comes from the product; totals
//! and the CGST/SGST vs IGST split are computed by `rules::pricing`. The legacy server stored
//! whatever totals the client sent (a flat 18 %).

use super::lookup::last_rates;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use nexus_core::model::order::OrderItem;
use nexus_core::model::{Order, Product};
use nexus_core::rules::booking::{self, BookingError};
use nexus_core::rules::pricing;
use nexus_core::store::{Filter, Query, TypedStore};
use nexus_core::types::{Money, Quantity};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// `line` with the rule that it names its product by a non-blank `productId` or `skuCode`.
pub fn naming_a_product(
    line: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use crate::routes::param_schemas::{NOT_BLANK, with_keywords};
    let named = |field: &str| {
        serde_json::json!({
            "required": [field],
            "properties": { field: { "type": "string", "pattern": NOT_BLANK } },
        })
    };
    with_keywords(
        line,
        [(
            "anyOf",
            serde_json::json!([named("productId"), named("skuCode")]),
        )],
    )
}

/// [`LineRequest`] with its rule that a line names its product by `productId` or
/// `skuCode` (an `anyOf` the derive cannot write): what booking routes declare for `items`.
pub struct BookingLine;

impl utoipa::PartialSchema for BookingLine {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        naming_a_product(<LineRequest as utoipa::PartialSchema>::schema())
    }
}
impl utoipa::ToSchema for BookingLine {}

/// One order line as booked.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LineRequest {
    /// Product id (`PROD-001`); or give `skuCode`.
    pub product_id: Option<String>,
    pub sku_code: Option<String>,
    /// From 0.001 to 10,000,000 in the product's unit.
    #[schema(value_type = f64, example = 10, minimum = 0.001, maximum = 10000000)]
    pub quantity: Decimal,
    /// Negotiated rate per unit ex-GST, ₹0.01 to ₹1,00,00,000; default: the customer's
    /// last rate, else the base rate.
    #[schema(value_type = Option<f64>, minimum = 0.01, maximum = 10000000)]
    pub price: Option<Decimal>,
    /// Boxes the quantity ships in (a packaging count, never a price multiplier, D-L8).
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 10000000)]
    pub box_count: Option<Decimal>,
    pub remarks: Option<String>,
    /// Display fields old clients send; accepted and ignored (the server derives them).
    #[schema(ignore)]
    #[allow(dead_code)]
    pub product_name: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub unit: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub barcode: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub image_url: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub base_rate: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub prev_rate: Option<Value>,
    /// The old mobile app's copies of the product's MRP and GST rate and its name: the
    /// product master's values are used.
    #[schema(ignore)]
    #[allow(dead_code)]
    pub mrp: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub gst: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub name: Option<Value>,
    /// The old app's batch fields on a line: the allocation is the server's (batch picks go
    /// to the pack step), so they are read and ignored here.
    #[schema(ignore)]
    #[allow(dead_code)]
    pub allocated_batches: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub batch_no: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub mfg_date: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub expiry_date: Option<Value>,
    #[schema(ignore)]
    #[allow(dead_code)]
    pub bin_location: Option<Value>,
}

fn line_error(code: ErrorCode, line: usize, message: String) -> ApiError {
    ApiError::unprocessable(code, message).with_details(json!({ "line": line }))
}

/// The API's 422 for a booking rule that refused a line (details name the line).
pub fn booking_error(e: BookingError) -> ApiError {
    let details = match e.line() {
        Some(line) => json!({ "line": line }),
        None => match &e {
            BookingError::LineCount { lines } => json!({ "lines": lines }),
            _ => json!({}),
        },
    };
    ApiError::unprocessable(booking_code(&e), e.to_string()).with_details(details)
}

/// The public code of a booking rule's refusal: the wire strings of `BookingError::code`,
/// which the bulk import also writes as its reason prefix.
fn booking_code(e: &BookingError) -> ErrorCode {
    match e {
        BookingError::QuantityTooLarge { .. } | BookingError::QuantityNotPositive { .. } => {
            ErrorCode::InvalidQuantity
        }
        BookingError::RateNotPositive { .. } => ErrorCode::InvalidPrice,
        BookingError::ProductInactive { .. } => ErrorCode::ProductInactive,
        BookingError::MissingGstRate { .. } => ErrorCode::MissingGstRate,
        BookingError::NoPrice { .. } => ErrorCode::NoPrice,
        BookingError::NegativeBoxCount { .. } => ErrorCode::InvalidBoxCount,
        BookingError::LineCount { .. } => ErrorCode::InvalidItems,
    }
}

/// A positive quantity of sensible size.
pub fn quantity(line: usize, q: Decimal) -> Result<Quantity, ApiError> {
    booking::quantity(line, q).map_err(booking_error)
}

/// A rate that is given must be positive; rounded to the paisa.
pub fn rate(line: usize, r: Decimal) -> Result<Money, ApiError> {
    booking::rate(line, r).map_err(booking_error)
}

/// The products the lines name, one per line, in order (422 naming the line otherwise).
pub async fn resolve_products(
    st: &AppState,
    refs: &[(Option<String>, Option<String>)],
) -> Result<Vec<Product>, ApiError> {
    let ids: Vec<Value> = refs
        .iter()
        .filter_map(|(id, _)| id.clone().map(Value::String))
        .collect();
    let skus: Vec<Value> = refs
        .iter()
        .filter_map(|(_, s)| s.clone().map(Value::String))
        .collect();
    let found = st
        .store
        .list::<Product>(&Query::new(Filter::or([
            Filter::In("id".into(), ids),
            Filter::In("skuCode".into(), skus),
        ])))
        .await?;
    refs.iter()
        .enumerate()
        .map(|(i, (id, sku))| {
            let by_id = id.as_deref().map(|id| found.iter().find(|p| p.id == id));
            let by_sku = sku
                .as_deref()
                .map(|s| found.iter().find(|p| p.sku_code.as_deref() == Some(s)));
            let p = match (by_id, by_sku) {
                (None, None) => {
                    return Err(line_error(
                        ErrorCode::InvalidLine,
                        i,
                        format!("line {i}: give productId or skuCode"),
                    ));
                }
                (Some(Some(a)), Some(Some(b))) if a.id != b.id => {
                    return Err(line_error(
                        ErrorCode::InvalidLine,
                        i,
                        format!("line {i}: productId and skuCode name different products"),
                    ));
                }
                (Some(Some(p)), _) | (None, Some(Some(p))) => p,
                _ => {
                    return Err(ApiError::unprocessable(
                        ErrorCode::UnknownProduct,
                        format!(
                            "line {i}: product {} does not exist",
                            id.as_deref().or(sku.as_deref()).unwrap_or_default()
                        ),
                    )
                    .with_details(json!({ "line": i, "productId": id, "skuCode": sku })));
                }
            };
            booking::sellable(i, p).map_err(booking_error)?;
            Ok(p.clone())
        })
        .collect()
}

/// A line for `product` with the product's GST rate (see `rules::booking::item_for`).
pub fn item_for(
    line: usize,
    product: &Product,
    qty: Quantity,
    price: Money,
    prev_rate: Money,
) -> Result<OrderItem, ApiError> {
    booking::item_for(line, product, qty, price, prev_rate).map_err(booking_error)
}

/// The lines of a sales order, each at its negotiated, last or base rate.
pub async fn sales_items(
    st: &AppState,
    customer_id: &str,
    lines: &[LineRequest],
) -> Result<Vec<OrderItem>, ApiError> {
    booking::line_count(lines.len()).map_err(booking_error)?;
    let refs: Vec<_> = lines
        .iter()
        .map(|l| (l.product_id.clone(), l.sku_code.clone()))
        .collect();
    let products = resolve_products(st, &refs).await?;
    let skus: Vec<&str> = products.iter().map(|p| p.sku()).collect();
    let lasts = last_rates(st, customer_id, &skus, None).await?;
    let mut items = Vec::with_capacity(lines.len());
    for (i, ((l, p), last)) in lines.iter().zip(&products).zip(lasts).enumerate() {
        let qty = quantity(i, l.quantity)?;
        let negotiated = l.price.map(|r| rate(i, r)).transpose()?;
        let price = booking::line_rate(i, p, negotiated, last).map_err(booking_error)?;
        let mut item = item_for(i, p, qty, price, last.unwrap_or(Money::ZERO))?;
        if let Some(b) = l.box_count {
            if b < Decimal::ZERO || b > Decimal::from(booking::MAX_QTY) {
                return Err(booking_error(BookingError::NegativeBoxCount { line: i }));
            }
            item.box_count = b;
        }
        item.remarks = l.remarks.clone().filter(|r| !r.trim().is_empty());
        items.push(item);
    }
    Ok(items)
}

/// The 422 for an order whose lines cannot be priced (a line without a GST rate).
pub fn pricing_error(e: pricing::PricingError, order_id: &str) -> ApiError {
    ApiError::unprocessable(ErrorCode::MissingGstRate, e.to_string())
        .with_details(json!({ "orderId": order_id }))
}

/// Recomputes the order's line values, GST and totals for the state the goods ship from.
pub fn reprice(order: &mut Order, supplier_state: &str) -> Result<(), ApiError> {
    let priced =
        pricing::price_items(order, supplier_state).map_err(|e| pricing_error(e, &order.id))?;
    pricing::apply_pricing(order, &priced);
    Ok(())
}

/// The invoice's tax split. Lines priced by the rewrite carry their GST rate and are
/// re-priced for the state the goods ship from; legacy lines without one keep their stored
/// totals, and the stored GST is split by place of supply (never re-priced at a guessed rate).
pub fn invoice_split(order: &mut Order, supplier_state: &str) -> Result<(), ApiError> {
    if order.items.iter().all(|i| i.gst_rate.is_some()) && !order.items.is_empty() {
        return reprice(order, supplier_state);
    }
    let kind = pricing::supply_kind(supplier_state, order.place_of_supply.as_deref());
    let split = pricing::split_tax(order.gst_amount, kind);
    order.cgst = split.cgst;
    order.sgst = split.sgst;
    order.igst = split.igst;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booking_refusals_keep_the_rules_wire_strings() {
        let id = || "P-1".to_string();
        for e in [
            BookingError::QuantityTooLarge {
                line: 0,
                quantity: Decimal::from(1),
            },
            BookingError::QuantityNotPositive { line: 0 },
            BookingError::RateNotPositive { line: 0 },
            BookingError::ProductInactive {
                line: 0,
                product_id: id(),
            },
            BookingError::MissingGstRate {
                line: 0,
                product_id: id(),
            },
            BookingError::NoPrice {
                line: 0,
                product_id: id(),
            },
            BookingError::NegativeBoxCount { line: 0 },
            BookingError::LineCount { lines: 0 },
        ] {
            let api = booking_error(e.clone());
            assert_eq!(api.code.as_str(), e.code(), "{e:?}");
            assert_eq!(api.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
}
