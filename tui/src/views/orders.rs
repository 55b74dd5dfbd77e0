//! Orders: the list (filters, sort by any column), the detail pane (lines, totals, status
//! timeline) and the lifecycle steps this user may take.

use crate::api::ListTotal;
use crate::app::{Command, Level, OrderQuery, Overlay, ViewOutcome};
use crate::dto::{CreditMark, OrderDetail, OrderRow, Status};
use crate::keys::Key;
use crate::steps;
use crate::theme;
use crate::views::{REST, draw_table, list_table, note, pane, rows_in_view};
use crate::widgets::{Scroll, amount, cut, move_sel};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};
use std::cmp::Ordering;

/// Column titles, in the order the 1–6 sort keys use.
pub const COLUMNS: [&str; 6] = ["Order", "Customer", "Status", "Total", "Sales", "Created"];

#[derive(Debug, Default)]
pub struct OrdersView {
    pub rows: Vec<OrderRow>,
    /// Matching orders on the server (`X-Total-Count`), beyond the page loaded.
    pub total: u64,
    /// The server stopped counting at `total`: more may match (shown as `total+`).
    pub total_is_lower_bound: bool,
    pub query: OrderQuery,
    /// The `/` text, applied to the loaded rows as it is typed.
    pub text: String,
    /// Indexes into `rows` after the text filter and the sort.
    pub visible: Vec<usize>,
    pub sel: usize,
    pub scroll: Scroll,
    /// Sort column (index into [`COLUMNS`]) and direction; `None`: newest first.
    pub sort: Option<(usize, bool)>,
    pub detail: Option<OrderDetail>,
    pub detail_open: Option<String>,
    pub loaded: bool,
    /// The order whose steps the user asked for (`t`) while they were unknown: they are
    /// offered when its reload arrives.
    pub steps_wanted: Option<String>,
}

impl OrdersView {
    pub fn selected(&self) -> Option<&OrderRow> {
        self.visible.get(self.sel).map(|i| &self.rows[*i])
    }

