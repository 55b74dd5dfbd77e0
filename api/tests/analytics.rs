//! Analytics through HTTP over the seeded orders: every figure is scoped to the caller, the
//! former mock views compute from real data, exports are real files with escaped cells, and
//! the Tally voucher is valid, balanced, escaped XML.
//!
//! Seeded orders: ORD-001 (SALES-001, Pending Credit Approval), ORD-002 (SALES-002, Pending
//! WH Selection), ORD-003 (SALES-001, Pending Packing), ORD-004 (SALES-001, In Transit with
//! DRV-001), ORD-005 (SALES-002, Delivered by DRV-001), ORD-006 (SALES-002, Cancelled).

mod support;

use nexus_core::model::{AuditAction, AuditLog, InvoiceDetails, Order, OrderStatus, Product};
use nexus_core::store::{Filter, Query, TypedStore};
use nexus_core::types::{Money, Timestamp};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeSet;
use support::{Resp, TestApp, insert, spawn_app, stored, stored_where, strs};

async fn orders(app: &TestApp) -> Vec<Order> {
    app.store.list::<Order>(&Query::all()).await.unwrap()
}

fn sold(o: &Order) -> bool {
    !matches!(
        o.status,
        OrderStatus::Cancelled | OrderStatus::Rejected | OrderStatus::ReturnedToWarehouse
    )
}

fn total_of<'a>(os: impl IntoIterator<Item = &'a Order>) -> f64 {
    os.into_iter()
        .map(|o| o.total)
        .sum::<Money>()
        .round2()
        .to_f64()
}

/// `GET /api/analytics/{what}` as `user` (`what` with its query string).
async fn analytics(app: &TestApp, user: &str, what: &str) -> Resp {
    app.get(user, &format!("/api/analytics/{what}")).await
}

#[tokio::test]
async fn the_dashboard_counts_stages_and_sums_only_the_callers_scope() {
    let app = spawn_app().await;
    let all = orders(&app).await;
    let r = analytics(&app, "USER-001", "dashboard").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    assert_eq!(b["totalOrders"], 6);
    assert_eq!(b["pendingOrders"], 1);
    assert_eq!(b["deliveredOrders"], 1);
    assert_eq!(b["openOrders"], 4);
    assert_eq!(
        b["totalValue"].as_f64().unwrap(),
        total_of(all.iter().filter(|o| sold(o)))
    );
    assert_eq!(
        b["stageCounts"],
        json!({"credit_approval": 1, "wh_selection": 1, "packing": 1, "qc": 0, "logistics_cost": 0,
               "invoicing": 0, "dispatch": 0, "delivery": 1, "delivered": 1, "closed": 1})
    );
    // Month to date is this (IST) month's bookings only, not all time (D-L15).
    let now = chrono::Utc::now() + chrono::Duration::minutes(330);
    let month_start = chrono::NaiveDate::from_ymd_opt(
        chrono::Datelike::year(&now),
        chrono::Datelike::month(&now),
        1,
    )
    .unwrap()
    .and_hms_opt(0, 0, 0)
    .unwrap()
    .and_utc()
        - chrono::Duration::minutes(330);
    let mtd: Vec<&Order> = all
        .iter()
        .filter(|o| sold(o) && o.created_at.unwrap().datetime() >= month_start)
        .collect();
    assert_eq!(b["mtdOrders"], mtd.len());
    assert_eq!(b["mtdRevenue"].as_f64().unwrap(), total_of(mtd));

    // Scope: a salesperson sees their own orders, a warehouse user their queue, a driver
    // their deliveries, a manager the team.
    for (user, n) in [
        ("SALES-001", 3),
        ("SALES-002", 3),
        ("WH-001", 2),
        ("DRV-001", 2),
        ("ASM-001", 6),
    ] {
        let r = app.get(user, "/api/analytics/dashboard").await;
        assert_eq!(r.body["totalOrders"], n, "{user}: {}", r.body);
    }
    let r = analytics(&app, "SALES-001", "dashboard").await;
    let own = all
        .iter()
        .filter(|o| o.salesperson_id.as_deref() == Some("SALES-001"));
    assert_eq!(r.body["totalValue"].as_f64().unwrap(), total_of(own));
}

