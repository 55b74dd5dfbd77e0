//! Credit: each customer's outstanding against the limit, overdue and the three ageing
//! groups of the credit review (0–30, 31–90, 90+); Enter fetches the exposure detail
//! (outstanding + open orders against the limit) and the nine legacy buckets.

use crate::app::{Command, ViewOutcome};
use crate::dto::{Aging, CustomerCredit};
use crate::keys::Key;
use crate::theme;
use crate::views::{REST, block, draw_table, list_table, note, pane, rows_in_view};
use crate::widgets::{Scroll, amount, bar, cut, move_sel, text_matches};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};
use rust_decimal::Decimal;

/// Column titles: the customer's figures, then overdue and the three ageing groups.
const COLUMNS: [&str; 8] = [
    "Customer",
    "Outstanding",
    "Limit",
    "Used",
    "Overdue",
    "0-30",
    "31-90",
    "90+",
];

#[derive(Debug, Default)]
pub struct CreditView {
    pub customers: Vec<CustomerCredit>,
    pub text: String,
    pub visible: Vec<usize>,
    pub sel: usize,
    pub scroll: Scroll,
    pub detail_open: Option<String>,
    pub aging: Option<Aging>,
    pub loaded: bool,
}

impl CreditView {
    pub fn set_customers(&mut self, c: Vec<CustomerCredit>) {
        self.customers = c;
        self.loaded = true;
        self.recompute();
    }

    pub fn set_text(&mut self, text: &str) {
        self.text = text.to_string();
        self.recompute();
    }

    pub fn close_detail(&mut self) -> bool {
        self.aging = None;
        self.detail_open.take().is_some()
    }

    /// Most used limit first: the customers credit control looks at.
    fn recompute(&mut self) {
        let needle = self.text.to_lowercase();
        self.visible = (0..self.customers.len())
            .filter(|i| {
                let c = &self.customers[*i];
                text_matches(&needle, &[&c.name, &c.id])
            })
            .collect();
        let cs = &self.customers;
        self.visible.sort_by(|a, b| {
            // Without a limit: after every customer with one.
            let u = |c: &CustomerCredit| c.utilisation().unwrap_or(Decimal::NEGATIVE_ONE);
            u(&cs[*b])
                .cmp(&u(&cs[*a]))
                .then(cs[*a].name.cmp(&cs[*b].name))
        });
        self.sel = self.sel.min(self.visible.len().saturating_sub(1));
    }

    pub fn key(&mut self, key: Key) -> ViewOutcome {
        if let Some(sel) = move_sel(key, self.sel, self.visible.len(), self.scroll.page()) {
            self.sel = sel;
            return ViewOutcome::None;
        }
        if key == Key::Enter
            && let Some(i) = self.visible.get(self.sel)
        {
            let id = self.customers[*i].id.clone();
            self.detail_open = Some(id.clone());
            self.aging = None;
            return ViewOutcome::Commands(vec![Command::LoadAging(id)]);
        }
        ViewOutcome::None
    }
}

