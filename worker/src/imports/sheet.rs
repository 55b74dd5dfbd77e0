//! Finds the sheet and the columns of an import by their header names.
//!
//! The legacy importers took the first worksheet and fell back to column positions, which
//! imported a customer sheet into the product table and reported success (fixtures README,
//! edge case 4). Here a workbook is accepted only when one of its sheets has a header row
//! naming every required column of the expected layout; columns are then read by header,
//! whatever their order. Header names are compared after [`normalise`]: case, spacing,
//! punctuation, a byte-order mark and non-breaking spaces do not matter (`\u{feff}ProductCode`,
//! `Weight `, `Processing charges`/`Processing Charges`, `O/s Amt`, `Employee respons.`).

use super::ImportError;
use super::cells;
use calamine::{Data, Range, Reader, Xlsx};
use std::collections::HashMap;
use std::io::Cursor;

/// How many rows from the top may hold the header (a title row or two above it is fine).
const HEADER_SEARCH_ROWS: usize = 10;

/// The largest area (rows × columns, from the first used cell to the last) a sheet may span.
/// calamine lays a sheet out as one dense grid, so a 10 KiB upload with a value in A1 and
/// another in XFD1048576 would otherwise ask for 17 billion cells (about 512 GiB) and abort
/// the process. Two million cells (64 MiB) hold 100,000 order lines of 20 columns.
pub const MAX_SHEET_CELLS: u64 = 2_000_000;

/// One column an import reads.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The field it feeds (also the key the import reads it by).
    pub key: &'static str,
    /// The header as the template writes it (used in messages).
    pub title: &'static str,
    /// Other spellings; compared after [`normalise`], so spacing and case are free.
    pub aliases: &'static [&'static str],
    pub required: bool,
}

impl Column {
    pub const fn required(
        key: &'static str,
        title: &'static str,
        aliases: &'static [&'static str],
    ) -> Self {
        Column {
            key,
            title,
            aliases,
            required: true,
        }
    }
    pub const fn optional(
        key: &'static str,
        title: &'static str,
        aliases: &'static [&'static str],
    ) -> Self {
        Column {
            required: false,
            ..Column::required(key, title, aliases)
        }
    }

    fn matches(&self, normalised: &str) -> bool {
        normalise(self.title) == normalised
            || self.aliases.iter().any(|a| normalise(a) == normalised)
    }
}

/// The columns of one kind of file, and the sheet names it usually comes in.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// What the file is, for messages ("material master").
    pub what: &'static str,
    /// Sheet names tried first (the bulk template's "Bulk Orders"); any other sheet whose
    /// header fits is accepted too.
    pub sheet_names: &'static [&'static str],
    pub columns: &'static [Column],
}

/// A header for comparison: lower case, letters and digits only (`\u{feff}Weight ` →
/// `weight`, `O/s Amt` → `osamt`, `>180` → `180`).
pub fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The sheet an import reads, with its header and where each column is.
pub struct Sheet {
    pub name: String,
    range: Range<Data>,
    /// Index (within the range) of the header row.
    header_row: usize,
    /// The header cells as written, for the report.
    pub headers: Vec<String>,
    columns: HashMap<&'static str, usize>,
    /// Sheet row number (1-based) of the range's first row.
    first_row_number: u32,
}

/// One data row: its number on the sheet (as Excel shows it) and its cells.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    pub number: u32,
    pub cells: &'a [Data],
    columns: &'a HashMap<&'static str, usize>,
}

static EMPTY: Data = Data::Empty;

impl<'a> Row<'a> {
    /// The cell of a column by key; missing columns and short rows read as empty.
    pub fn get(&self, key: &str) -> &'a Data {
        self.columns
            .get(key)
            .and_then(|i| self.cells.get(*i))
            .unwrap_or(&EMPTY)
    }

    /// Whether the file has this (optional) column at all: a column that is absent leaves
    /// stored values alone, a blank cell in a present column clears them.
    pub fn has(&self, key: &str) -> bool {
        self.columns.contains_key(key)
    }

    /// A row outside any sheet, for unit tests of row checks.
    #[cfg(test)]
    pub fn for_tests(
        number: u32,
        cells: &'a [Data],
        columns: &'a HashMap<&'static str, usize>,
    ) -> Self {
        Row {
            number,
            cells,
            columns,
        }
    }
}

