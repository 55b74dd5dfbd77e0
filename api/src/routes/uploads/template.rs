//! Master-data import templates: the xlsx workbook of one template and its download.
//! Separate because the customer, product and distributor-price areas each declare a
//! template and serve it through this.

use super::content::XLSX_CONTENT_TYPE;
use crate::error::ApiError;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A template cell of the sample row.
pub(crate) enum Cell {
    Text(&'static str),
    Number(f64),
}

/// One import template (api.md §5.4).
pub(crate) struct TemplateSpec {
    pub sheet: &'static str,
    pub headers: &'static [&'static str],
    /// Header background, RGB.
    pub header_rgb: u32,
    pub column_width: f64,
    pub sample: &'static [Cell],
    pub file_name: &'static str,
}

/// The workbook for a template: one sheet, bold white headers on the given colour, fixed
/// column width, the sample row if any.
fn xlsx_template(spec: &TemplateSpec) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| {
        ApiError::internal_cause(&format!("template {} not generated", spec.file_name), &e)
    };
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(spec.sheet).map_err(fail)?;
    let head = Format::new()
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(spec.header_rgb));
    for (col, h) in spec.headers.iter().enumerate() {
        let col = col as u16;
        ws.write_string_with_format(0, col, *h, &head)
            .map_err(fail)?;
        ws.set_column_width(col, spec.column_width).map_err(fail)?;
    }
    for (col, cell) in spec.sample.iter().enumerate() {
        let col = col as u16;
        match cell {
            Cell::Text(t) => ws.write_string(1, col, *t).map(|_| ()),
            Cell::Number(n) => ws.write_number(1, col, *n).map(|_| ()),
        }
        .map_err(fail)?;
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    wb.save_to_buffer().map_err(fail)
}

/// The template as a download.
pub(crate) fn template_response(spec: &TemplateSpec) -> Result<Response, ApiError> {
    let bytes = xlsx_template(spec)?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX_CONTENT_TYPE.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", spec.file_name),
            ),
        ],
        bytes,
    )
        .into_response())
}
