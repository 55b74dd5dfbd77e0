//! A table report as a PDF (the analytics exports): A4 landscape, a title and the filters it
//! was made with, the table with its header repeated on every page, a totals row on the
//! last, and "Page i of n" at every foot. Column widths come from the text they hold,
//! narrowed (text columns only) to fit the page, so amounts are never cut.

use crate::pdf_kit::{self, BOLD, MARGIN, Page, REGULAR, width, win_ansi};

#[derive(Debug, Clone, Default)]
pub struct ReportDoc {
    pub title: String,
    /// Lines under the title: the filters, when it was made, who made it.
    pub subtitle: Vec<String>,
    pub headers: Vec<String>,
    /// Right-aligned columns (numbers).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
    /// The last row, in bold: one cell per column (empty where nothing is summed).
    pub totals: Option<Vec<String>>,
}

const SIZE: (f32, f32) = pdf_kit::A4_LANDSCAPE;
const FONT: f32 = 8.0;
const ROW: f32 = 14.0;
const PAD: f32 = 8.0;
const TOP: f32 = SIZE.1 - MARGIN;
/// Nothing of the table goes below this (the footer lives under it).
const BOTTOM: f32 = 64.0;

/// Each column's width: its widest text, with text columns narrowed in proportion when the
/// table is wider than the page.
fn column_widths(doc: &ReportDoc) -> Vec<f32> {
    let n = doc.headers.len();
    let mut widths: Vec<f32> = doc
        .headers
        .iter()
        .map(|h| width(&win_ansi(h), FONT) * 1.07 + PAD)
        .collect();
    for row in doc.rows.iter().chain(doc.totals.iter()) {
        for (c, cell) in row.iter().enumerate().take(n) {
            let w = width(&win_ansi(cell), FONT) + PAD;
            if w > widths[c] {
                widths[c] = w;
            }
        }
    }
    let available = SIZE.0 - 2.0 * MARGIN;
    let total: f32 = widths.iter().sum();
    if total > available {
        // Water-filling: the widest text columns give way first, down to one cap, so a short
        // column (an id, a date) keeps its width beside a long name.
        let fixed: f32 = widths
            .iter()
            .zip(&doc.numeric)
            .filter(|(_, num)| **num)
            .map(|(w, _)| *w)
            .sum();
        let room = (available - fixed).max(0.0);
        let mut text: Vec<f32> = widths
            .iter()
            .zip(&doc.numeric)
            .filter(|(_, num)| !**num)
            .map(|(w, _)| *w)
            .collect();
        text.sort_by(f32::total_cmp);
        let mut cap = room / text.len().max(1) as f32;
        let mut used = 0.0;
        for (k, w) in text.iter().enumerate() {
            let left = text.len() - k;
            if used + w * left as f32 <= room {
                used += w;
            } else {
                cap = (room - used) / left as f32;
                break;
            }
            cap = f32::MAX;
        }
        for (w, num) in widths.iter_mut().zip(&doc.numeric) {
            if !*num && *w > cap {
                *w = cap;
            }
        }
    }
    widths
}

fn draw_row(p: &mut Page, y: f32, cells: &[String], widths: &[f32], numeric: &[bool], bold: bool) {
    let font = if bold { BOLD } else { REGULAR };
    let mut x = MARGIN;
    for (c, w) in widths.iter().enumerate() {
        let cell = cells.get(c).map(String::as_str).unwrap_or("");
        if numeric.get(c).copied().unwrap_or(false) {
            p.right(font, FONT, x + w - PAD / 2.0, y, cell);
        } else {
            p.left(font, FONT, x + PAD / 2.0, y, cell, w - PAD);
        }
        x += w;
    }
}

/// Rows on each page: the first page holds the title and filters; the totals row needs
/// room on the last.
fn paginate(doc: &ReportDoc) -> (f32, Vec<std::ops::Range<usize>>) {
    let first_top = TOP - 30.0 - 14.0 * doc.subtitle.len() as f32 - 10.0;
    let per_first = (((first_top - BOTTOM) / ROW) as usize)
        .saturating_sub(1)
        .max(1);
    let per_next = (((TOP - 20.0 - BOTTOM) / ROW) as usize)
        .saturating_sub(1)
        .max(1);
    let lines = doc.rows.len() + usize::from(doc.totals.is_some());
    (first_top, pdf_kit::split_rows(lines, per_first, per_next))
}

