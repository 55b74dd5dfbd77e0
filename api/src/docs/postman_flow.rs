//! The session the Postman collection runs (issue #11 item 5): one row per operation of the
//! OpenAPI document, in the order a newcomer would call them against a fresh server with the
//! demo data — sign in, read, then write in an order where each step makes sense (create
//! something, then read, change and delete that same thing, with the id its creation
//! answered), and sign out last. [`super::postman`] turns the rows into requests and their
//! test scripts; everything it can read from the document (status, media type, documented
//! fields, auth, seeded path ids) it takes from there, so a row only says what the document
//! cannot: the body, the ids, what to keep and what to expect of this very call.
//!
//! Ids are the demo data set's (core/src/seed/: `USER-001`, `CUST-001`, `ORD-001`,
//! `PROD-002`, `WH-KURLA`, `BATCH-003`, …) or taken from an earlier answer (`{{orderId}}`,
//! kept by the creating request's test script). A few requests are refused on purpose and
//! check the documented error code: the delivery steps belong to the assigned driver (the
//! run holds one Admin session), a procurement entry can be approved *or* rejected *or*
//! deleted, a job without rejected rows has no report, and gateway sign-in needs the key
//! of `NEXUS_SSH_GATEWAY_KEY`, which the demo server does not set.

use serde_json::{Value, json};

