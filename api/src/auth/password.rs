//! bcrypt on the blocking pool: a cost-12 hash takes a quarter of a second of CPU, which must
//! never stall the async workers that serve other requests.

use crate::error::ApiError;

pub async fn hash(plain: String, cost: u32) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || bcrypt::hash(plain, cost))
        .await
        .map_err(|e| ApiError::internal_cause("bcrypt task failed", &e))?
        .map_err(|e| ApiError::internal_cause("bcrypt hash failed", &e))
}

/// False for anything that is not a matching bcrypt hash (including legacy plaintext, which
/// must be migrated, never compared in the clear).
pub async fn verify(plain: String, hash: Option<String>) -> bool {
    // Hash against a fixed dummy when the user is unknown, so timing does not reveal whether
    // an account exists.
    const DUMMY: &str = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5y5FiMRrD8n8iJxJmCq4q6e8vGz8N9e";
    let target = hash.filter(|h| nexus_core::auth::is_bcrypt_hash(h));
    let known = target.is_some();
    let h = target.unwrap_or_else(|| DUMMY.to_string());
    let ok = tokio::task::spawn_blocking(move || bcrypt::verify(plain, &h).unwrap_or(false))
        .await
        .unwrap_or(false);
    ok && known
}
