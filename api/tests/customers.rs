//! Customers and credit (C1–C7): literal search and paging, creation with addresses and
//! KYC keys, whitelisted edits, credit and blocking through their own audited endpoints,
//! the OD master template and queued import, real payments and ageing.

mod catalog_support;
mod support;

use base64::Engine;
use catalog_support::*;
use nexus_core::blob::BlobKey;
use nexus_core::model::{
    AuditAction, Customer, DeliveryDetails, EntityType, InvoiceDetails, JobKind, JobRecord,
    JobStatus, Order, OrderStatus,
};
use nexus_core::store::{Filter, Write};
use nexus_core::types::{Money, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Resp, TestApp, count_where, ids, spawn_app, stored, strs};

async fn customer(app: &TestApp, id: &str) -> Customer {
    stored(app, id).await
}

#[tokio::test]
async fn list_is_a_raw_array_sorted_by_name_with_paging_headers() {
    let app = spawn_app().await;
    let r = app.get_ok("SALES-001", "/api/customers?limit=2").await;
    assert_eq!(ids(&r.body), vec!["CUST-001", "CUST-003"]);
    assert_eq!(r.headers["x-total-count"], "3");
    assert_eq!(r.headers["x-page"], "1");
    assert_eq!(r.headers["x-limit"], "2");
    let r = app.get("CREDIT-001", "/api/customers?limit=2&page=2").await;
    assert_eq!(ids(&r.body), vec!["CUST-002"]);
    assert_eq!(r.body[0]["agingBuckets"]["0 to 7"], 0);
}

#[tokio::test]
async fn search_is_literal_text_and_filters_are_exact() {
    let app = spawn_app().await;
    let list = async |query: &str| {
        app.get("SALES-001", &format!("/api/customers?{query}"))
            .await
    };
    let r = list("search=abc").await;
    assert_eq!(ids(&r.body), vec!["CUST-001"]);
    let r = list("search=mumbai").await;
    assert_eq!(ids(&r.body), vec!["CUST-001"], "location is searched");
    let r = list("search=CUST-00").await;
    assert_eq!(r.body.as_array().unwrap().len(), 3, "id is searched");
    // Pattern syntax is text, not a regular expression (D-S12).
    for pattern in [".*", "(a+)+$", "^ABC", "[A-Z]"] {
        let r = list(&format!("search={}", urlencode(pattern))).await;
        assert_eq!(r.status, StatusCode::OK, "{pattern}");
        assert!(r.body.as_array().unwrap().is_empty(), "{pattern}");
        assert_eq!(r.headers["x-total-count"], "0");
    }
    let r = list("channel=Horeca").await;
    assert_eq!(ids(&r.body), vec!["CUST-003"]);
    let r = list("class=A%2B").await;
    assert_eq!(ids(&r.body), vec!["CUST-002"]);
    let r = list("class=a%2B").await;
    assert!(r.body.as_array().unwrap().is_empty(), "class is exact");
}

/// `PATCH /api/customers/{target}` as `who`: an id, with a sub-path where there is one
/// (`CUST-003/block`).
async fn patch_customer(app: &TestApp, who: &str, target: &str, body: Value) -> Resp {
    app.patch(who, &format!("/api/customers/{target}"), body)
        .await
}

