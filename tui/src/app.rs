//! The console's state machine: an input (a key, a resize, an API answer, a live event)
//! changes the state and yields commands for the runtime to carry out (REST calls, the live
//! connection, quitting). It does no I/O and knows no terminal, so the same `App` renders on
//! a local terminal, over SSH and on ratatui's `TestBackend` in tests.

mod data;
mod overlay;

use crate::dto::{
    Aging, CustomerCredit, ExpiringBatch, Job, LowPackaging, OrderDetail, OrderRow, UserInfo,
    WireEvent,
};
use crate::keys::Key;
use crate::steps::StepForm;
use crate::views::{
    credit::CreditView, dashboard::Dashboard, events::EventsView, jobs::JobsView,
    orders::OrdersView, stock::StockView,
};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde_json::Value;
use std::fmt;

/// The views, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewId {
    Dashboard,
    Orders,
    Jobs,
    Stock,
    Credit,
    Events,
}

impl ViewId {
    pub const ALL: [ViewId; 6] = [
        ViewId::Dashboard,
        ViewId::Orders,
        ViewId::Jobs,
        ViewId::Stock,
        ViewId::Credit,
        ViewId::Events,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ViewId::Dashboard => "Dashboard",
            ViewId::Orders => "Orders",
            ViewId::Jobs => "Jobs",
            ViewId::Stock => "Stock",
            ViewId::Credit => "Credit",
            ViewId::Events => "Events",
        }
    }

    /// A view by name or unambiguous prefix (`o`, `ord`, `orders`).
    pub fn parse(s: &str) -> Option<ViewId> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return None;
        }
        let alias = match s.as_str() {
            "dash" | "home" => Some(ViewId::Dashboard),
            "ev" | "log" => Some(ViewId::Events),
            _ => None,
        };
        alias.or_else(|| {
            ViewId::ALL
                .into_iter()
                .find(|v| v.name().to_ascii_lowercase().starts_with(&s))
        })
    }
}

/// Server-side filters of the order list (`GET /api/orders` query).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    pub status: Option<String>,
    pub customer_id: Option<String>,
    pub salesperson_id: Option<String>,
    pub q: Option<String>,
    /// Server page (1-based; 0 reads as 1) of `api::ORDER_PAGE` orders, newest first.
    pub page: u32,
}

impl OrderQuery {
    pub fn page(&self) -> u32 {
        self.page.max(1)
    }

    /// The query parameters to send.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        for (k, v) in [
            ("status", &self.status),
            ("customerId", &self.customer_id),
            ("salespersonId", &self.salesperson_id),
            ("q", &self.q),
        ] {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                p.push((k, v.clone()));
            }
        }
        if self.page() > 1 {
            p.push(("page", self.page().to_string()));
        }
        p
    }

    /// Whether a row (e.g. one announced live) passes these filters. The status filter
    /// compares statuses, so a legacy name typed in `:status` matches as on the server.
    pub fn admits(&self, row: &OrderRow) -> bool {
        let eq = |want: &Option<String>, have: &str| {
            want.as_ref()
                .is_none_or(|w| w.is_empty() || w.eq_ignore_ascii_case(have))
        };
        let status = self
            .status
            .as_ref()
            .filter(|w| !w.trim().is_empty())
            .is_none_or(|w| crate::dto::Status::parse(w).same(&row.status));
        status
            && eq(&self.customer_id, &row.customer_id)
            && eq(&self.salesperson_id, &row.salesperson_id)
            && self.q.as_ref().is_none_or(|q| {
                let q = q.to_lowercase();
                row.id.to_lowercase().contains(&q) || row.customer_name.to_lowercase().contains(&q)
            })
    }
}

/// A job action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobAction {
    Retry,
    Cancel,
    Report,
}

impl JobAction {
    pub fn label(self) -> &'static str {
        match self {
            JobAction::Retry => "Retry",
            JobAction::Cancel => "Cancel",
            JobAction::Report => "Report link",
        }
    }
}

/// What the runtime must do for the app.
pub enum Command {
    Login {
        email: String,
        password: SecretString,
    },
    /// Check the token from the environment (`GET /api/auth/me`).
    UseEnvToken,
    LoadDashboard,
    LoadOrders(OrderQuery),
    LoadOrder(String),
    LoadJobs,
    LoadStock,
    LoadCredit,
    LoadAging(String),
    /// A lifecycle step, sent where the server said it goes (`availableSteps`).
    Step {
        order_id: String,
        label: String,
        method: String,
        path: String,
        body: Value,
    },
    Job {
        job_id: String,
        action: JobAction,
    },
    StartLive,
    /// Forget the token and stop the live connection (sign out of the console).
    Forget,
    Quit,
}

