//! The live feed: one WebSocket to `/ws` (token in the `Authorization` header, never in
//! the URL), subscribed to every topic, reconnecting with exponential backoff. A reconnect
//! and a server `resync` both make the app refetch, so nothing missed while away stays
//! missing. No polling: the console only hears about changes from here.

use crate::app::{Input, LiveMsg};
use crate::dto::WireEvent;
use futures::{SinkExt, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// Topics the console follows.
pub const TOPICS: [&str; 4] = ["orders", "jobs", "stock", "alerts"];

/// The application close code for an ended session (expired, revoked, inactive).
const UNAUTHORIZED: u16 = 4401;

/// Seconds to wait before attempt `n` (1-based): 1, 2, 4, 8, 16, then 30.
pub fn backoff(attempt: u32) -> u64 {
    (1u64 << attempt.saturating_sub(1).min(5)).min(30)
}

/// `http(s)://host` → `ws(s)://host/ws`.
pub fn ws_url(api_base: &str) -> String {
    let base = api_base.trim_end_matches('/');
    let base = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_string()
    };
    format!("{base}/ws")
}

/// How one connection ended.
enum End {
    /// Try again after the backoff.
    Retry(String),
    /// The server ended the session: stop.
    Auth(String),
    /// The app went away.
    Closed,
}

/// Runs until the app's input channel closes or the server ends the session.
pub async fn run(
    api_base: String,
    mut tokens: watch::Receiver<Option<SecretString>>,
    tx: UnboundedSender<Input>,
) {
    let url = ws_url(&api_base);
    // Consecutive failed connections; a session that got as far as `subscribed` resets it.
    let mut failures: u32 = 0;
    loop {
        if tx
            .send(Input::Live(LiveMsg::Connecting {
                attempt: failures + 1,
            }))
            .is_err()
        {
            return;
        }
        let mut subscribed = false;
        let end = connect_once(&url, &mut tokens, &tx, &mut subscribed).await;
        if subscribed {
            failures = 0;
        }
        match end {
            End::Closed => return,
            End::Auth(code) => {
                let _ = tx.send(Input::Live(LiveMsg::AuthEnded(code)));
                return;
            }
            End::Retry(reason) => {
                failures += 1;
                let wait = backoff(failures);
                tracing::info!(%reason, failures, wait, "live feed down");
                if tx
                    .send(Input::Live(LiveMsg::Down {
                        reason,
                        retry_in: wait,
                        attempt: failures,
                    }))
                    .is_err()
                {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(wait)).await;
            }
        }
    }
}

/// What to do with one frame from the server.
enum Flow {
    Continue,
    Report(LiveMsg),
    End(End),
}

fn on_frame(
    frame: Result<Message, tokio_tungstenite::tungstenite::Error>,
    subscribed: &mut bool,
) -> Flow {
    let text = match frame {
        Ok(Message::Text(t)) => t,
        Ok(Message::Close(Some(f))) => {
            let code: u16 = f.code.into();
            if code == UNAUTHORIZED {
                return Flow::End(End::Auth(f.reason.to_string()));
            }
            let why = if f.code == CloseCode::Away {
                "server shutting down".to_string()
            } else {
                format!("closed ({code} {})", f.reason)
            };
            return Flow::End(End::Retry(why));
        }
        Ok(Message::Close(None)) => return Flow::End(End::Retry("closed".into())),
        // Pings are answered by tungstenite itself.
        Ok(_) => return Flow::Continue,
        Err(e) => return Flow::End(End::Retry(format!("connection lost: {e}"))),
    };
    let Some(ev) = serde_json::from_str::<serde_json::Value>(text.as_str())
        .ok()
        .as_ref()
        .and_then(WireEvent::from_json)
    else {
        return Flow::Continue;
    };
    match ev.kind.as_str() {
        "connected" | "pong" | "unsubscribed" | "authenticated" => Flow::Continue,
        "subscribed" => {
            // A working session: the next failure starts the backoff afresh.
            *subscribed = true;
            Flow::Report(LiveMsg::Connected)
        }
        "resync" => Flow::Report(LiveMsg::Resync(ev.payload().reason)),
        "error" => {
            tracing::warn!(data = %ev.data, "live feed error message");
            Flow::Continue
        }
        _ => Flow::Report(LiveMsg::Event(ev)),
    }
}