/// `PATCH /api/customers/{id}/block` as `who`.
async fn block(app: &TestApp, who: &str, id: &str, body: Value) -> Resp {
    patch_customer(app, who, &format!("{id}/block"), body).await
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn upload_kyc(app: &TestApp, user: &str) -> (String, String) {
    let r = app
        .post(
            user,
            "/api/upload-photo",
            json!({
                "base64Image": base64::engine::general_purpose::STANDARD.encode(pdf()),
                "fileName": "gst.pdf",
                "folder": "Customers/New_Fish_Mart/Docs_2026-03-01",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (
        r.body["key"].as_str().unwrap().to_string(),
        r.body["url"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn create_keeps_addresses_and_kyc_keys_and_only_proposes_a_limit() {
    let app = spawn_app().await;
    let (gst_key, gst_url) = upload_kyc(&app, "SALES-001").await;
    let (pan_key, _) = upload_kyc(&app, "SALES-001").await;
    let r = app
        .post(
            "SALES-001",
            "/api/customers",
            json!({
                "name": "  New Fish Mart ",
                "type": "Retailer",
                "email": "owner@newfish.example",
                "gst": "27abcde1234f1z5",
                "pan": "abcde1234f",
                "creditDays": "30 days",
                "limit": 200000,
                "distributionChannel": "Retail",
                "addresses": [
                    { "label": "Shop", "street": "1 Dock Rd", "city": "Mumbai", "state": "Maharashtra", "pincode": "400001", "isDefault": true },
                    { "street": "9 Office Ln", "city": "Mumbai", "state": "Maharashtra", "pincode": "400002", "type": "Billing" }
                ],
                "gstPhotoUrl": gst_url,
                "panPhotoUrl": pan_key,
            }),
        )
        .await
        .expect_success(StatusCode::CREATED);
    let data = &r.body["data"];
    let id = data["id"].as_str().unwrap().to_string();
    assert_eq!(id, "CUST-000001");
    assert_eq!(data["name"], "New Fish Mart");
    assert_eq!(data["gstPhotoKey"], gst_key);
    assert!(
        data["gstPhotoUrl"]
            .as_str()
            .unwrap()
            .starts_with(&format!("/api/files/{gst_key}?exp="))
    );

    let c = customer(&app, &id).await;
    assert_eq!(c.assigned_salesperson_id.as_deref(), Some("SALES-001"));
    assert_eq!(c.status.as_deref(), Some("Active"));
    assert_eq!(c.gst.as_deref(), Some("27ABCDE1234F1Z5"));
    assert_eq!(c.pan.as_deref(), Some("ABCDE1234F"));
    assert_eq!(c.addresses.len(), 2);
    assert_eq!(c.addresses[0].address_type, "Delivery");
    assert!(c.addresses[0].is_default);
    assert_eq!(c.addresses[1].address_type, "Billing");
    // The store holds keys, never a signed (expiring) URL.
    assert_eq!(c.gst_photo_url.as_deref(), Some(gst_key.as_str()));
    assert_eq!(c.pan_photo_url.as_deref(), Some(pan_key.as_str()));
    // A salesperson cannot grant credit: the limit is only a request.
    assert_eq!(c.effective_limit(), None);
    assert_eq!(c.extra["requestedLimit"], 200000);
    let audits = audits_for(&app, &id).await;
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].action, AuditAction::Create);
    assert_eq!(audits[0].entity_type, Some(EntityType::Customer));
    assert_eq!(
        audits[0].new_data.as_ref().unwrap()["name"],
        "New Fish Mart"
    );

    // Credit control creating a customer sets the limit (both alias fields).
    let cash = json!({ "name": "Cash Account", "limit": 1 });
    let r = app.post("CREDIT-001", "/api/customers", cash.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "credit control does not onboard"
    );
    let r = app.post("USER-001", "/api/customers", cash).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let c = customer(&app, r.body["data"]["id"].as_str().unwrap()).await;
    assert_eq!(c.limit, Some(Money::from_rupees(1)));
    assert_eq!(c.credit_limit, Some(Money::from_rupees(1)));
    assert_eq!(c.id, "CUST-000002");
}

#[tokio::test]
async fn create_refuses_credit_fields_unknown_documents_and_bad_ids() {
    let app = spawn_app().await;
    for (body, code) in [
        (json!({ "name": "X", "osBalance": 5 }), "VALIDATION_FAILED"),
        (
            json!({ "name": "X", "id": "CUST-001" }),
            "VALIDATION_FAILED",
        ),
        (
            json!({ "name": "X", "status": "Active" }),
            "VALIDATION_FAILED",
        ),
        (json!({ "name": "   " }), "VALIDATION_FAILED"),
        (json!({ "name": "X", "gst": "12345" }), "VALIDATION_FAILED"),
        (
            json!({ "name": "X", "gstPhotoUrl": "photos/01JNOPE.png" }),
            "KYC_DOCUMENT_UNKNOWN",
        ),
        (
            json!({ "name": "X", "panPhotoUrl": "../../etc/passwd" }),
            "KYC_DOCUMENT_UNKNOWN",
        ),
        (
            json!({ "name": "X", "addresses": [{ "street": "a", "city": "b", "state": "c", "pincode": "12" }] }),
            "VALIDATION_FAILED",
        ),
    ] {
        let r = app.post("SALES-001", "/api/customers", body.clone()).await;
        r.expect_error(StatusCode::UNPROCESSABLE_ENTITY, code, &body);
    }
    assert_eq!(count_where::<Customer>(&app, Filter::All).await, 3);
}

#[tokio::test]
async fn patch_changes_whitelisted_fields_of_own_customers_only() {
    let app = spawn_app().await;
    let edit = json!({ "phone": "+91 22 5550 9999", "fssai": null, "name": "ABC Traders Pvt Ltd" });
    let r = patch_customer(&app, "SALES-001", "CUST-001", edit).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data"]["phone"], "+91 22 5550 9999");
    let c = customer(&app, "CUST-001").await;
    assert_eq!(c.name, "ABC Traders Pvt Ltd");
    assert_eq!(c.phone.as_deref(), Some("+91 22 5550 9999"));
    assert_eq!(
        c.effective_limit(),
        Some(Money::from_rupees(50_000)),
        "untouched"
    );
    let audits = audits_for(&app, "CUST-001").await;
    let a = audits.last().unwrap();
    assert_eq!(a.action, AuditAction::Update);
    assert_eq!(a.user_id, "SALES-001");
    assert_eq!(a.old_data.as_ref().unwrap()["phone"], "+91 22 5550 0101");
    assert_eq!(a.new_data.as_ref().unwrap()["phone"], "+91 22 5550 9999");

    // Another salesperson's customer: refused. Their manager: allowed.
    let r = patch_customer(&app, "SALES-002", "CUST-001", json!({ "phone": "1" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = patch_customer(&app, "ASM-001", "CUST-001", json!({ "city": "Thane" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Mass assignment is refused: credit, status, owner and id are not patchable here.
    for body in [
        json!({ "limit": 9_999_999 }),
        json!({ "creditLimit": 9_999_999 }),
        json!({ "osBalance": 0 }),
        json!({ "status": "Inactive" }),
        json!({ "isBlocked": false }),
        json!({ "assignedSalespersonId": "SALES-002" }),
        json!({ "id": "CUST-999" }),
        json!({}),
    ] {
        let r = patch_customer(&app, "USER-001", "CUST-001", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let c = customer(&app, "CUST-001").await;
    assert_eq!(c.effective_limit(), Some(Money::from_rupees(50_000)));
    assert_eq!(c.assigned_salesperson_id.as_deref(), Some("SALES-001"));

    let r = patch_customer(&app, "USER-001", "CUST-404", json!({ "phone": "1" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn credit_figures_change_only_through_the_credit_endpoint_with_both_aliases() {
    let app = spawn_app().await;
    let body = json!({
        "limit": 75000,
        "outstanding": 20000,
        "agingBuckets": { "0 to 7": 1000, ">180": 250 },
        "creditDays": "45 days",
        "reason": "Annual review: turnover up 40%",
    });
    let credit = "CUST-001/credit";
    let r = patch_customer(&app, "SALES-001", credit, body.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = patch_customer(&app, "CREDIT-001", credit, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let c = customer(&app, "CUST-001").await;
    assert_eq!(c.limit, Some(Money::from_rupees(75_000)));
    assert_eq!(c.credit_limit, Some(Money::from_rupees(75_000)));
    assert_eq!(c.os_balance, Some(Money::from_rupees(20_000)));
    assert_eq!(c.outstanding, Some(Money::from_rupees(20_000)));
    // The overdue amount was not sent, so it stays (in both alias fields).
    assert_eq!(c.od_amt, Some(Money::from_rupees(5_000)));
    assert_eq!(c.overdue, Some(Money::from_rupees(5_000)));
    assert_eq!(c.aging_buckets.d0_7, Money::from_rupees(1_000));
    assert_eq!(c.aging_buckets.over_180, Money::from_rupees(250));
    assert_eq!(c.aging_buckets.d30_45, Money::from_rupees(3_000), "kept");
    assert_eq!(c.credit_days.as_deref(), Some("45 days"));

    let a = audits_for(&app, "CUST-001").await.pop().unwrap();
    assert_eq!(a.action, AuditAction::Update);
    assert_eq!(a.user_id, "CREDIT-001");
    assert_eq!(a.reason.as_deref(), Some("Annual review: turnover up 40%"));
    assert_eq!(a.old_data.as_ref().unwrap()["limit"], 50000);
    assert_eq!(a.new_data.as_ref().unwrap()["limit"], 75000);
    assert_eq!(a.new_data.as_ref().unwrap()["creditLimit"], 75000);

    for bad in [
        json!({}),
        json!({ "reason": "nothing else" }),
        json!({ "limit": -1 }),
        json!({ "agingBuckets": { "0-7": 5 } }),
        json!({ "name": "Renamed" }),
    ] {
        let r = patch_customer(&app, "CREDIT-001", credit, bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}

#[tokio::test]
async fn blocking_needs_a_reason_and_is_audited() {
    let app = spawn_app().await;
    for (who, body, status) in [
        (
            "CREDIT-001",
            json!({ "blocked": true }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "SALES-001",
            json!({ "blocked": true, "reason": "x" }),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let r = block(&app, who, "CUST-003", body).await;
        assert_eq!(r.status, status);
    }
    let overdue = json!({ "blocked": true, "reason": "90+ days overdue" });
    let r = block(&app, "CREDIT-001", "CUST-003", overdue).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["changed"], true);
    let c = customer(&app, "CUST-003").await;
    assert!(c.is_blocked);
    assert_eq!(c.extra["blockedReason"], "90+ days overdue");
    assert_eq!(c.extra["blockedBy"], "CREDIT-001");
    let a = audits_for(&app, "CUST-003").await.pop().unwrap();
    assert_eq!(a.action, AuditAction::StatusChange);
    assert_eq!(a.reason.as_deref(), Some("90+ days overdue"));

    // Blocking again changes nothing and writes nothing.
    let before = audits_for(&app, "CUST-003").await.len();
    let again = json!({ "blocked": true, "reason": "again" });
    let r = block(&app, "CREDIT-001", "CUST-003", again).await;
    assert_eq!(r.body["changed"], false);
    assert_eq!(audits_for(&app, "CUST-003").await.len(), before);

    let paid = json!({ "blocked": false, "reason": "Paid up" });
    let r = block(&app, "CREDIT-001", "CUST-003", paid).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let c = customer(&app, "CUST-003").await;
    assert!(!c.is_blocked);
    assert!(!c.extra.contains_key("blockedReason"));
}

#[tokio::test]
async fn import_template_has_the_22_od_master_columns() {
    let app = spawn_app().await;
    let template = "/api/customers/import-template";
    let (headers, bytes) = get_template(
        &app,
        "CREDIT-001",
        template,
        "Customer_Master_Template.xlsx",
    )
    .await;
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let h = xlsx_headers(&bytes);
    assert_eq!(h.len(), 22);
    assert_eq!(h[0], "Customer ID");
    assert_eq!(h[5], "Customer Names");
    assert_eq!(h[12], "Diffn btw ydy & tday");
    assert_eq!(h[13], "0 to 7");
    assert_eq!(h[21], ">180");
    assert!(xlsx_rows(&bytes).is_empty(), "no sample row");
    let r = app.get("SALES-001", "/api/customers/import-template").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn bulk_import_stores_the_workbook_and_queues_a_job() {
    let app = spawn_app().await;
    let book = xlsx(
        &["Customer ID", "Customer Names", "Credit Limit"],
        &[&["100234", "Harbour Foods", "250000"]],
    );
    let import = "/api/customers/bulk-import";
    let r = post_file(&app, "SALES-001", import, "od.xlsx", &book).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "sales cannot overwrite credit data"
    );

    let r = post_file(&app, "CREDIT-001", import, "OD master 01-03.xlsx", &book)
        .await
        .expect_success(StatusCode::ACCEPTED);
    assert_eq!(r.body["status"], "queued");
    let job_id = r.body["jobId"].as_str().unwrap();
    assert!(job_id.starts_with("JOB-"));
    let job = queued_job(&app, &r).await;
    assert_eq!(job.kind, JobKind::CustomerImport);
    assert_eq!(job.status, JobStatus::Queued);
    assert_eq!(job.requested_by, "CREDIT-001");
    let input = job.input.unwrap();
    assert_eq!(input["fileName"], "OD_master_01-03.xlsx");
    assert_eq!(input["sha256"], nexus_core::blob::sha256_hex(&book));
    let key = BlobKey::parse(input["blobKey"].as_str().unwrap()).unwrap();
    assert!(key.as_str().starts_with("imports/customers/"));
    assert_eq!(app.state.blobs.get(&key).await.unwrap().bytes, book);
    // Nothing was imported in the request itself.
    assert_eq!(count_where::<Customer>(&app, Filter::All).await, 3);
    let a = audits_for(&app, job_id).await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].action, AuditAction::Import);
    assert_eq!(a[0].entity_type, Some(EntityType::Job));

    // Not a workbook: refused by content, whatever the name says.
    let csv = b"Customer ID,Name\n1,A\n";
    post_file(&app, "CREDIT-001", import, "od.xlsx", csv)
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "NOT_AN_XLSX");
    let wrong_field = multipart(&[("upload", Some("od.xlsx"), &book)]);
    let r = post_multipart(&app, Some("CREDIT-001"), import, wrong_field).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["details"]["field"], "upload", "{}", r.body);
    let r = app.post("CREDIT-001", import, json!({"file": "x"})).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    assert_eq!(
        count_where::<JobRecord>(&app, Filter::ne("id", nexus_core::seed::DEMO_JOB_ID)).await,
        1
    );
}

fn invoiced_order(id: &str, customer: &str, total: i64, days_ago: i64, cash: i64) -> Order {
    let mut o = Order::new(id, customer);
    o.status = OrderStatus::Delivered;
    o.total = Money::from_rupees(total);
    let when = Timestamp::from_millis(Timestamp::now().millis() - days_ago * 86_400_000).unwrap();
    o.created_at = Some(when);
    o.invoice = Some(InvoiceDetails {
        invoice_no: format!("INV-{id}"),
        invoice_date: Some(when),
        invoice_file: None,
        taxable_value: Money::from_rupees(total),
        cgst: Money::ZERO,
        sgst: Money::ZERO,
        igst: Money::ZERO,
        total: Money::from_rupees(total),
        invoiced_by: Some("BILL-001".into()),
    });
    o.delivery = Some(DeliveryDetails {
        otp_verified: true,
        delivered_at: Some(when),
        delivered_by: Some("DRV-001".into()),
        cash_collected: Money::from_rupees(cash),
        pod_url: None,
        receiver_name: None,
        remarks: None,
    });
    o
}

#[tokio::test]
async fn payments_are_the_customers_invoiced_orders_with_cash_collected() {
    let app = spawn_app().await;
    // CUST-001 has 30-day terms.
    app.store
        .commit(vec![
            Write::insert(&invoiced_order("ORD-T1", "CUST-001", 10_000, 40, 4_000)).unwrap(),
            Write::insert(&invoiced_order("ORD-T2", "CUST-001", 5_000, 10, 5_000)).unwrap(),
            Write::insert(&invoiced_order("ORD-T3", "CUST-001", 8_000, 5, 0)).unwrap(),
            Write::insert(&invoiced_order("ORD-T4", "CUST-002", 9_000, 5, 0)).unwrap(),
        ])
        .await
        .unwrap();
    let r = app
        .get_ok("SALES-001", "/api/customers/CUST-001/payments")
        .await;
    let rows = r.body.as_array().unwrap();
    // Only invoiced orders of this customer (ORD-001 and ORD-003 are not invoiced yet).
    let order_ids: Vec<&str> = rows
        .iter()
        .map(|r| r["orderId"].as_str().unwrap())
        .collect();
    assert_eq!(
        order_ids,
        vec!["ORD-T3", "ORD-T2", "ORD-T1"],
        "newest first"
    );
    let t1 = &rows[2];
    assert_eq!(t1["amount"], 10000);
    assert_eq!(t1["paidAmount"], 4000);
    assert_eq!(t1["balance"], 6000);
    assert_eq!(t1["status"], "Overdue");
    assert_eq!(t1["daysOverdue"], 10);
    assert_eq!(t1["method"], "Cash on delivery");
    assert_eq!(t1["invoiceNo"], "INV-ORD-T1");
    assert_eq!(rows[1]["status"], "Paid");
    assert_eq!(rows[1]["daysOverdue"], 0);
    assert_eq!(rows[0]["status"], "Due");
    assert_eq!(rows[0]["method"], Value::Null);

    // The seeded delivered order of CUST-002 (ORD-005) is a receivable too.
    let r = app
        .get("CREDIT-001", "/api/customers/CUST-002/payments")
        .await;
    let ids = strs(&r.body, "orderId");
    assert_eq!(ids, vec!["ORD-T4", "ORD-005"]);

    for (who, id, status) in [
        ("SALES-001", "CUST-404", StatusCode::NOT_FOUND),
        ("WH-001", "CUST-001", StatusCode::FORBIDDEN),
    ] {
        let r = app.get(who, &format!("/api/customers/{id}/payments")).await;
        assert_eq!(r.status, status);
    }
}

#[tokio::test]
async fn aging_reports_buckets_groups_and_exposure_from_the_credit_rules() {
    let app = spawn_app().await;
    let r = app
        .get_ok("CREDIT-001", "/api/customers/CUST-003/aging")
        .await;
    let d = &r.body["data"];
    assert_eq!(d["customerId"], "CUST-003");
    assert_eq!(d["buckets"]["15 to 30"], 10000);
    assert_eq!(d["buckets"]["90 to 120"], 15000);
    assert_eq!(d["summary"]["0-30"], 10000);
    assert_eq!(d["summary"]["31-90"], 20000);
    assert_eq!(d["summary"]["90+"], 15000);
    assert_eq!(d["bucketTotal"], 45000);
    assert_eq!(d["totalOutstanding"], 120000);
    assert_eq!(d["overdue"], 45000);
    assert_eq!(d["creditLimit"], 150000);
    assert_eq!(d["availableCredit"], 30000);
    assert_eq!(d["creditUtilization"], 80.0);
    assert_eq!(d["ageingDays"], 95);
    assert_eq!(d["ageingLabel"], "CRITICAL");
    assert_eq!(d["critical"], true);
    assert_eq!(d["odRisk"], "MEDIUM");
    // CUST-003's orders are in transit (invoiced) or cancelled: no open uninvoiced value.
    assert_eq!(d["exposure"]["openOrders"], 0);
    assert_eq!(d["exposure"]["total"], 120000);

    // CUST-001 has two open orders (booked, and in packing) that count toward exposure.
    let mut open = Money::ZERO;
    for id in ["ORD-001", "ORD-003"] {
        let o: Order = stored(&app, id).await;
        open += o.total;
    }
    let r = app.get("SALES-001", "/api/customers/CUST-001/aging").await;
    let d = &r.body["data"];
    assert_eq!(d["exposure"]["openOrders"].as_f64().unwrap(), open.to_f64());
    assert_eq!(
        d["exposure"]["total"].as_f64().unwrap(),
        15_000.0 + open.to_f64()
    );
    assert_eq!(d["ageingLabel"], "WATCHLIST");
    let r = app.get("QC-001", "/api/customers/CUST-001/aging").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

/// A GSTIN with a multi-byte character is refused, not cut in the middle of a character; and
/// credit figures stay within ±10^12.
#[tokio::test]
async fn tax_ids_and_figures_are_checked_as_documented() {
    let app = spawn_app().await;
    let r = patch_customer(
        &app,
        "USER-001",
        "CUST-001",
        json!({ "gst": "27ABCDE1234éZ5" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for bad in [
        json!({ "diffYesterdayToday": 1.5e12 }),
        json!({ "osBalance": -1.5e12 }),
        json!({ "limit": -1e-300 }),
        json!({ "ageingDays": 3.5 }),
    ] {
        let r = patch_customer(&app, "CREDIT-001", "CUST-001/credit", bad.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    let r = patch_customer(
        &app,
        "CREDIT-001",
        "CUST-001/credit",
        json!({ "osBalance": -2500, "ageingDays": 12.0 }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
