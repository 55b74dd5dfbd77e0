//! Bulk-order import at scale: 100,000 order lines (1,000 customers × 100 lines, half of
//! them with an Applied Rate, half priced from the base rate) against an embedded SQLite
//! store seeded with the customers and 200 products.
//!
//! `cargo bench -p nexus-worker --bench import` prints the time to build the workbook, to
//! parse it (sheet and header found, every row read), the end-to-end `run_import`, and a
//! second run of the same file (idempotent: every order already imported). Target: the
//! end-to-end run under 3 s.

#[path = "../tests/support/mod.rs"]
mod support;

use nexus_core::model::{JobKind, Order};
use nexus_core::store::{Filter, TypedStore};
use std::time::Instant;
use support::{C, customer, product, s, seed, workbook};

const CUSTOMERS: usize = 1_000;
const LINES_PER_CUSTOMER: usize = 100;
const PRODUCTS: usize = 200;

#[tokio::main]
async fn main() {
    let (_dir, store) = support::store().await;
    let customers: Vec<_> = (0..CUSTOMERS)
        .map(|i| {
            customer(
                &format!("CUST-{i:05}"),
                if i % 3 == 0 {
                    "Karnataka"
                } else {
                    "Maharashtra"
                },
            )
        })
        .collect();
    let products: Vec<_> = (0..PRODUCTS)
        .map(|i| {
            product(
                &format!("{}", 2_000_000 + i),
                100 + i as i64,
                if i % 4 == 0 { 12 } else { 5 },
            )
        })
        .collect();
    seed(&store, &customers).await;
    seed(&store, &products).await;

    let t = Instant::now();
    let mut rows = vec![
        [
            "Customer ID",
            "SKU Code",
            "Quantity",
            "Applied Rate (Optional)",
            "Remarks (Optional)",
        ]
        .iter()
        .map(|h| s(h))
        .collect::<Vec<C>>(),
    ];
    for c in 0..CUSTOMERS {
        for l in 0..LINES_PER_CUSTOMER {
            let p = (c * 7 + l) % PRODUCTS;
            let rate = if l % 2 == 0 {
                C::N((100 + p) as f64 * 0.95)
            } else {
                C::Empty
            };
            rows.push(vec![
                s(&format!("CUST-{c:05}")),
                s(&format!("{}", 2_000_000 + p)),
                C::N((l % 9 + 1) as f64),
                rate,
                C::Empty,
            ]);
        }
    }
    let bytes = workbook(&[("Bulk Orders", rows)]);
    let lines = CUSTOMERS * LINES_PER_CUSTOMER;
    println!(
        "workbook: {lines} lines, {:.1} MiB, built in {:.2?}",
        bytes.len() as f64 / 1_048_576.0,
        t.elapsed()
    );

    let t = Instant::now();
    let seen = nexus_worker::inspect(JobKind::BulkOrderImport, &bytes).expect("inspect");
    println!(
        "parse (open, header, rows): {} rows in {:.2?}",
        seen.rows,
        t.elapsed()
    );

    let t = Instant::now();
    let out = support::run(&store, JobKind::BulkOrderImport, &bytes)
        .await
        .expect("import");
    let first = t.elapsed();
    println!(
        "run_import end to end: {} orders, {} lines in {first:.2?} ({:.0} lines/s)",
        out.summary["ordersCreated"],
        out.summary["imported"],
        lines as f64 / first.as_secs_f64()
    );
    assert_eq!(out.summary["ordersCreated"], CUSTOMERS);
    assert_eq!(out.summary["rejected"], 0);

    let t = Instant::now();
    let again = support::run(&store, JobKind::BulkOrderImport, &bytes)
        .await
        .expect("re-import");
    println!(
        "same file again: {} already imported, {} created in {:.2?}",
        again.summary["alreadyImported"],
        again.summary["ordersCreated"],
        t.elapsed()
    );
    let stored = store.count_of::<Order>(&Filter::All).await.expect("count");
    assert_eq!(stored, CUSTOMERS as u64);
    println!(
        "target: end to end under 3 s — {}",
        if first.as_secs_f64() < 3.0 {
            "met"
        } else {
            "NOT met"
        }
    );
}
