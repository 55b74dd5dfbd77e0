//! The scale run (issue 18): the same write, read and health scenarios at growing store sizes,
//! each against its target, with the ratio to a bare axum hello on the same machine. Exits
//! non-zero when a target is missed.

use super::history;
use super::{Scenario, Stats, booking, ms, run};
use hyper::Method;
use nexus_core::store::{Collection, Query, Store};
use std::net::SocketAddr;
use std::sync::Arc;

/// Concurrent clients of the create and list targets.
const CLIENTS: usize = 16;

/// What one scenario must reach.
#[derive(Clone, Copy)]
struct Target {
    min_rps: Option<f64>,
    max_p99_ms: Option<f64>,
    /// At least this share of bare hello's requests/s.
    min_hello_share: Option<f64>,
}

const CREATE: Target = Target {
    min_rps: Some(3_000.0),
    max_p99_ms: Some(20.0),
    min_hello_share: None,
};
const LIST: Target = Target {
    min_rps: Some(20_000.0),
    max_p99_ms: Some(5.0),
    min_hello_share: None,
};
const HEALTH: Target = Target {
    min_rps: None,
    max_p99_ms: None,
    min_hello_share: Some(0.5),
};
const NONE: Target = Target {
    min_rps: None,
    max_p99_ms: None,
    min_hello_share: None,
};
/// From the smallest size to the largest no figure may drop by more than a third.
const MIN_SIZE_RATIO: f64 = 2.0 / 3.0;

pub struct Sessions {
    pub api: SocketAddr,
    pub hello: SocketAddr,
    pub admin: String,
    pub sales: String,
}

struct Row {
    size: usize,
    name: String,
    target: Target,
    stats: Stats,
    concurrency: usize,
}

fn scenarios(s: &Sessions, quick: bool) -> Vec<(Scenario, Target)> {
    let scale = if quick { 10 } else { 1 };
    // Each scenario stops at its request count or after this long, whichever comes first.
    let budget = std::time::Duration::from_secs(if quick { 2 } else { 8 });
    // 50 per page, as the issue measures (without `limit` a list answers up to 2,000 rows,
    // the old app's whole-list read).
    let get = |name: &'static str, path: &'static str, token: Option<&String>, requests: usize| {
        Scenario {
            name,
            method: Method::GET,
            addr: if path == "/" { s.hello } else { s.api },
            path,
            token: token.cloned(),
            bodies: vec![],
            requests: requests / scale,
            concurrency: if path == "/" || path == "/api/health" {
                32
            } else {
                CLIENTS
            },
            expect: 200,
            budget: Some(budget),
        }
    };
    let create = |name: &'static str, clients: usize, requests: usize| Scenario {
        name,
        method: Method::POST,
        addr: s.api,
        path: "/api/orders",
        token: Some(s.sales.clone()),
        bodies: history::booking_customers(clients)
            .iter()
            .map(|c| booking(c))
            .collect(),
        requests: requests / scale,
        concurrency: clients,
        expect: 201,
        budget: Some(budget),
    };
    vec![
        (get("hello (bare axum)", "/", None, 100_000), NONE),
        (get("GET /api/health", "/api/health", None, 50_000), HEALTH),
        (
            get(
                "GET /api/orders (Admin, all)",
                "/api/orders?limit=50",
                Some(&s.admin),
                20_000,
            ),
            LIST,
        ),
        (
            get(
                "GET /api/orders?status=Delivered",
                "/api/orders?status=Delivered&limit=50",
                Some(&s.admin),
                20_000,
            ),
            LIST,
        ),
        (
            get(
                "GET /api/orders?status=Pending Credit Approval",
                "/api/orders?status=Pending%20Credit%20Approval&limit=50",
                Some(&s.admin),
                20_000,
            ),
            LIST,
        ),
        (
            get(
                "GET /api/orders?customerId=CUST-002",
                "/api/orders?customerId=CUST-002&limit=50",
                Some(&s.admin),
                20_000,
            ),
            LIST,
        ),
        (
            get(
                "GET /api/orders?creditCheck=review",
                "/api/orders?creditCheck=review&limit=50",
                Some(&s.admin),
                20_000,
            ),
            LIST,
        ),
        (
            get(
                "GET /api/orders (Sales, own scope)",
                "/api/orders?limit=50",
                Some(&s.sales),
                20_000,
            ),
            LIST,
        ),
        (
            get(
                "GET /api/orders/last-rate/CUST-002/SKU",
                "/api/orders/last-rate/CUST-002/SKU-001",
                Some(&s.sales),
                20_000,
            ),
            LIST,
        ),
        // A SKU the heavy customer never bought: no order ends the search early, so without
        // an index on the SKUs inside the lines this read walks the customer's whole history.
        (
            get(
                "GET /api/orders/last-rate/CUST-002/never-bought",
                "/api/orders/last-rate/CUST-002/SKU-NEVER-BOUGHT",
                Some(&s.sales),
                20_000,
            ),
            LIST,
        ),
        (create("POST /api/orders, 1 client", 1, 1_000), CREATE_ONE),
        (
            create("POST /api/orders, 16 clients", CLIENTS, 10_000),
            CREATE,
        ),
    ]
}

