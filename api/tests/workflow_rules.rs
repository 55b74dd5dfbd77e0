//! The distributor's workflow rules through HTTP: the credit check at booking and its
//! override (with the setting that approves by rule, and two bookings racing for one
//! headroom), part acceptance and the backorder re-attempt, the picker's own batch choice,
//! order documents as fresh signed links, a new PMS month from the user's KRA template and
//! the analytics exports as PDF reports.

mod catalog_support;
mod support;

use futures::future::join_all;
use nexus_core::model::{Customer, Order, PerformanceRecord, Product, StockLedgerEntry};
use nexus_core::store::Filter;
use nexus_core::types::Money;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use support::ws_client::{open_as, subscribe, until_finished};
use support::{
    TestApp, audits, insert, picks_of, quick_jobs, spawn_app, spawn_app_with,
    spawn_app_with_workers, stored, stored_where,
};

async fn book(app: &TestApp, user: &str, customer: &str, items: Value) -> Value {
    let r = app
        .post(
            user,
            "/api/orders",
            json!({"customerId": customer, "items": items}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "book: {}", r.body);
    r.body["data"].clone()
}

/// A step that must succeed: the order it answers with.
async fn ok_step(app: &TestApp, user: &str, id: &str, name: &str, body: Value) -> Value {
    app.ok_step(user, id, name, body).await["data"].clone()
}

fn money(v: &Value) -> Decimal {
    serde_json::from_value::<Money>(v.clone()).unwrap().amount()
}

/// A customer of SALES-001 with exactly these figures and no history.
async fn customer(app: &TestApp, id: &str, limit: Option<i64>, outstanding: i64, overdue: i64) {
    let mut c = Customer::new(id, format!("Test customer {id}"));
    c.set_balances(Money::from_rupees(outstanding), Money::from_rupees(overdue));
    if let Some(l) = limit {
        c.set_limit(Money::from_rupees(l));
    }
    c.assigned_salesperson_id = Some("SALES-001".into());
    c.region = Some("Maharashtra".into());
    insert(app, &c).await;
}

/// Ten packets of prawns: ₹3,200 + 5 % GST = ₹3,360.
fn prawns(qty: u32) -> Value {
    json!([{"productId": "PROD-002", "quantity": qty}])
}

#[tokio::test]
async fn an_order_over_the_limit_is_checked_at_booking_and_approved_only_with_an_override() {
    let app = spawn_app().await;
    customer(&app, "CUST-T1", Some(50_000), 15_000, 5_000).await;
    // 110 packets = ₹36,960, so 15,000 + 36,960 > 50,000.
    let o = book(&app, "SALES-001", "CUST-T1", prawns(110)).await;
    let check = &o["creditCheck"];
    assert_eq!(check["passed"], false, "{check}");
    assert_eq!(check["overrideRequired"], true);
    assert_eq!(check["flags"], json!(["over_limit", "overdue"]));
    assert_eq!(money(&check["exposure"]), Decimal::from(51_960));
    assert_eq!(money(&check["overBy"]), Decimal::from(1_960));
    assert_eq!(
        check["summary"], "Over the limit by ₹1,960; Overdue ₹5,000",
        "{check}"
    );
    let id = o["id"].as_str().unwrap().to_string();

    // The credit queue shows it under "override".
    let q = app
        .get_ok("CREDIT-001", "/api/orders?creditCheck=override")
        .await;
    assert!(
        q.body
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str())
    );
    let passed = app
        .get_ok("CREDIT-001", "/api/orders?creditCheck=passed")
        .await;
    assert!(
        !passed
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str())
    );

    // A plain approval is refused with the figures; an override needs the permission …
    let approve = json!({"decision": "approve"});
    app.step("CREDIT-001", &id, "credit-decision", approve.clone())
        .await
        .expect_refusal(StatusCode::CONFLICT, "CREDIT_CHECK_FAILED");
    let r = app
        .step("CREDIT-001", &id, "credit-decision", approve)
        .await;
    assert_eq!(
        r.body["error"]["details"]["creditCheck"]["overrideRequired"],
        true
    );
    let over = json!({"decision": "approve", "override": true, "reason": "Cheque for ₹40,000 received today"});
    app.step("CREDIT-001", &id, "credit-decision", over.clone())
        .await
        .expect_status(StatusCode::FORBIDDEN);
    // … granted per user by an administrator, and a reason.
    app.patch(
        "USER-001",
        "/api/users/CREDIT-001/permissions",
        json!({"permissions": ["view_orders", "approve_credit", "credit_override"]}),
    )
    .await
    .expect_status(StatusCode::OK);
    app.forget_tokens().await;
    app.step(
        "CREDIT-001",
        &id,
        "credit-decision",
        json!({"decision": "approve", "override": true}),
    )
    .await
    .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "REASON_REQUIRED");
    let d = ok_step(&app, "CREDIT-001", &id, "credit-decision", over).await;
    assert_eq!(d["status"], "Pending WH Selection");
    assert_eq!(d["creditDecision"]["overridden"], true, "{d}");
    assert_eq!(d["creditDecision"]["decidedBy"], "CREDIT-001");
    let entry = d["statusHistory"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(entry["data"]["override"], true, "{entry}");
    assert_eq!(entry["reason"], "Cheque for ₹40,000 received today");
    let audit = audits(&app, "STATUS_CHANGE", &id).await;
    assert!(
        audit.iter().any(|a| a
            .new_data
            .as_ref()
            .is_some_and(|n| n["data"]["override"] == true)),
        "the override is in the audit log"
    );
}

