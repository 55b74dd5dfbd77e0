//! Uploads (F1 photo, F2 proof of delivery) and signed downloads: private blobs under
//! server-chosen keys, type by content, size caps, signatures that expire, no traversal.

mod catalog_support;
mod support;

use base64::Engine;
use catalog_support::*;
use nexus_core::blob::BlobKey;
use nexus_core::model::{AuditAction, EntityType};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Resp, TestApp, count_where, spawn_app, spawn_app_with};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An upload-photo body: the file in base64 and its name.
fn photo_body(base64_image: &str, file_name: &str) -> Value {
    json!({ "base64Image": base64_image, "fileName": file_name })
}

/// `POST /api/upload-photo` as `user`.
async fn upload_photo(app: &TestApp, user: &str, body: Value) -> Resp {
    app.post(user, "/api/upload-photo", body).await
}

/// `POST /api/upload/pod` with one file in the `pod` field, as `user` (or anonymously).
async fn upload_pod(app: &TestApp, user: Option<&str>, file_name: &str, bytes: &[u8]) -> Resp {
    let body = multipart(&[("pod", Some(file_name), bytes)]);
    post_multipart(app, user, "/api/upload/pod", body).await
}

#[tokio::test]
async fn photo_upload_is_private_typed_by_content_and_served_through_a_signed_url() {
    let app = spawn_app().await;
    let r = upload_photo(
        &app,
        "SALES-001",
        json!({
            "base64Image": format!("data:image/png;base64,{}", b64(&png())),
            "fileName": "../../PO copy.jpg",
            "folder": "Orders/ABC_Traders/Rajesh_Kumar_2026-03-01",
        }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let key = r.body["key"].as_str().unwrap().to_string();
    // The server chose the key and the extension from the content (PNG), not the name (.jpg).
    assert!(key.starts_with("photos/") && key.ends_with(".png"), "{key}");
    assert!(!key.contains("ABC") && !key.contains(".."));
    assert_eq!(r.body["contentType"], "image/png");
    assert_eq!(r.body["expiresIn"], 86400);
    let url = r.body["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("/api/files/{key}?exp=")), "{url}");

    // Stored privately, with its type.
    let meta = app
        .state
        .blobs
        .metadata(&BlobKey::parse(&key).unwrap())
        .await
        .unwrap()
        .expect("blob stored");
    assert_eq!(meta.content_type, "image/png");
    assert_eq!(meta.size, png().len() as u64);

    // The signed URL works without a token, as an attachment that cannot be sniffed.
    let (status, headers, bytes) = get_raw(&app, url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, png());
    assert_eq!(headers["content-type"], "image/png");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");

    // The upload is audited with who, what and the purpose.
    let audits = audits_for(&app, &key).await;
    assert_eq!(audits.len(), 1);
    let a = &audits[0];
    assert_eq!(a.action, AuditAction::FileUpload);
    assert_eq!(a.entity_type, Some(EntityType::FileUpload));
    assert_eq!(a.user_id, "SALES-001");
    let new = a.new_data.as_ref().unwrap();
    assert_eq!(new["purpose"], "order_photo");
    assert_eq!(new["fileName"], "PO_copy.jpg");
    assert_eq!(new["sha256"], meta.sha256);
}

#[tokio::test]
async fn signed_urls_refuse_tampering_other_keys_and_missing_signatures() {
    let app = spawn_app().await;
    let a = upload_photo(&app, "SALES-001", photo_body(&b64(&jpeg()), "a.jpg")).await;
    let b = upload_photo(&app, "SALES-001", photo_body(&b64(&png()), "b.png")).await;
    let url_a = a.body["url"].as_str().unwrap();
    let key_a = a.body["key"].as_str().unwrap();
    let key_b = b.body["key"].as_str().unwrap();
    let query_a = url_a.split_once('?').unwrap().1;
    let exp: i64 = query_a
        .split('&')
        .find_map(|p| p.strip_prefix("exp="))
        .unwrap()
        .parse()
        .unwrap();
    let sig = query_a
        .split('&')
        .find_map(|p| p.strip_prefix("sig="))
        .unwrap();

    for bad in [
        format!("/api/files/{key_b}?{query_a}"),
        format!("/api/files/{key_a}"),
        format!("/api/files/{key_a}?exp={}&sig={sig}", exp + 3600),
        format!("/api/files/{key_a}?exp={exp}&sig={}", "0".repeat(64)),
        format!("/api/files/{key_a}?exp=never&sig={sig}"),
    ] {
        let (status, _, _) = get_raw(&app, &bad).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{bad}");
    }
    // An expired signature (signed with the server's key, expiry in the past) is refused.
    let signer =
        nexus_core::blob::UrlSigner::from_secret(b"test-secret-test-secret-test-secret-0123");
    let k = BlobKey::parse(key_a).unwrap();
    let past = chrono::Utc::now().timestamp() - 1;
    let (status, _, _) = get_raw(&app, &signer.url("/api/files", &k, past)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The same signer with a future expiry works, so the refusal above was the expiry.
    let future = chrono::Utc::now().timestamp() + 60;
    let (status, _, bytes) = get_raw(&app, &signer.url("/api/files", &k, future)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, jpeg());
    // A key sent with its slash percent-encoded reaches the same file.
    let encoded = format!("/api/files/{}?{query_a}", key_a.replace('/', "%2F"));
    let (status, _, _) = get_raw(&app, &encoded).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn file_paths_cannot_traverse_out_of_the_store() {
    let app = spawn_app().await;
    let signer =
        nexus_core::blob::UrlSigner::from_secret(b"test-secret-test-secret-test-secret-0123");
    let exp = chrono::Utc::now().timestamp() + 60;
    // The data folder holds the database and the JWT secret file next to the blobs.
    for path in [
        format!("/api/files/..%2F..%2Fnexus.db?exp={exp}&sig=00"),
        format!("/api/files/%2e%2e/%2e%2e/nexus.db?exp={exp}&sig=00"),
        format!("/api/files/photos%2F..%2F..%2F..%2Fjwt.secret?exp={exp}&sig=00"),
        format!("/api/files/photos/..%5C..%5Cnexus.db?exp={exp}&sig=00"),
    ] {
        let (status, _, body) = get_raw(&app, &path).await;
        // 403 when the server sees the dotted key; 404 when the client already resolved
        // `%2e%2e` as a dot segment and the request left the file route altogether.
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{path}: {status}"
        );
        assert!(!String::from_utf8_lossy(&body).contains("SQLite"), "{path}");
    }
    // Even a correctly signed traversal key is refused: such a key cannot exist.
    assert!(BlobKey::parse("../nexus.db").is_err());
    let ok_key = BlobKey::parse("photos/nothing-here.png").unwrap();
    let (status, _, _) = get_raw(&app, &signer.url("/api/files", &ok_key, exp)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A folder outside the allow-list is refused before anything is stored.
    upload_photo(
        &app,
        "SALES-001",
        json!({ "base64Image": b64(&png()), "fileName": "x.png", "folder": "../../etc" }),
    )
    .await
    .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "FOLDER_NOT_ALLOWED");
}

#[tokio::test]
async fn photo_uploads_refuse_wrong_types_bad_base64_and_oversized_files() {
    let app = spawn_app().await;
    let html = b"<html><script>alert(1)</script></html>";
    upload_photo(&app, "SALES-001", photo_body(&b64(html), "innocent.jpg"))
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "UNSUPPORTED_FILE_TYPE");

    upload_photo(&app, "SALES-001", photo_body("not base64 at all!", "x.jpg"))
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_BASE64");

    let mut big = png();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let r = upload_photo(&app, "SALES-001", photo_body(&b64(&big), "big.png")).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);

    let r = upload_photo(
        &app,
        "SALES-001",
        json!({ "base64Image": b64(&png()), "path": "/etc" }),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields refused"
    );

    // None of the refused uploads left a file or an audit entry.
    let uploads = count_where::<nexus_core::model::AuditLog>(
        &app,
        nexus_core::store::Filter::eq("action", "FILE_UPLOAD"),
    )
    .await;
    assert_eq!(uploads, 0);
}

#[tokio::test]
async fn photo_folders_carry_their_step_permission() {
    let app = spawn_app().await;
    let body = json!({ "base64Image": b64(&jpeg()), "fileName": "qc.jpg", "folder": "qc-photos" });
    let r = upload_photo(&app, "SALES-001", body.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = upload_photo(&app, "QC-001", body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = upload_photo(
        &app,
        "WH-001",
        json!({ "base64Image": b64(&pdf()), "folder": "Customers/ABC/Docs_2026-03-01" }),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "KYC needs onboarding rights"
    );
    let r = upload_photo(&app, "WH-001", json!({ "base64Image": b64(&pdf()) })).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "general uploads: any signed-in user"
    );
    assert!(r.body["key"].as_str().unwrap().ends_with(".pdf"));
}

#[tokio::test]
async fn pod_upload_needs_delivery_rights_and_keeps_no_client_file_name() {
    let app = spawn_app().await;
    let evil = "../../../etc/evil name.pdf";
    for (who, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some("SALES-001"), StatusCode::FORBIDDEN),
    ] {
        let r = upload_pod(&app, who, evil, &pdf()).await;
        assert_eq!(r.status, status, "{who:?}");
    }

    let r = upload_pod(&app, Some("DRV-001"), evil, &pdf()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let key = r.body["key"].as_str().unwrap();
    assert!(key.starts_with("pod/") && key.ends_with(".pdf"), "{key}");
    assert_eq!(r.body["filename"], key.rsplit('/').next().unwrap());
    let (status, headers, bytes) = get_raw(&app, r.body["url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, pdf());
    assert_eq!(headers["content-type"], "application/pdf");
    let audits = audits_for(&app, key).await;
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].user_id, "DRV-001");
    assert_eq!(
        audits[0].new_data.as_ref().unwrap()["fileName"],
        "evil_name.pdf"
    );

    // The hub lead (fleet loading) may upload too.
    let r = post_multipart(
        &app,
        Some("HUB-001"),
        "/api/upload/pod",
        multipart(&[("pod", Some("pod.jpg"), &jpeg())]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn pod_upload_refuses_bad_bodies() {
    let app = spawn_app().await;
    let r = app
        .post("DRV-001", "/api/upload/pod", json!({ "pod": "x" }))
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);

    post_multipart(
        &app,
        Some("DRV-001"),
        "/api/upload/pod",
        multipart(&[("file", Some("x.pdf"), &pdf())]),
    )
    .await
    .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    post_multipart(&app, Some("DRV-001"), "/api/upload/pod", multipart(&[]))
        .await
        .expect_refusal(StatusCode::BAD_REQUEST, "NO_FILE");

    let r = upload_pod(&app, Some("DRV-001"), "x.gif", b"GIF89a....").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let mut big = pdf();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let r = upload_pod(&app, Some("DRV-001"), "big.pdf", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
}

#[tokio::test]
async fn upload_routes_accept_files_above_the_general_json_limit() {
    // Every other route refuses bodies over 1 MiB; the upload routes carry their own limits.
    let app = spawn_app().await;
    let mut photo = png();
    photo.resize(3 * 1024 * 1024, 0);
    let r = upload_photo(&app, "SALES-001", photo_body(&b64(&photo), "shelf.png")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["size"], 3 * 1024 * 1024);

    let mut doc = pdf();
    doc.resize(6 * 1024 * 1024, b' ');
    let r = upload_pod(&app, Some("DRV-001"), "signed-challan.pdf", &doc).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (status, _, bytes) = get_raw(&app, r.body["url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes.len(), doc.len());

    // The same 3 MiB as a JSON body elsewhere is still refused.
    let r = app
        .post(
            "SALES-001",
            "/api/customers",
            json!({ "name": "x".repeat(2 * 1024 * 1024) }),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
}

#[tokio::test]
async fn with_s3_storage_uploads_land_in_the_bucket_and_the_signed_url_is_the_providers() {
    let server = nexus_tests::moto::MotoServer::start();
    let app = spawn_app_with(&[
        ("NEXUS_S3_BUCKET", "nexus-api-uploads"),
        ("NEXUS_S3_ENDPOINT", &server.endpoint),
        ("NEXUS_S3_REGION", nexus_tests::moto::REGION),
        ("NEXUS_S3_PATH_STYLE", "true"),
        ("AWS_ACCESS_KEY_ID", nexus_tests::moto::ACCESS_KEY_ID),
        (
            "AWS_SECRET_ACCESS_KEY",
            nexus_tests::moto::SECRET_ACCESS_KEY,
        ),
    ])
    .await;
    let nexus_core::config::BlobSettings::S3(s3) = &app.state.config.blob else {
        panic!("S3 settings expected");
    };
    nexus_core::blob_s3::S3BlobStore::new(s3)
        .ensure_bucket()
        .await
        .unwrap();

    let r = upload_photo(
        &app,
        "SALES-001",
        json!({"base64Image": b64(&png()), "fileName": "shelf.png"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let key = r.body["key"].as_str().unwrap();
    let url = r.body["url"].as_str().unwrap();
    // Presigned by the provider, for the bucket's own address (path style).
    assert!(
        url.starts_with(&format!("{}/nexus-api-uploads/{key}?", server.endpoint)),
        "{url}"
    );
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let res = reqwest::get(url).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), png());

    let meta = app
        .state
        .blobs
        .metadata(&BlobKey::parse(key).unwrap())
        .await
        .unwrap()
        .expect("stored in the bucket");
    assert_eq!(meta.content_type, "image/png");
    assert_eq!(meta.sha256, nexus_core::blob::sha256_hex(&png()));

    // Readiness names the bucket and its host, never a credential.
    let ready = app
        .call(reqwest::Method::GET, "/api/ready", None, None)
        .await;
    let storage = ready.body["integrations"]["File storage"].as_str().unwrap();
    assert!(
        storage.starts_with("S3 bucket `nexus-api-uploads` at 127.0.0.1:"),
        "{storage}"
    );
    assert!(
        !ready
            .body
            .to_string()
            .contains(nexus_tests::moto::SECRET_ACCESS_KEY)
    );
}
