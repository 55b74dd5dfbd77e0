//! Drawing: the frame chrome (title line, footer), the current view and the overlays.
//! Every view keeps its own state and key handling next to its drawing.

pub mod credit;
pub mod dashboard;
pub mod events;
pub mod jobs;
pub mod login;
pub mod orders;
pub mod overlays;
pub mod stock;

use crate::app::{App, Level, LiveState, Screen, ViewId};
use crate::theme;
use crate::widgets::Scroll;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState};

/// Draws the whole console.
pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    if let Screen::Login(form) = &app.screen {
        login::render(app, form, f, area);
        return;
    }
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    title_line(app, f, top);
    match app.view {
        ViewId::Dashboard => dashboard::render(app, f, body),
        ViewId::Orders => orders::render(app, f, body),
        ViewId::Jobs => jobs::render(app, f, body),
        ViewId::Stock => stock::render(app, f, body),
        ViewId::Credit => credit::render(app, f, body),
        ViewId::Events => events::render(app, f, body),
    }
    footer(app, f, bottom);
    if let Some(o) = &app.overlay {
        overlays::render(o, f, body);
    }
}

fn title_line(app: &App, f: &mut Frame, area: Rect) {
    // Under 100 columns the right side is kept short so the view name always shows.
    let narrow = area.width < 100;
    let live = match &app.live {
        LiveState::Live => Span::styled("● live", theme::ok()),
        LiveState::Off => Span::styled("○ offline", theme::muted()),
        LiveState::Connecting { attempt } => {
            Span::styled(format!("◌ connecting ({attempt})"), theme::warn())
        }
        LiveState::Down {
            retry_at, attempt, ..
        } => {
            // A wall-clock time, not a countdown: the screen is redrawn on events, not on a
            // timer, so a countdown would stand still.
            let at = retry_at.format("%H:%M:%S");
            let text = if narrow {
                format!("○ retry {attempt} at {at}")
            } else {
                format!("○ disconnected, retry {attempt} at {at}")
            };
            Span::styled(text, theme::bad())
        }
    };
    let user = app
        .user
        .as_ref()
        .map(|u| {
            if narrow {
                u.id.clone()
            } else {
                format!("{} ({})", u.id, u.role)
            }
        })
        .unwrap_or_default();
    let mut right = vec![Span::styled(user, theme::muted()), Span::raw("  "), live];
    if app.read_only {
        right.insert(0, Span::styled("READ-ONLY  ", theme::warn()));
    }
    let right = Line::from(right);
    let width = right.width() as u16;
    let [l, r] = Layout::horizontal([Constraint::Min(1), Constraint::Length(width)]).areas(area);
    let mut left = vec![Span::styled(
        format!(" NexusOMS · {} ", app.view.name()),
        theme::title(),
    )];
    for v in ViewId::ALL {
        if v != app.view && l.width > 60 {
            left.push(Span::styled(format!(" {}", v.name()), theme::muted()));
        }
    }
    f.render_widget(Paragraph::new(Line::from(left)), l);
    f.render_widget(Paragraph::new(right), r);
}

fn footer(app: &App, f: &mut Frame, area: Rect) {
    let line = match &app.message {
        Some((level, text)) => {
            let style = match level {
                Level::Info => theme::accent(),
                Level::Ok => theme::ok(),
                Level::Error => theme::bad(),
            };
            Line::from(Span::styled(text.clone(), style))
        }
        None => hints(&[
            ("?", "help"),
            (":", "command"),
            ("/", "filter"),
            ("Tab", "view"),
            ("Enter", "detail"),
            ("q", "back"),
        ]),
    };
    f.render_widget(Paragraph::new(line), area);
}

/// A line of `key label` hints.
pub fn hints(pairs: &[(&str, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (k, label) in pairs {
        spans.push(Span::styled(format!(" {k}"), theme::key()));
        spans.push(Span::styled(format!(" {label} "), theme::muted()));
    }
    Line::from(spans)
}

/// A muted note in place of a list or a detail: "Loading …", "No …".
pub fn note(f: &mut Frame, area: Rect, text: &str) {
    f.render_widget(Paragraph::new(text).style(theme::muted()), area);
}

/// The rows of a list that fit in `area` under a table's header line: `(start, end)`, kept
/// around the selection `sel` by `scroll`.
pub fn rows_in_view(scroll: &Scroll, sel: usize, len: usize, area: Rect) -> (usize, usize) {
    scroll.window(sel, len, area.height.saturating_sub(1) as usize)
}

/// Width of the one column of a list table (a name, a message) that takes what the fixed
/// widths leave.
pub const REST: u16 = 0;

/// A list's table: the rows in view in columns of `widths` ([`REST`] for the column that
/// takes the rest) under `header`, the selected row drawn in `highlight`.
pub fn list_table<'a>(
    rows: impl IntoIterator<Item = Row<'a>>,
    widths: &[u16],
    header: Row<'a>,
    highlight: Style,
) -> Table<'a> {
    let widths = widths.iter().map(|&w| match w {
        REST => Constraint::Fill(1),
        w => Constraint::Length(w),
    });
    Table::new(rows, widths)
        .header(header.style(theme::header()))
        .row_highlight_style(highlight)
}

/// Draws a list's table with the row `selected` (its index among the rows in view) selected.
pub fn draw_table(f: &mut Frame, area: Rect, table: Table<'_>, selected: usize) {
    let mut state = TableState::default().with_selected(Some(selected));
    f.render_stateful_widget(table, area, &mut state);
}

/// Draws a titled pane; returns the area inside its border.
pub fn pane(f: &mut Frame, area: Rect, title: String) -> Rect {
    let b = block(title);
    let inner = b.inner(area);
    f.render_widget(b, area);
    inner
}

/// A bordered block with a title, used by every pane.
pub fn block(title: String) -> ratatui::widgets::Block<'static> {
    ratatui::widgets::Block::bordered()
        .border_style(theme::muted())
        .title(Span::styled(format!(" {title} "), theme::title()))
}
