//! HTTP benchmark: the API in-process on its embedded defaults (a temp SQLite store with the
//! demo data, bcrypt cost 12 as in production) beside a bare axum "hello" server on the same
//! machine, each driven by N concurrent keep-alive clients (one HTTP/1.1 connection each) for
//! a fixed number of requests. Prints requests/s and p50/p99/max latency per scenario as a
//! Markdown table (docs/BENCHMARKS.md records the figures).
//!
//! ```text
//! cargo bench -p nexus-api --bench http                 # full run (about two minutes)
//! cargo bench -p nexus-api --bench http -- --quick      # a tenth of the requests
//! cargo bench -p nexus-api --bench http -- --concurrency 64 --only health
//! cargo bench -p nexus-api --bench http -- --orders 10000,100000,1000000   # the scale run
//! cargo bench -p nexus-api --bench http -- --sockets 1000   # live fan-out to 1,000 sockets
//! ```
//!
//! The scale run (`--orders`, issue 18) grows a generated order history through each size in
//! turn and measures create, list (each filter), last rate and health against their targets,
//! with the ratio to bare hello; it exits non-zero when a target is missed. With
//! `MONGODB_URI` set, the API runs on that MongoDB instead of SQLite.
//!
//! Loopback only, bounded request counts; it stops by itself. The general rate limit is
//! raised for the run (every request comes from one address); everything else is the
//! production stack: request ids, security headers, CORS, tracing spans, JWT checks with a
//! user re-read per request, the audit entry per write.

use axum::Router;
use axum::routing::get;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use nexus_api::{app, startup};
use nexus_core::config::Config;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// mimalloc rather than glibc's malloc: see docs/BENCHMARKS.md (allocation was the largest
/// cost of an order list).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/fanout.rs"]
mod fanout;
#[path = "support/history.rs"]
mod history;
#[path = "support/scale.rs"]
mod scale;

/// An order of one line of the demo rice for `customer`.
fn booking(customer: &str) -> String {
    json!({ "customerId": customer, "items": [{ "productId": "PROD-001", "quantity": 1 }] })
        .to_string()
}

#[derive(Clone)]
struct Scenario {
    name: &'static str,
    method: Method,
    addr: SocketAddr,
    path: &'static str,
    token: Option<String>,
    /// Client `k` sends `bodies[k % len]` (no body when empty), e.g. one customer per client.
    bodies: Vec<String>,
    requests: usize,
    concurrency: usize,
    expect: u16,
    /// Stop sending after this long even if requests remain (a slow scenario still yields
    /// its figures without holding the run for minutes).
    budget: Option<Duration>,
}

struct Stats {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Stats {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    fn pct(&self, p: f64) -> Duration {
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i.min(self.latencies.len() - 1)]
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// One keep-alive connection sending requests until the shared budget is spent.
async fn client(
    s: Arc<Scenario>,
    next: Arc<AtomicUsize>,
    total: usize,
    k: usize,
) -> (Vec<Duration>, usize) {
    let body = (!s.bodies.is_empty()).then(|| s.bodies[k % s.bodies.len()].clone());
    let deadline = s.budget.map(|b| Instant::now() + b);
    let stream = TcpStream::connect(s.addr).await.expect("connect");
    stream.set_nodelay(true).ok();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut lat = Vec::new();
    let mut errors = 0;
    while next.fetch_add(1, Ordering::Relaxed) < total
        && deadline.is_none_or(|d| Instant::now() < d)
    {
        let mut req = Request::builder()
            .method(s.method.clone())
            .uri(s.path)
            .header("host", s.addr.to_string());
        if let Some(t) = &s.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let body = match &body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Full::new(Bytes::from(b.clone()))
            }
            None => Full::new(Bytes::new()),
        };
        let req = req.body(body).expect("request");
        sender.ready().await.expect("connection closed");
        let t0 = Instant::now();
        let res = sender.send_request(req).await.expect("response");
        let status = res.status().as_u16();
        let _ = res.into_body().collect().await;
        lat.push(t0.elapsed());
        if status != s.expect {
            errors += 1;
        }
    }
    (lat, errors)
}

