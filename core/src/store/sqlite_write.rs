//! The embedded store's writes, run by the group writer's thread ([`super::sqlite_group`])
//! on a connection of its own, statement after statement without leaving the thread.
//!
//! Why not the pool's async driver: sqlx runs each SQLite connection on a worker thread and
//! every statement is a round trip to it (two thread wake-ups). A booking's commits are a
//! dozen statements (savepoints, the guard's read and rewrite, the order, its audit entry)
//! and all of them sit on the one writer every commit of the process waits for; profiled
//! under 16 booking clients, the hand-overs and the scheduler were the writer's largest cost.
//! Here the writer's thread owns the connection and a statement is a function call.

use super::apply;
use super::sql::{self, Arg, Sql};
use super::sqlite::{
    Attempt, BUSY_TIMEOUT, Failure, decode, encode, generated_key, keep_id, natural_key, table,
    violated_index,
};
use super::{Collection, Expect, Filter, StoreError, StoreResult, Write};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params_from_iter};
use serde_json::Value;
use std::path::Path;

/// Prepared statements kept per connection: every collection's insert, rewrite and delete,
/// and the guards' selects, with room to spare.
const STATEMENT_CACHE: usize = 256;

/// The writer's connection, with the settings of the pool's (WAL, `synchronous = NORMAL`,
/// the busy timeout, no foreign keys).
pub(super) fn open(path: &Path) -> StoreResult<Connection> {
    let unavailable = |e: rusqlite::Error| {
        StoreError::Unavailable(format!("cannot open {}: {e}", path.display()))
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(unavailable)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(unavailable)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(unavailable)?;
    conn.pragma_update(None, "foreign_keys", "OFF")
        .map_err(unavailable)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// As [`super::sqlite::classify`] does for the pool's errors: BUSY is retried, a UNIQUE
/// violation names the catalogue index, anything else is the backend's.
pub(super) fn classify(e: rusqlite::Error, collection: Option<Collection>) -> Failure {
    if is_busy(&e) {
        return Failure::Busy;
    }
    if let rusqlite::Error::SqliteFailure(f, message) = &e
        && matches!(
            f.extended_code,
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        )
        && let Some(c) = collection
    {
        return Failure::Store(StoreError::DuplicateKey {
            collection: c.name().to_string(),
            index: violated_index(c, message.as_deref().unwrap_or_default()),
        });
    }
    Failure::Store(StoreError::Backend(format!("sqlite: {e}")))
}

/// A statement without parameters or rows (transaction control).
pub(super) fn control(conn: &Connection, statement: &str) -> Attempt<()> {
    conn.prepare_cached(statement)
        .and_then(|mut s| s.execute([]))
        .map(|_| ())
        .map_err(|e| classify(e, None))
}

pub(super) fn params(args: &[Arg]) -> impl Iterator<Item = rusqlite::types::Value> + '_ {
    args.iter().map(|a| match a {
        Arg::Int(i) => rusqlite::types::Value::Integer(*i),
        Arg::Real(f) => rusqlite::types::Value::Real(*f),
        Arg::Text(s) => rusqlite::types::Value::Text(s.clone()),
    })
}

/// Selects `(key, doc)` of matching rows, at most `limit`.
fn select_rows(
    conn: &Connection,
    collection: Collection,
    filter: &Filter,
    limit: Option<u64>,
) -> Attempt<Vec<(String, Value)>> {
    let Sql { text, mut args } = sql::where_clause(collection, filter)?;
    let mut q = format!(
        "SELECT key, doc FROM {} WHERE {text} ORDER BY rowid",
        table(collection)
    );
    if let Some(n) = limit {
        args.push(Arg::Int(i64::try_from(n).unwrap_or(i64::MAX)));
        q.push_str(&format!(" LIMIT ?{}", args.len()));
    }
    let fail = |e| classify(e, Some(collection));
    let mut statement = conn.prepare_cached(&q).map_err(fail)?;
    let rows = statement
        .query_map(params_from_iter(params(&args)), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(fail)?;
    let mut out = Vec::new();
    for row in rows {
        let (key, doc) = row.map_err(fail)?;
        out.push((key, decode(collection, &doc)?));
    }
    Ok(out)
}

/// Rows a guarded write may touch: for `Expect::One`, exactly one or a `Conflict`.
fn guarded_rows(
    conn: &Connection,
    collection: Collection,
    filter: &Filter,
    expect: Expect,
    what: &str,
) -> Attempt<Vec<(String, Value)>> {
    let limit = match expect {
        Expect::One => Some(2),
        Expect::Any => None,
    };
    let rows = select_rows(conn, collection, filter, limit)?;
    if expect == Expect::One && rows.len() != 1 {
        return Err(StoreError::Conflict(format!(
            "{what} on {collection} expected exactly one document, {} matched",
            if rows.is_empty() { "none" } else { "several" }
        ))
        .into());
    }
    Ok(rows)
}

fn insert_row(conn: &Connection, collection: Collection, key: &str, doc: &Value) -> Attempt<()> {
    let q = format!(
        "INSERT INTO {} (key, doc) VALUES (?1, ?2)",
        table(collection)
    );
    conn.prepare_cached(&q)
        .and_then(|mut s| s.execute((key, encode(doc))))
        .map(|_| ())
        .map_err(|e| classify(e, Some(collection)))
}

fn rewrite_row(
    conn: &Connection,
    collection: Collection,
    old_key: &str,
    doc: &Value,
) -> Attempt<()> {
    let key = natural_key(collection, doc)?.unwrap_or_else(|| old_key.to_string());
    let q = format!(
        "UPDATE {} SET key = ?1, doc = ?2 WHERE key = ?3",
        table(collection)
    );
    conn.prepare_cached(&q)
        .and_then(|mut s| s.execute((key, encode(doc), old_key)))
        .map(|_| ())
        .map_err(|e| classify(e, Some(collection)))
}

/// Applies one write inside the caller's transaction.
pub(super) fn apply_write(conn: &Connection, w: &Write) -> Attempt<()> {
    match w {
        Write::Insert { collection, doc } => {
            let key = match natural_key(*collection, doc)? {
                Some(k) => k,
                None => generated_key(doc),
            };
            insert_row(conn, *collection, &key, doc)
        }
        Write::Upsert { collection, doc } => {
            let key = natural_key(*collection, doc)?.ok_or_else(|| {
                StoreError::InvalidQuery(format!(
                    "upsert into {collection} needs the key fields {:?}",
                    collection.key_fields()
                ))
            })?;
            let q = format!("SELECT doc FROM {} WHERE key = ?1", table(*collection));
            let old: Option<String> = conn
                .prepare_cached(&q)
                .and_then(|mut s| s.query_row([&key], |r| r.get(0)).optional())
                .map_err(|e| classify(e, Some(*collection)))?;
            match old {
                Some(old) => {
                    let mut doc = doc.clone();
                    keep_id(&decode(*collection, &old)?, &mut doc);
                    rewrite_row(conn, *collection, &key, &doc)
                }
                None => insert_row(conn, *collection, &key, doc),
            }
        }
        Write::Update {
            collection,
            filter,
            ops,
            expect,
        } => {
            for (key, mut doc) in guarded_rows(conn, *collection, filter, *expect, "update")? {
                apply::apply_ops(&mut doc, ops)?;
                rewrite_row(conn, *collection, &key, &doc)?;
            }
            Ok(())
        }
        Write::Replace {
            collection,
            filter,
            doc,
            expect,
        } => {
            let rows = guarded_rows(conn, *collection, filter, *expect, "replace")?;
            // Replacing several documents with one body would only collide on their keys.
            if let Some((key, old)) = rows.into_iter().next() {
                let mut doc = doc.clone();
                keep_id(&old, &mut doc);
                rewrite_row(conn, *collection, &key, &doc)?;
            }
            Ok(())
        }
        Write::Delete {
            collection,
            filter,
            expect,
        } => {
            let rows = guarded_rows(conn, *collection, filter, *expect, "delete")?;
            let q = format!("DELETE FROM {} WHERE key = ?1", table(*collection));
            let fail = |e| classify(e, Some(*collection));
            let mut statement = conn.prepare_cached(&q).map_err(fail)?;
            for (key, _) in rows {
                statement.execute([key]).map_err(fail)?;
            }
            Ok(())
        }
    }
}

/// Adds `step` to the sequence `name` (created at `step`) and returns the first number of
/// the block; runs inside the group writer's transaction.
pub(super) fn sequence_block(conn: &Connection, name: &str, step: i64) -> Attempt<u64> {
    let q = "INSERT INTO \"counters\" (key, doc) VALUES (?1, json_object('id', ?1, 'seq', ?2)) \
             ON CONFLICT (key) DO UPDATE SET doc = json_set(doc, '$.seq', \
             IFNULL(json_extract(doc, '$.seq'), 0) + ?2) \
             RETURNING json_extract(doc, '$.seq')";
    let last: i64 = conn
        .prepare_cached(q)
        .and_then(|mut s| s.query_row((name, step), |r| r.get(0)))
        .map_err(|e| classify(e, Some(Collection::Counters)))?;
    u64::try_from(last - step + 1).map_err(|_| {
        Failure::Store(StoreError::Backend(format!(
            "counter went negative: {last}"
        )))
    })
}