/// What a test keeps in a collection variable.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A field of the JSON answer (`data.id`, `items.0.batchNumber`; `""` is the body).
    Field(&'static str),
    /// One query parameter of a URL found at a field (a signed download link's `exp`).
    QueryOf(&'static str, &'static str),
    /// Another collection variable's value.
    Variable(&'static str),
    /// Nothing: the variable is cleared.
    Empty,
}

/// A test on the answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// `success` is `true`.
    Success,
    /// The field equals this value.
    Is(&'static str, Value),
    /// The field equals a collection variable (an id sent or kept earlier).
    IsVar(&'static str, &'static str),
    /// The field is an array.
    List(&'static str),
    /// The field is an array with at least one element.
    Listed(&'static str),
    /// The field is there (neither missing nor null).
    Present(&'static str),
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(&'static str),
    /// A file under docs/ (the collection's folder), e.g. `postman/customers.xlsx`.
    File(&'static str),
}

/// The request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// The document's example of the request schema (or nothing when there is none).
    Example,
    Json(Value),
    Form(Vec<(&'static str, Part)>),
}

/// A refusal accepted instead of the expected answer, because it depends on timing the run
/// does not control (a job worker that may already have finished the job).
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub status: u16,
    pub code: &'static str,
    pub when: &'static str,
}

/// One request of the session.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// `METHOD /path` exactly as in the document (`POST /api/orders/{id}/pack`).
    pub op: &'static str,
    /// Path variable values; the document's seeded example otherwise.
    pub path: Vec<(&'static str, &'static str)>,
    /// Query parameters sent (the others are listed, disabled).
    pub query: Vec<(&'static str, &'static str)>,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: Body,
    /// The status this call gets here; `None`: the document's only 2xx.
    pub status: Option<u16>,
    /// The error code of a refusal the run expects.
    pub refused: Option<&'static str>,
    pub alternatives: Vec<Alternative>,
    /// The media type of a download (not JSON); else the document's, else JSON.
    pub download: Option<&'static str>,
    pub checks: Vec<Check>,
    pub keep: Vec<(&'static str, Source)>,
    /// What this call does in the session, for the request's description.
    pub note: &'static str,
}

/// A step for `METHOD /path`, with the defaults: the document's example body, its only 2xx.
pub fn step(op: &'static str) -> Step {
    Step {
        op,
        path: vec![],
        query: vec![],
        headers: vec![],
        body: Body::Example,
        status: None,
        refused: None,
        alternatives: vec![],
        download: None,
        checks: vec![],
        keep: vec![],
        note: "",
    }
}

impl Step {
    pub fn method(&self) -> &'static str {
        self.op.split_once(' ').map_or("", |(m, _)| m)
    }

    pub fn route(&self) -> &'static str {
        self.op.split_once(' ').map_or(self.op, |(_, p)| p)
    }

    fn at(mut self, name: &'static str, value: &'static str) -> Self {
        self.path.push((name, value));
        self
    }

    fn id(self, value: &'static str) -> Self {
        self.at("id", value)
    }

    fn query(mut self, name: &'static str, value: &'static str) -> Self {
        self.query.push((name, value));
        self
    }

    fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Body::Json(body);
        self
    }

    fn file(mut self, field: &'static str, src: &'static str) -> Self {
        self.body = Body::Form(vec![(field, Part::File(src))]);
        self
    }

    fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    fn refused(mut self, status: u16, code: &'static str) -> Self {
        self.status = Some(status);
        self.refused = Some(code);
        self
    }

    fn or_refused(mut self, status: u16, code: &'static str, when: &'static str) -> Self {
        self.alternatives.push(Alternative { status, code, when });
        self
    }

    fn download(mut self, media: &'static str) -> Self {
        self.download = Some(media);
        self
    }

    fn success(mut self) -> Self {
        self.checks.push(Check::Success);
        self
    }

    fn equals(mut self, field: &'static str, value: Value) -> Self {
        self.checks.push(Check::Is(field, value));
        self
    }

    fn equals_var(mut self, field: &'static str, var: &'static str) -> Self {
        self.checks.push(Check::IsVar(field, var));
        self
    }

    fn list(mut self, field: &'static str) -> Self {
        self.checks.push(Check::List(field));
        self
    }

    fn listed(mut self, field: &'static str) -> Self {
        self.checks.push(Check::Listed(field));
        self
    }

    fn present(mut self, field: &'static str) -> Self {
        self.checks.push(Check::Present(field));
        self
    }

    fn keep(mut self, var: &'static str, field: &'static str) -> Self {
        self.keep.push((var, Source::Field(field)));
        self
    }

    fn keep_source(mut self, var: &'static str, source: Source) -> Self {
        self.keep.push((var, source));
        self
    }

    fn note(mut self, note: &'static str) -> Self {
        self.note = note;
        self
    }
}

/// Collection variables the user may set before a run: `(name, value, what it is)`.
pub const SETTINGS: [(&str, &str, &str); 4] = [
    (
        "adminEmail",
        "admin@nexusoms.com",
        "The administrator the run signs in as (the demo admin).",
    ),
    (
        "adminPassword",
        "admin123",
        "Their password; the password change at the end stores the new one here.",
    ),
    (
        "newAdminPassword",
        "NexusOMS#2026",
        "The password the run changes to, last but one.",
    ),
    (
        "gatewayKey",
        "",
        "The server's NEXUS_SSH_GATEWAY_KEY, for gateway sign-in (unset on the demo server).",
    ),
];

/// A 1×1 PNG as a data URL: the photo the run uploads.
const PHOTO: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGOQz98CAAHzAUMBh4NgAAAAAElFTkSuQmCC";

/// How a job answers a retry or cancel once a worker has run it (`./scripts/run.sh` runs
/// one in-process; the test harness has none, so the job is still queued).
const WORKER_RAN_IT: &str = "a job worker had already finished the scan";

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The session, in run order.
pub fn flow() -> Vec<Step> {
    let mut steps = sign_in();
    steps.extend(system());
    steps.extend(users());
    steps.extend(customers());
    steps.extend(products());
    steps.extend(distributor_prices());
    steps.extend(warehouses());
    steps.extend(packaging());
    steps.extend(uploads());
    steps.extend(clearance());
    steps.extend(orders());
    steps.extend(lifecycle());
    steps.extend(transfers_and_logistics());
    steps.extend(bulk_upload());
    steps.extend(performance());
    steps.extend(attendance());
    steps.extend(analytics());
    steps.extend(procurement());
    steps.extend(jobs());
    steps.extend(audit_and_gdpr());
    steps.extend(sign_out());
    steps
}

fn sign_in() -> Vec<Step> {
    vec![
        step("POST /api/login")
            .json(json!({ "email": "{{adminEmail}}", "password": "{{adminPassword}}" }))
            .success()
            .equals("tokenType", json!("Bearer"))
            .present("user.id")
            .keep("token", "token")
            .keep("refreshToken", "refreshToken")
            .note("Signs in as the demo administrator; the test keeps both tokens, and every later request sends `{{token}}`."),
        step("POST /api/auth/gateway-login")
            .header("X-Gateway-Key", "{{gatewayKey}}")
            .json(json!({ "userId": "DRV-001" }))
            .refused(401, "GATEWAY_LOGIN_REFUSED")
            .note("Refused without a gateway key: `gatewayKey` is empty, as the demo server has no NEXUS_SSH_GATEWAY_KEY (with both set, this signs DRV-001 in and answers 200)."),
        step("GET /api/auth/me")
            .equals("role", json!("Admin"))
            .present("id")
            .present("effectivePermissions")
            .note("Who the token belongs to, with the permissions it carries."),
    ]
}

fn system() -> Vec<Step> {
    vec![
        step("GET /").equals("status", json!("online")),
        step("GET /api/health").equals("status", json!("OK")),
        step("GET /api/ready").equals("ready", json!(true)),
        step("GET /api/openapi.json")
            .present("openapi")
            .present("paths")
            .note("The document this collection is generated from."),
    ]
}

fn users() -> Vec<Step> {
    vec![
        step("GET /api/users")
            .query("role", "Sales")
            .listed("")
            .note("The sales team."),
        step("POST /api/users")
            .json(json!({
                "id": "SEXEC-010",
                "name": "Asha Menon",
                "role": "Sales Executive",
                "password": "Welcome@2026",
                "email": "asha.menon@nexusoms.com",
                "zone": "WEST",
                "location": "Pune",
                "monthlyTarget": 400000
            }))
            .equals("id", json!("SEXEC-010"))
            .equals("status", json!("Active"))
            .keep("userId", "id")
            .note("A new sales executive; the next requests manage this user."),
        step("GET /api/users/{id}")
            .id("{{userId}}")
            .equals_var("id", "userId"),
        step("PATCH /api/users/{id}")
            .id("{{userId}}")
            .json(json!({ "location": "Pune East", "whatsappNumber": "+91 98200 11223", "monthlyTarget": 450000 }))
            .equals_var("id", "userId")
            .equals("location", json!("Pune East")),
        step("PATCH /api/users/{id}/credentials")
            .id("{{userId}}")
            .json(json!({ "password": "Reset@2026x" }))
            .equals_var("id", "userId")
            .equals("mustChangePassword", json!(true))
            .note("An administrator's reset: the user must change it at the next sign-in."),
        step("PATCH /api/users/{id}/manager")
            .id("{{userId}}")
            .json(json!({ "managerId": "ASM-001" }))
            .equals("managerId", json!("ASM-001")),
        step("PATCH /api/users/{id}/org-add")
            .id("{{userId}}")
            .json(json!({ "slotKey": "sales_west_retail" }))
            .equals("orgPositions", json!(["sales_west_retail"])),
        step("PATCH /api/users/{id}/org-remove")
            .id("{{userId}}")
            .json(json!({ "slotKey": "sales_west_retail" }))
            .equals("orgPositions", json!([])),
        step("PATCH /api/users/{id}/permissions")
            .id("{{userId}}")
            .json(json!({ "permissions": ["view_orders", "create_orders"] }))
            .equals("permissions", json!(["view_orders", "create_orders"])),
        step("PATCH /api/users/{id}/role")
            .id("{{userId}}")
            .json(json!({ "role": "Sales" }))
            .equals("role", json!("Sales")),
        step("PATCH /api/users/{id}/step-access")
            .id("{{userId}}")
            .json(json!({ "stepAccess": { "Placed Order": "full", "Credit Approval": "view" } }))
            .equals("stepAccess.Placed Order", json!("full")),
        step("PATCH /api/users/{id}/status")
            .id("{{userId}}")
            .json(json!({ "status": "Suspended", "reason": "On leave until March" }))
            .equals("status", json!("Suspended"))
            .note("Signs the user out everywhere; GDPR erasure at the end removes them."),
    ]
}

fn customers() -> Vec<Step> {
    vec![
        step("GET /api/customers")
            .query("search", "ABC")
            .listed("")
            .equals("0.id", json!("CUST-001")),
        step("GET /api/customers/import-template").download(XLSX),
        step("POST /api/customers")
            .json(json!({
                "name": "Postman Foods Pvt Ltd",
                "city": "Pune",
                "region": "Maharashtra",
                "phone": "+91 20 5550 0199",
                "email": "accounts@postmanfoods.example",
                "gst": "27AAACP1234A1Z5",
                "limit": 75000,
                "creditDays": "30 days",
                "distributionChannel": "Distributor",
                "customerClass": "B"
            }))
            .success()
            .equals("data.name", json!("Postman Foods Pvt Ltd"))
            .keep("customerId", "data.id")
            .note("The server issues the id (`CUST-nnnnnn`); the next requests use it."),
        step("PATCH /api/customers/{id}")
            .id("{{customerId}}")
            .json(json!({ "phone": "+91 20 5550 0200", "address": "Plot 7, Hinjewadi Phase 2, Pune" }))
            .success()
            .equals_var("data.id", "customerId")
            .equals("data.phone", json!("+91 20 5550 0200")),
        step("PATCH /api/customers/{id}/credit")
            .id("{{customerId}}")
            .json(json!({ "limit": 100000, "creditDays": "45 days", "reason": "Annual credit review" }))
            .success()
            .equals("data.limit", json!(100000)),
        step("GET /api/customers/{id}/aging")
            .id("{{customerId}}")
            .success()
            .equals_var("data.customerId", "customerId"),
        step("GET /api/customers/{id}/payments")
            .id("CUST-002")
            .listed("")
            .equals("0.orderId", json!("ORD-005"))
            .note("A demo customer with an invoiced order (`ORD-005`)."),
        step("POST /api/customers/bulk-import")
            .header("Prefer", "respond-async")
            .file("file", "postman/customers.xlsx")
            .status(202)
            .success()
            .equals("status", json!("queued"))
            .note("Uploads docs/postman/customers.xlsx; `Prefer: respond-async` answers at once with the job."),
        step("PATCH /api/customers/{id}/block")
            .id("{{customerId}}")
            .json(json!({ "blocked": true, "reason": "Security cheque bounced" }))
            .success()
            .equals("changed", json!(true))
            .equals("data.isBlocked", json!(true))
            .note("Orders for this customer are now refused."),
    ]
}

fn products() -> Vec<Step> {
    vec![
        step("GET /api/products")
            .query("category", "Seafood")
            .listed(""),
        step("GET /api/products/import-template").download(XLSX),
        step("POST /api/products")
            .json(json!({
                "name": "Frozen Squid Rings 500g",
                "skuCode": "SKU-005",
                "productShortName": "Squid Rings 500g",
                "category": "Seafood",
                "specie": "Squid",
                "unit": "PKT",
                "price": 280,
                "baseRate": 280,
                "mrp": 340,
                "gst": 5,
                "hsnCode": "0307",
                "shelfLifeDays": 365,
                "barcode": "8901234500059",
                "countryOfOrigin": "India"
            }))
            .success()
            .equals("data.skuCode", json!("SKU-005"))
            .keep("productId", "data.id"),
        step("GET /api/products/{id}")
            .id("{{productId}}")
            .equals_var("id", "productId")
            .equals("stock", json!(0)),
        step("PATCH /api/products/{id}")
            .id("{{productId}}")
            .json(json!({ "price": 295, "mrp": 350 }))
            .success()
            .equals("data.price", json!(295)),
        step("POST /api/products/{id}/batches")
            .id("{{productId}}")
            .json(json!({ "warehouseId": "WH-KURLA", "quantity": 120, "batchNumber": "BATCH-SQ-01", "note": "GRN 4471" }))
            .success()
            .equals("data.receipt.batchQuantity", json!(120))
            .note("Receives stock; the expiry defaults to today plus the shelf life."),
        step("POST /api/products/bulk-import")
            .header("Prefer", "respond-async")
            .file("file", "postman/products.xlsx")
            .status(202)
            .success()
            .equals("status", json!("queued")),
        step("DELETE /api/products/{id}")
            .id("{{productId}}")
            .success()
            .note("Deactivates the product; its batches and history stay."),
    ]
}

fn distributor_prices() -> Vec<Step> {
    vec![
        step("GET /api/distributor-prices").list(""),
        step("GET /api/distributor-prices/import-template").download(XLSX),
        step("POST /api/distributor-prices")
            .json(json!({
                "distributorCode": "CUST-001",
                "distributorName": "ABC Traders",
                "code": "SKU-002",
                "name": "Frozen Vannamei Prawns 500g",
                "category": "Seafood",
                "inKg": "0.5",
                "mrp": 380,
                "gstPct": 5,
                "billingRate": 300
            }))
            .equals("id", json!("CUST-001-SKU-002"))
            .keep("priceId", "id"),
        step("GET /api/distributor-prices/{id}")
            .id("{{priceId}}")
            .equals_var("id", "priceId")
            .equals("billingRate", json!(300)),
        step("PATCH /api/distributor-prices/{id}")
            .id("{{priceId}}")
            .json(json!({ "billingRate": 295, "retailerMarginOnMrp": 12 }))
            .success()
            .equals("data.billingRate", json!(295)),
        step("POST /api/distributor-prices/bulk-import")
            .header("Prefer", "respond-async")
            .file("file", "postman/distributor_prices.xlsx")
            .status(202)
            .success()
            .equals("status", json!("queued")),
        step("DELETE /api/distributor-prices/{id}")
            .id("{{priceId}}")
            .success(),
    ]
}

fn warehouses() -> Vec<Step> {
    vec![
        step("GET /api/warehouse/list")
            .success()
            .listed("warehouses"),
        step("POST /api/warehouse/create")
            .json(json!({
                "name": "Pune Cold Hub",
                "location": "Chakan, Pune",
                "code": "PUNE",
                "state": "Maharashtra",
                "manager": "Suresh Nair",
                "capacityTotal": 30000,
                "temperature": { "current": -20, "min": -25, "max": -18 }
            }))
            .success()
            .equals("warehouse.id", json!("WH-PUNE"))
            .keep("warehouseId", "warehouse.id"),
        step("POST /api/warehouse/add-stock")
            .json(json!({
                "warehouseId": "{{warehouseId}}",
                "items": [{ "skuCode": "SKU-004", "batchNumber": "BATCH-PN-01", "quantity": 60 }],
                "note": "Opening stock, challan 5520"
            }))
            .success()
            .equals_var("data.0.warehouseId", "warehouseId")
            .equals("data.0.batchQuantity", json!(60)),
        step("POST /api/warehouse/validate-barcode")
            .json(json!({ "warehouseId": "{{warehouseId}}", "barcode": "8901234500042", "skuCode": "SKU-004" }))
            .success()
            .equals("isValid", json!(true))
            .listed("batches")
            .note("The ketchup's barcode at the packing bench of the new warehouse."),
    ]
}

fn packaging() -> Vec<Step> {
    vec![
        step("GET /api/packaging/materials")
            .success()
            .listed("data"),
        step("GET /api/packaging/low-stock")
            .success()
            .list("data"),
        step("POST /api/packaging/materials")
            .json(json!({ "name": "Thermocol Box 10kg", "unit": "PCS", "category": "Cartons", "moq": 100, "openingBalance": 250 }))
            .success()
            .equals("data.name", json!("Thermocol Box 10kg"))
            .keep("materialId", "data.id"),
        step("POST /api/packaging/inward")
            .json(json!({ "materialId": "{{materialId}}", "qty": 300, "vendorName": "Shree Packaging", "referenceNo": "CH-2231", "batch": "TB-1125" }))
            .success()
            .equals_var("data.material.id", "materialId")
            .equals("data.material.balance", json!(550)),
        step("POST /api/packaging/outward")
            .json(json!({ "materialId": "{{materialId}}", "qty": 40, "reason": "Packing for dispatch" }))
            .success()
            .equals("data.material.balance", json!(510)),
        step("GET /api/packaging/transactions")
            .query("materialId", "{{materialId}}")
            .success()
            .listed("data")
            .equals("pagination.total", json!(3))
            .note("The opening balance, the inward and the outward movement."),
    ]
}

fn uploads() -> Vec<Step> {
    vec![
        step("POST /api/upload-photo")
            .json(json!({ "base64Image": PHOTO, "fileName": "po-copy.png", "folder": "uploads" }))
            .success()
            .equals("contentType", json!("image/png"))
            .keep("photoKey", "key")
            .keep_source("photoExp", Source::QueryOf("url", "exp"))
            .keep_source("photoSig", Source::QueryOf("url", "sig"))
            .note("A purchase-order photo; its key goes on the order booked below."),
        step("GET /api/files/{key}")
            .at("key", "{{photoKey}}")
            .query("exp", "{{photoExp}}")
            .query("sig", "{{photoSig}}")
            .download("image/png")
            .note("The signed link the upload answered."),
        step("POST /api/upload/pod")
            .file("pod", "postman/pod.png")
            .success()
            .keep("podKey", "key")
            .note("A proof of delivery (docs/postman/pod.png)."),
    ]
}

fn clearance() -> Vec<Step> {
    vec![
        step("GET /api/products/expiring")
            .query("days", "90")
            .success()
            .listed("data"),
        step("POST /api/orders/clearance")
            .json(json!({
                "customerId": "CUST-003",
                "items": [{ "productId": "PROD-002", "batchNumber": "BATCH-003", "quantity": 10, "proposedRate": 250 }],
                "remarks": "Near-expiry prawns for the hotel buffet"
            }))
            .success()
            .equals("data.status", json!("Pending Credit Approval"))
            .keep("clearanceOrderId", "data.id")
            .note("Reserves 10 from the demo batch that expires in 45 days; deleted again under Orders."),
        step("GET /api/orders/clearance/history")
            .success()
            .listed("data")
            .equals_var("data.0.id", "clearanceOrderId"),
    ]
}

fn orders() -> Vec<Step> {
    vec![
        step("GET /api/orders")
            .query("customerId", "CUST-001")
            .listed(""),
        step("GET /api/orders/last-rate/{customerId}/{skuCode}")
            .at("customerId", "CUST-001")
            .at("skuCode", "SKU-002")
            .equals("rate", json!(320))
            .note("The price on CUST-001's last order of SKU-002 (demo order ORD-003)."),
        step("POST /api/orders")
            .json(json!({
                "customerId": "CUST-001",
                "items": [
                    { "productId": "PROD-002", "quantity": 5 },
                    { "productId": "PROD-004", "quantity": 6 }
                ],
                "remarks": "Weekend stock for the Kurla outlet",
                "salesPhotos": ["{{photoKey}}"]
            }))
            .success()
            .equals("data.status", json!("Pending Credit Approval"))
            .keep("orderId", "data.id")
            .note("Books the order the Order lifecycle folder walks through, with the uploaded photo."),
        step("GET /api/orders/{id}")
            .id("{{orderId}}")
            .equals_var("id", "orderId")
            .list("availableSteps"),
        step("PATCH /api/orders/{id}")
            .id("{{orderId}}")
            .json(json!({ "remarks": "Deliver before 10 am" }))
            .success()
            .equals("data.remarks", json!("Deliver before 10 am")),
        step("PATCH /api/orders/{id}/items")
            .id("{{orderId}}")
            .json(json!({ "items": [
                { "productId": "PROD-002", "quantity": 6 },
                { "productId": "PROD-004", "quantity": 6 }
            ] }))
            .success()
            .equals("data.items.0.quantity", json!(6))
            .equals("data.status", json!("Pending Credit Approval")),
        step("GET /api/orders/{id}/invoice")
            .id("{{orderId}}")
            .download("application/pdf")
            .note("A proforma until the order is invoiced."),
        step("DELETE /api/orders/{id}")
            .id("{{clearanceOrderId}}")
            .success()
            .equals("data.status", json!("Cancelled"))
            .note("Orders are never hard-deleted: the clearance order is cancelled and its batch restored."),
        step("POST /api/ai/credit-insight")
            .json(json!({ "orderId": "{{orderId}}", "customerId": "CUST-001" }))
            .success()
            .equals_var("orderId", "orderId")
            .present("decision")
            .note("Advice before the credit decision (the rule-based advisor without GEMINI_API_KEY)."),
    ]
}

/// The booked order through every step to the road; the demo order ORD-001 is approved with
/// it and then cancelled, and ORD-003 is moved on by the admin bypass for the bulk dispatch.
fn lifecycle() -> Vec<Step> {
    let order = |op| step(op).id("{{orderId}}");
    vec![
        order("POST /api/orders/{id}/credit-decision")
            .json(json!({ "decision": "hold", "reason": "Waiting for the overdue cheque" }))
            .success()
            .equals("data.status", json!("On Hold")),
        order("POST /api/orders/{id}/release-hold")
            .success()
            .equals("data.status", json!("Pending Credit Approval"))
            .note("The cheque cleared: back in the credit queue."),
        step("POST /api/orders/bulk-update")
            .json(json!({
                "orderIds": ["{{orderId}}", "ORD-001"],
                "action": { "step": "credit-decision", "decision": "approve" }
            }))
            .success()
            .equals("succeeded", json!(2))
            .equals("results.0.status", json!("Pending WH Selection"))
            .note("Approves this order and the demo order ORD-001 together."),
        order("POST /api/orders/{id}/assign-warehouse")
            .json(json!({ "warehouseId": "WH-KURLA" }))
            .success()
            .equals("data.status", json!("Pending Packing")),
        order("POST /api/orders/{id}/send-back")
            .json(json!({ "reason": "Re-pick after the cold-room audit" }))
            .success()
            .equals("data.status", json!("Pending WH Selection")),
        step("POST /api/warehouse/assign-to-order")
            .json(json!({ "orderId": "{{orderId}}", "warehouseId": "WH-KURLA" }))
            .success()
            .equals("data.status", json!("Pending Packing"))
            .keep("batch1", "data.items.0.allocatedBatches.0.batchNumber")
            .keep("batch2", "data.items.1.allocatedBatches.0.batchNumber")
            .note("The legacy path of the same step; the test keeps the batches FEFO allocated."),
        order("POST /api/orders/{id}/pack")
            .json(json!({ "lines": [
                { "batches": [{ "batchNumber": "{{batch1}}", "qty": 6 }] },
                { "batches": [{ "batchNumber": "{{batch2}}", "qty": 6 }] }
            ] }))
            .success()
            .equals("data.status", json!("Pending Quality Control")),
        order("POST /api/orders/{id}/qc")
            .json(json!({
                "passed": true,
                "tempVerified": true,
                "packagingIntact": true,
                "weightVerified": true,
                "labelClarity": true,
                "invoiceDcAttached": true,
                "actualTemp": -19.5,
                "remarks": "All five checks passed"
            }))
            .success()
            .equals("data.status", json!("Pending Logistics Cost")),
        order("POST /api/orders/{id}/logistics-cost")
            .json(json!({ "thermacolBoxCount": 2, "dryIceKg": 10, "whToStationAmount": 400, "stationToLocAmount": 300, "whToCustAmount": 250 }))
            .success()
            .equals("data.status", json!("Pending Admin Review"))
            .equals("assessment.highCostAlert", json!(true))
            .note("Above 15 % of the order value: the order waits for an administrator."),
        order("POST /api/orders/{id}/admin-review")
            .json(json!({ "decision": "approve", "reason": "Cold-chain cost accepted for a small drop" }))
            .success()
            .equals("data.status", json!("Ready for Billing")),
        order("POST /api/orders/{id}/invoice")
            .json(json!({ "invoiceNo": "INV-2026-0101" }))
            .success()
            .equals("data.status", json!("Ready for Dispatch")),
        order("POST /api/orders/{id}/dispatch")
            .json(json!({
                "deliveryAgentId": "DRV-001",
                "vehicleNo": "MH-04-AB-1234",
                "ewayBill": "331000001234",
                "sealNo": "SEAL-7781",
                "vehicleType": "Reefer Truck",
                "distanceKm": 18
            }))
            .success()
            .equals("data.status", json!("In Transit"))
            .keep("deliveryOtp", "deliveryOtp")
            .note("Hands the order to the demo driver DRV-001; the OTP is shown once, for the customer."),
        order("POST /api/orders/{id}/out-for-delivery")
            .refused(403, "NOT_ASSIGNED_AGENT")
            .note("Refused: only the assigned driver (DRV-001, in the mobile app) takes the delivery steps."),
        order("POST /api/orders/{id}/deliver")
            .json(json!({ "otp": "{{deliveryOtp}}", "receiverName": "Store manager", "podKey": "{{podKey}}", "cashCollected": 0 }))
            .refused(403, "NOT_ASSIGNED_AGENT")
            .note("Refused for the same reason; the driver sends exactly this with the customer's OTP."),
        order("POST /api/orders/{id}/part-accept")
            .json(json!({ "otp": "{{deliveryOtp}}", "deliveredQuantities": [2], "receiverName": "Store manager", "cashCollected": 0 }))
            .refused(403, "NOT_ASSIGNED_AGENT")
            .note("The driver's part acceptance: the customer kept part of a line, the rest goes back to its batches."),
        order("POST /api/orders/{id}/return-to-warehouse")
            .json(json!({ "reason": "Customer refused the delivery" }))
            .refused(403, "NOT_ASSIGNED_AGENT"),
        order("POST /api/orders/{id}/reopen-backorder")
            .json(json!({ "reason": "Customer wants the rest on Friday" }))
            .refused(409, "INVALID_TRANSITION")
            .note("Only a Part Accepted order re-attempts its undelivered rest (the warehouse's step)."),
        step("POST /api/orders/{id}/cancel")
            .id("ORD-001")
            .json(json!({ "reason": "Customer cancelled by phone" }))
            .success()
            .equals("data.status", json!("Cancelled"))
            .note("The demo order approved above; its customer called it off."),
        step("POST /api/orders/{id}/bypass")
            .id("ORD-003")
            .json(json!({ "to": "Ready for Dispatch", "reason": "Packed and invoiced offline during the outage" }))
            .success()
            .equals("data.status", json!("Ready for Dispatch"))
            .note("The demo order ORD-003 (Pending Packing), moved on by the administrator for the bulk dispatch."),
    ]
}

fn transfers_and_logistics() -> Vec<Step> {
    vec![
        step("POST /api/orders/stn")
            .json(json!({
                "sourceWarehouse": "WH-KURLA",
                "destinationWarehouse": "WH-DELHI",
                "items": [{ "skuCode": "SKU-004", "quantity": 24 }],
                "remarks": "Top up Delhi for the weekend"
            }))
            .success()
            .equals("data.status", json!("In Transit"))
            .keep("stnId", "data.id"),
        step("POST /api/orders/{id}/receive")
            .id("{{stnId}}")
            .json(json!({ "remarks": "Received in good condition" }))
            .success()
            .equals("data.status", json!("Delivered")),
        step("POST /api/logistics/calculate-cost")
            .json(json!({ "origin": "Mumbai", "destination": "Pune", "vehicleType": "Truck" }))
            .success()
            .present("data.breakdown"),
        step("POST /api/logistics/bulk-assign")
            .json(json!({
                "orderIds": ["ORD-003"],
                "logisticsData": {
                    "deliveryAgentId": "DRV-001",
                    "vehicleNo": "MH-04-CD-5678",
                    "ewayBill": "331000005678",
                    "sealNo": "SEAL-7782"
                }
            }))
            .success()
            .equals("updated", json!(1))
            .equals("results.0.status", json!("In Transit")),
        step("GET /api/logistics/cost-history")
            .success()
            .listed("data")
            .equals_var("data.0.orderId", "orderId")
            .note("The costs entered for the order above."),
    ]
}

fn bulk_upload() -> Vec<Step> {
    vec![
        step("GET /api/orders/bulk/template").download(XLSX),
        step("POST /api/orders/bulk")
            .file("file", "postman/bulk_orders.xlsx")
            .success()
            .equals("status", json!("queued"))
            .present("jobId")
            .note("Two lines for CUST-002 (docs/postman/bulk_orders.xlsx), imported by the job worker."),
    ]
}

fn performance() -> Vec<Step> {
    vec![
        step("GET /api/pms/leaderboard")
            .query("month", "Feb'26")
            .success()
            .listed("data")
            .equals("data.0.userId", json!("SALES-001")),
        step("GET /api/pms/{userId}")
            .at("userId", "SALES-001")
            .query("month", "Feb'26")
            .success()
            .equals("data.userId", json!("SALES-001"))
            .listed("data.kras"),
        step("PUT /api/pms/{userId}")
            .at("userId", "SALES-002")
            .json(json!({
                "month": "Feb'26",
                "grossMonthlySalary": 48000,
                "kras": [
                    { "id": 1, "name": "Sales Target", "criteria": "SM Budget", "target": 900000, "weightage": 50, "type": "Unrestricted" },
                    { "id": 2, "name": "Collection", "target": 400000, "weightage": 30, "type": "Restricted" },
                    { "id": 3, "name": "New Customers", "target": 8, "weightage": 20 }
                ]
            }))
            .status(201)
            .success()
            .equals("data.userId", json!("SALES-002"))
            .note("SALES-002 has no record for the demo month: created."),
        step("POST /api/pms/kra/update")
            .json(json!({ "userId": "SALES-002", "kraId": 1, "achievedValue": 950000, "month": "Feb'26" }))
            .success()
            .equals("data.kras.0.achieved", json!(950000)),
        step("POST /api/pms/od-balance/update")
            .json(json!({ "userId": "SALES-002", "chennai": 250000, "self": 150000, "hyd": 50000, "month": "Feb'26" }))
            .success()
            .equals("data.odBalances.chennai", json!(250000)),
    ]
}

fn attendance() -> Vec<Step> {
    let kurla = json!({ "location": { "lat": 19.0728, "lng": 72.8826, "note": "Kurla office" } });
    vec![
        step("POST /api/attendance/check-in")
            .json(kurla.clone())
            .present("userId")
            .present("checkInTime"),
        step("GET /api/attendance/me").present("checkInTime"),
        step("POST /api/attendance/check-out")
            .json(kurla)
            .present("checkOutTime"),
        step("GET /api/attendance/today").listed(""),
    ]
}

fn analytics() -> Vec<Step> {
    vec![
        step("GET /api/analytics/dashboard").present("totalOrders"),
        step("GET /api/analytics/sales")
            .query("salespersonId", "SALES-001")
            .equals("salespersonId", json!("SALES-001")),
        step("GET /api/analytics/sales-hub")
            .query("period", "month")
            .present("metrics"),
        step("GET /api/analytics/category-split")
            .query("period", "month")
            .list("split"),
        step("GET /api/analytics/fleet")
            .query("period", "month")
            .present("metrics"),
        step("GET /api/analytics/pms")
            .query("period", "month")
            .present("kpis"),
        step("GET /api/analytics/reports")
            .query("type", "inventory")
            .equals("type", json!("inventory")),
        step("GET /api/analytics/export")
            .query("type", "orders")
            .query("format", "csv")
            .download("text/csv"),
        step("GET /api/tally/export/{orderId}")
            .at("orderId", "{{orderId}}")
            .download("application/xml")
            .note("The sales voucher of the order invoiced above."),
    ]
}

fn procurement() -> Vec<Step> {
    let entry = |op| step(op).id("{{procurementId}}");
    let not_pending = "INVALID_PROCUREMENT_STATUS";
    vec![
        step("GET /api/procurement").list(""),
        step("POST /api/procurement")
            .json(json!({
                "supplierName": "Oceanic Seafoods Pvt Ltd",
                "skuName": "Frozen Prawns 1kg",
                "skuCode": "SKU-PRAWN-1KG",
                "docsChecked": true
            }))
            .equals("status", json!("Pending"))
            .keep("procurementId", "id"),
        entry("GET /api/procurement/{id}")
            .equals_var("id", "procurementId")
            .equals("status", json!("Pending")),
        entry("PUT /api/procurement/{id}")
            .json(json!({ "sipChecked": true, "labelsChecked": true, "attachment": "{{photoKey}}", "attachmentName": "Bill of lading" }))
            .equals("labelsChecked", json!(true)),
        entry("POST /api/procurement/{id}/submit")
            .json(json!({ "remarks": "Documents, SIP and labels checked" }))
            .equals("status", json!("Awaiting Head Approval")),
        entry("POST /api/procurement/{id}/approve")
            .json(json!({ "remarks": "Cleared for the cold store" }))
            .equals("status", json!("Approved")),
        entry("POST /api/procurement/{id}/reject")
            .json(json!({ "reason": "Labels do not match the import permit" }))
            .refused(409, not_pending)
            .note("Refused: the entry was approved just before (reject and approve are the head's two answers)."),
        entry("DELETE /api/procurement/{id}")
            .refused(409, not_pending)
            .note("Refused: only a Pending entry can be deleted; submitted ones are kept."),
    ]
}

fn jobs() -> Vec<Step> {
    let job = |op| step(op).id("{{jobId}}");
    vec![
        step("GET /api/jobs").listed(""),
        step("POST /api/jobs/distance-cost")
            .json(json!({}))
            .success()
            .equals("status", json!("queued"))
            .note("Prices every order waiting at the logistics-cost step (or one, with orderId)."),
        step("POST /api/jobs/expiry-scan")
            .json(json!({}))
            .success()
            .equals("status", json!("queued"))
            .keep("jobId", "jobId"),
        job("GET /api/jobs/{id}")
            .success()
            .equals_var("data.id", "jobId"),
        job("POST /api/jobs/{id}/cancel")
            .status(200)
            .or_refused(409, "JOB_STATE", WORKER_RAN_IT)
            .success()
            .equals("data.status", json!("cancelled")),
        job("POST /api/jobs/{id}/retry")
            .or_refused(409, "JOB_STATE", WORKER_RAN_IT)
            .success()
            .equals("data.status", json!("queued")),
        job("GET /api/jobs/{id}/report")
            .refused(404, "REPORT_NOT_FOUND")
            .note("Refused: only an import with rejected rows has a report."),
    ]
}

fn audit_and_gdpr() -> Vec<Step> {
    vec![
        step("GET /api/audit/logs")
            .query("entityId", "{{orderId}}")
            .success()
            .listed("data.logs")
            .note("Every step the order above went through."),
        step("GET /api/audit/logs/user/{userId}")
            .at("userId", "USER-001")
            .query("limit", "20")
            .success()
            .listed("data"),
        step("GET /api/audit/stats")
            .success()
            .listed("data.actions"),
        step("GET /api/audit/logs/export").download("text/csv"),
        step("GET /api/gdpr/retention-policy")
            .success()
            .present("policy"),
        step("POST /api/gdpr/consent")
            .json(json!({ "consentType": "location_tracking", "granted": true }))
            .success()
            .equals("data.consentType", json!("location_tracking")),
        step("GET /api/gdpr/export/{userId}")
            .at("userId", "USER-001")
            .success()
            .equals("userId", json!("USER-001")),
        step("POST /api/gdpr/forget/{userId}")
            .at("userId", "{{userId}}")
            .json(
                json!({ "confirm": "{{userId}}", "reason": "Left the company; asked for erasure" }),
            )
            .success()
            .equals_var("data.userId", "userId")
            .note("Erases the user created under Users."),
    ]
}

fn sign_out() -> Vec<Step> {
    vec![
        step("POST /api/auth/refresh")
            .json(json!({ "refreshToken": "{{refreshToken}}" }))
            .success()
            .keep("token", "token")
            .keep("refreshToken", "refreshToken")
            .note("A new token pair for the refresh token kept at sign-in."),
        step("POST /api/auth/change-password")
            .json(json!({ "currentPassword": "{{adminPassword}}", "newPassword": "{{newAdminPassword}}" }))
            .success()
            .keep("token", "token")
            .keep("refreshToken", "refreshToken")
            .keep_source("adminPassword", Source::Variable("newAdminPassword"))
            .note("Revokes the other tokens and answers a fresh pair; `adminPassword` now holds the new password."),
        step("POST /api/auth/logout")
            .success()
            .keep_source("token", Source::Empty)
            .keep_source("refreshToken", Source::Empty)
            .note("Signs out everywhere: the last request of the run."),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::postman::{expected_status, op_key};
    use super::super::schema::resolve;
    use super::super::{Operation, default_dir, operations};
    use super::*;
    use crate::error::ErrorCode;
    use std::collections::BTreeSet;

    fn doc() -> Value {
        serde_json::to_value(crate::openapi::document()).unwrap()
    }

    /// Every documented operation but the WebSocket, with its row.
    fn rows(doc: &Value) -> Vec<(Operation, Step)> {
        let ops = operations(doc);
        flow()
            .into_iter()
            .map(|s| {
                let op = ops
                    .iter()
                    .find(|o| op_key(o) == s.op)
                    .unwrap_or_else(|| panic!("`{}` is not in the document", s.op));
                (op.clone(), s)
            })
            .collect()
    }

    #[test]
    fn every_operation_appears_exactly_once() {
        let doc = doc();
        let steps = flow();
        for op in operations(&doc).iter().filter(|o| !o.is_websocket()) {
            let n = steps.iter().filter(|s| s.op == op_key(op)).count();
            assert_eq!(n, 1, "`{}` is in the flow {n} times", op_key(op));
        }
        let ops: BTreeSet<String> = operations(&doc).iter().map(op_key).collect();
        for s in &steps {
            assert!(ops.contains(s.op), "`{}` is not in the document", s.op);
            assert!(
                !s.op.ends_with(" /ws"),
                "the WebSocket cannot be a Postman request"
            );
        }
    }

    #[test]
    fn the_run_signs_in_first_and_ends_the_session_last() {
        let ops: Vec<&str> = flow().iter().map(|s| s.op).collect();
        assert_eq!(ops[0], "POST /api/login");
        assert_eq!(
            ops[ops.len() - 3..],
            [
                "POST /api/auth/refresh",
                "POST /api/auth/change-password",
                "POST /api/auth/logout"
            ]
        );
    }

    #[test]
    fn expected_statuses_are_documented() {
        let doc = doc();
        for (op, s) in rows(&doc) {
            let documented: Vec<&str> = op.responses.iter().map(|r| r.0.as_str()).collect();
            let status = expected_status(&op, &s);
            assert!(
                documented.contains(&status.to_string().as_str()),
                "`{}` expects {status}, documented: {documented:?}",
                s.op
            );
            let two_xx = documented.iter().filter(|d| d.starts_with('2')).count();
            assert!(
                s.status.is_some() || two_xx == 1,
                "`{}` documents {two_xx} success statuses: say which one the run gets",
                s.op
            );
            for alt in &s.alternatives {
                assert!(
                    documented.contains(&alt.status.to_string().as_str()),
                    "`{}` accepts {} instead, which is not documented",
                    s.op,
                    alt.status
                );
            }
        }
    }

    #[test]
    fn refusals_name_a_real_error_code_with_its_status() {
        for s in flow() {
            let refusals = s
                .refused
                .map(|c| (s.status.unwrap_or_default(), c))
                .into_iter()
                .chain(s.alternatives.iter().map(|a| (a.status, a.code)));
            for (status, code) in refusals {
                let found = ErrorCode::ALL
                    .iter()
                    .find(|c| c.as_str() == code)
                    .unwrap_or_else(|| panic!("`{}`: no error code {code}", s.op));
                assert_eq!(found.status().as_u16(), status, "`{}`: {code}", s.op);
            }
            if s.refused.is_some() {
                assert!(s.checks.is_empty() && s.keep.is_empty(), "`{}`", s.op);
            }
        }
    }

    #[test]
    fn bodies_send_only_documented_fields() {
        let doc = doc();
        for (op, s) in rows(&doc) {
            let (media, fields): (&str, Vec<&str>) = match &s.body {
                Body::Example => continue,
                Body::Json(Value::Object(o)) => {
                    ("application/json", o.keys().map(String::as_str).collect())
                }
                Body::Json(other) => panic!("`{}`: a body that is not an object: {other}", s.op),
                Body::Form(parts) => (
                    "multipart/form-data",
                    parts.iter().map(|(k, _)| *k).collect(),
                ),
            };
            let content = &doc["paths"][&op.path][&op.method]["requestBody"]["content"];
            let Some(schema) = content.get(media).map(|m| resolve(&doc, &m["schema"])) else {
                panic!("`{}` takes no {media} body", s.op)
            };
            let Some(props) = schema["properties"].as_object() else {
                // Multipart bodies whose parts the document does not list.
                assert!(matches!(s.body, Body::Form(_)), "`{}`: {schema}", s.op);
                continue;
            };
            for f in fields {
                assert!(props.contains_key(f), "`{}`: `{f}` is not a field", s.op);
            }
        }
    }

    #[test]
    fn query_parameters_and_path_variables_are_the_documents() {
        let doc = doc();
        for (op, s) in rows(&doc) {
            let named = |place: &str, name: &str| {
                op.parameters
                    .iter()
                    .any(|p| p["in"] == place && p["name"] == name)
            };
            for (k, _) in &s.query {
                assert!(named("query", k), "`{}`: no query parameter {k}", s.op);
            }
            for (k, _) in &s.path {
                assert!(named("path", k), "`{}`: no path variable {k}", s.op);
            }
            for p in op.parameters.iter().filter(|p| p["in"] == "path") {
                let name = p["name"].as_str().unwrap();
                let given = s.path.iter().any(|(k, _)| *k == name);
                assert!(
                    given || super::super::schema::parameter_example(&op.path, p).is_some(),
                    "`{}`: no value for {name}",
                    s.op
                );
            }
        }
    }

    /// `{{name}}` in a request is a setting, a token, or kept by an earlier request.
    #[test]
    fn variables_are_kept_before_they_are_used() {
        let mut known: BTreeSet<String> = ["baseUrl", "token", "refreshToken"]
            .into_iter()
            .chain(SETTINGS.iter().map(|(k, ..)| *k))
            .map(str::to_string)
            .collect();
        for s in flow() {
            let mut text = format!("{:?} {:?} {:?}", s.path, s.query, s.headers);
            if let Body::Json(v) = &s.body {
                text.push_str(&v.to_string());
            }
            for (i, _) in text.match_indices("{{") {
                let name = &text[i + 2..][..text[i + 2..].find("}}").unwrap()];
                assert!(
                    known.contains(name),
                    "`{}` uses {{{{{name}}}}} before it is kept",
                    s.op
                );
            }
            known.extend(s.keep.iter().map(|(k, _)| k.to_string()));
        }
    }

    #[test]
    fn uploaded_files_are_in_the_docs_folder() {
        for s in flow() {
            if let Body::Form(parts) = &s.body {
                for (_, part) in parts {
                    if let Part::File(src) = part {
                        assert!(
                            default_dir().join(src).is_file(),
                            "`{}`: no docs/{src}",
                            s.op
                        );
                    }
                }
            }
        }
    }
}