// Hand-written so a password can never reach a log line through `{:?}`.
impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Login { email, .. } => {
                write!(f, "Login {{ email: {email:?}, password: *** }}")
            }
            Command::UseEnvToken => f.write_str("UseEnvToken"),
            Command::LoadDashboard => f.write_str("LoadDashboard"),
            Command::LoadOrders(q) => write!(f, "LoadOrders({q:?})"),
            Command::LoadOrder(id) => write!(f, "LoadOrder({id})"),
            Command::LoadJobs => f.write_str("LoadJobs"),
            Command::LoadStock => f.write_str("LoadStock"),
            Command::LoadCredit => f.write_str("LoadCredit"),
            Command::LoadAging(id) => write!(f, "LoadAging({id})"),
            Command::Step {
                order_id,
                method,
                path,
                ..
            } => write!(f, "Step({order_id}, {method} {path})"),
            Command::Job { job_id, action } => write!(f, "Job({job_id}, {action:?})"),
            Command::StartLive => f.write_str("StartLive"),
            Command::Forget => f.write_str("Forget"),
            Command::Quit => f.write_str("Quit"),
        }
    }
}

/// Orders per lifecycle stage and the creation times of the last day's orders.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DashboardData {
    pub stages: Vec<(String, u64)>,
    pub recent: Vec<DateTime<Utc>>,
}

/// Answers of the REST calls, fed back as input.
#[derive(Debug, Clone)]
pub enum ApiResult {
    LoggedIn(UserInfo),
    LoginFailed(String),
    Dashboard(Result<DashboardData, String>),
    Orders {
        query: OrderQuery,
        result: Result<(Vec<OrderRow>, crate::api::ListTotal), String>,
    },
    /// Boxed: a detail is several times the size of every other answer and input, and
    /// each input is moved through the event loop.
    Order(Result<Box<OrderDetail>, String>),
    Jobs(Result<Vec<Job>, String>),
    Stock(Result<(Vec<ExpiringBatch>, Vec<LowPackaging>), String>),
    Credit(Result<Vec<CustomerCredit>, String>),
    Aging(Result<Aging, String>),
    /// A step's answer: the order's new status, as the server wrote it.
    StepDone {
        order_id: String,
        label: String,
        result: Result<String, String>,
    },
    JobDone {
        job_id: String,
        action: JobAction,
        result: Result<String, String>,
    },
}

/// What the live connection reports.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveMsg {
    Connecting {
        attempt: u32,
    },
    Connected,
    Event(WireEvent),
    /// The server dropped events for us: refetch what is on screen.
    Resync(String),
    /// Disconnected; the next attempt is in `retry_in` seconds.
    Down {
        reason: String,
        retry_in: u64,
        attempt: u32,
    },
    /// The server ended the session (4401): sign in again.
    AuthEnded(String),
}

/// Everything that can happen to the app.
#[derive(Debug, Clone)]
pub enum Input {
    Key(Key),
    /// The terminal went away (the SSH client disconnected): end the console.
    Hangup,
    Resize(u16, u16),
    Api(ApiResult),
    Live(LiveMsg),
}

/// The live connection's state as shown in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveState {
    Off,
    Connecting {
        attempt: u32,
    },
    Live,
    Down {
        reason: String,
        retry_at: DateTime<Utc>,
        attempt: u32,
    },
}

/// The login form. The password lives here only while it is typed; submitting moves it
/// into the command and clears the field.
#[derive(Clone, Default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub focus_password: bool,
    /// Set over SSH: the key decides the user, the form only asks for the password.
    pub locked_email: bool,
    pub error: Option<String>,
    pub busy: bool,
}

impl fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginForm")
            .field("email", &self.email)
            .field("password", &"***")
            .field("error", &self.error)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub enum Screen {
    Login(LoginForm),
    Main,
}

/// A confirmation waiting for y/n.
// One overlay exists at a time and moves only on a key press: boxing the form would buy
// nothing but indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Confirm {
    Step { form: StepForm, body: Value },
    Job { job_id: String, action: JobAction },
}

/// What is drawn over the view and takes the keys first.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    Palette {
        text: String,
        sel: usize,
    },
    /// `/`: the current view's text filter, applied as it is typed.
    Filter {
        text: String,
    },
    /// The steps the server offers on an order, in its order.
    Steps {
        order_id: String,
        steps: Vec<crate::steps::Offer>,
        sel: usize,
    },
    Form(StepForm),
    Confirm(Confirm),
}

/// Severity of the status-line message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Ok,
    Error,
}

