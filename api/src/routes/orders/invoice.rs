//! `GET /api/orders/{id}/invoice`: the order's invoice as a PDF, for whoever may see the
//! order. Before the invoicing step it is a proforma, titled and marked as such, so a
//! salesperson can share a quote without anything passing for a tax invoice; a cancelled or
//! rejected order has none. The old app asks for the same document as
//! `GET /api/analytics/export?type=invoice_<order id>&format=pdf`, which lands here too.

use super::access::{Visibility, visible_order};
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::invoice_pdf::{InvoiceDoc, InvoiceLine, render};
use crate::routes::vouchers::{Voucher, past_invoicing, voucher_of};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use nexus_core::model::{AuditAction, Customer, EntityType, Order, OrderStatus};
use nexus_core::rules::expiry::ist;
use nexus_core::store::Write;
use nexus_core::types::{Money, Timestamp};
use serde_json::json;

/// The order's invoice (or proforma) as a PDF attachment.
#[utoipa::path(get, path = "/api/orders/{id}/invoice", tag = "Orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "Order id")),
    responses(
        (status = 200, description = "`application/pdf` attachment `invoice_<id>.pdf`: a tax invoice once the order was invoiced, a proforma before", content_type = "application/pdf"),
        (status = 404, description = "No such order in your scope"),
        (status = 409, description = "The order was cancelled or rejected (`ORDER_CLOSED`)"),
    ))]
pub async fn invoice_pdf(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    invoice_for(&st, &actor, &id).await
}

/// The PDF response for the order `id` as the caller may see it. Order ids are upper case;
/// the old app lower-cases the whole export type (`invoice_ord-001`), so a lower-case id
/// that names no order is tried in upper case.
pub(crate) async fn invoice_for(
    st: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<Response, ApiError> {
    let vis = Visibility::of(st, actor).await?;
    vis.require_some()?;
    let order = match visible_order(st, &vis, id).await {
        Err(e) if e.status == StatusCode::NOT_FOUND && id != id.to_uppercase() => {
            visible_order(st, &vis, &id.to_uppercase()).await?
        }
        other => other?,
    };
    if matches!(order.status, OrderStatus::Cancelled | OrderStatus::Rejected) {
        return Err(ApiError::conflict(
            ErrorCode::OrderClosed,
            format!("Order {} was {}: it has no invoice", order.id, order.status),
        )
        .with_details(json!({ "status": order.status })));
    }
    let (voucher, customer) = voucher_of(st, &order).await?;
    let invoiced = order.invoice.is_some() || past_invoicing(order.status);
    let doc = document(
        &order,
        customer.as_ref(),
        &voucher,
        invoiced,
        &st.config.company_name,
        st.config.company_gstin.as_deref(),
    );
    let bytes = render(&doc);
    let mut audit = actor
        .audit(AuditAction::Export)
        .entity(EntityType::Invoice, order.id.clone());
    audit.new_data = Some(json!({
        "format": "pdf", "document": doc.title, "number": doc.number, "total": voucher.total,
    }));
    st.store.commit(vec![Write::insert(&audit)?]).await?;
    let file: String = order
        .id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"invoice_{file}.pdf\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok((h, bytes).into_response())
}

fn amount(m: Money) -> String {
    format!("{:.2}", m.round2().amount())
}

fn ist_day(t: Timestamp) -> String {
    t.datetime()
        .with_timezone(&ist())
        .format("%d %b %Y")
        .to_string()
}

/// What the PDF shows of the order, formatted.
fn document(
    order: &Order,
    customer: Option<&Customer>,
    voucher: &Voucher,
    invoiced: bool,
    seller: &str,
    seller_gstin: Option<&str>,
) -> InvoiceDoc {
    let (title, note, number, date) = if invoiced {
        let at = order
            .invoice
            .as_ref()
            .and_then(|i| i.invoice_date)
            .or(order.created_at);
        (
            "TAX INVOICE",
            None,
            voucher.number.clone(),
            at.map(ist_day).unwrap_or_default(),
        )
    } else {
        (
            "PROFORMA INVOICE",
            Some(format!(
                "Not a tax invoice: order status {}. The tax invoice is issued at billing.",
                order.status
            )),
            format!("PRO-{}", order.id),
            ist_day(Timestamp::now()),
        )
    };
    let lines = order
        .items
        .iter()
        .map(|i| InvoiceLine {
            description: i
                .product_name
                .clone()
                .unwrap_or_else(|| i.product_id.clone()),
            sku: i.sku_code.clone().unwrap_or_else(|| i.product_id.clone()),
            quantity: i.quantity.value().normalize().to_string(),
            rate: amount(i.price),
            gst: i
                .gst_rate
                .map(|g| g.points().normalize().to_string())
                .unwrap_or_default(),
            amount: amount(i.total.unwrap_or(i.price * i.quantity.value())),
        })
        .collect();
    let mut totals = vec![("Taxable value".to_string(), amount(voucher.sales))];
    for (label, tax) in [
        ("CGST", voucher.cgst),
        ("SGST", voucher.sgst),
        ("IGST", voucher.igst),
    ] {
        if !tax.is_zero() {
            totals.push((label.to_string(), amount(tax)));
        }
    }
    totals.push(("Total (INR)".to_string(), amount(voucher.total)));
    let address = customer.and_then(|c| {
        let address = c.address.as_deref().map(str::trim).unwrap_or_default();
        let city = c.city.as_deref().map(str::trim).unwrap_or_default();
        let text = match (
            address.is_empty(),
            city.is_empty() || address.contains(city),
        ) {
            (true, _) => city.to_string(),
            (false, true) => address.to_string(),
            (false, false) => format!("{address}, {city}"),
        };
        (!text.is_empty()).then_some(text)
    });
    InvoiceDoc {
        title: title.to_string(),
        note,
        seller: seller.to_string(),
        seller_gstin: seller_gstin.map(str::to_string),
        number,
        date,
        order_id: order.id.clone(),
        customer: voucher.party.clone(),
        customer_gstin: voucher.party_gstin.clone(),
        customer_address: address,
        place_of_supply: order.place_of_supply.clone(),
        lines,
        totals,
    }
}
