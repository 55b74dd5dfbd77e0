//! Bulk-order import: grouping, rejected rows with reasons, server pricing with per-line
//! GST, idempotency on re-upload and after a crash mid-way.

mod support;

use nexus_core::model::{AuditLog, JobKind, Order, OrderStatus};
use nexus_core::store::{Filter, Query, Store, TypedStore};
use nexus_core::types::Money;
use nexus_tests::workbook::HEADERS;
use nexus_worker::ImportError;
use rust_decimal_macros::dec;
use support::{
    ADMIN, C, SALES, customer, report_rows, run, run_as, s, seed, seed_bulk_masters, store,
    workbook,
};

/// A workbook of the template's layout: its header row (the one the e2e workbooks share),
/// then `rows`, beside an `Instructions` sheet.
fn sheet(rows: Vec<Vec<C>>) -> Vec<u8> {
    let mut all = vec![HEADERS.iter().map(|h| s(h)).collect()];
    all.extend(rows);
    workbook(&[
        ("Instructions", vec![vec![s("Field"), s("Description")]]),
        ("Bulk Orders", all),
    ])
}

fn line(customer: &str, sku: &str, qty: C, rate: C, remarks: &str, order_ref: &str) -> Vec<C> {
    vec![s(customer), s(sku), qty, rate, s(remarks), s(order_ref)]
}

async fn seeded() -> (tempfile::TempDir, nexus_core::store::SqliteStore) {
    let (dir, store) = store().await;
    seed_bulk_masters(&store).await;
    (dir, store)
}

async fn orders(store: &dyn Store) -> Vec<Order> {
    store
        .list::<Order>(&Query::new(Filter::All).sort_asc("id"))
        .await
        .unwrap()
}

#[tokio::test]
async fn groups_by_ref_and_customer_and_prices_with_gst() {
    let (_dir, store) = seeded().await;
    let bytes = sheet(vec![
        line("CUST-MH", "SKU-220", C::N(10.0), C::Empty, "first", "PO-1"),
        line("CUST-MH", "SKU-116", s(" 5 "), s("116.29"), "", "PO-1"),
        line("CUST-MH", "SKU-220", C::N(1.0), C::Empty, "", "PO-2"),
        line("CUST-KA", "SKU-220", C::N(2.0), C::N(200.0), "", ""),
        line("CUST-KA", "SKU-116", C::N(3.0), C::Empty, "", ""),
    ]);
    let out = run(&store, JobKind::BulkOrderImport, &bytes).await.unwrap();
    assert_eq!(out.summary["sheet"], "Bulk Orders");
    assert_eq!(out.summary["ordersCreated"], 3, "{}", out.summary);
    assert_eq!(out.summary["imported"], 5);
    assert_eq!(out.summary["rejected"], 0);
    assert!(out.report.is_none());
    assert_eq!(out.created_order_ids.len(), 3);

    let all = orders(&store).await;
    let po1 = all
        .iter()
        .find(|o| o.extra.get("orderRef").and_then(|v| v.as_str()) == Some("PO-1"))
        .unwrap();
    // 10 × 220 at 5 % + 5 × 116.29 at 12 %: 2,781.45 + (110.00 + 69.77) = 2,961.22.
    assert_eq!(po1.items.len(), 2);
    assert_eq!(po1.sub_total, Money::new(dec!(2781.45)));
    assert_eq!(po1.gst_amount, Money::new(dec!(179.77)));
    assert_eq!(po1.total, Money::new(dec!(2961.22)));
    assert_eq!(po1.cgst + po1.sgst, po1.gst_amount);
    assert_eq!(po1.igst, Money::ZERO);
    assert_eq!(po1.status, OrderStatus::PendingCreditApproval);
    assert!(po1.is_bulk_upload);
    assert_eq!(po1.salesperson_id.as_deref(), Some(SALES));
    assert_eq!(po1.status_history.len(), 1);
    assert!(
        po1.import_key
            .as_deref()
            .unwrap()
            .ends_with(":CUST-MH|PO-1")
    );
    assert_eq!(po1.items[0].remarks.as_deref(), Some("first"));

    let ka = all.iter().find(|o| o.customer_id == "CUST-KA").unwrap();
    // Inter-state: all IGST. 2 × 200 at 5 % + 3 × 116 at 12 % = 400 + 348; 20 + 41.76.
    assert_eq!(ka.items.len(), 2);
    assert_eq!(ka.sub_total, Money::new(dec!(748)));
    assert_eq!(ka.igst, Money::new(dec!(61.76)));
    assert_eq!(ka.cgst, Money::ZERO);

    let audits = store
        .list::<AuditLog>(&Query::new(Filter::eq("entityType", "ORDER")))
        .await
        .unwrap();
    assert_eq!(audits.len(), 3);
}

