//! Real answers against the schemas the OpenAPI document declares for them: each request
//! here goes to the running server, and its JSON body is validated (JSON Schema 2020-12,
//! formats included) against the schema the served `/api/openapi.json` gives for that
//! operation and status, `$ref`s resolved against the document's own components. What the
//! document promises (a required field, a type, an enum value, a date-time) must be what the
//! server sends; a property-based tester reads the same document.
//!
//! The document itself is also held to having a schema for every 2xx JSON answer, and no
//! bare `{"type": "object"}` for one, except those listed below with the reason.

mod support;

use jsonschema::Validator;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Resp, TestApp, picks_of, spawn_app, users::ADMIN};

/// 2xx JSON answers that stay free-form, and why.
const FREE_FORM: &[(&str, &str, &str, &str)] = &[(
    "get",
    "/api/openapi.json",
    "200",
    "the OpenAPI document itself: its schema is the OpenAPI specification's, not this API's",
)];

/// 2xx answers that declare no media type at all, and why.
const NO_MEDIA_TYPE: &[(&str, &str, &str, &str)] = &[
    (
        "get",
        "/api/analytics/export",
        "200",
        "a CSV, XLSX or PDF attachment, as the `format` parameter chooses",
    ),
    (
        "get",
        "/api/files/{key}",
        "200",
        "the stored file under its own media type (a photo, a PDF, a workbook)",
    ),
];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The served OpenAPI document, and validation of answers against it.
struct Contract {
    doc: Value,
}

impl Contract {
    async fn served_by(app: &TestApp) -> Contract {
        let r = app
            .call(Method::GET, "/api/openapi.json", None, None)
            .await
            .expect_status(StatusCode::OK);
        Contract { doc: r.body }
    }

    /// The schema of the JSON answer of `method path` with `status`, as a schema document
    /// whose `#/components/...` are the OpenAPI document's.
    fn schema_of(&self, method: &str, path: &str, status: &str) -> Value {
        let op = &self.doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        let schema = &op["responses"][status]["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "{method} {path} documents no JSON schema for {status}"
        );
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [schema],
            "components": self.doc["components"],
        })
    }

    fn validator(&self, method: &str, path: &str, status: &str) -> Validator {
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&self.schema_of(method, path, status))
            .unwrap_or_else(|e| {
                panic!("{method} {path} {status}: the schema does not compile: {e}")
            })
    }

    /// The problems of `body` as an answer of `method path` with `status` (none: valid).
    fn problems(&self, method: &str, path: &str, status: &str, body: &Value) -> Vec<String> {
        self.validator(method, path, status)
            .iter_errors(body)
            .map(|e| format!("at `{}`: {e}", e.instance_path()))
            .collect()
    }

    /// Asserts a 2xx answer and that its body is what the document declares for it.
    #[track_caller]
    fn check(&self, method: &str, path: &str, r: &Resp) {
        assert!(
            r.status.is_success(),
            "{method} {path}: {} {}",
            r.status,
            r.body
        );
        let problems = self.problems(method, path, r.status.as_str(), &r.body);
        assert!(
            problems.is_empty(),
            "{method} {path} {}: the body breaks its documented schema:\n{}\nbody: {}",
            r.status,
            problems.join("\n"),
            r.body
        );
    }
}

/// Follows `#/components/schemas/X` references.
fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        schema = doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or(&Value::Null);
    }
    schema
}

/// An object schema that says nothing about its properties (also as array items).
fn is_free_form(doc: &Value, schema: &Value) -> bool {
    let s = resolve(doc, schema);
    if s.get("type") == Some(&json!("array")) {
        return s.get("items").is_none_or(|i| is_free_form(doc, i));
    }
    let structured = [
        "properties",
        "allOf",
        "oneOf",
        "anyOf",
        "enum",
        "additionalProperties",
    ]
    .iter()
    .any(|k| s.get(*k).is_some());
    let object_or_untyped = match s.get("type") {
        None => true,
        Some(t) => t == "object",
    };
    object_or_untyped && !structured
}

