//! AN8 `/api/analytics/export`: the caller's orders (or, for stock readers, the product
//! stock) as a real `.xlsx` workbook or a CSV file.
//!
//! The legacy export sent CSV bytes labelled as a workbook, wrote CSV without quoting (a
//! comma in a customer name shifted the columns) and let a name such as `=HYPERLINK(…)` run
//! as a formula when opened (8.1.13, 8.3.32). Here the workbook is written by
//! rust_xlsxwriter (text cells are strings, never formulas); CSV follows RFC 4180 and text
//! cells that a spreadsheet would evaluate are neutralised with a leading apostrophe
//! (OWASP "CSV injection"). The legacy PDF was malformed: here a PDF export is a real
//! document (`report_pdf`: title, filters, the table over as many pages as it needs, totals,
//! page numbers), as is an order's invoice (`orders::invoice`).

use super::{caller_scope, require_inventory_reader, status_filter};
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::dates::DateRange;
use crate::routes::extract::ApiQuery;
use crate::routes::param_schemas::{ExportFormat, ExportType};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use nexus_core::model::{AuditAction, EntityType, Order, OrderStatus, Product};
use nexus_core::rules::expiry::ist;
use nexus_core::store::{Filter, Query, TypedStore, Write};
use nexus_core::types::Timestamp;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export))
}

/// Rows in one export at most; the response says when it was cut (`X-Truncated`).
const MAX_ROWS: u64 = 50_000;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `sales_report` (default) or `orders` — your orders; `inventory` — product stock.
    /// (The old app's invoice button sends `invoice_<order id>` with `format=pdf`, which
    /// answers that order's invoice PDF: a legacy form, not offered to new clients.)
    #[serde(rename = "type")]
    #[param(value_type = Option<ExportType>, inline)]
    pub export_type: Option<String>,
    /// `csv` (default), `xlsx` (the legacy client's `excel` is read as `xlsx`) or `pdf`.
    #[param(value_type = Option<ExportFormat>, inline)]
    pub format: Option<String>,
    /// Orders booked from this date (IST day) or instant.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub start_date: Option<String>,
    /// Orders booked up to this date (whole IST day) or instant.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub end_date: Option<String>,
    /// Only orders in this status (legacy names are read too).
    #[param(value_type = Option<nexus_core::model::OrderStatus>, inline)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
    Pdf,
}

const SUPPORTED_FORMATS: [&str; 3] = ["csv", "xlsx", "pdf"];

impl Format {
    fn parse(raw: Option<&str>) -> Result<Format, ApiError> {
        let s = raw
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "csv".into());
        match s.as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" | "excel" => Ok(Format::Xlsx),
            "pdf" => Ok(Format::Pdf),
            other => Err(ApiError::bad_request(
                ErrorCode::UnsupportedFormat,
                format!("Export format `{other}` is not supported; use csv, xlsx or pdf"),
            )
            .with_details(json!({ "supported": SUPPORTED_FORMATS }))),
        }
    }

    fn ext(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Pdf => "pdf",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Pdf => "application/pdf",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Number(Decimal),
    Empty,
}

struct Table {
    sheet: &'static str,
    /// The report's title in a PDF.
    title: &'static str,
    headers: &'static [&'static str],
    /// Columns a PDF sums in its totals row.
    summed: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
    truncated: bool,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt_text(s: Option<&str>) -> Cell {
    s.map(text).unwrap_or(Cell::Empty)
}

fn ist_time(t: Option<Timestamp>) -> Cell {
    t.map(|t| {
        text(
            t.datetime()
                .with_timezone(&ist())
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        )
    })
    .unwrap_or(Cell::Empty)
}

/// The first characters that make a spreadsheet evaluate a cell (OWASP CSV injection).
fn is_formula_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// One CSV field: text cells that would run as a formula get a leading `'`; fields with a
/// comma, quote, line break or edge space are quoted with inner quotes doubled (RFC 4180).
fn csv_field(cell: &Cell) -> String {
    let raw = match cell {
        Cell::Empty => return String::new(),
        Cell::Number(n) => return n.normalize().to_string(),
        Cell::Text(s) => s,
    };
    let safe = if raw.chars().next().is_some_and(is_formula_trigger) {
        format!("'{raw}")
    } else {
        raw.clone()
    };
    let needs_quotes =
        safe.contains([',', '"', '\n', '\r']) || safe.starts_with(' ') || safe.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

fn to_csv(t: &Table) -> Vec<u8> {
    let mut out = String::new();
    let header: Vec<String> = t.headers.iter().map(|h| csv_field(&text(*h))).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for r in &t.rows {
        let line: Vec<String> = r.iter().map(csv_field).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn to_xlsx(t: &Table) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(t.sheet)?;
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, 18)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                // Always a string cell: text is never interpreted as a formula.
                Cell::Text(s) => {
                    ws.write_string(r, c as u16, s)?;
                }
                Cell::Number(n) => {
                    ws.write_number(r, c as u16, n.to_f64().unwrap_or(0.0))?;
                }
                Cell::Empty => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}

fn pdf_cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Number(n) => n.normalize().to_string(),
        Cell::Empty => String::new(),
    }
}