#[tokio::test]
async fn sales_are_per_salesperson_within_the_team_only() {
    let app = spawn_app().await;
    let all = orders(&app).await;
    let r = analytics(&app, "ASM-001", "sales?salespersonId=SALES-002").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let theirs: Vec<&Order> = all
        .iter()
        .filter(|o| o.salesperson_id.as_deref() == Some("SALES-002") && sold(o))
        .collect();
    assert_eq!(r.body["salespersonId"], "SALES-002");
    assert_eq!(r.body["totalOrders"], 2);
    assert_eq!(r.body["cancelledOrders"], 1);
    assert_eq!(r.body["totalSales"].as_f64().unwrap(), total_of(theirs));
    let r = analytics(&app, "SALES-001", "sales?salespersonId=SALES-002").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = analytics(&app, "SALES-001", "sales?endDate=2020-01-01").await;
    assert_eq!(r.body["totalOrders"], 0);
}

#[tokio::test]
async fn the_sales_hub_has_pipeline_top_customers_and_recent_orders() {
    let app = spawn_app().await;
    let r = analytics(&app, "USER-001", "sales-hub").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    assert_eq!(b["period"], "month");
    assert_eq!(b["metrics"]["completedOrders"], 1);
    assert_eq!(b["metrics"]["pendingOrders"], 4);
    assert_eq!(
        b["pipeline"],
        json!({"newLeads": 1, "negotiation": 0, "inProgress": 3, "closedWon": 1})
    );
    let top = b["topCustomers"].as_array().unwrap();
    assert_eq!(top.len(), 3);
    let values: Vec<f64> = top.iter().map(|c| c["sales"].as_f64().unwrap()).collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
    let recent = b["recentActivity"].as_array().unwrap();
    assert_eq!(recent.len(), 6);
    assert_eq!(recent[0]["id"], "ORD-001", "newest first");
    let r = analytics(&app, "USER-001", "sales-hub?period=year").await;
    assert_eq!(r.body["period"], "year");
    analytics(&app, "USER-001", "sales-hub?period=fortnight")
        .await
        .expect_refusal(StatusCode::BAD_REQUEST, "INVALID_PERIOD");
}

#[tokio::test]
async fn reports_cover_sales_and_inventory_for_stock_readers() {
    let app = spawn_app().await;
    let r = analytics(&app, "SALES-002", "reports?type=sales").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["summary"]["totalOrders"], 2);
    let r = analytics(&app, "WH-001", "reports?type=inventory").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let products: Vec<Product> = stored_where(&app, Filter::ne("isActive", false)).await;
    let value: Money = products
        .iter()
        .map(|p| (p.base_rate() * p.stock.value()).round2())
        .sum();
    assert_eq!(r.body["summary"]["totalProducts"], products.len());
    assert_eq!(
        r.body["summary"]["totalValue"].as_f64().unwrap(),
        value.round2().to_f64()
    );
    let r = analytics(&app, "SALES-001", "reports?type=inventory").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = analytics(&app, "WH-001", "reports?type=other").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