/// One client books one after the other: the issue sets no rate for it, only that it keeps
/// its speed as the store grows (and the latency bound of the concurrent case).
const CREATE_ONE: Target = Target {
    min_rps: None,
    max_p99_ms: Some(20.0),
    min_hello_share: None,
};

/// `only`: measure just the scenarios whose name contains it (and hello, for the ratio).
pub async fn run_sizes(
    store: Arc<dyn Store>,
    sizes: &[usize],
    s: Sessions,
    quick: bool,
    only: Option<&str>,
) -> bool {
    history::add_customers(store.as_ref(), CLIENTS).await;
    let mut rows: Vec<Row> = Vec::new();
    let mut floors = Vec::new();
    let mut have = 0;
    for &size in sizes {
        let t0 = std::time::Instant::now();
        history::grow(store.as_ref(), have, size).await;
        have = size;
        eprintln!(
            "store grown to {size} orders in {:.1} s; measuring …",
            t0.elapsed().as_secs_f64()
        );
        let (floor_us, bytes) = page_floor(store.as_ref()).await;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        floors.push(format!(
            "| {size} | {floor_us:.0} µs | {} KiB | {:.0}/s |",
            bytes / 1024,
            cores as f64 * 1e6 / floor_us
        ));
        for (sc, target) in scenarios(&s, quick) {
            if let Some(only) = only
                && !sc.name.contains(only)
                && !sc.name.starts_with("hello")
            {
                continue;
            }
            // Warm up connections, caches and the allocator, then measure.
            let _ = run(&sc, (sc.requests / 10).max(sc.concurrency)).await;
            let stats = run(&sc, sc.requests).await;
            eprintln!("  {}: {:.0}/s", sc.name, stats.rps());
            rows.push(Row {
                size,
                name: sc.name.to_string(),
                target,
                stats,
                concurrency: sc.concurrency,
            });
        }
    }
    println!(
        "The floor of a list request: read 50 orders from the store and encode the body, \
         one task, nothing else; the bound is what every core doing only that would answer.\n"
    );
    println!("| Orders in store | Page read + encode | Body | Bound, all cores |");
    println!("|---:|---:|---:|---:|");
    for f in &floors {
        println!("{f}");
    }
    println!();
    report(&rows)
}

