//! Products (P1–P8 and batch receipts): static paths next to `/{id}`, literal search,
//! master-data writes with whitelists and `_rev` guards, soft delete that keeps history,
//! the expiring list on IST calendar days, and queued imports.

mod catalog_support;
mod support;

use catalog_support::*;
use nexus_core::model::{AuditAction, EntityType, JobKind, Product, StockLedgerEntry};
use nexus_core::rules::expiry::today_ist;
use nexus_core::store::{Filter, Query, TypedStore};
use nexus_core::types::{DateOnly, Money, Quantity, Timestamp};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeMap;
use support::{TestApp, batch, ids, spawn_app, stored, stored_where};

async fn product(app: &TestApp, id: &str) -> Product {
    stored(app, id).await
}

/// The path of one product.
fn path(id: &str) -> String {
    format!("/api/products/{id}")
}

/// Where a product's batch receipts are posted.
fn batches(id: &str) -> String {
    format!("/api/products/{id}/batches")
}

#[tokio::test]
async fn list_sorts_by_category_then_name_and_searches_literally() {
    let app = spawn_app().await;
    let r = app.get_ok("DRV-001", "/api/products").await;
    // Rice, Sauces, then Seafood: Atlantic Salmon before Frozen Vannamei Prawns.
    assert_eq!(
        ids(&r.body),
        vec!["PROD-001", "PROD-004", "PROD-003", "PROD-002"]
    );
    assert_eq!(r.headers["x-total-count"], "4");
    for (query, want, what) in [
        ("limit=1&page=2", &["PROD-004"][..], "second page of one"),
        ("category=Seafood", &["PROD-003", "PROD-002"], "category"),
        ("specie=Prawns", &["PROD-002"], "specie"),
        ("search=salmon", &["PROD-003"], "name searched"),
        ("search=sku-004", &["PROD-004"], "SKU code searched"),
        ("search=1006", &["PROD-001"], "HSN code searched"),
    ] {
        let r = app
            .get("SALES-001", &format!("/api/products?{query}"))
            .await;
        assert_eq!(ids(&r.body), want, "{what}");
    }
    for pattern in ["%2E%2A", "%5BA-Z%5D", "(a%2B)%2B%24"] {
        let r = app
            .get_ok("SALES-001", &format!("/api/products?search={pattern}"))
            .await;
        assert!(r.body.as_array().unwrap().is_empty(), "{pattern} is text");
    }
}

#[tokio::test]
async fn static_paths_are_not_shadowed_by_the_id_route() {
    let app = spawn_app().await;
    let r = app.get_ok("USER-001", "/api/products/PROD-002").await;
    assert_eq!(r.body["skuCode"], "SKU-002");
    assert!(r.body["batches"].as_array().unwrap().len() >= 2);
    app.get("USER-001", "/api/products/PROD-404")
        .await
        .expect_refusal(StatusCode::NOT_FOUND, "PRODUCT_NOT_FOUND");

    let r = app.get("USER-001", "/api/products/expiring").await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "expiring is its own route: {}",
        r.body
    );
    assert_eq!(r.body["success"], true);

    let template = "/api/products/import-template";
    let (_, bytes) =
        get_template(&app, "USER-001", template, "Material_Master_Template.xlsx").await;
    let h = xlsx_headers(&bytes);
    assert_eq!(h.len(), 16);
    assert_eq!(h[0], "ProductCode");
    assert_eq!(h[9], "GST%");
    assert_eq!(h[15], "Processing charges");
    let rows = xlsx_rows(&bytes);
    assert_eq!(rows.len(), 1, "one sample row");
    assert_eq!(rows[0][1], "Breaded Fish Fingers 200g");
    assert_eq!(rows[0][8], "220");
    let r = app.get("SALES-001", "/api/products/import-template").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

