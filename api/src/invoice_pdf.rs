//! The invoice as a PDF document: A4 pages, the 14 standard fonts (nothing embedded), the
//! line table split over as many pages as it needs, totals on the last page.
//!
//! The old server's "PDF" was CSV bytes with a PDF name; its mobile app still asks for one
//! from every order screen. The layout is done here, by measuring text with Helvetica's
//! published widths, so amounts line up on the right and no text runs into the next column;
//! pdf-writer only serialises the objects.

use crate::pdf_kit::{self, BOLD, Page, REGULAR};
#[cfg(test)]
use crate::pdf_kit::{fit, width, win_ansi};

/// What an invoice page shows, already formatted.
#[derive(Debug, Clone, Default)]
pub struct InvoiceDoc {
    /// `TAX INVOICE`, or `PROFORMA INVOICE` before the order was invoiced.
    pub title: String,
    /// A line under the title (e.g. why this is not a tax invoice).
    pub note: Option<String>,
    pub seller: String,
    pub seller_gstin: Option<String>,
    pub number: String,
    pub date: String,
    pub order_id: String,
    pub customer: String,
    pub customer_gstin: Option<String>,
    pub customer_address: Option<String>,
    pub place_of_supply: Option<String>,
    pub lines: Vec<InvoiceLine>,
    /// Label and amount rows under the table, the last one printed bold (the total).
    pub totals: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct InvoiceLine {
    pub description: String,
    pub sku: String,
    pub quantity: String,
    pub rate: String,
    pub gst: String,
    pub amount: String,
}

const LEFT: f32 = pdf_kit::MARGIN;
const RIGHT: f32 = pdf_kit::A4.0 - pdf_kit::MARGIN;
const ROW: f32 = 16.0;
/// Where the line table starts on the first page (below the parties) and on later ones.
const TABLE_TOP_FIRST: f32 = 590.0;
const TABLE_TOP_NEXT: f32 = 770.0;
/// Nothing of the table goes below this (the footer lives under it).
const TABLE_BOTTOM: f32 = 70.0;

/// Columns: (header, left edge or right edge, right-aligned, width).
const COLUMNS: [(&str, f32, bool, f32); 7] = [
    ("#", LEFT, false, 18.0),
    ("Item", LEFT + 20.0, false, 205.0),
    ("SKU", 268.0, false, 70.0),
    ("Qty", 385.0, true, 45.0),
    ("Rate", 450.0, true, 60.0),
    ("GST %", 495.0, true, 40.0),
    ("Amount", RIGHT, true, 70.0),
];

/// The invoice's own drawing on a shared [`Page`].
trait InvoicePage {
    fn table_header(&mut self, y: f32);
    fn line(&mut self, y: f32, n: usize, l: &InvoiceLine);
}

impl InvoicePage for Page {
    fn table_header(&mut self, y: f32) {
        self.band(LEFT, RIGHT, y - 5.0, ROW);
        for (name, x, right, w) in COLUMNS {
            if right {
                self.right(BOLD, 9.0, x, y, name);
            } else {
                self.left(BOLD, 9.0, x, y, name, w);
            }
        }
    }

