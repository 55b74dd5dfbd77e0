//! The blob store port: uploaded files (order photos, KYC documents, proofs of delivery,
//! import workbooks, job reports) kept outside the documents, private, and handed out only
//! through short-lived signed URLs.
//!
//! What the legacy system did and why this port exists (api.md §5.3, §8.1.9–8.1.10, D-S10):
//! objects were written **public-read** with a client-chosen folder and a guessable
//! `<folder>/<epoch ms>-<file name>` key, and proofs of delivery were written to the API's
//! own disk under the client's file name and served statically without authentication.
//! Here every key is chosen by the server and validated by [`BlobKey::parse`] (so a `../`
//! can never leave the store's root), nothing is public, and a reader needs either a token
//! (the API fetches the blob for them) or a URL signed by the server that expires.
//!
//! Adapters: [`LocalBlobStore`] keeps blobs in a folder and signs URLs that the API serves
//! itself (`GET /api/files/{key}?exp=&sig=`), with an HMAC key derived from the JWT secret.
//! The S3-compatible adapter (R2, DigitalOcean Spaces, AWS, MinIO; `blob_s3`, feature `s3`)
//! implements the same trait with provider-presigned URLs; [`from_settings`] picks one.

use crate::config::BlobSettings;
use crate::types::Timestamp;
use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

type HmacSha256 = Hmac<Sha256>;

/// The path prefix under which the API serves locally stored blobs.
pub const LOCAL_URL_PREFIX: &str = "/api/files";

/// A validated object key: `/`-separated segments of ASCII letters, digits, `.`, `_` and
/// `-`, none empty and none starting with a dot (so no `.` or `..` segment, no hidden
/// files), at most [`BlobKey::MAX_LEN`] bytes. Anything else is refused, which is what
/// makes path traversal impossible in the local adapter and keeps S3 keys portable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BlobKey(String);

impl BlobKey {
    pub const MAX_LEN: usize = 512;
    const MAX_SEGMENTS: usize = 8;

    pub fn parse(s: &str) -> Result<BlobKey, BlobError> {
        let bad = |why: &str| BlobError::InvalidKey(format!("`{}`: {why}", truncate(s, 80)));
        if s.is_empty() || s.len() > Self::MAX_LEN {
            return Err(bad("empty or too long"));
        }
        let segments: Vec<&str> = s.split('/').collect();
        if segments.len() > Self::MAX_SEGMENTS {
            return Err(bad("too many segments"));
        }
        for seg in segments {
            if seg.is_empty() {
                return Err(bad("empty segment"));
            }
            if seg.starts_with('.') {
                return Err(bad("a segment may not start with a dot"));
            }
            if !seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            {
                return Err(bad("only letters, digits, '.', '_' and '-' are allowed"));
            }
        }
        Ok(BlobKey(s.to_string()))
    }

