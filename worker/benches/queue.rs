//! Job queue throughput: no-op jobs through the apalis transports the worker uses, the
//! embedded SQLite queue file and Redis (a redis-server of the bench's own on a free loopback
//! port; redis-server must be on PATH, as for the tests).
//!
//! `cargo bench -p nexus-worker --bench queue [-- --jobs N] [--quick] [--only sqlite|redis]`
//!
//! For each transport it measures, on a fresh queue: pushing N tickets from 16 concurrent
//! producers (the API's request handlers enqueue this way), then one worker with the
//! production settings (`NEXUS_WORKER_CONCURRENCY` default, the 250 ms idle poll) draining
//! them through a handler that only counts, and both at once (producers and the worker
//! running together, the steady state). Prints jobs/s, the ratio to the target, and exits 1
//! when a target is missed (#18: Redis ≥ 5,000/s, SQLite ≥ 1,000/s).

use apalis::prelude::*;
use nexus_core::jobs::{JobQueue, JobTicket};
use nexus_tests::redis::RedisServer;
use nexus_worker::queue::Transport;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The worker binary's allocator, so the figures are the worker's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PRODUCERS: usize = 16;
/// `NEXUS_WORKER_CONCURRENCY`'s default.
const CONCURRENCY: usize = 2;
const HEARTBEAT: Duration = Duration::from_secs(10);
const DEADLINE: Duration = Duration::from_secs(300);

struct Args {
    jobs: u64,
    only: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        jobs: 20_000,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--quick" => a.jobs = 5_000,
            "--jobs" => {
                a.jobs = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .expect("--jobs takes a positive whole number")
            }
            "--only" => a.only = it.next(),
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

/// Counts handled tickets and wakes the bench at the target.
struct Done {
    handled: AtomicU64,
    target: u64,
    reached: Notify,
}

async fn no_op(_ticket: JobTicket, done: Data<Arc<Done>>) -> Result<(), BoxDynError> {
    if done.handled.fetch_add(1, Ordering::Relaxed) + 1 == done.target {
        done.reached.notify_one();
    }
    Ok(())
}

/// Pushes `n` tickets from [`PRODUCERS`] tasks; returns when all are in the queue.
async fn push(queue: &Transport, from: u64, n: u64) {
    let per = n.div_ceil(PRODUCERS as u64);
    let mut tasks = Vec::new();
    for p in 0..PRODUCERS as u64 {
        let q = queue.clone();
        let (start, end) = (from + p * per, (from + (p + 1) * per).min(from + n));
        tasks.push(tokio::spawn(async move {
            for i in start..end {
                q.enqueue(&format!("JOB-{i:08}"), None)
                    .await
                    .expect("enqueue");
            }
        }));
    }
    for t in tasks {
        t.await.expect("producer");
    }
}

/// Runs one worker on `queue` until `target` tickets were handled; returns the time taken.
async fn drain(queue: Transport, target: u64, started: Instant) -> Duration {
    let done = Arc::new(Done {
        handled: AtomicU64::new(0),
        target,
        reached: Notify::new(),
    });
    let stop = Arc::new(Notify::new());
    let stopped = {
        let stop = stop.clone();
        async move {
            stop.notified().await;
            Ok::<(), std::io::Error>(())
        }
    };
    let name = format!("bench-{}", ulid::Ulid::new());
    let worker = {
        let done = done.clone();
        tokio::spawn(async move {
            let poll = Duration::from_millis(250);
            match queue {
                Transport::Sqlite(s) => WorkerBuilder::new(name)
                    .backend(s.poll_with_interval(poll))
                    .concurrency(CONCURRENCY)
                    .data(done)
                    .build(no_op)
                    .run_until(stopped)
                    .await
                    .map_err(|e| e.to_string()),
                Transport::Redis(s) => WorkerBuilder::new(name)
                    .backend(s)
                    .concurrency(CONCURRENCY)
                    .data(done)
                    .build(no_op)
                    .run_until(stopped)
                    .await
                    .map_err(|e| e.to_string()),
            }
        })
    };
    let reached = done.reached.notified();
    if done.handled.load(Ordering::Relaxed) < target {
        tokio::time::timeout(DEADLINE, reached)
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "only {} of {target} jobs handled in {DEADLINE:?}",
                    done.handled.load(Ordering::Relaxed)
                )
            });
    }
    let took = started.elapsed();
    stop.notify_one();
    let _ = worker.await;
    took
}

struct Figures {
    push: f64,
    drain: f64,
    both: f64,
}

async fn measure(name: &str, connect: impl AsyncFn() -> Transport, jobs: u64) -> Figures {
    // Push alone, then drain what was pushed.
    let q = connect().await;
    let t = Instant::now();
    push(&q, 0, jobs).await;
    let push_rate = jobs as f64 / t.elapsed().as_secs_f64();
    let drained = drain(q, jobs, Instant::now()).await;
    let drain_rate = jobs as f64 / drained.as_secs_f64();
    // Producers and the worker together, on a fresh queue.
    let q = connect().await;
    let t = Instant::now();
    let worker = tokio::spawn(drain(q.clone(), jobs, t));
    push(&q, jobs, jobs).await;
    let both = worker.await.expect("worker");
    let both_rate = jobs as f64 / both.as_secs_f64();
    println!(
        "{name:<8} {jobs:>7} jobs  push {push_rate:>9.0}/s  drain {drain_rate:>9.0}/s  \
         push+drain {both_rate:>9.0}/s"
    );
    Figures {
        push: push_rate,
        drain: drain_rate,
        both: both_rate,
    }
}

#[tokio::main]
async fn main() {
    let a = args();
    let wanted = |n: &str| a.only.as_deref().is_none_or(|o| n.contains(o));
    println!(
        "no-op jobs, {PRODUCERS} producers, one worker at concurrency {CONCURRENCY}, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let mut missed = Vec::new();
    let mut check = |name: &str, f: Figures, target: f64| {
        let slowest = f.push.min(f.drain).min(f.both);
        println!(
            "{name:<8} slowest {slowest:.0}/s, target {target:.0}/s: {:.2}× {}",
            slowest / target,
            if slowest >= target { "met" } else { "MISSED" }
        );
        if slowest < target {
            missed.push(name.to_string());
        }
    };
    if wanted("sqlite") {
        let dir = tempfile::tempdir().expect("tempdir");
        let n = AtomicU64::new(0);
        let connect = async || {
            let path = dir
                .path()
                .join(format!("queue-{}.db", n.fetch_add(1, Ordering::Relaxed)));
            Transport::sqlite(&path, HEARTBEAT)
                .await
                .expect("sqlite queue")
        };
        let f = measure("sqlite", connect, a.jobs).await;
        check("sqlite", f, 1_000.0);
    }
    if wanted("redis") {
        let server = RedisServer::start().await;
        let url = format!("redis://127.0.0.1:{}/", server.port);
        let n = AtomicU64::new(0);
        let connect = async || {
            // A database of its own per run: a fresh queue each time.
            let db = n.fetch_add(1, Ordering::Relaxed);
            Transport::redis(&format!("{url}{db}"), HEARTBEAT)
                .await
                .expect("redis queue")
        };
        let f = measure("redis", connect, a.jobs).await;
        check("redis", f, 5_000.0);
    }
    if !missed.is_empty() {
        eprintln!("targets missed: {}", missed.join(", "));
        std::process::exit(1);
    }
}