fn listed(list: &[(&str, &str, &str, &str)], method: &str, path: &str, status: &str) -> bool {
    list.iter()
        .any(|(m, p, s, _)| *m == method && *p == path && *s == status)
}

#[test]
fn every_2xx_json_answer_has_a_real_schema() {
    let doc = serde_json::to_value(nexus_api::openapi::document()).unwrap();
    let mut problems = Vec::new();
    let mut json_answers = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            for (status, resp) in op["responses"].as_object().unwrap() {
                if !status.starts_with('2') {
                    continue;
                }
                let Some(content) = resp.get("content").and_then(Value::as_object) else {
                    if !listed(NO_MEDIA_TYPE, method, path, status) {
                        problems.push(format!("{method} {path} {status}: no body declared"));
                    }
                    continue;
                };
                let Some(media) = content.get("application/json") else {
                    continue;
                };
                json_answers += 1;
                match media.get("schema") {
                    None => problems.push(format!("{method} {path} {status}: no schema")),
                    Some(s)
                        if is_free_form(&doc, s) && !listed(FREE_FORM, method, path, status) =>
                    {
                        problems.push(format!("{method} {path} {status}: a bare object schema"))
                    }
                    Some(_) => {}
                }
            }
        }
    }
    assert!(json_answers > 100, "only {json_answers} JSON answers");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The exceptions are still what they claim to be.
    for (method, path, status, why) in FREE_FORM.iter().chain(NO_MEDIA_TYPE) {
        assert!(
            doc["paths"][path][method]["responses"][status].is_object(),
            "listed exception {method} {path} {status} ({why}) is not documented"
        );
    }
}

/// The validator really reads the document: a wrong order is refused.
#[tokio::test]
async fn a_body_that_breaks_the_schema_is_caught() {
    let app = spawn_app().await;
    let contract = Contract::served_by(&app).await;
    let r = app.get(ADMIN, "/api/orders/ORD-001").await;
    contract.check("get", "/api/orders/{id}", &r);
    let (get, path) = ("get", "/api/orders/{id}");

    let mut no_steps = r.body.clone();
    no_steps.as_object_mut().unwrap().remove("availableSteps");
    assert!(!contract.problems(get, path, "200", &no_steps).is_empty());

    let mut bad_status = r.body.clone();
    bad_status["status"] = json!("Pending");
    assert!(!contract.problems(get, path, "200", &bad_status).is_empty());

    let mut bad_money = r.body.clone();
    bad_money["total"] = json!("1,250");
    assert!(!contract.problems(get, path, "200", &bad_money).is_empty());

    let mut bad_time = r.body.clone();
    bad_time["createdAt"] = json!("yesterday");
    assert!(!contract.problems(get, path, "200", &bad_time).is_empty());

    // Unmodelled legacy fields are allowed, as the server keeps them.
    let mut legacy = r.body.clone();
    legacy["legacyNote"] = json!({ "any": "thing" });
    assert!(contract.problems(get, path, "200", &legacy).is_empty());
}