    /// A fresh server-chosen key `<prefix>/<ULID>.<ext>` (e.g. `photos/01J….jpg`).
    pub fn generate(prefix: &str, ext: &str) -> Result<BlobKey, BlobError> {
        BlobKey::parse(&format!(
            "{}/{}.{ext}",
            prefix.trim_matches('/'),
            ulid::Ulid::new()
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last segment (used as the download file name).
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// The first segment (`photos`, `pod`, `imports`).
    pub fn top_folder(&self) -> &str {
        self.0.split('/').next().unwrap_or(&self.0)
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for BlobKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        BlobKey::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// A stored blob as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

/// What the store knows about a blob without reading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobMeta {
    pub content_type: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the content (import idempotency, integrity checks).
    pub sha256: String,
    pub created_at: Timestamp,
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("invalid blob key {0}")]
    InvalidKey(String),
    #[error("blob {0} not found")]
    NotFound(String),
    #[error("blob store unavailable: {0}")]
    Unavailable(String),
}

/// Why a signed URL was refused. Callers answer every variant with the same 403, so a
/// prober learns nothing about which part was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the URL is not signed")]
    Missing,
    #[error("the signature or expiry is malformed")]
    Malformed,
    #[error("the URL has expired")]
    Expired,
    #[error("the signature does not match")]
    Invalid,
    /// The adapter hands out provider URLs (S3 presigning); this server serves nothing.
    #[error("this blob store does not serve signed URLs itself")]
    NotServedHere,
}

/// The port. Blobs are private; readers get them through the API or a signed URL.
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores `bytes` under `key` (replacing any blob with that key) and returns its metadata.
    async fn put(
        &self,
        key: &BlobKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<BlobMeta, BlobError>;

    /// The blob's bytes and content type; `NotFound` when there is none.
    async fn get(&self, key: &BlobKey) -> Result<Blob, BlobError>;

    /// Metadata only; `None` when there is no such blob.
    async fn metadata(&self, key: &BlobKey) -> Result<Option<BlobMeta>, BlobError>;

    /// Removes the blob; removing a missing blob is not an error.
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError>;

    /// A URL anyone holding it may GET until `ttl` has passed. Relative
    /// (`/api/files/<key>?exp=&sig=`) for the local adapter, absolute for S3.
    async fn signed_url(&self, key: &BlobKey, ttl: Duration) -> Result<String, BlobError>;

    /// Checks the `exp` and `sig` query parameters of a URL made by [`BlobStore::signed_url`]
    /// at `now`. Only adapters whose URLs point back at the API implement this.
    fn verify(
        &self,
        _key: &BlobKey,
        _exp: Option<&str>,
        _sig: Option<&str>,
        _now: Timestamp,
    ) -> Result<(), SignatureError> {
        Err(SignatureError::NotServedHere)
    }

    /// For the banner and readiness checks (never a secret).
    fn describe(&self) -> String;
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Signs and checks blob URLs: `sig = HMAC-SHA256(k, "<key>\n<exp>")` with `exp` in Unix
/// seconds. `k` is derived from the JWT secret with a fixed label, so the signing secret
/// is never used raw for a second purpose and a URL signature can never pass as a token
/// signature (or the reverse).
#[derive(Clone)]
pub struct UrlSigner {
    key: [u8; 32],
}

impl fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UrlSigner(..)")
    }
}

impl UrlSigner {
    const LABEL: &'static [u8] = b"nexusoms/blob-url-signing/v1";

    pub fn from_secret(secret: &[u8]) -> UrlSigner {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
        mac.update(Self::LABEL);
        let mut key = [0u8; 32];
        key.copy_from_slice(&mac.finalize().into_bytes());
        UrlSigner { key }
    }

    fn mac(&self, key: &BlobKey, exp: i64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("32-byte key");
        mac.update(key.as_str().as_bytes());
        mac.update(b"\n");
        mac.update(exp.to_string().as_bytes());
        mac
    }

    /// The hex signature for `key` expiring at `exp` (Unix seconds).
    pub fn sign(&self, key: &BlobKey, exp: i64) -> String {
        hex(&self.mac(key, exp).finalize().into_bytes())
    }

    /// `<prefix>/<key>?exp=<exp>&sig=<sig>`; keys need no escaping (see [`BlobKey`]).
    pub fn url(&self, prefix: &str, key: &BlobKey, exp: i64) -> String {
        format!("{prefix}/{key}?exp={exp}&sig={}", self.sign(key, exp))
    }