/// The whole console state.
#[derive(Debug)]
pub struct App {
    pub api_url: String,
    pub read_only: bool,
    pub screen: Screen,
    pub user: Option<UserInfo>,
    pub view: ViewId,
    pub history: Vec<ViewId>,
    pub overlay: Option<Overlay>,
    pub live: LiveState,
    /// Set after a disconnect, so the next `Connected` refetches everything.
    pub resync_on_connect: bool,
    /// Over SSH the key decides the user: the login form only asks for the password.
    pub login_lock: Option<String>,
    pub message: Option<(Level, String)>,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub dashboard: Dashboard,
    pub orders: OrdersView,
    pub jobs: JobsView,
    pub stock: StockView,
    pub credit: CreditView,
    pub events: EventsView,
}

impl App {
    pub fn new(api_url: &str, read_only: bool, now: DateTime<Utc>) -> App {
        App {
            api_url: api_url.to_string(),
            read_only,
            screen: Screen::Login(LoginForm::default()),
            user: None,
            view: ViewId::Dashboard,
            history: Vec::new(),
            overlay: None,
            live: LiveState::Off,
            resync_on_connect: false,
            login_lock: None,
            message: None,
            now,
            size: (80, 24),
            dashboard: Dashboard::default(),
            orders: OrdersView::default(),
            jobs: JobsView::default(),
            stock: StockView::default(),
            credit: CreditView::default(),
            events: EventsView::default(),
        }
    }

    /// Locks the login form to one user (SSH: the key chose the user).
    pub fn lock_login_to(&mut self, email: &str) {
        self.login_lock = Some(email.to_string());
        if let Screen::Login(form) = &mut self.screen {
            form.email = email.to_string();
            form.locked_email = true;
            form.focus_password = true;
        }
    }

    pub fn set_message(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some((level, text.into()));
    }

    /// Feeds one input; returns what the runtime must do.
    pub fn handle(&mut self, input: Input) -> Vec<Command> {
        match input {
            Input::Resize(w, h) => {
                self.size = (w, h);
                Vec::new()
            }
            Input::Key(Key::Ctrl('c')) | Input::Hangup => vec![Command::Quit],
            Input::Key(key) => match self.screen {
                Screen::Login(_) => self.login_key(key),
                Screen::Main => self.main_key(key),
            },
            Input::Api(r) => self.apply_api(r),
            Input::Live(m) => self.apply_live(m),
        }
    }

