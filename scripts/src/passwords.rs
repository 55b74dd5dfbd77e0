//! `migrate-passwords` (seed-tasks.md TASK 1, api.md §6.1): hashes every plaintext password
//! with bcrypt.
//!
//! Differences from the legacy script, each fixing one of its hazards:
//! * `$2a$`, `$2b$` and `$2y$` hashes are all recognised as hashed (the legacy script only
//!   knew `$2b$` and would have hashed the others again, locking those users out);
//! * each update is guarded on the plaintext that was read (`password == <read value>`), so
//!   a password changed meanwhile (by the user, or by a second migration run) is never
//!   overwritten — that user is counted as an error and left as it is;
//! * hashing runs on the blocking pool, never on the async runtime's threads;
//! * `--dry-run` reads and reports without writing.

use crate::progress::Progress;
use crate::target::Target;
use futures::StreamExt;
use nexus_core::auth::is_bcrypt_hash;
use nexus_core::model::{AuditAction, AuditLog, EntityType};
use nexus_core::store::{Collection, Expect, Filter, Query, StoreError, UpdateOp, Write};
use nexus_core::types::Timestamp;
use serde_json::Value;
use std::process::ExitCode;

enum Plan {
    Skip,
    Hash(String),
    Error(String),
}

struct Candidate {
    id: String,
    name: String,
    plan: Plan,
}

fn classify(doc: &Value) -> Candidate {
    let id = doc
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let name = doc
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_string();
    let plan = if id.is_empty() {
        Plan::Error("no `id`, so the user cannot be updated safely".into())
    } else {
        match doc.get("password") {
            None | Some(Value::Null) => Plan::Error("no password".into()),
            Some(Value::String(s)) if s.is_empty() => Plan::Error("empty password".into()),
            Some(Value::String(s)) if is_bcrypt_hash(s) => Plan::Skip,
            Some(Value::String(s)) => Plan::Hash(s.clone()),
            Some(_) => Plan::Error("password is not text".into()),
        }
    };
    Candidate { id, name, plan }
}

pub async fn run(target: &Target, dry_run: bool, cost: u32) -> anyhow::Result<ExitCode> {
    out!("════════════════════════════════════════════════════════");
    out!("  Password migration: plaintext → bcrypt (cost {cost})");
    out!("════════════════════════════════════════════════════════");
    out!("Database: {}", target.describe());
    if dry_run {
        out!("Dry run: nothing will be written.");
    }
    let store = target.open().await?;
    let users = store.find(Collection::Users, &Query::all()).await?;
    out!("Users found: {}", users.len());

    let candidates: Vec<Candidate> = users.iter().map(classify).collect();
    let bar = Progress::bar(candidates.len() as u64, "passwords");
    let (mut migrated, mut skipped, mut errors) = (0usize, 0usize, 0usize);

    // Hash in parallel (bcrypt is CPU-bound), one task per core; updates are individual
    // guarded writes so one failure never affects another user.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut results = futures::stream::iter(candidates)
        .map(|c| async move {
            let outcome = match &c.plan {
                Plan::Hash(plain) if !dry_run => {
                    let plain = plain.clone();
                    match tokio::task::spawn_blocking(move || bcrypt::hash(plain, cost)).await {
                        Ok(Ok(h)) => Ok(Some(h)),
                        Ok(Err(e)) => Err(format!("bcrypt failed: {e}")),
                        Err(e) => Err(format!("hashing task failed: {e}")),
                    }
                }
                _ => Ok(None),
            };
            (c, outcome)
        })
        .buffer_unordered(workers);

    let now = Timestamp::now();
    while let Some((c, hashed)) = results.next().await {
        bar.inc(1);
        bar.message(c.id.clone());
        match (&c.plan, hashed) {
            (Plan::Skip, _) => {
                skipped += 1;
                bar.println(format!(
                    "⏭️  skipped: {} ({}) — already hashed",
                    c.id, c.name
                ));
            }
            (Plan::Error(why), _) => {
                errors += 1;
                bar.println(format!("❌ error: {} ({}) — {why}", c.id, c.name));
            }
            (Plan::Hash(_), Err(why)) => {
                errors += 1;
                bar.println(format!("❌ error: {} ({}) — {why}", c.id, c.name));
            }
            (Plan::Hash(_), Ok(None)) => {
                migrated += 1;
                bar.println(format!("🔎 would migrate: {} ({})", c.id, c.name));
            }
            (Plan::Hash(plain), Ok(Some(hash))) => {
                match write_hash(store.as_ref(), &c, plain, hash, now).await {
                    Ok(()) => {
                        migrated += 1;
                        bar.println(format!("✅ migrated: {} ({})", c.id, c.name));
                    }
                    Err(why) => {
                        errors += 1;
                        bar.println(format!("❌ error: {} ({}) — {why}", c.id, c.name));
                    }
                }
            }
        }
    }
    bar.finish();

    out!("────────────────────────────────────────");
    if dry_run {
        out!("✅ Migrated: {migrated} users (dry run: would be migrated)");
    } else {
        out!("✅ Migrated: {migrated} users");
    }
    out!("⏭️  Skipped (already hashed): {skipped} users");
    out!("❌ Errors: {errors} users");
    out!("Total: {} users", migrated + skipped + errors);
    out!("────────────────────────────────────────");
    if migrated == 0 && errors == 0 {
        out!("No migration needed: every password is already hashed.");
    } else if dry_run {
        out!("Dry run complete: run again without --dry-run to apply.");
    } else if migrated > 0 {
        out!("✅ Passwords migrated: users log in with the same passwords as before.");
    }
    Ok(ExitCode::SUCCESS)
}

