//! Clearance orders: eligibility, GST, all-or-nothing reservation, the history, the
//! lifecycle afterwards, and the required race: 50 concurrent orders on one batch never
//! oversell it.

mod support;

use futures::future::join_all;
use nexus_core::model::{Order, Product, StockLedgerEntry};
use nexus_core::rules::ledger::net_change;
use nexus_core::store::{Collection, Filter, Write};
use nexus_core::types::Quantity;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use support::{
    Resp, TestApp, count_where, insert_raw, spawn_app, stored, stored_where, with_status,
};

async fn product(app: &TestApp, id: &str) -> Product {
    stored(app, id).await
}

async fn batch_qty(app: &TestApp, product_id: &str, batch: &str) -> Decimal {
    product(app, product_id)
        .await
        .batches
        .iter()
        .find(|b| b.batch_number == batch)
        .map(|b| b.quantity.value())
        .unwrap_or_default()
}

/// Sets one batch's quantity (and activity) directly in the store.
async fn set_batch(app: &TestApp, product_id: &str, batch: &str, qty: u64) {
    let mut p = product(app, product_id).await;
    let b = p
        .batches
        .iter_mut()
        .find(|b| b.batch_number == batch)
        .unwrap();
    b.quantity = Quantity::from_int(qty);
    b.is_active = qty > 0;
    p.stock = p
        .batches
        .iter()
        .filter(|b| b.is_active)
        .map(|b| b.quantity)
        .sum();
    app.store
        .commit(vec![
            Write::replace::<Product>(Filter::id(product_id), &p).unwrap(),
        ])
        .await
        .unwrap();
}

fn line(product: &str, batch: &str, qty: u64, rate: u64) -> Value {
    json!({"productId": product, "batchNumber": batch, "quantity": qty, "proposedRate": rate})
}

async fn clearance(app: &TestApp, user: &str, items: Value) -> Resp {
    app.post(
        user,
        "/api/orders/clearance",
        json!({"customerId": "CUST-001", "items": items}),
    )
    .await
}

/// A clearance order of one line: `(product, batch, quantity, proposed rate)`.
async fn clearance_of(app: &TestApp, user: &str, (p, b, qty, rate): Line) -> Resp {
    clearance(app, user, json!([line(p, b, qty, rate)])).await
}

type Line = (&'static str, &'static str, u64, u64);