/// The table as a PDF report: what was asked for under the title, sums of the money columns
/// in a last row, a note when the export was cut at its row limit.
fn to_pdf(t: &Table, subtitle: Vec<String>) -> Vec<u8> {
    let numeric: Vec<bool> = (0..t.headers.len())
        .map(|c| {
            t.rows
                .iter()
                .any(|r| matches!(r.get(c), Some(Cell::Number(_))))
        })
        .collect();
    let mut totals: Vec<String> = t
        .headers
        .iter()
        .enumerate()
        .map(|(c, h)| {
            if t.summed.contains(h) {
                let sum: Decimal = t
                    .rows
                    .iter()
                    .filter_map(|r| match r.get(c) {
                        Some(Cell::Number(n)) => Some(*n),
                        _ => None,
                    })
                    .sum();
                sum.round_dp(2).normalize().to_string()
            } else {
                String::new()
            }
        })
        .collect();
    if let Some(first) = totals.first_mut() {
        *first = format!("Total ({} rows)", t.rows.len());
    }
    let mut subtitle = subtitle;
    if t.truncated {
        subtitle.push(format!(
            "Cut at {MAX_ROWS} rows: narrow the filters for the rest."
        ));
    }
    crate::report_pdf::render(&crate::report_pdf::ReportDoc {
        title: t.title.to_string(),
        subtitle,
        headers: t.headers.iter().map(|h| h.to_string()).collect(),
        numeric,
        rows: t
            .rows
            .iter()
            .map(|r| r.iter().map(pdf_cell).collect())
            .collect(),
        totals: Some(totals),
    })
}

/// What a PDF says it was made from: the filters (orders) and when, by whom.
fn pdf_subtitle(kind: &str, q: &ExportQuery, actor: &Actor) -> Vec<String> {
    let mut lines = Vec::new();
    if kind != "inventory" {
        let or_any = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or("any")
                .to_string()
        };
        lines.push(format!(
            "Filters: status {}; from {}; to {}",
            or_any(&q.status),
            or_any(&q.start_date),
            or_any(&q.end_date),
        ));
    }
    let now = Timestamp::now().datetime().with_timezone(&ist());
    lines.push(format!(
        "Made {} IST by {} ({})",
        now.format("%d %b %Y %H:%M"),
        actor.user.name,
        actor.id()
    ));
    lines
}

async fn orders_table(st: &AppState, actor: &Actor, q: &ExportQuery) -> Result<Table, ApiError> {
    let (_, scope) = caller_scope(st, actor).await?;
    let range = DateRange::parse(q.start_date.as_deref(), q.end_date.as_deref())?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Filter::All,
        Some(s) => {
            let parsed = OrderStatus::parse(s).ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::InvalidStatus,
                    format!("Unknown order status `{s}`"),
                )
            })?;
            status_filter([parsed])
        }
    };
    let mut orders: Vec<Order> = st
        .store
        .list(
            &Query::new(Filter::and([scope, range.filter("createdAt"), status]))
                .sort_desc("createdAt")
                .limit(MAX_ROWS + 1),
        )
        .await?;
    let truncated = orders.len() as u64 > MAX_ROWS;
    orders.truncate(MAX_ROWS as usize);
    let rows = orders
        .iter()
        .map(|o| {
            vec![
                text(o.id.clone()),
                text(o.customer_id.clone()),
                opt_text(o.customer_name.as_deref()),
                text(o.status.as_str()),
                opt_text(o.salesperson_id.as_deref()),
                Cell::Number(o.sub_total.round2().amount()),
                Cell::Number(o.gst_amount.round2().amount()),
                Cell::Number(o.total.round2().amount()),
                ist_time(o.created_at),
            ]
        })
        .collect();
    Ok(Table {
        sheet: "Orders",
        title: "Sales report",
        summed: &["Sub Total", "GST", "Total"],
        headers: &[
            "Order ID",
            "Customer ID",
            "Customer Name",
            "Status",
            "Salesperson",
            "Sub Total",
            "GST",
            "Total",
            "Created At (IST)",
        ],
        rows,
        truncated,
    })
}

async fn inventory_table(st: &AppState, actor: &Actor) -> Result<Table, ApiError> {
    require_inventory_reader(actor)?;
    let mut products: Vec<Product> = st
        .store
        .list(
            &Query::new(Filter::ne("isActive", false))
                .sort_asc("id")
                .limit(MAX_ROWS + 1),
        )
        .await?;
    let truncated = products.len() as u64 > MAX_ROWS;
    products.truncate(MAX_ROWS as usize);
    let rows = products
        .iter()
        .map(|p| {
            let rate = p.base_rate();
            vec![
                text(p.id.clone()),
                text(p.sku()),
                text(p.name.clone()),
                opt_text(p.category.as_deref()),
                opt_text(p.unit.as_deref()),
                Cell::Number(p.stock.value()),
                Cell::Number(rate.round2().amount()),
                Cell::Number((rate * p.stock.value()).round2().amount()),
                p.gst
                    .map(|g| Cell::Number(g.points()))
                    .unwrap_or(Cell::Empty),
            ]
        })
        .collect();
    Ok(Table {
        sheet: "Inventory",
        title: "Inventory",
        summed: &["Stock Value"],
        headers: &[
            "Product ID",
            "SKU",
            "Name",
            "Category",
            "Unit",
            "Stock",
            "Rate",
            "Stock Value",
            "GST %",
        ],
        rows,
        truncated,
    })
}

