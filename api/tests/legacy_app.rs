//! The old mobile app (Flutter, docs/LEGACY_CLIENT.md) against the new API, with its exact
//! request bodies, in the order its screens send them: login, the order list it parses, a
//! booking with its own totals, and the whole workflow through `PATCH /api/orders/{id}
//! {status}` — each translated into the lifecycle step it means, with that step's
//! permissions, evidence and stock effects. What the app reads is checked with the types it
//! parses (`boxCount` and `quantity` as `int`), and every error carries the top-level
//! `message` it shows.

mod support;

use nexus_core::model::{Customer, Order, OrderStatus};
use nexus_core::store::{Filter, TypedStore};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Resp, TestApp, spawn_app};

async fn order(app: &TestApp, id: &str) -> Order {
    app.store.get(Filter::id(id)).await.unwrap().unwrap()
}

/// `updateOrderStatus` (nexus_provider.dart): exactly `{"status": …}`.
async fn set_status(app: &TestApp, user: &str, id: &str, status: &str) -> Resp {
    app.patch(
        user,
        &format!("/api/orders/{id}"),
        json!({ "status": status }),
    )
    .await
}

async fn ok_status(app: &TestApp, user: &str, id: &str, status: &str, expect: OrderStatus) {
    let r = set_status(app, user, id, status).await;
    assert_eq!(r.status, StatusCode::OK, "{user} → {status}: {}", r.body);
    assert_eq!(order(app, id).await.status, expect, "{user} → {status}");
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
    let r = app
        .post("SALES-001", "/api/orders", app_booking("SALES-001"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    ok_status(
        app,
        "CREDIT-001",
        &id,
        "Pending WH Selection",
        OrderStatus::PendingWhSelection,
    )
    .await;
    let r = app
        .post(
            "WHM-001",
            "/api/warehouse/assign-to-order",
            json!({"orderId": id, "warehouseId": "WH-KURLA"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id
}

#[tokio::test]
async fn the_app_reads_its_lists_and_logs_in_with_its_own_body() {
    let app = spawn_app().await;
    // auth_provider.dart: `{email, password}`, reads `token` and `user`.
    let r = app
        .call(
            Method::POST,
            "/api/login",
            None,
            Some(json!({"email": "rajesh@nexusoms.com", "password": "sales123"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["token"].is_string());
    assert_eq!(r.body["user"]["id"], "SALES-001");
    assert_eq!(r.body["user"]["role"], "Sales");

    // A failed login: the app shows the top-level `message`.
    let bad = app
        .call(
            Method::POST,
            "/api/login",
            None,
            Some(json!({"email": "rajesh@nexusoms.com", "password": "nope"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
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

    // GET /orders: a raw array every element of which the app can parse.
    let list = app.get("USER-001", "/api/orders").await;
    assert_eq!(list.status, StatusCode::OK);
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
    let jump = set_status(&app, "SALES-001", &id, "Delivered").await;
    assert_eq!(jump.status, StatusCode::CONFLICT, "{}", jump.body);
    assert_eq!(jump.body["error"]["code"], "STATUS_JUMP_NOT_ALLOWED");
    assert!(jump.body["message"].is_string());
    let allowed: Vec<&str> = jump.body["error"]["details"]["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert!(allowed.contains(&"cancel"), "{allowed:?}");
    assert!(
        !allowed.contains(&"credit_approve"),
        "the booker never approves her own order: {allowed:?}"
    );
    // …and the booker cannot approve by status either.
    let own = set_status(&app, "SALES-001", &id, "Pending WH Selection").await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);

    // credit_control_screen: 'Credit Approved' → the app sends 'Pending WH Selection'.
    ok_status(
        &app,
        "CREDIT-001",
        &id,
        "Pending WH Selection",
        OrderStatus::PendingWhSelection,
    )
    .await;
    let o = order(&app, &id).await;
    assert!(
        o.status_history
            .iter()
            .any(|h| h.step.as_deref() == Some("credit_approve")),
        "recorded as the credit step"
    );

    // warehouse_selection_screen: its own route, unchanged.
    let r = app
        .post(
            "WHM-001",
            "/api/warehouse/assign-to-order",
            json!({"orderId": id, "warehouseId": "WH-KURLA"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(order(&app, &id).await.stock_reserved);

    // warehouse_ops / batch_picking: 'Pending Quality Control' packs as allocated.
    ok_status(
        &app,
        "WH-001",
        &id,
        "Pending Quality Control",
        OrderStatus::PendingQualityControl,
    )
    .await;
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

    // quality_control_screen (all five points ticked to enable the button).
    ok_status(
        &app,
        "QC-001",
        &id,
        "Pending Logistics Cost",
        OrderStatus::PendingLogisticsCost,
    )
    .await;
    // logistics_ops_screen.
    ok_status(
        &app,
        "LOGT-001",
        &id,
        "Ready for Billing",
        OrderStatus::ReadyForBilling,
    )
    .await;
    // invoicing_screen: 'Invoiced' → 'Ready for Dispatch'; the server issues the number.
    ok_status(
        &app,
        "BILL-001",
        &id,
        "Ready for Dispatch",
        OrderStatus::ReadyForDispatch,
    )
    .await;
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
    let d = app
        .post(
            "HUB-001",
            &format!("/api/orders/{id}/dispatch"),
            json!({"deliveryAgentId": "DRV-001", "vehicleNo": "MH-04-AB-1234",
                   "ewayBill": "331000009876", "sealNo": "SEAL-42"}),
        )
        .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);

    // delivery_execution_screen sends 'Delivered' without the OTP issued at dispatch: the
    // protection stays, and the app is told why.
    let del = set_status(&app, "DRV-001", &id, "Delivered").await;
    assert_eq!(del.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", del.body);
    assert_eq!(del.body["error"]["code"], "OTP_REQUIRED");
    assert!(del.body["message"].is_string());
    assert_eq!(order(&app, &id).await.status, OrderStatus::InTransit);
}

#[tokio::test]
async fn holds_rejections_bypass_and_refused_fields() {
    let app = spawn_app().await;
    let book = |who: &'static str| {
        let app = &app;
        async move {
            let r = app.post(who, "/api/orders", app_booking(who)).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.body["data"]["id"].as_str().unwrap().to_string()
        }
    };

    // credit_control: 'Hold' with no reason field → On Hold, the reason says so.
    let a = book("SALES-001").await;
    ok_status(&app, "CREDIT-001", &a, "Hold", OrderStatus::OnHold).await;
    let held = order(&app, &a).await;
    let last = held.status_history.last().unwrap();
    assert_eq!(last.step.as_deref(), Some("credit_hold"));
    assert!(last.reason.as_deref().unwrap().contains("old mobile app"));

    // live_missions: 'Rejected'.
    let b = book("SALES-001").await;
    ok_status(&app, "CREDIT-001", &b, "Rejected", OrderStatus::Rejected).await;

    // credit_control: 'Cancelled' by the booker's side is the cancel step.
    let c = book("SALES-001").await;
    ok_status(&app, "SALES-001", &c, "Cancelled", OrderStatus::Cancelled).await;

    // order_details admin panel: `{status, isAdminBypass: true}` — Admin only.
    let d = book("SALES-001").await;
    let r = app
        .patch(
            "SALES-001",
            &format!("/api/orders/{d}"),
            json!({"status": "Ready for Billing", "isAdminBypass": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body["message"].is_string());
    let r = app
        .patch(
            "USER-001",
            &format!("/api/orders/{d}"),
            json!({"status": "Pending WH Selection", "isAdminBypass": true}),
        )
        .await;
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
    let r = app
        .patch(
            "USER-001",
            &format!("/api/orders/{a}"),
            json!({"status": "Delivered", "total": 1.0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "FIELD_NOT_EDITABLE");
    // A truly unknown field is still a clear 422.
    let mut odd = app_booking("SALES-001");
    odd["discountOverride"] = json!(50);
    let r = app.post("SALES-001", "/api/orders", odd).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "VALIDATION_FAILED");
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
    let bad = app
        .patch(
            "WH-001",
            &format!("/api/orders/{id}/items"),
            line(json!([{"batchNumber": "NA", "qty": 10.0, "expiry": "2027-12-06T00:00:00.000"}])),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.body["error"]["code"], "PICK_NOT_ALLOCATED");

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

    ok_status(
        &app,
        "WH-001",
        &id,
        "Pending Quality Control",
        OrderStatus::PendingQualityControl,
    )
    .await;
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
    let again = app
        .post(
            "USER-001",
            "/api/customers",
            json!({"name": "Other", "id": "C-10042"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body["message"].is_string());
    // A salesperson may not choose ids or statuses.
    let r = app
        .post(
            "SALES-001",
            "/api/customers",
            json!({"name": "Mine", "id": "C-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = app
        .post(
            "USER-001",
            "/api/customers",
            json!({"name": "Blocked Co", "status": "Blocked"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // customer_master_screen updateCustomer: the limit rides along with the other fields.
    let update = |limit: f64| {
        json!({"name": "Harbour Foods Pvt Ltd", "distributionChannel": "GT", "limit": limit,
               "customerEmail": "ap@harbour.example", "salesManager": "RSM-001",
               "postalCode": "400001", "address": "Dock Road, Mumbai"})
    };
    let r = app
        .patch("USER-001", "/api/customers/C-10042", update(250000.0))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data"]["limit"], 250000);
    assert_eq!(r.body["data"]["email"], "ap@harbour.example");
    // A changed limit is a credit decision: refused here, with the route that makes it.
    let r = app
        .patch("USER-001", "/api/customers/C-10042", update(300000.0))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("/credit"));
    // A salesperson's form with the unchanged limit is an ordinary edit.
    let current: Customer = app
        .store
        .get(Filter::id("CUST-001"))
        .await
        .unwrap()
        .unwrap();
    let limit: f64 = current
        .effective_limit()
        .unwrap()
        .amount()
        .to_string()
        .parse()
        .unwrap();
    let r = app
        .patch("SALES-001", "/api/customers/CUST-001", update(limit))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .patch("SALES-001", "/api/customers/CUST-001", update(9_999_999.0))
        .await;
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
    let r = app
        .post(
            "USER-001",
            "/api/products",
            json!({"name": "Octopus", "skuCode": "SKU-901", "stock": 25}),
        )
        .await;
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
    let put = |who: &'static str, body: Value| {
        let (app, pid) = (&app, pid.clone());
        async move {
            app.as_user(
                who,
                Method::PUT,
                &format!("/api/procurement/{pid}"),
                Some(body),
            )
            .await
        }
    };
    for check in ["sipChecked", "labelsChecked", "docsChecked"] {
        let r = put("PROC-001", json!({ check: true })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Not ready without an attachment: the submit's own rule.
    let r = put("PROC-001", json!({"status": "Awaiting Head Approval"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "PROCUREMENT_NOT_READY");
    let r = put(
        "PROC-001",
        json!({"attachment": "https://docs.example/coa.pdf"}),
    )
    .await;
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
    let agents = app.get("HUB-001", "/api/users").await;
    assert_eq!(agents.status, StatusCode::OK, "{}", agents.body);
    let agents = agents.body.as_array().unwrap().clone();
    assert!(!agents.is_empty());
    assert!(
        agents.iter().all(|u| u["role"] == "Delivery Team"),
        "the hub sees delivery agents only: {agents:?}"
    );
    let name = agents[0]["name"].as_str().unwrap().to_string();

    // An order ready for dispatch, walked there by the app's own status calls.
    let id = booked_and_allocated(&app).await;
    for (who, status, expect) in [
        (
            "WH-001",
            "Pending Quality Control",
            OrderStatus::PendingQualityControl,
        ),
        (
            "QC-001",
            "Pending Logistics Cost",
            OrderStatus::PendingLogisticsCost,
        ),
        (
            "LOGT-001",
            "Ready for Billing",
            OrderStatus::ReadyForBilling,
        ),
        (
            "BILL-001",
            "Ready for Dispatch",
            OrderStatus::ReadyForDispatch,
        ),
    ] {
        ok_status(&app, who, &id, status, expect).await;
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
    let pms = app.get("SALES-002", "/api/pms/SALES-002").await;
    assert_eq!(pms.status, StatusCode::OK, "{}", pms.body);
    assert!(pms.body["data"]["kras"].is_array());
    let board = app.get("SALES-002", "/api/pms/leaderboard").await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
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
