//! Master-data imports against the old system's own workbooks (fixtures README) and a few
//! hand-made sheets for the edge cases the fixtures lack.

mod support;

use nexus_core::model::customer::AgingBuckets;
use nexus_core::model::{Customer, DistributorPrice, JobKind, Product};
use nexus_core::store::{Document, Filter, Query, Store, TypedStore};
use nexus_core::types::{Money, Percent};
use nexus_worker::{ImportError, ImportOutcome, inspect};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use support::{C, fixture, report_rows, run, s, store, workbook};

fn rejected_code(r: Result<ImportOutcome, ImportError>) -> (&'static str, String) {
    match r {
        Err(ImportError::Rejected { code, message }) => (code, message),
        other => panic!("expected a rejected file, got {other:?}"),
    }
}

/// The stored document with this id (panics naming the id when there is none).
async fn stored<T: Document>(store: &dyn Store, id: &str) -> T {
    store
        .get::<T>(Filter::id(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{id} missing"))
}

async fn product(store: &dyn Store, id: &str) -> Product {
    stored(store, id).await
}

/// How many documents of this kind are stored.
async fn count<T: Document>(store: &dyn Store) -> u64 {
    store.count_of::<T>(&Filter::All).await.unwrap()
}

/// Imports one of the fixture workbooks, which must be accepted as a file.
async fn import_fixture(store: &dyn Store, kind: JobKind, name: &str) -> ImportOutcome {
    run(store, kind, &fixture(name)).await.unwrap()
}

/// Imports one of the fixture workbooks, which must be refused as a whole: the code and
/// message.
async fn refused_fixture(store: &dyn Store, kind: JobKind, name: &str) -> (&'static str, String) {
    rejected_code(run(store, kind, &fixture(name)).await)
}

#[tokio::test]
async fn material_master_seed_imports_with_duplicates_reported() {
    let (_dir, store) = store().await;
    let bytes = fixture("backend_seed.xlsx");
    let out = run(&store, JobKind::ProductImport, &bytes).await.unwrap();
    let s = &out.summary;
    assert_eq!(s["sheet"], "SKU Master");
    assert_eq!(s["totalRows"], 518);
    assert_eq!(s["distinctKeys"], 494);
    // 24 codes on two rows each (all pairs differ) and the `NA` row are refused.
    assert_eq!(s["rejected"], 49);
    assert_eq!(s["created"], 494 - 24 - 1);
    assert_eq!(s["updated"], 0);
    // Every 7-digit HSN code of the file (306, README) got its leading zero back.
    assert_eq!(s["notes"]["hsnPadded"], 306);
    assert_eq!(count::<Product>(&store).await, 469);

    let rows = report_rows(out.report.as_deref().expect("a report"));
    assert_eq!(rows.len(), 49);
    let dup = rows
        .iter()
        .find(|(r, _)| *r == 20)
        .expect("row 20 reported");
    assert!(
        dup.1.contains("2006853") && dup.1.contains("rows 20 and 354"),
        "{}",
        dup.1
    );
    assert!(rows.iter().any(|(r, _)| *r == 354));
    let na = rows
        .iter()
        .find(|(r, _)| *r == 501)
        .expect("NA row reported");
    assert!(na.1.contains("placeholder"), "{}", na.1);

    // Values: BOM header read, padded weights trimmed, 5.00% → 5, HSN zero restored.
    let p = product(&store, "2004643").await;
    assert_eq!(p.sku_code.as_deref(), Some("2004643"));
    assert_eq!(p.gst, Some(Percent::new(dec!(5)).unwrap()));
    assert!(p.is_active);
    let with_hsn7 = store
        .list::<Product>(&Query::new(Filter::All))
        .await
        .unwrap();
    assert!(
        with_hsn7
            .iter()
            .all(|p| p.hsn_code.as_ref().is_none_or(|h| h.len() == 8))
    );
    assert!(
        with_hsn7
            .iter()
            .any(|p| p.hsn_code.as_deref().is_some_and(|h| h.starts_with('0')))
    );
    assert!(with_hsn7.iter().all(|p| !p.name.contains('\u{a0}')));
    assert!(
        with_hsn7
            .iter()
            .all(|p| !p.product_weight.as_deref().unwrap_or("").starts_with(' '))
    );
    let discontinued = with_hsn7.iter().filter(|p| !p.is_active).count();
    assert!(discontinued > 30, "{discontinued} inactive");
    // MRP blank → none, MRP 0 stays 0.
    assert!(with_hsn7.iter().any(|p| p.mrp.is_none()));
    assert!(with_hsn7.iter().any(|p| p.mrp == Some(Money::ZERO)));

    // The identical second file (seed_material_master.xlsx) changes nothing.
    let again = import_fixture(&store, JobKind::ProductImport, "seed_material_master.xlsx").await;
    assert_eq!(again.summary["created"], 0);
    assert_eq!(again.summary["updated"], 0);
    assert_eq!(again.summary["unchanged"], 469);
    assert_eq!(again.summary["rejected"], 49);
    assert_eq!(count::<Product>(&store).await, 469);
}

#[tokio::test]
async fn material_master_test_data_and_template() {
    let (_dir, store) = store().await;
    let out = import_fixture(&store, JobKind::ProductImport, "backend_test_data.xlsx").await;
    assert_eq!(out.summary["totalRows"], 3);
    assert_eq!(out.summary["created"], 3);
    assert_eq!(out.summary["rejected"], 0);
    assert!(out.report.is_none());
    let p = product(&store, "2006457").await;
    assert_eq!(p.yc70, Some(Money::from_rupees(10)));
    assert_eq!(p.processing_charges, Some(Money::from_rupees(18)));
    let q = product(&store, "2004643").await;
    assert_eq!(q.yc70, None);

    // The template's sample is the same product: an update of the changed fields only.
    let mut before = product(&store, "2004643").await;
    let out = import_fixture(
        &store,
        JobKind::ProductImport,
        "Template_Material_Master.xlsx",
    )
    .await;
    assert_eq!(out.summary["totalRows"], 1);
    assert_eq!(out.summary["updated"], 1);
    let after = product(&store, "2004643").await;
    assert_eq!(
        after.product_short_name.as_deref(),
        Some("BREADED FISH FINGERS")
    );
    assert_eq!(after.mrp, Some(Money::from_rupees(220)));
    assert_eq!(after.hsn_code.as_deref(), Some("16042000"));
    assert_eq!(after.rev, before.rev + 1);
    before.rev = after.rev;
    assert_eq!(after.batches, before.batches);
}

#[tokio::test]
async fn customer_templates_both_layouts() {
    let (_dir, store) = store().await;
    let out = import_fixture(
        &store,
        JobKind::CustomerImport,
        "Template_Customer_OD_Master.xlsx",
    )
    .await;
    assert_eq!(out.summary["created"], 1, "{}", out.summary);
    let c = stored::<Customer>(&store, "CUST001").await;
    assert_eq!(c.location.as_deref(), Some("Mumbai"));
    assert_eq!(c.customer_class.as_deref(), Some("A+"));
    assert_eq!(c.credit_days.as_deref(), Some("30 days"));
    assert_eq!(c.effective_limit(), Some(Money::from_rupees(500_000)));
    assert_eq!(c.effective_outstanding(), Money::from_rupees(150_000));
    assert_eq!(c.effective_overdue(), Money::from_rupees(25_000));
    assert_eq!(c.aging_buckets.total(), Money::from_rupees(25_000));
    assert_eq!(c.security_chq.as_deref(), Some("Yes"));
    assert!(!c.is_blocked);

    let again = import_fixture(
        &store,
        JobKind::CustomerImport,
        "Template_Customer_OD_Master.xlsx",
    )
    .await;
    assert_eq!(again.summary["unchanged"], 1);

    // The server template layout (spaced headers, name in column 6) with no data rows.
    let (code, message) = refused_fixture(
        &store,
        JobKind::CustomerImport,
        "flutter_temp_template.xlsx",
    )
    .await;
    assert_eq!(code, "NO_DATA_ROWS");
    assert!(message.contains("no data rows"), "{message}");
    let seen = inspect(
        JobKind::CustomerImport,
        &fixture("flutter_temp_template.xlsx"),
    );
    assert!(matches!(
        seen,
        Err(ImportError::Rejected {
            code: "NO_DATA_ROWS",
            ..
        })
    ));
}

#[tokio::test]
async fn customer_rows_in_the_spaced_layout_keep_app_owned_fields() {
    let (_dir, store) = store().await;
    let mut blocked = support::customer("100234", "Karnataka");
    blocked.is_blocked = true;
    blocked.set_limit(Money::from_rupees(900_000));
    support::seed(&store, &[blocked]).await;
    // The OD master's 22 columns (api.md §5.4.3): the customer's, then the nine buckets.
    let header: Vec<C> = Customer::OD_MASTER_COLUMNS
        .iter()
        .chain(&AgingBuckets::LABELS)
        .map(|h| s(&format!(" {}\u{a0}", h.to_uppercase())))
        .collect();
    let row = |id: &str, limit: C| {
        vec![
            s(id),
            s("Pune"),
            s("Mgr"),
            s("A"),
            s("Emp"),
            s("Sea Foods Ltd"),
            s("30 days"),
            limit,
            C::Empty,
            s("Retail"),
            s("(1,500.00)"),
            s(" - "),
            s("0"),
            C::N(0.0),
            C::Empty,
            C::Empty,
            C::Empty,
            C::Empty,
            C::Empty,
            C::Empty,
            C::Empty,
            C::Empty,
        ]
    };
    let bytes = workbook(&[(
        "OD",
        vec![
            header,
            row("100234", C::Empty),
            row("100235", s("5,00,000")),
            vec![
                C::Empty,
                s("Pune"),
                C::Empty,
                C::Empty,
                C::Empty,
                s("No Id Stores"),
            ],
        ],
    )]);
    let out = run(&store, JobKind::CustomerImport, &bytes).await.unwrap();
    assert_eq!(out.summary["created"], 1, "{}", out.summary);
    assert_eq!(out.summary["updated"], 1);
    assert_eq!(out.summary["rejected"], 1);
    let rows = report_rows(out.report.as_deref().unwrap());
    assert_eq!(rows[0].0, 4);
    assert!(rows[0].1.contains("Customer ID is empty"), "{}", rows[0].1);
    let c = stored::<Customer>(&store, "100234").await;
    assert!(c.is_blocked, "the import never unblocks");
    assert_eq!(
        c.effective_limit(),
        Some(Money::from_rupees(900_000)),
        "blank keeps the limit"
    );
    assert_eq!(c.effective_outstanding(), Money::new(dec!(-1500)));
    assert_eq!(c.security_chq.as_deref(), Some("-"));
    assert_eq!(c.name, "Sea Foods Ltd");
    let n = stored::<Customer>(&store, "100235").await;
    assert_eq!(n.effective_limit(), Some(Money::from_rupees(500_000)));
}

#[tokio::test]
async fn distributor_price_template() {
    let (_dir, store) = store().await;
    let bytes = fixture("Template_Distributor_Price.xlsx");
    let out = run(&store, JobKind::DistributorPriceImport, &bytes)
        .await
        .unwrap();
    assert_eq!(out.summary["created"], 1, "{}", out.summary);
    let d = stored::<DistributorPrice>(&store, "D001-2004643").await;
    assert_eq!(d.code, "2004643");
    assert_eq!(d.name, "BREADED FISH FINGERS 200G");
    assert_eq!(d.distributor_name.as_deref(), Some("Distributor A"));
    assert_eq!(d.in_kg.as_deref(), Some("0.2"));
    assert_eq!(d.gst_pct.points(), Decimal::from(5));
    assert_eq!(d.retailer_margin_on_mrp.points(), Decimal::from(10));
    assert_eq!(d.billing_rate, Money::from_rupees(180));
    let again = run(&store, JobKind::DistributorPriceImport, &bytes)
        .await
        .unwrap();
    assert_eq!(again.summary["unchanged"], 1);
    assert_eq!(count::<DistributorPrice>(&store).await, 1);
}

#[tokio::test]
async fn wrong_files_are_refused_as_a_whole() {
    let (_dir, store) = store().await;
    let json = br#"{"success":false,"message":"Distributor price entry not found"}"#;
    for (bytes, code) in [
        (&b""[..], "NOT_A_WORKBOOK"),
        (&json[..], "NOT_A_WORKBOOK"),
        (&b"PK\x03\x04 truncated zip"[..], "NOT_A_WORKBOOK"),
    ] {
        let (got, _) = rejected_code(run(&store, JobKind::ProductImport, bytes).await);
        assert_eq!(got, code);
    }
    // A customer sheet is not a material master, and a price list is not an OD master.
    let (code, message) = refused_fixture(
        &store,
        JobKind::ProductImport,
        "Template_Customer_OD_Master.xlsx",
    )
    .await;
    assert_eq!(code, "WRONG_SHEET");
    assert!(
        message.contains("ProductCode") && message.contains("Sheet1"),
        "{message}"
    );
    let (code, _) = refused_fixture(
        &store,
        JobKind::CustomerImport,
        "Template_Distributor_Price.xlsx",
    )
    .await;
    assert_eq!(code, "WRONG_SHEET");
    assert_eq!(count::<Product>(&store).await, 0);
}

#[tokio::test]
async fn numbers_as_text_real_numbers_and_header_spellings() {
    let (_dir, store) = store().await;
    let bytes = workbook(&[
        ("Notes", vec![vec![s("nothing here")]]),
        (
            "Master",
            vec![
                vec![s("Exported from ERP")],
                vec![
                    s("\u{feff}productcode"),
                    s("PRODUCT\u{a0}NAME"),
                    s("gst %"),
                    s("Mrp"),
                    s("Weight "),
                    s("shelf life in DAYS"),
                    s("HSN Code"),
                    s("REMARKS"),
                ],
                vec![
                    C::N(2001001.0),
                    s("Prawns\u{a0}200g"),
                    C::N(0.05),
                    C::N(220.0),
                    s(" - "),
                    C::N(365.0),
                    C::N(3061700.0),
                    s("Discontinue"),
                ],
                vec![
                    s("2001002"),
                    s("Squid"),
                    s("12%"),
                    s(" 1,250 "),
                    s("  0.500 "),
                    s("547"),
                    s("16042000"),
                    C::Empty,
                ],
                vec![
                    s("2001003"),
                    s("Bad"),
                    s("abc"),
                    s("1"),
                    C::Empty,
                    C::Empty,
                    C::Empty,
                    C::Empty,
                ],
            ],
        ),
    ]);
    let seen = inspect(JobKind::ProductImport, &bytes).unwrap();
    assert_eq!((seen.sheet.as_str(), seen.rows), ("Master", 3));
    let out = run(&store, JobKind::ProductImport, &bytes).await.unwrap();
    assert_eq!(out.summary["created"], 2, "{}", out.summary);
    let rows = report_rows(out.report.as_deref().unwrap());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, 5);
    assert!(rows[0].1.starts_with("GST%"), "{}", rows[0].1);
    let a = product(&store, "2001001").await;
    assert_eq!(a.name, "Prawns 200g");
    assert_eq!(a.gst, Some(Percent::new(dec!(5)).unwrap()));
    assert_eq!(a.product_weight.as_deref(), Some("0"));
    assert_eq!(a.shelf_life_days, Some(365));
    assert_eq!(a.hsn_code.as_deref(), Some("03061700"));
    assert!(!a.is_active);
    let b = product(&store, "2001002").await;
    assert_eq!(b.mrp, Some(Money::from_rupees(1250)));
    assert_eq!(b.product_weight.as_deref(), Some("0.500"));
    assert!(b.is_active);
}
