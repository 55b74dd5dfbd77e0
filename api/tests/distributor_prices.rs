//! Distributor price list (D1–D7): authenticated reads of active entries with literal
//! search, master-data writes, one entry per (distributor, material), price changes audited
//! on PRICE_LIST, soft delete, the template and the queued import.

mod catalog_support;
mod support;

use catalog_support::*;
use nexus_core::model::{AuditAction, DistributorPrice, EntityType, JobKind};
use nexus_core::store::Filter;
use nexus_core::types::Money;
use reqwest::StatusCode;
use serde_json::json;
use support::{Resp, TestApp, count_where, ids, spawn_app, stored};

async fn entry(app: &TestApp, id: &str) -> DistributorPrice {
    stored(app, id).await
}

const PRICES: &str = "/api/distributor-prices";

/// The path of one entry.
fn price(id: &str) -> String {
    format!("{PRICES}/{id}")
}

/// The list as `user`, with a query string (`?search=…`, or empty).
async fn list(app: &TestApp, user: &str, query: &str) -> Resp {
    app.get(user, &format!("{PRICES}{query}")).await
}

async fn seed_prices(app: &TestApp) {
    for body in [
        json!({ "distributorCode": "D1001", "distributorName": "Harbour Foods", "code": "FG-BRD-200",
                "name": "Breaded Fish Fingers 200g", "mrp": 220, "inKg": "0.2", "gstPct": 5,
                "retailerMarginOnMrp": 34, "distMarginOnCost": 10, "distMarginOnMrp": 0,
                "billingRate": 116.29, "category": "Breaded" }),
        json!({ "distributorCode": "D1001", "distributorName": "Harbour Foods", "code": "SKU-002",
                "name": "Frozen Vannamei Prawns 500g", "mrp": 380, "billingRate": 290, "category": "Seafood",
                "materialNumber": "MAT-88002" }),
        json!({ "code": "SKU-003", "name": "Atlantic Salmon Fillet 1kg", "mrp": 1650, "billingRate": 1300,
                "category": "Seafood" }),
    ] {
        let r = app.post("USER-001", PRICES, body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{body}: {}", r.body);
    }
}

#[tokio::test]
async fn create_list_and_get_with_ids_from_the_pair() {
    let app = spawn_app().await;
    seed_prices(&app).await;
    let e = entry(&app, "D1001-FG-BRD-200").await;
    assert_eq!(e.billing_rate, Money::parse("116.29").unwrap());
    assert_eq!(
        e.retailer_margin_on_mrp.points(),
        rust_decimal::Decimal::from(34)
    );
    assert!(e.is_active);
    let no_distributor = entry(&app, "DP-000001").await;
    assert_eq!(no_distributor.code, "SKU-003");
    assert_eq!(
        no_distributor.gst_pct.points(),
        rust_decimal::Decimal::from(5),
        "default GST"
    );
    let a = audits_for(&app, "D1001-FG-BRD-200").await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].action, AuditAction::Create);
    assert_eq!(a[0].entity_type, Some(EntityType::PriceList));

    let r = list(&app, "SALES-001", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Category then name: Breaded, then Seafood (Atlantic before Frozen).
    assert_eq!(
        ids(&r.body),
        vec!["D1001-FG-BRD-200", "DP-000001", "D1001-SKU-002"]
    );
    assert_eq!(r.headers["x-total-count"], "3");
    let r = list(&app, "BILL-001", "?search=mat-88").await;
    assert_eq!(
        ids(&r.body),
        vec!["D1001-SKU-002"],
        "material number searched"
    );
    let r = list(&app, "BILL-001", "?search=harbour").await;
    let n = r.body.as_array().unwrap().len();
    assert_eq!(n, 2, "distributor name searched");
    let r = list(&app, "BILL-001", "?search=.*").await;
    let empty = r.body.as_array().unwrap().is_empty();
    assert!(empty, "literal, not a pattern");
    let r = list(&app, "CREDIT-001", "?category=Seafood").await;
    assert_eq!(ids(&r.body), vec!["DP-000001", "D1001-SKU-002"]);
    let r = list(&app, "CREDIT-001", "?distributorCode=D1001").await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);

    let r = app.get_ok("SALES-001", &price("D1001-SKU-002")).await;
    assert_eq!(r.body["billingRate"], 290);
    let r = app.get("SALES-001", &price("NOPE")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = list(&app, "WH-001", "").await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "warehouse staff do not read prices"
    );
    let r = app.get_with_token(None, PRICES).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "no longer public (D-S8)"
    );
}