/// Replaces the password only if it is still the plaintext that was read, together with an
/// audit entry (without any password) in the same commit.
async fn write_hash(
    store: &dyn nexus_core::store::Store,
    c: &Candidate,
    plain: &str,
    hash: String,
    now: Timestamp,
) -> Result<(), String> {
    let mut audit = AuditLog::new(
        "system",
        "nexus-admin migrate-passwords",
        AuditAction::Update,
    )
    .entity(EntityType::User, c.id.clone());
    audit.reason = Some("plaintext password replaced by its bcrypt hash".into());
    let audit = serde_json::to_value(&audit).map_err(|e| e.to_string())?;
    let writes = vec![
        Write::Update {
            collection: Collection::Users,
            filter: Filter::and([Filter::id(c.id.clone()), Filter::eq("password", plain)]),
            ops: vec![
                UpdateOp::Set("password".into(), Value::from(hash)),
                UpdateOp::Set("updatedAt".into(), Value::from(now.to_iso())),
            ],
            expect: Expect::One,
        },
        Write::Insert {
            collection: Collection::AuditLogs,
            doc: audit,
        },
    ];
    match store.commit(writes).await {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict(_)) => {
            Err("password changed while migrating; left unchanged".into())
        }
        Err(e) => Err(format!("not updated: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_core::store::{SqliteStore, Store};
    use serde_json::json;

    /// A password changed between the read and the write is never overwritten, and the
    /// audit entry of the failed commit is not written either.
    #[tokio::test]
    async fn the_update_is_guarded_on_the_plaintext_that_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("n.db")).await.unwrap();
        store
            .commit(vec![Write::Insert {
                collection: Collection::Users,
                doc: json!({"id": "U1", "name": "U", "role": "Sales", "password": "new-by-user"}),
            }])
            .await
            .unwrap();
        let read_earlier = classify(&json!({"id": "U1", "name": "U", "password": "old"}));
        let err = write_hash(
            &store,
            &read_earlier,
            "old",
            "$2b$04$x".into(),
            Timestamp::now(),
        )
        .await
        .unwrap_err();
        assert!(err.contains("changed while migrating"), "{err}");
        let u = store.find(Collection::Users, &Query::all()).await.unwrap();
        assert_eq!(u[0]["password"], "new-by-user");
        assert_eq!(
            store
                .count(Collection::AuditLogs, &Filter::All)
                .await
                .unwrap(),
            0
        );
        store.close().await;
    }

    #[test]
    fn classification() {
        let c = |v: Value| classify(&v).plan;
        assert!(matches!(
            c(json!({"id": "a", "password": "x"})),
            Plan::Hash(_)
        ));
        assert!(matches!(c(json!({"id": "a"})), Plan::Error(_)));
        assert!(matches!(
            c(json!({"id": "a", "password": ""})),
            Plan::Error(_)
        ));
        assert!(matches!(
            c(json!({"id": "a", "password": 5})),
            Plan::Error(_)
        ));
        assert!(matches!(c(json!({"password": "x"})), Plan::Error(_)));
        let h = bcrypt::hash("x", 4).unwrap();
        assert!(matches!(c(json!({"id": "a", "password": h})), Plan::Skip));
    }
}