async fn connect_once(
    url: &str,
    tokens: &mut watch::Receiver<Option<SecretString>>,
    tx: &UnboundedSender<Input>,
    subscribed: &mut bool,
) -> End {
    let Some(token) = tokens.borrow_and_update().clone() else {
        return End::Closed;
    };
    let mut req = match url.into_client_request() {
        Ok(r) => r,
        Err(e) => return End::Retry(format!("bad WebSocket URL: {e}")),
    };
    let Ok(auth) = format!("Bearer {}", token.expose_secret()).parse() else {
        return End::Auth("TOKEN_INVALID".into());
    };
    req.headers_mut().insert("authorization", auth);
    let connect = tokio_tungstenite::connect_async(req);
    let ws = match tokio::time::timeout(Duration::from_secs(10), connect).await {
        Err(_) => return End::Retry("connection timed out".into()),
        Ok(Err(tokio_tungstenite::tungstenite::Error::Http(res))) if res.status() == 401 => {
            return End::Auth("TOKEN_INVALID".into());
        }
        Ok(Err(e)) => return End::Retry(format!("cannot connect: {e}")),
        Ok(Ok((ws, _))) => ws,
    };
    let (mut sink, mut stream) = ws.split();
    let sub = serde_json::json!({ "type": "subscribe", "topics": TOPICS }).to_string();
    if let Err(e) = sink.send(Message::Text(sub.into())).await {
        return End::Retry(format!("subscribe failed: {e}"));
    }
    loop {
        tokio::select! {
            frame = stream.next() => {
                let Some(frame) = frame else {
                    return End::Retry("connection closed".into());
                };
                match on_frame(frame, subscribed) {
                    Flow::Continue => {}
                    Flow::End(end) => return end,
                    Flow::Report(msg) => {
                        if tx.send(Input::Live(msg)).is_err() {
                            return End::Closed;
                        }
                    }
                }
            }
            // A renewed token: hand it to the open socket so it outlives the old one.
            changed = tokens.changed() => {
                let Ok(()) = changed else { return End::Closed };
                let Some(t) = tokens.borrow_and_update().clone() else {
                    return End::Closed;
                };
                let msg = serde_json::json!({ "type": "auth", "token": t.expose_secret() });
                if let Err(e) = sink.send(Message::Text(msg.to_string().into())).await {
                    return End::Retry(format!("sending the renewed token failed: {e}"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_cap() {
        let waits: Vec<u64> = (1..=8).map(backoff).collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 30, 30, 30]);
    }

    use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};

    /// The handshake check of the stand-in server: the token must come in the header.
    #[allow(clippy::result_large_err)] // the signature tungstenite's callback has
    fn check(req: &Request, res: Response) -> Result<Response, ErrorResponse> {
        assert_eq!(
            req.headers().get("authorization").unwrap(),
            "Bearer t0k3n",
            "the token goes in the header"
        );
        Ok(res)
    }

    /// A stand-in server: accepts a socket, checks the bearer header, answers `subscribe`,
    /// sends an event and a `resync`, then drops the socket or closes it with a code.
    async fn accept(listener: &tokio::net::TcpListener, close: Option<(u16, &str)>) {
        let (sock, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_hdr_async(sock, check)
            .await
            .unwrap();
        ws.send(Message::Text(r#"{"type":"connected","data":{}}"#.into()))
            .await
            .unwrap();
        let sub = ws.next().await.unwrap().unwrap();
        let sub: serde_json::Value = serde_json::from_str(sub.to_text().unwrap()).unwrap();
        assert_eq!(sub["type"], "subscribe");
        assert_eq!(sub["topics"], serde_json::json!(TOPICS));
        ws.send(Message::Text(r#"{"type":"subscribed","data":{}}"#.into()))
            .await
            .unwrap();
        ws.send(Message::Text(
            r#"{"type":"order:created","topic":"orders","data":{"orderId":"ORD-9"},"at":"2026-02-12T10:00:00Z"}"#.into(),
        ))
        .await
        .unwrap();
        ws.send(Message::Text(
            r#"{"type":"resync","data":{"reason":"lagged"}}"#.into(),
        ))
        .await
        .unwrap();
        match close {
            Some((code, reason)) => {
                use tokio_tungstenite::tungstenite::protocol::CloseFrame;
                let frame = CloseFrame {
                    code: code.into(),
                    reason: reason.into(),
                };
                let _ = ws.close(Some(frame)).await;
                while ws.next().await.is_some() {}
            }
            None => drop(ws),
        }
    }

    async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Input>) -> LiveMsg {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(Input::Live(m))) => m,
            other => panic!("expected a live message, got {other:?}"),
        }
    }

    /// The feed at work against a local listener the test serves, with the token `t0k3n`:
    /// the listener, what the feed reports, the token's sender and the feed's task.
    struct Feed {
        listener: tokio::net::TcpListener,
        rx: tokio::sync::mpsc::UnboundedReceiver<Input>,
        tokens: watch::Sender<Option<SecretString>>,
        task: tokio::task::JoinHandle<()>,
    }

    async fn start_feed() -> Feed {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let (tokens, tokens_rx) = watch::channel(Some(SecretString::from("t0k3n".to_string())));
        let task = tokio::spawn(run(base, tokens_rx, tx));
        Feed {
            listener,
            rx,
            tokens,
            task,
        }
    }

    /// The feed's task ends soon after the session ended.
    async fn stops(task: tokio::task::JoinHandle<()>) {
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the feed stops after the session ended")
            .unwrap();
    }

    #[tokio::test]
    async fn reconnects_with_backoff_and_stops_when_the_session_ends() {
        // The token's sender stays in `feed` (unused) until the end: the session ends by
        // the server's close code, not by the app dropping its tokens.
        let feed = start_feed().await;
        let (listener, mut rx, client) = (feed.listener, feed.rx, feed.task);

        let server = async {
            accept(&listener, None).await;
            accept(&listener, Some((4401, "TOKEN_REVOKED"))).await;
        };
        let client_side = async {
            assert_eq!(next(&mut rx).await, LiveMsg::Connecting { attempt: 1 });
            assert_eq!(next(&mut rx).await, LiveMsg::Connected);
            match next(&mut rx).await {
                LiveMsg::Event(e) => {
                    assert_eq!(e.kind, "order:created");
                    assert_eq!(e.data["orderId"], "ORD-9");
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(next(&mut rx).await, LiveMsg::Resync("lagged".into()));
            match next(&mut rx).await {
                LiveMsg::Down {
                    retry_in, attempt, ..
                } => assert_eq!((retry_in, attempt), (1, 1)),
                other => panic!("{other:?}"),
            }
            assert_eq!(next(&mut rx).await, LiveMsg::Connecting { attempt: 2 });
            assert_eq!(next(&mut rx).await, LiveMsg::Connected);
            next(&mut rx).await; // the event again
            next(&mut rx).await; // resync again
            assert_eq!(
                next(&mut rx).await,
                LiveMsg::AuthEnded("TOKEN_REVOKED".into())
            );
        };
        tokio::join!(server, client_side);
        stops(client).await;
    }

    #[tokio::test]
    async fn a_renewed_token_is_handed_to_the_open_socket() {
        let Feed {
            listener,
            mut rx,
            tokens: tokens_tx,
            task: client,
        } = start_feed().await;

        let server = async {
            let (sock, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_hdr_async(sock, check)
                .await
                .unwrap();
            let _subscribe = ws.next().await.unwrap().unwrap();
            ws.send(Message::Text(r#"{"type":"subscribed","data":{}}"#.into()))
                .await
                .unwrap();
            let auth = ws.next().await.unwrap().unwrap();
            let auth: serde_json::Value = serde_json::from_str(auth.to_text().unwrap()).unwrap();
            assert_eq!(auth, serde_json::json!({"type": "auth", "token": "n3w"}));
            use tokio_tungstenite::tungstenite::protocol::CloseFrame;
            let frame = CloseFrame {
                code: 4401.into(),
                reason: "TOKEN_EXPIRED".into(),
            };
            let _ = ws.close(Some(frame)).await;
            while ws.next().await.is_some() {}
        };
        let client_side = async {
            assert_eq!(next(&mut rx).await, LiveMsg::Connecting { attempt: 1 });
            assert_eq!(next(&mut rx).await, LiveMsg::Connected);
            tokens_tx
                .send(Some(SecretString::from("n3w".to_string())))
                .unwrap();
            assert_eq!(
                next(&mut rx).await,
                LiveMsg::AuthEnded("TOKEN_EXPIRED".into())
            );
        };
        tokio::join!(server, client_side);
        stops(client).await;
    }

    #[tokio::test]
    async fn an_https_api_is_reached_over_tls() {
        // A listener that is no TLS server: the client must get as far as the TLS
        // handshake (TLS is compiled in, a crypto provider is there) and report the failure.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("https://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            while let Ok((mut sock, _)) = listener.accept().await {
                let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            }
        });
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let (_tokens_tx, tokens) = watch::channel(Some(SecretString::from("t0k3n".to_string())));
        let client = tokio::spawn(run(base, tokens, tx));
        assert_eq!(next(&mut rx).await, LiveMsg::Connecting { attempt: 1 });
        match next(&mut rx).await {
            LiveMsg::Down { reason, .. } => {
                // rustls read the plain-HTTP answer as a corrupt TLS record.
                assert!(reason.starts_with("cannot connect"), "{reason}");
                assert!(reason.contains("corrupt message"), "{reason}");
                assert!(!reason.contains("not compiled"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        client.abort();
    }

    #[test]
    fn ws_urls() {
        assert_eq!(ws_url("http://127.0.0.1:3000/"), "ws://127.0.0.1:3000/ws");
        assert_eq!(ws_url("https://oms.example"), "wss://oms.example/ws");
    }
}