#[tokio::test]
async fn orders_and_every_lifecycle_step_answer_as_documented() {
    let app = spawn_app().await;
    let c = Contract::served_by(&app).await;
    for user in [ADMIN, "SALES-001", "CREDIT-001", "WHM-001", "DRV-001"] {
        c.check("get", "/api/orders", &app.get(user, "/api/orders").await);
    }
    for id in [
        "ORD-001", "ORD-002", "ORD-003", "ORD-004", "ORD-005", "ORD-006",
    ] {
        let path = format!("/api/orders/{id}");
        c.check("get", "/api/orders/{id}", &app.get(ADMIN, &path).await);
    }
    let r = app
        .get("SALES-001", "/api/orders/last-rate/CUST-001/SKU-001")
        .await;
    c.check("get", "/api/orders/last-rate/{customerId}/{skuCode}", &r);
    let r = app.get(ADMIN, "/api/orders/clearance/history").await;
    c.check("get", "/api/orders/clearance/history", &r);

    // Booking, then every step to delivery.
    let r = app
        .post(
            "SALES-001",
            "/api/orders",
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-002", "quantity": 2}]}),
        )
        .await;
    c.check("post", "/api/orders", &r);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let step = |name: &'static str| format!("/api/orders/{{id}}/{name}");
    let post = |user: &'static str, name: &'static str, body: Value| {
        let (app, id) = (&app, &id);
        async move {
            app.post(user, &format!("/api/orders/{id}/{name}"), body)
                .await
        }
    };
    let r = post(
        "CREDIT-001",
        "credit-decision",
        json!({"decision": "approve"}),
    )
    .await;
    c.check("post", &step("credit-decision"), &r);
    let r = post(
        "WHM-001",
        "assign-warehouse",
        json!({"warehouseId": "WH-KURLA"}),
    )
    .await;
    c.check("post", &step("assign-warehouse"), &r);
    let r = post("WH-001", "pack", picks_of(&r.body["data"])).await;
    c.check("post", &step("pack"), &r);
    let checks = json!({"tempVerified": true, "actualTemp": -19, "packagingIntact": true,
        "weightVerified": true, "labelClarity": true, "invoiceDcAttached": true, "passed": true});
    c.check("post", &step("qc"), &post("QC-001", "qc", checks).await);
    let r = post("LOG-001", "logistics-cost", json!({"whToCustAmount": 10})).await;
    c.check("post", &step("logistics-cost"), &r);
    let r = post("BILL-001", "invoice", json!({"invoiceNo": "INV-SCHEMA-1"})).await;
    c.check("post", &step("invoice"), &r);
    let loading = json!({"deliveryAgentId": "DRV-001", "vehicleNo": "MH-04-AB-1234",
        "ewayBill": "331000009876", "sealNo": "SEAL-42"});
    let r = post("HUB-001", "dispatch", loading).await;
    c.check("post", &step("dispatch"), &r);
    let otp = r.body["deliveryOtp"].as_str().unwrap().to_string();
    let r = post("DRV-001", "out-for-delivery", json!({})).await;
    c.check("post", &step("out-for-delivery"), &r);
    let r = post(
        "DRV-001",
        "deliver",
        json!({"otp": otp, "cashCollected": 100}),
    )
    .await;
    c.check("post", &step("deliver"), &r);
    c.check(
        "get",
        "/api/orders/{id}",
        &app.get(ADMIN, &format!("/api/orders/{id}")).await,
    );
    let r = app
        .post(
            "HUB-001",
            "/api/logistics/bulk-assign",
            json!({"orderIds": [id], "logisticsData": {"deliveryAgentId": "DRV-001",
                   "vehicleNo": "MH-04-AB-1234", "ewayBill": "331000009877", "sealNo": "SEAL-43"}}),
        )
        .await;
    c.check("post", "/api/logistics/bulk-assign", &r);
    assert_eq!(r.body["results"][0]["success"], false, "{}", r.body);
    let r = app
        .get("CREDIT-001", "/api/customers/CUST-001/payments")
        .await;
    c.check("get", "/api/customers/{id}/payments", &r);

    // Hold, release, the bulk step, cancel and DELETE on the seeded queue.
    let r = app
        .post(
            "CREDIT-001",
            "/api/orders/ORD-001/credit-decision",
            json!({"decision": "hold", "reason": "awaiting payment"}),
        )
        .await;
    c.check("post", &step("credit-decision"), &r);
    let r = app
        .post("CREDIT-001", "/api/orders/ORD-001/release-hold", json!({}))
        .await;
    c.check("post", &step("release-hold"), &r);
    let r = app
        .post(
            "CREDIT-001",
            "/api/orders/bulk-update",
            json!({"orderIds": ["ORD-001", "ORD-999"], "action": {"step": "credit-decision", "decision": "approve"}}),
        )
        .await;
    c.check("post", "/api/orders/bulk-update", &r);
    let r = app
        .post(
            ADMIN,
            "/api/orders/ORD-001/cancel",
            json!({"reason": "schema test"}),
        )
        .await;
    c.check("post", &step("cancel"), &r);
    let r = app
        .post(
            "SALES-001",
            "/api/orders",
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-002", "quantity": 1}]}),
        )
        .await;
    let other = r.body["data"]["id"].as_str().unwrap().to_string();
    let r = app
        .delete("SALES-001", &format!("/api/orders/{other}"))
        .await;
    c.check("delete", "/api/orders/{id}", &r);
}

