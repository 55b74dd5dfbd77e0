//! Events: the live stream as it arrives, newest first, filterable by topic and text.

use crate::dto::WireEvent;
use crate::keys::Key;
use crate::theme;
use crate::views::{REST, draw_table, list_table, note, pane, rows_in_view};
use crate::widgets::{Scroll, move_sel, text_matches};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};
use std::collections::VecDeque;

/// Events kept in memory; older ones fall off.
pub const KEEP: usize = 2000;

const TOPICS: [Option<&str>; 5] = [
    None,
    Some("orders"),
    Some("jobs"),
    Some("stock"),
    Some("alerts"),
];

#[derive(Debug, Default)]
pub struct EventsView {
    pub events: VecDeque<(DateTime<Utc>, WireEvent)>,
    pub text: String,
    pub topic: usize,
    pub sel: usize,
    pub scroll: Scroll,
}

impl EventsView {
    pub fn push(&mut self, ev: WireEvent, now: DateTime<Utc>) {
        let at = ev.at.unwrap_or(now);
        self.events.push_front((at, ev));
        self.events.truncate(KEEP);
        // Keep the cursor on the event it was on when reading older ones.
        if self.sel > 0 {
            self.sel = (self.sel + 1).min(self.events.len() - 1);
        }
    }

    pub fn set_text(&mut self, text: &str) {
        self.text = text.to_string();
        self.sel = 0;
    }

    pub fn shown(&self) -> Vec<&(DateTime<Utc>, WireEvent)> {
        let needle = self.text.to_lowercase();
        let topic = TOPICS[self.topic];
        self.events
            .iter()
            .filter(|(_, e)| {
                topic.is_none_or(|t| e.topic == t || e.kind.starts_with(&t[..t.len() - 1]))
            })
            .filter(|(_, e)| text_matches(&needle, &[&e.kind, &e.summary()]))
            .collect()
    }

    pub fn key(&mut self, key: Key) {
        let len = self.shown().len();
        if let Some(sel) = move_sel(key, self.sel, len, self.scroll.page()) {
            self.sel = sel;
            return;
        }
        match key {
            Key::Char('t') => {
                self.topic = (self.topic + 1) % TOPICS.len();
                self.sel = 0;
            }
            Key::Char('c') => {
                self.events.clear();
                self.sel = 0;
            }
            _ => {}
        }
    }
}

pub fn render(app: &crate::app::App, f: &mut Frame, area: Rect) {
    let v = &app.events;
    let shown = v.shown();
    let topic = TOPICS[v.topic].unwrap_or("all");
    let inner = pane(f, area, format!("Events {} · topic {topic}", shown.len()));
    if shown.is_empty() {
        note(f, inner, "Waiting for events… (t: topic, /: filter)");
        return;
    }
    let (start, end) = rows_in_view(&v.scroll, v.sel, shown.len(), inner);
    let rows = shown[start..end].iter().map(|(at, e)| {
        let style = match e.kind.as_str() {
            k if k.starts_with("alert") || k.starts_with("packaging") => theme::warn(),
            "job:finished" if e.payload().status != "succeeded" => theme::bad(),
            k if k.starts_with("job") => theme::info(),
            _ => theme::accent(),
        };
        Row::new(vec![
            Cell::from(Span::styled(
                at.format("%H:%M:%S").to_string(),
                theme::muted(),
            )),
            Cell::from(Span::styled(e.kind.clone(), style)),
            Cell::from(e.summary()),
        ])
    });
    let header = Row::new(["Time", "Event", "What"]);
    let table = list_table(rows, &[8, 21, REST], header, theme::selected());
    draw_table(f, inner, table, v.sel - start);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn topic_and_text_filters() {
        let mut v = EventsView::default();
        let now = Utc::now();
        let ev = |kind: &str, topic: &str, data| WireEvent {
            kind: kind.into(),
            topic: topic.into(),
            data,
            at: None,
        };
        v.push(
            ev("order:created", "orders", json!({"orderId": "ORD-9"})),
            now,
        );
        v.push(ev("job:progress", "jobs", json!({"jobId": "JOB-1"})), now);
        v.push(
            ev(
                "alert:expiry",
                "alerts",
                json!({"bucket": "within30", "count": 1, "batches": [{"productName": "Prawns"}]}),
            ),
            now,
        );
        assert_eq!(v.shown().len(), 3);
        v.key(Key::Char('t'));
        assert_eq!(v.shown().len(), 1);
        v.key(Key::Char('t'));
        v.key(Key::Char('t'));
        v.key(Key::Char('t'));
        assert_eq!(v.shown()[0].1.kind, "alert:expiry");
        v.key(Key::Char('t'));
        v.set_text("ord-9");
        assert_eq!(v.shown().len(), 1);
    }
}
