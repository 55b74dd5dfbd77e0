//! A WebSocket client for tests: connect as a seeded user, read JSON messages with a
//! timeout (never a sleep), subscribe to topics.
#![allow(dead_code)]

use super::TestApp;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub const WAIT: Duration = Duration::from_secs(10);

pub fn ws_url(app: &TestApp, query: &str) -> String {
    format!("{}/ws{query}", app.base.replace("http://", "ws://"))
}

pub async fn try_connect(app: &TestApp, bearer: Option<&str>, query: &str) -> Result<Ws, WsError> {
    connect_url(&ws_url(app, query), bearer).await
}

/// Opens a socket at `url` (`ws://…/ws`), with the token in the `Authorization` header.
pub async fn connect_url(url: &str, bearer: Option<&str>) -> Result<Ws, WsError> {
    let mut req = url.into_client_request().unwrap();
    if let Some(t) = bearer {
        req.headers_mut()
            .insert("authorization", format!("Bearer {t}").parse().unwrap());
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

/// Opens a socket as a seeded user (header auth) and returns it with the `connected` message.
pub async fn open_as(app: &TestApp, user: &str) -> (Ws, Value) {
    let token = app.token(user).await;
    let mut ws = try_connect(app, Some(&token), "").await.unwrap();
    let hello = next_json(&mut ws).await;
    assert_eq!(hello["type"], "connected", "{hello}");
    (ws, hello)
}

/// The next JSON text message (ping/pong frames skipped); panics on close or timeout.
pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let frame = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("no message within the timeout")
            .expect("socket ended")
            .expect("socket error");
        match frame {
            Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a JSON message, got {other:?}"),
        }
    }
}

/// Reads until the server's close frame; returns its code and reason.
pub async fn expect_close(ws: &mut Ws) -> (u16, String) {
    loop {
        let frame = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("socket not closed within the timeout");
        match frame {
            Some(Ok(Message::Close(Some(f)))) => return (f.code.into(), f.reason.to_string()),
            Some(Ok(Message::Close(None))) | None => panic!("closed without a reason"),
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("socket error before the close frame: {e}"),
        }
    }
}

pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

pub async fn subscribe(ws: &mut Ws, topics: &[&str]) -> Value {
    send(ws, json!({ "type": "subscribe", "topics": topics })).await;
    let ack = next_json(ws).await;
    assert_eq!(ack["type"], "subscribed", "{ack}");
    ack
}

/// Every message until `job:finished` for `job_id`, that one included.
pub async fn until_finished(ws: &mut Ws, job_id: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let m = next_json(ws).await;
        let done = m["type"] == "job:finished" && m["data"]["jobId"] == job_id;
        seen.push(m);
        if done {
            return seen;
        }
    }
}
