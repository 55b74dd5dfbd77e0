//! What the app does with API answers and live events: update the views, keep the
//! dashboard counts moving, refetch after a reconnect or a `resync`.

use super::{ApiResult, App, Command, JobAction, Level, LiveMsg, LiveState, Screen, ViewId};
use crate::dto::{Job, OrderRow, Status, WireEvent};

impl App {
    pub(super) fn apply_api(&mut self, r: ApiResult) -> Vec<Command> {
        match r {
            ApiResult::LoggedIn(user) => {
                self.set_message(
                    Level::Ok,
                    format!("Signed in as {} ({}).", user.name_or_id(), user.role),
                );
                self.user = Some(user);
                self.screen = Screen::Main;
                let mut cmds = self.reload_all();
                cmds.push(Command::StartLive);
                cmds
            }
            ApiResult::LoginFailed(e) => {
                if let Screen::Login(f) = &mut self.screen {
                    f.busy = false;
                    f.error = Some(e);
                } else {
                    self.sign_out(&e);
                }
                Vec::new()
            }
            ApiResult::Dashboard(r) => {
                self.dashboard.apply(r);
                Vec::new()
            }
            ApiResult::Orders { query, result } if query == self.orders.query => {
                self.loaded("Orders", result, |app, (rows, total)| {
                    app.orders.set_rows(rows, total)
                })
            }
            // The answer to filters that have changed since: dropped.
            ApiResult::Orders { .. } => Vec::new(),
            ApiResult::Order(r) => match r {
                Ok(d) => {
                    let row = d.row.clone();
                    self.orders.set_detail(*d);
                    // The user pressed `t` while this order's steps were unknown: offer
                    // them now that the server has said what they are.
                    if self.orders.steps_wanted.as_deref() == Some(row.id.as_str()) {
                        self.orders.steps_wanted = None;
                        if self.overlay.is_none()
                            && self.view == ViewId::Orders
                            && matches!(self.screen, Screen::Main)
                        {
                            let out = self.orders.steps_of(&row, !self.read_only);
                            return self.apply_view_outcome(out);
                        }
                    }
                    Vec::new()
                }
                Err(e) => {
                    self.orders.steps_wanted = None;
                    self.set_message(Level::Error, format!("Order: {e}"));
                    Vec::new()
                }
            },
            ApiResult::Jobs(r) => self.loaded("Jobs", r, |app, jobs| app.jobs.set_jobs(jobs)),
            ApiResult::Stock(r) => self.loaded("Stock", r, |app, (batches, packaging)| {
                app.stock.set(batches, packaging)
            }),
            ApiResult::Credit(r) => self.loaded("Credit", r, |app, c| app.credit.set_customers(c)),
            ApiResult::Aging(r) => self.loaded("Ageing", r, |app, a| app.credit.aging = Some(a)),
            ApiResult::StepDone {
                order_id,
                label,
                result,
            } => match result {
                Ok(status) => {
                    let status = Status::parse(&status);
                    // The steps change with the status: unknown until the reload lands.
                    self.orders.set_status(&order_id, &status);
                    self.set_message(Level::Ok, format!("{label}: {order_id} is now {status}."));
                    vec![Command::LoadOrder(order_id)]
                }
                Err(e) => {
                    self.set_message(Level::Error, format!("{label} on {order_id} refused: {e}"));
                    Vec::new()
                }
            },
            ApiResult::JobDone {
                job_id,
                action,
                result,
            } => {
                match result {
                    Ok(text) => {
                        if action == JobAction::Report {
                            self.jobs.report = Some((job_id.clone(), text.clone()));
                        }
                        self.set_message(Level::Ok, format!("{} {job_id}: {text}", action.label()));
                    }
                    Err(e) => {
                        self.set_message(Level::Error, format!("{} {job_id}: {e}", action.label()))
                    }
                }
                vec![Command::LoadJobs]
            }
        }
    }

    /// A list the view asked for: shown, or the error in the footer (`what: error`).
    fn loaded<T, E: std::fmt::Display>(
        &mut self,
        what: &str,
        r: Result<T, E>,
        show: impl FnOnce(&mut Self, T),
    ) -> Vec<Command> {
        match r {
            Ok(v) => show(self, v),
            Err(e) => self.set_message(Level::Error, format!("{what}: {e}")),
        }
        Vec::new()
    }

