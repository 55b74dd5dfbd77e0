//! Orders: booking with server pricing, scope on reads, the last rate, edits that only touch
//! what they may (mass assignment, D-S5), and legacy data read through the same code.

mod support;

use nexus_core::model::{AuditLog, Customer, Order, OrderStatus};
use nexus_core::store::{Filter, UpdateOp, Write};
use reqwest::StatusCode;
use serde_json::json;
use support::{count_where, ids, insert_raw, legacy_hold_order, spawn_app, stored, stored_where};

#[tokio::test]
async fn booking_prices_lines_with_each_products_gst_and_splits_intra_state() {
    let app = spawn_app().await;
    // PROD-001 at the customer's last rate (450, 5 %), PROD-004 at a negotiated 100 (12 %).
    let r = app
        .post(
            "SALES-001",
            "/api/orders",
            json!({
                "customerId": "CUST-001",
                "items": [
                    {"productId": "PROD-001", "quantity": 10},
                    {"skuCode": "SKU-004", "quantity": 5, "price": 100, "boxCount": 2}
                ],
                "remarks": "Urgent",
                "salesPhotos": ["photos/po-1.jpg"]
            }),
        )
        .await
        .expect_success(StatusCode::CREATED);
    let o = &r.body["data"];
    let id = o["id"].as_str().unwrap();
    assert!(id.starts_with("ORD-") && id.len() == 10, "{id}");
    assert_eq!(o["status"], "Pending Credit Approval");
    assert_eq!(o["salespersonId"], "SALES-001");
    assert_eq!(o["customerName"], "ABC Traders");
    assert_eq!(o["subTotal"], 5000);
    assert_eq!(o["gstAmount"], 285);
    assert_eq!(o["total"], 5285);
    assert_eq!(o["cgst"], 142.5);
    assert_eq!(o["sgst"], 142.5);
    assert_eq!(o["igst"], 0);
    assert_eq!(o["items"][0]["price"], 450);
    assert_eq!(o["items"][0]["prevRate"], 450);
    assert_eq!(o["items"][1]["gstRate"], 12);
    assert_eq!(
        o["items"][1]["total"], 500,
        "boxCount is not a multiplier (D-L8)"
    );
    assert_eq!(o["statusHistory"][0]["actorId"], "SALES-001");
    assert_eq!(o["statusHistory"][0]["actorRole"], "Sales");

    let stored: Order = stored(&app, id).await;
    assert_eq!(stored.status, OrderStatus::PendingCreditApproval);
    assert_eq!(stored.total.amount().to_string(), "5285");
    assert_eq!(stored.sales_photos, vec!["photos/po-1.jpg".to_string()]);
    assert!(!stored.stock_reserved);
    let audits: Vec<AuditLog> = stored_where(
        &app,
        Filter::and([Filter::eq("entityId", id), Filter::eq("action", "CREATE")]),
    )
    .await;
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].user_id, "SALES-001");
}

