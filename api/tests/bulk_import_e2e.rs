//! The bulk-order import end to end, as a salesperson lives it: upload a workbook over HTTP,
//! watch the job's progress and the new orders arrive over the WebSocket, download the error
//! report of the rejected rows, and upload the same file again without creating duplicates;
//! and a master import of the old system's real material master through the same path.

mod catalog_support;
mod support;

use base64::Engine as _;
use calamine::{Data, Reader, Xlsx};
use nexus_tests::workbook::{Line, bulk_orders};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Cursor;
use support::ws_client::{open_as, subscribe, until_finished};
use support::{TestApp, quick_jobs, spawn_app_with_workers};

async fn upload(app: &TestApp, bytes: &[u8]) -> String {
    let r = app
        .post(
            "SALES-001",
            "/api/orders/bulk",
            json!({
                "excelData": base64::engine::general_purpose::STANDARD.encode(bytes),
                "fileName": "march-orders.xlsx",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    r.job_id()
}

#[tokio::test]
async fn an_uploaded_workbook_streams_progress_to_a_finished_report() {
    let app = spawn_app_with_workers(&quick_jobs(&[("NEXUS_EXPIRY_SCAN_CRON", "off")])).await;
    let (mut ws, _) = open_as(&app, "SALES-001").await;
    subscribe(&mut ws, &["jobs", "orders"]).await;

    let file = bulk_orders(&[
        // Order A: two lines for CUST-001.
        Line::new("CUST-001", "SKU-001", "10").order_ref("A"),
        Line::new("CUST-001", "SKU-002", "4").order_ref("A"),
        // Order B: CUST-002, numbers stored as text with padding.
        Line::new("CUST-002", " SKU-002 ", "  3 ").order_ref("B"),
        // Rejected rows, each for its own reason; one carries a formula-looking remark.
        Line::new("CUST-404", "SKU-001", "1")
            .order_ref("C")
            .remarks("=HYPERLINK(\"http://evil\",\"x\")"),
        Line::new("CUST-002", "SKU-999", "1").order_ref("D"),
        Line::new("CUST-002", "SKU-001", "0").order_ref("E"),
    ]);
    let job_id = upload(&app, &file).await;

    let events = until_finished(&mut ws, &job_id).await;
    let finished = events.last().unwrap();
    assert_eq!(finished["data"]["status"], "succeeded", "{finished}");
    let result = &finished["data"]["result"];
    assert_eq!(result["ordersCreated"], 2, "{result}");
    assert_eq!(result["totalRows"], 6);
    assert_eq!(result["imported"], 3);
    assert_eq!(result["rejected"], 3);
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "job:progress" && e["data"]["status"] == "running"),
        "{events:#?}"
    );
    // Both new orders were announced, before the job's end, to their salesperson.
    let created: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "order:created")
        .collect();
    assert_eq!(created.len(), 2, "{events:#?}");
    for e in &created {
        assert_eq!(e["data"]["salespersonId"], "SALES-001");
    }

    // Each imported order has its credit insight job queued (issue #10).
    let insight_jobs: Vec<nexus_core::model::JobRecord> = support::stored_where(
        &app,
        nexus_core::store::Filter::eq("kind", "credit_insight"),
    )
    .await;
    let mut insight_orders: Vec<&str> = insight_jobs
        .iter()
        .filter_map(|j| j.input.as_ref()?["orderId"].as_str())
        .collect();
    insight_orders.sort_unstable();
    let mut created_ids: Vec<&str> = result["orderIds"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    created_ids.sort_unstable();
    assert_eq!(insight_orders, created_ids);

    // The orders exist with server pricing: per-line GST, totals from the lines.
    for id in result["orderIds"].as_array().unwrap() {
        let o = app
            .get(
                "SALES-001",
                &format!("/api/orders/{}", id.as_str().unwrap()),
            )
            .await;
        assert_eq!(o.status, StatusCode::OK);
        assert_eq!(o.body["isBulkUpload"], true, "{}", o.body);
        let items = o.body["items"].as_array().unwrap();
        assert!(!items.is_empty());
        let total = o.body["total"].as_f64().unwrap();
        assert!(total > 0.0, "{}", o.body);
    }

    // The report: the rejected rows with their original cells and a reason, as text.
    let link = app
        .get("SALES-001", &format!("/api/jobs/{job_id}/report"))
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    let url = link.body["data"]["url"].as_str().unwrap();
    let bytes = app
        .http
        .get(app.url(url))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let name = wb.sheet_names()[0].clone();
    let sheet = wb.worksheet_range(&name).unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = &rows[0];
    let reason_col = header
        .iter()
        .position(|h| h.eq_ignore_ascii_case("reason"))
        .unwrap_or_else(|| panic!("no Reason column: {header:?}"));
    assert_eq!(rows.len(), 4, "three rejected rows: {rows:?}");
    let text = rows[1..]
        .iter()
        .map(|r| r[reason_col].to_lowercase())
        .collect::<Vec<_>>()
        .join(" | ");
    for needle in ["cust-404", "sku-999", "quantity"] {
        assert!(text.contains(needle), "`{needle}` in reasons: {text}");
    }
    // The formula-looking remark came back as text, never as a formula.
    let formula_cell = sheet
        .used_cells()
        .find(|(_, _, c)| c.to_string().contains("HYPERLINK"))
        .map(|(_, _, c)| c.clone())
        .expect("the remark is in the report");
    assert!(matches!(formula_cell, Data::String(_)), "{formula_cell:?}");
    let formulas = wb.worksheet_formula(&name).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formulas in the report"
    );

    // The same file again: nothing new, everything reported as already imported.
    let again = upload(&app, &file).await;
    let events = until_finished(&mut ws, &again).await;
    let result = &events.last().unwrap()["data"]["result"];
    assert_eq!(result["ordersCreated"], 0, "{result}");
    assert_eq!(result["alreadyImported"], 2, "{result}");
    assert!(!events.iter().any(|e| e["type"] == "order:created"));
}

