//! The S3-compatible [`BlobStore`]: Cloudflare R2, DigitalOcean Spaces, AWS S3, MinIO.
//!
//! Objects are private: no ACL is ever sent (buckets are private by default, and R2 has no
//! ACLs at all), unlike the legacy upload that wrote every photo and KYC document
//! public-read (api.md §5.3, §8.1.9). Readers get a provider-presigned GET that expires.
//!
//! The SHA-256 of the content is computed on `put` and kept as the object's user metadata
//! (`x-amz-meta-sha256`), so `metadata` answers with a HeadObject instead of a download;
//! import idempotency keys depend on it.
//!
//! Built without `aws-config`: the settings are already validated in `Config`, and the
//! default credential chain (profiles, IMDS) would make a misconfigured server reach out
//! to the instance metadata service instead of failing on the keys it was given.

use crate::blob::{Blob, BlobError, BlobKey, BlobMeta, BlobStore, sha256_hex};
use crate::config::S3Settings;
use crate::types::Timestamp;
use async_trait::async_trait;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use secrecy::ExposeSecret;
use std::time::Duration;

/// The user-metadata name of the content hash (`x-amz-meta-sha256` on the wire).
pub const SHA256_METADATA: &str = "sha256";
/// Presigned URLs live at most this long: SigV4 refuses anything above seven days.
pub const MAX_SIGNED_URL_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

pub struct S3BlobStore {
    client: aws_sdk_s3::Client,
    bucket: String,
    description: String,
}

impl S3BlobStore {
    /// A client for the bucket. Nothing is sent until the first call, so start-up does not
    /// depend on the provider being reachable.
    pub fn new(s: &S3Settings) -> S3BlobStore {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let mut config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new(s.region.clone()))
            .credentials_provider(Credentials::new(
                s.access_key_id.clone(),
                s.secret_access_key.expose_secret().to_string(),
                None,
                None,
                "nexusoms-config",
            ))
            .force_path_style(s.path_style)
            // The SDK's default CRC checksums on every request are not understood by every
            // S3-compatible service (older MinIO, some Spaces regions); send and check them
            // only where the API requires them.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_timeout(Duration::from_secs(60))
                    .build(),
            );
        if let Some(endpoint) = &s.endpoint {
            config = config.endpoint_url(endpoint.clone());
        }
        S3BlobStore {
            client: aws_sdk_s3::Client::from_conf(config.build()),
            bucket: s.bucket.clone(),
            description: s.describe(),
        }
    }

    /// Creates the bucket when it does not exist yet (a fresh MinIO or test server). Real
    /// deployments create the bucket with the provider's console and never call this.
    pub async fn ensure_bucket(&self) -> Result<(), BlobError> {
        match self.client.head_bucket().bucket(&self.bucket).send().await {
            Ok(_) => return Ok(()),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {}
            Err(e) => return Err(unavailable("check the bucket", e)),
        }
        match self
            .client
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error().is_some_and(|s| {
                    s.is_bucket_already_owned_by_you() || s.is_bucket_already_exists()
                }) =>
            {
                Ok(())
            }
            Err(e) => Err(unavailable("create the bucket", e)),
        }
    }
}

/// A provider failure, with the SDK's whole cause chain (no credentials are in it).
fn unavailable<E, R>(what: &str, e: SdkError<E, R>) -> BlobError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    BlobError::Unavailable(format!("{what}: {}", DisplayErrorContext(e)))
}

fn timestamp(dt: Option<&aws_sdk_s3::primitives::DateTime>) -> Timestamp {
    dt.and_then(|d| d.to_millis().ok())
        .and_then(Timestamp::from_millis)
        .unwrap_or_else(Timestamp::now)
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put(
        &self,
        key: &BlobKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<BlobMeta, BlobError> {
        let sha256 = sha256_hex(&bytes);
        let size = bytes.len() as u64;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type)
            .metadata(SHA256_METADATA, &sha256)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| unavailable("store the blob", e))?;
        Ok(BlobMeta {
            content_type: content_type.to_string(),
            size,
            sha256,
            created_at: Timestamp::now(),
        })
    }

    async fn get(&self, key: &BlobKey) -> Result<Blob, BlobError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {
                return Err(BlobError::NotFound(key.to_string()));
            }
            Err(e) => return Err(unavailable("read the blob", e)),
        };
        let content_type = out
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| BlobError::Unavailable(format!("read the blob body: {e}")))?
            .into_bytes()
            .to_vec();
        Ok(Blob {
            bytes,
            content_type,
        })
    }

    async fn metadata(&self, key: &BlobKey) -> Result<Option<BlobMeta>, BlobError> {
        let out = match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => return Ok(None),
            // A HEAD has no body, so some services' 404 arrives without the NotFound code.
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => {
                return Ok(None);
            }
            Err(e) => return Err(unavailable("read the blob metadata", e)),
        };
        let stored_hash = out
            .metadata()
            .and_then(|m| m.get(SHA256_METADATA))
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|h| h.to_ascii_lowercase());
        let sha256 = match stored_hash {
            Some(h) => h,
            // Written by something else (a migration copy): hash it once, here.
            None => sha256_hex(&self.get(key).await?.bytes),
        };
        Ok(Some(BlobMeta {
            content_type: out
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string(),
            size: out.content_length().unwrap_or(0).max(0) as u64,
            sha256,
            created_at: timestamp(out.last_modified()),
        }))
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        // S3 answers 204 for a key that is not there, which is what the port promises.
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
            .map_err(|e| unavailable("delete the blob", e))?;
        Ok(())
    }

    async fn signed_url(&self, key: &BlobKey, ttl: Duration) -> Result<String, BlobError> {
        let config =
            PresigningConfig::expires_in(ttl.clamp(Duration::from_secs(1), MAX_SIGNED_URL_TTL))
                .map_err(|e| BlobError::Unavailable(format!("presigning settings: {e}")))?;
        let req = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .presigned(config)
            .await
            .map_err(|e| unavailable("sign the URL", e))?;
        Ok(req.uri().to_string())
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}
