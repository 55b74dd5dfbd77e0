//! The dashboard: orders per lifecycle stage, orders per hour over the last day, jobs
//! running and failed, and the latest alerts. Counts come from the API once and then move
//! with the live events, so the dashboard stays current without polling.

use crate::app::{App, DashboardData};
use crate::dto::Status;
use crate::theme;
use crate::views::{hints, pane};
use crate::widgets::cut;
use chrono::{DateTime, Utc};
use nexus_core::wire::Stage;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};
use std::collections::VecDeque;

/// The short label of each lifecycle stage. The stages themselves, the statuses in each and
/// their `stageCounts` keys are core's (`nexus_core::wire::Stage`), as the API counts them.
pub fn label(stage: Stage) -> &'static str {
    match stage {
        Stage::CreditApproval => "Credit",
        Stage::WhSelection => "WH select",
        Stage::Packing => "Packing",
        Stage::Qc => "QC",
        Stage::LogisticsCost => "Log. cost",
        Stage::Invoicing => "Invoicing",
        Stage::Dispatch => "Dispatch",
        Stage::Delivery => "Delivery",
        Stage::Delivered => "Delivered",
        Stage::Closed => "Closed",
    }
}

/// The stage an order counts under; none for a status this build does not know.
pub fn stage_of(status: &Status) -> Option<Stage> {
    status.known.map(Stage::of)
}

#[derive(Debug, Default)]
pub struct Dashboard {
    pub stages: Vec<(String, u64)>,
    pub recent: Vec<DateTime<Utc>>,
    pub alerts: VecDeque<(DateTime<Utc>, String)>,
    pub loaded: bool,
    pub error: Option<String>,
}

