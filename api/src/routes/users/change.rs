//! One way to change a user: read, decide, write guarded, audit in the same commit.
//!
//! The write is an `UpdateOp` list on exactly the fields that change (never a whole document
//! from the client, so no mass assignment), guarded by the `updatedAt` the decision was based
//! on. A concurrent change to the same user makes the guard fail; the decision is then taken
//! again on the fresh document (a few times), so the audit's old → new is always exactly what
//! happened and no change is lost.

use crate::error::{ApiError, ErrorCode};
use crate::routes::common::commit_audited;
use crate::state::AppState;
use axum::http::StatusCode;
use nexus_core::model::{AuditLog, User};
use nexus_core::store::apply::apply_ops;
use nexus_core::store::typed::decode;
use nexus_core::store::{Collection, Filter, Query, StoreError, TypedStore, UpdateOp, Write};
use nexus_core::types::Timestamp;
use serde_json::{Map, Value, json};

/// Each failed guard means another change landed in between, so with fewer than this many
/// concurrent writers on one user every change eventually goes through.
const ATTEMPTS: usize = 8;

/// What a handler decided to do with the current user.
pub struct Change {
    pub ops: Vec<UpdateOp>,
    /// The audit entry; its old/new data are filled with the touched fields unless `redact`.
    pub audit: AuditLog,
    /// Keep the audit's own old/new data (e.g. GDPR erasure must not copy the erased
    /// personal data into the audit trail).
    pub redact: bool,
}

impl Change {
    pub fn new(ops: Vec<UpdateOp>, audit: AuditLog) -> Self {
        Change {
            ops,
            audit,
            redact: false,
        }
    }
}

/// The result: the user before and after. `changed` is false when the decision was a no-op
/// (nothing written, nothing audited).
pub struct Changed {
    pub before: User,
    pub after: User,
    pub changed: bool,
}

pub fn user_not_found(id: &str) -> ApiError {
    ApiError::not_found(ErrorCode::UserNotFound, format!("User {id} not found"))
}

pub async fn load(st: &AppState, id: &str) -> Result<User, ApiError> {
    st.store
        .get::<User>(Filter::id(id))
        .await?
        .ok_or_else(|| user_not_found(id))
}

/// The guard: this user, as last read. The stored `updatedAt` value is compared as it is in
/// the database (not re-serialised), so legacy documents whose dates are written in another
/// text form still match.
fn guard(id: &str, stored: &Value) -> Filter {
    Filter::and([
        Filter::id(id),
        match stored.get("updatedAt") {
            Some(v) if !v.is_null() => Filter::Eq("updatedAt".into(), v.clone()),
            _ => Filter::Missing("updatedAt".into()),
        },
    ])
}

/// The stored document and its decoded user.
async fn load_raw(st: &AppState, id: &str) -> Result<(Value, User), ApiError> {
    let raw = st
        .store
        .find(Collection::Users, &Query::new(Filter::id(id)).limit(1))
        .await?
        .pop()
        .ok_or_else(|| user_not_found(id))?;
    let user = decode::<User>(raw.clone())?;
    Ok((raw, user))
}

/// A fresh `updatedAt` strictly after the previous one, so the guard always moves on even
/// when two writes fall in the same millisecond.
pub fn next_stamp(prev: Option<Timestamp>) -> Timestamp {
    let now = Timestamp::now();
    match prev {
        Some(p) if p >= now => Timestamp::from_millis(p.millis() + 1).unwrap_or(now),
        _ => now,
    }
}

fn top_field(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

fn op_path(op: &UpdateOp) -> &str {
    match op {
        UpdateOp::Set(p, _)
        | UpdateOp::Unset(p)
        | UpdateOp::Inc(p, _)
        | UpdateOp::Push(p, _)
        | UpdateOp::AddToSet(p, _)
        | UpdateOp::Pull(p, _) => p,
    }
}

/// Old and new values of the touched top-level fields, never the password.
fn diff(before: &Value, after: &Value, ops: &[UpdateOp]) -> (Value, Value) {
    let mut old = Map::new();
    let mut new = Map::new();
    for op in ops {
        let f = top_field(op_path(op));
        if matches!(f, "password" | "updatedAt") {
            continue;
        }
        old.insert(f.into(), before.get(f).cloned().unwrap_or(Value::Null));
        new.insert(f.into(), after.get(f).cloned().unwrap_or(Value::Null));
    }
    (Value::Object(old), Value::Object(new))
}

/// Reads user `id`, asks `decide` what to change, and commits it guarded with its audit entry.
/// `decide` returns `Ok(None)` for "nothing to change".
pub async fn change_user(
    st: &AppState,
    id: &str,
    mut decide: impl FnMut(&User) -> Result<Option<Change>, ApiError>,
) -> Result<Changed, ApiError> {
    for _ in 0..ATTEMPTS {
        let (stored, before) = load_raw(st, id).await?;
        let Some(mut change) = decide(&before)? else {
            return Ok(Changed {
                after: before.clone(),
                before,
                changed: false,
            });
        };
        change.ops.push(UpdateOp::Set(
            "updatedAt".into(),
            json!(next_stamp(before.updated_at)),
        ));
        let old_doc = serde_json::to_value(&before)
            .map_err(|e| ApiError::internal_cause("user does not encode", &e))?;
        let mut new_doc = old_doc.clone();
        apply_ops(&mut new_doc, &change.ops)
            .map_err(|e| ApiError::internal_cause("user update does not apply", &e))?;
        let after: User = serde_json::from_value(new_doc.clone())
            .map_err(|e| ApiError::internal_cause("updated user does not decode", &e))?;
        let mut audit = change.audit;
        if !change.redact {
            let (o, n) = diff(&old_doc, &new_doc, &change.ops);
            audit = audit.change(Some(o), Some(n));
        }
        let write = Write::update_one::<User>(guard(id, &stored), change.ops);
        match commit_audited(st, vec![write], audit, vec![]).await {
            Ok(()) => {
                return Ok(Changed {
                    before,
                    after,
                    changed: true,
                });
            }
            Err(e) if e.status == StatusCode::CONFLICT && e.code == ErrorCode::Conflict => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict(format!("user {id} kept changing")).into())
}
