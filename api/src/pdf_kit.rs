//! What the PDF documents share (the invoice, the analytics reports): A4 pages in the 14
//! standard fonts (nothing embedded), text measured with Helvetica's published widths so
//! columns line up and nothing runs into the next one, a footer with page numbers, and the
//! file's objects. pdf-writer only serialises; the layout is the documents' own.

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str};

/// A4 portrait, in points.
pub const A4: (f32, f32) = (595.0, 842.0);
/// A4 landscape, for wide tables.
pub const A4_LANDSCAPE: (f32, f32) = (842.0, 595.0);
/// The page margin on every side.
pub const MARGIN: f32 = 40.0;

pub const REGULAR: Name<'static> = Name(b"F1");
pub const BOLD: Name<'static> = Name(b"F2");

/// Helvetica advance widths (per 1000 em) for ASCII 32..=126, from Adobe's AFM. The bold
/// face differs for letters, but digits, `.` and `,` (all that is right-aligned) match.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// The text in WinAnsiEncoding: Latin-1 letters keep their accents, the rupee sign becomes
/// `Rs.`, anything else a standard font cannot show becomes `?`.
pub fn win_ansi(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{20B9}' => out.extend_from_slice(b"Rs."),
            c if (' '..='~').contains(&c) => out.push(c as u8),
            c if ('\u{A0}'..='\u{FF}').contains(&c) => out.push(c as u32 as u8),
            '\t' | '\n' | '\r' => out.push(b' '),
            _ => out.push(b'?'),
        }
    }
    out
}

pub fn width(bytes: &[u8], size: f32) -> f32 {
    let units: u32 = bytes
        .iter()
        .map(|&b| match b {
            32..=126 => u32::from(HELVETICA[usize::from(b - 32)]),
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// Cuts the text to fit `max` points, marking the cut with `...`.
pub fn fit(s: &str, size: f32, max: f32) -> Vec<u8> {
    let mut bytes = win_ansi(s);
    if width(&bytes, size) <= max {
        return bytes;
    }
    let dots = width(b"...", size);
    while !bytes.is_empty() && width(&bytes, size) + dots > max {
        bytes.pop();
    }
    bytes.extend_from_slice(b"...");
    bytes
}

/// One page being drawn.
pub struct Page {
    content: Content,
}

impl Default for Page {
    fn default() -> Self {
        Page::new()
    }
}

impl Page {
    pub fn new() -> Page {
        Page {
            content: Content::new(),
        }
    }

    fn text(&mut self, font: Name, size: f32, x: f32, y: f32, bytes: &[u8]) {
        self.content
            .begin_text()
            .set_font(font, size)
            .next_line(x, y)
            .show(Str(bytes))
            .end_text();
    }

    /// Text from `x`, cut to `max` points.
    pub fn left(&mut self, font: Name, size: f32, x: f32, y: f32, s: &str, max: f32) {
        let b = fit(s, size, max);
        self.text(font, size, x, y, &b);
    }

    /// Text ending at `x`.
    pub fn right(&mut self, font: Name, size: f32, x: f32, y: f32, s: &str) {
        let b = win_ansi(s);
        let mut w = width(&b, size);
        // Bold letters run about 7 % wider than the regular widths measured here.
        if font == BOLD && b.iter().any(u8::is_ascii_alphabetic) {
            w *= 1.07;
        }
        self.text(font, size, x - w, y, &b);
    }

    /// A horizontal line from `x0` to `x1`.
    pub fn rule(&mut self, x0: f32, x1: f32, y: f32, width: f32) {
        self.content
            .set_line_width(width)
            .move_to(x0, y)
            .line_to(x1, y)
            .stroke();
    }

    /// A light grey band behind a header row.
    pub fn band(&mut self, x0: f32, x1: f32, y: f32, height: f32) {
        self.content.set_fill_gray(0.92);
        self.content.rect(x0, y, x1 - x0, height).fill_nonzero();
        self.content.set_fill_gray(0.0);
    }

    /// The rule and line at the foot of every page: what the document is, and "Page i of n".
    pub fn footer(&mut self, size: (f32, f32), label: &str, page: usize, pages: usize) {
        let right = size.0 - MARGIN;
        self.rule(MARGIN, right, 50.0, 0.3);
        self.left(REGULAR, 8.0, MARGIN, 38.0, label, right - MARGIN - 100.0);
        self.right(
            REGULAR,
            8.0,
            right,
            38.0,
            &format!("Page {page} of {pages}"),
        );
    }
}

/// Rows `0..lines` cut into pages of `per_first` rows, then `per_next`; at least one page
/// (an empty table still has its header).
pub fn split_rows(lines: usize, per_first: usize, per_next: usize) -> Vec<std::ops::Range<usize>> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut capacity = per_first.max(1);
    loop {
        let end = (start + capacity).min(lines);
        pages.push(start..end);
        if end == lines {
            return pages;
        }
        start = end;
        capacity = per_next.max(1);
    }
}

/// The pages as one PDF file titled `title`.
pub fn write(title: &str, size: (f32, f32), pages: Vec<Page>) -> Vec<u8> {
    let count = pages.len();
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(10 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(count as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(pdf_writer::TextStr(title))
        .producer(pdf_writer::TextStr("NexusOMS"));
    for (i, p) in pages.into_iter().enumerate() {
        let content_id = Ref::new(11 + 2 * i as i32);
        let mut page = pdf.page(page_ids[i]);
        page.media_box(Rect::new(0.0, 0.0, size.0, size.1))
            .parent(tree)
            .contents(content_id);
        page.resources()
            .fonts()
            .pair(REGULAR, regular)
            .pair(BOLD, bold);
        drop(page);
        pdf.stream(content_id, &p.content.finish());
    }
    pdf.finish()
}
