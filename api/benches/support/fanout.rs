//! Live fan-out (issue 18, target 4): N WebSocket clients subscribed to `orders`, one order
//! booked over HTTP, and the time from sending that request to each client holding its
//! `order:created` message. Also the memory the process grows by per open socket.
//!
//! The clients run in this process beside the API, so the memory figure is an upper bound
//! for the API's share: it includes each client's own socket and buffers.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Target: p99 delivery under this, for 1,000 clients.
const MAX_P99: Duration = Duration::from_millis(50);
/// Target: memory per held connection.
const MAX_KIB_PER_SOCKET: f64 = 16.0;
/// Orders booked one after the other; each reaches every client.
const EVENTS: usize = 5;
/// A message not seen in this long is a lost one (reported, never waited for forever).
const PATIENCE: Duration = Duration::from_secs(30);

fn rss_kib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(f64::NAN)
}

/// Opens one subscribed socket; then reports the arrival instant of every `order:created`.
async fn client(
    url: String,
    token: String,
    ready: mpsc::Sender<()>,
    arrivals: mpsc::UnboundedSender<(String, Instant)>,
    mut stop: watch::Receiver<bool>,
) {
    let mut req = url.into_client_request().expect("ws url");
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    // Small client buffers, so the memory figure is mostly the server's.
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0);
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(req, Some(config), true)
        .await
        .expect("ws connect");
    let _hello = ws.next().await;
    ws.send(Message::Text(
        json!({ "type": "subscribe", "topics": ["orders"] })
            .to_string()
            .into(),
    ))
    .await
    .expect("subscribe");
    let _ack = ws.next().await;
    ready.send(()).await.ok();
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            frame = ws.next() => {
                let Some(Ok(Message::Text(t))) = frame else {
                    if frame.is_none() { return; }
                    continue;
                };
                let at = Instant::now();
                let v: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
                if v["type"] == "order:created" {
                    let id = v["data"]["orderId"].as_str().unwrap_or_default().to_string();
                    arrivals.send((id, at)).ok();
                }
            }
        }
    }
}

/// Runs the fan-out with `sockets` clients; prints the figures; true when the targets hold.
pub async fn run(api: SocketAddr, admin: &str, sales: &str, sockets: usize) -> bool {
    let url = format!("ws://{api}/ws");
    let (ready_tx, mut ready_rx) = mpsc::channel(sockets.max(1));
    let (arr_tx, mut arr_rx) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = watch::channel(false);
    let before = rss_kib();
    for _ in 0..sockets {
        tokio::spawn(client(
            url.clone(),
            admin.to_string(),
            ready_tx.clone(),
            arr_tx.clone(),
            stop_rx.clone(),
        ));
    }
    for _ in 0..sockets {
        ready_rx.recv().await.expect("a client failed to open");
    }
    let held = rss_kib();
    let per_socket = (held - before) / sockets as f64;

    let mut latencies = Vec::with_capacity(sockets * EVENTS);
    let mut lost = 0;
    for _ in 0..EVENTS {
        let t0 = Instant::now();
        let id = super::create_order(api, sales, "CUST-002").await;
        let mut got = 0;
        while got < sockets {
            match tokio::time::timeout(PATIENCE, arr_rx.recv()).await {
                Ok(Some((ev, at))) if ev == id => {
                    latencies.push(at - t0);
                    got += 1;
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        lost += sockets - got;
    }
    stop_tx.send(true).ok();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(Duration::MAX)
    };
    let p99 = pct(0.99);
    println!("| Sockets | Events | Delivered | Lost | p50 ms | p99 ms | max ms | RSS per socket |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {sockets} | {EVENTS} | {} | {lost} | {} | {} | {} | {per_socket:.1} KiB |",
        latencies.len(),
        super::ms(pct(0.50)),
        super::ms(p99),
        super::ms(latencies.last().copied().unwrap_or_default()),
    );
    let mut ok = true;
    if lost > 0 {
        println!("**missed**: {lost} deliveries lost");
        ok = false;
    }
    if sockets <= 1_000 && p99 > MAX_P99 {
        println!("**missed**: p99 over {} ms", MAX_P99.as_millis());
        ok = false;
    }
    if per_socket > MAX_KIB_PER_SOCKET {
        println!(
            "**missed**: {per_socket:.1} KiB per socket (bound: clients included) over {MAX_KIB_PER_SOCKET} KiB"
        );
        ok = false;
    }
    ok
}