#[tokio::test]
async fn overdue_or_no_limit_need_a_person_but_no_override_and_cash_only_always_does() {
    let app = spawn_app().await;
    customer(&app, "CUST-OD", Some(100_000), 10_000, 2_000).await;
    customer(&app, "CUST-NL", None, 0, 0).await;
    customer(&app, "CUST-CASH", Some(1), 0, 0).await;
    let od = book(&app, "SALES-001", "CUST-OD", prawns(1)).await;
    assert_eq!(od["creditCheck"]["flags"], json!(["overdue"]));
    assert_eq!(od["creditCheck"]["overrideRequired"], false);
    let nl = book(&app, "SALES-001", "CUST-NL", prawns(1)).await;
    assert_eq!(nl["creditCheck"]["flags"], json!(["no_limit"]));
    let review = app
        .get_ok("CREDIT-001", "/api/orders?creditCheck=review")
        .await;
    let ids: Vec<&str> = review
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert!(ids.contains(&od["id"].as_str().unwrap()) && ids.contains(&nl["id"].as_str().unwrap()));
    for o in [&od, &nl] {
        let id = o["id"].as_str().unwrap();
        let d = ok_step(
            &app,
            "CREDIT-001",
            id,
            "credit-decision",
            json!({"decision": "approve"}),
        )
        .await;
        assert_eq!(d["creditDecision"].get("overridden"), None, "{d}");
    }
    let cash = book(&app, "SALES-001", "CUST-CASH", prawns(1)).await;
    assert_eq!(cash["creditCheck"]["flags"], json!(["cash_only"]));
    app.step(
        "USER-001",
        cash["id"].as_str().unwrap(),
        "credit-decision",
        json!({"decision": "approve"}),
    )
    .await
    .expect_refusal(StatusCode::CONFLICT, "CREDIT_CHECK_FAILED");
}

