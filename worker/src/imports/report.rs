//! The error report: a workbook with every rejected row as it was uploaded, its sheet row
//! number and the reason, so the user fixes the rows in the report and uploads it again
//! (the report's header keeps the original column names, so it is itself a valid import
//! file; the extra "Row" and "Reason" columns are ignored by the importers).
//!
//! Formula injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
//! return is written as a string cell with Excel's quote prefix, so neither Excel nor a
//! later CSV export turns user data into a formula. Every text goes through
//! `write_string*`, which never creates a formula.

use super::ImportError;
use calamine::Data;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// The name of the sheet in the report.
pub const SHEET: &str = "Rejected rows";
/// The two columns added to the original ones.
pub const ROW_HEADER: &str = "Row";
pub const REASON_HEADER: &str = "Reason";

/// One rejected row.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRow {
    /// The sheet row number, as Excel shows it.
    pub row: u32,
    pub cells: Vec<Data>,
    pub reason: String,
}

/// Collects rejected rows in sheet order and writes the report.
#[derive(Debug, Default)]
pub struct Report {
    headers: Vec<String>,
    rows: Vec<RejectedRow>,
}

/// Whether a text would be read as a formula (or a DDE payload) by a spreadsheet.
pub fn is_risky(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

impl Report {
    pub fn new(headers: Vec<String>) -> Self {
        Report {
            headers,
            rows: Vec::new(),
        }
    }

    pub fn reject(&mut self, row: u32, cells: &[Data], reason: impl Into<String>) {
        self.rows.push(RejectedRow {
            row,
            cells: cells.to_vec(),
            reason: reason.into(),
        });
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn rows(&self) -> &[RejectedRow] {
        &self.rows
    }

    /// The workbook, or `None` when nothing was rejected.
    pub fn to_xlsx(&mut self) -> Result<Option<Vec<u8>>, ImportError> {
        if self.rows.is_empty() {
            return Ok(None);
        }
        self.rows.sort_by_key(|r| r.row);
        self.write()
            .map(Some)
            .map_err(|e| ImportError::Internal(format!("writing the error report: {e}")))
    }

    fn write(&self) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(SHEET)?;
        let bold = Format::new().set_bold();
        let quoted = Format::new().set_quote_prefix();
        ws.write_string_with_format(0, 0, ROW_HEADER, &bold)?;
        for (c, h) in self.headers.iter().enumerate() {
            text(ws, 0, col(c + 1), h, &quoted)?;
        }
        let reason_col = col(self.headers.len() + 1);
        ws.write_string_with_format(0, reason_col, REASON_HEADER, &bold)?;
        for (i, r) in self.rows.iter().enumerate() {
            let row = (i + 1) as u32;
            ws.write_number(row, 0, f64::from(r.row))?;
            for (c, cell) in r.cells.iter().enumerate().take(self.headers.len()) {
                let c = col(c + 1);
                match cell {
                    Data::Empty => {}
                    Data::Int(n) => {
                        ws.write_number(row, c, *n as f64)?;
                    }
                    Data::Float(f) => {
                        ws.write_number(row, c, *f)?;
                    }
                    Data::Bool(b) => {
                        ws.write_boolean(row, c, *b)?;
                    }
                    other => text(ws, row, c, &super::cells::display(other), &quoted)?,
                }
            }
            text(ws, row, reason_col, &r.reason, &quoted)?;
        }
        ws.set_column_width(reason_col, 60)?;
        wb.save_to_buffer()
    }
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// A string cell; risky text gets the quote prefix so it stays text when edited.
fn text(ws: &mut Worksheet, row: u32, c: u16, s: &str, quoted: &Format) -> Result<(), XlsxError> {
    if is_risky(s) {
        ws.write_string_with_format(row, c, s, quoted)?;
    } else {
        ws.write_string(row, c, s)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};
    use std::io::Cursor;

    #[test]
    fn risky_cells_are_strings_not_formulas() {
        let mut r = Report::new(vec!["Customer ID".into(), "Quantity".into()]);
        r.reject(
            7,
            &[
                Data::String("=HYPERLINK(\"http://x\")".into()),
                Data::Float(2.0),
            ],
            "Unknown customer",
        );
        r.reject(
            3,
            &[Data::String("@SUM(A1)".into()), Data::String("-1".into())],
            "bad",
        );
        let bytes = r.to_xlsx().unwrap().unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range(SHEET).unwrap();
        assert_eq!(range.get((1, 0)), Some(&Data::Float(3.0)));
        assert_eq!(range.get((1, 1)), Some(&Data::String("@SUM(A1)".into())));
        assert_eq!(
            range.get((2, 1)),
            Some(&Data::String("=HYPERLINK(\"http://x\")".into()))
        );
        assert_eq!(
            range.get((2, 3)),
            Some(&Data::String("Unknown customer".into()))
        );
        let formulas = wb.worksheet_formula(SHEET).unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }

    #[test]
    fn nothing_rejected_means_no_report() {
        assert_eq!(Report::new(vec!["A".into()]).to_xlsx().unwrap(), None);
    }
}