async fn run(s: &Scenario, requests: usize) -> Stats {
    let s = Arc::new(s.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let handles: Vec<_> = (0..s.concurrency.min(requests.max(1)))
        .map(|k| tokio::spawn(client(s.clone(), next.clone(), requests, k)))
        .collect();
    let mut latencies = Vec::with_capacity(requests);
    let mut errors = 0;
    for h in handles {
        let (l, e) = h.await.expect("client task");
        latencies.extend(l);
        errors += e;
    }
    let elapsed = t0.elapsed();
    latencies.sort();
    Stats {
        requests: latencies.len(),
        errors,
        elapsed,
        latencies,
    }
}

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

/// One JSON POST on a fresh connection; the answer's body.
async fn post_json(addr: SocketAddr, token: Option<&str>, path: &str, body: String) -> Value {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("host", addr.to_string())
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = req.body(Full::new(Bytes::from(body))).unwrap();
    let res = sender.send_request(req).await.unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

async fn login(addr: SocketAddr, user: &str, password: &str) -> String {
    let body = json!({ "email": user, "password": password }).to_string();
    let v = post_json(addr, None, "/api/login", body).await;
    v["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login {user} failed: {v}"))
        .to_string()
}

/// Books one order over HTTP and returns its id.
async fn create_order(addr: SocketAddr, token: &str, customer: &str) -> String {
    let v = post_json(addr, Some(token), "/api/orders", booking(customer)).await;
    v["data"]["id"]
        .as_str()
        .or(v["id"].as_str())
        .unwrap_or_else(|| panic!("booking failed: {v}"))
        .to_string()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("PRETTY_NAME=")).map(|l| {
                l.trim_start_matches("PRETTY_NAME=")
                    .trim_matches('"')
                    .to_string()
            })
        })
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), {os}")
}

struct Args {
    /// WebSocket clients of the fan-out run (`--sockets 1000`).
    sockets: Option<usize>,
    /// Store sizes of the scale run; empty: the default run on the demo data alone.
    orders: Vec<usize>,
    quick: bool,
    concurrency: Option<usize>,
    only: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        sockets: None,
        orders: Vec::new(),
        quick: false,
        concurrency: None,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--quick" => a.quick = true,
            "--concurrency" => a.concurrency = it.next().and_then(|n| n.parse().ok()),
            "--only" => a.only = it.next(),
            "--sockets" => a.sockets = it.next().and_then(|n| n.parse().ok()),
            "--orders" => {
                a.orders = it
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|n| {
                        n.trim()
                            .replace('_', "")
                            .parse()
                            .expect("--orders 10000,100000")
                    })
                    .collect();
                a.orders.sort_unstable();
            }
            _ => {} // `cargo bench` adds `--bench`
        }
    }
    a
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // The fan-out run's clients, in a process of their own (support/fanout.rs).
    let argv: Vec<String> = std::env::args().collect();
    if let Some(at) = argv.iter().position(|a| a == "--ws-clients") {
        let [url, token, n] = [1, 2, 3].map(|i| argv.get(at + i).cloned().unwrap_or_default());
        let n = n.parse().expect("--ws-clients URL TOKEN N");
        rt.block_on(fanout::clients_main(url, token, n));
        return;
    }
    let args = args();
    if !rt.block_on(bench(args)) {
        std::process::exit(1);
    }
}