    fn line(&mut self, y: f32, n: usize, l: &InvoiceLine) {
        let cells = [
            n.to_string(),
            l.description.clone(),
            l.sku.clone(),
            l.quantity.clone(),
            l.rate.clone(),
            l.gst.clone(),
            l.amount.clone(),
        ];
        for ((_, x, right, w), cell) in COLUMNS.iter().zip(cells.iter()) {
            if *right {
                self.right(REGULAR, 9.0, *x, y, cell);
            } else {
                self.left(REGULAR, 9.0, *x, y, cell, *w);
            }
        }
    }
}

/// Lines on each page: the first page holds the parties, later pages only the table; the
/// totals need their own room on the last page.
fn paginate(lines: usize, totals: usize) -> Vec<std::ops::Range<usize>> {
    let per_first = ((TABLE_TOP_FIRST - ROW - TABLE_BOTTOM) / ROW) as usize;
    let per_next = ((TABLE_TOP_NEXT - ROW - TABLE_BOTTOM) / ROW) as usize;
    let totals_rows = totals + 2;
    let mut pages = pdf_kit::split_rows(lines, per_first, per_next);
    let last = pages.last().map_or(0, |r| r.len());
    let room = if pages.len() == 1 {
        per_first
    } else {
        per_next
    } - last;
    if room < totals_rows {
        // The totals do not fit under the last lines: one more page for them.
        pages.push(lines..lines);
    }
    pages
}

/// The document as PDF bytes.
pub fn render(doc: &InvoiceDoc) -> Vec<u8> {
    let pages = paginate(doc.lines.len(), doc.totals.len());
    let count = pages.len();
    let mut out = Vec::with_capacity(count);
    for (i, range) in pages.iter().enumerate() {
        let mut p = Page::new();
        let mut y = if i == 0 {
            header(&mut p, doc);
            TABLE_TOP_FIRST
        } else {
            p.left(BOLD, 11.0, LEFT, 800.0, &doc.title, 300.0);
            p.right(
                REGULAR,
                9.0,
                RIGHT,
                800.0,
                &format!("{}  (continued)", doc.number),
            );
            TABLE_TOP_NEXT
        };
        if !range.is_empty() || i == 0 {
            p.table_header(y);
            y -= ROW;
            for n in range.clone() {
                p.line(y, n + 1, &doc.lines[n]);
                y -= ROW;
            }
            p.rule(LEFT, RIGHT, y + ROW - 5.0, 0.5);
        }
        if i + 1 == count {
            y -= 6.0;
            let last = doc.totals.len().saturating_sub(1);
            for (k, (label, amount)) in doc.totals.iter().enumerate() {
                let font = if k == last { BOLD } else { REGULAR };
                p.right(font, 10.0, 450.0, y, label);
                p.right(font, 10.0, RIGHT, y, amount);
                y -= ROW;
            }
        }
        p.footer(
            pdf_kit::A4,
            &format!("{} {} - order {}", doc.title, doc.number, doc.order_id),
            i + 1,
            count,
        );
        out.push(p);
    }
    pdf_kit::write(&format!("{} {}", doc.title, doc.number), pdf_kit::A4, out)
}

/// The first page's top: title, seller, the invoice's numbers, the buyer.
fn header(p: &mut Page, doc: &InvoiceDoc) {
    p.left(BOLD, 18.0, LEFT, 790.0, &doc.title, 300.0);
    if let Some(note) = &doc.note {
        p.left(REGULAR, 9.0, LEFT, 774.0, note, RIGHT - LEFT);
    }
    p.left(BOLD, 11.0, LEFT, 748.0, &doc.seller, 280.0);
    if let Some(g) = &doc.seller_gstin {
        p.left(REGULAR, 9.0, LEFT, 734.0, &format!("GSTIN {g}"), 280.0);
    }
    let facts = [
        ("Number", doc.number.as_str()),
        ("Date", doc.date.as_str()),
        ("Order", doc.order_id.as_str()),
    ];
    let mut y = 748.0;
    for (label, value) in facts {
        p.left(REGULAR, 9.0, 360.0, y, label, 60.0);
        p.right(BOLD, 9.0, RIGHT, y, value);
        y -= 14.0;
    }
    p.rule(LEFT, RIGHT, 700.0, 0.5);
    p.left(BOLD, 9.0, LEFT, 684.0, "Bill to", 100.0);
    p.left(BOLD, 11.0, LEFT, 668.0, &doc.customer, 330.0);
    let mut y = 654.0;
    if let Some(a) = &doc.customer_address {
        p.left(REGULAR, 9.0, LEFT, y, a, 330.0);
        y -= 13.0;
    }
    if let Some(g) = &doc.customer_gstin {
        p.left(REGULAR, 9.0, LEFT, y, &format!("GSTIN {g}"), 330.0);
    }
    if let Some(pos) = &doc.place_of_supply {
        p.left(REGULAR, 9.0, 360.0, 684.0, "Place of supply", 100.0);
        p.left(BOLD, 9.0, 360.0, 670.0, pos, RIGHT - 360.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(lines: usize) -> InvoiceDoc {
        InvoiceDoc {
            title: "TAX INVOICE".into(),
            seller: "NexusOMS Distribution".into(),
            number: "INV-260301-001".into(),
            date: "01 Mar 2026".into(),
            order_id: "ORD-001".into(),
            customer: "Café Rao & Sons ₹".into(),
            lines: (0..lines)
                .map(|i| InvoiceLine {
                    description: format!("Frozen prawns {i}"),
                    sku: "SKU-1".into(),
                    quantity: "2".into(),
                    rate: "100.00".into(),
                    gst: "5".into(),
                    amount: "200.00".into(),
                })
                .collect(),
            totals: vec![
                ("Taxable value".into(), "200.00".into()),
                ("Total".into(), "210.00".into()),
            ],
            ..InvoiceDoc::default()
        }
    }

    #[test]
    fn text_is_encoded_for_the_standard_fonts() {
        assert_eq!(win_ansi("Café ₹5 中"), b"Caf\xe9 Rs.5 ?".to_vec());
        // Digits are 556/1000 em: ten of them at 10 pt are 55.6 pt.
        assert!((width(b"0123456789", 10.0) - 55.6).abs() < 0.01);
        let cut = fit(&"W".repeat(100), 9.0, 60.0);
        assert!(cut.ends_with(b"..."));
        assert!(width(&cut, 9.0) <= 60.0);
    }

    #[test]
    fn long_tables_run_over_pages_and_keep_room_for_totals() {
        assert_eq!(paginate(3, 2), vec![0..3]);
        let pages = paginate(200, 5);
        assert_eq!(pages.first().unwrap().start, 0);
        assert_eq!(pages.last().unwrap().end, 200);
        assert!(pages.windows(2).all(|w| w[0].end == w[1].start));
        // A first page filled to the last row pushes the totals onto a page of their own.
        let full = ((TABLE_TOP_FIRST - ROW - TABLE_BOTTOM) / ROW) as usize;
        assert_eq!(paginate(full, 2), vec![0..full, full..full]);
        let bytes = render(&doc(200));
        let pdf = lopdf::Document::load_mem(&bytes).expect("a PDF a reader opens");
        let count = pdf.get_pages().len();
        assert_eq!(count, pages.len());
        let last = pdf.extract_text(&[count as u32]).unwrap();
        assert!(last.contains("Frozen prawns 199"), "{last}");
        assert!(last.contains("210.00"), "{last}");
        assert!(last.contains(&format!("Page {count} of {count}")), "{last}");
        let first = pdf.extract_text(&[1]).unwrap();
        assert!(
            first.contains("INV-260301-001") && first.contains("Rs."),
            "{first}"
        );
    }
}