#[tokio::test]
async fn with_auto_approval_only_one_of_two_racing_orders_fits_the_headroom() {
    let app = spawn_app_with(&[("NEXUS_CREDIT_AUTO_APPROVE", "true")]).await;
    // Headroom ₹50,000; each order ₹33,600: either fits alone, both do not.
    customer(&app, "CUST-RACE", Some(60_000), 10_000, 0).await;
    let answers = join_all((0..6).map(|_| {
        app.post(
            "SALES-001",
            "/api/orders",
            json!({"customerId": "CUST-RACE", "items": prawns(100)}),
        )
    }))
    .await;
    for a in &answers {
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    }
    let passed: Vec<&Value> = answers
        .iter()
        .map(|a| &a.body["data"])
        .filter(|o| o["creditCheck"]["passed"] == true)
        .collect();
    assert_eq!(passed.len(), 1, "exactly one order fits the headroom");
    let approved = passed[0];
    assert_eq!(approved["status"], "Pending WH Selection");
    assert_eq!(approved["creditDecision"]["byRule"], true);
    assert_eq!(approved["creditDecision"]["decidedBy"], "rule");
    // The others saw the first among the open orders.
    let orders: Vec<Order> = stored_where(&app, Filter::eq("customerId", "CUST-RACE")).await;
    assert_eq!(orders.len(), 6);
    for o in orders
        .iter()
        .filter(|o| o.id != approved["id"].as_str().unwrap())
    {
        let c = o.credit_check.as_ref().unwrap();
        assert!(
            c.override_required && c.open_orders.amount() >= Decimal::from(33_600),
            "{c:?}"
        );
        assert_eq!(o.status.as_str(), "Pending Credit Approval");
    }
    let c: Customer = stored(&app, "CUST-RACE").await;
    assert_eq!(
        c.extra["creditRev"], 6,
        "every booking moved the customer's guard"
    );
}

/// Books prawns for CUST-002, approved and allocated from Kurla; the order's id and the
/// allocation step's answer.
async fn allocated(app: &TestApp, qty: u32) -> (String, Value) {
    let o = book(app, "SALES-002", "CUST-002", prawns(qty)).await;
    let id = o["id"].as_str().unwrap().to_string();
    let approve = json!({"decision": "approve"});
    ok_step(app, "CREDIT-001", &id, "credit-decision", approve).await;
    let kurla = json!({"warehouseId": "WH-KURLA"});
    let a = ok_step(app, "WHM-001", &id, "assign-warehouse", kurla).await;
    (id, a)
}

/// From packed to the road: QC, the cost and invoice steps the order still needs, then
/// dispatch to DRV-001; the delivery OTP.
async fn on_the_road(app: &TestApp, id: &str, invoice_no: &str) -> String {
    let checks = json!({"tempVerified": true, "actualTemp": -19, "packagingIntact": true,
        "weightVerified": true, "labelClarity": true, "invoiceDcAttached": true,
        "passed": true, "remarks": "ok"});
    let mut o = ok_step(app, "QC-001", id, "qc", checks).await;
    if o["status"] == "Pending Logistics Cost" {
        let cost = json!({"whToCustAmount": 10});
        o = ok_step(app, "LOG-001", id, "logistics-cost", cost).await;
    }
    if o["status"] == "Ready for Billing" {
        let invoice = json!({"invoiceNo": invoice_no});
        ok_step(app, "BILL-001", id, "invoice", invoice).await;
    }
    let loading = json!({"deliveryAgentId": "DRV-001", "vehicleNo": "MH-04-AB-1234",
        "ewayBill": "331000009876", "sealNo": "SEAL-42"});
    let d = app.ok_step("HUB-001", id, "dispatch", loading).await;
    d["deliveryOtp"].as_str().unwrap().to_string()
}

async fn batch_qty(app: &TestApp, product: &str, number: &str) -> Decimal {
    let p: Product = stored(app, product).await;
    p.batches
        .iter()
        .filter(|b| b.batch_number == number)
        .map(|b| b.quantity.value())
        .sum()
}

