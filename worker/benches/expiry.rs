//! The daily expiry scan over a large warehouse: N batches (default 1,000,000) spread over
//! products of 100 batches each, expiry dates from 60 days past to two years ahead, some
//! batches empty or inactive, a fixed seed. Stored in an embedded SQLite store.
//!
//! `cargo bench -p nexus-worker --bench expiry [-- --batches N] [--quick]`
//!
//! Prints the time of `expiry_scan::run` (read the products, bucket every batch, build the
//! result) split into the store read and the scan, the result's size, and exits 1 when the
//! whole exceeds the target (#18: under 1 s for 1,000,000 batches).

#[path = "../tests/support/mod.rs"]
mod support;

use chrono::{Days, NaiveDate};
use nexus_core::model::{Batch, Product};
use nexus_core::types::{DateOnly, Quantity};
use nexus_worker::expiry_scan;
use std::time::Instant;

/// The worker binary's allocator, so the figures are the worker's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PER_PRODUCT: usize = 100;
const TARGET_SECS: f64 = 1.0;

/// A small fixed-seed generator (xorshift): the same warehouse every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn warehouse(batches: usize, today: NaiveDate) -> Vec<Product> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = today - Days::new(60);
    (0..batches.div_ceil(PER_PRODUCT))
        .map(|i| {
            let mut p = support::product(&format!("{}", 3_000_000 + i), 100, 5);
            p.batches = (0..PER_PRODUCT.min(batches - i * PER_PRODUCT))
                .map(|b| {
                    let exp = start + Days::new(rng.below(790));
                    let qty = match rng.below(10) {
                        0 => 0,
                        _ => 1 + rng.below(500),
                    };
                    let mut batch = Batch::new(
                        format!("B{i:06}-{b:03}"),
                        Quantity::from_int(qty),
                        Some(DateOnly::new(exp)),
                    );
                    batch.is_active = rng.below(20) != 0;
                    batch.warehouse_id = Some(format!("WH-{:02}", rng.below(4) + 1));
                    batch
                })
                .collect();
            p
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let mut batches = 1_000_000usize;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => batches = 100_000,
            "--batches" => {
                batches = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .expect("--batches takes a positive whole number")
            }
            _ => {}
        }
    }
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
    let (_dir, store) = support::store().await;
    let products = warehouse(batches, today);
    let t = Instant::now();
    support::seed(&store, &products).await;
    println!(
        "seeded {} products, {batches} batches in {:.1} s",
        products.len(),
        t.elapsed().as_secs_f64()
    );
    drop(products);

    let mut best = f64::MAX;
    for run in 1..=3 {
        let t = Instant::now();
        let read = expiry_scan::read(&store).await.expect("read");
        let read_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let result = expiry_scan::scan(&read, today);
        let scan_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let whole = expiry_scan::run(&store, today).await.expect("run");
        let run_s = t.elapsed().as_secs_f64();
        assert_eq!(whole, result, "the scan is deterministic");
        let bytes = serde_json::to_vec(&whole).expect("encode").len();
        println!(
            "run {run}: read {read_s:.3} s + scan {scan_s:.3} s; expiry_scan::run {run_s:.3} s; \
             counts {}; result {:.1} MiB",
            whole["counts"],
            bytes as f64 / (1024.0 * 1024.0)
        );
        best = best.min(run_s);
    }
    let ok = best < TARGET_SECS;
    println!(
        "expiry scan, {batches} batches: best {best:.3} s, target < {TARGET_SECS} s: {}",
        if ok { "met" } else { "MISSED" }
    );
    if !ok {
        std::process::exit(1);
    }
}
