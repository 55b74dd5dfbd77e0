//! Keys on the overlays (help, palette, filter, step menu, form, confirmation) and the
//! `:` commands.

use super::{App, Command, Confirm, Level, OrderQuery, Overlay, ViewId};
use crate::keys::Key;
use crate::steps::StepForm;

impl App {
    pub(super) fn overlay_key(&mut self, key: Key) -> Vec<Command> {
        let Some(overlay) = self.overlay.take() else {
            return Vec::new();
        };
        let (next, cmds) = self.overlay_step(overlay, key);
        self.overlay = next;
        cmds
    }

    /// One key on an overlay: the overlay that stays (None closes it) and the commands.
    fn overlay_step(&mut self, overlay: Overlay, key: Key) -> (Option<Overlay>, Vec<Command>) {
        match overlay {
            Overlay::Help { scroll } => match key {
                Key::Down | Key::Char('j') => (
                    Some(Overlay::Help {
                        scroll: scroll.saturating_add(1),
                    }),
                    Vec::new(),
                ),
                Key::Up | Key::Char('k') => (
                    Some(Overlay::Help {
                        scroll: scroll.saturating_sub(1),
                    }),
                    Vec::new(),
                ),
                _ => (None, Vec::new()),
            },
            Overlay::Palette { mut text, mut sel } => match key {
                Key::Esc => (None, Vec::new()),
                Key::Enter => {
                    let choice = crate::palette::matches(&text)
                        .get(sel)
                        .map(|c| c.name.to_string());
                    let line = match choice {
                        // A command with an argument runs as typed; a bare prefix runs the
                        // highlighted suggestion.
                        Some(name) if !text.contains(' ') => name,
                        _ => text.clone(),
                    };
                    (None, self.run_palette(&line))
                }
                Key::Up => {
                    sel = sel.saturating_sub(1);
                    (Some(Overlay::Palette { text, sel }), Vec::new())
                }
                Key::Down | Key::Tab => {
                    let n = crate::palette::matches(&text).len();
                    if n > 0 {
                        sel = (sel + 1) % n;
                    }
                    (Some(Overlay::Palette { text, sel }), Vec::new())
                }
                Key::Backspace => {
                    if text.pop().is_none() {
                        return (None, Vec::new());
                    }
                    (Some(Overlay::Palette { text, sel: 0 }), Vec::new())
                }
                Key::Char(c) => {
                    text.push(c);
                    (Some(Overlay::Palette { text, sel: 0 }), Vec::new())
                }
                _ => (Some(Overlay::Palette { text, sel }), Vec::new()),
            },
            Overlay::Filter { mut text } => match key {
                Key::Esc => {
                    self.set_filter("");
                    // A search the server ran is dropped too.
                    let cmds =
                        if self.view == ViewId::Orders && self.orders.query.q.take().is_some() {
                            vec![Command::LoadOrders(self.orders.query.clone())]
                        } else {
                            Vec::new()
                        };
                    (None, cmds)
                }
                Key::Enter => {
                    // On the order list the text also goes to the server, which searches
                    // beyond the loaded page.
                    let cmds = if self.view == ViewId::Orders {
                        self.orders.query.q =
                            (!text.trim().is_empty()).then(|| text.trim().to_string());
                        self.orders.query.page = 1;
                        vec![Command::LoadOrders(self.orders.query.clone())]
                    } else {
                        Vec::new()
                    };
                    (None, cmds)
                }
                Key::Backspace => {
                    text.pop();
                    self.set_filter(&text);
                    (Some(Overlay::Filter { text }), Vec::new())
                }
                Key::Char(c) => {
                    text.push(c);
                    self.set_filter(&text);
                    (Some(Overlay::Filter { text }), Vec::new())
                }
                _ => (Some(Overlay::Filter { text }), Vec::new()),
            },
            Overlay::Steps {
                order_id,
                steps,
                mut sel,
            } => match key {
                Key::Esc | Key::Char('q') => (None, Vec::new()),
                Key::Up | Key::Char('k') => {
                    sel = sel.saturating_sub(1);
                    (
                        Some(Overlay::Steps {
                            order_id,
                            steps,
                            sel,
                        }),
                        Vec::new(),
                    )
                }
                Key::Down | Key::Char('j') => {
                    if sel + 1 < steps.len() {
                        sel += 1;
                    }
                    (
                        Some(Overlay::Steps {
                            order_id,
                            steps,
                            sel,
                        }),
                        Vec::new(),
                    )
                }
                Key::Char(d) if d.is_ascii_digit() && d != '0' => {
                    let i = d as usize - '1' as usize;
                    match steps.get(i).cloned() {
                        Some(step) => (self.open_form(&order_id, step), Vec::new()),
                        None => (
                            Some(Overlay::Steps {
                                order_id,
                                steps,
                                sel,
                            }),
                            Vec::new(),
                        ),
                    }
                }
                Key::Enter => match steps.get(sel).cloned() {
                    Some(step) => (self.open_form(&order_id, step), Vec::new()),
                    None => (None, Vec::new()),
                },
                _ => (
                    Some(Overlay::Steps {
                        order_id,
                        steps,
                        sel,
                    }),
                    Vec::new(),
                ),
            },
            Overlay::Form(mut form) => match key {
                Key::Esc => (None, Vec::new()),
                Key::Enter => match form.body() {
                    Ok(body) => (
                        Some(Overlay::Confirm(Confirm::Step { form, body })),
                        Vec::new(),
                    ),
                    Err(e) => {
                        form.error = Some(e);
                        (Some(Overlay::Form(form)), Vec::new())
                    }
                },
                Key::Tab | Key::Down => {
                    form.next();
                    (Some(Overlay::Form(form)), Vec::new())
                }
                Key::BackTab | Key::Up => {
                    form.prev();
                    (Some(Overlay::Form(form)), Vec::new())
                }
                Key::Backspace => {
                    form.backspace();
                    (Some(Overlay::Form(form)), Vec::new())
                }
                Key::Char(c) => {
                    form.type_char(c);
                    (Some(Overlay::Form(form)), Vec::new())
                }
                _ => (Some(Overlay::Form(form)), Vec::new()),
            },
            Overlay::Confirm(confirm) => match key {
                Key::Char('y') | Key::Char('Y') => {
                    let cmd = match confirm {
                        Confirm::Step { form, body } => {
                            let label = form.offer.label().to_string();
                            self.set_message(Level::Info, format!("{label} on {}…", form.order_id));
                            Command::Step {
                                order_id: form.order_id,
                                label,
                                method: form.offer.step.method,
                                path: form.offer.step.path,
                                body,
                            }
                        }
                        Confirm::Job { job_id, action } => {
                            self.set_message(Level::Info, format!("{} {job_id}…", action.label()));
                            Command::Job { job_id, action }
                        }
                    };
                    (None, vec![cmd])
                }
                // Back to the form to change a value.
                Key::Char('n') | Key::Char('N') | Key::Esc => match confirm {
                    Confirm::Step { form, .. } if key == Key::Esc => {
                        (Some(Overlay::Form(form)), Vec::new())
                    }
                    _ => (None, Vec::new()),
                },
                _ => (Some(Overlay::Confirm(confirm)), Vec::new()),
            },
        }
    }

