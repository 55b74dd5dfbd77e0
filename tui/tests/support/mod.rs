//! Fixtures for the screen tests: an app signed in as an admin with a little of everything,
//! at a fixed time, and a helper that draws it on `TestBackend` and returns the text.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use nexus_core::model::{JobKind, JobStatus};
use nexus_tui::app::{ApiResult, App, DashboardData, Input, LiveMsg};
use nexus_tui::dto::{
    Aging, CustomerCredit, ExpiringBatch, Job, LowPackaging, OrderDetail, OrderRow, UserInfo,
    WireEvent,
};
use nexus_tui::keys::Key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rust_decimal::Decimal;
use serde_json::json;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 12, 12, 0, 0).unwrap()
}

pub fn admin() -> UserInfo {
    UserInfo {
        id: "USER-001".into(),
        name: "Admin".into(),
        role: "Admin".into(),
        permissions: vec![],
    }
}

/// The steps the API lists for the admin (USER-001, not the booker) on an order in
/// `status`, as `api/src/routes/orders/view.rs` builds them (the console offers exactly
/// these; `api/tests/console_steps.rs` checks that against the real server).
pub fn admin_steps(id: &str, status: &str) -> serde_json::Value {
    let step = |code: &str, to: Option<&str>, method: &str, segment: &str, body| {
        json!({"step": code, "to": to, "method": method,
               "path": format!("/api/orders/{id}/{segment}"), "body": body})
    };
    let cancel = step("cancel", Some("Cancelled"), "POST", "cancel", json!({}));
    let edit = step(
        "edit_items",
        Some("Pending Credit Approval"),
        "PATCH",
        "items",
        json!({}),
    );
    let bypass = step("admin_bypass", None, "POST", "bypass", json!({}));
    let list = match status {
        "Pending Credit Approval" => vec![
            step(
                "credit_approve",
                Some("Pending WH Selection"),
                "POST",
                "credit-decision",
                json!({"decision": "approve"}),
            ),
            step(
                "credit_hold",
                Some("On Hold"),
                "POST",
                "credit-decision",
                json!({"decision": "hold"}),
            ),
            step(
                "credit_reject",
                Some("Rejected"),
                "POST",
                "credit-decision",
                json!({"decision": "reject"}),
            ),
            cancel,
            edit,
            bypass,
        ],
        "On Hold" => vec![
            step(
                "credit_reject",
                Some("Rejected"),
                "POST",
                "credit-decision",
                json!({"decision": "reject"}),
            ),
            step(
                "release_hold",
                Some("Pending Credit Approval"),
                "POST",
                "release-hold",
                json!({}),
            ),
            cancel,
            edit,
            bypass,
        ],
        "Pending WH Selection" => vec![
            cancel,
            edit,
            step(
                "assign_warehouse",
                Some("Pending Packing"),
                "POST",
                "assign-warehouse",
                json!({}),
            ),
            bypass,
        ],
        "Pending Packing" => vec![
            cancel,
            edit,
            step(
                "pack",
                Some("Pending Quality Control"),
                "POST",
                "pack",
                json!({}),
            ),
            step(
                "send_back_to_wh",
                Some("Pending WH Selection"),
                "POST",
                "send-back",
                json!({}),
            ),
            bypass,
        ],
        "Delivered" | "Cancelled" | "Rejected" | "Returned to Warehouse" => vec![],
        // Delivery steps are the assigned agent's; the admin may only bypass.
        _ => vec![bypass],
    };
    serde_json::Value::Array(list)
}

/// An order row as the API lists it for the admin, read by the console's own parser.
pub fn order(n: u32, status: &str, customer: &str, total: f64) -> OrderRow {
    let id = format!("ORD-{n:03}");
    OrderRow::from_json(&order_json(&id, n, status, customer, total))
        .expect("a fixture order reads")
}

fn order_json(id: &str, n: u32, status: &str, customer: &str, total: f64) -> serde_json::Value {
    json!({
        "id": id,
        "customerId": format!("CUST-{:03}", n % 4 + 1),
        "customerName": customer,
        "status": status,
        "total": total,
        "salespersonId": "SALES-001",
        "createdAt": (now() - chrono::Duration::minutes(37 * n as i64)).to_rfc3339(),
        "items": [{}, {}],
        "availableSteps": admin_steps(id, status),
    })
}