impl Dashboard {
    pub fn apply(&mut self, r: Result<DashboardData, String>) {
        match r {
            Ok(d) => {
                self.stages = d.stages;
                self.recent = d.recent;
                self.loaded = true;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn bump(&mut self, status: &Status, delta: i64) {
        if let Some(stage) = stage_of(status) {
            let key = stage.key();
            match self.stages.iter_mut().find(|(k, _)| k == key) {
                Some((_, n)) => *n = n.saturating_add_signed(delta),
                None if delta > 0 => self.stages.push((key.to_string(), delta as u64)),
                None => {}
            }
        }
    }

    pub fn order_created(&mut self, status: &Status, at: DateTime<Utc>) {
        self.bump(status, 1);
        // Only the last day is drawn: older times go, so a console open for weeks does
        // not keep every order's time.
        self.recent
            .retain(|t| at.signed_duration_since(*t) < chrono::Duration::hours(24));
        self.recent.push(at);
    }

    pub fn status_changed(&mut self, old: &Status, new: &Status) {
        if !old.same(new) {
            self.bump(old, -1);
            self.bump(new, 1);
        }
    }

    pub fn alert(&mut self, text: String, at: DateTime<Utc>) {
        self.alerts.push_front((at, text));
        self.alerts.truncate(50);
    }

    /// Orders created in each of the last 24 hours, oldest first.
    pub fn per_hour(&self, now: DateTime<Utc>) -> Vec<u64> {
        let mut buckets = vec![0u64; 24];
        for t in &self.recent {
            let age = (now - *t).num_hours();
            if (0..24).contains(&age) {
                buckets[23 - age as usize] += 1;
            }
        }
        buckets
    }
}

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let d = &app.dashboard;
    let [top, spark] = Layout::vertical([Constraint::Min(6), Constraint::Length(5)]).areas(area);
    let [stages_area, side] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(top);

    // Orders per stage, as labelled bars scaled to the largest stage.
    let inner = pane(f, stages_area, "Orders by stage".into());
    let max = Stage::ALL
        .iter()
        .map(|s| count(d, s.key()))
        .max()
        .unwrap_or(0)
        .max(1);
    let bar_w = inner.width.saturating_sub(17) as u64;
    let mut lines: Vec<Line> = Stage::ALL
        .iter()
        .map(|s| {
            let n = count(d, s.key());
            let len = (n * bar_w).div_ceil(max) as usize;
            let label = label(*s);
            let style = if *s == Stage::Closed {
                theme::muted()
            } else {
                theme::accent()
            };
            Line::from(vec![
                Span::raw(format!("{label:<10}")),
                Span::styled(format!("{n:>5} "), theme::title()),
                Span::styled("█".repeat(len), style),
            ])
        })
        .collect();
    if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(cut(e, 60), theme::bad())));
    } else if !d.loaded {
        lines.push(Line::from(Span::styled("Loading…", theme::muted())));
    }
    f.render_widget(Paragraph::new(lines), inner);

    // Jobs and alerts.
    let inner = pane(f, side, "Jobs & alerts".into());
    let (running, queued, failed) = app.jobs.counts();
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Jobs ", theme::muted()),
            Span::styled(format!("{running} running"), theme::accent()),
            Span::raw("  "),
            Span::styled(format!("{queued} queued"), theme::muted()),
            Span::raw("  "),
            Span::styled(
                format!("{failed} failed"),
                if failed > 0 {
                    theme::bad()
                } else {
                    theme::ok()
                },
            ),
        ]),
        Line::from(vec![
            Span::styled("Expiring < 30 d  ", theme::muted()),
            Span::styled(app.stock.expiring_within(30).to_string(), theme::bad()),
        ]),
        Line::from(vec![
            Span::styled("Packaging ≤ MOQ  ", theme::muted()),
            Span::styled(app.stock.packaging.len().to_string(), theme::warn()),
        ]),
        Line::from(Span::styled("Alerts", theme::header())),
    ];
    let room = inner.width.saturating_sub(6) as usize;
    let rows = inner.height.saturating_sub(4) as usize;
    // Live alerts first, newest on top; then the standing ones the stock lists show (a
    // batch inside 30 days, packaging at or below MOQ), so the panel is useful from the
    // first second and not only after an event.
    let live = d.alerts.iter().map(|(at, text)| {
        Line::from(vec![
            Span::styled(at.format("%H:%M ").to_string(), theme::muted()),
            Span::styled(cut(text, room), theme::warn()),
        ])
    });
    let expiring = app.stock.batches.iter().filter(|b| b.days < 30).map(|b| {
        Line::from(vec![
            Span::styled(format!("{:>3}d  ", b.days), theme::bad()),
            Span::raw(cut(&format!("{} {}", b.product, b.batch), room)),
        ])
    });
    let packaging = app.stock.packaging.iter().map(|p| {
        Line::from(vec![
            Span::styled("MOQ   ", theme::warn()),
            Span::raw(cut(&format!("{} {}/{}", p.name, p.balance, p.moq), room)),
        ])
    });
    let standing: Vec<Line> = live.chain(expiring).chain(packaging).take(rows).collect();
    if standing.is_empty() {
        lines.push(Line::from(Span::styled("none", theme::muted())));
    }
    lines.extend(standing);
    f.render_widget(Paragraph::new(lines), inner);

    // Orders per hour.
    let data = d.per_hour(app.now);
    let total: u64 = data.iter().sum();
    let inner = pane(f, spark, format!("Orders per hour, last 24 h ({total})"));
    let [graph, keys] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    // One column per hour, stretched to the width (each hour drawn as several columns).
    let per = (graph.width as usize / 24).max(1);
    let wide: Vec<u64> = data
        .iter()
        .flat_map(|n| std::iter::repeat_n(*n, per))
        .collect();
    f.render_widget(
        Sparkline::default().data(&wide).style(theme::accent()),
        graph,
    );
    f.render_widget(
        Paragraph::new(hints(&[
            ("o", "orders"),
            ("j", "jobs"),
            ("s", "stock"),
            ("c", "credit"),
            ("e", "events"),
        ])),
        keys,
    );
}

fn count(d: &Dashboard, key: &str) -> u64 {
    d.stages
        .iter()
        .find(|(k, _)| k == key)
        .map_or(0, |(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn live_events_move_the_counts() {
        let now = Utc.with_ymd_and_hms(2026, 2, 12, 12, 0, 0).unwrap();
        let mut d = Dashboard::default();
        d.apply(Ok(DashboardData {
            stages: vec![("credit_approval".into(), 2)],
            recent: vec![now - chrono::Duration::minutes(90)],
        }));
        d.order_created(&Status::parse("Pending Credit Approval"), now);
        d.status_changed(
            &Status::parse("Pending Credit Approval"),
            &Status::parse("Pending WH Selection"),
        );
        // A legacy spelling counts where its status does; an unknown one nowhere.
        d.status_changed(&Status::parse("Pending"), &Status::parse("Teleported"));
        assert_eq!(count(&d, "credit_approval"), 1);
        assert_eq!(count(&d, "wh_selection"), 1);
        let hours = d.per_hour(now);
        assert_eq!(hours[23], 1);
        assert_eq!(hours[22], 1);
        assert_eq!(hours.iter().sum::<u64>(), 2);
    }
}