impl Sheet {
    /// The data rows below the header, skipping rows with nothing in them.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.range
            .rows()
            .enumerate()
            .skip(self.header_row + 1)
            .filter(|(_, cells)| !cells.iter().all(cells::is_blank))
            .map(|(i, cells)| Row {
                number: self.first_row_number + i as u32,
                cells,
                columns: &self.columns,
            })
    }

    /// How many data rows there are (blank rows not counted).
    pub fn data_rows(&self) -> usize {
        self.rows().count()
    }

    pub fn has(&self, key: &str) -> bool {
        self.columns.contains_key(key)
    }
}

fn rejected(code: &'static str, message: impl Into<String>) -> ImportError {
    ImportError::Rejected {
        code,
        message: message.into(),
    }
}

/// Says what the bytes are when they are not an xlsx workbook, so the user knows what to do.
fn not_a_workbook(bytes: &[u8]) -> Option<ImportError> {
    let head = bytes.get(..8).unwrap_or(bytes);
    let message = if bytes.is_empty() {
        "The file is empty (0 bytes). Upload the .xlsx workbook itself."
    } else if head.starts_with(b"PK\x03\x04") {
        return None;
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        "The file is an old-style .xls workbook. Open it in Excel and save it as .xlsx, then upload it again."
    } else if bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[' || *b == b'<')
    {
        "The file is not a workbook: it holds text (for example an error message saved from a \
         failed download) with an .xlsx name. Download the template again and fill it in."
    } else {
        "The file is not an Excel workbook (.xlsx). CSV and other formats are not accepted; \
         save the sheet as .xlsx."
    };
    Some(rejected("NOT_A_WORKBOOK", message))
}

/// Where each layout column is in a header row; `None` unless every required one is there.
fn match_header(
    cells: &[Data],
    layout: &Layout,
) -> (HashMap<&'static str, usize>, Vec<&'static str>) {
    let normalised: Vec<String> = cells
        .iter()
        .map(|c| normalise(&cells::display(c)))
        .collect();
    let mut found = HashMap::new();
    for col in layout.columns {
        // The first matching column wins (the distributor sheet's first "Name").
        if let Some(i) = normalised
            .iter()
            .position(|h| !h.is_empty() && col.matches(h))
        {
            found.insert(col.key, i);
        }
    }
    let missing = layout
        .columns
        .iter()
        .filter(|c| c.required && !found.contains_key(c.key))
        .map(|c| c.title)
        .collect();
    (found, missing)
}

enum SheetRead {
    TooLarge { rows: u64, columns: u64 },
    Unreadable(calamine::XlsxError),
}

/// The sheet's used cells as a range, refused as soon as the area they span passes
/// [`MAX_SHEET_CELLS`] (calamine's own `worksheet_range` allocates the whole area first).
fn bounded_range(wb: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<Range<Data>, SheetRead> {
    let mut reader = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        // A chart sheet: nothing to import, as calamine's own reader says.
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Range::default()),
        Err(e) => return Err(SheetRead::Unreadable(e)),
    };
    let mut cells = Vec::new();
    let (mut top, mut left, mut bottom, mut right) = (u32::MAX, u32::MAX, 0u32, 0u32);
    while let Some(cell) = reader.next_cell().map_err(SheetRead::Unreadable)? {
        if matches!(cell.get_value(), calamine::DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        (top, left) = (top.min(r), left.min(c));
        (bottom, right) = (bottom.max(r), right.max(c));
        let rows = u64::from(bottom - top) + 1;
        let columns = u64::from(right - left) + 1;
        if rows * columns > MAX_SHEET_CELLS {
            return Err(SheetRead::TooLarge { rows, columns });
        }
        let value: Data = cell.get_value().clone().into();
        cells.push(calamine::Cell::new((r, c), value));
    }
    Ok(Range::from_sparse(cells))
}

/// Opens the workbook and picks the sheet that fits `layout`: a sheet with one of the
/// expected names first, else the first sheet (in workbook order) whose header names every
/// required column. Not a workbook, or no sheet fits → a `Rejected` error saying why.
pub fn open(bytes: &[u8], layout: &Layout) -> Result<Sheet, ImportError> {
    if let Some(e) = not_a_workbook(bytes) {
        return Err(e);
    }
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        tracing::info!(error = %e, "upload is not a readable xlsx");
        rejected(
            "NOT_A_WORKBOOK",
            "The file could not be read as an Excel workbook (.xlsx); it may be damaged. \
             Save it again from Excel and upload it.",
        )
    })?;
    let mut names = wb.sheet_names();
    let preferred: Vec<String> = layout.sheet_names.iter().map(|n| normalise(n)).collect();
    names.sort_by_key(|n| !preferred.contains(&normalise(n)));

    let mut seen = Vec::new();
    for name in names {
        let range = match bounded_range(&mut wb, &name) {
            Ok(r) => r,
            Err(SheetRead::TooLarge { rows, columns }) => {
                return Err(rejected(
                    "SHEET_TOO_LARGE",
                    format!(
                        "Sheet \"{name}\" spans {rows} rows × {columns} columns from its first \
                         used cell to its last; at most {MAX_SHEET_CELLS} cells are read. Delete \
                         stray values far from the table (Ctrl+End shows the last used cell) \
                         and upload again."
                    ),
                ));
            }
            Err(SheetRead::Unreadable(e)) => {
                tracing::info!(sheet = %name, error = %e, "sheet unreadable");
                seen.push(format!("\"{name}\" (unreadable)"));
                continue;
            }
        };
        let mut best_missing: Option<Vec<&str>> = None;
        for (i, cells) in range.rows().take(HEADER_SEARCH_ROWS).enumerate() {
            if cells.iter().all(cells::is_blank) {
                continue;
            }
            let (columns, missing) = match_header(cells, layout);
            if missing.is_empty() {
                let first_row_number = range.start().map(|(r, _)| r + 1).unwrap_or(1);
                let headers = cells.iter().map(cells::display).collect();
                return Ok(Sheet {
                    name,
                    range,
                    header_row: i,
                    headers,
                    columns,
                    first_row_number,
                });
            }
            if best_missing
                .as_ref()
                .is_none_or(|b| missing.len() < b.len())
            {
                best_missing = Some(missing);
            }
        }
        seen.push(match best_missing {
            Some(m) => format!("\"{name}\" (missing {})", m.join(", ")),
            None => format!("\"{name}\" (empty)"),
        });
    }
    let required: Vec<&str> = layout
        .columns
        .iter()
        .filter(|c| c.required)
        .map(|c| c.title)
        .collect();
    Err(rejected(
        "WRONG_SHEET",
        format!(
            "This is not a {} file: no sheet has the columns {}. Sheets found: {}.",
            layout.what,
            required.join(", "),
            if seen.is_empty() {
                "none".to_string()
            } else {
                seen.join("; ")
            }
        ),
    ))
}