    /// Server pages of the current filters.
    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(crate::api::ORDER_PAGE as u64) as u32).max(1)
    }

    pub fn detail_id(&self) -> Option<String> {
        self.detail_open.clone()
    }

    pub fn close_detail(&mut self) -> bool {
        self.detail = None;
        self.detail_open.take().is_some()
    }

    pub fn set_rows(&mut self, rows: Vec<OrderRow>, total: ListTotal) {
        self.rows = rows;
        self.total = total.count;
        self.total_is_lower_bound = total.lower_bound;
        self.loaded = true;
        self.recompute();
    }

    pub fn set_text(&mut self, text: &str) {
        self.text = text.to_string();
        self.recompute();
    }

    /// A freshly read order: it replaces its row in the list (status and the steps the
    /// server offers now) and becomes the detail when it is the one open.
    pub fn set_detail(&mut self, d: OrderDetail) {
        if let Some(r) = self.rows.iter_mut().find(|r| r.id == d.row.id) {
            *r = d.row.clone();
            if !self.query.admits(r) {
                self.rows.retain(|r| r.id != d.row.id);
                self.total = self.total.saturating_sub(1);
            }
            self.recompute();
        }
        if self.detail_open.as_deref() == Some(d.row.id.as_str()) {
            self.detail = Some(d);
        }
    }

    /// Updates an order's status in the list (and in the open detail); false when the order
    /// is not loaded. A changed status makes the order's steps unknown: they were the
    /// server's answer for the old status.
    pub fn set_status(&mut self, id: &str, status: &Status) -> bool {
        if status.is_empty() {
            return self.rows.iter().any(|r| r.id == id);
        }
        if let Some(d) = self.detail.as_mut().filter(|d| d.row.id == id)
            && !d.row.status.same(status)
        {
            d.row.status = status.clone();
            d.row.steps = None;
        }
        let Some(r) = self.rows.iter_mut().find(|r| r.id == id) else {
            return false;
        };
        if r.status.same(status) {
            return true;
        }
        r.status = status.clone();
        r.steps = None;
        if !self.query.admits(r) {
            self.rows.retain(|r| r.id != id);
            self.total = self.total.saturating_sub(1);
        }
        self.recompute();
        true
    }

    /// A new or changed order from the live feed: added on top when it passes the
    /// filters, merged when present.
    pub fn upsert(&mut self, row: OrderRow) {
        if self.rows.iter().any(|r| r.id == row.id) {
            self.merge(row);
            return;
        }
        // New orders are the newest: they belong on the first page only.
        if !self.query.admits(&row) || self.query.page() > 1 {
            self.total += u64::from(self.query.admits(&row));
            return;
        }
        self.rows.insert(0, row);
        self.total += 1;
        // Keep the cursor on the order it was on.
        let keep = self.selected().map(|r| r.id.clone());
        self.recompute();
        self.reselect(keep);
    }

    /// Merges the fields an event carries into a loaded row (a changed status makes its
    /// steps unknown, as in [`OrdersView::set_status`]).
    pub fn merge(&mut self, row: OrderRow) {
        if let Some(r) = self.rows.iter_mut().find(|r| r.id == row.id) {
            if !row.customer_name.is_empty() {
                r.customer_name = row.customer_name;
            }
            if !row.total.is_zero() {
                r.total = row.total;
            }
            if row.steps.is_some() {
                r.steps = row.steps;
            }
            self.set_status(&row.id, &row.status);
            self.recompute();
        }
    }

    fn reselect(&mut self, id: Option<String>) {
        if let Some(id) = id
            && let Some(p) = self.visible.iter().position(|i| self.rows[*i].id == id)
        {
            self.sel = p;
        }
    }

    /// Applies the text filter and the sort to the loaded rows.
    pub fn recompute(&mut self) {
        let keep = self.selected().map(|r| r.id.clone());
        let needle = self.text.trim().to_lowercase();
        self.visible = (0..self.rows.len())
            .filter(|i| needle.is_empty() || matches(&self.rows[*i], &needle))
            .collect();
        if let Some((col, desc)) = self.sort {
            let rows = &self.rows;
            self.visible.sort_by(|a, b| {
                let o = compare(&rows[*a], &rows[*b], col);
                if desc { o.reverse() } else { o }
            });
        }
        self.sel = self.sel.min(self.visible.len().saturating_sub(1));
        self.reselect(keep);
    }

    pub fn key(&mut self, key: Key, can_write: bool) -> ViewOutcome {
        if let Some(sel) = move_sel(key, self.sel, self.visible.len(), self.scroll.page()) {
            self.sel = sel;
            return ViewOutcome::None;
        }
        match key {
            Key::Enter => match self.selected() {
                Some(r) => {
                    let id = r.id.clone();
                    if self.detail_open.as_deref() != Some(id.as_str()) {
                        self.detail = None;
                    }
                    self.detail_open = Some(id.clone());
                    ViewOutcome::Commands(vec![Command::LoadOrder(id)])
                }
                None => ViewOutcome::None,
            },
            Key::Char(d @ '1'..='6') => {
                let col = d as usize - '1' as usize;
                self.sort = match self.sort {
                    Some((c, desc)) if c == col => Some((c, !desc)),
                    _ => Some((col, false)),
                };
                self.recompute();
                ViewOutcome::None
            }
            Key::Char('r') => ViewOutcome::Commands(vec![Command::LoadOrders(self.query.clone())]),
            Key::Char(']') | Key::Char('[') => {
                let page = self.query.page();
                let next = if key == Key::Char(']') {
                    page + 1
                } else {
                    page.saturating_sub(1)
                };
                if next == 0 || next > self.pages() {
                    return ViewOutcome::Message(
                        Level::Info,
                        format!("Page {page} of {}.", self.pages()),
                    );
                }
                self.query.page = next;
                self.sel = 0;
                ViewOutcome::Commands(vec![Command::LoadOrders(self.query.clone())])
            }
            Key::Char('t') | Key::Char('a') => self.steps_for(can_write),
            _ => ViewOutcome::None,
        }
    }

    /// The lifecycle steps overlay for the open (or else the selected) order. Steps that
    /// are unknown (the order changed since it was read) are asked of the server first.
    fn steps_for(&mut self, can_write: bool) -> ViewOutcome {
        let target = self
            .detail
            .as_ref()
            .filter(|d| self.detail_open.as_deref() == Some(d.row.id.as_str()))
            .map(|d| d.row.clone())
            .or_else(|| self.selected().cloned());
        let Some(order) = target else {
            return ViewOutcome::None;
        };
        if can_write && order.steps.is_none() {
            self.steps_wanted = Some(order.id.clone());
            return ViewOutcome::Load(
                vec![Command::LoadOrder(order.id.clone())],
                Level::Info,
                format!("Asking the server which steps {} allows now…", order.id),
            );
        }
        self.steps_of(&order, can_write)
    }

    /// The steps overlay for `order`: exactly the steps the server listed on it.
    pub fn steps_of(&self, order: &OrderRow, can_write: bool) -> ViewOutcome {
        if !can_write {
            return ViewOutcome::Message(
                Level::Error,
                "Read-only console: lifecycle steps are disabled.".into(),
            );
        }
        let list = steps::offered(order.steps.as_deref().unwrap_or_default());
        if list.is_empty() {
            return ViewOutcome::Message(
                Level::Info,
                format!("No step you may take on {} ({}).", order.id, order.status),
            );
        }
        ViewOutcome::Overlay(Overlay::Steps {
            order_id: order.id.clone(),
            steps: list,
            sel: 0,
        })
    }
}