#[tokio::test]
async fn inter_state_delivery_is_igst() {
    let app = spawn_app().await;
    // CUST-002 is in Delhi; goods ship from Maharashtra.
    let r = app
        .post(
            "SALES-002",
            "/api/orders",
            json!({"customerId": "CUST-002", "items": [{"productId": "PROD-003", "quantity": 2, "price": 1000}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let o = &r.body["data"];
    assert_eq!(o["placeOfSupply"], "Delhi");
    assert_eq!(o["igst"], 100);
    assert_eq!(o["cgst"], 0);
    assert_eq!(o["total"], 2100);
}

#[tokio::test]
async fn booking_refuses_client_totals_status_and_unknown_things() {
    let app = spawn_app().await;
    // A client total (the old app sends its own) is read, never trusted: the order carries
    // the server's figures.
    let r = app
        .post(
            "SALES-001",
            "/api/orders",
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-001", "quantity": 1}], "total": 1, "subTotal": 1, "gstAmount": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["data"]["total"], json!(472.5));
    assert_eq!(r.body["data"]["subTotal"], json!(450));
    let stored: Order = stored(&app, r.body["data"]["id"].as_str().unwrap()).await;
    assert_eq!(stored.total.amount().to_string(), "472.5");
    for (body, code) in [
        (
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-001", "quantity": 1}], "status": "Delivered"}),
            "VALIDATION_FAILED",
        ),
        (
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-001", "quantity": 1}], "salespersonId": "SALES-002"}),
            "VALIDATION_FAILED",
        ),
        (
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-001", "quantity": 1}], "id": "ORD-999"}),
            "VALIDATION_FAILED",
        ),
        (
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-001", "quantity": 1, "total": 5}]}),
            "VALIDATION_FAILED",
        ),
        (
            json!({"customerId": "CUST-404", "items": [{"productId": "PROD-001", "quantity": 1}]}),
            "UNKNOWN_CUSTOMER",
        ),
        (
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-404", "quantity": 1}]}),
            "UNKNOWN_PRODUCT",
        ),
        (
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-001", "quantity": 0}]}),
            "INVALID_QUANTITY",
        ),
        (
            json!({"customerId": "CUST-001", "items": []}),
            "INVALID_ITEMS",
        ),
    ] {
        let r = app.post("SALES-001", "/api/orders", body.clone()).await;
        r.expect_error(StatusCode::UNPROCESSABLE_ENTITY, code, &body);
    }
    let n = count_where::<Order>(&app, Filter::All).await;
    assert_eq!(n, 7, "nothing was created but the one order above");
}

#[tokio::test]
async fn a_blocked_customer_cannot_be_booked() {
    let app = spawn_app().await;
    app.store
        .commit(vec![Write::update_one::<Customer>(
            Filter::id("CUST-003"),
            vec![UpdateOp::Set("isBlocked".into(), json!(true))],
        )])
        .await
        .unwrap();
    app.post(
        "SALES-001",
        "/api/orders",
        json!({"customerId": "CUST-003", "items": [{"productId": "PROD-001", "quantity": 1}]}),
    )
    .await
    .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "CUSTOMER_BLOCKED");
}

#[tokio::test]
async fn lists_are_scoped_by_hierarchy_queue_and_delivery_agent() {
    let app = spawn_app().await;
    let own = app.get_ok("SALES-001", "/api/orders").await;
    let mut got = ids(&own.body);
    got.sort();
    assert_eq!(got, ["ORD-001", "ORD-003", "ORD-004"]);
    assert_eq!(own.headers["x-total-count"], "3");

    let other = app.get("SALES-002", "/api/orders").await;
    let got = ids(&other.body);
    assert!(!got.contains(&"ORD-001".to_string()), "{got:?}");

    // ASM-001 manages both salespeople: the whole team's orders.
    let team = app.get("ASM-001", "/api/orders?limit=100").await;
    assert_eq!(ids(&team.body).len(), 6);

    // Warehouse staff see their queue; the driver only the deliveries assigned to them.
    let mut wh = ids(&app.get("WH-001", "/api/orders").await.body);
    wh.sort();
    assert_eq!(wh, ["ORD-002", "ORD-003"]);
    assert_eq!(
        ids(&app.get("DRV-001", "/api/orders").await.body),
        ["ORD-004", "ORD-005"]
    );

    // Newest first.
    let all = ids(&app.get("USER-001", "/api/orders").await.body);
    assert_eq!(all.first().map(String::as_str), Some("ORD-001"));

    let r = app.get("PROC-001", "/api/orders").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn filters_accept_legacy_status_names_and_literal_search() {
    let app = spawn_app().await;
    let r = app
        .get("USER-001", "/api/orders?status=Credit%20Approved")
        .await;
    assert_eq!(
        ids(&r.body),
        ["ORD-002"],
        "Credit Approved = Pending WH Selection"
    );
    let r = app.get("USER-001", "/api/orders?q=coastal").await;
    let mut got = ids(&r.body);
    got.sort();
    assert_eq!(got, ["ORD-004", "ORD-006"]);
    // Regex metacharacters are literal text (D-S12).
    let r = app.get_ok("USER-001", "/api/orders?q=.*").await;
    assert!(ids(&r.body).is_empty());
    let r = app
        .get(
            "USER-001",
            "/api/orders?customerId=CUST-002&status=Delivered",
        )
        .await;
    assert_eq!(ids(&r.body), ["ORD-005"]);
    let r = app.get("USER-001", "/api/orders?status=Nonsense").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = app
        .get("USER-001", "/api/orders?from=2000-01-01&to=2000-01-02")
        .await;
    assert!(ids(&r.body).is_empty());
    let r = app
        .get("USER-001", "/api/orders?isClearance=false&limit=2&page=2")
        .await;
    assert_eq!(r.headers["x-total-count"], "6");
    assert_eq!(r.headers["x-page"], "2");
    assert_eq!(ids(&r.body).len(), 2);
}

#[tokio::test]
async fn one_order_is_404_outside_the_callers_scope() {
    let app = spawn_app().await;
    let r = app.get("SALES-001", "/api/orders/ORD-001").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.get("SALES-002", "/api/orders/ORD-001")
        .await
        .expect_refusal(StatusCode::NOT_FOUND, "ORDER_NOT_FOUND");
    let r = app.get("ASM-001", "/api/orders/ORD-001").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.get("SALES-001", "/api/orders/ORD-999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn last_rate_is_the_newest_non_cancelled_order_in_scope() {
    let app = spawn_app().await;
    let r = app
        .get_ok("SALES-001", "/api/orders/last-rate/CUST-001/SKU-001")
        .await;
    assert_eq!(r.body, json!({"rate": 450}));
    let r = app
        .post(
            "SALES-001",
            "/api/orders",
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-001", "quantity": 1, "price": 430}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .get("SALES-001", "/api/orders/last-rate/CUST-001/SKU-001")
        .await;
    assert_eq!(r.body, json!({"rate": 430}));
    // CUST-003's only rice order (ORD-006) is cancelled.
    let r = app
        .get("USER-001", "/api/orders/last-rate/CUST-003/SKU-001")
        .await;
    assert_eq!(r.body, json!({"rate": 0}));
    // SALES-002 cannot learn SALES-001's rates.
    let r = app
        .get("SALES-002", "/api/orders/last-rate/CUST-001/SKU-001")
        .await;
    assert_eq!(r.body, json!({"rate": 0}));
}

#[tokio::test]
async fn legacy_documents_with_old_status_names_read_and_list() {
    let app = spawn_app().await;
    // A legacy order as the old server stored it: `Hold`, no orderType, no _rev.
    let legacy = vec![legacy_hold_order()];
    insert_raw(&app, nexus_core::store::Collection::Orders, legacy).await;
    let r = app.get_ok("SALES-001", "/api/orders/ORD-482913").await;
    assert_eq!(r.body["status"], "On Hold");
    let r = app.get("CREDIT-001", "/api/orders?status=On%20Hold").await;
    assert_eq!(ids(&r.body), ["ORD-482913"]);
}

/// Counting is what grows with history, so a list counts to the end of its page and 1,000
/// rows beyond, then reports a lower bound and says so; small lists stay exact. A browser
/// client can read all of it (CORS exposes the paging headers).
#[tokio::test]
async fn long_lists_count_to_a_bound_and_say_when_the_total_is_a_lower_bound() {
    let app = spawn_app().await;
    let mut template = serde_json::to_value(stored::<Order>(&app, "ORD-001").await).unwrap();
    // MongoDB's own key comes back with the document; each copy gets a fresh one.
    template.as_object_mut().unwrap().remove("_id");
    let history: Vec<_> = (1..=1_100)
        .map(|n| {
            let mut doc = template.clone();
            doc["id"] = json!(format!("ORD-H{n:05}"));
            doc["customerId"] = json!("CUST-002");
            doc["status"] = json!("Delivered");
            doc
        })
        .collect();
    insert_raw(&app, nexus_core::store::Collection::Orders, history).await;
    let all = count_where::<Order>(&app, nexus_core::store::Filter::All).await;
    assert!(all > 1_100, "{all}");

    let r = app.get("USER-001", "/api/orders?limit=50").await;
    assert_eq!(r.headers["x-total-count"], "1050");
    assert_eq!(r.headers["x-total-count-exact"], "false");
    assert_eq!(ids(&r.body).len(), 50);
    let r = app.get("USER-001", "/api/orders?limit=50&page=2").await;
    assert_eq!(r.headers["x-total-count"], "1100");
    assert_eq!(r.headers["x-total-count-exact"], "false");
    // Deep enough that the bound passes the end: the exact figure again.
    let r = app.get("USER-001", "/api/orders?limit=500&page=3").await;
    assert_eq!(r.headers["x-total-count"], all.to_string().as_str());
    assert_eq!(r.headers["x-total-count-exact"], "true");
    assert_eq!(ids(&r.body).len() as u64, all - 1_000);
    // A filter that matches few counts them exactly.
    let r = app
        .get("USER-001", "/api/orders?customerId=CUST-001&limit=50")
        .await;
    let own = count_where::<Order>(
        &app,
        nexus_core::store::Filter::eq("customerId", "CUST-001"),
    )
    .await;
    assert_eq!(r.headers["x-total-count"], own.to_string().as_str());
    assert_eq!(r.headers["x-total-count-exact"], "true");

    let origin = app.state.config.allowed_origins[0].clone();
    let res = app
        .http
        .get(app.url("/api/orders?limit=1"))
        .bearer_auth(app.token("USER-001").await)
        .header("origin", &origin)
        .send()
        .await
        .unwrap();
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for h in ["x-total-count", "x-total-count-exact", "x-page", "x-limit"] {
        assert!(exposed.contains(h), "{h} not exposed: {exposed}");
    }
}