#[tokio::test]
async fn a_file_that_is_not_the_bulk_sheet_fails_with_a_clear_message() {
    let app = spawn_app_with_workers(&[("NEXUS_EXPIRY_SCAN_CRON", "off")]).await;
    let (mut ws, _) = open_as(&app, "SALES-001").await;
    subscribe(&mut ws, &["jobs"]).await;
    // A workbook, but with no sheet that has the bulk-order headers.
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet()
        .write_string(0, 0, "Something else")
        .unwrap();
    let job_id = upload(&app, &wb.save_to_buffer().unwrap()).await;
    let events = until_finished(&mut ws, &job_id).await;
    let finished = events.last().unwrap();
    assert_eq!(finished["data"]["status"], "failed", "{finished}");
    assert_eq!(finished["data"]["attempts"], 1, "bad input is not retried");
    let error = finished["data"]["error"].as_str().unwrap();
    assert!(error.to_lowercase().contains("sheet"), "{error}");
}

/// The old system's material master (518 rows, 24 codes twice, one `NA` code), uploaded
/// through the product import route and run by the in-process worker.
#[tokio::test]
async fn the_old_material_master_imports_through_the_job_with_a_report() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/upstream/backend_seed.xlsx"
    );
    let book = std::fs::read(path).unwrap_or_else(|e| {
        panic!("the upstream fixture {path} is needed (../shared next to the repository): {e}")
    });
    let app = spawn_app_with_workers(&[("NEXUS_EXPIRY_SCAN_CRON", "off")]).await;
    let (mut ws, _) = open_as(&app, "USER-001").await;
    subscribe(&mut ws, &["jobs"]).await;
    // This client follows the job live, so it asks not to be kept waiting (RFC 7240).
    let r = catalog_support::post_multipart_with(
        &app,
        Some("USER-001"),
        "/api/products/bulk-import",
        catalog_support::multipart(&[("file", Some("seed.xlsx"), &book)]),
        &[("prefer", "respond-async")],
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let job_id = r.job_id();
    let events = until_finished(&mut ws, &job_id).await;
    let finished = events.last().unwrap();
    assert_eq!(finished["data"]["status"], "succeeded", "{finished}");
    let result = &finished["data"]["result"];
    assert_eq!(result["totalRows"], 518, "{result}");
    // The 48 rows of the 24 duplicated codes and the `NA` row are reported, not merged.
    assert_eq!(result["rejected"], 49, "{result}");
    assert_eq!(result["created"], 469, "{result}");
    let link = app
        .get("USER-001", &format!("/api/jobs/{job_id}/report"))
        .await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    // The first product of the sheet, readable through the API; a duplicated code is not.
    let first = app.get("USER-001", "/api/products/2004643").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["skuCode"], "2004643");
    let duplicated = app.get("USER-001", "/api/products/2006853").await;
    assert_eq!(duplicated.status, StatusCode::NOT_FOUND);
}
