//! Demo passwords: hashing them for the seed, and finding accounts that still use them.

use super::{DemoUser, SeedError, demo_dataset};
use crate::auth::{is_bcrypt_hash, is_default_password};
use crate::store::{Collection, Query, Store, StoreError};
use crate::types::Timestamp;
use serde_json::Value;
use std::collections::HashMap;

/// Hashes the demo users' passwords in parallel on the blocking pool.
pub(super) async fn hash_all(
    users: &[DemoUser],
    cost: u32,
) -> Result<HashMap<String, String>, SeedError> {
    let tasks: Vec<_> = users
        .iter()
        .map(|u| {
            let id = u.user.id.clone();
            let pw = u.password;
            (
                id,
                tokio::task::spawn_blocking(move || bcrypt::hash(pw, cost)),
            )
        })
        .collect();
    let mut out = HashMap::new();
    for (id, task) in tasks {
        let hash = task
            .await
            .map_err(|e| SeedError::Hash {
                user: id.clone(),
                message: e.to_string(),
            })?
            .map_err(|e| SeedError::Hash {
                user: id.clone(),
                message: e.to_string(),
            })?;
        out.insert(id, hash);
    }
    Ok(out)
}

/// Ids of the users whose stored password is still a published demo password, for the
/// API's start-up warning "default password in use".
///
/// What is checked, and why it stays cheap at start-up:
/// * every demo account (by id or e-mail) is verified against *its own* demo password —
///   one bcrypt verification per demo account, run in parallel off the async runtime;
/// * any other user is flagged only if the password is still stored in plaintext and is a
///   known default (`auth::is_default_password`: the legacy `<role>123` family and the
///   like) — no bcrypt work, since verifying every user against every default at cost 12
///   would take seconds per user on a real database. Run `migrate-passwords` to hash
///   plaintext passwords; a hashed default on a non-demo account is not detected here.
///
/// Users whose status is `Deleted` are ignored (they can never log in).
pub async fn default_password_users(store: &dyn Store) -> Result<Vec<String>, StoreError> {
    let demo = demo_dataset(Timestamp::now());
    let docs = store.find(Collection::Users, &Query::all()).await?;
    let mut checks = Vec::new();
    let mut found = Vec::new();
    for doc in docs {
        let Some(id) = doc.get("id").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        if doc.get("status").and_then(Value::as_str) == Some("Deleted") {
            continue;
        }
        let Some(pw) = doc
            .get("password")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        let email = doc.get("email").and_then(Value::as_str);
        let demo_pw = demo
            .users
            .iter()
            .find(|u| u.user.id == id || (email.is_some() && u.user.email.as_deref() == email))
            .map(|u| u.password);
        if !is_bcrypt_hash(&pw) {
            if is_default_password(&pw) {
                found.push(id);
            }
            continue;
        }
        if let Some(candidate) = demo_pw {
            checks.push((
                id,
                tokio::task::spawn_blocking(move || {
                    bcrypt::verify(candidate, &pw).unwrap_or(false)
                }),
            ));
        }
    }
    for (id, task) in checks {
        if task.await.unwrap_or(false) {
            found.push(id);
        }
    }
    found.sort();
    Ok(found)
}