#[tokio::test]
async fn bad_rows_are_reported_and_spoil_only_their_order() {
    let (_dir, store) = seeded().await;
    let bytes = sheet(vec![
        line("CUST-NONE", "SKU-220", C::N(1.0), C::Empty, "", ""),
        line("CUST-MH", "SKU-NONE", C::N(1.0), C::Empty, "", "PO-9"),
        line("CUST-MH", "SKU-220", C::N(4.0), C::Empty, "", "PO-9"),
        line("CUST-MH", "SKU-220", C::N(0.0), C::Empty, "", "PO-7"),
        line("CUST-BLK", "SKU-220", C::N(1.0), C::Empty, "", ""),
        line("CUST-KA", "SKU-220", C::N(1.0), s("=1+1"), "", ""),
        line("CUST-KA", "SKU-220", C::N(1.0), C::N(5000.0), "", "PO-X"),
        line("CUST-KA", "SKU-ZERO", C::N(1.0), C::Empty, "", "PO-Z"),
        line("CUST-MH", "SKU-116", C::N(2.0), C::Empty, "@cmd", "PO-OK"),
    ]);
    let out = run(&store, JobKind::BulkOrderImport, &bytes).await.unwrap();
    assert_eq!(out.summary["ordersCreated"], 1, "{}", out.summary);
    assert_eq!(out.summary["rejected"], 8);
    let rows = report_rows(out.report.as_deref().unwrap());
    let reason = |r: u32| {
        rows.iter()
            .find(|(n, _)| *n == r)
            .map(|(_, why)| why.clone())
            .unwrap_or_else(|| panic!("row {r} not in the report: {rows:?}"))
    };
    assert!(reason(2).contains("customer CUST-NONE does not exist"));
    assert!(reason(3).contains("SKU SKU-NONE does not exist"));
    assert!(
        reason(4).contains("row 3 of the same order"),
        "{}",
        reason(4)
    );
    assert!(reason(5).contains("greater than 0"));
    assert!(reason(6).contains("blocked"));
    assert!(reason(7).starts_with("Applied Rate"), "{}", reason(7));
    assert!(reason(8).contains("10×"));
    assert!(reason(9).contains("no base rate"), "{}", reason(9));

    // Formula-looking cells come back as text, never as formulas.
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(out.report.unwrap())).unwrap();
    let range = wb.worksheet_range("Rejected rows").unwrap();
    assert!(
        range
            .rows()
            .any(|r| r.contains(&Data::String("=1+1".into())))
    );
    let formulas = wb.worksheet_formula("Rejected rows").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));

    let created = orders(&store).await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].extra["orderRef"], "PO-OK");
}

#[tokio::test]
async fn the_same_file_twice_creates_nothing_new() {
    let (_dir, store) = seeded().await;
    let bytes = sheet(vec![
        line("CUST-MH", "SKU-220", C::N(1.0), C::Empty, "", ""),
        line("CUST-KA", "SKU-116", C::N(1.0), C::Empty, "", ""),
    ]);
    let first = run(&store, JobKind::BulkOrderImport, &bytes).await.unwrap();
    assert_eq!(first.summary["ordersCreated"], 2);
    let second = run_as(&store, JobKind::BulkOrderImport, &bytes, ADMIN, None)
        .await
        .unwrap();
    assert_eq!(second.summary["ordersCreated"], 0);
    assert_eq!(second.summary["alreadyImported"], 2);
    assert_eq!(second.summary["alreadyImportedRows"], 2);
    assert_eq!(orders(&store).await.len(), 2);
    // No ids were spent on the second run: the next order takes the next number.
    assert_eq!(store.next_sequence("ORD-").await.unwrap(), 3);
}

#[tokio::test]
async fn a_crash_after_the_first_chunk_then_a_retry_imports_each_order_once() {
    let (_dir, store) = seeded().await;
    let n_customers = nexus_worker::imports::CHUNK_ORDERS + 20;
    let customers: Vec<_> = (0..n_customers)
        .map(|i| customer(&format!("C{i:04}"), "Maharashtra"))
        .collect();
    seed(&store, &customers).await;
    let rows = (0..n_customers)
        .flat_map(|i| {
            let c = format!("C{i:04}");
            [
                line(&c, "SKU-220", C::N(1.0), C::Empty, "", ""),
                line(&c, "SKU-116", C::N(2.0), C::Empty, "", ""),
            ]
        })
        .collect();
    let bytes = sheet(rows);
    let stopped = run_as(&store, JobKind::BulkOrderImport, &bytes, SALES, Some(1)).await;
    assert!(
        matches!(stopped, Err(ImportError::Cancelled)),
        "{stopped:?}"
    );
    let after_crash = orders(&store).await.len();
    assert_eq!(after_crash, nexus_worker::imports::CHUNK_ORDERS);

    let retry = run(&store, JobKind::BulkOrderImport, &bytes).await.unwrap();
    assert_eq!(retry.summary["alreadyImported"], after_crash);
    assert_eq!(retry.summary["ordersCreated"], 20);
    let all = orders(&store).await;
    assert_eq!(all.len(), n_customers);
    let mut keys: Vec<_> = all.iter().map(|o| o.import_key.clone().unwrap()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n_customers);
    assert!(all.iter().all(|o| o.items.len() == 2));
}