/// The report as PDF bytes.
pub fn render(doc: &ReportDoc) -> Vec<u8> {
    let widths = column_widths(doc);
    let right = MARGIN + widths.iter().sum::<f32>();
    let (first_top, pages) = paginate(doc);
    let count = pages.len();
    let mut out = Vec::with_capacity(count);
    for (i, range) in pages.iter().enumerate() {
        let mut p = Page::new();
        let mut y = if i == 0 {
            p.left(
                BOLD,
                16.0,
                MARGIN,
                TOP - 16.0,
                &doc.title,
                SIZE.0 - 2.0 * MARGIN,
            );
            let mut y = TOP - 30.0;
            for line in &doc.subtitle {
                y -= 14.0;
                p.left(REGULAR, 9.0, MARGIN, y, line, SIZE.0 - 2.0 * MARGIN);
            }
            first_top
        } else {
            p.left(BOLD, 11.0, MARGIN, TOP - 11.0, &doc.title, 400.0);
            TOP - 20.0
        };
        p.band(MARGIN, right, y - 4.0, ROW);
        draw_row(&mut p, y, &doc.headers, &widths, &doc.numeric, true);
        y -= ROW;
        for n in range.clone() {
            match doc.rows.get(n) {
                Some(row) => draw_row(&mut p, y, row, &widths, &doc.numeric, false),
                None => {
                    if let Some(t) = &doc.totals {
                        p.rule(MARGIN, right, y + ROW - 4.0, 0.5);
                        draw_row(&mut p, y, t, &widths, &doc.numeric, true);
                    }
                }
            }
            y -= ROW;
        }
        p.rule(MARGIN, right, y + ROW - 4.0, 0.5);
        p.footer(SIZE, &doc.title, i + 1, count);
        out.push(p);
    }
    pdf_kit::write(&doc.title, SIZE, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(rows: usize) -> ReportDoc {
        ReportDoc {
            title: "Sales report".into(),
            subtitle: vec!["Status: any".into()],
            headers: vec!["Order ID".into(), "Customer".into(), "Total".into()],
            numeric: vec![false, false, true],
            rows: (0..rows)
                .map(|i| vec![format!("ORD-{i:03}"), "Café Rao".into(), "10.00".into()])
                .collect(),
            totals: Some(vec!["Total".into(), String::new(), format!("{rows}0.00")]),
        }
    }

    #[test]
    fn every_row_and_the_totals_land_on_a_page() {
        let d = doc(300);
        let (_, pages) = paginate(&d);
        assert_eq!(pages.first().unwrap().start, 0);
        assert_eq!(pages.last().unwrap().end, 301);
        assert!(pages.windows(2).all(|w| w[0].end == w[1].start));
        let bytes = render(&d);
        let pdf = lopdf::Document::load_mem(&bytes).expect("a PDF a reader opens");
        let n = pdf.get_pages().len();
        assert_eq!(n, pages.len());
        let last = pdf.extract_text(&[n as u32]).unwrap();
        assert!(
            last.contains("ORD-299") && last.contains("3000.00"),
            "{last}"
        );
        assert!(last.contains(&format!("Page {n} of {n}")), "{last}");
    }

    #[test]
    fn wide_text_columns_narrow_but_numbers_keep_their_width() {
        let mut d = doc(2);
        d.rows[0][1] = "A very long customer name ".repeat(20);
        let w = column_widths(&d);
        assert!(
            w.iter().sum::<f32>() <= SIZE.0 - 2.0 * MARGIN + 0.5,
            "{w:?}"
        );
        assert!(w[2] >= width(b"20.00", FONT), "{w:?}");
        assert!(
            w[0] >= width(b"ORD-001", FONT),
            "the id column keeps its width: {w:?}"
        );
    }
}