pub fn orders() -> Vec<OrderRow> {
    vec![
        order(1, "Pending Credit Approval", "ABC Traders", 5285.0),
        order(2, "Pending WH Selection", "Coastal Foods", 12400.5),
        order(3, "On Hold", "Metro Mart", 880.0),
        order(4, "Pending Packing", "ABC Traders", 45210.0),
        order(5, "In Transit", "Sea Fresh Retail", 9900.0),
        order(6, "Delivered", "Metro Mart", 150.25),
        order(7, "Cancelled", "Coastal Foods", 3000.0),
    ]
}

/// ORD-001 as `GET /api/orders/ORD-001` returns it to the admin.
pub fn detail() -> OrderDetail {
    let mut doc = order_json(
        "ORD-001",
        1,
        "Pending Credit Approval",
        "ABC Traders",
        5285.0,
    );
    doc["customerId"] = json!("CUST-002");
    doc["items"] = json!([
        {"productId": "PROD-002", "productName": "Frozen Vannamei Prawns 500g", "skuCode": "SKU-002",
         "quantity": 10, "price": 450, "gstRate": 5, "total": 4500},
        {"productId": "PROD-004", "productName": "Basa Fillet 1kg", "skuCode": "SKU-004",
         "quantity": 5, "price": 100, "gstRate": 12, "total": 500}
    ]);
    doc["subTotal"] = json!(5000);
    doc["gstAmount"] = json!(285);
    doc["remarks"] = json!("Urgent");
    doc["statusHistory"] = json!([{
        "status": "Pending Credit Approval",
        "timestamp": (now() - chrono::Duration::minutes(37)).to_rfc3339(),
        "actorId": "SALES-001"
    }]);
    OrderDetail::from_json(&doc).expect("the fixture detail reads")
}

pub fn jobs() -> Vec<Job> {
    vec![
        Job {
            id: "JOB-01RUN".into(),
            kind: JobKind::BulkOrderImport.into(),
            status: JobStatus::Running.into(),
            done: 40,
            total: 100,
            message: "row 40 of 100".into(),
            created_at: Some(now()),
            ..Job::default()
        },
        Job {
            id: "JOB-01FAIL".into(),
            kind: JobKind::ProductImport.into(),
            status: JobStatus::Failed.into(),
            error: "sheet `Materials` missing".into(),
            attempts: 3,
            created_at: Some(now() - chrono::Duration::hours(1)),
            ..Job::default()
        },
        Job {
            id: "JOB-01QUEUE".into(),
            kind: JobKind::ExpiryScan.into(),
            status: JobStatus::Queued.into(),
            created_at: Some(now() - chrono::Duration::hours(2)),
            ..Job::default()
        },
        Job {
            id: "JOB-01DONE".into(),
            kind: JobKind::BulkOrderImport.into(),
            status: JobStatus::Succeeded.into(),
            done: 100,
            total: 100,
            has_report: true,
            message: "97 created, 3 rejected".into(),
            created_at: Some(now() - chrono::Duration::hours(3)),
            ..Job::default()
        },
    ]
}

pub fn stock() -> (Vec<ExpiringBatch>, Vec<LowPackaging>) {
    let b = |product: &str, batch: &str, days: i64, qty: i64| ExpiringBatch {
        product_id: "PROD-002".into(),
        sku: "SKU-002".into(),
        product: product.into(),
        batch: batch.into(),
        exp_date: (now() + chrono::Duration::days(days))
            .format("%Y-%m-%d")
            .to_string(),
        days,
        quantity: Decimal::from(qty),
        warehouse: "WH-KURLA".into(),
    };
    (
        vec![
            b("Frozen Vannamei Prawns 500g", "BATCH-003", 12, 120),
            b("Basa Fillet 1kg", "BATCH-007", 44, 80),
            b("Squid Rings 250g", "BATCH-011", 75, 300),
        ],
        vec![LowPackaging {
            id: "PKG-003".into(),
            name: "Corrugated Cartons 10kg (5-ply)".into(),
            balance: Decimal::from(180),
            moq: Decimal::from(200),
            unit: "pcs".into(),
        }],
    )
}

