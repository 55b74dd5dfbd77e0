//! The old mobile app (Flutter, docs/LEGACY_CLIENT.md) against the new API, with its exact
//! request bodies, in the order its screens send them: login, the order list it parses, a
//! booking with its own totals, and the whole workflow through `PATCH /api/orders/{id}
//! {status}` — each translated into the lifecycle step it means, with that step's
//! permissions, evidence and stock effects. What the app reads is checked with the types it
//! parses (`boxCount` and `quantity` as `int`), and every error carries the top-level
//! `message` it shows.

mod catalog_support;
mod support;

use nexus_core::model::{Customer, Order, OrderStatus, Product};
use nexus_core::store::{Filter, Write};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Resp, TestApp, count_where, spawn_app, stored, stored_where, strs};

async fn order(app: &TestApp, id: &str) -> Order {
    stored(app, id).await
}

/// `PATCH /api/orders/{id}` with the app's body.
async fn patch_order(app: &TestApp, user: &str, id: &str, body: Value) -> Resp {
    app.patch(user, &format!("/api/orders/{id}"), body).await
}

/// `updateOrderStatus` (nexus_provider.dart): exactly `{"status": …}`.
async fn set_status(app: &TestApp, user: &str, id: &str, status: &str) -> Resp {
    patch_order(app, user, id, json!({ "status": status })).await
}

/// The lifecycle status each status the app sends leads to.
fn leads_to(status: &str) -> OrderStatus {
    match status {
        "Pending WH Selection" => OrderStatus::PendingWhSelection,
        "Pending Quality Control" => OrderStatus::PendingQualityControl,
        "Pending Logistics Cost" => OrderStatus::PendingLogisticsCost,
        "Ready for Billing" => OrderStatus::ReadyForBilling,
        "Ready for Dispatch" => OrderStatus::ReadyForDispatch,
        "Hold" => OrderStatus::OnHold,
        "Rejected" => OrderStatus::Rejected,
        "Cancelled" => OrderStatus::Cancelled,
        other => panic!("no expectation for {other}"),
    }
}

/// The app's status call as `user`: 200, and the order is where [`leads_to`] says.
async fn ok_status(app: &TestApp, user: &str, id: &str, status: &str) {
    let expect = leads_to(status);
    let r = set_status(app, user, id, status).await;
    assert_eq!(r.status, StatusCode::OK, "{user} → {status}: {}", r.body);
    assert_eq!(order(app, id).await.status, expect, "{user} → {status}");
}

/// The status calls of the warehouse, QC, logistics and billing screens, in order: an
/// allocated order to Ready for Dispatch.
const PACK_TO_DISPATCH: [(&str, &str); 4] = [
    ("WH-001", "Pending Quality Control"),
    ("QC-001", "Pending Logistics Cost"),
    ("LOGT-001", "Ready for Billing"),
    ("BILL-001", "Ready for Dispatch"),
];

/// The app's booking as `salesperson`: 201; the new order's id.
async fn book(app: &TestApp, salesperson: &str) -> String {
    let r = app
        .post(salesperson, "/api/orders", app_booking(salesperson))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["data"]["id"].as_str().unwrap().to_string()
}