#[tokio::test]
async fn the_category_split_comes_from_the_orders_and_the_product_master() {
    let app = spawn_app().await;
    let r = analytics(&app, "USER-001", "category-split?period=all").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let all = orders(&app).await;
    let lines: Vec<_> = all
        .iter()
        .filter(|o| sold(o))
        .flat_map(|o| o.items.iter())
        .collect();
    let line_total: Money = lines.iter().map(|i| i.total.unwrap()).sum();
    assert_eq!(
        r.body["totalValue"].as_f64().unwrap(),
        line_total.round2().to_f64()
    );
    let products: Vec<Product> = app.store.list(&Query::all()).await.unwrap();
    let expected: BTreeSet<String> = lines
        .iter()
        .map(|i| {
            products
                .iter()
                .find(|p| p.id == i.product_id)
                .and_then(|p| p.category.clone())
                .unwrap()
        })
        .collect();
    let split = r.body["split"].as_array().unwrap();
    let got: BTreeSet<String> = split
        .iter()
        .map(|s| s["category"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, expected);
    let sum: f64 = split.iter().map(|s| s["value"].as_f64().unwrap()).sum();
    assert!((sum - line_total.to_f64()).abs() < 0.01);
    let shares: f64 = split.iter().map(|s| s["share"].as_f64().unwrap()).sum();
    assert!((shares - 100.0).abs() < 0.5, "{shares}");
    assert!(
        split
            .iter()
            .all(|s| s["color"].as_str().unwrap().starts_with('#'))
    );
    let conc = r.body["concentration"].as_array().unwrap();
    assert!(!conc.is_empty() && conc.len() <= 5);
    // A salesperson's split covers only their own orders.
    let r = analytics(&app, "SALES-002", "category-split?period=all").await;
    let theirs: Money = all
        .iter()
        .filter(|o| o.salesperson_id.as_deref() == Some("SALES-002") && sold(o))
        .flat_map(|o| o.items.iter())
        .map(|i| i.total.unwrap())
        .sum();
    assert_eq!(
        r.body["totalValue"].as_f64().unwrap(),
        theirs.round2().to_f64()
    );
}

#[tokio::test]
async fn the_fleet_view_measures_deliveries_vehicles_and_punctuality() {
    let app = spawn_app().await;
    let r = analytics(&app, "USER-001", "fleet").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    // ORD-004 is on the road in MH-04-AB-1234; ORD-005 was delivered a day before its
    // expected date; one active Delivery Team member.
    assert_eq!(
        b["metrics"],
        json!({"coverage": "2 regions", "activeAssets": "1", "successfulDrops": "1", "personnel": "1"})
    );
    assert_eq!(b["details"]["inTransit"], 1);
    assert_eq!(b["details"]["onTimeDeliveries"], 1);
    assert_eq!(b["details"]["lateDeliveries"], 0);
    assert_eq!(b["details"]["onTimeRate"], 100.0);
    assert_eq!(b["details"]["agentsOnRoad"], 1);
    let velocity = b["velocity"].as_array().unwrap();
    assert_eq!(velocity.len(), 5);
    assert!(
        velocity.iter().all(|v| v["drops"] == 0),
        "the delivery was 11 days ago"
    );
    let r = analytics(&app, "USER-001", "fleet?period=week").await;
    assert_eq!(r.body["metrics"]["successfulDrops"], "0");
    // A salesperson without deliveries sees none of the fleet.
    let r = analytics(&app, "SALES-002", "fleet").await;
    assert_eq!(r.body["details"]["inTransit"], 0);
}

#[tokio::test]
async fn order_pms_ranks_salespeople_with_measured_kpis_only() {
    let app = spawn_app().await;
    let r = analytics(&app, "USER-001", "pms?userId=SALES-001&period=all").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let all = orders(&app).await;
    let up = &r.body["userPerformance"];
    assert_eq!(up["userId"], "SALES-001");
    assert_eq!(up["userName"], "Rajesh Kumar");
    assert_eq!(up["orders"], 3);
    assert_eq!(up["completed"], 0);
    assert_eq!(
        up["sales"].as_f64().unwrap(),
        total_of(
            all.iter()
                .filter(|o| o.salesperson_id.as_deref() == Some("SALES-001"))
        )
    );
    // ORD-003 and ORD-004 were credit-approved three hours after booking.
    assert_eq!(r.body["kpis"]["responseTime"], 3.0);
    assert_eq!(r.body["kpis"]["ordersCompleted"], 0);
    assert!(r.body["kpis"].get("customerSatisfaction").is_none());
    let board = r.body["leaderboard"].as_array().unwrap();
    let ids: BTreeSet<_> = board
        .iter()
        .map(|x| x["userId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, BTreeSet::from(["SALES-001", "SALES-002"]));
    assert_eq!(board[0]["rank"], 1);
    let r = analytics(&app, "USER-001", "pms?userId=SALES-001&period=month").await;
    let t = r.body["kpis"]["targetAchievement"].as_f64().unwrap();
    assert!(
        t > 0.0 && t <= 100.0,
        "against the ₹10,00,000 monthly target: {t}"
    );
    let r = analytics(&app, "SALES-001", "pms?userId=SALES-002").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = analytics(&app, "SALES-001", "pms?period=all").await;
    let ids = strs(&r.body["leaderboard"], "userId");
    assert_eq!(ids, ["SALES-001"], "only their own scope");
}

#[tokio::test]
async fn csv_export_quotes_and_neutralises_formulas_and_is_audited() {
    let app = spawn_app().await;
    let mut evil = Order::new("ORD-EVIL", "CUST-001");
    evil.customer_name = Some("=HYPERLINK(\"http://evil.example\",\"x\"), Inc".into());
    evil.salesperson_id = Some("SALES-001".into());
    evil.total = Money::from_rupees(1000);
    insert(&app, &evil).await;

    let r = analytics(&app, "SALES-001", "export?format=csv").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let cd = r.headers["content-disposition"].to_str().unwrap();
    assert!(
        cd.starts_with("attachment; filename=\"sales_report_") && cd.ends_with(".csv\""),
        "{cd}"
    );
    let text = r.body.as_str().unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "Order ID,Customer ID,Customer Name,Status,Salesperson,Sub Total,GST,Total,Created At (IST)"
    );
    assert_eq!(
        lines.len(),
        1 + 4,
        "SALES-001's three orders and the new one"
    );
    let row = lines.iter().find(|l| l.starts_with("ORD-EVIL")).unwrap();
    assert!(
        row.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\"), Inc\""),
        "{row}"
    );
    assert!(
        lines.iter().all(|l| !l.contains("ORD-002")),
        "other salespeople's orders stay out"
    );

    let exports: Vec<AuditLog> = stored_where(&app, Filter::eq("action", "EXPORT")).await;
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].user_id, "SALES-001");
    assert_eq!(exports[0].new_data.as_ref().unwrap()["rows"], 4);
}

