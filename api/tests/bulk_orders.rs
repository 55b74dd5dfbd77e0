//! The bulk-order template (seed-tasks TASK 3 curl 3) and the upload that queues a job.

mod support;

use base64::Engine as _;
use calamine::{Reader, Xlsx};
use nexus_core::blob::BlobKey;
use nexus_core::model::{JobKind, JobRecord, JobStatus};
use nexus_core::store::Filter;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::io::Cursor;
use support::{TestApp, audits, count_where, spawn_app, stored};

async fn download(app: &TestApp, user: &str) -> reqwest::Response {
    let token = app.token(user).await;
    app.http
        .get(app.url("/api/orders/bulk/template"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_template_is_the_documented_workbook() {
    let app = spawn_app().await;
    // Exactly the curl of seed-tasks TASK 3: admin token, GET, save as template.xlsx.
    let res = download(&app, "USER-001").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("NexusOMS_BulkOrder_Template.xlsx")
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["Bulk Orders", "Instructions"]);
    let sheet = wb.worksheet_range("Bulk Orders").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        header,
        [
            "Customer ID",
            "SKU Code",
            "Quantity",
            "Applied Rate (Optional)",
            "Remarks (Optional)",
            "Order Ref (Optional)"
        ]
    );
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .skip(1)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 2, "two sample rows");
    assert_eq!(rows[0][..4], ["CUST-001", "SKU-001", "10", "450"]);
    assert_eq!(rows[1][3], "", "the second sample has no rate");
    let ins = wb.worksheet_range("Instructions").unwrap();
    let text: Vec<String> = ins.rows().map(|r| r[0].to_string()).collect();
    assert_eq!(text[0], "Field");
    assert!(text.iter().any(|t| t.contains("No row limit")));

    assert_eq!(download(&app, "SALES-001").await.status(), StatusCode::OK);
    assert_eq!(
        download(&app, "WH-001").await.status(),
        StatusCode::FORBIDDEN
    );
}

/// A genuine (small) workbook: the upload checks the content is an xlsx; parsing it is the
/// worker's job.
fn workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Bulk Orders").unwrap();
    ws.write_string(0, 0, "Customer ID").unwrap();
    ws.write_string(1, 0, "CUST-001").unwrap();
    wb.save_to_buffer().unwrap()
}

async fn job(app: &TestApp, id: &str) -> JobRecord {
    stored(app, id).await
}

#[tokio::test]
async fn a_multipart_upload_is_stored_privately_and_queued() {
    let app = spawn_app().await;
    let template = download(&app, "USER-001")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let token = app.token("SALES-001").await;
    let form = Form::new().part(
        "file",
        Part::bytes(template.clone()).file_name("../../orders March.xlsx"),
    );
    let res = app
        .http
        .post(app.url("/api/orders/bulk"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["success"], true);
    assert_eq!(body["status"], "queued");
    let id = body["jobId"].as_str().unwrap();

    let j = job(&app, id).await;
    assert_eq!(j.kind, JobKind::BulkOrderImport);
    assert_eq!(j.status, JobStatus::Queued);
    assert_eq!(j.requested_by, "SALES-001");
    let input = j.input.unwrap();
    assert_eq!(
        input["fileName"], "orders March.xlsx",
        "display name only, no path"
    );
    assert_eq!(input["size"], template.len());
    let key = input["blobKey"].as_str().unwrap();
    assert!(key.starts_with("imports/bulk-orders/") && !key.contains(".."));
    let stored = app
        .state
        .blobs
        .get(&BlobKey::parse(key).unwrap())
        .await
        .unwrap();
    assert_eq!(stored.bytes, template, "kept as a private blob");
    let sha = input["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert_eq!(audits(&app, "BULK_UPLOAD", id).await.len(), 1);
}

#[tokio::test]
async fn the_legacy_json_upload_still_works() {
    let app = spawn_app().await;
    let data = base64::engine::general_purpose::STANDARD.encode(workbook());
    let r = app
        .post("SALES-001", "/api/orders/bulk", json!({"excelData": format!("data:application/octet-stream;base64,{data}"), "fileName": "bulk.xlsx"}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let j = job(&app, r.body["jobId"].as_str().unwrap()).await;
    assert_eq!(j.input.unwrap()["fileName"], "bulk.xlsx");
}

#[tokio::test]
async fn uploads_that_are_not_workbooks_are_refused() {
    let app = spawn_app().await;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    app.post(
        "SALES-001",
        "/api/orders/bulk",
        json!({"excelData": b64(b"%PDF-1.7 not a workbook")}),
    )
    .await
    .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "NOT_AN_XLSX");
    // A zip that is not a workbook is not enough either.
    let r = app
        .post(
            "SALES-001",
            "/api/orders/bulk",
            json!({"excelData": b64(b"PK\x03\x04just a zip")}),
        )
        .await;
    assert_eq!(r.body["error"]["code"], "NOT_AN_XLSX");
    let r = app
        .post("SALES-001", "/api/orders/bulk", json!({"excelData": ""}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = app
        .post("SALES-001", "/api/orders/bulk", json!({"excelData": "***"}))
        .await;
    assert_eq!(r.body["error"]["code"], "INVALID_BASE64");
    // The legacy client's `{orders: […]}` body is a shape error, not a 500 (§7).
    let r = app
        .post("SALES-001", "/api/orders/bulk", json!({"orders": []}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Over 10 MiB.
    let mut big = b"PK\x03\x04".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b'x');
    let token = app.token("SALES-001").await;
    let res = app
        .http
        .post(app.url("/api/orders/bulk"))
        .bearer_auth(&token)
        .multipart(Form::new().part("file", Part::bytes(big).file_name("big.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let res = app
        .http
        .post(app.url("/api/orders/bulk"))
        .bearer_auth(&token)
        .multipart(Form::new().text("note", "no file"))
        .send()
        .await
        .unwrap();
    // A part the form does not have is named, not skipped.
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = res.json().await.unwrap();
    assert_eq!(refused["error"]["details"]["field"], "note");
    let res = app
        .http
        .post(app.url("/api/orders/bulk"))
        .bearer_auth(&token)
        .multipart(Form::new())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        count_where::<JobRecord>(&app, Filter::ne("id", nexus_core::seed::DEMO_JOB_ID)).await,
        0
    );
    let r = app
        .post(
            "CREDIT-001",
            "/api/orders/bulk",
            json!({"excelData": b64(&workbook())}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}