    pub(super) fn apply_live(&mut self, m: LiveMsg) -> Vec<Command> {
        match m {
            LiveMsg::Connecting { attempt } => {
                if !matches!(self.live, LiveState::Down { .. }) {
                    self.live = LiveState::Connecting { attempt };
                }
                Vec::new()
            }
            LiveMsg::Connected => {
                self.live = LiveState::Live;
                if std::mem::take(&mut self.resync_on_connect) {
                    self.set_message(Level::Ok, "Live again: refreshed what was missed.");
                    return self.reload_all();
                }
                Vec::new()
            }
            LiveMsg::Down {
                reason,
                retry_in,
                attempt,
            } => {
                self.live = LiveState::Down {
                    reason,
                    retry_at: self.now + chrono::Duration::seconds(retry_in as i64),
                    attempt,
                };
                self.resync_on_connect = true;
                Vec::new()
            }
            LiveMsg::Resync(why) => {
                self.set_message(Level::Info, format!("Live feed lagged ({why}): refreshed."));
                self.reload_all()
            }
            LiveMsg::AuthEnded(code) => {
                self.sign_out(&format!(
                    "Session ended by the server ({code}): sign in again."
                ));
                vec![Command::Forget]
            }
            LiveMsg::Event(ev) => self.apply_event(ev),
        }
    }

    fn apply_event(&mut self, ev: WireEvent) -> Vec<Command> {
        let mut cmds = Vec::new();
        let d = &ev.data;
        match ev.kind.as_str() {
            // Events carry no steps: a row they add or change has its steps unknown
            // (`OrderRow::steps` is `None`) until the order is read again, so a stale step
            // is never offered. The open order is reloaded at once; another one when the
            // user asks for its steps (`t`), which keeps a burst of events from turning
            // into a burst of requests.
            "order:created" => {
                if let Some(row) = OrderRow::from_json(d) {
                    self.dashboard
                        .order_created(&row.status, ev.at.unwrap_or(self.now));
                    self.orders.upsert(row);
                }
            }
            "order:status-changed" => {
                let p = ev.payload();
                let id = p.order_id;
                let old = Status::parse(&p.old_status);
                let new = Status::parse(&p.new_status);
                self.dashboard.status_changed(&old, &new);
                if !self.orders.set_status(&id, &new)
                    && let Some(row) = OrderRow::from_json(d)
                {
                    self.orders.upsert(row);
                }
                if self.orders.detail_id().as_deref() == Some(id.as_str()) {
                    cmds.push(Command::LoadOrder(id));
                }
            }
            "order:updated" => {
                if let Some(row) = OrderRow::from_json(d) {
                    self.orders.merge(row);
                }
            }
            // A job stored its result on the order: the open one shows it at once.
            "credit:insight-ready" | "logistics:cost-proposed" => {
                let id = ev.payload().order_id;
                if self.orders.detail_id().as_deref() == Some(id.as_str()) {
                    cmds.push(Command::LoadOrder(id));
                }
            }
            "job:progress" | "job:finished" => {
                if let Some(job) = Job::from_json(d) {
                    self.jobs.upsert(job);
                }
            }
            "stock:changed" => self.stock.stale = true,
            "alert:expiry" | "packaging:low-stock" => {
                self.dashboard
                    .alert(ev.summary(), ev.at.unwrap_or(self.now));
                self.stock.stale = true;
            }
            _ => {}
        }
        if self.view == ViewId::Stock && std::mem::take(&mut self.stock.stale) {
            cmds.push(Command::LoadStock);
        }
        self.events.push(ev, self.now);
        cmds
    }
}

#[cfg(test)]
mod tests {
    use super::super::Input;
    use super::*;
    use crate::dto::UserInfo;

    fn signed_in() -> App {
        let mut app = App::new("http://x", false, chrono::Utc::now());
        app.handle(Input::Api(ApiResult::LoggedIn(UserInfo {
            id: "USER-001".into(),
            role: "Admin".into(),
            ..UserInfo::default()
        })));
        app
    }

    fn names(cmds: &[Command]) -> Vec<String> {
        cmds.iter().map(|c| format!("{c:?}")).collect()
    }

    #[test]
    fn signing_in_loads_every_view_and_starts_the_feed() {
        let mut app = App::new("http://x", false, chrono::Utc::now());
        let cmds = app.handle(Input::Api(ApiResult::LoggedIn(UserInfo {
            id: "USER-001".into(),
            ..UserInfo::default()
        })));
        let n = names(&cmds);
        for want in [
            "LoadDashboard",
            "LoadJobs",
            "LoadStock",
            "LoadCredit",
            "StartLive",
        ] {
            assert!(n.iter().any(|c| c == want), "{want} in {n:?}");
        }
        assert!(matches!(app.screen, Screen::Main));
    }

    #[test]
    fn a_hangup_ends_the_console_signed_in_or_not() {
        let mut app = signed_in();
        assert_eq!(names(&app.handle(Input::Hangup)), vec!["Quit"]);
        let mut app = App::new("http://x", false, chrono::Utc::now());
        assert_eq!(names(&app.handle(Input::Hangup)), vec!["Quit"]);
    }

