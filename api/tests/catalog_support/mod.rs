//! Helpers shared by the catalogue tests (customers, products, distributor prices,
//! uploads, warehouses): multipart bodies, small files of each type, and reading back the
//! audit entries a call wrote.
#![allow(dead_code)]

use crate::support::{Resp, TestApp};
use nexus_core::model::{AuditLog, JobRecord};
use nexus_core::store::{Filter, Query, TypedStore};

pub const BOUNDARY: &str = "----nexus-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart/form-data body with one part per `(field, file name, bytes)`.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, file_name, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file_name {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{field}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{field}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// POSTs a multipart body as `user` (or anonymously).
pub async fn post_multipart(app: &TestApp, user: Option<&str>, path: &str, body: Vec<u8>) -> Resp {
    post_multipart_with(app, user, path, body, &[]).await
}

/// As [`post_multipart`], with extra request headers.
pub async fn post_multipart_with(
    app: &TestApp,
    user: Option<&str>,
    path: &str,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> Resp {
    let mut req = app.http.post(app.url(path)).header(
        "content-type",
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(u) = user {
        req = req.bearer_auth(app.token(u).await);
    }
    into_resp(req.body(body).send().await.unwrap()).await
}

/// POSTs one file as the multipart field `file` (imports, uploads) as `user`.
pub async fn post_file(
    app: &TestApp,
    user: &str,
    path: &str,
    file_name: &str,
    bytes: &[u8],
) -> Resp {
    post_multipart(
        app,
        Some(user),
        path,
        multipart(&[("file", Some(file_name), bytes)]),
    )
    .await
}

/// The job record a queued request (`202 {jobId}`) answered with.
pub async fn queued_job(app: &TestApp, r: &Resp) -> JobRecord {
    let id = r.body["jobId"]
        .as_str()
        .unwrap_or_else(|| panic!("no jobId: {}", r.body));
    app.store
        .get(Filter::id(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no job record {id}"))
}

/// A raw GET without a token (signed file URLs).
pub async fn get_raw(
    app: &TestApp,
    path_and_query: &str,
) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let res = app.http.get(app.url(path_and_query)).send().await.unwrap();
    raw_parts(res).await
}

/// A raw response's status, headers and body bytes.
async fn raw_parts(
    res: reqwest::Response,
) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let status = res.status();
    let headers = res.headers().clone();
    (status, headers, res.bytes().await.unwrap().to_vec())
}

/// A GET as `user` returning the raw bytes (workbook downloads).
pub async fn get_bytes(
    app: &TestApp,
    user: &str,
    path: &str,
) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let res = app
        .http
        .get(app.url(path))
        .bearer_auth(app.token(user).await)
        .send()
        .await
        .unwrap();
    raw_parts(res).await
}

/// Downloads an import template as `user`: asserts 200 and that it is offered as
/// `file_name`; its headers and the workbook's bytes.
pub async fn get_template(
    app: &TestApp,
    user: &str,
    path: &str,
    file_name: &str,
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let (status, headers, bytes) = get_bytes(app, user, path).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains(file_name), "{disposition}");
    (headers, bytes)
}

pub async fn into_resp(res: reqwest::Response) -> Resp {
    crate::support::into_resp(res).await
}

pub fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(b"\x00\x00\x00\rIHDR fake image body");
    v
}

pub fn jpeg() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0];
    v.extend_from_slice(b"JFIF fake jpeg body");
    v
}

pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec()
}

/// A real (small) xlsx workbook with the given header row and rows of text.
pub fn xlsx(headers: &[&str], rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The header row of the first sheet of a workbook.
pub fn xlsx_headers(bytes: &[u8]) -> Vec<String> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .next()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .unwrap_or_default()
}

/// The rows (after the header) of the first sheet.
pub fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .skip(1)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// Audit entries about one entity, oldest first.
pub async fn audits_for(app: &TestApp, entity_id: &str) -> Vec<AuditLog> {
    app.store
        .list::<AuditLog>(&Query::new(Filter::eq("entityId", entity_id)).sort_asc("timestamp"))
        .await
        .unwrap()
}