pub fn customers() -> Vec<CustomerCredit> {
    let d = Decimal::from;
    vec![
        CustomerCredit {
            id: "CUST-001".into(),
            name: "ABC Traders".into(),
            outstanding: d(120000),
            overdue: d(20000),
            limit: Some(d(100000)),
            buckets: [d(80000), d(30000), d(10000)],
            blocked: false,
        },
        CustomerCredit {
            id: "CUST-002".into(),
            name: "Coastal Foods".into(),
            outstanding: d(45000),
            overdue: Decimal::ZERO,
            limit: Some(d(200000)),
            buckets: [d(45000), Decimal::ZERO, Decimal::ZERO],
            blocked: false,
        },
        CustomerCredit {
            id: "CUST-003".into(),
            name: "Metro Mart".into(),
            outstanding: d(5000),
            overdue: d(5000),
            limit: None,
            buckets: [Decimal::ZERO, Decimal::ZERO, d(5000)],
            blocked: false,
        },
    ]
}

pub fn event(kind: &str, topic: &str, data: serde_json::Value, minutes_ago: i64) -> WireEvent {
    WireEvent {
        kind: kind.into(),
        topic: topic.into(),
        data,
        at: Some(now() - chrono::Duration::minutes(minutes_ago)),
    }
}

/// An admin's console with data in every view, live.
pub fn app() -> App {
    let mut app = App::new("http://127.0.0.1:3000", false, now());
    feed(&mut app, Input::Api(ApiResult::LoggedIn(admin())));
    app.message = None;
    feed(
        &mut app,
        Input::Api(ApiResult::Dashboard(Ok(DashboardData {
            stages: vec![
                ("credit_approval".into(), 7),
                ("wh_selection".into(), 3),
                ("packing".into(), 5),
                ("qc".into(), 1),
                ("invoicing".into(), 2),
                ("delivery".into(), 4),
                ("delivered".into(), 12),
                ("closed".into(), 2),
            ],
            recent: orders().iter().filter_map(|o| o.created_at).collect(),
        }))),
    );
    feed(
        &mut app,
        Input::Api(ApiResult::Orders {
            query: Default::default(),
            result: Ok((orders(), nexus_tui::api::ListTotal::exact(7))),
        }),
    );
    feed(&mut app, Input::Api(ApiResult::Jobs(Ok(jobs()))));
    feed(&mut app, Input::Api(ApiResult::Stock(Ok(stock()))));
    feed(&mut app, Input::Api(ApiResult::Credit(Ok(customers()))));
    feed(&mut app, Input::Live(LiveMsg::Connected));
    feed(
        &mut app,
        Input::Live(LiveMsg::Event(event(
            "alert:expiry",
            "alerts",
            json!({"date": "2026-02-12", "bucket": "within30", "count": 1, "batches": [
                {"productName": "Frozen Vannamei Prawns 500g", "batchNumber": "BATCH-003", "daysToExpiry": 12}
            ]}),
            5,
        ))),
    );
    feed(
        &mut app,
        Input::Live(LiveMsg::Event(event(
            "order:status-changed",
            "orders",
            json!({"orderId": "ORD-002", "oldStatus": "Pending Credit Approval", "newStatus": "Pending WH Selection"}),
            3,
        ))),
    );
    app.message = None;
    app
}

pub fn feed(app: &mut App, input: Input) {
    let _ = app.handle(input);
}

pub fn keys(app: &mut App, keys: &[Key]) {
    for k in keys {
        feed(app, Input::Key(*k));
    }
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        feed(app, Input::Key(Key::Char(c)));
    }
}

/// Draws the app at `w`×`h` and returns the screen as text, one line per row.
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    feed(app, Input::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| nexus_tui::views::render(app, f)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn aging() -> Aging {
    let d = Decimal::from;
    Aging {
        customer_id: "CUST-001".into(),
        exposure: d(125285),
        open_orders: d(5285),
        limit: Some(d(100000)),
        headroom: Some(d(-25285)),
        over_limit: true,
        label: "31-90 days".into(),
        buckets: vec![
            ("0 to 7".into(), d(80000)),
            ("30 to 45".into(), d(30000)),
            (">180".into(), d(10000)),
        ],
    }
}