    #[test]
    fn a_reconnect_refetches_and_a_first_connect_does_not() {
        let mut app = signed_in();
        assert!(app.handle(Input::Live(LiveMsg::Connected)).is_empty());
        assert_eq!(app.live, LiveState::Live);
        let down = app.handle(Input::Live(LiveMsg::Down {
            reason: "lost".into(),
            retry_in: 2,
            attempt: 1,
        }));
        assert!(down.is_empty());
        assert!(matches!(app.live, LiveState::Down { attempt: 1, .. }));
        let n = names(&app.handle(Input::Live(LiveMsg::Connected)));
        assert!(n.iter().any(|c| c.starts_with("LoadOrders")), "{n:?}");
        assert!(n.iter().any(|c| c == "LoadDashboard"), "{n:?}");
        // A resync refetches too.
        let n = names(&app.handle(Input::Live(LiveMsg::Resync("lagged".into()))));
        assert!(n.iter().any(|c| c == "LoadJobs"), "{n:?}");
    }

    #[test]
    fn an_ended_session_returns_to_sign_in_and_forgets_the_token() {
        let mut app = signed_in();
        app.lock_login_to("USER-001");
        let n = names(&app.handle(Input::Live(LiveMsg::AuthEnded("TOKEN_REVOKED".into()))));
        assert_eq!(n, vec!["Forget"]);
        match &app.screen {
            Screen::Login(f) => {
                assert!(f.error.as_ref().unwrap().contains("TOKEN_REVOKED"));
                assert!(f.locked_email);
                assert_eq!(f.email, "USER-001");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn live_orders_reach_the_list_and_the_dashboard() {
        let mut app = signed_in();
        app.handle(Input::Api(ApiResult::Orders {
            query: Default::default(),
            result: Ok((vec![], crate::api::ListTotal::exact(0))),
        }));
        let ev = |kind: &str, data: serde_json::Value| {
            Input::Live(LiveMsg::Event(WireEvent {
                kind: kind.into(),
                topic: "orders".into(),
                data,
                at: None,
            }))
        };
        app.handle(ev(
            "order:created",
            serde_json::json!({"orderId": "ORD-9", "status": "Pending Credit Approval", "total": 10}),
        ));
        assert_eq!(app.orders.rows[0].id, "ORD-9");
        app.handle(ev(
            "order:status-changed",
            serde_json::json!({"orderId": "ORD-9", "oldStatus": "Pending Credit Approval", "newStatus": "Pending WH Selection"}),
        ));
        assert_eq!(
            app.orders.rows[0].status.known,
            Some(nexus_core::model::OrderStatus::PendingWhSelection)
        );
        assert_eq!(app.events.events.len(), 2);
        let wh = app
            .dashboard
            .stages
            .iter()
            .find(|(k, _)| k == "wh_selection")
            .map(|(_, n)| *n);
        assert_eq!(wh, Some(1));
    }

    /// Events carry no steps: after a live status change the console offers nothing until
    /// the server has said what the new status allows, then exactly that.
    #[test]
    fn a_live_status_change_never_leaves_stale_steps_on_offer() {
        use crate::app::{Overlay, ViewId};
        use crate::keys::Key;
        use nexus_core::wire::AvailableStep;
        let doc = |status: &str, steps: serde_json::Value| {
            crate::dto::OrderDetail::from_json(&serde_json::json!({
                "id": "ORD-1", "status": status, "availableSteps": steps
            }))
            .map(Box::new)
            .unwrap()
        };
        let step = |code: &str, segment: &str| {
            serde_json::to_value(AvailableStep::new(
                code,
                None,
                "POST",
                "ORD-1",
                segment,
                serde_json::json!({}),
            ))
            .unwrap()
        };
        let mut app = signed_in();
        let first = doc(
            "Pending Credit Approval",
            serde_json::json!([step("credit_hold", "credit-decision")]),
        );
        app.handle(Input::Api(ApiResult::Orders {
            query: Default::default(),
            result: Ok((vec![first.row], crate::api::ListTotal::exact(1))),
        }));
        app.go(ViewId::Orders);
        app.handle(Input::Live(LiveMsg::Event(WireEvent {
            kind: "order:status-changed".into(),
            topic: "orders".into(),
            data: serde_json::json!({"orderId": "ORD-1", "oldStatus": "Pending Credit Approval", "newStatus": "On Hold"}),
            at: None,
        })));
        assert_eq!(app.orders.rows[0].steps, None);

        // `t` asks the server instead of offering the old status's steps.
        let n = names(&app.handle(Input::Key(Key::Char('t'))));
        assert_eq!(n, vec!["LoadOrder(ORD-1)"]);
        assert!(app.overlay.is_none());
        // The answer opens the menu with what the server now offers.
        app.handle(Input::Api(ApiResult::Order(Ok(doc(
            "On Hold",
            serde_json::json!([
                step("release_hold", "release-hold"),
                step("cancel", "cancel")
            ]),
        )))));
        match &app.overlay {
            Some(Overlay::Steps { steps, .. }) => {
                let codes: Vec<&str> = steps.iter().map(|o| o.step.step.as_str()).collect();
                assert_eq!(codes, ["release_hold", "cancel"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(app.orders.steps_wanted, None);
    }
}
