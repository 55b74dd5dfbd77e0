//! AN9 `/api/tally/export/{orderId}`: a Tally "Import Data / Vouchers" envelope with one
//! Sales voucher for an invoiced order.
//!
//! The legacy handler failed on every call (it split the `createdAt` Date as text, D-A6,
//! 8.3.31), would not have escaped `&` or `<` in a customer name (8.1.13), and posted the
//! whole total to "Sales Account" with no tax lines. Here the voucher carries the party
//! debit, the sales credit and one credit per GST ledger from the order's tax split
//! (CGST + SGST within the state, IGST across states), balanced to the paisa, and every
//! text value is XML-escaped.
//!
//! Who: invoicing (Billing, ATL Executive) and Admin. Only orders that have been invoiced
//! (invoice details on file, or a legacy order already past the invoicing step) export:
//! a voucher for an order that was never billed would put a sale in the books that did
//! not happen.

use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::vouchers::{Voucher, past_invoicing, voucher_of};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, EntityType, Order};
use nexus_core::store::{Filter, TypedStore, Write};
use nexus_core::types::Money;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(tally_export))
}

/// Escapes the five XML special characters and drops characters XML 1.0 forbids (control
/// characters other than tab, line feed and carriage return), so no customer name can break
/// or inject into the envelope.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn amount(m: Money) -> String {
    format!("{:.2}", m.round2().amount())
}

fn ledger(name: &str, debit: bool, value: Money) -> String {
    // Tally: debits are negative amounts with ISDEEMEDPOSITIVE Yes; credits positive.
    let (flag, signed) = if debit {
        ("Yes", -value)
    } else {
        ("No", value)
    };
    format!(
        "          <ALLLEDGERENTRIES.LIST>\n            <LEDGERNAME>{}</LEDGERNAME>\n            <ISDEEMEDPOSITIVE>{flag}</ISDEEMEDPOSITIVE>\n            <AMOUNT>{}</AMOUNT>\n          </ALLLEDGERENTRIES.LIST>\n",
        xml_escape(name),
        amount(signed)
    )
}

/// The envelope. The ledger amounts sum to zero by construction: sales = total − taxes.
pub(crate) fn voucher_xml(v: &Voucher) -> String {
    let mut lines = ledger(&v.party, true, v.total);
    lines.push_str(&ledger("Sales Account", false, v.sales));
    for (name, value) in [
        ("Output CGST", v.cgst),
        ("Output SGST", v.sgst),
        ("Output IGST", v.igst),
    ] {
        if !value.is_zero() {
            lines.push_str(&ledger(name, false, value));
        }
    }
    let gstin = v
        .party_gstin
        .as_deref()
        .map(|g| format!("          <PARTYGSTIN>{}</PARTYGSTIN>\n", xml_escape(g)))
        .unwrap_or_default();
    format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<ENVELOPE>\n",
            "  <HEADER>\n    <TALLYREQUEST>Import Data</TALLYREQUEST>\n  </HEADER>\n",
            "  <BODY>\n    <IMPORTDATA>\n",
            "      <REQUESTDESC>\n        <REPORTNAME>Vouchers</REPORTNAME>\n      </REQUESTDESC>\n",
            "      <REQUESTDATA>\n        <TALLYMESSAGE xmlns:UDF=\"TallyUDF\">\n",
            "        <VOUCHER VCHTYPE=\"Sales\" ACTION=\"Create\">\n",
            "          <DATE>{date}</DATE>\n",
            "          <VOUCHERTYPENAME>Sales</VOUCHERTYPENAME>\n",
            "          <VOUCHERNUMBER>{number}</VOUCHERNUMBER>\n",
            "          <REFERENCE>{reference}</REFERENCE>\n",
            "          <PARTYLEDGERNAME>{party}</PARTYLEDGERNAME>\n",
            "{gstin}",
            "          <NARRATION>{narration}</NARRATION>\n",
            "          <PERSISTEDVIEW>Accounting Voucher View</PERSISTEDVIEW>\n",
            "{lines}",
            "        </VOUCHER>\n",
            "        </TALLYMESSAGE>\n      </REQUESTDATA>\n",
            "    </IMPORTDATA>\n  </BODY>\n",
            "</ENVELOPE>\n"
        ),
        date = xml_escape(&v.date),
        number = xml_escape(&v.number),
        reference = xml_escape(&v.reference),
        party = xml_escape(&v.party),
        gstin = gstin,
        narration = xml_escape(&v.narration),
        lines = lines,
    )
}

/// Tally sales-voucher XML for an invoiced order.
#[utoipa::path(get, path = "/api/tally/export/{orderId}", tag = "Analytics", security(("bearer" = [])),
    params(("orderId" = String, Path, description = "Order id")),
    responses(
        (status = 200, description = "Attachment `tally_<orderId>.xml`", content_type = "application/xml"),
        (status = 403, description = "Needs invoicing"),
        (status = 404, description = "Unknown order"),
        (status = 409, description = "The order has not been invoiced"),
    ))]
async fn tally_export(
    State(st): State<AppState>,
    actor: Actor,
    Path(order_id): Path<String>,
) -> Result<Response, ApiError> {
    actor.require(Permission::Invoicing, Access::View)?;
    let order: Order = st
        .store
        .get(Filter::id(order_id.clone()))
        .await?
        .ok_or_else(|| ApiError::record_not_found(ErrorCode::OrderNotFound, "Order", &order_id))?;
    if order.invoice.is_none() && !past_invoicing(order.status) {
        return Err(ApiError::conflict(
            ErrorCode::OrderNotInvoiced,
            format!("Order {} has not been invoiced yet", order.id),
        )
        .with_details(json!({ "status": order.status })));
    }
    let (voucher, _) = voucher_of(&st, &order).await?;
    let xml = voucher_xml(&voucher);
    let mut audit = actor
        .audit(AuditAction::Export)
        .entity(EntityType::Invoice, order.id.clone());
    audit.new_data = Some(json!({
        "format": "tally-xml", "voucherNumber": voucher.number, "total": voucher.total,
    }));
    st.store.commit(vec![Write::insert(&audit)?]).await?;
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    let file: String = order
        .id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"tally_{file}.xml\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok((h, xml).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::vouchers::voucher_for;

    #[test]
    fn escapes_every_special_character_and_drops_controls() {
        assert_eq!(
            xml_escape("R&D <Foods> \"Ltd\" 'A'\u{1}"),
            "R&amp;D &lt;Foods&gt; &quot;Ltd&quot; &apos;A&apos;"
        );
    }

    #[test]
    fn the_envelope_of_a_legacy_order_balances_and_escapes() {
        let order: Order = serde_json::from_value(json!({
            "id": "ORD-9", "customerId": "C", "customerName": "Tom & Jerry <Pvt>",
            "status": "Delivered", "subTotal": 2781.45, "gstAmount": 139.07, "total": 2920.52,
            "placeOfSupply": "Maharashtra", "createdAt": "2026-02-12T20:00:00.000Z"
        }))
        .unwrap();
        let v = voucher_for(&order, None, "Maharashtra");
        let xml = voucher_xml(&v);
        assert!(xml.contains("<PARTYLEDGERNAME>Tom &amp; Jerry &lt;Pvt&gt;</PARTYLEDGERNAME>"));
        assert!(xml.contains("<AMOUNT>-2920.52</AMOUNT>"));
        assert!(xml.contains("<LEDGERNAME>Output CGST</LEDGERNAME>"));
        assert!(!xml.contains("Output IGST"));
    }
}
