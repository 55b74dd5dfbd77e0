//! Shared by the import tests and the import bench: a fresh SQLite store in a temp dir,
//! seeding helpers, workbook builders and the upstream fixtures.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use nexus_core::auth::Role;
use nexus_core::model::{Customer, JobKind, Product, User};
use nexus_core::store::{SqliteStore, Store, Write};
use nexus_core::types::{Money, Percent, Timestamp};
use nexus_worker::{ImportContext, ImportError, ImportOutcome, run_import};
use rust_decimal::Decimal;
use rust_xlsxwriter::Workbook;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// The uploader in every test: a salesperson (may book orders).
pub const SALES: &str = "SALES-T1";
pub const ADMIN: &str = "ADMIN-T1";

/// The upstream fixtures, next to this repository (`<root>/work/shared/fixtures/upstream`).
pub fn fixtures_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/upstream"
    ));
    assert!(
        dir.is_dir(),
        "fixture directory {} is missing: the import tests need the upstream workbooks \
         (expected at <root>/work/shared/fixtures/upstream next to the repository)",
        dir.display()
    );
    dir
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh store with the catalogue's indexes and the two uploaders.
pub async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("nexus.db"))
        .await
        .expect("open sqlite");
    store.ensure_indexes().await.expect("indexes");
    let users = [
        User::new(SALES, "Asha Sales", Role::Sales),
        User::new(ADMIN, "Admin", Role::Admin),
    ];
    let writes = users.iter().map(|u| Write::insert(u).unwrap()).collect();
    store.commit(writes).await.expect("seed users");
    (dir, store)
}

pub fn customer(id: &str, region: &str) -> Customer {
    let mut c = Customer::new(id, format!("Customer {id}"));
    c.region = Some(region.into());
    c
}

pub fn product(sku: &str, price: i64, gst: i64) -> Product {
    let mut p = Product::new(sku, format!("Product {sku}"));
    p.price = Some(Money::from_rupees(price));
    p.gst = Some(Percent::new(Decimal::from(gst)).unwrap());
    p
}

/// Inserts documents in commits of 500.
pub async fn seed<T: nexus_core::store::Document>(store: &dyn Store, docs: &[T]) {
    for chunk in docs.chunks(500) {
        let writes = chunk.iter().map(|d| Write::insert(d).unwrap()).collect();
        store.commit(writes).await.expect("seed");
    }
}

/// The masters the bulk-order sheets name: customers in two states (GST splits differ) and a
/// blocked one, and products with two GST rates and one without a price.
pub async fn seed_bulk_masters(store: &dyn Store) {
    let mut blocked = customer("CUST-BLK", "Maharashtra");
    blocked.is_blocked = true;
    seed(
        store,
        &[
            customer("CUST-MH", "Maharashtra"),
            customer("CUST-KA", "Karnataka"),
            blocked,
        ],
    )
    .await;
    seed(
        store,
        &[
            product("SKU-220", 220, 5),
            product("SKU-116", 116, 12),
            product("SKU-ZERO", 0, 5),
        ],
    )
    .await;
}

/// A cell for [`workbook`].
#[derive(Debug, Clone)]
pub enum C {
    S(String),
    N(f64),
    Empty,
}

pub fn s(v: &str) -> C {
    C::S(v.into())
}

/// A workbook with one sheet per `(name, rows)`; the first row is the header.
pub fn workbook(sheets: &[(&str, Vec<Vec<C>>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    C::S(v) => {
                        ws.write_string(r, c, v).unwrap();
                    }
                    C::N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    C::Empty => {}
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// Runs an import as `requested_by`, optionally cancelling after `stop_after` progress calls.
pub async fn run_as(
    store: &dyn Store,
    kind: JobKind,
    bytes: &[u8],
    requested_by: &str,
    stop_after: Option<usize>,
) -> Result<ImportOutcome, ImportError> {
    let sha = sha256_hex(bytes);
    let ctx = ImportContext {
        store,
        job_id: "JOB-TEST",
        requested_by,
        file_sha256: &sha,
        now: Timestamp::now(),
    };
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let progress = |_p: nexus_core::model::JobProgress| {
        calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    };
    let cancelled =
        || stop_after.is_some_and(|n| calls.load(std::sync::atomic::Ordering::SeqCst) > n);
    run_import(kind, &ctx, bytes, &progress, &cancelled).await
}

pub async fn run(
    store: &dyn Store,
    kind: JobKind,
    bytes: &[u8],
) -> Result<ImportOutcome, ImportError> {
    run_as(store, kind, bytes, SALES, None).await
}

/// The rejected rows of a report as (sheet row, reason).
pub fn report_rows(report: &[u8]) -> Vec<(u32, String)> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(report.to_vec())).unwrap();
    let range = wb.worksheet_range("Rejected rows").unwrap();
    let width = range.width();
    range
        .rows()
        .skip(1)
        .map(|r| {
            let row = match &r[0] {
                Data::Float(f) => *f as u32,
                other => panic!("row number cell {other:?}"),
            };
            (row, r[width - 1].to_string())
        })
        .collect()
}