pub fn render(app: &crate::app::App, f: &mut Frame, area: Rect) {
    let v = &app.credit;
    let (list_area, detail_area) = if v.detail_open.is_some() {
        let [a, b] = Layout::vertical([Constraint::Min(5), Constraint::Length(8)]).areas(area);
        (a, Some(b))
    } else {
        (area, None)
    };
    let over = v
        .customers
        .iter()
        .filter(|c| c.utilisation().is_some_and(|u| u > Decimal::ONE))
        .count();
    let inner = pane(
        f,
        list_area,
        format!("Credit {} customers · {over} over limit", v.customers.len()),
    );
    if v.visible.is_empty() {
        let text = if v.loaded {
            "No customers."
        } else {
            "Loading customers…"
        };
        note(f, inner, text);
    } else {
        let wide = inner.width >= 100;
        let (start, end) = rows_in_view(&v.scroll, v.sel, v.visible.len(), inner);
        let rows = v.visible[start..end].iter().map(|i| {
            let c = &v.customers[*i];
            let gauge = |u: Decimal| bar(u, 8);
            let (used, style) = match c.utilisation() {
                Some(u) if u > Decimal::ONE => (gauge(u), theme::bad()),
                Some(u) if u > Decimal::new(8, 1) => (gauge(u), theme::warn()),
                Some(u) => (gauge(u), theme::ok()),
                None => ("no limit".to_string(), theme::muted()),
            };
            let mut cells = vec![
                Cell::from(cut(&c.name, 24)),
                Cell::from(Line::from(amount(c.outstanding)).right_aligned()),
                Cell::from(Line::from(c.limit.map(amount).unwrap_or_default()).right_aligned()),
                Cell::from(Span::styled(used, style)),
            ];
            if wide {
                cells.push(Cell::from(Line::from(amount(c.overdue)).right_aligned()));
                for b in c.buckets {
                    cells.push(Cell::from(Line::from(amount(b)).right_aligned()));
                }
            }
            Row::new(cells)
        });
        // The overdue and ageing columns where they fit.
        let cols = if wide { COLUMNS.len() } else { 4 };
        let header = Row::new(COLUMNS[..cols].to_vec());
        let widths = &[REST, 13, 13, 13, 12, 12, 12, 12][..cols];
        let table = list_table(rows, widths, header, theme::selected());
        draw_table(f, inner, table, v.sel - start);
    }
    if let Some(area) = detail_area {
        let id = v.detail_open.clone().unwrap_or_default();
        let lines = match &v.aging {
            Some(a) if a.customer_id == id || a.customer_id.is_empty() => aging_lines(a),
            _ => vec![Line::from(Span::styled(
                "Loading exposure…",
                theme::muted(),
            ))],
        };
        f.render_widget(
            Paragraph::new(lines)
                .wrap(ratatui::widgets::Wrap { trim: false })
                .block(block(format!("Exposure {id}"))),
            area,
        );
    }
}

fn aging_lines(a: &Aging) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled("Exposure ", theme::muted()),
        Span::styled(
            amount(a.exposure),
            if a.over_limit {
                theme::bad()
            } else {
                theme::title()
            },
        ),
        Span::styled("  open orders ", theme::muted()),
        Span::raw(amount(a.open_orders)),
        Span::styled("  limit ", theme::muted()),
        Span::raw(a.limit.map(amount).unwrap_or_else(|| "none".into())),
        Span::styled("  headroom ", theme::muted()),
        Span::styled(
            a.headroom.map(amount).unwrap_or_default(),
            if a.over_limit {
                theme::bad()
            } else {
                theme::ok()
            },
        ),
    ])];
    if !a.label.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("Ageing: {}", a.label),
            theme::warn(),
        )));
    }
    let mut spans = Vec::new();
    for (label, sum) in &a.buckets {
        spans.push(Span::styled(format!("{label}: "), theme::muted()));
        spans.push(Span::raw(format!("{}  ", amount(*sum))));
    }
    lines.push(Line::from(spans));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fullest_limit_comes_first_and_enter_asks_for_ageing() {
        let c = |id: &str, out: i64, limit: Option<i64>| CustomerCredit {
            id: id.into(),
            name: id.into(),
            outstanding: Decimal::from(out),
            limit: limit.map(Decimal::from),
            ..CustomerCredit::default()
        };
        let mut v = CreditView::default();
        v.set_customers(vec![
            c("A", 10, Some(100)),
            c("B", 150, Some(100)),
            c("C", 5, None),
            // A zero limit is no limit: no share, after those with one.
            c("D", 1, Some(0)),
        ]);
        let order: Vec<_> = v
            .visible
            .iter()
            .map(|i| v.customers[*i].id.clone())
            .collect();
        assert_eq!(order, ["B", "A", "C", "D"]);
        match v.key(Key::Enter) {
            ViewOutcome::Commands(c) => {
                assert!(matches!(&c[0], Command::LoadAging(id) if id == "B"))
            }
            other => panic!("{other:?}"),
        }
        assert!(v.close_detail());
    }
}