fn matches(r: &OrderRow, needle: &str) -> bool {
    [
        r.id.as_str(),
        &r.customer_name,
        &r.customer_id,
        r.status.name(),
        &r.salesperson_id,
    ]
    .iter()
    .any(|f| f.to_lowercase().contains(needle))
}

fn compare(a: &OrderRow, b: &OrderRow, col: usize) -> Ordering {
    match col {
        0 => a.id.cmp(&b.id),
        1 => a.customer_name.cmp(&b.customer_name),
        2 => a.status.name().cmp(b.status.name()),
        3 => a.total.cmp(&b.total),
        4 => a.salesperson_id.cmp(&b.salesperson_id),
        _ => a.created_at.cmp(&b.created_at),
    }
    .then_with(|| a.id.cmp(&b.id))
}

pub fn render(app: &crate::app::App, f: &mut Frame, area: Rect) {
    let v = &app.orders;
    match &v.detail_open {
        Some(_) if area.width >= 110 => {
            let [l, r] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(area);
            list(app, f, l);
            detail(app, f, r);
        }
        Some(_) => detail(app, f, area),
        None => list(app, f, area),
    }
}

fn filters_label(v: &OrdersView) -> String {
    let mut parts = Vec::new();
    for (name, val) in [
        ("status", &v.query.status),
        ("customer", &v.query.customer_id),
        ("sales", &v.query.salesperson_id),
        ("q", &v.query.q),
    ] {
        if let Some(val) = val {
            parts.push(format!("{name}={val}"));
        }
    }
    if !v.text.is_empty() {
        parts.push(format!("/{}", v.text));
    }
    parts.join(" ")
}

fn list(app: &crate::app::App, f: &mut Frame, area: Rect) {
    let v = &app.orders;
    let shown = v.visible.len();
    let more = if v.total_is_lower_bound { "+" } else { "" };
    let mut title = format!("Orders {shown}/{}{more}", v.total.max(v.rows.len() as u64));
    if v.pages() > 1 {
        title.push_str(&format!(
            " · page {}/{}{more} ([ ])",
            v.query.page(),
            v.pages()
        ));
    }
    let filters = filters_label(v);
    if !filters.is_empty() {
        title.push_str(&format!(" [{filters}]"));
    }
    let inner = pane(f, area, title);
    if !v.loaded {
        note(f, inner, "Loading orders…");
        return;
    }
    if v.visible.is_empty() {
        let text = "No orders match. Esc clears the filter; :clear drops them all.";
        note(f, inner, text);
        return;
    }
    let wide = inner.width >= 100;
    let (start, end) = rows_in_view(&v.scroll, v.sel, shown, inner);
    // Salesperson and creation time where they fit.
    let cols = if wide { COLUMNS.len() } else { 4 };
    let header = COLUMNS[..cols].iter().enumerate().map(|(i, c)| {
        let mark = match v.sort {
            Some((col, desc)) if col == i => {
                if desc {
                    "▼"
                } else {
                    "▲"
                }
            }
            _ => "",
        };
        Cell::from(format!("{c}{mark}"))
    });
    let rows = v.visible[start..end].iter().map(|i| {
        let r = &v.rows[*i];
        let mut cells = vec![
            Cell::from(r.id.clone()),
            Cell::from(cut(&r.customer_name, 28)),
            Cell::from(Span::styled(
                r.status.name().to_string(),
                theme::status(r.status.known),
            )),
            // The amount in the credit check's colour: red when approving needs an override.
            Cell::from(
                Line::from(Span::styled(amount(r.total), credit_style(r.credit))).right_aligned(),
            ),
        ];
        if wide {
            cells.push(Cell::from(r.salesperson_id.clone()));
            cells.push(Cell::from(
                r.created_at
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
            ));
        }
        Row::new(cells)
    });
    let widths = &[11, REST, 24, 13, 10, 16][..cols];
    let table = list_table(rows, widths, Row::new(header), theme::selected());
    draw_table(f, inner, table, v.sel - start);
}