    /// Checks the signature in constant time, then the expiry (inclusive of the second).
    pub fn verify(
        &self,
        key: &BlobKey,
        exp: Option<&str>,
        sig: Option<&str>,
        now: Timestamp,
    ) -> Result<(), SignatureError> {
        let (Some(exp), Some(sig)) = (exp, sig) else {
            return Err(SignatureError::Missing);
        };
        let exp: i64 = exp.parse().map_err(|_| SignatureError::Malformed)?;
        let sig = unhex(sig).ok_or(SignatureError::Malformed)?;
        self.mac(key, exp)
            .verify_slice(&sig)
            .map_err(|_| SignatureError::Invalid)?;
        if now.millis() / 1000 > exp {
            return Err(SignatureError::Expired);
        }
        Ok(())
    }
}

/// Blobs in a folder: content at `<root>/data/<key>`, metadata at `<root>/meta/<key>.json`.
/// A blob exists once its metadata file does; both are written to a temporary name and
/// renamed, so a reader never sees half a file.
pub struct LocalBlobStore {
    root: PathBuf,
    signer: UrlSigner,
}

impl LocalBlobStore {
    pub fn new(root: impl Into<PathBuf>, signer: UrlSigner) -> LocalBlobStore {
        LocalBlobStore {
            root: root.into(),
            signer,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn data_path(&self, key: &BlobKey) -> PathBuf {
        let mut p = self.root.join("data");
        p.extend(key.as_str().split('/'));
        p
    }

    fn meta_path(&self, key: &BlobKey) -> PathBuf {
        let mut p = self.root.join("meta");
        p.extend(key.as_str().split('/'));
        p.set_file_name(format!("{}.json", key.file_name()));
        p
    }
}

fn io_err(what: &str, e: std::io::Error) -> BlobError {
    BlobError::Unavailable(format!("{what}: {e}"))
}

async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BlobError> {
    let dir = path
        .parent()
        .ok_or_else(|| BlobError::Unavailable("blob path has no parent".into()))?;
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| io_err("create blob folder", e))?;
    let tmp = dir.join(format!(".tmp-{}", ulid::Ulid::new()));
    tokio::fs::write(&tmp, bytes)
        .await
        .map_err(|e| io_err("write blob", e))?;
    if let Err(e) = tokio::fs::rename(&tmp, path).await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(io_err("rename blob", e));
    }
    Ok(())
}

async fn remove_if_present(path: &Path) -> Result<(), BlobError> {
    match tokio::fs::remove_file(path).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err("delete blob", e)),
    }
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    async fn put(
        &self,
        key: &BlobKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<BlobMeta, BlobError> {
        let meta = BlobMeta {
            content_type: content_type.to_string(),
            size: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
            created_at: Timestamp::now(),
        };
        let meta_json = serde_json::to_vec(&meta)
            .map_err(|e| BlobError::Unavailable(format!("encode blob metadata: {e}")))?;
        write_atomically(&self.data_path(key), &bytes).await?;
        write_atomically(&self.meta_path(key), &meta_json).await?;
        Ok(meta)
    }

    async fn get(&self, key: &BlobKey) -> Result<Blob, BlobError> {
        let meta = self
            .metadata(key)
            .await?
            .ok_or_else(|| BlobError::NotFound(key.to_string()))?;
        let bytes = match tokio::fs::read(self.data_path(key)).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(BlobError::NotFound(key.to_string()));
            }
            Err(e) => return Err(io_err("read blob", e)),
        };
        Ok(Blob {
            bytes,
            content_type: meta.content_type,
        })
    }

    async fn metadata(&self, key: &BlobKey) -> Result<Option<BlobMeta>, BlobError> {
        match tokio::fs::read(self.meta_path(key)).await {
            Ok(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| BlobError::Unavailable(format!("blob metadata of {key}: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err("read blob metadata", e)),
        }
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        remove_if_present(&self.meta_path(key)).await?;
        remove_if_present(&self.data_path(key)).await
    }

    async fn signed_url(&self, key: &BlobKey, ttl: Duration) -> Result<String, BlobError> {
        let exp = Timestamp::now().millis() / 1000 + ttl.as_secs() as i64;
        Ok(self.signer.url(LOCAL_URL_PREFIX, key, exp))
    }

    fn verify(
        &self,
        key: &BlobKey,
        exp: Option<&str>,
        sig: Option<&str>,
        now: Timestamp,
    ) -> Result<(), SignatureError> {
        self.signer.verify(key, exp, sig, now)
    }

    fn describe(&self) -> String {
        format!("local folder {}", self.root.display())
    }
}

/// The blob store for the configured settings. `secret` is the JWT signing secret (the
/// URL-signing key of the local adapter is derived from it).
///
/// S3-compatible settings (R2, Spaces, `NEXUS_S3_*`) build [`crate::blob_s3::S3BlobStore`].
/// A build without the `s3` feature cannot honour them; it keeps blobs in `fallback_dir`
/// and says so at start-up rather than refusing to start.
pub fn from_settings(
    settings: &BlobSettings,
    fallback_dir: &Path,
    secret: &[u8],
) -> Arc<dyn BlobStore> {
    match settings {
        BlobSettings::Local { dir } => Arc::new(LocalBlobStore::new(
            dir.clone(),
            UrlSigner::from_secret(secret),
        )),
        #[cfg(feature = "s3")]
        BlobSettings::S3(s3) => {
            let _ = fallback_dir;
            Arc::new(crate::blob_s3::S3BlobStore::new(s3))
        }
        #[cfg(not(feature = "s3"))]
        BlobSettings::S3(s3) => {
            tracing::warn!(
                provider = %s3.provider, bucket = %s3.bucket,
                dir = %fallback_dir.display(),
                "S3-compatible blob storage is configured but this build has no `s3` feature; blobs are kept in the local folder"
            );
            Arc::new(LocalBlobStore::new(
                fallback_dir.to_path_buf(),
                UrlSigner::from_secret(secret),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> BlobKey {
        BlobKey::parse(s).unwrap()
    }

    #[test]
    fn keys_refuse_traversal_and_odd_characters() {
        for bad in [
            "",
            "../etc/passwd",
            "photos/../../x",
            "photos/./x.jpg",
            "/photos/x.jpg",
            "photos//x.jpg",
            "photos/x.jpg/",
            ".hidden",
            "photos/.env",
            "photos\\..\\x",
            "photos/x y.jpg",
            "photos/%2e%2e/x",
            "photos/x.jpg\n",
            "a/b/c/d/e/f/g/h/i",
        ] {
            assert!(BlobKey::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(BlobKey::parse(&"a".repeat(513)).is_err());
        let k = key("photos/01JABCDEF.jpg");
        assert_eq!(k.file_name(), "01JABCDEF.jpg");
        assert_eq!(k.top_folder(), "photos");
        let g = BlobKey::generate("pod/", "pdf").unwrap();
        assert!(g.as_str().starts_with("pod/") && g.as_str().ends_with(".pdf"));
    }

    #[test]
    fn signatures_verify_only_for_the_same_key_and_expiry() {
        let s = UrlSigner::from_secret(b"test-secret-test-secret-test-secret-0123");
        let k = key("photos/a.jpg");
        let now = Timestamp::parse("2026-03-01T10:00:00Z").unwrap();
        let exp = now.millis() / 1000 + 60;
        let sig = s.sign(&k, exp);
        let e = exp.to_string();
        assert_eq!(s.verify(&k, Some(&e), Some(&sig), now), Ok(()));
        assert_eq!(
            s.verify(&key("photos/b.jpg"), Some(&e), Some(&sig), now),
            Err(SignatureError::Invalid)
        );
        let later = (exp + 1).to_string();
        assert_eq!(
            s.verify(&k, Some(&later), Some(&sig), now),
            Err(SignatureError::Invalid)
        );
        let after = Timestamp::from_millis((exp + 1) * 1000).unwrap();
        assert_eq!(
            s.verify(&k, Some(&e), Some(&sig), after),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            s.verify(&k, None, Some(&sig), now),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            s.verify(&k, Some("soon"), Some(&sig), now),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            s.verify(&k, Some(&e), Some("zz"), now),
            Err(SignatureError::Malformed)
        );
        let other = UrlSigner::from_secret(b"another-secret-another-secret-0000");
        assert_eq!(
            other.verify(&k, Some(&e), Some(&sig), now),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            s.url("/api/files", &k, exp),
            format!("/api/files/photos/a.jpg?exp={exp}&sig={sig}")
        );
    }

    #[tokio::test]
    async fn local_store_round_trip_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path(), UrlSigner::from_secret(b"k"));
        let k = key("pod/x.pdf");
        assert!(store.metadata(&k).await.unwrap().is_none());
        assert!(matches!(store.get(&k).await, Err(BlobError::NotFound(_))));
        let meta = store
            .put(&k, b"%PDF-1.4 hello".to_vec(), "application/pdf")
            .await
            .unwrap();
        assert_eq!(meta.size, 14);
        assert_eq!(meta.sha256, sha256_hex(b"%PDF-1.4 hello"));
        let b = store.get(&k).await.unwrap();
        assert_eq!(b.bytes, b"%PDF-1.4 hello");
        assert_eq!(b.content_type, "application/pdf");
        assert!(dir.path().join("data/pod/x.pdf").exists());
        assert!(dir.path().join("meta/pod/x.pdf.json").exists());
        let url = store.signed_url(&k, Duration::from_secs(60)).await.unwrap();
        assert!(url.starts_with("/api/files/pod/x.pdf?exp="), "{url}");
        store.delete(&k).await.unwrap();
        store.delete(&k).await.unwrap();
        assert!(store.metadata(&k).await.unwrap().is_none());
    }
}