#[tokio::test]
async fn xlsx_export_is_a_real_workbook_and_an_unknown_format_is_refused() {
    let app = spawn_app().await;
    let token = app.token("ASM-001").await;
    let res = app
        .http
        .get(app.url("/api/analytics/export?type=sales_report&format=xlsx"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(res.headers()["x-row-count"], "6");
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"PK\x03\x04", "a zip container, not CSV bytes");
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"xl/worksheets/sheet1.xml"));
    assert!(has(b"[Content_Types].xml"));

    let r = analytics(&app, "ASM-001", "export?format=docx")
        .await
        .expect_refusal(StatusCode::BAD_REQUEST, "UNSUPPORTED_FORMAT");
    assert_eq!(
        r.body["error"]["details"]["supported"],
        json!(["csv", "xlsx", "pdf"])
    );
    let r = analytics(&app, "WHM-001", "export?type=inventory&format=csv").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.as_str().unwrap().starts_with("Product ID,SKU,Name"));
}

#[tokio::test]
async fn tally_export_is_balanced_escaped_xml_for_invoiced_orders_only() {
    let app = spawn_app().await;
    let r = app.get_ok("BILL-001", "/api/tally/export/ORD-004").await;
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let xml = r.body.as_str().unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains("<TALLYREQUEST>Import Data</TALLYREQUEST>"));
    assert!(xml.contains("<VOUCHER VCHTYPE=\"Sales\" ACTION=\"Create\">"));
    assert!(xml.contains("<VOUCHERNUMBER>INV-DEMO-004</VOUCHERNUMBER>"));
    assert!(xml.contains("<REFERENCE>ORD-004</REFERENCE>"));
    assert!(xml.contains("<PARTYLEDGERNAME>Coastal Kitchens HoReCa</PARTYLEDGERNAME>"));
    // Kurla (Maharashtra) to Bengaluru (Karnataka): inter-state, so IGST only.
    assert!(xml.contains("<LEDGERNAME>Output IGST</LEDGERNAME>"));
    assert!(!xml.contains("Output CGST"));
    let amounts: Vec<Decimal> = xml
        .split("<AMOUNT>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(amounts.len(), 3);
    assert_eq!(
        amounts.iter().copied().sum::<Decimal>(),
        Decimal::ZERO,
        "balanced"
    );
    let o = stored::<Order>(&app, "ORD-004").await;
    assert_eq!(amounts[0], -o.total.round2().amount());

    app.get("BILL-001", "/api/tally/export/ORD-001")
        .await
        .expect_refusal(StatusCode::CONFLICT, "ORDER_NOT_INVOICED");
    let r = app.get("BILL-001", "/api/tally/export/ORD-404").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // Names are escaped: no way to break out of the element.
    let mut o = Order::new("ORD-XML", "CUST-002");
    o.customer_name = Some("R&D <Foods> \"Pvt\" Ltd".into());
    o.status = OrderStatus::Delivered;
    o.total = Money::from_rupees(1050);
    o.invoice = Some(InvoiceDetails {
        invoice_no: "INV-<1>".into(),
        invoice_date: Some(Timestamp::now()),
        taxable_value: Money::from_rupees(1000),
        cgst: Money::from_rupees(25),
        sgst: Money::from_rupees(25),
        total: Money::from_rupees(1050),
        ..InvoiceDetails::default()
    });
    insert(&app, &o).await;
    let r = app.get_ok("ATL-001", "/api/tally/export/ORD-XML").await;
    let xml = r.body.as_str().unwrap();
    assert!(
        xml.contains(
            "<PARTYLEDGERNAME>R&amp;D &lt;Foods&gt; &quot;Pvt&quot; Ltd</PARTYLEDGERNAME>"
        )
    );
    assert!(xml.contains("<VOUCHERNUMBER>INV-&lt;1&gt;</VOUCHERNUMBER>"));
    assert!(xml.contains("<AMOUNT>1000.00</AMOUNT>"));
    assert!(xml.contains("<LEDGERNAME>Output CGST</LEDGERNAME>"));

    let filter = Filter::and([
        Filter::eq("action", "EXPORT"),
        Filter::eq("entityType", "INVOICE"),
    ]);
    let exports: Vec<AuditLog> = stored_where(&app, filter).await;
    assert_eq!(exports.len(), 2);
    assert!(exports.iter().all(|a| a.action == AuditAction::Export));
}