/// Refuses a sheet with a header and no data (the legacy import answered "success,
/// imported 0", fixtures README on `flutter_temp_template.xlsx`).
pub fn require_rows(sheet: &Sheet, layout: &Layout) -> Result<usize, ImportError> {
    match sheet.data_rows() {
        0 => Err(rejected(
            "NO_DATA_ROWS",
            format!(
                "The sheet \"{}\" has the {} header but no data rows; fill in at least one row.",
                sheet.name, layout.what
            ),
        )),
        n => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_compare_without_case_spacing_or_marks() {
        assert_eq!(normalise("\u{feff}ProductCode"), "productcode");
        assert_eq!(normalise("Weight "), "weight");
        assert_eq!(normalise("Processing\u{a0}Charges"), "processingcharges");
        assert_eq!(normalise("O/s Amt"), "osamt");
        assert_eq!(normalise("Employee respons."), "employeerespons");
        assert_eq!(normalise(">180"), "180");
    }

    #[test]
    fn non_workbooks_are_named() {
        let msg = |b: &[u8]| match not_a_workbook(b) {
            Some(ImportError::Rejected { message, .. }) => message,
            other => panic!("expected a rejection, got {other:?}"),
        };
        assert!(msg(b"").contains("empty"));
        assert!(msg(br#"{"success":false,"message":"Invalid token"}"#).contains("holds text"));
        assert!(msg(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0]).contains(".xls"));
        assert!(msg(b"Customer ID,SKU Code\n").contains("CSV"));
        assert!(not_a_workbook(b"PK\x03\x04rest").is_none());
    }
}