    fn login_key(&mut self, key: Key) -> Vec<Command> {
        let Screen::Login(form) = &mut self.screen else {
            return Vec::new();
        };
        if form.busy {
            return Vec::new();
        }
        match key {
            Key::Tab | Key::BackTab | Key::Up | Key::Down if !form.locked_email => {
                form.focus_password = !form.focus_password;
            }
            Key::Enter if !form.focus_password => form.focus_password = true,
            Key::Enter => {
                let email = form.email.trim().to_string();
                if email.is_empty() || form.password.is_empty() {
                    form.error = Some("Enter your e-mail (or user id) and password.".into());
                    return Vec::new();
                }
                let password = SecretString::from(std::mem::take(&mut form.password));
                form.busy = true;
                form.error = None;
                return vec![Command::Login { email, password }];
            }
            Key::Esc => form.error = None,
            Key::Backspace => {
                if form.focus_password {
                    form.password.pop();
                } else {
                    form.email.pop();
                }
            }
            Key::Char(c) => {
                if form.focus_password {
                    form.password.push(c);
                } else {
                    form.email.push(c);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn main_key(&mut self, key: Key) -> Vec<Command> {
        // A message stays until the next key: it has been read by then.
        self.message = None;
        if self.overlay.is_some() {
            return self.overlay_key(key);
        }
        match key {
            Key::Char('?') => {
                self.overlay = Some(Overlay::Help { scroll: 0 });
                Vec::new()
            }
            Key::Char(':') => {
                self.overlay = Some(Overlay::Palette {
                    text: String::new(),
                    sel: 0,
                });
                Vec::new()
            }
            Key::Char('/') => {
                self.overlay = Some(Overlay::Filter {
                    text: self.current_filter().to_string(),
                });
                Vec::new()
            }
            Key::Tab => {
                let i = ViewId::ALL
                    .iter()
                    .position(|v| *v == self.view)
                    .unwrap_or(0);
                self.go(ViewId::ALL[(i + 1) % ViewId::ALL.len()])
            }
            Key::BackTab => {
                let i = ViewId::ALL
                    .iter()
                    .position(|v| *v == self.view)
                    .unwrap_or(0);
                self.go(ViewId::ALL[(i + ViewId::ALL.len() - 1) % ViewId::ALL.len()])
            }
            Key::Ctrl('r') => self.reload_all(),
            Key::Esc | Key::Char('q') => self.back(key == Key::Char('q')),
            _ => self.view_key(key),
        }
    }

    /// `Esc`/`q`: close the detail, else return to the previous view; `q` on the first
    /// view quits.
    fn back(&mut self, is_q: bool) -> Vec<Command> {
        let closed = match self.view {
            ViewId::Orders => self.orders.close_detail(),
            ViewId::Jobs => self.jobs.close_detail(),
            ViewId::Credit => self.credit.close_detail(),
            _ => false,
        };
        if closed {
            return Vec::new();
        }
        if let Some(prev) = self.history.pop() {
            self.view = prev;
            return Vec::new();
        }
        if is_q {
            vec![Command::Quit]
        } else {
            Vec::new()
        }
    }

    /// Switches view (kept in the back history) and loads it if it is stale.
    pub fn go(&mut self, view: ViewId) -> Vec<Command> {
        if view == self.view {
            return Vec::new();
        }
        self.history.push(self.view);
        if self.history.len() > 32 {
            self.history.remove(0);
        }
        self.view = view;
        match view {
            ViewId::Stock if self.stock.stale => {
                self.stock.stale = false;
                vec![Command::LoadStock]
            }
            _ => Vec::new(),
        }
    }

    fn view_key(&mut self, key: Key) -> Vec<Command> {
        let can_write = !self.read_only;
        match self.view {
            ViewId::Dashboard => self.dashboard_key(key),
            ViewId::Orders => {
                let out = self.orders.key(key, can_write);
                self.apply_view_outcome(out)
            }
            ViewId::Jobs => {
                let out = self.jobs.key(key, can_write);
                self.apply_view_outcome(out)
            }
            ViewId::Stock => {
                self.stock.key(key);
                Vec::new()
            }
            ViewId::Credit => {
                let out = self.credit.key(key);
                self.apply_view_outcome(out)
            }
            ViewId::Events => {
                self.events.key(key);
                Vec::new()
            }
        }
    }

    fn dashboard_key(&mut self, key: Key) -> Vec<Command> {
        match key {
            Key::Char('o') | Key::Enter => self.go(ViewId::Orders),
            Key::Char('j') => self.go(ViewId::Jobs),
            Key::Char('s') => self.go(ViewId::Stock),
            Key::Char('c') => self.go(ViewId::Credit),
            Key::Char('e') => self.go(ViewId::Events),
            _ => Vec::new(),
        }
    }

    fn apply_view_outcome(&mut self, out: ViewOutcome) -> Vec<Command> {
        match out {
            ViewOutcome::None => Vec::new(),
            ViewOutcome::Commands(c) => c,
            ViewOutcome::Overlay(o) => {
                self.overlay = Some(o);
                Vec::new()
            }
            ViewOutcome::Message(level, text) => {
                self.set_message(level, text);
                Vec::new()
            }
            ViewOutcome::Load(cmds, level, text) => {
                self.set_message(level, text);
                cmds
            }
        }
    }

    fn current_filter(&self) -> &str {
        match self.view {
            ViewId::Orders => &self.orders.text,
            ViewId::Jobs => &self.jobs.text,
            ViewId::Stock => &self.stock.text,
            ViewId::Credit => &self.credit.text,
            ViewId::Events => &self.events.text,
            ViewId::Dashboard => "",
        }
    }

    fn set_filter(&mut self, text: &str) {
        match self.view {
            ViewId::Orders => self.orders.set_text(text),
            ViewId::Jobs => self.jobs.set_text(text),
            ViewId::Stock => self.stock.set_text(text),
            ViewId::Credit => self.credit.set_text(text),
            ViewId::Events => self.events.set_text(text),
            ViewId::Dashboard => {}
        }
    }
    fn sign_out(&mut self, why: &str) {
        let mut form = LoginForm {
            error: Some(why.to_string()),
            ..LoginForm::default()
        };
        if let Some(email) = &self.login_lock {
            form.email = email.clone();
            form.locked_email = true;
            form.focus_password = true;
        }
        self.screen = Screen::Login(form);
        self.user = None;
        self.overlay = None;
        self.live = LiveState::Off;
    }
}

impl UserInfo {
    pub fn name_or_id(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

/// What a view's key handler asks of the app.
// Returned once per key press and consumed at once (see `Confirm`).
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum ViewOutcome {
    None,
    Commands(Vec<Command>),
    Overlay(Overlay),
    Message(Level, String),
    /// Commands to run, with a word on the status line about what they are for.
    Load(Vec<Command>, Level, String),
}