#[tokio::test]
async fn a_part_accepted_order_re_attempts_the_rest_and_delivers_it_on_a_second_trip() {
    let app = spawn_app().await;
    let (id, a) = allocated(&app, 10).await;
    ok_step(&app, "WH-001", &id, "pack", picks_of(&a)).await;
    let otp = on_the_road(&app, &id, "INV-BO-1").await;

    // Everything accepted is not a part acceptance.
    app.step(
        "DRV-001",
        &id,
        "part-accept",
        json!({"otp": otp, "deliveredQuantities": [10]}),
    )
    .await
    .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "NOTHING_RETURNED");
    let before = batch_qty(&app, "PROD-002", "BATCH-003").await;
    let p = ok_step(
        &app,
        "DRV-001",
        &id,
        "part-accept",
        json!({"otp": otp, "deliveredQuantities": [7]}),
    )
    .await;
    assert_eq!(p["status"], "Part Accepted");
    assert_eq!(
        batch_qty(&app, "PROD-002", "BATCH-003").await,
        before + Decimal::from(3)
    );
    let seen = app.get_ok("WH-001", &format!("/api/orders/{id}")).await;
    let offered = seen.body["availableSteps"].as_array().unwrap();
    assert!(
        offered.iter().any(|s| s["step"] == "reopen_backorder"
            && s["path"] == format!("/api/orders/{id}/reopen-backorder").as_str()),
        "the warehouse is offered the re-attempt: {offered:?}"
    );

    // The re-attempt reserves only the undelivered 3.
    app.step("SALES-002", &id, "reopen-backorder", json!({}))
        .await
        .expect_status(StatusCode::FORBIDDEN);
    let r = ok_step(
        &app,
        "WH-001",
        &id,
        "reopen-backorder",
        json!({"reason": "Rest on Friday"}),
    )
    .await;
    assert_eq!(r["status"], "Backorder");
    let held: Decimal = r["items"][0]["allocatedBatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| money(&a["qty"]))
        .sum();
    assert_eq!(held, Decimal::from(3));
    assert_eq!(batch_qty(&app, "PROD-002", "BATCH-003").await, before);
    app.step("WH-001", &id, "reopen-backorder", json!({}))
        .await
        .expect_status(StatusCode::CONFLICT);

    // Second trip: packed, checked, dispatched, delivered; 7 + 3 delivered in all.
    let again = app.get_ok("WH-001", &format!("/api/orders/{id}")).await;
    ok_step(&app, "WH-001", &id, "pack", picks_of(&again.body)).await;
    let otp = on_the_road(&app, &id, "INV-BO-2").await;
    let done = ok_step(&app, "DRV-001", &id, "deliver", json!({"otp": otp})).await;
    assert_eq!(done["status"], "Delivered");
    assert_eq!(done["items"][0]["deliveredQuantity"], 10);
}

#[tokio::test]
async fn the_picker_may_take_another_batch_giving_a_reason_when_fefo_is_skipped() {
    let app = spawn_app().await;
    let (id, a) = allocated(&app, 5).await;
    assert_eq!(
        a["items"][0]["allocatedBatches"][0]["batchNumber"], "BATCH-003",
        "FEFO"
    );
    let (b3, b4) = (
        batch_qty(&app, "PROD-002", "BATCH-003").await,
        batch_qty(&app, "PROD-002", "BATCH-004").await,
    );
    let later = json!({"lines": [{"batches": [{"batchNumber": "BATCH-004", "qty": 5}]}]});
    let r = app.step("WH-001", &id, "pack", later).await;
    let r = r.expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "REASON_REQUIRED");
    assert_eq!(r.body["error"]["details"]["skipped"], "BATCH-003");
    // Too much of a batch, or an unknown one, is refused before anything moves.
    let too_much =
        json!({"lines": [{"batches": [{"batchNumber": "BATCH-004", "qty": 6}]}], "reason": "x"});
    app.step("WH-001", &id, "pack", too_much)
        .await
        .expect_status(StatusCode::UNPROCESSABLE_ENTITY);
    let unknown =
        json!({"lines": [{"batches": [{"batchNumber": "BATCH-404", "qty": 5}]}], "reason": "x"});
    app.step("WH-001", &id, "pack", unknown)
        .await
        .expect_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(batch_qty(&app, "PROD-002", "BATCH-003").await, b3);

    let with_reason = json!({"lines": [{"batches": [{"batchNumber": "BATCH-004", "qty": 5}]}],
        "reason": "BATCH-003 cartons are at the back of the cold room"});
    let p = ok_step(&app, "WH-001", &id, "pack", with_reason).await;
    assert_eq!(p["status"], "Pending Quality Control");
    assert_eq!(
        p["items"][0]["allocatedBatches"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        p["items"][0]["allocatedBatches"][0]["batchNumber"],
        "BATCH-004"
    );
    assert_eq!(
        batch_qty(&app, "PROD-002", "BATCH-003").await,
        b3 + Decimal::from(5)
    );
    assert_eq!(
        batch_qty(&app, "PROD-002", "BATCH-004").await,
        b4 - Decimal::from(5)
    );
    let rows: Vec<StockLedgerEntry> = stored_where(&app, Filter::eq("orderId", id.as_str())).await;
    let moved = |reason: &str, batch: &str| {
        rows.iter()
            .filter(|r| {
                r.reason.as_deref() == Some(reason) && r.batch_number.as_deref() == Some(batch)
            })
            .count()
    };
    assert_eq!(moved("ORDER_RELEASE", "BATCH-003"), 1, "{rows:?}");
    assert_eq!(moved("ORDER_ALLOCATION", "BATCH-004"), 1);
}