#[tokio::test]
async fn a_file_without_the_order_sheet_or_rows_is_refused() {
    let (_dir, store) = seeded().await;
    let wrong = workbook(&[("Instructions", vec![vec![s("Field"), s("Description")]])]);
    match run(&store, JobKind::BulkOrderImport, &wrong).await {
        Err(ImportError::Rejected { code, message }) => {
            assert_eq!(code, "WRONG_SHEET");
            assert!(
                message.contains("Customer ID, SKU Code, Quantity"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    match run(&store, JobKind::BulkOrderImport, &sheet(vec![])).await {
        Err(
            e @ ImportError::Rejected {
                code: "NO_DATA_ROWS",
                ..
            },
        ) => assert!(!e.is_retryable()),
        other => panic!("{other:?}"),
    }
    // A master file is not an order file either.
    assert!(matches!(
        run(
            &store,
            JobKind::BulkOrderImport,
            &support::fixture("backend_seed.xlsx")
        )
        .await,
        Err(ImportError::Rejected {
            code: "WRONG_SHEET",
            ..
        })
    ));
}

#[tokio::test]
async fn the_last_rate_applies_when_no_rate_is_given() {
    let (_dir, store) = seeded().await;
    let first = sheet(vec![line(
        "CUST-MH",
        "SKU-220",
        C::N(1.0),
        C::N(250.0),
        "",
        "A",
    )]);
    run(&store, JobKind::BulkOrderImport, &first).await.unwrap();
    let second = sheet(vec![line(
        "CUST-MH",
        "SKU-220",
        C::N(2.0),
        C::Empty,
        "",
        "B",
    )]);
    run(&store, JobKind::BulkOrderImport, &second)
        .await
        .unwrap();
    let b = orders(&store)
        .await
        .into_iter()
        .find(|o| o.extra.get("orderRef").and_then(|v| v.as_str()) == Some("B"))
        .unwrap();
    assert_eq!(b.items[0].price, Money::from_rupees(250));
    assert_eq!(b.items[0].prev_rate, Money::from_rupees(250));
    assert_eq!(b.sub_total, Money::from_rupees(500));
}

/// The last rate is the newest non-cancelled order holding the SKU however far back it is:
/// the import walks the customer's history newest first, page after page, and stops early
/// only once every SKU it needs has a rate.
#[tokio::test]
async fn the_last_rate_is_found_deep_in_a_long_history() {
    use nexus_core::store::{Collection, Write};
    let (_dir, store) = seeded().await;
    let oldest = sheet(vec![line(
        "CUST-MH",
        "SKU-220",
        C::N(1.0),
        C::N(111.0),
        "",
        "OLD",
    )]);
    run(&store, JobKind::BulkOrderImport, &oldest)
        .await
        .unwrap();
    let template = store
        .find(Collection::Orders, &Query::new(Filter::All))
        .await
        .unwrap()
        .pop()
        .unwrap();
    let at = nexus_core::types::Timestamp::parse(template["createdAt"].as_str().unwrap())
        .unwrap()
        .millis();
    // 200 newer orders of another SKU, the newest of all a cancelled one of SKU-220.
    let newer: Vec<Write> = (1..=201)
        .map(|i| {
            let mut o = template.clone();
            let m = o.as_object_mut().unwrap();
            m.remove("_id");
            m.remove("importKey");
            m.insert("id".into(), format!("HIS-{i:04}").into());
            let when = nexus_core::types::Timestamp::from_millis(at + i * 60_000).unwrap();
            m.insert("createdAt".into(), when.to_iso().into());
            if i == 201 {
                m.insert("status".into(), "Cancelled".into());
                o["items"][0]["price"] = serde_json::json!(999);
            } else {
                m.insert("status".into(), "Delivered".into());
                o["items"][0]["skuCode"] = "SKU-116".into();
                o["items"][0]["price"] = serde_json::json!(120);
            }
            Write::Insert {
                collection: Collection::Orders,
                doc: o,
            }
        })
        .collect();
    store.commit(newer).await.unwrap();

    let bytes = sheet(vec![
        line("CUST-MH", "SKU-220", C::N(2.0), C::Empty, "", "NEW"),
        line("CUST-MH", "SKU-116", C::N(1.0), C::Empty, "", "NEW"),
    ]);
    let out = run(&store, JobKind::BulkOrderImport, &bytes).await.unwrap();
    assert_eq!(out.summary["ordersCreated"], 1, "{}", out.summary);
    let new = orders(&store)
        .await
        .into_iter()
        .find(|o| o.extra.get("orderRef").and_then(|v| v.as_str()) == Some("NEW"))
        .unwrap();
    let price = |sku: &str| {
        new.items
            .iter()
            .find(|i| i.sku_code.as_deref() == Some(sku))
            .map(|i| i.price)
            .unwrap()
    };
    // Past the cancelled 999 and 200 orders without it, to the oldest order's 111.
    assert_eq!(price("SKU-220"), Money::from_rupees(111));
    assert_eq!(price("SKU-116"), Money::from_rupees(120));
}
