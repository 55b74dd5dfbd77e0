//! Overlays drawn over the view: help, command palette, filter bar, the step menu, the
//! step's form and the confirmation.

use crate::app::{Confirm, Overlay};
use crate::steps::FieldKind;
use crate::theme;
use crate::views::{block, hints};
use crate::widgets::popup;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

pub fn render(o: &Overlay, f: &mut Frame, area: Rect) {
    match o {
        Overlay::Help { scroll } => help(f, area, *scroll),
        Overlay::Palette { text, sel } => palette(f, area, text, *sel),
        Overlay::Filter { text } => {
            let r = Rect {
                y: area.bottom().saturating_sub(1),
                height: 1,
                ..area
            };
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::styled(format!("/{text}"), theme::accent()),
                    Span::styled("▏", theme::accent()),
                    Span::styled("  Enter keep · Esc clear", theme::muted()),
                ])),
                r,
            );
        }
        Overlay::Steps {
            order_id,
            steps,
            sel,
        } => {
            let h = steps.len() as u16 + 4;
            let r = popup(area, 50, h);
            f.render_widget(Clear, r);
            let mut lines: Vec<Line> = steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let style = if i == *sel {
                        theme::selected()
                    } else {
                        Default::default()
                    };
                    Line::from(vec![
                        Span::styled(format!(" {} ", i + 1), theme::key()),
                        Span::styled(s.label().to_string(), style),
                    ])
                })
                .collect();
            lines.push(Line::raw(""));
            lines.push(hints(&[("Enter", "choose"), ("Esc", "close")]));
            f.render_widget(
                Paragraph::new(lines).block(block(format!("Steps for {order_id}"))),
                r,
            );
        }
        Overlay::Form(form) => {
            let h = form.offer.fields().len() as u16 + 6;
            let r = popup(area, 64, h);
            f.render_widget(Clear, r);
            let mut lines: Vec<Line> = form
                .offer
                .fields()
                .iter()
                .zip(&form.values)
                .enumerate()
                .map(|(i, (field, value))| {
                    let focused = i == form.focus;
                    let mark = if field.required { "*" } else { " " };
                    let shown = match field.kind {
                        FieldKind::Bool(_) => format!("[{value}]"),
                        _ if focused => format!("{value}▏"),
                        _ => value.clone(),
                    };
                    Line::from(vec![
                        Span::styled(format!("{:>26}{mark} ", field.label), theme::muted()),
                        Span::styled(
                            shown,
                            if focused {
                                theme::selected()
                            } else {
                                Default::default()
                            },
                        ),
                    ])
                })
                .collect();
            lines.push(Line::raw(""));
            match &form.error {
                Some(e) => lines.push(Line::from(Span::styled(e.clone(), theme::bad()))),
                None => lines.push(hints(&[
                    ("Tab", "field"),
                    ("Enter", "review"),
                    ("Esc", "cancel"),
                ])),
            }
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(block(format!("{} · {}", form.offer.label(), form.order_id))),
                r,
            );
        }
        Overlay::Confirm(c) => {
            let (title, mut lines) = match c {
                Confirm::Step { form, body } => {
                    let mut lines = vec![Line::from(vec![
                        Span::raw(format!("{} on ", form.offer.label())),
                        Span::styled(form.order_id.clone(), theme::title()),
                        Span::raw("?"),
                    ])];
                    if let serde_json::Value::Object(m) = body {
                        for (k, v) in m {
                            lines.push(Line::from(Span::styled(
                                format!(
                                    "  {k}: {}",
                                    v.as_str()
                                        .map(str::to_string)
                                        .unwrap_or_else(|| v.to_string())
                                ),
                                theme::muted(),
                            )));
                        }
                    }
                    ("Confirm".to_string(), lines)
                }
                Confirm::Job { job_id, action } => (
                    "Confirm".to_string(),
                    vec![Line::raw(format!("{} job {job_id}?", action.label()))],
                ),
            };
            lines.push(Line::raw(""));
            lines.push(hints(&[("y", "yes, send"), ("n", "no"), ("Esc", "back")]));
            let r = popup(area, 60, lines.len() as u16 + 2);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(block(title)),
                r,
            );
        }
    }
}

fn help(f: &mut Frame, area: Rect, scroll: u16) {
    let r = popup(area, 90, area.height);
    f.render_widget(Clear, r);
    let mut lines = Vec::new();
    for (section, keys) in crate::help::KEYS {
        lines.push(Line::from(Span::styled(
            section.to_string(),
            theme::header(),
        )));
        for (keys, what) in *keys {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<26}"), theme::key()),
                Span::raw(what.to_string()),
            ]));
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block("Keys (j/k scroll, any key closes)".into())),
        r,
    );
}

fn palette(f: &mut Frame, area: Rect, text: &str, sel: usize) {
    let found = crate::palette::matches(text);
    let h = (found.len() as u16 + 3).min(area.height);
    let r = Rect {
        height: h,
        ..popup(area, 70, h)
    };
    let r = Rect { y: area.y + 1, ..r };
    f.render_widget(Clear, r);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(":{text}"), theme::accent()),
        Span::styled("▏", theme::accent()),
    ])];
    for (i, c) in found.iter().enumerate() {
        let style = if i == sel {
            theme::selected()
        } else {
            Default::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} {}", c.name, c.args), style),
            Span::styled(format!("  {}", c.help), theme::muted()),
        ]));
    }
    f.render_widget(Paragraph::new(lines).block(block("Command".into())), r);
}
