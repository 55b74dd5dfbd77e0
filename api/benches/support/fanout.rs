//! Live fan-out (issue 18, target 4): N WebSocket clients subscribed to `orders`, one order
//! booked over HTTP, and the time from sending that request to each client holding its
//! `order:created` message. Also the memory the API process grows by per open socket.
//!
//! The clients run in a child process (this bench binary again, `--ws-clients`), so the
//! memory figure is the API's alone, and each process stays within its own descriptor
//! limit at 10,000 sockets. Arrival instants cross the process boundary as wall-clock
//! nanoseconds (one machine, one clock).

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{Semaphore, mpsc};
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
/// Handshakes in flight at once: 10,000 at a time overflow the listen backlog.
const CONNECTING: usize = 256;

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

fn unix_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
}

/// Opens one subscribed socket; then reports the arrival instant of every `order:created`.
async fn client(
    url: String,
    token: String,
    connecting: Arc<Semaphore>,
    ready: mpsc::Sender<()>,
    arrivals: mpsc::UnboundedSender<(String, u128)>,
) {
    let permit = connecting.acquire_owned().await.expect("semaphore");
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
    drop(permit);
    ready.send(()).await.ok();
    while let Some(frame) = ws.next().await {
        let Ok(Message::Text(t)) = frame else {
            continue;
        };
        let at = unix_nanos();
        let v: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
        if v["type"] == "order:created" {
            let id = v["data"]["orderId"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            arrivals.send((id, at)).ok();
        }
    }
}

/// The child process (`--ws-clients URL TOKEN N`): opens N subscribed sockets, prints
/// `ready`, then one `ORDER-ID NANOS` line per delivered `order:created`, until its stdin
/// closes (the bench is done or gone).
pub async fn clients_main(url: String, token: String, sockets: usize) {
    let connecting = Arc::new(Semaphore::new(CONNECTING));
    let (ready_tx, mut ready_rx) = mpsc::channel(sockets.max(1));
    let (arr_tx, mut arr_rx) = mpsc::unbounded_channel();
    for _ in 0..sockets {
        tokio::spawn(client(
            url.clone(),
            token.clone(),
            connecting.clone(),
            ready_tx.clone(),
            arr_tx.clone(),
        ));
    }
    for _ in 0..sockets {
        ready_rx.recv().await.expect("a client failed to open");
    }
    let mut out = tokio::io::stdout();
    out.write_all(b"ready\n").await.expect("stdout");
    out.flush().await.expect("stdout");
    let mut stdin = tokio::io::stdin();
    let mut sink = Vec::new();
    let mut closed = std::pin::pin!(stdin.read_to_end(&mut sink));
    loop {
        tokio::select! {
            _ = &mut closed => return,
            arrival = arr_rx.recv() => {
                let Some((id, at)) = arrival else { return };
                out.write_all(format!("{id} {at}\n").as_bytes()).await.expect("stdout");
                out.flush().await.expect("stdout");
            }
        }
    }
}

/// Runs the fan-out with `sockets` clients in a child process; prints the figures; true
/// when the targets hold.
pub async fn run(api: SocketAddr, admin: &str, sales: &str, sockets: usize) -> bool {
    let url = format!("ws://{api}/ws");
    let before = rss_kib();
    let mut child = tokio::process::Command::new(std::env::current_exe().expect("bench binary"))
        .args(["--ws-clients", &url, admin, &sockets.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the clients' process");
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    match lines.next_line().await {
        Ok(Some(l)) if l == "ready" => {}
        other => panic!("the clients' process did not open its sockets: {other:?}"),
    }
    let held = rss_kib();
    let per_socket = (held - before) / sockets as f64;

    let mut latencies = Vec::with_capacity(sockets * EVENTS);
    let mut lost = 0;
    for _ in 0..EVENTS {
        let t0 = unix_nanos();
        let id = super::create_order(api, sales, "CUST-002").await;
        let mut got = 0;
        while got < sockets {
            match tokio::time::timeout(PATIENCE, lines.next_line()).await {
                Ok(Ok(Some(line))) => {
                    let Some((ev, at)) = line.split_once(' ') else {
                        continue;
                    };
                    if ev == id {
                        let at: u128 = at.parse().unwrap_or(t0);
                        latencies.push(Duration::from_nanos(at.saturating_sub(t0) as u64));
                        got += 1;
                    }
                }
                _ => break,
            }
        }
        lost += sockets - got;
    }
    drop(child.stdin.take()); // the clients' process ends when its stdin closes
    child.wait().await.ok();
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
        println!("**missed**: {per_socket:.1} KiB per socket over {MAX_KIB_PER_SOCKET} KiB");
        ok = false;
    }
    ok
}