fn detail(app: &crate::app::App, f: &mut Frame, area: Rect) {
    let v = &app.orders;
    let id = v.detail_open.clone().unwrap_or_default();
    let inner = pane(f, area, format!("Order {id}"));
    let Some(d) = v.detail.as_ref().filter(|d| d.row.id == id) else {
        note(f, inner, "Loading order…");
        return;
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(d.row.customer_name.clone(), theme::title()),
            Span::styled(format!("  {}", d.row.customer_id), theme::muted()),
        ]),
        Line::from(vec![
            Span::styled("Status ", theme::muted()),
            Span::styled(
                d.row.status.name().to_string(),
                theme::status(d.row.status.known),
            ),
            Span::styled(format!("   Sales {}", d.row.salesperson_id), theme::muted()),
        ]),
        Line::raw(""),
    ];
    let table = line_table(d, inner.width as usize);
    let mut table = table.into_iter();
    if let Some(head) = table.next() {
        lines.push(Line::from(Span::styled(head, theme::header())));
    }
    lines.extend(table.map(Line::raw));
    lines.push(Line::from(vec![
        Span::styled("Subtotal ", theme::muted()),
        Span::raw(amount(d.sub_total)),
        Span::styled("  GST ", theme::muted()),
        Span::raw(amount(d.gst)),
        Span::styled("  Total ", theme::muted()),
        Span::styled(amount(d.row.total), theme::title()),
    ]));
    if !d.remarks.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("Remarks: {}", d.remarks),
            theme::muted(),
        )));
    }
    lines.extend(enrichment(d));
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled("Timeline", theme::header())));
    for t in &d.timeline {
        let when =
            t.at.map(|a| a.format("%m-%d %H:%M").to_string())
                .unwrap_or_default();
        let mut spans = vec![
            Span::styled(format!("{when:<11} "), theme::muted()),
            Span::styled(t.status.name().to_string(), theme::status(t.status.known)),
        ];
        if !t.actor.is_empty() {
            spans.push(Span::styled(format!(" by {}", t.actor), theme::muted()));
        }
        if !t.reason.is_empty() {
            spans.push(Span::raw(format!(" — {}", t.reason)));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    let avail = d.row.steps.as_deref().map(steps::offered);
    if app.read_only {
        lines.push(Line::from(Span::styled(
            "Read-only: no steps.",
            theme::warn(),
        )));
    } else if let Some(avail) = avail.filter(|a| !a.is_empty()) {
        let names: Vec<&str> = avail.iter().map(steps::Offer::label).collect();
        lines.push(Line::from(vec![
            Span::styled("t", theme::key()),
            Span::styled(" steps: ", theme::muted()),
            Span::raw(names.join(", ")),
        ]));
    } else if d.row.steps.is_none() {
        // The status changed since the order was read: its steps are being reloaded.
        lines.push(Line::from(Span::styled(
            "Steps: checking with the server…",
            theme::muted(),
        )));
    } else {
        lines.push(Line::from(Span::styled(
            "No step you may take now.",
            theme::muted(),
        )));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn credit_style(mark: Option<CreditMark>) -> Style {
    match mark {
        Some(CreditMark::Override) => theme::bad(),
        Some(CreditMark::Review) => theme::warn(),
        Some(CreditMark::Passed) | None => Style::default(),
    }
}

/// The credit check's verdict, then what the queued jobs stored on the order: the credit
/// insight and the proposed route cost, each saying when a fallback (the rules, the offline
/// city table) answered.
fn enrichment(d: &OrderDetail) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(c) = &d.credit_check {
        let mark = CreditMark::of(c);
        let mut spans = vec![
            Span::styled("Credit check ", theme::muted()),
            Span::styled(
                c.summary.clone(),
                match mark {
                    CreditMark::Passed => theme::ok(),
                    other => credit_style(Some(other)),
                },
            ),
        ];
        if c.override_required {
            spans.push(Span::styled(
                " · approval needs an override (credit_override)",
                theme::muted(),
            ));
        }
        out.push(Line::from(spans));
    }
    if let Some(i) = &d.insight {
        let mut spans = vec![
            Span::styled("Credit insight ", theme::muted()),
            Span::styled(format!("{} · {}", i.risk_score, i.decision), theme::title()),
            Span::styled(format!(" · {}", i.source.as_str()), theme::muted()),
        ];
        if let Some(why) = &i.fallback_reason {
            spans.push(Span::styled(format!(" ({why})"), theme::warn()));
        }
        out.push(Line::from(spans));
    }
    if let Some(p) = &d.proposal {
        let mut spans = vec![Span::styled("Route ", theme::muted())];
        match p.distance_km {
            Some(km) => {
                spans.push(Span::raw(format!(
                    "{} → {} {} km",
                    p.origin,
                    p.destination,
                    km.round_dp(0)
                )));
                if p.is_fallback {
                    spans.push(Span::styled(" (offline table)", theme::warn()));
                }
                let cheapest: Vec<String> = p
                    .options
                    .iter()
                    .take(2)
                    .map(|o| {
                        format!(
                            "{} {} {}",
                            o.vehicle_type.as_str(),
                            amount(o.cost.amount()),
                            format!("{:?}", o.assessment.band).to_uppercase()
                        )
                    })
                    .collect();
                spans.push(Span::styled(
                    format!(" · {}", cheapest.join(", ")),
                    theme::muted(),
                ));
                if let Some(v) = p.recommended {
                    spans.push(Span::styled(
                        format!(" · use {}", v.as_str()),
                        theme::title(),
                    ));
                }
            }
            None => spans.push(Span::styled("no distance", theme::warn())),
        }
        out.push(Line::from(spans));
        if let Some(why) = &p.reason {
            out.push(Line::from(Span::styled(format!("  {why}"), theme::muted())));
        }
    }
    out
}

/// The longest product column the line table uses: wider only spreads the numbers away
/// from the names.
const NAME_MAX: usize = 40;
/// Below this product width the GST and then the price column give way.
const NAME_MIN: usize = 12;

/// The order's lines as text rows (header first) no wider than `width`, so the detail's
/// paragraph never wraps a row onto a second line (the Total column used to wrap in the
/// half-width pane at 120 columns). Number columns are as wide as their widest value; the
/// product name takes what is left, and GST, then price, are dropped when too little is left.
fn line_table(d: &OrderDetail, width: usize) -> Vec<String> {
    let qty: Vec<String> = d
        .lines
        .iter()
        .map(|l| l.quantity.normalize().to_string())
        .collect();
    let price: Vec<String> = d.lines.iter().map(|l| amount(l.price)).collect();
    let gst: Vec<String> = d
        .lines
        .iter()
        .map(|l| format!("{}%", l.gst_rate.normalize()))
        .collect();
    let total: Vec<String> = d.lines.iter().map(|l| amount(l.total)).collect();
    let w = |title: &str, cells: &[String]| {
        cells
            .iter()
            .map(|c| c.chars().count())
            .chain([title.chars().count()])
            .max()
            .unwrap_or(0)
    };
    let (qw, pw, gw, tw) = (
        w("Qty", &qty),
        w("Price", &price),
        w("GST", &gst),
        w("Total", &total),
    );
    // Layouts in order of preference: roomy gaps, tight gaps, without GST, without price.
    let layouts = [
        (2, true, true),
        (1, true, true),
        (1, true, false),
        (1, false, false),
    ];
    let fixed = |(gap, show_price, show_gst): (usize, bool, bool)| {
        gap + qw
            + usize::from(show_price) * (gap + pw)
            + usize::from(show_gst) * (gap + gw)
            + gap
            + tw
    };
    let layout = layouts
        .into_iter()
        .find(|l| width.saturating_sub(fixed(*l)) >= NAME_MIN)
        .unwrap_or(layouts[3]);
    let (gap, show_price, show_gst) = layout;
    let nw = width.saturating_sub(fixed(layout)).clamp(1, NAME_MAX);
    let sep = " ".repeat(gap);
    let row = |name: &str, q: &str, p: &str, g: &str, t: &str| {
        let mut out = format!("{:<nw$}{sep}{q:>qw$}", cut(name, nw));
        if show_price {
            out.push_str(&format!("{sep}{p:>pw$}"));
        }
        if show_gst {
            out.push_str(&format!("{sep}{g:>gw$}"));
        }
        out.push_str(&format!("{sep}{t:>tw$}"));
        // Only a terminal narrower than the numbers themselves gets here: cut, never wrap.
        cut(&out, width)
    };
    let mut out = vec![row("Line", "Qty", "Price", "GST", "Total")];
    for (i, l) in d.lines.iter().enumerate() {
        out.push(row(&l.product, &qty[i], &price[i], &gst[i], &total[i]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, status: &str, total: f64) -> OrderRow {
        OrderRow {
            id: id.into(),
            customer_name: format!("Customer {id}"),
            status: Status::parse(status),
            total: rust_decimal::Decimal::try_from(total).unwrap(),
            steps: Some(vec![nexus_core::wire::AvailableStep::new(
                "cancel",
                None,
                "POST",
                id,
                "cancel",
                serde_json::json!({}),
            )]),
            ..OrderRow::default()
        }
    }

    /// A view with these rows loaded, all the server has.
    pub(super) fn loaded(rows: Vec<OrderRow>) -> OrdersView {
        let mut v = OrdersView::default();
        let total = ListTotal::exact(rows.len() as u64);
        v.set_rows(rows, total);
        v
    }

    #[test]
    fn sorting_keeps_the_cursor_on_its_order() {
        let mut v = loaded(vec![
            row("ORD-3", "Delivered", 5.0),
            row("ORD-1", "On Hold", 9.0),
            row("ORD-2", "Cancelled", 1.0),
        ]);
        v.sel = 1; // ORD-1
        v.key(Key::Char('4'), true);
        assert_eq!(v.selected().unwrap().id, "ORD-1");
        let ids: Vec<_> = v.visible.iter().map(|i| v.rows[*i].id.clone()).collect();
        assert_eq!(ids, ["ORD-2", "ORD-3", "ORD-1"]);
        v.key(Key::Char('4'), true);
        assert_eq!(v.rows[v.visible[0]].id, "ORD-1");
    }

    #[test]
    fn pages_move_through_the_server_list() {
        let mut v = OrdersView::default();
        v.set_rows(vec![row("ORD-1", "On Hold", 1.0)], ListTotal::exact(1200));
        assert_eq!(v.pages(), 3);
        assert!(matches!(
            v.key(Key::Char('['), true),
            ViewOutcome::Message(..)
        ));
        match v.key(Key::Char(']'), true) {
            ViewOutcome::Commands(c) => {
                assert!(
                    matches!(&c[0], Command::LoadOrders(q) if q.page == 2 && q.params().contains(&("page", "2".into())))
                )
            }
            other => panic!("{other:?}"),
        }
        // A live order does not land on page 2, but it counts.
        v.upsert(row("ORD-9", "On Hold", 1.0));
        assert_eq!(v.rows.len(), 1);
        assert_eq!(v.total, 1201);
    }

    #[test]
    fn live_rows_respect_the_filters() {
        let mut v = OrdersView {
            query: OrderQuery {
                status: Some("On Hold".into()),
                ..OrderQuery::default()
            },
            ..OrdersView::default()
        };
        v.set_rows(vec![row("ORD-1", "On Hold", 1.0)], ListTotal::exact(1));
        v.upsert(row("ORD-2", "Pending Credit Approval", 1.0));
        assert_eq!(v.rows.len(), 1);
        v.upsert(row("ORD-3", "On Hold", 1.0));
        assert_eq!(v.rows[0].id, "ORD-3");
        // Leaving the filtered status drops the row.
        v.set_status("ORD-1", &Status::parse("Rejected"));
        assert_eq!(v.rows.len(), 1);
        assert_eq!(v.total, 1);
    }

    #[test]
    fn text_filter_narrows_and_read_only_blocks_steps() {
        let mut v = loaded(vec![
            row("ORD-1", "Pending Credit Approval", 1.0),
            row("ORD-2", "On Hold", 1.0),
        ]);
        v.set_text("hold");
        assert_eq!(v.visible.len(), 1);
        assert!(matches!(
            v.key(Key::Char('t'), false),
            ViewOutcome::Message(Level::Error, _)
        ));
        assert!(matches!(
            v.key(Key::Char('t'), true),
            ViewOutcome::Overlay(Overlay::Steps { .. })
        ));
    }
}

#[cfg(test)]
mod step_tests {
    use super::tests::loaded;
    use super::*;
    use nexus_core::model::OrderStatus;
    use nexus_core::wire::AvailableStep;
    use rust_decimal::Decimal;
    use serde_json::json;

    fn with_steps(id: &str, status: OrderStatus, codes: &[&str]) -> OrderRow {
        OrderRow {
            id: id.into(),
            status: Status::of(status),
            steps: Some(
                codes
                    .iter()
                    .map(|c| AvailableStep::new(*c, None, "POST", id, c, json!({})))
                    .collect(),
            ),
            ..OrderRow::default()
        }
    }

    fn overlay_codes(out: ViewOutcome) -> Vec<String> {
        match out {
            ViewOutcome::Overlay(Overlay::Steps { steps, .. }) => {
                steps.into_iter().map(|o| o.step.step).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_steps_offered_are_the_servers_and_a_status_change_makes_them_unknown() {
        let mut v = loaded(vec![with_steps(
            "ORD-1",
            OrderStatus::PendingCreditApproval,
            &["credit_hold", "cancel"],
        )]);
        assert_eq!(
            overlay_codes(v.key(Key::Char('t'), true)),
            ["credit_hold", "cancel"]
        );

        // A live status change: the steps were for the old status.
        v.set_status("ORD-1", &Status::of(OrderStatus::OnHold));
        assert_eq!(v.rows[0].steps, None);
        match v.key(Key::Char('t'), true) {
            ViewOutcome::Load(cmds, Level::Info, _) => {
                assert!(matches!(&cmds[..], [Command::LoadOrder(id)] if id == "ORD-1"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(v.steps_wanted.as_deref(), Some("ORD-1"));

        // The reload replaces the row with the server's answer for the new status.
        v.set_detail(OrderDetail {
            row: with_steps("ORD-1", OrderStatus::OnHold, &["release_hold"]),
            ..OrderDetail::default()
        });
        assert_eq!(overlay_codes(v.key(Key::Char('t'), true)), ["release_hold"]);
        // An empty list is "nothing you may do", not "unknown".
        v.set_detail(OrderDetail {
            row: with_steps("ORD-1", OrderStatus::OnHold, &[]),
            ..OrderDetail::default()
        });
        assert!(matches!(
            v.key(Key::Char('t'), true),
            ViewOutcome::Message(Level::Info, m) if m.contains("No step")
        ));
    }

    #[test]
    fn the_line_table_fits_the_width_it_is_given() {
        let line = |name: &str, total: i64| crate::dto::OrderLine {
            product: name.into(),
            quantity: Decimal::from(10),
            price: Decimal::from(450),
            gst_rate: Decimal::from(5),
            total: Decimal::from(total),
            ..crate::dto::OrderLine::default()
        };
        let d = OrderDetail {
            lines: vec![
                line("Frozen Vannamei Prawns 500g, cleaned and deveined", 4500),
                line("Basa", 1_234_567),
            ],
            ..OrderDetail::default()
        };
        for width in [20, 30, 40, 52, 61, 78, 200] {
            let rows = line_table(&d, width);
            assert_eq!(rows.len(), 3);
            for r in &rows {
                assert!(r.chars().count() <= width, "{width}: `{r}`");
            }
            if width >= 30 {
                assert!(rows[2].ends_with("1,234,567.00"), "{width}: {rows:?}");
            }
        }
        assert!(line_table(&d, 52)[0].contains("GST"));
        assert!(!line_table(&d, 39)[0].contains("GST"));
        assert!(line_table(&d, 39)[0].contains("Price"));
        assert!(!line_table(&d, 30)[0].contains("Price"));
    }

    /// The order detail shows what the queued jobs stored, read from the API's own shape,
    /// and says when a fallback answered.
    #[test]
    fn the_detail_shows_the_stored_insight_and_route_proposal() {
        let d = OrderDetail::from_json(&serde_json::json!({
            "id": "ORD-7", "status": "Pending Logistics Cost",
            "creditInsight": {
                "riskScore": "HIGH", "decision": "FLAG FOR FINANCE REVIEW",
                "source": "rule-based fallback", "fallbackReason": "Gemini rate limit reached",
                "generatedBy": "job:JOB-000002", "isFallback": true
            },
            "logisticsProposal": {
                "origin": "Mumbai", "destination": "Delhi", "distanceKm": 1435.0,
                "distanceSource": "offline_table", "isFallback": true, "fallbackReason": null,
                "packedValue": 64000, "reason": null, "recommended": "Bike",
                "options": [
                    { "vehicleType": "Bike", "cost": 6088, "estimatedMinutes": 1435,
                      "assessment": { "ratioPct": 9.51, "band": "GREEN", "highCostAlert": false } },
                    { "vehicleType": "Van", "cost": 9875, "estimatedMinutes": 1435,
                      "assessment": { "ratioPct": 15.43, "band": "RED", "highCostAlert": true } }
                ],
                "fingerprint": "ab", "generatedAt": "2026-12-07T03:40:34.037Z",
                "generatedBy": "job:JOB-000003"
            }
        }))
        .unwrap();
        let text = enrichment_text(&d);
        assert_eq!(
            text,
            [
                "Credit insight HIGH · FLAG FOR FINANCE REVIEW · rule-based fallback (Gemini rate limit reached)",
                "Route Mumbai → Delhi 1435 km (offline table) · Bike 6,088.00 GREEN, Van 9,875.00 RED · use Bike",
            ]
        );
        // An odd enrichment does not lose the order.
        let odd = OrderDetail::from_json(&serde_json::json!({
            "id": "ORD-8", "creditInsight": "pending", "logisticsProposal": { "origin": 7 }
        }))
        .unwrap();
        assert_eq!((odd.insight, odd.proposal), (None, None));
    }

    fn enrichment_text(d: &OrderDetail) -> Vec<String> {
        enrichment(d)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    /// The credit queue sees what the booking's check found: the verdict in the detail and
    /// the amount coloured in the list.
    #[test]
    fn the_detail_and_the_list_show_the_credit_check() {
        let v = serde_json::json!({
            "id": "ORD-9", "status": "Pending Credit Approval", "total": 56700,
            "creditCheck": {
                "passed": false, "overrideRequired": true, "flags": ["over_limit", "overdue"],
                "summary": "Over the limit by ₹21,700; Overdue ₹5,000", "limit": 50000,
                "outstanding": 15000, "openOrders": 0, "orderTotal": 56700, "exposure": 71700,
                "overBy": 21700, "overdue": 5000, "checkedAt": "2026-12-07T03:40:34.037Z"
            }
        });
        let d = OrderDetail::from_json(&v).unwrap();
        let text = enrichment_text(&d);
        assert_eq!(
            text,
            [
                "Credit check Over the limit by ₹21,700; Overdue ₹5,000 · approval needs an override (credit_override)"
            ]
        );
        assert_eq!(
            OrderRow::from_json(&v).unwrap().credit,
            Some(CreditMark::Override)
        );
        assert_eq!(credit_style(Some(CreditMark::Override)), theme::bad());
        // Orders booked before the check existed carry none.
        let old = OrderRow::from_json(&serde_json::json!({"id": "ORD-1"})).unwrap();
        assert_eq!(old.credit, None);
    }
}