/// Runs the benchmark; false when the scale run missed a target.
async fn bench(args: Args) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("NEXUS_DATA_DIR", dir.path().to_str().unwrap().to_string()),
        (
            "JWT_SECRET",
            "bench-secret-bench-secret-bench-secret-01".to_string(),
        ),
        ("NEXUS_BCRYPT_COST", "12".to_string()),
        ("RATE_LIMIT_MAX_REQUESTS", "1000000000".to_string()),
        ("NEXUS_DEMO_DATA", "true".to_string()),
        ("NEXUS_IN_PROCESS_WORKER", "false".to_string()),
    ]);
    for k in ["MONGODB_URI", "NEXUS_MONGODB_DB"] {
        if let Ok(v) = std::env::var(k) {
            vars.insert(k, v);
        }
    }
    let config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    eprintln!(
        "seeding the demo data (bcrypt cost {}) …",
        config.bcrypt_cost
    );
    // The same start-up as `nexus-api`, so the bench measures the product's wiring.
    let state = startup::build(config).await.unwrap().state;
    let store = state.store.clone();
    let api = serve(app(state)).await;
    let hello = serve(Router::new().route("/", get(|| async { "Hello, World!" }))).await;

    let admin = login(api, "admin@nexusoms.com", "admin123").await;
    let sales = login(api, "SALES-001", "sales123").await;
    println!("Machine: {}", machine());
    println!("Client and servers share the machine (loopback).\n");
    if let Some(n) = args.sockets {
        return fanout::run(api, &admin, &sales, n).await;
    }
    if !args.orders.is_empty() {
        let sessions = scale::Sessions {
            api,
            hello,
            admin,
            sales,
        };
        return scale::run_sizes(
            store,
            &args.orders,
            sessions,
            args.quick,
            args.only.as_deref(),
        )
        .await;
    }
    let scale = if args.quick { 10 } else { 1 };
    let c = |default: usize| args.concurrency.unwrap_or(default);
    let scenarios = vec![
        Scenario {
            name: "hello (bare axum)",
            method: Method::GET,
            addr: hello,
            path: "/",
            token: None,
            bodies: vec![],
            requests: 50_000 / scale,
            concurrency: c(32),
            expect: 200,
            budget: None,
        },
        Scenario {
            name: "GET /api/health",
            method: Method::GET,
            addr: api,
            path: "/api/health",
            token: None,
            bodies: vec![],
            requests: 20_000 / scale,
            concurrency: c(32),
            expect: 200,
            budget: None,
        },
        Scenario {
            name: "POST /api/login (bcrypt 12)",
            method: Method::POST,
            addr: api,
            path: "/api/login",
            token: None,
            bodies: vec![
                json!({ "email": "admin@nexusoms.com", "password": "admin123" }).to_string(),
            ],
            requests: 200 / scale,
            concurrency: c(8),
            expect: 200,
            budget: None,
        },
        Scenario {
            name: "GET /api/orders (Admin)",
            method: Method::GET,
            addr: api,
            path: "/api/orders",
            token: Some(admin),
            bodies: vec![],
            requests: 10_000 / scale,
            concurrency: c(32),
            expect: 200,
            budget: None,
        },
        Scenario {
            name: "POST /api/orders (create)",
            method: Method::POST,
            addr: api,
            path: "/api/orders",
            token: Some(sales),
            bodies: vec![booking("CUST-001")],
            requests: 2_000 / scale,
            concurrency: c(16),
            expect: 201,
            budget: None,
        },
    ];

    println!(
        "| Scenario | Requests | Concurrency | Requests/s | p50 ms | p99 ms | max ms | Errors |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for s in scenarios {
        if let Some(only) = &args.only
            && !s.name.contains(only.as_str())
        {
            continue;
        }
        // Warm up connections, caches and the allocator, then measure.
        let _ = run(&s, (s.requests / 10).max(s.concurrency)).await;
        let st = run(&s, s.requests).await;
        println!(
            "| {} | {} | {} | {:.0} | {} | {} | {} | {} |",
            s.name,
            st.requests,
            s.concurrency,
            st.rps(),
            ms(st.pct(0.50)),
            ms(st.pct(0.99)),
            ms(*st.latencies.last().unwrap()),
            st.errors
        );
    }
    true
}
