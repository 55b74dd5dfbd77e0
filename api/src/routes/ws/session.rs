//! One WebSocket session, from the first frame to the close.
//!
//! Two tasks per socket:
//! * the session loop reads client frames, the event bus, the heartbeat tick and the token's
//!   expiry, and decides what to send;
//! * the writer owns the socket's sending half and drains two bounded queues — control
//!   messages first (pong, acks, close), then events ([`EVENT_QUEUE`] deep).
//!
//! A client that cannot keep up never stalls the bus or the server: when the broadcast
//! receiver lags, or the event queue is full, events are dropped and the client gets one
//! `resync` message (queued behind what it already has) telling it to refetch — the socket
//! stays usable. The user is checked again on every heartbeat (status, token version,
//! token validity), so logout, deactivation and password changes close open sockets, and a
//! socket closes when its token expires (the legacy socket outlived its token, api.md §8.1
//! item 17). Role and permission changes take effect on the next heartbeat.

use super::delivery::Viewer;
use super::protocol::{ClientMessage, ServerMessage, close, kinds, parse_topics};
use crate::auth::TokenKind;
use crate::auth::actor::{Actor, authenticate};
use crate::error::ApiError;
use crate::meta::RequestMeta;
use crate::state::AppState;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use nexus_core::auth::{ActorContext, Claims};
use nexus_core::events::{Event, Topic};
use nexus_core::model::User;
use serde_json::json;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

/// Events waiting for one slow client before it is told to resync.
pub const EVENT_QUEUE: usize = 256;
/// Control messages waiting (pongs, acks); a client that floods requests without reading
/// the answers is closed.
const CONTROL_QUEUE: usize = 32;
/// Missed pongs before the server gives up on a client.
const MAX_MISSED_PONGS: u32 = 2;

/// What the handler learned before the upgrade.
pub struct Opening {
    pub token: Option<String>,
    pub identity: Option<(User, Claims)>,
    pub meta: RequestMeta,
}

/// Why the session ended, sent as the close frame.
struct Closing {
    code: u16,
    reason: String,
}

impl Closing {
    fn auth(e: &ApiError) -> Self {
        Closing {
            code: close::UNAUTHORIZED,
            reason: e.code.to_string(),
        }
    }
    fn new(code: u16, reason: &str) -> Self {
        Closing {
            code,
            reason: reason.to_string(),
        }
    }
}

enum Out {
    Text(String),
    Ping,
    Close(Closing),
}

/// The queues in front of the writer task.
struct Outbox {
    control: mpsc::Sender<Out>,
    events: mpsc::Sender<Out>,
    /// Set when events were dropped; cleared once a `resync` is queued.
    resync_due: Option<u64>,
}

impl Outbox {
    /// Queues a control message; `false` when the client has stopped reading.
    fn control(&self, m: ServerMessage) -> bool {
        self.control.try_send(Out::Text(m.to_json())).is_ok()
    }

    /// Queues an event unless a resync is already owed (then the event is covered by it).
    fn event(&mut self, e: &Event) {
        if self.resync_due.is_some() {
            self.note_dropped(1);
            return;
        }
        if self
            .events
            .try_send(Out::Text(ServerMessage::event(e).to_json()))
            .is_err()
        {
            self.note_dropped(1);
        }
    }

    fn note_dropped(&mut self, n: u64) {
        *self.resync_due.get_or_insert(0) += n;
    }
}

fn resync_message(missed: u64, viewer: &Viewer) -> String {
    ServerMessage::session(
        kinds::RESYNC,
        json!({
            "reason": "lagged",
            "missed": missed,
            "topics": viewer.topic_names(),
            "message": "Some events were not delivered; refetch the lists you show.",
        }),
    )
    .to_json()
}