/// The floor under a list request: the store read of one page of 50 orders and the encoding
/// of the response body, nothing else (no HTTP, no auth, no scope, no view). Two cores
/// doing only this answer at most `cores / time` pages a second: the physical bound the
/// list target is measured against. Returns (µs per page, bytes per page).
async fn page_floor(store: &dyn Store) -> (f64, usize) {
    let q = Query::all().sort_desc("createdAt").limit(50);
    let mut bytes = 0;
    let rounds = 400;
    let t0 = std::time::Instant::now();
    for _ in 0..rounds {
        let page = store
            .find(Collection::Orders, &q)
            .await
            .expect("read a page");
        bytes = serde_json::to_vec(&page).expect("encode").len();
    }
    (t0.elapsed().as_secs_f64() * 1e6 / f64::from(rounds), bytes)
}

/// Prints the table and the verdicts; true when every target is met.
fn report(rows: &[Row]) -> bool {
    println!(
        "| Orders in store | Scenario | Clients | Requests/s | × hello | p50 ms | p99 ms | Errors | Target |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---|");
    let mut missed = Vec::new();
    for r in rows {
        let hello = rows
            .iter()
            .find(|h| h.size == r.size && h.name.starts_with("hello"))
            .map_or(f64::NAN, |h| h.stats.rps());
        let share = r.stats.rps() / hello;
        let p99 = r.stats.pct(0.99).as_secs_f64() * 1000.0;
        let mut verdict = Vec::new();
        if let Some(min) = r.target.min_rps
            && r.stats.rps() < min
        {
            verdict.push(format!("< {min:.0}/s"));
        }
        if let Some(max) = r.target.max_p99_ms
            && p99 > max
        {
            verdict.push(format!("p99 > {max} ms"));
        }
        if let Some(min) = r.target.min_hello_share
            && share < min
        {
            verdict.push(format!("< {min}× hello"));
        }
        if r.stats.errors > 0 {
            verdict.push(format!("{} errors", r.stats.errors));
        }
        let has_target = r.target.min_rps.is_some()
            || r.target.max_p99_ms.is_some()
            || r.target.min_hello_share.is_some();
        let cell = match (has_target, verdict.is_empty()) {
            (false, true) => "—".to_string(),
            (true, true) => "met".to_string(),
            (_, false) => format!("**missed**: {}", verdict.join(", ")),
        };
        if !verdict.is_empty() {
            missed.push(format!(
                "{} at {} orders: {}",
                r.name,
                r.size,
                verdict.join(", ")
            ));
        }
        println!(
            "| {} | {} | {} | {:.0} | {:.3} | {} | {} | {} | {} |",
            r.size,
            r.name,
            r.concurrency,
            r.stats.rps(),
            share,
            ms(r.stats.pct(0.50)),
            ms(r.stats.pct(0.99)),
            r.stats.errors,
            cell
        );
    }
    // Cost independent of history: smallest size against largest, per scenario.
    let (Some(small), Some(large)) = (rows.first().map(|r| r.size), rows.last().map(|r| r.size))
    else {
        return true;
    };
    if small != large {
        println!("\n| Scenario | Requests/s at {small} | at {large} | ratio | Target ≥ 0.67 |");
        println!("|---|---:|---:|---:|---|");
        for r in rows
            .iter()
            .filter(|r| r.size == small && !r.name.starts_with("hello"))
        {
            let Some(l) = rows.iter().find(|x| x.size == large && x.name == r.name) else {
                continue;
            };
            let ratio = l.stats.rps() / r.stats.rps();
            let ok = ratio >= MIN_SIZE_RATIO;
            if !ok {
                missed.push(format!(
                    "{}: {ratio:.2} of its speed at {small} orders",
                    r.name
                ));
            }
            println!(
                "| {} | {:.0} | {:.0} | {ratio:.2} | {} |",
                r.name,
                r.stats.rps(),
                l.stats.rps(),
                if ok { "met" } else { "**missed**" }
            );
        }
    }
    if missed.is_empty() {
        println!("\nEvery target met.");
        true
    } else {
        println!("\nTargets missed:");
        for m in &missed {
            println!("- {m}");
        }
        false
    }
}