#[tokio::test]
async fn fifty_concurrent_clearance_orders_never_oversell_a_batch() {
    let app = spawn_app().await;
    set_batch(&app, "PROD-002", "BATCH-003", 100).await;
    let other = batch_qty(&app, "PROD-002", "BATCH-004").await;
    app.token("SALES-001").await;
    app.token("SALES-002").await;

    let calls = (0..50).map(|i| {
        let who = if i % 2 == 0 { "SALES-001" } else { "SALES-002" };
        let app = &app;
        async move { clearance_of(app, who, ("PROD-002", "BATCH-003", 3, 250)).await }
    });
    let results = join_all(calls).await;
    let created = with_status(&results, StatusCode::CREATED);
    let refused: Vec<_> = results
        .iter()
        .filter(|r| r.status != StatusCode::CREATED)
        .collect();
    assert_eq!(
        created,
        33,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(
        refused
            .iter()
            .all(|r| r.status == StatusCode::CONFLICT
                && r.body["error"]["code"] == "INSUFFICIENT_STOCK"),
        "{:?}",
        refused.first().map(|r| &r.body)
    );

    // The batch ends at exactly 100 − 33 × 3 = 1; nothing else moved.
    assert_eq!(batch_qty(&app, "PROD-002", "BATCH-003").await, Decimal::ONE);
    assert_eq!(batch_qty(&app, "PROD-002", "BATCH-004").await, other);
    let p = product(&app, "PROD-002").await;
    assert_eq!(
        p.stock.value(),
        Decimal::ONE + other,
        "derived stock agrees"
    );

    // 33 orders, each holding 3 of the batch; the ledger sums to the draw.
    let orders: Vec<Order> = stored_where(&app, Filter::eq("orderType", "CLEARANCE")).await;
    assert_eq!(orders.len(), 33);
    assert!(
        orders
            .iter()
            .all(|o| o.id.starts_with("CLR-") && o.is_clearance && o.stock_reserved)
    );
    let mut ids: Vec<&str> = orders.iter().map(|o| o.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 33, "ids never collide");
    let rows: Vec<StockLedgerEntry> =
        stored_where(&app, Filter::eq("reason", "CLEARANCE_RESERVATION")).await;
    assert_eq!(rows.len(), 33);
    assert!(
        rows.iter()
            .all(|r| r.batch_number.as_deref() == Some("BATCH-003"))
    );
    assert_eq!(net_change(&rows), Decimal::from(-99));
    let held: Decimal = orders
        .iter()
        .flat_map(|o| &o.items)
        .flat_map(|i| &i.allocated_batches)
        .map(|a| a.qty.value())
        .sum();
    assert_eq!(held, Decimal::from(99));
}

#[tokio::test]
async fn a_clearance_order_is_priced_with_gst_and_reserves_its_batch() {
    let app = spawn_app().await;
    let before = batch_qty(&app, "PROD-002", "BATCH-003").await;
    let r = clearance_of(&app, "SALES-001", ("PROD-002", "BATCH-003", 3, 250))
        .await
        .expect_success(StatusCode::CREATED);
    assert_eq!(r.body["message"], "Clearance order created successfully");
    let o = &r.body["data"];
    assert!(o["id"].as_str().unwrap().starts_with("CLR-"));
    assert_eq!(o["isClearance"], true);
    assert_eq!(o["orderType"], "CLEARANCE");
    assert_eq!(o["status"], "Pending Credit Approval");
    assert_eq!(o["items"][0]["batchNumber"], "BATCH-003");
    assert_eq!(o["subTotal"], 750);
    assert_eq!(
        o["gstAmount"], 37.5,
        "5 % GST, which the legacy clearance never charged"
    );
    assert_eq!(o["total"], 787.5);
    assert_eq!(
        batch_qty(&app, "PROD-002", "BATCH-003").await,
        before - Decimal::from(3)
    );
}

#[tokio::test]
async fn a_failing_line_leaves_nothing_drawn() {
    let app = spawn_app().await;
    let b3 = batch_qty(&app, "PROD-002", "BATCH-003").await;
    let b5 = batch_qty(&app, "PROD-003", "BATCH-005").await;
    // Line 2 asks more than BATCH-005 holds.
    clearance(
        &app,
        "SALES-001",
        json!([
            line("PROD-002", "BATCH-003", 5, 250),
            line("PROD-003", "BATCH-005", 1000, 900)
        ]),
    )
    .await
    .expect_refusal(StatusCode::CONFLICT, "INSUFFICIENT_STOCK");
    assert_eq!(batch_qty(&app, "PROD-002", "BATCH-003").await, b3);
    assert_eq!(batch_qty(&app, "PROD-003", "BATCH-005").await, b5);
    assert_eq!(count_where::<Order>(&app, Filter::All).await, 6);
    let rows =
        count_where::<StockLedgerEntry>(&app, Filter::eq("reason", "CLEARANCE_RESERVATION")).await;
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn only_near_expiry_active_batches_qualify() {
    let app = spawn_app().await;
    // BATCH-007 expired ten days ago: refused even with stock (the legacy accepted it, D-L6).
    set_batch(&app, "PROD-003", "BATCH-007", 10).await;
    let (unprocessable, not_found) = (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::NOT_FOUND);
    let ineligible = Some("NOT_CLEARANCE_ELIGIBLE");
    // (who, line, status, error code when checked)
    #[rustfmt::skip]
    let cases = [
        // BATCH-004 expires in 335 days.
        ("SALES-001", ("PROD-002", "BATCH-004", 1, 250), unprocessable, ineligible),
        ("SALES-001", ("PROD-003", "BATCH-007", 1, 500), unprocessable, ineligible),
        ("SALES-001", ("PROD-002", "BATCH-404", 1, 250), not_found, Some("BATCH_NOT_FOUND")),
        ("SALES-001", ("PROD-404", "BATCH-003", 1, 250), not_found, None),
        ("SALES-001", ("PROD-002", "BATCH-003", 0, 250), unprocessable, None),
        ("SALES-001", ("PROD-002", "BATCH-003", 1, 0), unprocessable, None),
        ("CREDIT-001", ("PROD-002", "BATCH-003", 1, 250), StatusCode::FORBIDDEN, None),
    ];
    for (user, line, status, code) in cases {
        let r = clearance_of(&app, user, line).await;
        assert_eq!(r.status, status, "{user} {line:?}: {}", r.body);
        if let Some(code) = code {
            assert_eq!(r.body["error"]["code"], code, "{line:?}");
        }
    }
}

#[tokio::test]
async fn history_lists_clearance_orders_in_scope_including_legacy_ids() {
    let app = spawn_app().await;
    let r = clearance_of(&app, "SALES-001", ("PROD-002", "BATCH-003", 1, 250)).await;
    let mine = r.body["data"]["id"].as_str().unwrap().to_string();
    // A legacy clearance order: only the prefix says so (the flag was never stored).
    let legacy = json!({"id": "CLR-123456", "customerId": "CUST-002", "status": "Pending",
        "salespersonId": "SALES-002", "total": 500, "createdAt": "2025-02-01T10:00:00.000Z"});
    insert_raw(&app, Collection::Orders, vec![legacy]).await;
    let ids = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect()
    };
    let r = app
        .get_ok("SALES-001", "/api/orders/clearance/history")
        .await;
    assert_eq!(r.body["success"], true);
    assert_eq!(ids(&r.body), std::slice::from_ref(&mine));
    let r = app.get("SALES-002", "/api/orders/clearance/history").await;
    assert_eq!(ids(&r.body), ["CLR-123456"]);
    let r = app.get("CREDIT-001", "/api/orders/clearance/history").await;
    assert_eq!(
        ids(&r.body),
        [mine, "CLR-123456".to_string()],
        "newest first"
    );
    assert_eq!(r.headers["x-total-count"], "2");
    assert_eq!(
        app.get("WH-001", "/api/orders/clearance/history")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The static path wins over `/api/orders/{id}`: GET on it is 405, not an order lookup.
    let r = app.get("USER-001", "/api/orders/clearance").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
}

#[tokio::test]
async fn a_rejected_clearance_order_gives_its_batch_back_and_keeps_its_warehouse() {
    let app = spawn_app().await;
    let before = batch_qty(&app, "PROD-002", "BATCH-003").await;
    let four = ("PROD-002", "BATCH-003", 4, 250);
    let r = clearance_of(&app, "SALES-001", four).await;
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let reject = json!({"decision": "reject", "reason": "Price too low"});
    let r = app.step("CREDIT-001", &id, "credit-decision", reject).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(batch_qty(&app, "PROD-002", "BATCH-003").await, before);

    // Another one goes through approval; its batch is at Kurla, so Delhi is refused and
    // Kurla draws nothing more.
    let r = clearance_of(&app, "SALES-001", four).await;
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let approve = json!({"decision": "approve"});
    app.step("CREDIT-001", &id, "credit-decision", approve)
        .await;
    let assign = |warehouse: &str| {
        let body = json!({ "warehouseId": warehouse });
        app.step("WHM-001", &id, "assign-warehouse", body)
    };
    assign("WH-DELHI")
        .await
        .expect_refusal(StatusCode::CONFLICT, "CLEARANCE_WAREHOUSE_MISMATCH");
    let r = assign("WH-KURLA").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data"]["status"], "Pending Packing");
    assert_eq!(
        batch_qty(&app, "PROD-002", "BATCH-003").await,
        before - Decimal::from(4)
    );
}