#[tokio::test]
async fn an_orders_documents_are_signed_afresh_for_each_reader_who_may_see_it() {
    let app = spawn_app().await;
    let up = app
        .post(
            "SALES-001",
            "/api/upload-photo",
            json!({"base64Image": format!("data:image/png;base64,{}",
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, catalog_support::png())),
                "fileName": "po.png"}),
        )
        .await
        .expect_status(StatusCode::OK);
    let key = up.body["key"].as_str().unwrap().to_string();
    let r = app
        .post(
            "SALES-001",
            "/api/orders",
            json!({"customerId": "CUST-001", "items": prawns(1), "salesPhotos": [key]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let o = app.get_ok("CREDIT-001", &format!("/api/orders/{id}")).await;
    let docs = o.body["documents"].as_array().unwrap().clone();
    assert_eq!(docs.len(), 1, "{docs:?}");
    assert_eq!(docs[0]["kind"], "po_copy");
    assert_eq!(docs[0]["key"], key.as_str());
    let url = docs[0]["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("/api/files/{key}?exp=")), "{url}");
    let file = app.http.get(app.url(url)).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.unwrap().to_vec(), catalog_support::png());
    // Without the signature the file is not served.
    let bare = app
        .http
        .get(app.url(&format!("/api/files/{key}")))
        .send()
        .await
        .unwrap();
    assert!(bare.status().is_client_error());
    // A reader outside the order's scope gets no order and no link.
    app.get("SALES-002", &format!("/api/orders/{id}"))
        .await
        .expect_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_new_pms_month_starts_from_the_users_kra_template_and_is_created_when_written() {
    let app = spawn_app().await;
    let feb: Vec<PerformanceRecord> = stored_where(&app, Filter::eq("userId", "SALES-001")).await;
    assert_eq!(feb.len(), 1, "the demo data holds one month");
    let kras = feb[0].kras.len();
    let r = app
        .get_ok("SALES-001", "/api/pms/SALES-001?month=2026-03")
        .await;
    let view = &r.body["data"];
    assert_eq!(view["recorded"], false, "{view}");
    assert_eq!(view["month"], "Mar'26");
    assert_eq!(view["kras"].as_array().unwrap().len(), kras);
    assert!(
        view["kras"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["achieved"] == 0)
    );
    let stored_now: Vec<PerformanceRecord> =
        stored_where(&app, Filter::eq("userId", "SALES-001")).await;
    assert_eq!(stored_now.len(), 1, "reading never creates");

    let kra_id = feb[0].kras[0].id;
    let w = app
        .post(
            "USER-001",
            "/api/pms/kra/update",
            json!({"userId": "SALES-001", "month": "2026-03", "kraId": kra_id, "achievedValue": 100}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(w.body["data"]["month"], "Mar'26");
    let after: Vec<PerformanceRecord> = stored_where(&app, Filter::eq("userId", "SALES-001")).await;
    assert_eq!(after.len(), 2, "writing the month created it");
    let r = app
        .get_ok("SALES-001", "/api/pms/SALES-001?month=2026-03")
        .await;
    assert_eq!(r.body["data"].get("recorded"), None);
    assert_eq!(r.body["data"]["kras"][0]["achieved"], 100);
    assert_eq!(audits(&app, "CREATE", "SALES-001:Mar'26").await.len(), 1);
    // A user with no record at all still reads an empty month, and cannot be written to.
    let empty = app
        .get_ok("USER-001", "/api/pms/SALES-002?month=2026-03")
        .await;
    assert_eq!(empty.body["data"]["kras"], json!([]));
    app.post(
        "USER-001",
        "/api/pms/kra/update",
        json!({"userId": "SALES-002", "month": "2026-03", "kraId": 1, "achievedValue": 1}),
    )
    .await
    .expect_refusal(StatusCode::NOT_FOUND, "PMS_RECORD_NOT_FOUND");
}

async fn pdf(app: &TestApp, user: &str, query: &str) -> lopdf::Document {
    let res = app
        .http
        .get(app.url(&format!("/api/analytics/export?{query}")))
        .bearer_auth(app.token(user).await)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let name = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(name.ends_with(".pdf\""), "{name}");
    let bytes = res.bytes().await.unwrap();
    lopdf::Document::load_mem(&bytes).expect("a PDF a reader opens")
}

fn all_text(doc: &lopdf::Document) -> String {
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap()
}

#[tokio::test]
async fn every_analytics_export_type_comes_as_a_pdf_report_read_back_here() {
    let app = spawn_app().await;
    for _ in 0..3 {
        book(&app, "SALES-001", "CUST-001", prawns(2)).await;
    }
    let doc = pdf(
        &app,
        "USER-001",
        "type=sales_report&format=pdf&status=Pending%20Credit%20Approval",
    )
    .await;
    let text = all_text(&doc);
    assert!(text.contains("Sales report"), "{text}");
    assert!(
        text.contains("Filters: status Pending Credit Approval"),
        "{text}"
    );
    assert!(
        text.contains("Order ID") && text.contains("Total ("),
        "{text}"
    );
    let n = doc.get_pages().len();
    assert!(text.contains(&format!("Page {n} of {n}")), "{text}");
    // The totals row sums what the rows hold: three new orders of ₹672 at least.
    assert!(text.contains("672"), "{text}");

    let doc = pdf(&app, "WHM-001", "type=inventory&format=pdf").await;
    let text = all_text(&doc);
    assert!(
        text.contains("Inventory") && text.contains("Stock Value"),
        "{text}"
    );
    assert!(text.contains("PROD-002"), "{text}");
    for kind in ["orders", "sales"] {
        let doc = pdf(&app, "USER-001", &format!("type={kind}&format=pdf")).await;
        assert!(all_text(&doc).contains("Sales report"));
    }
}

#[tokio::test]
async fn a_bulk_import_checks_each_order_against_the_ones_before_it_in_the_file() {
    use nexus_tests::workbook::{Line, bulk_orders};
    let app = spawn_app_with_workers(&quick_jobs(&[("NEXUS_EXPIRY_SCAN_CRON", "off")])).await;
    // Headroom ₹50,000; each imported order ₹33,600 (100 packets of SKU-002).
    customer(&app, "CUST-BULK", Some(60_000), 10_000, 0).await;
    let (mut ws, _) = open_as(&app, "SALES-001").await;
    subscribe(&mut ws, &["jobs"]).await;
    let file = bulk_orders(&[
        Line::new("CUST-BULK", "SKU-002", "100").order_ref("A"),
        Line::new("CUST-BULK", "SKU-002", "100").order_ref("B"),
    ]);
    let r = app
        .post(
            "SALES-001",
            "/api/orders/bulk",
            json!({
                "excelData": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &file),
                "fileName": "credit.xlsx",
            }),
        )
        .await
        .expect_status(StatusCode::ACCEPTED);
    let events = until_finished(&mut ws, &r.job_id()).await;
    assert_eq!(events.last().unwrap()["data"]["status"], "succeeded");
    let mut orders: Vec<Order> = stored_where(&app, Filter::eq("customerId", "CUST-BULK")).await;
    orders.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(orders.len(), 2);
    let checks: Vec<_> = orders
        .iter()
        .map(|o| o.credit_check.clone().unwrap())
        .collect();
    assert!(checks[0].passed, "{:?}", checks[0]);
    assert!(checks[1].override_required, "{:?}", checks[1]);
    assert_eq!(checks[1].open_orders, checks[0].order_total);
    // An import never approves by rule: both wait for credit control.
    assert!(
        orders
            .iter()
            .all(|o| o.status.as_str() == "Pending Credit Approval")
    );
}