#[tokio::test]
async fn master_data_answers_as_documented() {
    let app = spawn_app().await;
    let c = Contract::served_by(&app).await;

    // Customers.
    c.check(
        "get",
        "/api/customers",
        &app.get(ADMIN, "/api/customers").await,
    );
    let r = app
        .post(
            "SALES-001",
            "/api/customers",
            json!({"name": "Schema Fish Mart", "type": "Retailer", "limit": 50000,
                   "addresses": [{"street": "1 Dock Rd", "city": "Mumbai", "state": "Maharashtra", "pincode": "400001"}]}),
        )
        .await;
    c.check("post", "/api/customers", &r);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let r = app
        .patch(
            ADMIN,
            &format!("/api/customers/{id}"),
            json!({"phone": "9820012345"}),
        )
        .await;
    c.check("patch", "/api/customers/{id}", &r);
    let r = app
        .patch(
            "CREDIT-001",
            &format!("/api/customers/{id}/credit"),
            json!({"limit": 75000}),
        )
        .await;
    c.check("patch", "/api/customers/{id}/credit", &r);
    let r = app
        .patch(
            "CREDIT-001",
            &format!("/api/customers/{id}/block"),
            json!({"blocked": true, "reason": "cheque bounced"}),
        )
        .await;
    c.check("patch", "/api/customers/{id}/block", &r);
    for cust in ["CUST-001", &id] {
        let r = app
            .get("CREDIT-001", &format!("/api/customers/{cust}/aging"))
            .await;
        c.check("get", "/api/customers/{id}/aging", &r);
        let r = app
            .get("CREDIT-001", &format!("/api/customers/{cust}/payments"))
            .await;
        c.check("get", "/api/customers/{id}/payments", &r);
    }

    // Products.
    c.check(
        "get",
        "/api/products",
        &app.get("SALES-001", "/api/products").await,
    );
    c.check(
        "get",
        "/api/products/{id}",
        &app.get(ADMIN, "/api/products/PROD-001").await,
    );
    let r = app.get(ADMIN, "/api/products/expiring?days=365").await;
    c.check("get", "/api/products/expiring", &r);
    let r = app
        .post(
            ADMIN,
            "/api/products",
            json!({"skuCode": "SKU-SCHEMA", "name": "Basa Fillet 1kg", "category": "Seafood",
                   "mrp": 400, "price": 350, "gst": 5, "unit": "KG"}),
        )
        .await;
    c.check("post", "/api/products", &r);
    let r = app
        .patch(ADMIN, "/api/products/SKU-SCHEMA", json!({"price": 360}))
        .await;
    c.check("patch", "/api/products/{id}", &r);
    let r = app
        .post(
            "WHM-001",
            "/api/products/SKU-SCHEMA/batches",
            json!({"batchNumber": "B-SCHEMA-1", "quantity": 40, "expDate": "2027-01-31", "warehouseId": "WH-KURLA"}),
        )
        .await;
    c.check("post", "/api/products/{id}/batches", &r);
    c.check(
        "delete",
        "/api/products/{id}",
        &app.delete(ADMIN, "/api/products/SKU-SCHEMA").await,
    );
    c.check(
        "delete",
        "/api/products/{id}",
        &app.delete(ADMIN, "/api/products/SKU-SCHEMA").await,
    );

    // Distributor prices.
    let r = app
        .post(
            ADMIN,
            "/api/distributor-prices",
            json!({"distributorCode": "D1001", "distributorName": "Harbour Foods", "code": "FG-BRD-200",
                   "name": "Breaded Fish Fingers 200g", "mrp": 220, "inKg": "0.2", "gstPct": 5,
                   "billingRate": 116.29, "category": "Breaded"}),
        )
        .await;
    c.check("post", "/api/distributor-prices", &r);
    let id = r.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/distributor-prices/{id}");
    c.check(
        "get",
        "/api/distributor-prices",
        &app.get("SALES-001", "/api/distributor-prices").await,
    );
    c.check(
        "get",
        "/api/distributor-prices/{id}",
        &app.get("SALES-001", &path).await,
    );
    let r = app.patch(ADMIN, &path, json!({"billingRate": 118})).await;
    c.check("patch", "/api/distributor-prices/{id}", &r);
    c.check(
        "delete",
        "/api/distributor-prices/{id}",
        &app.delete(ADMIN, &path).await,
    );

    // Warehouses.
    c.check(
        "get",
        "/api/warehouse/list",
        &app.get("WHM-001", "/api/warehouse/list").await,
    );
    let r = app
        .post(
            "WHM-001",
            "/api/warehouse/add-stock",
            json!({"warehouseId": "WH-KURLA", "items": [{"productId": "PROD-001", "batchNumber": "B-SCHEMA-2", "quantity": 5}]}),
        )
        .await;
    c.check("post", "/api/warehouse/add-stock", &r);
    for barcode in ["SKU-001", "NOT-A-CODE"] {
        let r = app
            .post(
                "WHM-001",
                "/api/warehouse/validate-barcode",
                json!({"warehouseId": "WH-KURLA", "barcode": barcode, "skuCode": "SKU-001"}),
            )
            .await;
        c.check("post", "/api/warehouse/validate-barcode", &r);
    }
}