/// Download your orders (or, with stock access, the product stock) as CSV, XLSX or a PDF
/// report (title, filters, table, totals, page numbers), or an order's invoice as PDF.
#[utoipa::path(get, path = "/api/analytics/export", tag = "Analytics", security(("bearer" = [])), params(ExportQuery), responses(
    (status = 200, description = "An attachment `<type>_<epoch ms>.<csv|xlsx|pdf>`, or `invoice_<id>.pdf`"),
    (status = 400, description = "Unsupported format or type, unreadable date or status"),
    (status = 404, description = "`invoice_<id>`: no such order in your scope"),
    (status = 409, description = "`invoice_<id>`: the order was cancelled or rejected"),
    (status = 403, description = "The inventory export needs manage_warehouse, master_data or procurement"),
))]
async fn export(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let kind = q
        .export_type
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "sales_report".into());
    // The old app's invoice button: `type=invoice_<order id>&format=pdf`.
    if let Some(order_id) = kind.strip_prefix("invoice_").filter(|id| !id.is_empty()) {
        let pdf = q
            .format
            .as_deref()
            .is_none_or(|f| f.trim().eq_ignore_ascii_case("pdf"));
        if !pdf {
            return Err(ApiError::bad_request(
                ErrorCode::UnsupportedFormat,
                "An invoice is a PDF: use format=pdf (or GET /api/orders/{id}/invoice)",
            )
            .with_details(json!({ "supported": ["pdf"] })));
        }
        return crate::routes::orders::invoice_for(&st, &actor, order_id).await;
    }
    let format = Format::parse(q.format.as_deref())?;
    let table = match kind.as_str() {
        "sales_report" | "sales" | "orders" => orders_table(&st, &actor, &q).await?,
        "inventory" => inventory_table(&st, &actor).await?,
        other => {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidExportType,
                format!("Unknown export type `{other}`"),
            )
            .with_details(json!({ "supported": ["sales_report", "orders", "inventory"] })));
        }
    };
    let bytes = match format {
        Format::Csv => to_csv(&table),
        Format::Xlsx => {
            to_xlsx(&table).map_err(|e| ApiError::internal_cause("xlsx export failed", &e))?
        }
        Format::Pdf => to_pdf(&table, pdf_subtitle(&kind, &q, &actor)),
    };
    let file = format!("{kind}_{}.{}", Timestamp::now().millis(), format.ext());
    let mut audit = actor
        .audit(AuditAction::Export)
        .entity(EntityType::System, format!("analytics-export:{kind}"));
    audit.new_data = Some(json!({
        "type": kind, "format": format.ext(), "rows": table.rows.len(),
        "truncated": table.truncated, "file": file,
        "startDate": q.start_date, "endDate": q.end_date, "status": q.status,
    }));
    st.store.commit(vec![Write::insert(&audit)?]).await?;
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&table.rows.len().to_string()) {
        h.insert("x-row-count", v);
    }
    h.insert(
        "x-truncated",
        HeaderValue::from_static(if table.truncated { "true" } else { "false" }),
    );
    Ok((h, bytes).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_neutralises_formulas() {
        assert_eq!(csv_field(&text("ABC Traders")), "ABC Traders");
        assert_eq!(csv_field(&text("Rao, Sons & Co")), "\"Rao, Sons & Co\"");
        assert_eq!(csv_field(&text("6\" pipe")), "\"6\"\" pipe\"");
        assert_eq!(
            csv_field(&text("=HYPERLINK(\"http://x\")")),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_field(&text("+91 22 5550")), "'+91 22 5550");
        assert_eq!(csv_field(&text("-cmd")), "'-cmd");
        assert_eq!(csv_field(&text("@SUM(A1)")), "'@SUM(A1)");
        assert_eq!(csv_field(&text("line\nbreak")), "\"line\nbreak\"");
        // Numbers are ours, not text: a negative amount stays a number.
        assert_eq!(csv_field(&Cell::Number(Decimal::new(-2500, 0))), "-2500");
        assert_eq!(csv_field(&Cell::Empty), "");
    }

    #[test]
    fn unknown_formats_are_refused_with_the_supported_list() {
        let e = Format::parse(Some("docx")).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnsupportedFormat);
        assert_eq!(e.details["supported"], json!(["csv", "xlsx", "pdf"]));
        assert_eq!(Format::parse(Some("PDF")).unwrap(), Format::Pdf);
        assert_eq!(Format::parse(Some("Excel")).unwrap(), Format::Xlsx);
        assert_eq!(Format::parse(None).unwrap(), Format::Csv);
    }
}
