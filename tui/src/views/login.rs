//! The sign-in form: e-mail (or user id) and password, the password shown as dots.

use crate::app::{App, LoginForm};
use crate::theme;
use crate::widgets::popup;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

pub fn render(app: &App, form: &LoginForm, f: &mut Frame, area: Rect) {
    let box_area = popup(area, 60, 12);
    f.render_widget(Clear, box_area);
    let field = |label: &str, value: String, focused: bool| {
        let style = if focused {
            theme::selected()
        } else {
            ratatui::style::Style::new()
        };
        Line::from(vec![
            Span::styled(format!("{label:>10} "), theme::muted()),
            Span::styled(format!("{value:<30}"), style),
        ])
    };
    let email_label = if form.locked_email { "User" } else { "E-mail" };
    let mut lines = vec![
        Line::from(Span::styled(format!("API {}", app.api_url), theme::muted())),
        Line::raw(""),
        field(
            email_label,
            form.email.clone(),
            !form.focus_password && !form.locked_email,
        ),
        field(
            "Password",
            "•".repeat(form.password.chars().count()),
            form.focus_password,
        ),
        Line::raw(""),
    ];
    if form.busy {
        lines.push(Line::from(Span::styled("Signing in…", theme::accent())));
    } else if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(e.clone(), theme::bad())));
    } else {
        lines.push(crate::views::hints(&[
            ("Tab", "field"),
            ("Enter", "sign in"),
            ("Ctrl-C", "quit"),
        ]));
    }
    if app.read_only {
        lines.push(Line::from(Span::styled(
            "Read-only: the console will not change anything.",
            theme::warn(),
        )));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(crate::views::block("NexusOMS · Sign in".into())),
        box_area,
    );
}