#[tokio::test]
async fn people_and_records_answer_as_documented() {
    let app = spawn_app().await;
    let c = Contract::served_by(&app).await;

    // Users and the signed-in profile.
    c.check("get", "/api/users", &app.get(ADMIN, "/api/users").await);
    for user in [ADMIN, "SALES-001"] {
        c.check(
            "get",
            "/api/users/{id}",
            &app.get(user, "/api/users/SALES-001").await,
        );
        c.check("get", "/api/auth/me", &app.get(user, "/api/auth/me").await);
    }
    let r = app
        .patch(ADMIN, "/api/users/SALES-002", json!({"location": "Pune"}))
        .await;
    c.check("patch", "/api/users/{id}", &r);

    // Attendance: nothing yet (`{}`), then the record.
    c.check(
        "get",
        "/api/attendance/me",
        &app.get("SALES-001", "/api/attendance/me").await,
    );
    let r = app
        .post(
            "SALES-001",
            "/api/attendance/check-in",
            json!({"location": {"lat": 19.07, "lng": 72.87, "note": "Manual check-in"}}),
        )
        .await;
    c.check("post", "/api/attendance/check-in", &r);
    c.check(
        "get",
        "/api/attendance/me",
        &app.get("SALES-001", "/api/attendance/me").await,
    );
    c.check(
        "get",
        "/api/attendance/today",
        &app.get(ADMIN, "/api/attendance/today").await,
    );
    let r = app
        .post("SALES-001", "/api/attendance/check-out", json!({}))
        .await;
    c.check("post", "/api/attendance/check-out", &r);

    // GDPR.
    let r = app
        .post(
            "SALES-001",
            "/api/gdpr/consent",
            json!({"consentType": "location_tracking", "granted": true}),
        )
        .await;
    c.check("post", "/api/gdpr/consent", &r);
    let r = app.get("SALES-001", "/api/gdpr/retention-policy").await;
    c.check("get", "/api/gdpr/retention-policy", &r);
    let r = app.get("SALES-001", "/api/gdpr/export/SALES-001").await;
    c.check("get", "/api/gdpr/export/{userId}", &r);
    let r = app
        .post(
            ADMIN,
            "/api/gdpr/forget/SALES-002",
            json!({"confirm": "SALES-002", "reason": "erasure request"}),
        )
        .await;
    c.check("post", "/api/gdpr/forget/{userId}", &r);

    // Audit (after the writes above, so there are entries of several kinds).
    c.check(
        "get",
        "/api/audit/logs",
        &app.get(ADMIN, "/api/audit/logs").await,
    );
    c.check(
        "get",
        "/api/audit/logs",
        &app.get("SALES-001", "/api/audit/logs").await,
    );
    let r = app.get(ADMIN, "/api/audit/logs/user/SALES-001").await;
    c.check("get", "/api/audit/logs/user/{userId}", &r);
    c.check(
        "get",
        "/api/audit/stats",
        &app.get(ADMIN, "/api/audit/stats").await,
    );

    // PMS.
    for path in [
        "/api/pms/SALES-001?month=Feb'26",
        "/api/pms/SALES-002?month=Feb'26",
    ] {
        c.check("get", "/api/pms/{userId}", &app.get(ADMIN, path).await);
    }
    let r = app.get(ADMIN, "/api/pms/leaderboard?month=Feb'26").await;
    c.check("get", "/api/pms/leaderboard", &r);

    // Packaging.
    let r = app.get("WHM-001", "/api/packaging/materials").await;
    c.check("get", "/api/packaging/materials", &r);
    let r = app.get("WHM-001", "/api/packaging/low-stock").await;
    c.check("get", "/api/packaging/low-stock", &r);
    let r = app
        .post(
            "WH-001",
            "/api/packaging/inward",
            json!({"materialId": "PKG-001", "qty": 800}),
        )
        .await;
    c.check("post", "/api/packaging/inward", &r);
    let r = app.get("WHM-001", "/api/packaging/transactions").await;
    c.check("get", "/api/packaging/transactions", &r);

    // Analytics, jobs, the system endpoints.
    for (path, user) in [
        ("/api/analytics/dashboard", ADMIN),
        ("/api/analytics/sales", ADMIN),
        ("/api/analytics/sales-hub", ADMIN),
        ("/api/analytics/reports", ADMIN),
        ("/api/analytics/category-split", ADMIN),
        ("/api/analytics/fleet", ADMIN),
        ("/api/analytics/pms", "SALES-001"),
        ("/api/jobs", ADMIN),
    ] {
        c.check("get", path, &app.get(user, path).await);
    }
    let r = app
        .get(ADMIN, "/api/analytics/reports?type=inventory")
        .await;
    c.check("get", "/api/analytics/reports", &r);
    for path in ["/", "/api/health", "/api/ready"] {
        c.check("get", path, &app.call(Method::GET, path, None, None).await);
    }
    let r = app
        .call(
            Method::POST,
            "/api/logistics/calculate-cost",
            None,
            Some(json!({"origin": "Mumbai", "destination": "Pune"})),
        )
        .await;
    c.check("post", "/api/logistics/calculate-cost", &r);
    let r = app.get("LOG-001", "/api/logistics/cost-history").await;
    c.check("get", "/api/logistics/cost-history", &r);
    let r = app
        .as_user("SALES-001", Method::POST, "/api/auth/logout", None)
        .await;
    c.check("post", "/api/auth/logout", &r);
}

