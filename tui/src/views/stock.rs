//! Stock: batches by expiry (red under 30 days, orange under 60, green to 90) and packaging
//! materials at or below their MOQ.

use crate::dto::{ExpiringBatch, LowPackaging};
use crate::keys::Key;
use crate::theme;
use crate::views::{REST, draw_table, list_table, note, pane, rows_in_view};
use crate::widgets::{Scroll, cut, move_sel, quantity, text_matches};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};
use rust_decimal::Decimal;

#[derive(Debug)]
pub struct StockView {
    pub batches: Vec<ExpiringBatch>,
    pub packaging: Vec<LowPackaging>,
    pub text: String,
    /// Expiry window shown: 30, 60 or 90 days.
    pub window: i64,
    /// 0: batches, 1: packaging.
    pub focus: usize,
    pub sel: [usize; 2],
    pub scroll: [Scroll; 2],
    /// A stock event arrived since the last load: reload when the view is opened.
    pub stale: bool,
    pub loaded: bool,
}

impl Default for StockView {
    fn default() -> Self {
        StockView {
            batches: Vec::new(),
            packaging: Vec::new(),
            text: String::new(),
            window: 90,
            focus: 0,
            sel: [0, 0],
            scroll: Default::default(),
            stale: false,
            loaded: false,
        }
    }
}

impl StockView {
    pub fn set(&mut self, mut batches: Vec<ExpiringBatch>, packaging: Vec<LowPackaging>) {
        batches.sort_by(|a, b| a.days.cmp(&b.days).then(a.product.cmp(&b.product)));
        self.batches = batches;
        self.packaging = packaging;
        self.loaded = true;
        self.clamp();
    }

    pub fn set_text(&mut self, text: &str) {
        self.text = text.to_string();
        self.clamp();
    }

    pub fn expiring_within(&self, days: i64) -> usize {
        self.batches.iter().filter(|b| b.days < days).count()
    }

    pub fn shown_batches(&self) -> Vec<&ExpiringBatch> {
        let needle = self.text.to_lowercase();
        self.batches
            .iter()
            .filter(|b| b.days <= self.window)
            .filter(|b| text_matches(&needle, &[&b.product, &b.sku, &b.batch, &b.warehouse]))
            .collect()
    }

    pub fn shown_packaging(&self) -> Vec<&LowPackaging> {
        let needle = self.text.to_lowercase();
        self.packaging
            .iter()
            .filter(|p| text_matches(&needle, &[&p.name, &p.id]))
            .collect()
    }

    fn clamp(&mut self) {
        let lens = [self.shown_batches().len(), self.shown_packaging().len()];
        for (s, n) in self.sel.iter_mut().zip(lens) {
            *s = (*s).min(n.saturating_sub(1));
        }
    }

    pub fn key(&mut self, key: Key) {
        let len = if self.focus == 0 {
            self.shown_batches().len()
        } else {
            self.shown_packaging().len()
        };
        let f = self.focus;
        if let Some(sel) = move_sel(key, self.sel[f], len, self.scroll[f].page()) {
            self.sel[f] = sel;
            return;
        }
        match key {
            Key::Left | Key::Char('h') => self.focus = 0,
            Key::Right | Key::Char('l') => self.focus = 1,
            Key::Char('3') => self.window = 30,
            Key::Char('6') => self.window = 60,
            Key::Char('9') => self.window = 90,
            _ => {}
        }
        self.clamp();
    }
}

pub fn render(app: &crate::app::App, f: &mut Frame, area: Rect) {
    let v = &app.stock;
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(65), Constraint::Percentage(35)]).areas(area);

    let batches = v.shown_batches();
    let title = format!(
        "Batches expiring within {} days: {} ({} < 30 d){}",
        v.window,
        batches.len(),
        v.expiring_within(30),
        if v.focus == 0 { " ◆" } else { "" }
    );
    let inner = pane(f, top, title);
    if batches.is_empty() {
        let text = if v.loaded {
            "No batch expires in the window."
        } else {
            "Loading stock…"
        };
        note(f, inner, text);
    } else {
        let (start, end) = rows_in_view(&v.scroll[0], v.sel[0], batches.len(), inner);
        let rows = batches[start..end].iter().map(|b| {
            let style = theme::expiry(b.days);
            Row::new(vec![
                Cell::from(Span::styled(format!("{:>4} d", b.days), style)),
                Cell::from(b.exp_date.clone()),
                Cell::from(cut(&b.product, 30)),
                Cell::from(b.batch.clone()),
                Cell::from(Line::from(quantity(b.quantity)).right_aligned()),
                Cell::from(b.warehouse.clone()),
            ])
        });
        let header = Row::new(["Left", "Expires", "Product", "Batch", "Qty", "WH"]);
        let table = list_table(rows, &[7, 10, REST, 12, 8, 10], header, focused(v, 0));
        draw_table(f, inner, table, v.sel[0] - start);
    }

    let pk = v.shown_packaging();
    let inner = pane(
        f,
        bottom,
        format!(
            "Packaging at or below MOQ: {}{}",
            pk.len(),
            if v.focus == 1 { " ◆" } else { "" }
        ),
    );
    if pk.is_empty() {
        let text = if v.loaded {
            "All packaging above MOQ."
        } else {
            ""
        };
        note(f, inner, text);
        return;
    }
    let (start, end) = rows_in_view(&v.scroll[1], v.sel[1], pk.len(), inner);
    let rows = pk[start..end].iter().map(|p| {
        let style = if p.balance <= Decimal::ZERO {
            theme::bad()
        } else {
            theme::warn()
        };
        Row::new(vec![
            Cell::from(p.id.clone()),
            Cell::from(cut(&p.name, 36)),
            Cell::from(Line::from(Span::styled(quantity(p.balance), style)).right_aligned()),
            Cell::from(Line::from(quantity(p.moq)).right_aligned()),
            Cell::from(p.unit.clone()),
        ])
    });
    let header = Row::new(["Id", "Material", "Balance", "MOQ", "Unit"]);
    let table = list_table(rows, &[10, REST, 9, 9, 6], header, focused(v, 1));
    draw_table(f, inner, table, v.sel[1] - start);
}

/// The selection's style in pane `pane`: highlighted only in the pane the keys move.
fn focused(v: &StockView, pane: usize) -> Style {
    if v.focus == pane {
        theme::selected()
    } else {
        Style::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_keys_narrow_the_batches() {
        let b = |d: i64| ExpiringBatch {
            batch: format!("B{d}"),
            days: d,
            ..ExpiringBatch::default()
        };
        let mut v = StockView::default();
        v.set(vec![b(80), b(10), b(45)], vec![]);
        assert_eq!(v.batches[0].days, 10);
        assert_eq!(v.shown_batches().len(), 3);
        v.key(Key::Char('6'));
        assert_eq!(v.shown_batches().len(), 2);
        v.key(Key::Char('3'));
        assert_eq!(v.shown_batches().len(), 1);
        assert_eq!(v.expiring_within(30), 1);
    }
}