/// warehouse_selection_screen's own route: `{orderId, warehouseId}`, 200.
async fn assign_to_kurla(app: &TestApp, id: &str) {
    let r = app
        .post(
            "WHM-001",
            "/api/warehouse/assign-to-order",
            json!({"orderId": id, "warehouseId": "WH-KURLA"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// What `Order.fromJson`/`OrderItem.fromJson` need to parse without a TypeError: the app
/// assigns `quantity` and `boxCount` to `int` fields, so `1.0` loses the whole list.
fn parses_as_the_app_does(o: &Value) {
    for item in o["items"].as_array().expect("items") {
        assert!(item["quantity"].is_i64(), "quantity is an int: {item}");
        assert!(
            item["boxCount"].is_null() || item["boxCount"].is_i64(),
            "boxCount is an int: {item}"
        );
        assert!(item["price"].is_number(), "{item}");
    }
    for key in ["total", "subTotal", "gstAmount"] {
        assert!(o[key].is_number(), "{key}: {o}");
    }
    assert!(o["id"].is_string() && o["status"].is_string(), "{o}");
}

/// The booking `createOrder` sends (book_order_screen → nexus_provider.dart), verbatim.
fn app_booking(salesperson: &str) -> Value {
    json!({
        "customerId": "CUST-001",
        "customerName": "ABC Traders",
        "status": "Pending Credit Approval",
        "total": 5310.0,
        "subTotal": 4500.0,
        "gstAmount": 810.0,
        "items": [{
            "productId": "PROD-001", "productName": "Premium Basmati Rice 5kg",
            "skuCode": "SKU-001", "quantity": 10, "boxCount": 1, "unit": "KG",
            "price": 450.0, "prevRate": 0.0, "imageUrl": "", "mrp": 500.0, "gst": 18.0
        }],
        "salespersonId": salesperson,
        "createdAt": "2026-03-02T14:22:11.123456",
        "remarks": "from the app"
    })
}

/// The app's booking, approved by credit control's status call and given a warehouse by the
/// warehouse-selection screen's own route: an order in Pending Packing with stock reserved.
async fn booked_and_allocated(app: &TestApp) -> String {
    let id = book(app, "SALES-001").await;
    ok_status(app, "CREDIT-001", &id, "Pending WH Selection").await;
    assign_to_kurla(app, &id).await;
    id
}

#[tokio::test]
async fn the_app_reads_its_lists_and_logs_in_with_its_own_body() {
    let app = spawn_app().await;
    // auth_provider.dart: `{email, password}`, reads `token` and `user`.
    let r = app.login("rajesh@nexusoms.com", "sales123").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["token"].is_string());
    assert_eq!(r.body["user"]["id"], "SALES-001");
    assert_eq!(r.body["user"]["role"], "Sales");

    // A failed login: the app shows the top-level `message`.
    let bad = app.login("rajesh@nexusoms.com", "nope").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED, "{}", bad.body);
    assert_eq!(bad.body["message"], bad.body["error"]["message"]);
    // login_screen.dart says "Password or Email is incorrect" when the text has "credentials".
    assert!(
        bad.body["message"]
            .as_str()
            .unwrap()
            .contains("credentials"),
        "{}",
        bad.body
    );

    // GET /products: the app never pages, so the whole catalogue comes back, not a first
    // page (a salesperson could not book the 51st product).
    let mut writes = Vec::new();
    for i in 0..120 {
        let p: Product = serde_json::from_value(json!({
            "id": format!("LEG-P{i:03}"), "skuCode": format!("LEG-P{i:03}"),
            "name": format!("Catalogue item {i:03}"), "price": 100.0, "gst": 5.0,
        }))
        .unwrap();
        writes.push(Write::insert(&p).unwrap());
    }
    app.store.commit(writes).await.unwrap();
    let total = count_where::<Product>(&app, Filter::All).await;
    assert!(total > 120);
    let products = app.get_ok("SALES-001", "/api/products").await;
    assert_eq!(products.body.as_array().unwrap().len() as u64, total);
    assert_eq!(
        products.headers["x-total-count"],
        total.to_string().as_str()
    );
    // A client that pages still gets pages of at most 500.
    let page = app.get("SALES-001", "/api/products?limit=20&page=2").await;
    assert_eq!(page.body.as_array().unwrap().len(), 20);
    assert_eq!(page.headers["x-limit"], "20");

    // GET /orders: a raw array every element of which the app can parse.
    let list = app.get_ok("USER-001", "/api/orders").await;
    let orders = list.body.as_array().expect("a raw array");
    assert!(!orders.is_empty());
    orders.iter().for_each(parses_as_the_app_does);
}

#[tokio::test]
async fn the_whole_workflow_runs_on_the_apps_status_patches() {
    let app = spawn_app().await;

    // Booking with the app's own totals, status, salesperson and clock: accepted, and the
    // server's figures are what is stored.
    let r = app
        .post("SALES-001", "/api/orders", app_booking("SALES-001"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    parses_as_the_app_does(&r.body["data"]);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let booked = order(&app, &id).await;
    assert_eq!(booked.status, OrderStatus::PendingCreditApproval);
    assert_eq!(booked.salesperson_id.as_deref(), Some("SALES-001"));
    assert_ne!(
        booked.created_at.map(|t| t.to_string()),
        Some("2026-03-02T14:22:11.123456".into()),
        "the device clock is not stored"
    );

    // An illegal jump: 409 naming the steps that are open, with the app's `message`.
    let jump = set_status(&app, "SALES-001", &id, "Delivered")
        .await
        .expect_refusal(StatusCode::CONFLICT, "STATUS_JUMP_NOT_ALLOWED");
    assert!(jump.body["message"].is_string());
    let allowed = strs(&jump.body["error"]["details"]["allowed"], "step");
    assert!(allowed.contains(&"cancel"), "{allowed:?}");
    assert!(
        !allowed.contains(&"credit_approve"),
        "the booker never approves her own order: {allowed:?}"
    );
    // …and the booker cannot approve by status either.
    let r = set_status(&app, "SALES-001", &id, "Pending WH Selection").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // credit_control_screen: 'Credit Approved' → the app sends 'Pending WH Selection'.
    ok_status(&app, "CREDIT-001", &id, "Pending WH Selection").await;
    let o = order(&app, &id).await;
    assert!(
        o.status_history
            .iter()
            .any(|h| h.step.as_deref() == Some("credit_approve")),
        "recorded as the credit step"
    );

    // warehouse_selection_screen: its own route, unchanged.
    assign_to_kurla(&app, &id).await;
    assert!(order(&app, &id).await.stock_reserved);

    // warehouse_ops / batch_picking: 'Pending Quality Control' packs as allocated.
    ok_status(&app, "WH-001", &id, "Pending Quality Control").await;
    let packed = order(&app, &id).await;
    assert_eq!(
        packed.items[0].packed_quantity.map(|q| q.value()),
        Some(rust_decimal::Decimal::from(10)),
        "packed as allocated"
    );

    // Another role's step is refused by that step's own rules (the order left the
    // warehouse's scope once packed: 404, as on the step endpoint).
    let wrong = set_status(&app, "WH-001", &id, "Pending Logistics Cost").await;
    assert!(
        [StatusCode::CONFLICT, StatusCode::NOT_FOUND].contains(&wrong.status),
        "{}",
        wrong.body
    );
    assert_eq!(
        order(&app, &id).await.status,
        OrderStatus::PendingQualityControl
    );

    // quality_control_screen (all five points ticked to enable the button), then
    // logistics_ops_screen, then invoicing_screen: 'Invoiced' → 'Ready for Dispatch'; the
    // server issues the number.
    for (who, status) in &PACK_TO_DISPATCH[1..] {
        ok_status(&app, who, &id, status).await;
    }
    let invoiced = order(&app, &id).await;
    let inv = invoiced
        .extra
        .get("invoice")
        .and_then(|i| i.get("invoiceNo"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            serde_json::to_value(&invoiced).unwrap()["invoice"]["invoiceNo"]
                .as_str()
                .map(str::to_string)
        })
        .expect("an invoice number");
    assert!(inv.starts_with("INV-"), "{inv}");

    // Dispatch needs the loading details (not a status change): the step endpoint.
    let r = app
        .post(
            "HUB-001",
            &format!("/api/orders/{id}/dispatch"),
            json!({"deliveryAgentId": "DRV-001", "vehicleNo": "MH-04-AB-1234",
                   "ewayBill": "331000009876", "sealNo": "SEAL-42"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // delivery_execution_screen sends 'Delivered' without the OTP issued at dispatch: the
    // protection stays, and the app is told why.
    let del = set_status(&app, "DRV-001", &id, "Delivered")
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "OTP_REQUIRED");
    assert!(del.body["message"].is_string());
    assert_eq!(order(&app, &id).await.status, OrderStatus::InTransit);
}

#[tokio::test]
async fn holds_rejections_bypass_and_refused_fields() {
    let app = spawn_app().await;
    // credit_control: 'Hold' with no reason field → On Hold, the reason says so.
    let a = book(&app, "SALES-001").await;
    ok_status(&app, "CREDIT-001", &a, "Hold").await;
    let held = order(&app, &a).await;
    let last = held.status_history.last().unwrap();
    assert_eq!(last.step.as_deref(), Some("credit_hold"));
    assert!(last.reason.as_deref().unwrap().contains("old mobile app"));

    // live_missions: 'Rejected'; credit_control: 'Cancelled' by the booker's side is the
    // cancel step.
    for (who, status) in [("CREDIT-001", "Rejected"), ("SALES-001", "Cancelled")] {
        let id = book(&app, "SALES-001").await;
        ok_status(&app, who, &id, status).await;
    }

    // order_details admin panel: `{status, isAdminBypass: true}` — Admin only.
    let d = book(&app, "SALES-001").await;
    let bypass = |status: &str| json!({"status": status, "isAdminBypass": true});
    let r = patch_order(&app, "SALES-001", &d, bypass("Ready for Billing")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body["message"].is_string());
    let r = patch_order(&app, "USER-001", &d, bypass("Pending WH Selection")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let bypassed = order(&app, &d).await;
    assert_eq!(bypassed.status, OrderStatus::PendingWhSelection);
    assert_eq!(
        bypassed.status_history.last().unwrap().step.as_deref(),
        Some("admin_bypass")
    );

    // The mass-assignment holes stay shut: another's name, a chosen status, a status
    // together with other fields.
    let r = app
        .post("SALES-001", "/api/orders", app_booking("SALES-002"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], "salespersonId");
    let mut chosen = app_booking("SALES-001");
    chosen["status"] = json!("Delivered");
    let r = app.post("SALES-001", "/api/orders", chosen).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let with_total = json!({"status": "Delivered", "total": 1.0});
    patch_order(&app, "USER-001", &a, with_total)
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "FIELD_NOT_EDITABLE");
    // A truly unknown field is still a clear 422.
    let mut odd = app_booking("SALES-001");
    odd["discountOverride"] = json!(50);
    let r = app
        .post("SALES-001", "/api/orders", odd)
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(r.body["message"], r.body["error"]["message"]);
}

/// batch_picking_screen: `PATCH …/items` with the picker's batches (the order's own lines,
/// `OrderItem.toJson` shape), then `{status: 'Pending Quality Control'}` packs those picks.
#[tokio::test]
async fn batch_picking_records_the_picks_and_the_pack_uses_them() {
    let app = spawn_app().await;
    let id = booked_and_allocated(&app).await;
    let allocated = order(&app, &id).await.items[0].allocated_batches.clone();
    assert!(!allocated.is_empty());
    let line = |batches: Value| {
        json!({"items": [{
            "productId": "PROD-001", "skuCode": "SKU-001",
            "productName": "Premium Basmati Rice 5kg", "name": "Premium Basmati Rice 5kg",
            "quantity": 10, "price": 450.0, "prevRate": 0.0, "unit": "KG",
            "barcode": "8901234500011", "batchNo": "X", "mfgDate": "2026-01-05T00:00:00.000",
            "expiryDate": "2027-01-05T00:00:00.000", "allocatedBatches": batches
        }]})
    };

    // A batch that was not allocated: refused as the pack step would, nothing recorded.
    app.patch(
        "WH-001",
        &format!("/api/orders/{id}/items"),
        line(json!([{"batchNumber": "NA", "qty": 10.0, "expiry": "2027-12-06T00:00:00.000"}])),
    )
    .await
    .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "PICK_NOT_ALLOCATED");

    let picks: Vec<Value> = allocated
        .iter()
        .map(|b| json!({"batchNumber": b.batch_number, "qty": b.qty.value().to_string().parse::<f64>().unwrap(), "expiry": "2027-01-05T00:00:00.000"}))
        .collect();
    let r = app
        .patch(
            "WH-001",
            &format!("/api/orders/{id}/items"),
            line(json!(picks)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let recorded = order(&app, &id).await;
    assert_eq!(
        recorded.status,
        OrderStatus::PendingPacking,
        "a pick record is not an edit"
    );
    assert!(recorded.stock_reserved, "the stock stays reserved");
    assert_eq!(recorded.items[0].allocated_batches, allocated);

    ok_status(&app, "WH-001", &id, "Pending Quality Control").await;
    let packed = order(&app, &id).await;
    assert_eq!(
        packed.items[0].packed_quantity.map(|q| q.value()),
        Some(rust_decimal::Decimal::from(10))
    );
}

/// credit_control / mission_audit edit dialogs: the app's line shape with its own totals.
#[tokio::test]
async fn item_edits_accept_the_apps_line_shape_and_totals() {
    let app = spawn_app().await;
    let r = app
        .post("SALES-001", "/api/orders", app_booking("SALES-001"))
        .await;
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let r = app
        .patch(
            "SALES-001",
            &format!("/api/orders/{id}/items"),
            json!({
                "items": [{
                    "productId": "PROD-001", "skuCode": "SKU-001",
                    "productName": "Premium Basmati Rice 5kg", "name": "Premium Basmati Rice 5kg",
                    "quantity": 12, "boxCount": 2, "price": 450.0, "prevRate": 0.0, "unit": "KG",
                    "allocatedBatches": []
                }],
                "total": 6372.0, "subTotal": 5400.0, "gstAmount": 972.0
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    parses_as_the_app_does(&r.body["data"]);
    let edited = order(&app, &id).await;
    assert_eq!(
        edited.items[0].quantity.value(),
        rust_decimal::Decimal::from(12)
    );
    assert_eq!(
        edited.total.amount().to_string(),
        "5670",
        "priced by the server at the product's 5 % GST, not the app's flat 18 %"
    );
}

/// master_data, customer_master, material_master and procurement screens, their bodies as
/// sent (with the token the app has; the calls that omit it are listed in the table).
#[tokio::test]
async fn master_data_screens_send_their_own_shapes() {
    let app = spawn_app().await;

    // customer_master_screen postRecord (Dio): the admin types the customer code.
    let r = app
        .post(
            "USER-001",
            "/api/customers",
            json!({"name": "Harbour Foods", "id": "C-10042", "distributionChannel": "GT",
                   "limit": 250000.0, "address": "Dock Road, Mumbai",
                   "customerEmail": "accounts@harbour.example", "postalCode": "400001",
                   "status": "Active"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["data"]["id"], "C-10042");
    assert_eq!(r.body["data"]["email"], "accounts@harbour.example");
    // The same code again: 409, nothing overwritten.
    let other = json!({"name": "Other", "id": "C-10042"});
    let again = app.post("USER-001", "/api/customers", other).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body["message"].is_string());
    // A salesperson may not choose ids; nobody chooses a status.
    for (who, body) in [
        ("SALES-001", json!({"name": "Mine", "id": "C-1"})),
        (
            "USER-001",
            json!({"name": "Blocked Co", "status": "Blocked"}),
        ),
    ] {
        let r = app.post(who, "/api/customers", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }

    // customer_master_screen updateCustomer: the limit rides along with the other fields.
    let update = |limit: f64| {
        json!({"name": "Harbour Foods Pvt Ltd", "distributionChannel": "GT", "limit": limit,
               "customerEmail": "ap@harbour.example", "salesManager": "RSM-001",
               "postalCode": "400001", "address": "Dock Road, Mumbai"})
    };
    let edit = async |who: &str, id: &str, limit: f64| {
        app.patch(who, &format!("/api/customers/{id}"), update(limit))
            .await
    };
    let r = edit("USER-001", "C-10042", 250000.0).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data"]["limit"], 250000);
    assert_eq!(r.body["data"]["email"], "ap@harbour.example");
    // A changed limit is a credit decision: refused here, with the route that makes it.
    let r = edit("USER-001", "C-10042", 300000.0).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("/credit"));
    // A salesperson's form with the unchanged limit is an ordinary edit.
    let current: Customer = stored(&app, "CUST-001").await;
    let limit: f64 = current
        .effective_limit()
        .unwrap()
        .amount()
        .to_string()
        .parse()
        .unwrap();
    let r = edit("SALES-001", "CUST-001", limit).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = edit("SALES-001", "CUST-001", 9_999_999.0).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // master_data_screen / material_master createProduct: `shortName`, `stock: 0`.
    let r = app
        .post(
            "USER-001",
            "/api/products",
            json!({"skuCode": "SKU-900", "name": "Squid Rings 1kg", "shortName": "Squid 1kg",
                   "distributionChannel": "GT", "specie": "Squid", "productPacking": "Box",
                   "mrp": 600, "gst": 5, "hsnCode": "0307", "countryOfOrigin": "India",
                   "price": 480, "stock": 0, "category": "Seafood"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["data"]["productShortName"], "Squid 1kg");
    let stocked = json!({"name": "Octopus", "skuCode": "SKU-901", "stock": 25});
    let r = app.post("USER-001", "/api/products", stocked).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("batches"));

    // procurement_screen: toggles, then `{status}` for submit and approval.
    let r = app
        .post(
            "PROC-001",
            "/api/procurement",
            json!({"supplierName": "Blue Ocean", "skuName": "Squid Rings", "skuCode": "SKU-900"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let pid = r.body["id"]
        .as_str()
        .or(r.body["data"]["id"].as_str())
        .unwrap()
        .to_string();
    let put =
        async |who: &str, body: Value| app.put(who, &format!("/api/procurement/{pid}"), body).await;
    for check in ["sipChecked", "labelsChecked", "docsChecked"] {
        let r = put("PROC-001", json!({ check: true })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Not ready without an attachment: the submit's own rule.
    put("PROC-001", json!({"status": "Awaiting Head Approval"}))
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "PROCUREMENT_NOT_READY");
    let coa = json!({"attachment": "https://docs.example/coa.pdf"});
    let r = put("PROC-001", coa).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = put("PROC-001", json!({"status": "Awaiting Head Approval"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "Awaiting Head Approval");
    // Approval: the head, never the submitter.
    let r = put("PROC-001", json!({"status": "Approved"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = put("PROCH-001", json!({"status": "Approved"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "Approved");
}

/// stock_transfer_screen: the transfer posted to `/api/orders` with `isSTN: true`, its
/// warehouses named as the old system named them.
#[tokio::test]
async fn a_stock_transfer_posted_as_an_order_is_a_transfer() {
    use nexus_core::model::Warehouse;
    use nexus_core::store::{UpdateOp, Write};
    let app = spawn_app().await;
    // The old system's warehouse names (the app hard-codes them), as production data has them.
    for (id, name) in [
        ("WH-KURLA", "IOPL Kurla"),
        ("WH-DELHI", "IOPL Arihant Delhi"),
    ] {
        app.store
            .commit(vec![Write::update_one::<Warehouse>(
                Filter::id(id),
                vec![UpdateOp::Set("name".into(), json!(name))],
            )])
            .await
            .unwrap();
    }
    let body = |status: &str| {
        json!({
            "sourceWarehouse": "IOPL Kurla", "destinationWarehouse": "IOPL Arihant Delhi",
            "items": [{"productId": "PROD-002", "productName": "Frozen Vannamei Prawns 500g",
                       "skuCode": "SKU-002", "quantity": 5, "unit": "PCS"}],
            "remarks": "", "customerName": "IOPL Arihant Delhi", "customerId": "IOPL Arihant Delhi",
            "isSTN": true, "status": status, "createdAt": "2026-03-02T14:22:11.123456",
            "salespersonId": "SALES-001"
        })
    };
    let r = app
        .post("SALES-001", "/api/orders", body("In Transit"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let stn = order(&app, &id).await;
    assert!(stn.is_stn);
    assert_eq!(stn.status, OrderStatus::InTransit);
    assert_eq!(stn.source_warehouse.as_deref(), Some("WH-KURLA"));
    assert_eq!(stn.destination_warehouse.as_deref(), Some("WH-DELHI"));
    // A transfer cannot be born delivered, and an unknown warehouse is named.
    let r = app
        .post("SALES-001", "/api/orders", body("Delivered"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let mut elsewhere = body("In Transit");
    elsewhere["destinationWarehouse"] = json!("IOPL Chennai");
    let r = app.post("SALES-001", "/api/orders", elsewhere).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("IOPL Chennai"));
}

/// logistics_hub_screen lists the agents from `GET /users` and dispatches with the agent's
/// name; pms_screen needs both of its GETs to answer 200.
#[tokio::test]
async fn the_hub_picks_agents_by_name_and_pms_reads_an_empty_month() {
    let app = spawn_app().await;
    let agents = app.get_ok("HUB-001", "/api/users").await;
    let agents = agents.body.as_array().unwrap().clone();
    assert!(!agents.is_empty());
    assert!(
        agents.iter().all(|u| u["role"] == "Delivery Team"),
        "the hub sees delivery agents only: {agents:?}"
    );
    let name = agents[0]["name"].as_str().unwrap().to_string();

    // An order ready for dispatch, walked there by the app's own status calls.
    let id = booked_and_allocated(&app).await;
    for (who, status) in PACK_TO_DISPATCH {
        ok_status(&app, who, &id, status).await;
    }
    let r = app
        .post(
            "HUB-001",
            "/api/logistics/bulk-assign",
            json!({"orderIds": [id], "logisticsData": {
                "deliveryAgentId": name, "vehicleNo": "MH-04-AB-1234",
                "vehicleProvider": "Hub Manifest", "manifestId": "MAN-261206-1",
                "ewayBill": "331000009876", "sealNo": "SEAL-42"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let o = order(&app, &id).await;
    assert_eq!(o.status, OrderStatus::InTransit, "{}", r.body);
    assert_eq!(
        serde_json::to_value(&o).unwrap()["logistics"]["deliveryAgentId"],
        agents[0]["id"]
    );

    // pms_screen: own record (none this month) and the leaderboard, both 200.
    let pms = app.get_ok("SALES-002", "/api/pms/SALES-002").await;
    assert!(pms.body["data"]["kras"].is_array());
    app.get_ok("SALES-002", "/api/pms/leaderboard").await;
}

/// order_details_screen asks for the AI credit insight with the customer and the order's
/// total, no `orderId`: the one order of that customer in the credit queue with that total.
#[tokio::test]
async fn the_credit_insight_finds_the_order_by_customer_and_total() {
    let app = spawn_app().await;
    let r = app
        .post("SALES-001", "/api/orders", app_booking("SALES-001"))
        .await;
    let total = r.body["data"]["total"].clone();
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let ask = json!({"customerId": "CUST-001", "customerName": "ABC Traders", "orderValue": total});
    let r = app
        .post("CREDIT-001", "/api/ai/credit-insight", ask.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["insight"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(r.body["orderId"], id.as_str());
    // Two orders with that total: which one is meant is unknown, so the ids are required.
    app.post("SALES-001", "/api/orders", app_booking("SALES-001"))
        .await;
    let r = app.post("CREDIT-001", "/api/ai/credit-insight", ask).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["message"].is_string());
}

/// A multipart body as Dart's `http.MultipartRequest` writes it (its boundary prefix, the
/// part's `application/octet-stream` type).
fn dart_multipart(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "dart-http-boundary-Ux0n3_dpd-eJPk2wR9oKcmbA+v8fXq1HwLTsAuGBe.ZnhIYSVlQ";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\ncontent-type: application/octet-stream\r\n\
             content-disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The import as the app sends it: Dart's multipart body and user agent, as the admin.
async fn app_import(app: &TestApp, path: &str, file_name: &str, bytes: &[u8]) -> Resp {
    let dart = [("user-agent", "Dart/3.5 (dart:io)")];
    import_with(app, path, file_name, bytes, &dart).await
}

/// A Dart multipart import as the admin, with these extra headers.
async fn import_with(
    app: &TestApp,
    path: &str,
    file_name: &str,
    bytes: &[u8],
    headers: &[(&str, &str)],
) -> Resp {
    let (content_type, body) = dart_multipart(file_name, bytes);
    let mut req = app
        .http
        .post(app.url(path))
        .bearer_auth(app.token("USER-001").await)
        .header("content-type", content_type);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    catalog_support::into_resp(req.body(body).send().await.unwrap()).await
}

/// nexus_provider importCustomers / importProducts and master_actions (Dio) count only a
/// 200 as success, then re-read the list or show the body's `message`. The import still
/// runs as a job on the worker; the request waits for it (`NEXUS_IMPORT_WAIT`).
#[tokio::test]
async fn master_imports_answer_200_once_the_job_is_done() {
    let app = support::spawn_app_with_workers(&[("NEXUS_EXPIRY_SCAN_CRON", "off")]).await;
    let book = catalog_support::xlsx(
        &["Customer ID", "Customer Names", "Credit Limit"],
        &[
            &["100234", "Harbour Foods", "250000"],
            &["100235", "Lakeside Stores", "not a number"],
        ],
    );
    let r = app_import(&app, "/api/customers/bulk-import", "od_master.xlsx", &book)
        .await
        .expect_success(StatusCode::OK);
    assert_eq!(r.body["status"], "succeeded");
    assert_eq!(r.body["result"]["created"], 1, "{}", r.body);
    assert_eq!(r.body["result"]["rejected"], 1, "{}", r.body);
    assert_eq!(r.body["hasReport"], true);
    let message = r.body["message"].as_str().unwrap();
    assert!(
        message.contains("1 created") && message.contains("1 rejected"),
        "{message}"
    );
    // fetchCustomers right after: the new customer is there.
    let list = app.get_ok("USER-001", "/api/customers?limit=500").await;
    let rows = list.body.as_array().expect("customer list");
    assert!(rows.iter().any(|c| c["id"] == "100234"), "{}", list.body);

    // A workbook that is not a master sheet: the job fails, the app shows the message.
    let junk = catalog_support::xlsx(&["Colour", "Mood"], &[&["red", "calm"]]);
    let r = app_import(&app, "/api/products/bulk-import", "materials.xlsx", &junk)
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "IMPORT_FAILED");
    assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));

    // A client that follows the job live is answered at once.
    let path = "/api/customers/bulk-import";
    let live = [("prefer", "respond-async")];
    let r = import_with(&app, path, "od.xlsx", &book, &live).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body["status"], "queued");
}

/// order_details_screen's download button: `downloadReport(type: 'Invoice <id>', format:
/// 'pdf')`, which the provider turns into `type=invoice_<id lower-cased>`. The app sends no
/// token there (the table's "needs the token the app has"); with it, a real PDF.
#[tokio::test]
async fn the_invoice_button_downloads_a_pdf() {
    let app = spawn_app().await;
    let orders: Vec<Order> = stored_where(&app, Filter::All).await;
    let invoiced = orders
        .iter()
        .find(|o| o.invoice.is_some())
        .expect("the demo data holds an invoiced order");
    let open = orders
        .iter()
        .find(|o| o.status == OrderStatus::PendingCreditApproval)
        .expect("an order awaiting credit");

    let path = |id: &str| {
        format!(
            "/api/analytics/export?type=invoice_{}&format=pdf",
            id.to_lowercase()
        )
    };
    let anonymous = app
        .http
        .get(app.url(&path(&invoiced.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let fetch = |id: String| {
        let app = &app;
        async move {
            let res = app
                .http
                .get(app.url(&path(&id)))
                .bearer_auth(app.token("USER-001").await)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{id}");
            assert_eq!(res.headers()["content-type"], "application/pdf");
            let bytes = res.bytes().await.unwrap();
            let pdf = lopdf::Document::load_mem(&bytes).expect("a PDF a reader opens");
            let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
            pdf.extract_text(&pages).unwrap()
        }
    };
    let text = fetch(invoiced.id.clone()).await;
    let inv = invoiced.invoice.as_ref().unwrap();
    assert!(text.contains("TAX INVOICE"), "{text}");
    assert!(text.contains(&inv.invoice_no), "{text}");
    assert!(text.contains(&invoiced.id), "{text}");
    assert!(
        text.contains(&format!("{:.2}", inv.total.round2().amount())),
        "{text}"
    );
    let first_line = invoiced.items[0].product_name.clone().unwrap();
    assert!(
        text.contains(&first_line[..first_line.len().min(12)]),
        "{text}"
    );

    let text = fetch(open.id.clone()).await;
    assert!(text.contains("PROFORMA INVOICE"), "{text}");
    assert!(text.contains("Not a tax invoice"), "{text}");

    // The same document at its own address; an order outside the caller's scope is not found.
    app.get_ok("USER-001", &format!("/api/orders/{}/invoice", invoiced.id))
        .await;
    let other = orders
        .iter()
        .find(|o| o.salesperson_id.as_deref() != Some("SALES-001"))
        .unwrap();
    let r = app
        .get("SALES-001", &format!("/api/orders/{}/invoice", other.id))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // A table export as pdf is the orders report, not an invoice.
    let report = app
        .http
        .get(app.url("/api/analytics/export?type=orders&format=pdf"))
        .bearer_auth(app.token("USER-001").await)
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    let bytes = report.bytes().await.unwrap();
    let doc = lopdf::Document::load_mem(&bytes).expect("a PDF");
    assert!(doc.extract_text(&[1]).unwrap().contains("Sales report"));
}

/// quality_control_screen: the pass (status PATCH), then `uploadPhoto(folder: 'qc-photos')`
/// and `patchOrderField(id, {'qcPhoto': url})` with the URL the upload returned.
#[tokio::test]
async fn the_qc_screen_attaches_its_photo_as_evidence() {
    let app = spawn_app().await;
    let id = booked_and_allocated(&app).await;
    ok_status(&app, "WH-001", &id, "Pending Quality Control").await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
    let upload = app
        .post(
            "QC-001",
            "/api/upload-photo",
            json!({
                "base64Image": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, png),
                "fileName": "IMG_20260302_101500.png",
                "folder": "qc-photos",
            }),
        )
        .await;
    assert_eq!(upload.status, StatusCode::OK, "{}", upload.body);
    let url = upload.body["url"].as_str().unwrap().to_string();

    // Before the QC step there is no record to attach it to.
    patch_order(&app, "QC-001", &id, json!({ "qcPhoto": url }))
        .await
        .expect_refusal(StatusCode::CONFLICT, "QC_NOT_RECORDED");

    ok_status(&app, "QC-001", &id, "Pending Logistics Cost").await;
    let patch = |user: &'static str, photo: Value| {
        patch_order(&app, user, &id, json!({ "qcPhoto": photo }))
    };
    // Not QC: refused; a URL elsewhere, or a photo never uploaded: refused.
    let r = patch("SALES-001", json!(url)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let foreign = patch("QC-001", json!("https://evil.example/photos/x.jpg"))
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_PHOTO");
    assert!(foreign.body["message"].is_string());
    let r = patch("QC-001", json!(url)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let stored = order(&app, &id).await;
    let key = stored.qc_photo.expect("the QC photo is on the order");
    assert!(key.starts_with("photos/") && !key.contains('?'), "{key}");
    assert_eq!(stored.status, OrderStatus::PendingLogisticsCost);
    // order_details_screen shows it: the order carries it.
    assert_eq!(r.body["data"]["qcPhoto"], key.as_str());
}

/// The calls the app makes without its token (the table's ❌): each answers 401, and with
/// the token the app holds, the exact request works and gives the fields the app reads.
#[tokio::test]
async fn token_less_calls_work_once_the_app_sends_its_token() {
    let app = spawn_app().await;
    let anonymous = [
        (
            Method::GET,
            "/api/audit/logs?limit=100&userId=SALES-001",
            None,
        ),
        (Method::GET, "/api/procurement", None),
        (
            Method::POST,
            "/api/procurement",
            Some(
                json!({"supplierName": "Oceanic Seafoods", "skuName": "Prawns 1kg", "skuCode": "SKU-PRAWN"}),
            ),
        ),
        (Method::GET, "/api/analytics/category-split", None),
        (Method::GET, "/api/analytics/fleet", None),
        (Method::GET, "/api/customers/import-template", None),
        (Method::GET, "/api/products/import-template", None),
        (Method::GET, "/api/users", None),
        (
            Method::PATCH,
            "/api/users/SALES-002/org-add",
            Some(json!({"slotKey": "ASM_WEST_HORECA"})),
        ),
    ];
    for (method, path, body) in &anonymous {
        let r = app.call(method.clone(), path, None, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert!(r.body["message"].is_string(), "{method} {path}");
    }

    // audit_logs_screen: `{success, data: {logs: [...]}}`.
    let r = app
        .get_ok("USER-001", "/api/audit/logs?limit=100&userId=SALES-001")
        .await;
    assert_eq!(r.body["success"], true);
    assert!(r.body["data"]["logs"].is_array());

    // procurement_screen: register an entry (201), then the list it re-reads.
    let r = app
        .post(
            "PROC-001",
            "/api/procurement",
            json!({"supplierName": "Oceanic Seafoods", "skuName": "Prawns 1kg", "skuCode": "SKU-PRAWN"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let list = app.get_ok("PROC-001", "/api/procurement").await;
    assert!(
        list.body
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["supplierName"] == "Oceanic Seafoods"),
        "{}",
        list.body
    );

    // executive dashboards: JSON objects.
    for path in ["/api/analytics/category-split", "/api/analytics/fleet"] {
        let r = app.get("USER-001", path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert!(r.body.is_object() || r.body.is_array(), "{path}");
    }

    // master screens' template buttons: workbooks.
    for path in [
        "/api/customers/import-template",
        "/api/products/import-template",
    ] {
        let (status, _, bytes) = catalog_support::get_bytes(&app, "USER-001", path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(bytes.starts_with(b"PK\x03\x04"), "{path}");
    }

    // step_assignment_screen's user list; sales_org_map_screen's slot moves.
    let users = app.get_ok("USER-001", "/api/users").await;
    assert!(
        users
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"] == "SALES-002")
    );
    for (verb, expect) in [("org-add", true), ("org-remove", false)] {
        let slot = json!({"slotKey": "ASM_WEST_HORECA"});
        let path = format!("/api/users/SALES-002/{verb}");
        let r = app.patch("USER-001", &path, slot).await;
        assert_eq!(r.status, StatusCode::OK, "{verb}: {}", r.body);
        let user = app.get("USER-001", "/api/users/SALES-002").await;
        let slots = user.body["orgPositions"].to_string();
        assert_eq!(slots.contains("asm_west_horeca"), expect, "{verb}: {slots}");
    }
}