/// Runs the session to its end.
pub async fn run(st: AppState, socket: WebSocket, opening: Opening) {
    let (sink, mut stream) = socket.split();
    let (control_tx, control_rx) = mpsc::channel(CONTROL_QUEUE);
    let (events_tx, events_rx) = mpsc::channel(EVENT_QUEUE);
    let write_timeout = (st.config.ws_heartbeat * 2).max(Duration::from_secs(10));
    let writer = tokio::spawn(write_loop(sink, control_rx, events_rx, write_timeout));
    let mut out = Outbox {
        control: control_tx,
        events: events_tx,
        resync_due: None,
    };

    let closing = session(&st, &mut stream, &mut out, opening).await;
    if let Some(c) = closing {
        tracing::debug!(code = c.code, reason = %c.reason, "websocket closing");
        // The close goes behind whatever control messages are queued; if the client does
        // not read, the writer's timeout ends it.
        let _ = out.control.send(Out::Close(c)).await;
    }
    drop(out);
    let mut writer = writer;
    if tokio::time::timeout(write_timeout, &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
}

/// Authenticates (if the handshake carried no token), then serves until the client leaves
/// or something ends the session. Returns the close frame to send, if any.
async fn session(
    st: &AppState,
    stream: &mut futures::stream::SplitStream<WebSocket>,
    out: &mut Outbox,
    opening: Opening,
) -> Option<Closing> {
    let (mut token, (user, mut claims)) = match (opening.token, opening.identity) {
        (Some(t), Some(id)) => (t, id),
        _ => match first_message_auth(st, stream).await {
            Ok(x) => x,
            Err(c) => return Some(c),
        },
    };
    let mut actor = Actor {
        ctx: ActorContext::from_user(&user),
        user,
        claims: claims.clone(),
        meta: opening.meta,
    };
    let subs = match actor.subordinates(st).await {
        Ok(s) => s,
        Err(e) => return Some(Closing::new(1011, e.code.as_str())),
    };
    let mut viewer = Viewer::new(actor.ctx.clone(), &subs);
    // Subscribe to the bus before saying "connected": everything published after the
    // client reads `connected` (and subscribes to its topic) reaches it.
    let mut bus = st.events.subscribe();
    let heartbeat = st.config.ws_heartbeat;
    let connected = ServerMessage::session(
        kinds::CONNECTED,
        json!({
            "userId": actor.user.id,
            "userName": actor.user.name,
            "role": actor.user.role.as_str(),
            "topics": viewer.topic_names(),
            "availableTopics": Topic::ALL.map(Topic::as_str),
            "heartbeatSeconds": heartbeat.as_secs_f64(),
            "tokenExpiresAt": claims.exp,
        }),
    );
    if !out.control(connected) {
        return None;
    }
    tracing::info!(user = %actor.user.id, "websocket connected");

    let mut tick = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut missed_pongs: u32 = 0;
    loop {
        let expiry = expiry_instant(claims.exp);
        let resync_pending = out.resync_due.is_some();
        // A handle for waiting on room in the event queue (the select borrows `out` mutably).
        let events_tx = out.events.clone();
        tokio::select! {
            frame = stream.next() => {
                let Some(Ok(frame)) = frame else { return None };
                missed_pongs = 0;
                match frame {
                    Message::Text(text) => {
                        match handle_client_message(st, out, &mut viewer, &actor.user.id, text.as_str()).await {
                            Ok(Some((t, c))) => { token = t; claims = c; }
                            Ok(None) => {}
                            Err(closing) => return Some(closing),
                        }
                    }
                    Message::Binary(_) => {
                        if !out.control(ServerMessage::error("BAD_MESSAGE", "Send JSON text frames.")) {
                            return Some(Closing::new(1008, "TOO_MANY_MESSAGES"));
                        }
                    }
                    Message::Close(_) => return None,
                    // Pings are answered by the library; any frame proves the client alive.
                    Message::Ping(_) | Message::Pong(_) => {}
                }
            }
            received = bus.recv() => match received {
                Ok(event) => {
                    if viewer.wants(&event) {
                        out.event(&event);
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(user = %actor.user.id, missed = n, "websocket client lagged; resync");
                    out.note_dropped(n);
                }
                Err(RecvError::Closed) => return Some(Closing::new(close::GOING_AWAY, "SERVER_SHUTDOWN")),
            },
            permit = events_tx.reserve(), if resync_pending => {
                if let Ok(permit) = permit {
                    let missed = out.resync_due.take().unwrap_or(0);
                    permit.send(Out::Text(resync_message(missed, &viewer)));
                }
            }
            _ = tick.tick() => {
                if missed_pongs >= MAX_MISSED_PONGS {
                    return Some(Closing::new(close::HEARTBEAT_TIMEOUT, "HEARTBEAT_TIMEOUT"));
                }
                match authenticate(st, &token, TokenKind::Access).await {
                    Ok((user, _)) => {
                        actor.ctx = ActorContext::from_user(&user);
                        actor.user = user;
                        match actor.subordinates(st).await {
                            Ok(subs) => viewer.refresh(actor.ctx.clone(), &subs),
                            Err(e) => tracing::warn!(error = %e.message, "websocket: scope refresh failed; keeping the last one"),
                        }
                    }
                    Err(e) if e.status.is_server_error() => {
                        tracing::warn!(error = %e.message, "websocket: user re-check failed; trying again next beat");
                    }
                    Err(e) => return Some(Closing::auth(&e)),
                }
                if out.control.try_send(Out::Ping).is_err() {
                    return Some(Closing::new(close::HEARTBEAT_TIMEOUT, "HEARTBEAT_TIMEOUT"));
                }
                missed_pongs += 1;
            }
            _ = tokio::time::sleep_until(expiry) => {
                return Some(Closing::new(close::UNAUTHORIZED, "TOKEN_EXPIRED"));
            }
        }
    }
}

/// The instant the token's `exp` (seconds since the epoch) is reached.
fn expiry_instant(exp: i64) -> Instant {
    let now = chrono::Utc::now().timestamp_millis();
    let left = (exp * 1000 - now).max(0) as u64;
    Instant::now() + Duration::from_millis(left)
}

/// A socket opened without a token must send `{"type":"auth","token":…}` first, within
/// `ws_auth_timeout` (browsers cannot set headers on a WebSocket, and a query token ends up
/// in proxy logs).
async fn first_message_auth(
    st: &AppState,
    stream: &mut futures::stream::SplitStream<WebSocket>,
) -> Result<(String, (User, Claims)), Closing> {
    let deadline = Instant::now() + st.config.ws_auth_timeout;
    loop {
        let frame = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => return Err(Closing::new(close::UNAUTHORIZED, "AUTH_TIMEOUT")),
            Ok(None) | Ok(Some(Err(_))) => return Err(Closing::new(1000, "CLOSED")),
            Ok(Some(Ok(f))) => f,
        };
        match frame {
            Message::Text(text) => {
                return match ClientMessage::parse(text.as_str()) {
                    Ok(ClientMessage::Auth { token }) => {
                        match authenticate(st, &token, TokenKind::Access).await {
                            Ok(id) => Ok((token, id)),
                            Err(e) => Err(Closing::auth(&e)),
                        }
                    }
                    _ => Err(Closing::new(close::UNAUTHORIZED, "AUTH_REQUIRED")),
                };
            }
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Close(_) => return Err(Closing::new(1000, "CLOSED")),
            Message::Binary(_) => return Err(Closing::new(close::UNAUTHORIZED, "AUTH_REQUIRED")),
        }
    }
}

/// Handles one client message. `Ok(Some(..))` carries a fresh token accepted by `auth`.
async fn handle_client_message(
    st: &AppState,
    out: &mut Outbox,
    viewer: &mut Viewer,
    user_id: &str,
    text: &str,
) -> Result<Option<(String, Claims)>, Closing> {
    let reply = match ClientMessage::parse(text) {
        Err(e) => ServerMessage::error("BAD_MESSAGE", &e),
        Ok(ClientMessage::Ping) => ServerMessage::session(
            kinds::PONG,
            json!({ "timestamp": chrono::Utc::now().timestamp_millis() }),
        ),
        Ok(ClientMessage::Subscribe { topics }) => {
            let (known, unknown) = parse_topics(&topics);
            viewer.topics.extend(known);
            ServerMessage::session(
                kinds::SUBSCRIBED,
                json!({ "topics": viewer.topic_names(), "ignored": unknown }),
            )
        }
        Ok(ClientMessage::Unsubscribe { topics }) => {
            let (known, unknown) = parse_topics(&topics);
            for t in known {
                viewer.topics.remove(&t);
            }
            ServerMessage::session(
                kinds::UNSUBSCRIBED,
                json!({ "topics": viewer.topic_names(), "ignored": unknown }),
            )
        }
        Ok(ClientMessage::Auth { token }) => {
            // A fresh token for the same user extends the session past the old expiry.
            match authenticate(st, &token, TokenKind::Access).await {
                Ok((user, claims)) if user.id == user_id => {
                    if !out.control(ServerMessage::session(
                        "authenticated",
                        json!({ "userId": user.id, "tokenExpiresAt": claims.exp }),
                    )) {
                        return Err(Closing::new(1008, "TOO_MANY_MESSAGES"));
                    }
                    return Ok(Some((token, claims)));
                }
                Ok(_) => ServerMessage::error(
                    "TOKEN_USER_MISMATCH",
                    "A socket stays with the user who opened it; open a new one.",
                ),
                Err(e) => return Err(Closing::auth(&e)),
            }
        }
    };
    if out.control(reply) {
        Ok(None)
    } else {
        Err(Closing::new(1008, "TOO_MANY_MESSAGES"))
    }
}

/// Drains the queues into the socket, control first. Each write may take at most `timeout`;
/// a client that stops reading is cut off rather than holding the task forever.
async fn write_loop(
    mut sink: SplitSink<WebSocket, Message>,
    mut control: mpsc::Receiver<Out>,
    mut events: mpsc::Receiver<Out>,
    timeout: Duration,
) {
    loop {
        let next = tokio::select! {
            biased;
            m = control.recv() => m,
            m = events.recv() => m,
        };
        let Some(out) = next else { break };
        let (msg, last) = match out {
            Out::Text(t) => (Message::Text(Utf8Bytes::from(t)), false),
            Out::Ping => (Message::Ping(Default::default()), false),
            Out::Close(c) => (
                Message::Close(Some(CloseFrame {
                    code: c.code,
                    reason: Utf8Bytes::from(c.reason),
                })),
                true,
            ),
        };
        match tokio::time::timeout(timeout, sink.send(msg)).await {
            Ok(Ok(())) if !last => {}
            _ => break,
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_core::auth::Role;
    use nexus_core::events::types;
    use std::collections::BTreeSet;

    fn outbox(depth: usize) -> (Outbox, mpsc::Receiver<Out>) {
        let (control, _) = mpsc::channel(1);
        let (events, rx) = mpsc::channel(depth);
        (
            Outbox {
                control,
                events,
                resync_due: None,
            },
            rx,
        )
    }

    #[test]
    fn a_full_queue_drops_events_and_owes_one_resync() {
        let (mut out, mut rx) = outbox(2);
        let e = Event::new(Topic::Orders, types::ORDER_UPDATED, json!({}));
        for _ in 0..5 {
            out.event(&e);
        }
        assert_eq!(out.resync_due, Some(3));
        // Room again: later events still wait behind the owed resync.
        assert!(rx.try_recv().is_ok());
        out.event(&e);
        assert_eq!(out.resync_due, Some(4));
        let mut v = Viewer::new(ActorContext::with_role("U", Role::Admin), &BTreeSet::new());
        v.topics.insert(Topic::Orders);
        let m: serde_json::Value = serde_json::from_str(&resync_message(4, &v)).unwrap();
        assert_eq!(m["type"], "resync");
        assert_eq!(m["data"]["missed"], 4);
        assert_eq!(m["data"]["topics"], json!(["orders"]));
    }
}