/// Expected rows computed independently from the stored batches and the IST date.
fn expected_expiring(
    products: &[Product],
    today: chrono::NaiveDate,
    days: i64,
) -> BTreeMap<String, i64> {
    products
        .iter()
        .filter(|p| p.is_active)
        .flat_map(|p| &p.batches)
        .filter(|b| b.is_active && !b.quantity.is_zero())
        .filter_map(|b| {
            let d = (b.exp_date?.naive() - today).num_days();
            (0..=days).contains(&d).then(|| (b.batch_number.clone(), d))
        })
        .collect()
}

#[tokio::test]
async fn expiring_lists_batches_in_the_ist_window_with_bands() {
    let app = spawn_app().await;
    // The seed-tasks check, exactly as users run it (admin token, days=90).
    let r = app
        .get_ok("USER-001", "/api/products/expiring?days=90")
        .await;
    assert_eq!(r.body["success"], true);
    let today = today_ist(Timestamp::now());
    let products: Vec<Product> = app.store.list(&Query::all()).await.unwrap();
    let want = expected_expiring(&products, today, 90);
    let rows = r.body["data"].as_array().unwrap();
    assert_eq!(r.body["count"], rows.len());
    let got: BTreeMap<String, i64> = rows
        .iter()
        .map(|r| {
            (
                r["batchNumber"].as_str().unwrap().to_string(),
                r["daysToExpiry"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    // The seed places salmon BATCH-005 ~20 days out, prawns BATCH-003 ~45, ketchup
    // BATCH-008 ~70: one of each band. The written-off BATCH-007 is not listed.
    let band = |n: &str| {
        rows.iter()
            .find(|r| r["batchNumber"] == n)
            .map(|r| r["band"].as_str().unwrap().to_string())
    };
    assert_eq!(band("BATCH-005").as_deref(), Some("RED"));
    assert_eq!(band("BATCH-003").as_deref(), Some("AMBER"));
    assert_eq!(band("BATCH-008").as_deref(), Some("GREEN"));
    assert_eq!(band("BATCH-007"), None);
    let row = rows
        .iter()
        .find(|r| r["batchNumber"] == "BATCH-003")
        .unwrap();
    for field in [
        "productId",
        "skuCode",
        "productName",
        "batchNumber",
        "expDate",
        "quantity",
        "weight",
        "mrp",
        "baseRate",
        "daysToExpiry",
        "band",
    ] {
        assert!(row.get(field).is_some(), "{field} missing");
    }
    assert_eq!(row["productId"], "PROD-002");
    assert_eq!(row["skuCode"], "SKU-002");
    assert_eq!(row["quantity"], 80);
    assert_eq!(row["mrp"], 380);
    assert_eq!(row["baseRate"], 320);
    // Soonest first.
    let days: Vec<i64> = rows
        .iter()
        .map(|r| r["daysToExpiry"].as_i64().unwrap())
        .collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");

    // A batch expiring today (IST) is listed with 0 days (the legacy list dropped it).
    let r = app
        .post(
            "WH-001",
            "/api/products/PROD-004/batches",
            json!({ "warehouseId": "WH-KURLA", "batchNumber": "TODAY-1", "quantity": 3, "expDate": DateOnly::new(today) }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app.get("WH-001", "/api/products/expiring?days=0").await;
    let rows = r.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", r.body);
    assert_eq!(rows[0]["batchNumber"], "TODAY-1");
    assert_eq!(rows[0]["daysToExpiry"], 0);

    // Per warehouse, and the default window is 90 days.
    let r = app
        .get("SALES-001", "/api/products/expiring?warehouseId=W3")
        .await;
    assert_eq!(r.body["days"], 90);
    assert!(
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["warehouseId"] == "WH-DELHI")
    );
    assert!(!r.body["data"].as_array().unwrap().is_empty());
    for bad in ["abc", "-1", "400", "1.5"] {
        let r = app
            .get("SALES-001", &format!("/api/products/expiring?days={bad}"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let r = app
        .get("SALES-001", "/api/products/expiring?warehouseId=WH-NOPE")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = app.get("QC-001", "/api/products/expiring").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn create_is_master_data_only_typed_and_unique() {
    let app = spawn_app().await;
    let body = json!({
        "skuCode": "SKU-010", "name": "Basa Fillet 1kg", "category": "Seafood", "specie": "Basa",
        "mrp": 400, "price": 350, "gst": 5, "hsnCode": "0304", "shelfLifeDays": 365, "unit": "KG"
    });
    let r = app.post("SALES-001", "/api/products", body.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app.post("USER-001", "/api/products", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["data"]["id"], "SKU-010");
    let p = product(&app, "SKU-010").await;
    assert_eq!(p.sku_code.as_deref(), Some("SKU-010"));
    assert_eq!(p.stock, Quantity::ZERO);
    assert!(p.batches.is_empty());
    assert_eq!(p.gst.unwrap().points(), rust_decimal::Decimal::from(5));
    assert!(p.is_active);
    let a = audits_for(&app, "SKU-010").await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].action, AuditAction::Create);
    assert_eq!(a[0].entity_type, Some(EntityType::Product));

    let r = app.post("USER-001", "/api/products", body).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "same SKU");
    let dup = json!({ "id": "BASA-2", "skuCode": "SKU-010", "name": "Dup" });
    let r = app.post("USER-001", "/api/products", dup).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "SKU codes are unique even under another id"
    );
    let unnamed = json!({ "name": "Unnamed SKU" });
    let r = app.post("USER-001", "/api/products", unnamed).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["data"]["id"], "PROD-000001");

    for bad in [
        json!({ "name": "X", "stock": 100 }),
        json!({ "name": "X", "batches": [] }),
        json!({ "name": "X", "gst": 150 }),
        json!({ "name": "X", "mrp": -1 }),
        json!({ "name": "X", "skuCode": "bad code" }),
        json!({ "name": "X", "shelfLifeDays": 0 }),
        json!({ "name": "" }),
    ] {
        let r = app.post("USER-001", "/api/products", bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}

#[tokio::test]
async fn patch_is_whitelisted_rev_guarded_and_price_changes_are_audited_as_such() {
    let app = spawn_app().await;
    let before = product(&app, "PROD-002").await;
    let prawns = path("PROD-002");
    let new_mrp = json!({ "mrp": 399, "remarks": "New MRP from April" });
    let r = app.patch("USER-001", &prawns, new_mrp).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = product(&app, "PROD-002").await;
    assert_eq!(after.mrp, Some(Money::from_rupees(399)));
    assert_eq!(after.remarks.as_deref(), Some("New MRP from April"));
    assert_eq!(after.rev, before.rev + 1);
    assert_eq!(after.batches, before.batches, "batches untouched");
    assert_eq!(after.stock, before.stock);
    let a = audits_for(&app, "PROD-002").await.pop().unwrap();
    assert_eq!(a.action, AuditAction::PriceChange);
    assert_eq!(a.old_data.as_ref().unwrap()["mrp"], 380);
    assert_eq!(a.new_data.as_ref().unwrap()["mrp"], 399);

    let r = app
        .patch("USER-001", &prawns, json!({ "barcode": null }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(product(&app, "PROD-002").await.barcode, None);
    assert_eq!(
        audits_for(&app, "PROD-002").await.pop().unwrap().action,
        AuditAction::Update
    );

    for bad in [
        json!({ "stock": 0 }),
        json!({ "batches": [] }),
        json!({ "skuCode": "SKU-X" }),
        json!({ "isActive": false }),
        json!({ "id": "X" }),
        json!({}),
    ] {
        let r = app.patch("USER-001", &prawns, bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    for (who, id, status) in [
        ("WHM-001", "PROD-002", StatusCode::FORBIDDEN),
        ("USER-001", "PROD-404", StatusCode::NOT_FOUND),
    ] {
        let r = app.patch(who, &path(id), json!({ "remarks": "x" })).await;
        assert_eq!(r.status, status);
    }
}

#[tokio::test]
async fn an_edit_and_a_receipt_racing_on_one_product_both_survive() {
    let app = spawn_app().await;
    app.token("USER-001").await;
    app.token("WH-001").await;
    let before = product(&app, "PROD-003").await;
    let (edit, receipt) = tokio::join!(
        app.patch("USER-001", "/api/products/PROD-003", json!({ "name": "Atlantic Salmon Fillet 1kg (Norway)" })),
        app.post(
            "WH-001",
            "/api/products/PROD-003/batches",
            json!({ "warehouseId": "WH-KURLA", "batchNumber": "SAL-RACE", "quantity": 4, "expDate": "2027-03-01" })
        ),
    );
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let after = product(&app, "PROD-003").await;
    assert_eq!(after.name, "Atlantic Salmon Fillet 1kg (Norway)");
    assert!(after.batches.iter().any(|b| b.batch_number == "SAL-RACE"));
    assert_eq!(after.stock, before.stock + Quantity::from_int(4));
    assert_eq!(after.rev, before.rev + 2);
}

#[tokio::test]
async fn delete_deactivates_keeps_history_and_refuses_products_on_open_orders() {
    let app = spawn_app().await;
    // PROD-001 is on ORD-001, still awaiting credit approval.
    let r = app
        .delete("USER-001", &path("PROD-001"))
        .await
        .expect_refusal(StatusCode::CONFLICT, "PRODUCT_IN_USE");
    assert_eq!(r.body["error"]["details"]["orderIds"], json!(["ORD-001"]));
    assert!(product(&app, "PROD-001").await.is_active);

    let old = json!({ "skuCode": "SKU-OLD", "name": "Discontinued Item" });
    let r = app.post("USER-001", "/api/products", old).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app.delete("SALES-001", &path("SKU-OLD")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app.delete("USER-001", &path("SKU-OLD")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let p = product(&app, "SKU-OLD").await;
    assert!(!p.is_active, "soft delete: the document stays");
    let a = audits_for(&app, "SKU-OLD").await.pop().unwrap();
    assert_eq!(a.action, AuditAction::Delete);

    let r = app
        .get("SALES-001", "/api/products?search=discontinued")
        .await;
    assert!(r.body.as_array().unwrap().is_empty(), "hidden from lists");
    let with_inactive = "/api/products?search=discontinued&includeInactive=true";
    let r = app.get("SALES-001", with_inactive).await;
    assert!(
        r.body.as_array().unwrap().is_empty(),
        "only master data sees deactivated products"
    );
    let r = app.get("USER-001", with_inactive).await;
    assert_eq!(ids(&r.body), vec!["SKU-OLD"]);
    let r = app.get("SALES-001", "/api/products/SKU-OLD").await;
    assert_eq!(r.status, StatusCode::OK, "still readable by id");
    assert_eq!(r.body["isActive"], false);

    let before = audits_for(&app, "SKU-OLD").await.len();
    let r = app.delete("USER-001", &path("SKU-OLD")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        audits_for(&app, "SKU-OLD").await.len(),
        before,
        "nothing changed"
    );
    let one = json!({ "warehouseId": "WH-KURLA", "quantity": 1 });
    let r = app.post("WH-001", &batches("SKU-OLD"), one).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no stock into a deactivated product"
    );
    let r = app.delete("USER-001", &path("PROD-404")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn receiving_a_batch_writes_the_batch_the_ledger_and_the_audit() {
    let app = spawn_app().await;
    let before = product(&app, "PROD-003").await;
    let r = app
        .post(
            "WHM-001",
            "/api/products/PROD-003/batches",
            json!({ "warehouseId": "WH-DELHI", "batchNumber": "SAL-77", "quantity": 12.5,
                    "mfgDate": "2026-03-01", "expDate": "2026-12-01", "weight": "1 KG", "note": "Inv 8812" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["data"]["receipt"]["batchNumber"], "SAL-77");
    let p = product(&app, "PROD-003").await;
    let b = batch(&p, "SAL-77");
    assert_eq!(b.quantity.value(), rust_decimal::Decimal::new(125, 1));
    assert_eq!(b.warehouse_id.as_deref(), Some("WH-DELHI"));
    assert_eq!(b.mfg_date, DateOnly::ymd(2026, 3, 1));
    assert_eq!(
        p.stock.value(),
        before.stock.value() + rust_decimal::Decimal::new(125, 1)
    );
    let rows: Vec<StockLedgerEntry> = stored_where(&app, Filter::eq("batchNumber", "SAL-77")).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actor_id.as_deref(), Some("WHM-001"));
    let a = audits_for(&app, "PROD-003").await.pop().unwrap();
    assert_eq!(a.action, AuditAction::StockMovement);
    assert_eq!(a.reason.as_deref(), Some("Inv 8812"));

    for (who, id, warehouse, status, what) in [
        (
            "WH-001",
            "PROD-404",
            "WH-KURLA",
            StatusCode::NOT_FOUND,
            "no product",
        ),
        (
            "WH-001",
            "PROD-003",
            "W9",
            StatusCode::NOT_FOUND,
            "never the first warehouse",
        ),
        (
            "SALES-001",
            "PROD-003",
            "WH-KURLA",
            StatusCode::FORBIDDEN,
            "not stock staff",
        ),
    ] {
        let one = json!({ "warehouseId": warehouse, "quantity": 1 });
        let r = app.post(who, &batches(id), one).await;
        assert_eq!(r.status, status, "{what}");
    }
}

#[tokio::test]
async fn bulk_import_queues_a_product_import_job() {
    let app = spawn_app().await;
    let book = xlsx(
        &["ProductCode", "Product Name"],
        &[&["SKU-200", "Squid Rings 500g"]],
    );
    let import = "/api/products/bulk-import";
    let r = post_file(&app, "WHM-001", import, "materials.xlsx", &book).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = post_file(&app, "USER-001", import, "materials.xlsx", &book).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let job = queued_job(&app, &r).await;
    assert_eq!(job.kind, JobKind::ProductImport);
    assert!(
        job.input.unwrap()["blobKey"]
            .as_str()
            .unwrap()
            .starts_with("imports/products/")
    );
    assert!(
        app.store
            .get::<Product>(Filter::id("SKU-200"))
            .await
            .unwrap()
            .is_none()
    );
    // A workbook over the 1 MiB JSON limit is still accepted here (10 MiB for imports).
    let mut big = book.clone();
    big.resize(3 * 1024 * 1024, 0);
    let r = post_file(&app, "USER-001", import, "big.xlsx", &big).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let r = post_file(&app, "USER-001", import, "materials.xlsx", &pdf()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

/// The document's integers are read in both spellings (`365` and `365.0`), and a negative
/// price too small for a decimal is still negative.
#[tokio::test]
async fn whole_numbers_and_tiny_negatives_are_read_as_documented() {
    let app = spawn_app().await;
    let r = app
        .post(
            "USER-001",
            "/api/products",
            json!({ "name": "Surimi Sticks", "skuCode": "SKU-SUR", "shelfLifeDays": 365.0 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["data"]["shelfLifeDays"], 365);
    for bad in [
        json!({ "shelfLifeDays": 365.5 }),
        json!({ "price": -1e-300 }),
        json!({ "mrp": 1.5e12 }),
    ] {
        let r = app.patch("USER-001", &path("SKU-SUR"), bad.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    let r = app
        .patch(
            "USER-001",
            &path("SKU-SUR"),
            json!({ "shelfLifeDays": 180.0 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
