//! Bulk-order import at scale: 100,000 order lines (1,000 customers × 100 lines, half of
//! them with an Applied Rate, half priced from the base rate) against an embedded SQLite
//! store seeded with the customers and 200 products.
//!
//! `cargo bench -p nexus-worker --bench import` prints the time to build the workbook, to
//! parse it (sheet and header found, every row read), the end-to-end `run_import`, and a
//! second run of the same file (idempotent: every order already imported), and the whole
//! job path on a fresh store: the workbook read from the blob store, the job claimed,
//! imported with progress, its record finished and events published. Target: end to end
//! under 3 s.
//!
//! `-- --write <path>` also saves the generated workbook, for timing the old system's reader
//! on the same file (`scripts/bench-exceljs.sh`).

#[path = "../tests/support/mod.rs"]
mod support;

use nexus_core::blob::{BlobKey, BlobStore, LocalBlobStore, UrlSigner};
use nexus_core::events::InProcessBus;
use nexus_core::jobs::{JobTicket, RecordingQueue};
use nexus_core::model::{JobKind, JobRecord, JobStatus, Order};
use nexus_core::store::{Filter, Store, TypedStore, Write};
use nexus_core::types::Timestamp;
use nexus_worker::{Runner, WorkerDeps};
use std::sync::Arc;
use std::time::Instant;
use support::{C, customer, product, s, seed, workbook};

const CUSTOMERS: usize = 1_000;
const LINES_PER_CUSTOMER: usize = 100;
const PRODUCTS: usize = 200;

/// A store seeded with the bench's customers and products.
async fn seeded_store() -> (tempfile::TempDir, nexus_core::store::SqliteStore) {
    let (dir, store) = support::store().await;
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
    (dir, store)
}

/// The whole job path on a fresh store: blob → claim → import → finished record.
async fn job_path(bytes: &[u8]) -> std::time::Duration {
    let (dir, store) = seeded_store().await;
    let store: Arc<dyn Store> = Arc::new(store);
    let blobs = Arc::new(LocalBlobStore::new(
        dir.path().join("blobs"),
        UrlSigner::from_secret(b"bench"),
    ));
    let key = BlobKey::parse("imports/bulk-orders/bench.xlsx").expect("key");
    let meta = blobs
        .put(&key, bytes.to_vec(), "application/octet-stream")
        .await
        .expect("blob");
    let job = JobRecord::queued(
        "JOB-BENCH",
        JobKind::BulkOrderImport,
        support::SALES,
        Some(serde_json::json!({ "blobKey": key.as_str(), "sha256": meta.sha256 })),
        3,
        Timestamp::now(),
    );
    store
        .commit(vec![Write::insert(&job).expect("job")])
        .await
        .expect("record");
    let config = nexus_core::config::Config::from_lookup(|_| None).expect("defaults");
    let runner = Runner::new(WorkerDeps {
        store: store.clone(),
        blobs,
        events: Arc::new(InProcessBus::default()),
        queue: Arc::new(RecordingQueue::default()),
        settings: config.jobs,
        ai: Arc::new(nexus_core::integrations::advisor::RuleBasedAdvisor),
        maps: None,
        worker_id: "bench".into(),
    });
    let t = Instant::now();
    runner
        .handle(&JobTicket {
            job_id: job.id.clone(),
        })
        .await
        .expect("job");
    let took = t.elapsed();
    let done: JobRecord = store
        .get(Filter::id(&job.id))
        .await
        .expect("read")
        .expect("job");
    assert_eq!(done.status, JobStatus::Succeeded, "{:?}", done.error);
    assert_eq!(done.result.expect("result")["ordersCreated"], CUSTOMERS);
    took
}

#[tokio::main]
async fn main() {
    let write_to = std::env::args()
        .skip_while(|a| a != "--write")
        .nth(1)
        .map(std::path::PathBuf::from);
    let (_dir, store) = seeded_store().await;

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
    if let Some(path) = &write_to {
        std::fs::write(path, &bytes).expect("write workbook");
        println!("workbook written to {}", path.display());
    }
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
    let job = job_path(&bytes).await;
    println!(
        "job path (blob read, claim, import, finished record, events) on a fresh store: {job:.2?}"
    );
    println!(
        "target: end to end under 3 s — {}",
        if job.as_secs_f64() < 3.0 {
            "met"
        } else {
            "NOT met"
        }
    );
}