    /// The form of a step, or the confirmation when there is nothing to type; `None` with a
    /// message when the order lacks what the step needs.
    fn open_form(&mut self, order_id: &str, step: crate::steps::Offer) -> Option<Overlay> {
        let form = match StepForm::for_order(self.orders.detail.as_ref(), order_id, step) {
            Ok(f) => f,
            Err(e) => {
                self.set_message(Level::Error, e);
                return None;
            }
        };
        if !form.values.is_empty() {
            return Some(Overlay::Form(form));
        }
        // Nothing to fill in: straight to the confirmation.
        match form.body() {
            Ok(body) => Some(Overlay::Confirm(Confirm::Step { form, body })),
            Err(e) => {
                self.set_message(Level::Error, e);
                None
            }
        }
    }

    /// Runs a `:` command line.
    pub fn run_palette(&mut self, line: &str) -> Vec<Command> {
        let line = line.trim();
        let (cmd, arg) = line.split_once(' ').unwrap_or((line, ""));
        let arg = arg.trim();
        let some = |a: &str| (!a.is_empty()).then(|| a.to_string());
        let lower = cmd.to_ascii_lowercase();
        match lower.as_str() {
            "q" | "quit" | "exit" => vec![Command::Quit],
            "reload" | "r" => self.reload_all(),
            "help" => {
                self.overlay = Some(Overlay::Help { scroll: 0 });
                Vec::new()
            }
            "logout" => {
                self.sign_out("Signed out.");
                vec![Command::Forget]
            }
            name @ ("status" | "customer" | "sales" | "clear") => {
                let q = &mut self.orders.query;
                q.page = 1;
                match name {
                    "status" => q.status = some(arg),
                    "customer" => q.customer_id = some(arg),
                    "sales" => q.salesperson_id = some(arg),
                    _ => *q = OrderQuery::default(),
                }
                if name == "clear" {
                    self.orders.set_text("");
                }
                let q = self.orders.query.clone();
                let mut cmds = self.go(ViewId::Orders);
                cmds.push(Command::LoadOrders(q));
                cmds
            }
            other => match ViewId::parse(other) {
                Some(v) => self.go(v),
                None => {
                    self.set_message(
                        Level::Error,
                        format!("Unknown command `{line}`: press : and Tab to see the commands."),
                    );
                    Vec::new()
                }
            },
        }
    }

    /// Refetches everything on screen (after a reconnect, a `resync`, or Ctrl-R).
    pub fn reload_all(&mut self) -> Vec<Command> {
        if self.user.is_none() {
            return Vec::new();
        }
        self.stock.stale = false;
        let mut cmds = vec![
            Command::LoadDashboard,
            Command::LoadOrders(self.orders.query.clone()),
            Command::LoadJobs,
            Command::LoadStock,
            Command::LoadCredit,
        ];
        if let Some(id) = self.orders.detail_id() {
            cmds.push(Command::LoadOrder(id));
        }
        cmds
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Input, Screen};
    use super::*;
    use crate::dto::UserInfo;