#[tokio::test]
async fn operations_answer_as_documented() {
    let app = spawn_app().await;
    let c = Contract::served_by(&app).await;

    // The inbound quality gate, through approval.
    let r = app
        .post(
            "PROC-001",
            "/api/procurement",
            json!({"supplierName": "Oceanic Seafoods", "skuName": "Frozen Prawns 1kg", "skuCode": "SKU-PRAWN-1KG"}),
        )
        .await;
    c.check("post", "/api/procurement", &r);
    let id = r.body["id"].as_str().unwrap().to_string();
    let one = format!("/api/procurement/{id}");
    c.check(
        "get",
        "/api/procurement",
        &app.get("PROC-001", "/api/procurement").await,
    );
    c.check(
        "get",
        "/api/procurement/{id}",
        &app.get("PROC-001", &one).await,
    );
    let r = app
        .put(
            "PROC-001",
            &one,
            json!({"sipChecked": true, "labelsChecked": true, "docsChecked": true,
                   "attachment": "procurement/PRC-0001/coa.pdf", "attachmentName": "coa.pdf"}),
        )
        .await;
    c.check("put", "/api/procurement/{id}", &r);
    let r = app.post_empty("PROC-001", &format!("{one}/submit")).await;
    c.check("post", "/api/procurement/{id}/submit", &r);
    let r = app
        .post(
            "PROCH-001",
            &format!("{one}/approve"),
            json!({"remarks": "ok"}),
        )
        .await;
    c.check("post", "/api/procurement/{id}/approve", &r);

    // PMS writes.
    let r = app
        .post(
            ADMIN,
            "/api/pms/kra/update",
            json!({"userId": "SALES-001", "month": "Feb'26", "kraId": "1", "achievedValue": 1500000}),
        )
        .await;
    c.check("post", "/api/pms/kra/update", &r);
    let r = app
        .post(
            ADMIN,
            "/api/pms/od-balance/update",
            json!({"userId": "SALES-001", "month": "Feb'26", "chennai": 1200}),
        )
        .await;
    c.check("post", "/api/pms/od-balance/update", &r);

    // Packaging: a new material, then stock out of another.
    let r = app
        .post(
            "PROC-001",
            "/api/packaging/materials",
            json!({"name": "Gel Packs", "unit": "PCS", "category": "Cartons", "moq": 100, "openingBalance": 40}),
        )
        .await;
    c.check("post", "/api/packaging/materials", &r);
    let r = app
        .post(
            "WH-001",
            "/api/packaging/outward",
            json!({"materialId": "PKG-004", "qty": 80, "reason": "Sealing cartons", "orderId": "ORD-003"}),
        )
        .await;
    c.check("post", "/api/packaging/outward", &r);

    // A warehouse, a job, a credit insight.
    let r = app
        .post(
            ADMIN,
            "/api/warehouse/create",
            json!({"name": "Pune Cold Hub", "location": "Chakan, Pune", "code": "pune",
                   "state": "Maharashtra", "temperature": {"min": -24, "max": -18}}),
        )
        .await;
    c.check("post", "/api/warehouse/create", &r);
    let r = app
        .post("WHM-001", "/api/jobs/expiry-scan", json!({}))
        .await;
    c.check("post", "/api/jobs/expiry-scan", &r);
    let job = format!("/api/jobs/{}", r.job_id());
    c.check("get", "/api/jobs/{id}", &app.get("WHM-001", &job).await);
    c.check("get", "/api/jobs", &app.get("WHM-001", "/api/jobs").await);
    let r = app.post_empty("WHM-001", &format!("{job}/cancel")).await;
    c.check("post", "/api/jobs/{id}/cancel", &r);
    let r = app
        .post(
            ADMIN,
            "/api/ai/credit-insight",
            json!({"orderId": "ORD-001", "customerId": "CUST-001"}),
        )
        .await;
    c.check("post", "/api/ai/credit-insight", &r);
    c.check(
        "get",
        "/api/orders/{id}",
        &app.get(ADMIN, "/api/orders/ORD-001").await,
    );
}
