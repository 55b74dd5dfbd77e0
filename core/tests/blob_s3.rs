//! The S3 blob adapter against a real S3-compatible server (moto, started here on a free
//! loopback port): round trip with the content hash kept as object metadata, missing keys,
//! and presigned URLs fetched over HTTP.

use nexus_core::blob::{BlobError, BlobKey, BlobStore, sha256_hex};
use nexus_core::blob_s3::S3BlobStore;
use nexus_core::config::S3Settings;
use nexus_tests::moto::{self, MotoServer};
use secrecy::SecretString;
use std::time::Duration;

fn settings(endpoint: &str, bucket: &str) -> S3Settings {
    S3Settings {
        endpoint: Some(endpoint.to_string()),
        region: moto::REGION.into(),
        bucket: bucket.into(),
        access_key_id: moto::ACCESS_KEY_ID.into(),
        secret_access_key: SecretString::from(moto::SECRET_ACCESS_KEY),
        path_style: true,
        provider: "S3",
    }
}

async fn store(server: &MotoServer, bucket: &str) -> S3BlobStore {
    let s = S3BlobStore::new(&settings(&server.endpoint, bucket));
    s.ensure_bucket().await.unwrap();
    s
}

fn key(s: &str) -> BlobKey {
    BlobKey::parse(s).unwrap()
}

#[tokio::test]
async fn round_trip_keeps_type_size_and_hash_and_delete_is_idempotent() {
    let server = MotoServer::start();
    let s = store(&server, "nexus-round-trip").await;
    let k = key("pod/01JTEST.pdf");
    let bytes = b"%PDF-1.4 proof of delivery".to_vec();
    let put = s.put(&k, bytes.clone(), "application/pdf").await.unwrap();
    assert_eq!(put.sha256, sha256_hex(&bytes));
    assert_eq!(put.size, bytes.len() as u64);

    let got = s.get(&k).await.unwrap();
    assert_eq!(got.bytes, bytes);
    assert_eq!(got.content_type, "application/pdf");

    let meta = s.metadata(&k).await.unwrap().expect("metadata");
    assert_eq!(meta.content_type, "application/pdf");
    assert_eq!(meta.size, bytes.len() as u64);
    assert_eq!(
        meta.sha256,
        sha256_hex(&bytes),
        "read from x-amz-meta-sha256"
    );

    s.delete(&k).await.unwrap();
    s.delete(&k).await.unwrap();
    assert!(s.metadata(&k).await.unwrap().is_none());
    assert!(matches!(s.get(&k).await, Err(BlobError::NotFound(_))));
    assert!(
        s.describe()
            .contains("bucket `nexus-round-trip` at 127.0.0.1:")
    );
    assert!(!s.describe().contains(moto::SECRET_ACCESS_KEY));
}

#[tokio::test]
async fn missing_keys_are_not_found() {
    let server = MotoServer::start();
    let s = store(&server, "nexus-missing").await;
    let k = key("photos/never-written.jpg");
    assert!(matches!(s.get(&k).await, Err(BlobError::NotFound(_))));
    assert!(s.metadata(&k).await.unwrap().is_none());
}

#[tokio::test]
async fn presigned_url_serves_the_bytes_without_credentials() {
    let server = MotoServer::start();
    let s = store(&server, "nexus-presign").await;
    let k = key("photos/01JPRESIGN.png");
    let bytes = vec![0x89, b'P', b'N', b'G', 1, 2, 3, 4];
    s.put(&k, bytes.clone(), "image/png").await.unwrap();

    let url = s.signed_url(&k, Duration::from_secs(300)).await.unwrap();
    assert!(
        url.starts_with(&format!(
            "{}/nexus-presign/photos/01JPRESIGN.png?",
            server.endpoint
        )),
        "{url}"
    );
    assert!(url.contains("X-Amz-Expires=300"), "{url}");
    assert!(!url.contains(moto::SECRET_ACCESS_KEY));
    let res = reqwest::get(&url).await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);
}

#[tokio::test]
async fn an_unreachable_endpoint_is_unavailable_not_missing() {
    let server = MotoServer::start();
    let endpoint = server.endpoint.clone();
    drop(server);
    let s = S3BlobStore::new(&settings(&endpoint, "nexus-gone"));
    let err = s.get(&key("photos/x.jpg")).await.unwrap_err();
    assert!(matches!(err, BlobError::Unavailable(_)), "{err:?}");
}
