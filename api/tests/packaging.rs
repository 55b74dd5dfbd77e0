//! Packaging inventory through HTTP: materials, inward/outward movements, low stock, and the
//! concurrency guarantee of D-R2 (no lost update, never negative).

mod support;

use nexus_core::model::{AuditAction, AuditLog, PackagingMaterial, PackagingTransaction};
use nexus_core::store::Filter;
use nexus_core::types::Quantity;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Resp, TestApp, spawn_app, stored, stored_where, with_status};

async fn material(app: &TestApp, id: &str) -> PackagingMaterial {
    stored(app, id).await
}

async fn movements(app: &TestApp, material_id: &str, kind: &str) -> Vec<PackagingTransaction> {
    let filter = Filter::and([
        Filter::eq("materialId", material_id),
        Filter::eq("type", kind),
    ]);
    stored_where::<PackagingTransaction>(app, filter).await
}

/// Audit entries written through the API (the seed writes its own CREATE entries, by
/// `system`).
async fn audits(app: &TestApp, entity_id: &str) -> Vec<AuditLog> {
    let filter = Filter::and([
        Filter::eq("entityId", entity_id),
        Filter::ne("userId", "system"),
    ]);
    stored_where::<AuditLog>(app, filter).await
}

/// A refused movement left the material as it was: still `balance`, no `kind` movement.
async fn nothing_moved(app: &TestApp, material_id: &str, balance: u64, kind: &str) {
    let m = material(app, material_id).await;
    assert_eq!(m.balance, Quantity::from_int(balance), "{material_id}");
    assert!(movements(app, material_id, kind).await.is_empty());
}

async fn inward(app: &TestApp, user: &str, body: Value) -> Resp {
    app.post(user, "/api/packaging/inward", body).await
}

/// An outward movement, by the warehouse (procurement receives, it does not issue).
async fn outward(app: &TestApp, body: Value) -> Resp {
    app.post("WH-001", "/api/packaging/outward", body).await
}

/// A new material, created by procurement.
async fn new_material(app: &TestApp, body: Value) -> Resp {
    app.post("PROC-001", "/api/packaging/materials", body).await
}

/// `GET /api/packaging/transactions?{query}` as the warehouse manager.
async fn transactions(app: &TestApp, query: &str) -> Resp {
    let path = format!("/api/packaging/transactions?{query}");
    app.get("WHM-001", &path).await
}

#[tokio::test]
async fn seed_curl_7_lists_materials_with_low_stock_flag_and_health() {
    let app = spawn_app().await;
    let r = app.get_ok("USER-001", "/api/packaging/materials").await;
    assert_eq!(r.body["success"], true);
    let data = r.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 4);
    let by_id = |id: &str| data.iter().find(|m| m["id"] == id).unwrap().clone();
    let pkg1 = by_id("PKG-001");
    assert_eq!(pkg1["balance"], 500);
    assert_eq!(pkg1["moq"], 1000);
    assert_eq!(pkg1["isLowStock"], true);
    assert_eq!(pkg1["health"], "LOW");
    let pkg3 = by_id("PKG-003");
    assert_eq!(pkg3["isLowStock"], false);
    assert_eq!(pkg3["health"], "OK");
}