    fn app() -> App {
        let mut app = App::new("http://x", false, chrono::Utc::now());
        app.handle(Input::Api(super::super::ApiResult::LoggedIn(UserInfo {
            id: "USER-001".into(),
            role: "Admin".into(),
            ..UserInfo::default()
        })));
        app
    }

    fn type_line(app: &mut App, line: &str) -> Vec<Command> {
        let mut out = app.handle(Input::Key(Key::Char(':')));
        for c in line.chars() {
            out.extend(app.handle(Input::Key(Key::Char(c))));
        }
        out.extend(app.handle(Input::Key(Key::Enter)));
        out
    }

    #[test]
    fn the_palette_jumps_views_and_sets_filters() {
        let mut app = app();
        type_line(&mut app, "jo");
        assert_eq!(app.view, ViewId::Jobs);
        let cmds = type_line(&mut app, "status On Hold");
        assert_eq!(app.view, ViewId::Orders);
        assert_eq!(app.orders.query.status.as_deref(), Some("On Hold"));
        assert!(
            matches!(&cmds[0], Command::LoadOrders(q) if q.status.as_deref() == Some("On Hold"))
        );
        type_line(&mut app, "clear");
        assert_eq!(app.orders.query, OrderQuery::default());
        type_line(&mut app, "bogus");
        assert!(matches!(&app.message, Some((Level::Error, m)) if m.contains("bogus")));
        assert!(matches!(type_line(&mut app, "quit")[0], Command::Quit));
    }

    #[test]
    fn esc_goes_back_and_q_quits_at_the_start() {
        let mut app = app();
        app.handle(Input::Key(Key::Tab));
        app.handle(Input::Key(Key::Tab));
        assert_eq!(app.view, ViewId::Jobs);
        app.handle(Input::Key(Key::Esc));
        assert_eq!(app.view, ViewId::Orders);
        app.handle(Input::Key(Key::Char('q')));
        assert_eq!(app.view, ViewId::Dashboard);
        assert!(matches!(
            app.handle(Input::Key(Key::Char('q')))[0],
            Command::Quit
        ));
    }

    #[test]
    fn a_step_goes_through_form_and_confirmation() {
        let mut app = app();
        let step = |code: &str, body: serde_json::Value| {
            nexus_core::wire::AvailableStep::new(
                code,
                None,
                "POST",
                "ORD-1",
                "credit-decision",
                body,
            )
        };
        app.handle(Input::Api(super::super::ApiResult::Orders {
            query: OrderQuery::default(),
            result: Ok((
                vec![crate::dto::OrderRow {
                    id: "ORD-1".into(),
                    status: crate::dto::Status::parse("Pending Credit Approval"),
                    steps: Some(vec![
                        step("credit_approve", serde_json::json!({"decision": "approve"})),
                        step("credit_hold", serde_json::json!({"decision": "hold"})),
                    ]),
                    ..Default::default()
                }],
                crate::api::ListTotal::exact(1),
            )),
        }));
        app.handle(Input::Key(Key::Char('o')));
        app.handle(Input::Key(Key::Char('t')));
        assert!(matches!(app.overlay, Some(Overlay::Steps { .. })));
        app.handle(Input::Key(Key::Char('1')));
        assert!(matches!(app.overlay, Some(Overlay::Form(_))));
        app.handle(Input::Key(Key::Enter));
        assert!(matches!(app.overlay, Some(Overlay::Confirm(_))));
        // n backs out without sending.
        assert!(app.handle(Input::Key(Key::Char('n'))).is_empty());
        assert!(app.overlay.is_none());
        app.handle(Input::Key(Key::Char('t')));
        app.handle(Input::Key(Key::Enter));
        app.handle(Input::Key(Key::Enter));
        let cmds = app.handle(Input::Key(Key::Char('y')));
        match &cmds[0] {
            Command::Step {
                order_id,
                method,
                path,
                body,
                ..
            } => {
                assert_eq!(order_id, "ORD-1");
                assert_eq!(method, "POST");
                assert_eq!(path, "/api/orders/ORD-1/credit-decision");
                assert_eq!(body["decision"], "approve");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn login_sends_the_password_once_and_clears_it() {
        let mut app = App::new("http://x", false, chrono::Utc::now());
        for c in "admin@nexusoms.com".chars() {
            app.handle(Input::Key(Key::Char(c)));
        }
        app.handle(Input::Key(Key::Enter));
        for c in "pw".chars() {
            app.handle(Input::Key(Key::Char(c)));
        }
        let cmds = app.handle(Input::Key(Key::Enter));
        let shown = format!("{cmds:?}");
        assert!(
            shown.contains("admin@nexusoms.com") && !shown.contains("pw\""),
            "{shown}"
        );
        match &app.screen {
            Screen::Login(f) => {
                assert!(f.password.is_empty());
                assert!(f.busy);
                assert!(!format!("{f:?}").contains("pw"));
            }
            other => panic!("{other:?}"),
        }
    }
}
