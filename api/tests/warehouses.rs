//! Warehouses (W1, W2, W3, W5): stable ids, utilisation from product batches, stock
//! receipts into batches with ledger rows and `_rev` guards, barcode checks, and 404 for an
//! unknown warehouse (never "the first one").

mod catalog_support;
mod support;

use catalog_support::*;
use nexus_core::model::{
    AuditAction, EntityType, LedgerType, Product, StockLedgerEntry, Warehouse,
};
use nexus_core::store::{Filter, Query, TypedStore};
use nexus_core::types::{DateOnly, Quantity};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestApp, batch, count_where, find_in, spawn_app, stored, stored_where, strs};

async fn product(app: &TestApp, id: &str) -> Product {
    stored(app, id).await
}

async fn ledger_count(app: &TestApp) -> u64 {
    count_where::<StockLedgerEntry>(app, Filter::All).await
}

#[tokio::test]
async fn list_reports_stock_held_in_product_batches() {
    let app = spawn_app().await;
    let r = app.get_ok("DRV-001", "/api/warehouse/list").await;
    assert_eq!(r.body["success"], true);
    let ws = r.body["warehouses"].as_array().unwrap();
    let names: Vec<&str> = ws.iter().map(|w| w["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        vec![
            "Arihant Delhi",
            "DP World Nhava Sheva",
            "Jolly BNG",
            "Kurla Cold Storage"
        ]
    );
    // Expected figures straight from the stored batches.
    let products: Vec<Product> = app.store.list(&Query::all()).await.unwrap();
    let held = |wh: &str| -> Quantity {
        products
            .iter()
            .flat_map(|p| &p.batches)
            .filter(|b| b.is_active && b.warehouse_id.as_deref() == Some(wh))
            .map(|b| b.quantity)
            .sum()
    };
    let kurla = ws.iter().find(|w| w["id"] == "WH-KURLA").unwrap();
    let used = held("WH-KURLA");
    assert!(!used.is_zero());
    assert_eq!(
        kurla["capacityUsed"].as_f64().unwrap(),
        used.value().to_string().parse::<f64>().unwrap()
    );
    assert_eq!(kurla["capacityMax"].as_f64(), Some(50000.0));
    assert_eq!(kurla["aliases"], json!(["W1"]));
    assert_eq!(kurla["tempRange"], "-25 °C to -18 °C");
    let expected_pct =
        (used.value().to_string().parse::<f64>().unwrap() / 50_000.0 * 100.0 * 100.0).round()
            / 100.0;
    assert_eq!(kurla["utilisationPct"].as_f64().unwrap(), expected_pct);
    let skus = strs(&kurla["inventory"], "skuCode");
    assert_eq!(skus, vec!["SKU-001", "SKU-002", "SKU-003", "SKU-004"]);
    // An inactive (written-off) batch is not stock.
    let salmon = find_in(&kurla["inventory"], "productId", "PROD-003");
    assert!(
        salmon["batches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["batchNumber"] != "BATCH-007")
    );
    let nhava = ws.iter().find(|w| w["id"] == "WH-NHAVA").unwrap();
    assert_eq!(nhava["capacityUsed"].as_f64(), Some(0.0));
    assert_eq!(nhava["inventory"], json!([]));
}

#[tokio::test]
async fn create_gives_a_stable_id_and_refuses_clashes() {
    let app = spawn_app().await;
    let body = json!({
        "name": "Pune Cold Hub", "location": "Chakan, Pune", "code": "pune",
        "aliases": ["W5"], "state": "Maharashtra", "capacityTotal": 30000,
        "temperature": { "current": -20, "min": -24, "max": -18 }, "manager": "Suresh Nair"
    });
    let r = app
        .post("WHM-001", "/api/warehouse/create", body.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .post("USER-001", "/api/warehouse/create", body.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["warehouse"]["id"], "WH-PUNE");
    let w: Warehouse = stored(&app, "WH-PUNE").await;
    assert_eq!(w.aliases, vec!["W5"]);
    assert_eq!(w.capacity_total, rust_decimal::Decimal::from(30_000));
    let a = audits_for(&app, "WH-PUNE").await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].action, AuditAction::Create);
    assert_eq!(a[0].entity_type, Some(EntityType::Warehouse));

    let r = app.post("USER-001", "/api/warehouse/create", body).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = app
        .post(
            "USER-001",
            "/api/warehouse/create",
            json!({ "name": "Another Kurla", "location": "Mumbai", "aliases": ["W1"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "W1 belongs to WH-KURLA");
    let r = app
        .post(
            "USER-001",
            "/api/warehouse/create",
            json!({ "name": "Chennai Hub", "location": "Chennai" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["warehouse"]["id"], "WH-CHENNAI-HUB");
    assert_eq!(r.body["warehouse"]["capacityTotal"].as_f64(), Some(50000.0));
    for bad in [
        json!({ "name": "X", "location": "Y", "inventory": [] }),
        json!({ "name": " ", "location": "Y" }),
        json!({ "name": "X", "location": "Y", "capacityTotal": 0 }),
        json!({ "name": "X", "location": "Y", "temperature": { "min": 5, "max": -5 } }),
    ] {
        let r = app
            .post("USER-001", "/api/warehouse/create", bad.clone())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}

#[tokio::test]
async fn add_stock_creates_and_tops_up_batches_with_ledger_rows_in_one_commit() {
    let app = spawn_app().await;
    let mut rx = app.state.events.subscribe();
    let prawns_before = product(&app, "PROD-002").await;
    let rice_before = product(&app, "PROD-001").await;
    let ledger_before = ledger_count(&app).await;
    let r = app
        .post(
            "WH-001",
            "/api/warehouse/add-stock",
            json!({
                "warehouseId": "W1",
                "note": "GRN 4471",
                "items": [
                    { "skuCode": "SKU-002", "batchNumber": "PRW-2603", "qty": 50, "expiry": "2027-01-31", "mfgDate": "2026-02-01" },
                    { "productId": "PROD-001", "batchNumber": "BATCH-001", "quantity": 10 }
                ]
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["message"], "Stock added successfully");
    assert_eq!(r.body["data"][0]["warehouseId"], "WH-KURLA");

    let prawns = product(&app, "PROD-002").await;
    let new = batch(&prawns, "PRW-2603");
    assert_eq!(new.quantity, Quantity::from_int(50));
    assert_eq!(new.warehouse_id.as_deref(), Some("WH-KURLA"));
    assert_eq!(new.exp_date, DateOnly::ymd(2027, 1, 31));
    assert_eq!(prawns.stock, prawns_before.stock + Quantity::from_int(50));
    assert_eq!(prawns.rev, prawns_before.rev + 1);

    let rice = product(&app, "PROD-001").await;
    let b1 = batch(&rice, "BATCH-001");
    assert_eq!(b1.quantity, Quantity::from_int(110));
    assert_eq!(
        rice.batches.len(),
        rice_before.batches.len(),
        "topped up, not duplicated"
    );
    assert_eq!(rice.stock, rice_before.stock + Quantity::from_int(10));

    // Ledger: one ADD row per batch received, signed, with actor and reason.
    assert_eq!(ledger_count(&app).await, ledger_before + 2);
    let rows: Vec<StockLedgerEntry> =
        stored_where(&app, Filter::eq("batchNumber", "PRW-2603")).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].entry_type, LedgerType::Add);
    assert_eq!(rows[0].product_id, "SKU-002");
    assert_eq!(rows[0].warehouse_id.as_deref(), Some("WH-KURLA"));
    assert_eq!(rows[0].actor_id.as_deref(), Some("WH-001"));
    assert_eq!(rows[0].reason.as_deref(), Some("STOCK_RECEIPT"));
    assert_eq!(rows[0].signed_qty, Some(rust_decimal::Decimal::from(50)));
    assert!(rows[0].details.as_deref().unwrap().contains("GRN 4471"));

    let a = audits_for(&app, "WH-KURLA").await.pop().unwrap();
    assert_eq!(a.action, AuditAction::StockMovement);
    assert_eq!(a.user_id, "WH-001");
    assert_eq!(
        a.new_data.as_ref().unwrap()["received"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let e = rx.try_recv().expect("stock event");
    assert_eq!(e.event_type, "stock:changed");
    assert_eq!(e.data["productId"], "PROD-002");
    assert_eq!(e.data["delta"], 50);
}

#[tokio::test]
async fn add_stock_without_expiry_uses_the_shelf_life() {
    let app = spawn_app().await;
    let r = app
        .post(
            "WHH-001",
            "/api/warehouse/add-stock",
            json!({ "warehouseId": "WH-DELHI", "items": [
                { "name": "Premium Basmati Rice 5kg", "batchNumber": "RICE-NEW", "quantity": 5, "mfgDate": "2026-02-01" },
                { "skuCode": "SKU-004", "quantity": 7 }
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rice = product(&app, "PROD-001").await;
    let b = batch(&rice, "RICE-NEW");
    // Rice keeps 180 days: 1 Feb 2026 + 180 = 31 Jul 2026.
    assert_eq!(b.exp_date, DateOnly::ymd(2026, 7, 31));
    assert_eq!(b.warehouse_id.as_deref(), Some("WH-DELHI"));
    // No batch number given: one is generated.
    let generated = r.body["data"][1]["batchNumber"].as_str().unwrap();
    assert!(generated.starts_with("BATCH-"), "{generated}");
}

#[tokio::test]
async fn add_stock_refusals_leave_everything_unchanged() {
    let app = spawn_app().await;
    let ledger_before = ledger_count(&app).await;
    let rice_before = product(&app, "PROD-001").await;
    let cases = [
        (
            "SALES-001",
            json!({ "warehouseId": "WH-KURLA", "items": [{ "skuCode": "SKU-001", "quantity": 1 }] }),
            StatusCode::FORBIDDEN,
        ),
        (
            "WH-001",
            json!({ "warehouseId": "WH-NOWHERE", "items": [{ "skuCode": "SKU-001", "quantity": 1 }] }),
            StatusCode::NOT_FOUND,
        ),
        // A known product first and an unknown one second: nothing at all is received.
        (
            "WH-001",
            json!({ "warehouseId": "WH-KURLA", "items": [{ "skuCode": "SKU-001", "quantity": 1 }, { "skuCode": "SKU-404", "quantity": 1 }] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "WH-001",
            json!({ "warehouseId": "WH-KURLA", "items": [{ "skuCode": "SKU-001", "quantity": 0 }] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "WH-001",
            json!({ "warehouseId": "WH-KURLA", "items": [{ "skuCode": "SKU-001", "quantity": -5 }] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "WH-001",
            json!({ "warehouseId": "WH-KURLA", "items": [] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "WH-001",
            json!({ "warehouseId": "WH-KURLA", "items": [{ "quantity": 3 }] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "WH-001",
            json!({ "warehouseId": "WH-KURLA", "items": [{ "skuCode": "SKU-001", "quantity": 1, "mfgDate": "2026-05-01", "expDate": "2026-04-01" }] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // BATCH-001 is held at Kurla with expiry 1 Jun 2026: another expiry is a different lot.
        (
            "WH-001",
            json!({ "warehouseId": "WH-KURLA", "items": [{ "skuCode": "SKU-001", "batchNumber": "BATCH-001", "quantity": 1, "expDate": "2027-01-01" }] }),
            StatusCode::CONFLICT,
        ),
        (
            "WH-001",
            json!({ "warehouseId": "WH-KURLA", "items": [{ "skuCode": "SKU-001", "quantity": 1, "warehouse": "x" }] }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (user, body, want) in cases {
        let r = app
            .post(user, "/api/warehouse/add-stock", body.clone())
            .await;
        assert_eq!(r.status, want, "{user} {body}: {}", r.body);
    }
    assert_eq!(ledger_count(&app).await, ledger_before);
    assert_eq!(product(&app, "PROD-001").await, rice_before);
}

#[tokio::test]
async fn concurrent_receipts_into_one_product_both_count() {
    let app = spawn_app().await;
    let before = product(&app, "PROD-004").await;
    let body = |n: u64| {
        json!({ "warehouseId": "WH-KURLA", "items": [
            { "productId": "PROD-004", "batchNumber": "BATCH-009", "quantity": n }
        ]})
    };
    // Log both users in first so the two receipts really overlap.
    app.token("WH-001").await;
    app.token("WHH-001").await;
    let (a, b) = tokio::join!(
        app.post("WH-001", "/api/warehouse/add-stock", body(11)),
        app.post("WHH-001", "/api/warehouse/add-stock", body(13)),
    );
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(b.status, StatusCode::OK, "{}", b.body);
    let after = product(&app, "PROD-004").await;
    let b9 = |p: &Product| batch(p, "BATCH-009").quantity;
    assert_eq!(b9(&after), b9(&before) + Quantity::from_int(24));
    assert_eq!(after.stock, before.stock + Quantity::from_int(24));
    assert_eq!(after.rev, before.rev + 2);
}

#[tokio::test]
async fn barcode_validation_matches_sku_and_lists_this_warehouses_batches() {
    let app = spawn_app().await;
    // A scan as `user`: the warehouse, the scanned code and the SKU it should be.
    let scan = async |user: &str, wh: &str, barcode: &str, sku: &str| {
        let body = json!({ "warehouseId": wh, "barcode": barcode, "skuCode": sku });
        app.post(user, "/api/warehouse/validate-barcode", body)
            .await
    };
    let r = scan("WH-001", "WH-KURLA", "8901234500011", "SKU-001").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["isValid"], true);
    assert_eq!(r.body["productName"], "Premium Basmati Rice 5kg");
    let batches = strs(&r.body["batches"], "batchNumber");
    assert_eq!(batches, vec!["BATCH-001"], "only the Kurla batch");

    let r = scan("WH-001", "W3", "SKU-001", "SKU-001").await;
    assert_eq!(r.body["isValid"], true, "the SKU itself is a valid scan");
    assert_eq!(r.body["batches"][0]["batchNumber"], "BATCH-002");
    assert_eq!(r.body["batches"][0]["qty"], 50);

    let r = scan("WH-001", "WH-KURLA", "8901234500028", "SKU-001").await;
    assert_eq!(
        r.body,
        json!({ "success": true, "isValid": false, "message": "SKU and Barcode mismatch" })
    );
    let r = scan("WH-001", "WH-KURLA", "1", "SKU-999").await;
    assert_eq!(r.body["isValid"], false);
    for (user, wh, barcode, status) in [
        (
            "WH-001",
            "WH-NOWHERE",
            "8901234500011",
            StatusCode::NOT_FOUND,
        ),
        ("WH-001", "WH-KURLA", " ", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "SALES-001",
            "WH-KURLA",
            "8901234500011",
            StatusCode::FORBIDDEN,
        ),
    ] {
        let r = scan(user, wh, barcode, "SKU-001").await;
        assert_eq!(r.status, status);
    }
    let _: Value = r.body;
}

/// A new warehouse's figures and aliases are held to what the document declares.
#[tokio::test]
async fn create_holds_capacity_temperatures_and_aliases_to_the_document() {
    let app = spawn_app().await;
    let base = || json!({ "name": "Nashik Hub", "location": "Nashik", "code": "NSK" });
    for (field, value) in [
        ("capacityTotal", json!(0.0005)),
        ("capacityTotal", json!(1.5e12)),
        ("temperature", json!({ "current": -150 })),
        ("aliases", json!(["नासिक"])),
        ("aliases", json!(["W 9"])),
        ("code", json!("--")),
    ] {
        let mut body = base();
        body[field] = value.clone();
        let r = app.post("USER-001", "/api/warehouse/create", body).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} {value}: {}",
            r.body
        );
    }
    let mut body = base();
    body["aliases"] = json!([" W9 "]);
    body["capacityTotal"] = json!(0.001);
    let r = app.post("USER-001", "/api/warehouse/create", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}