#[tokio::test]
async fn inward_books_movement_balance_and_audit_together() {
    let app = spawn_app().await;
    let r = inward(&app, "WH-001", json!({"materialId": "PKG-001", "qty": 800, "batch": "PB-2026-02", "vendorName": "Polypack Industries",
                   "referenceNo": "CH-7781", "mfgDate": "2026-01-20"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["message"], "Inward entry created successfully");
    let tx_id = r.body["data"]["transaction"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(tx_id.starts_with("PKG-IN-"), "{tx_id}");
    assert_eq!(r.body["data"]["material"]["balance"], 1300);
    assert_eq!(r.body["data"]["material"]["isLowStock"], false);

    let m = material(&app, "PKG-001").await;
    assert_eq!(m.balance, Quantity::from_int(1300));
    assert!(m.last_movement_date.unwrap() > m.created_at.unwrap());
    let txs = movements(&app, "PKG-001", "IN").await;
    assert_eq!(txs.len(), 1);
    assert_eq!(txs[0].id, tx_id);
    assert_eq!(txs[0].created_by, "WH-001");
    assert_eq!(txs[0].vendor_name.as_deref(), Some("Polypack Industries"));
    assert_eq!(txs[0].mfg_date.unwrap().to_string(), "2026-01-20");
    let a = audits(&app, "PKG-001").await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].action, AuditAction::StockMovement);
    assert_eq!(a[0].user_id, "WH-001");
    assert_eq!(a[0].new_data.as_ref().unwrap()["id"], tx_id.as_str());
}

#[tokio::test]
async fn quantities_must_be_numbers_above_zero_and_attachments_links() {
    let app = spawn_app().await;
    for (qty, want) in [
        (json!("5"), StatusCode::UNPROCESSABLE_ENTITY),
        (json!(0), StatusCode::UNPROCESSABLE_ENTITY),
        (json!(-3), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = inward(&app, "WH-001", json!({"materialId": "PKG-001", "qty": qty})).await;
        assert_eq!(r.status, want, "qty {qty}: {}", r.body);
    }
    let inline = json!({"materialId": "PKG-001", "qty": 5, "attachment": "data:image/png;base64,iVBORw0KGgo="});
    inward(&app, "WH-001", inline)
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "ATTACHMENT_NOT_A_LINK");
    inward(&app, "WH-001", json!({"materialId": "PKG-404", "qty": 5}))
        .await
        .expect_refusal(StatusCode::NOT_FOUND, "PACKAGING_MATERIAL_NOT_FOUND");
    // A body may not set the balance directly (mass assignment).
    let r = inward(
        &app,
        "WH-001",
        json!({"materialId": "PKG-001", "qty": 5, "balance": 99999}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    nothing_moved(&app, "PKG-001", 500, "IN").await;
    assert!(audits(&app, "PKG-001").await.is_empty());
}

#[tokio::test]
async fn outward_beyond_the_balance_is_refused_with_the_figures() {
    let app = spawn_app().await;
    let r = outward(
        &app,
        json!({"materialId": "PKG-002", "qty": 250, "reason": "Packing"}),
    )
    .await
    .expect_refusal(StatusCode::BAD_REQUEST, "INSUFFICIENT_BALANCE");
    assert_eq!(
        r.body["error"]["message"],
        "Insufficient balance. Available: 200, Requested: 250"
    );
    assert_eq!(r.body["error"]["details"]["available"], 200);
    assert_eq!(r.body["error"]["details"]["requested"], 250);
    outward(
        &app,
        json!({"materialId": "PKG-002", "qty": 5, "reason": "  "}),
    )
    .await
    .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "REASON_REQUIRED");
    let r = outward(
        &app,
        json!({"materialId": "PKG-002", "qty": 5, "reason": "Packing", "orderId": "ORD-999"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    nothing_moved(&app, "PKG-002", 200, "OUT").await;
}

#[tokio::test]
async fn outward_records_reason_and_order_and_publishes_low_stock() {
    let app = spawn_app().await;
    let mut rx = app.state.events.subscribe();
    // PKG-004: balance 120, MOQ 50 → 40 after this outward, at or below the MOQ.
    let r = outward(&app, json!({"materialId": "PKG-004", "qty": 80, "reason": "Sealing cartons", "orderId": "ORD-003"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["message"], "Outward entry created successfully");
    assert_eq!(r.body["data"]["material"]["balance"], 40);
    assert_eq!(r.body["data"]["material"]["isLowStock"], true);
    let txs = movements(&app, "PKG-004", "OUT").await;
    assert_eq!(txs.len(), 1);
    assert!(txs[0].id.starts_with("PKG-OUT-"));
    assert_eq!(txs[0].reason.as_deref(), Some("Sealing cartons"));
    assert_eq!(txs[0].order_id.as_deref(), Some("ORD-003"));
    assert_eq!(
        material(&app, "PKG-004").await.balance,
        Quantity::from_int(40)
    );
    let a = audits(&app, "PKG-004").await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].reason.as_deref(), Some("Sealing cartons"));

    // Published after the commit, before the response: already in the channel.
    let mut types = Vec::new();
    while let Ok(e) = rx.try_recv() {
        types.push((e.event_type.clone(), e.data.clone()));
    }
    let low = types
        .iter()
        .find(|(t, _)| t == "packaging:low-stock")
        .unwrap_or_else(|| panic!("no low-stock event in {types:?}"));
    assert_eq!(low.1["materialId"], "PKG-004");
    assert_eq!(low.1["balance"], 40);
    assert_eq!(low.1["moq"], 50);
    assert!(types.iter().any(|(t, _)| t == "stock:changed"));
}

#[tokio::test]
async fn fifty_concurrent_outwards_end_at_the_exact_balance_never_negative() {
    let app = spawn_app().await;
    // PKG-003 holds 850: 42 outwards of 20 fit (840), the other 8 must be refused.
    let token = app.token("WH-001").await;
    let calls = (0..50).map(|i| {
        let app = &app;
        let token = token.clone();
        async move {
            app.call(
                reqwest::Method::POST,
                "/api/packaging/outward",
                Some(&token),
                Some(json!({"materialId": "PKG-003", "qty": 20, "reason": format!("Packing run {i}")})),
            )
            .await
        }
    });
    let results = futures::future::join_all(calls).await;
    let ok = with_status(&results, StatusCode::CREATED);
    let refused = results
        .iter()
        .filter(|r| {
            r.status == StatusCode::BAD_REQUEST && r.body["error"]["code"] == "INSUFFICIENT_BALANCE"
        })
        .count();
    let other: Vec<_> = results
        .iter()
        .filter(|r| r.status != StatusCode::CREATED && r.status != StatusCode::BAD_REQUEST)
        .map(|r| (r.status, r.body.clone()))
        .collect();
    assert!(other.is_empty(), "unexpected answers: {other:?}");
    assert_eq!(ok, 42);
    assert_eq!(refused, 8);
    assert_eq!(
        material(&app, "PKG-003").await.balance,
        Quantity::from_int(10)
    );
    let outs = movements(&app, "PKG-003", "OUT").await;
    assert_eq!(outs.len(), 42, "one movement per accepted outward");
    let ids: std::collections::BTreeSet<_> = outs.iter().map(|t| t.id.clone()).collect();
    assert_eq!(ids.len(), 42, "movement ids are unique");
    let moved: rust_decimal::Decimal = outs.iter().map(|t| t.qty.value()).sum();
    assert_eq!(moved, rust_decimal::Decimal::from(840));
    assert_eq!(
        audits(&app, "PKG-003").await.len(),
        42,
        "one audit entry per movement"
    );
}

#[tokio::test]
async fn transactions_are_paged_newest_first_with_a_capped_limit() {
    let app = spawn_app().await;
    for q in [100, 200, 300] {
        let r = inward(&app, "PROC-001", json!({"materialId": "PKG-001", "qty": q})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = outward(
        &app,
        json!({"materialId": "PKG-003", "qty": 1, "reason": "Sample"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let r = transactions(&app, "materialId=PKG-001&limit=2").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let data = r.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["qty"], 300, "newest first");
    assert_eq!(data[1]["qty"], 200);
    assert_eq!(
        r.body["pagination"],
        json!({"page": 1, "limit": 2, "total": 3, "pages": 2})
    );
    let r = transactions(&app, "materialId=PKG-001&limit=2&page=2").await;
    assert_eq!(r.body["data"][0]["qty"], 100);

    let r = transactions(&app, "limit=200").await;
    assert_eq!(r.body["pagination"]["limit"], 200);
    assert_eq!(r.body["pagination"]["total"], 4);
    app.get("USER-001", "/api/packaging/transactions?limit=100000")
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_QUERY");

    // Date-only bounds are IST days.
    let today = (chrono::Utc::now() + chrono::Duration::minutes(330))
        .format("%Y-%m-%d")
        .to_string();
    let r = transactions(&app, "endDate=2020-01-01").await;
    assert_eq!(r.body["pagination"]["total"], 0);
    let r = transactions(&app, &format!("startDate=2020-01-01&endDate={today}")).await;
    assert_eq!(r.body["pagination"]["total"], 4);
    transactions(&app, "startDate=yesterday")
        .await
        .expect_refusal(StatusCode::BAD_REQUEST, "INVALID_DATE");
}

#[tokio::test]
async fn a_new_material_gets_the_next_free_id_and_its_opening_balance_as_a_movement() {
    let app = spawn_app().await;
    let thermocol = json!({"name": "Thermocol Box 20L", "unit": "PCS", "category": "Cartons", "moq": 100, "openingBalance": 250});
    let r = new_material(&app, thermocol).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // PKG-001..004 are seeded: the sequence skips to the first free id.
    assert_eq!(r.body["data"]["id"], "PKG-005");
    assert_eq!(r.body["data"]["balance"], 250);
    assert_eq!(r.body["data"]["isLowStock"], false);
    let m = material(&app, "PKG-005").await;
    assert_eq!(m.balance, Quantity::from_int(250));
    let opening = movements(&app, "PKG-005", "IN").await;
    assert_eq!(opening.len(), 1);
    assert_eq!(opening[0].qty, Quantity::from_int(250));
    assert_eq!(opening[0].reason.as_deref(), Some("Opening balance"));
    let a = audits(&app, "PKG-005").await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].action, AuditAction::Create);

    let r = new_material(
        &app,
        json!({"name": "Gel packs", "unit": "BOXES", "category": "Cartons", "moq": 10}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let with_balance = json!({"name": "Gel packs", "unit": "PCS", "category": "Cartons", "moq": 10, "balance": 10});
    let r = new_material(&app, with_balance).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "balance is not settable"
    );
    let r = new_material(
        &app,
        json!({"name": "Gel packs", "unit": "PCS", "category": "Cartons", "moq": 10}),
    )
    .await;
    assert_eq!(r.body["data"]["id"], "PKG-006");
    assert_eq!(r.body["data"]["balance"], 0);
    assert!(movements(&app, "PKG-006", "IN").await.is_empty());
}

#[tokio::test]
async fn low_stock_lists_only_materials_at_or_below_their_moq() {
    let app = spawn_app().await;
    let r = app.get_ok("WHH-001", "/api/packaging/low-stock").await;
    assert_eq!(r.body["count"], 2);
    let ids: Vec<_> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["PKG-001", "PKG-002"]);
    // Topping PKG-002 up past its MOQ takes it off the list.
    let r = inward(
        &app,
        "PROC-001",
        json!({"materialId": "PKG-002", "qty": 301}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app.get("WHH-001", "/api/packaging/low-stock").await;
    assert_eq!(r.body["count"], 1);
}

/// Quantities are what the document declares: 0.001 to 10,000,000 for a movement, 0 to
/// 10,000,000 for an MOQ (a number too small for a decimal reads as the 0 it is).
#[tokio::test]
async fn quantities_stay_within_the_documented_bounds() {
    let app = spawn_app().await;
    for (qty, want) in [
        (json!(0.0005), StatusCode::UNPROCESSABLE_ENTITY),
        (json!(10_000_001), StatusCode::UNPROCESSABLE_ENTITY),
        (json!(5e-324), StatusCode::UNPROCESSABLE_ENTITY),
        (json!(0.001), StatusCode::CREATED),
        (json!(10_000_000), StatusCode::CREATED),
    ] {
        let r = inward(&app, "WH-001", json!({"materialId": "PKG-001", "qty": qty})).await;
        assert_eq!(r.status, want, "qty {qty}: {}", r.body);
    }
    for (moq, want) in [
        (json!(1e-300), StatusCode::CREATED),
        (json!(-1e-300), StatusCode::UNPROCESSABLE_ENTITY),
        (json!(10_000_001), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let body = json!({"name": "Gel Pack", "unit": "PCS", "category": "Cartons", "moq": moq});
        let r = new_material(&app, body).await;
        assert_eq!(r.status, want, "moq {moq}: {}", r.body);
    }
    let body = json!({"name": "Gel Pack", "unit": "PCS", "category": "Cartons", "moq": 0, "openingBalance": 0.0005});
    let r = new_material(&app, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}