#[tokio::test]
async fn one_entry_per_distributor_and_material() {
    let app = spawn_app().await;
    seed_prices(&app).await;
    let again = json!({ "distributorCode": "D1001", "code": "SKU-002", "name": "Prawns again" });
    app.post("USER-001", PRICES, again)
        .await
        .expect_refusal(StatusCode::CONFLICT, "DUPLICATE_PRICE_ENTRY");
    let salmon = json!({ "code": "SKU-003", "name": "Salmon again" });
    let r = app.post("USER-001", PRICES, salmon).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "also without a distributor");
    // The same material for another distributor is a different entry.
    let r = app
        .post(
            "USER-001",
            PRICES,
            json!({ "distributorCode": "D2002", "code": "SKU-002", "name": "Frozen Vannamei Prawns 500g" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["id"], "D2002-SKU-002");
    for bad in [
        json!({ "code": "SKU-9", "name": "X", "gstPct": 101 }),
        json!({ "code": "SKU-9", "name": "X", "billingRate": -5 }),
        json!({ "code": "bad code", "name": "X" }),
        json!({ "code": "SKU-9", "name": " " }),
        json!({ "code": "SKU-9", "name": "X", "isActive": false }),
    ] {
        let r = app.post("USER-001", PRICES, bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let r = app
        .post("SALES-001", PRICES, json!({ "code": "SKU-9", "name": "X" }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn price_changes_are_audited_on_the_price_list() {
    let app = spawn_app().await;
    seed_prices(&app).await;
    let prawns = price("D1001-SKU-002");
    let change = json!({ "billingRate": 299.5, "distMarginOnCost": 8, "materialNumber": null });
    let r = app.patch("USER-001", &prawns, change).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data"]["billingRate"], 299.5);
    let e = entry(&app, "D1001-SKU-002").await;
    assert_eq!(e.billing_rate, Money::parse("299.5").unwrap());
    assert_eq!(e.material_number, None);
    let a = audits_for(&app, "D1001-SKU-002").await.pop().unwrap();
    assert_eq!(a.action, AuditAction::PriceChange);
    assert_eq!(a.entity_type, Some(EntityType::PriceList));
    assert_eq!(a.old_data.as_ref().unwrap()["billingRate"], 290);
    assert_eq!(a.new_data.as_ref().unwrap()["billingRate"], 299.5);

    for bad in [
        json!({ "code": "SKU-X" }),
        json!({ "distributorCode": "D9" }),
        json!({ "isActive": true }),
        json!({ "gstPct": -1 }),
        json!({}),
    ] {
        let r = app.patch("USER-001", &prawns, bad.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    for (who, path, status) in [
        ("CREDIT-001", prawns.clone(), StatusCode::FORBIDDEN),
        ("USER-001", price("NOPE"), StatusCode::NOT_FOUND),
    ] {
        let r = app.patch(who, &path, json!({ "billingRate": 1 })).await;
        assert_eq!(r.status, status);
    }
}

#[tokio::test]
async fn delete_is_soft_and_hides_the_entry_from_the_list() {
    let app = spawn_app().await;
    seed_prices(&app).await;
    let prawns = price("D1001-SKU-002");
    let r = app.delete("SALES-001", &prawns).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app.delete("USER-001", &prawns).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["message"], "Soft-deleted");
    assert!(!entry(&app, "D1001-SKU-002").await.is_active);
    let a = audits_for(&app, "D1001-SKU-002").await.pop().unwrap();
    assert_eq!(a.action, AuditAction::Delete);
    let r = list(&app, "SALES-001", "").await;
    assert!(!ids(&r.body).contains(&"D1001-SKU-002".to_string()));
    let r = app.get_ok("SALES-001", &prawns).await;
    assert_eq!(r.body["isActive"], false);
    let before = audits_for(&app, "D1001-SKU-002").await.len();
    let r = app.delete("USER-001", &prawns).await;
    assert_eq!(r.body["message"], "Already inactive");
    assert_eq!(audits_for(&app, "D1001-SKU-002").await.len(), before);
    let r = app.delete("USER-001", &price("NOPE")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn template_and_import() {
    let app = spawn_app().await;
    let template = price("import-template");
    let file = "Distributor_Price_Template.xlsx";
    let (_, bytes) = get_template(&app, "USER-001", &template, file).await;
    let h = xlsx_headers(&bytes);
    assert_eq!(
        h,
        vec![
            "Code",
            "Name",
            "Material",
            "Material Number",
            "MRP",
            "in Kg",
            "% GST",
            "Retailer Margin On MRP",
            "Dist Margin On Cost",
            "Dist Margin On MRP",
            "Billing Rate"
        ]
    );
    let rows = xlsx_rows(&bytes);
    assert_eq!(rows[0][4], "220");
    assert_eq!(rows[0][7], "34");
    assert_eq!(rows[0][10], "116.29");
    let r = app.get("SALES-001", &template).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    let book = xlsx(
        &h.iter().map(String::as_str).collect::<Vec<_>>(),
        &[&["D1", "A", "M1", "Mat", "10"]],
    );
    let import = price("bulk-import");
    let r = post_file(&app, "USER-001", &import, "prices.xlsx", &book).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let job = queued_job(&app, &r).await;
    assert_eq!(job.kind, JobKind::DistributorPriceImport);
    assert_eq!(job.requested_by, "USER-001");
    assert_eq!(
        count_where::<DistributorPrice>(&app, Filter::All).await,
        0,
        "nothing imported in the request"
    );
    let r = post_file(&app, "BILL-001", &import, "prices.xlsx", &book).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}
