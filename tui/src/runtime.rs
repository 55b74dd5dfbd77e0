//! Runs an [`App`] on a terminal: draws, waits for the next input (keys, API answers, live
//! events, all on one channel), feeds it to the app and carries out the commands it returns.
//! The same loop serves the local terminal and each SSH session; only the backend and the
//! source of keys differ.

use crate::api::ApiClient;
use crate::app::{ApiResult, App, Command, Input};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Where the session's token may come from besides the login form.
pub struct Startup {
    /// A token from `NEXUS_TOKEN`; checked with `/api/auth/me` before use.
    pub env_token: Option<SecretString>,
}

/// Drives the app until it quits or its input channel closes.
pub async fn run<B>(
    terminal: &mut Terminal<B>,
    mut app: App,
    tx: UnboundedSender<Input>,
    mut rx: UnboundedReceiver<Input>,
    startup: Startup,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let api = Arc::new(ApiClient::new(&app.api_url).map_err(|e| anyhow::anyhow!(e.0))?);
    // The live feed and the token renewal run while signed in; the feed follows the token
    // through `tokens`.
    let mut live: Option<JoinHandle<()>> = None;
    let mut renewer: Option<JoinHandle<()>> = None;
    let (tokens, _) = watch::channel::<Option<SecretString>>(None);
    let mut pending = Vec::new();
    if let Some(t) = startup.env_token {
        api.set_token(Some(t));
        pending.push(Command::UseEnvToken);
        if let crate::app::Screen::Login(f) = &mut app.screen {
            f.busy = true;
        }
    }
    let result = loop {
        let mut quit = false;
        for cmd in pending.drain(..) {
            match cmd {
                Command::Quit => quit = true,
                Command::StartLive => {
                    stop(&mut live, &mut renewer);
                    tokens.send_replace(api.token());
                    if api.token().is_some() {
                        live = Some(tokio::spawn(crate::live::run(
                            api.base().to_string(),
                            tokens.subscribe(),
                            tx.clone(),
                        )));
                        renewer = Some(tokio::spawn(renew(api.clone(), tokens.clone())));
                    }
                }
                Command::Forget => {
                    stop(&mut live, &mut renewer);
                    api.set_token(None);
                    tokens.send_replace(None);
                }
                other => spawn_call(api.clone(), other, tx.clone(), app.now),
            }
        }
        if quit {
            break Ok(());
        }
        if let Err(e) = terminal.draw(|f| crate::views::render(&app, f)) {
            break Err(anyhow::Error::new(e));
        }
        let Some(first) = rx.recv().await else {
            break Ok(());
        };
        // Take everything already waiting before drawing again: a burst of live events
        // costs one frame, not one frame each.
        let mut inputs = vec![first];
        while let Ok(more) = rx.try_recv() {
            inputs.push(more);
            if inputs.len() >= 256 {
                break;
            }
        }
        for input in inputs {
            if let Input::Resize(w, h) = input
                && let Err(e) = terminal.resize(Rect::new(0, 0, w, h))
            {
                tracing::warn!(error = %e, "resize failed");
            }
            app.now = chrono::Utc::now();
            pending.extend(app.handle(input));
        }
    };
    stop(&mut live, &mut renewer);
    result
}

fn stop(live: &mut Option<JoinHandle<()>>, renewer: &mut Option<JoinHandle<()>>) {
    for task in [live.take(), renewer.take()].into_iter().flatten() {
        task.abort();
    }
}

/// Renews the access token a minute before it expires, for as long as the session has a
/// refresh token, and hands each new token to the live feed. A failed renewal is retried;
/// if the token expires meanwhile the server ends the socket and the console asks to sign in.
async fn renew(api: Arc<ApiClient>, tokens: watch::Sender<Option<SecretString>>) {
    while let Some(wait) = api.renew_in() {
        tokio::time::sleep(Duration::from_secs(wait)).await;
        loop {
            match api.renew().await {
                Ok(()) => {
                    tokens.send_replace(api.token());
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "token renewal failed; retrying");
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
            }
        }
    }
}

/// Runs one REST call in the background; its answer comes back as input.
fn spawn_call(
    api: Arc<ApiClient>,
    cmd: Command,
    tx: UnboundedSender<Input>,
    now: chrono::DateTime<chrono::Utc>,
) {
    tokio::spawn(async move {
        let err = |e: crate::api::ApiError| e.0;
        let result = match cmd {
            Command::Login { email, password } => match api.login(&email, &password).await {
                Ok(u) => ApiResult::LoggedIn(u),
                Err(e) => ApiResult::LoginFailed(e.0),
            },
            Command::UseEnvToken => match api.me().await {
                Ok(u) => ApiResult::LoggedIn(u),
                Err(e) => {
                    api.set_token(None);
                    ApiResult::LoginFailed(format!("NEXUS_TOKEN was not accepted: {}", e.0))
                }
            },
            Command::LoadDashboard => ApiResult::Dashboard(api.dashboard(now).await.map_err(err)),
            Command::LoadOrders(query) => {
                let result = api.orders(&query).await.map_err(err);
                ApiResult::Orders { query, result }
            }
            Command::LoadOrder(id) => {
                ApiResult::Order(api.order(&id).await.map(Box::new).map_err(err))
            }
            Command::LoadJobs => ApiResult::Jobs(api.jobs().await.map_err(err)),
            Command::LoadStock => ApiResult::Stock(api.stock().await.map_err(err)),
            Command::LoadCredit => ApiResult::Credit(api.customers().await.map_err(err)),
            Command::LoadAging(id) => ApiResult::Aging(api.aging(&id).await.map_err(err)),
            Command::Step {
                order_id,
                label,
                method,
                path,
                body,
            } => {
                let result = api.step(&method, &path, &body).await.map_err(err);
                ApiResult::StepDone {
                    order_id,
                    label,
                    result,
                }
            }
            Command::Job { job_id, action } => {
                let result = api.job_action(&job_id, action).await.map_err(err);
                ApiResult::JobDone {
                    job_id,
                    action,
                    result,
                }
            }
            // Handled by the loop itself.
            Command::StartLive | Command::Forget | Command::Quit => return,
        };
        let _ = tx.send(Input::Api(result));
    });
}
