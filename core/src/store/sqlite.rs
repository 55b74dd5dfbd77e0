//! The embedded store: one SQLite file (`./data/nexus.db` by default) in WAL mode, one table
//! per collection holding each document as JSON text, and the catalogue's indexes as
//! expression indexes over that JSON (see [`super::sql`]).
//!
//! Atomicity and races: every commit runs under SQLite's single write lock (`BEGIN
//! IMMEDIATE`, taken up front), in its own savepoint of the group writer's transaction
//! ([`super::sqlite_group`]). A guarded update reads and writes under the lock, so
//! `balance >= 30` checked by one commit cannot be invalidated by another before it writes;
//! other processes on the file queue on the lock (the busy timeout makes them wait).
//! Reads run concurrently on other pooled connections against the last committed snapshot.
//!
//! TTL indexes are recorded in the catalogue but SQLite has no expiry of its own:
//! [`SqliteStore::purge_expired`] deletes what MongoDB would have expired, and the worker's
//! schedule calls it.

use super::apply::{self, get_path, validate_ops};
use super::indexes::{self, CATALOGUE, IndexSpec};
use super::sql::{self, Arg, Sql};
use super::sql_multikey;
use super::sqlite_group::{Done, GroupWriter, Work};
use super::sqlite_read::{Length, Readers};
use super::sqlite_write::params;
use super::{
    Backend, Collection, Filter, IndexReport, Query, QueryPlan, Store, StoreError, StoreResult,
    Write,
};
use crate::types::Timestamp;
use async_trait::async_trait;
use serde_json::Value;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row, Sqlite};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a writer waits for the write lock before SQLite gives up. Commits are short, so
/// hitting this means the database is wedged, not busy.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// Retries when SQLite still reports BUSY (e.g. a WAL checkpoint raced the lock).
pub(super) const BUSY_RETRIES: u32 = 20;
/// Readers run in parallel under WAL; writers queue on the lock whatever the size.
const POOL_SIZE: u32 = 8;
/// Reads of at most this many documents run as short reads ([`Length::Short`]).
const SHORT_READ_ROWS: u64 = 500;

/// Prefix of keys that are not a plain string id (composite or non-string keys), so they
/// can never equal a real `id`.
const COMPOSED_KEY: char = '\u{1}';
/// Prefix of keys generated for documents without key fields (legacy audit entries, stock
/// ledger rows, warehouses that only have `_id`).
const GENERATED_KEY: char = '\u{2}';

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
    /// Every commit and sequence step of this process goes through it ([`super::sqlite_group`]).
    writer: GroupWriter,
    /// The hot reads (documents, counts, last rates) run here ([`super::sqlite_read`]).
    readers: Arc<Readers>,
    /// The multikey indexes whose entries are complete ([`super::sql_multikey`]): found at
    /// open, added by [`Store::ensure_indexes`]. Until then their reads go document by
    /// document, which gives the same answers more slowly.
    multikey_ready: Arc<RwLock<Vec<&'static IndexSpec>>>,
}

/// Why a transaction attempt stopped.
pub(super) enum Failure {
    /// The lock could not be had; the attempt is retried from the start.
    Busy,
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

pub(super) type Attempt<T> = Result<T, Failure>;

fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .and_then(|c| c.parse::<i32>().ok())
        // Primary codes SQLITE_BUSY (5) and SQLITE_LOCKED (6), whatever the extended part.
        .is_some_and(|c| matches!(c & 0xff, 5 | 6))
}

/// The catalogue name of the index named in a SQLite UNIQUE error.
pub(super) fn violated_index(collection: Collection, message: &str) -> String {
    if let Some(rest) = message.split("index '").nth(1)
        && let Some(physical) = rest.split('\'').next()
        && let Some(name) = sql::catalogue_index_name(collection, physical)
    {
        return name;
    }
    // The primary key: it mirrors the catalogue's unique index over the key fields.
    indexes::key_index(collection)
        .map(|s| s.name.to_string())
        .unwrap_or_else(|| format!("{}_key", collection.name()))
}

/// A read of at most [`SHORT_READ_ROWS`] documents is short; any other may read the whole
/// collection.
fn read_length(query: &Query) -> Length {
    match query.limit {
        Some(n) if n <= SHORT_READ_ROWS => Length::Short,
        _ => Length::Long,
    }
}

/// A read's error: BUSY (a read in WAL mode only meets it while the file is being
/// recovered) is the store being unavailable, the rest as for writes.
fn read_error(e: rusqlite::Error, collection: Collection) -> StoreError {
    match super::sqlite_write::classify(e, Some(collection)) {
        Failure::Busy => StoreError::Unavailable("sqlite: the database is locked".into()),
        Failure::Store(e) => e,
    }
}

pub(super) fn classify(e: sqlx::Error, collection: Option<Collection>) -> Failure {
    if is_busy(&e) {
        return Failure::Busy;
    }
    Failure::Store(backend_error(e, collection))
}

fn backend_error(e: sqlx::Error, collection: Option<Collection>) -> StoreError {
    if let Some(db) = e.as_database_error()
        && db.kind() == sqlx::error::ErrorKind::UniqueViolation
        && let Some(c) = collection
    {
        return StoreError::DuplicateKey {
            collection: c.name().to_string(),
            index: violated_index(c, db.message()),
        };
    }
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            StoreError::Unavailable(format!("sqlite: {e}"))
        }
        sqlx::Error::Io(io) => StoreError::Unavailable(format!("sqlite I/O: {io}")),
        other => StoreError::Backend(format!("sqlite: {other}")),
    }
}

pub(super) fn decode(collection: Collection, text: &str) -> StoreResult<Value> {
    serde_json::from_str(text).map_err(|e| StoreError::Decode {
        collection: collection.name().to_string(),
        message: format!("stored JSON is unreadable: {e}"),
    })
}

pub(super) fn encode(doc: &Value) -> String {
    doc.to_string()
}

/// The primary key from the collection's key fields; `None` when they are absent.
pub(super) fn natural_key(collection: Collection, doc: &Value) -> StoreResult<Option<String>> {
    for f in collection.scalar_fields() {
        if let Some(Value::Array(_) | Value::Object(_)) = get_path(doc, f) {
            return Err(StoreError::InvalidQuery(format!(
                "field `{f}` of {collection} holds one value, not a list or an object"
            )));
        }
        // `creditCheck.passed` is one value only while `creditCheck` is not a list.
        for (i, _) in f.match_indices('.') {
            if let Some(Value::Array(_)) = get_path(doc, &f[..i]) {
                return Err(StoreError::InvalidQuery(format!(
                    "field `{}` of {collection} holds one object, not a list",
                    &f[..i]
                )));
            }
        }
    }
    let fields = collection.key_fields();
    let mut values = Vec::with_capacity(fields.len());
    for f in fields {
        match get_path(doc, f) {
            None | Some(Value::Null) => return Ok(None),
            Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => values.push(v),
            Some(_) => {
                return Err(StoreError::InvalidQuery(format!(
                    "key field `{f}` of {collection} must be a string or a number"
                )));
            }
        }
    }
    Ok(Some(match values.as_slice() {
        [Value::String(s)] => s.clone(),
        _ => format!(
            "{COMPOSED_KEY}{}",
            Value::Array(values.into_iter().cloned().collect())
        ),
    }))
}

/// A key for a document without key fields: its legacy `_id` when it has one.
pub(super) fn generated_key(doc: &Value) -> String {
    match doc.get("_id") {
        Some(id) if !id.is_null() => format!("{GENERATED_KEY}{id}"),
        _ => format!("{GENERATED_KEY}{}", ulid::Ulid::new()),
    }
}

fn require_object(collection: Collection, doc: &Value) -> StoreResult<()> {
    if doc.is_object() {
        Ok(())
    } else {
        Err(StoreError::InvalidQuery(format!(
            "a {collection} document must be a JSON object"
        )))
    }
}

/// MongoDB keeps a document's `_id` when a replacement omits it; so does this adapter, so a
/// legacy `_id` survives any read-modify-write.
pub(super) fn keep_id(old: &Value, new: &mut Value) {
    if let (Some(id), Value::Object(m)) = (old.get("_id"), new) {
        m.entry("_id").or_insert_with(|| id.clone());
    }
}

fn bind<'a>(
    mut q: sqlx::query::Query<'a, Sqlite, <Sqlite as sqlx::Database>::Arguments>,
    args: &[Arg],
) -> sqlx::query::Query<'a, Sqlite, <Sqlite as sqlx::Database>::Arguments> {
    for a in args {
        q = match a {
            Arg::Int(i) => q.bind(*i),
            Arg::Real(f) => q.bind(*f),
            Arg::Text(s) => q.bind(s.clone()),
        };
    }
    q
}

pub(super) fn table(c: Collection) -> String {
    format!("\"{}\"", c.name())
}

/// The one SELECT behind [`Store::find_text`], so [`Store::explain`] plans exactly the
/// statement a read runs.
fn select_docs(collection: Collection, query: &Query) -> StoreResult<Sql> {
    select(collection, query, "doc")
}

/// The statement behind [`Store::find_fields`]: each field's JSON text, the expression a
/// covering index holds ([`sql::covered_expr`]), so the planner answers from the index.
fn select_fields(collection: Collection, query: &Query, fields: &[&str]) -> StoreResult<Sql> {
    super::check_fields(fields)?;
    let columns = fields
        .iter()
        .map(|f| sql::covered_expr(f))
        .collect::<StoreResult<Vec<_>>>()?;
    select(collection, query, &columns.join(", "))
}

fn select(collection: Collection, query: &Query, columns: &str) -> StoreResult<Sql> {
    let Sql { text, mut args } = sql::where_clause(collection, &query.filter)?;
    let order = sql::order_by(&query.sort)?;
    let limit = query
        .limit
        .map(|n| i64::try_from(n).unwrap_or(i64::MAX))
        .unwrap_or(-1);
    args.push(Arg::Int(limit));
    let limit_p = args.len();
    args.push(Arg::Int(i64::try_from(query.skip).unwrap_or(i64::MAX)));
    let skip_p = args.len();
    let order = if query.any_order && query.sort.is_empty() {
        String::new()
    } else {
        format!("ORDER BY {order}")
    };
    Ok(Sql {
        text: format!(
            "SELECT {columns} FROM {} WHERE {text} {order} LIMIT ?{limit_p} OFFSET ?{skip_p}",
            table(collection)
        ),
        args,
    })
}

/// Reads SQLite's plan lines (`SEARCH orders USING INDEX orders__status_1_createdAt_-1
/// (status=?)`, `SCAN orders`) in the catalogue's terms. The primary key's automatic index
/// is the catalogue's key index (`id_1`).
fn plan_of(collection: Collection, lines: &[String]) -> QueryPlan {
    let full = format!("SCAN {}", collection.name());
    let mut plan = QueryPlan {
        detail: lines.join("\n"),
        planner: "sqlite".into(),
        ..QueryPlan::default()
    };
    for line in lines {
        let line = line.trim();
        if line == full {
            plan.full_scan = true;
        }
        let Some((_, rest)) = line
            .split_once(" USING INDEX ")
            .or_else(|| line.split_once(" USING COVERING INDEX "))
        else {
            continue;
        };
        let physical = rest.split(' ').next().unwrap_or(rest);
        let name = if physical.starts_with("sqlite_autoindex_") {
            indexes::key_index(collection).map(|s| s.name.to_string())
        } else {
            sql::catalogue_index_name(collection, physical)
        };
        let name = name.unwrap_or_else(|| physical.to_string());
        if !plan.indexes.contains(&name) {
            plan.indexes.push(name);
        }
    }
    plan
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and its parent directory, and brings the
    /// schema up to date. Indexes are left to [`Store::ensure_indexes`].
    pub async fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(false);
        // Schema and planner figures first, on a connection of their own: SQLite reads
        // `sqlite_stat1` when a connection loads the schema, so the pool's connections,
        // all opened after this, plan with the figures from their first query.
        {
            use sqlx::Connection;
            let mut conn = SqliteConnection::connect_with(&options)
                .await
                .map_err(|e| {
                    StoreError::Unavailable(format!("cannot open {}: {e}", path.display()))
                })?;
            MIGRATOR.run(&mut conn).await.map_err(|e| {
                StoreError::Backend(format!("migrating {} failed: {e}", path.display()))
            })?;
            write_planner_figures(&mut conn).await?;
            conn.close().await.ok();
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(BUSY_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(format!("cannot open {}: {e}", path.display())))?;
        let writer = GroupWriter::start(&path)?;
        let store = SqliteStore {
            readers: Arc::new(Readers::new(&path)),
            pool,
            path,
            writer,
            multikey_ready: Arc::default(),
        };
        for spec in CATALOGUE.iter().filter(|s| s.multikey.is_some()) {
            if store.has_index(spec).await? {
                store.mark_ready(spec);
            }
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the writer (after the commits already handed to it) and the pool (waits for
    /// connections to return), e.g. before copying or deleting the file.
    pub async fn close(&self) {
        self.writer.stop().await;
        self.readers.close();
        self.pool.close().await;
    }

    /// Deletes documents whose TTL has passed (what MongoDB's TTL monitor does): audit
    /// entries older than two years. Returns how many were deleted.
    pub async fn purge_expired(&self, now: Timestamp) -> StoreResult<u64> {
        let mut deleted = 0;
        for spec in CATALOGUE
            .iter()
            .filter(|s| s.expire_after_seconds.is_some())
        {
            let (Some(ttl), Some((path, _))) = (spec.expire_after_seconds, spec.keys.first())
            else {
                continue;
            };
            let ttl_ms = i64::try_from(ttl.saturating_mul(1000)).unwrap_or(i64::MAX);
            let Some(cutoff) = Timestamp::from_millis(now.millis().saturating_sub(ttl_ms)) else {
                continue;
            };
            let expr = sql::doc_value_expr(path)?;
            let text = format!(
                "DELETE FROM {} WHERE {expr} < ?1 AND json_type(doc, {}) = 'text'",
                table(spec.collection),
                sql::path_literal(&apply::parse_path(path, false)?)
            );
            let done = sqlx::query(AssertSqlSafe(text))
                .bind(cutoff.to_iso())
                .execute(&self.pool)
                .await
                .map_err(|e| backend_error(e, Some(spec.collection)))?;
            deleted += done.rows_affected();
        }
        Ok(deleted)
    }

    async fn has_index(&self, spec: &IndexSpec) -> StoreResult<bool> {
        self.has_physical_index(&sql::physical_index_name(spec))
            .await
    }

    async fn has_physical_index(&self, physical: &str) -> StoreResult<bool> {
        let exists: Option<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?1")
                .bind(physical)
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| backend_error(e, None))?;
        Ok(exists.is_some())
    }

    fn mark_ready(&self, spec: &'static IndexSpec) {
        if !self.is_ready(spec) {
            self.multikey_ready
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(spec);
        }
    }

    /// The one statement answering [`Store::first_each`] from a ready multikey index,
    /// looking once more for indexes another process built since this one opened the file.
    async fn first_each_statement(
        &self,
        collection: Collection,
        query: &Query,
        path: &str,
        values: &[Value],
    ) -> StoreResult<Option<Sql>> {
        if let Some(statement) = self.ready_statement(collection, query, path, values)? {
            return Ok(Some(statement));
        }
        let mut found = false;
        for spec in CATALOGUE
            .iter()
            .filter(|s| s.multikey.is_some() && s.collection == collection)
        {
            if !self.is_ready(spec) && self.has_index(spec).await? {
                self.mark_ready(spec);
                found = true;
            }
        }
        if found {
            self.ready_statement(collection, query, path, values)
        } else {
            Ok(None)
        }
    }

    fn is_ready(&self, spec: &IndexSpec) -> bool {
        self.multikey_ready
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .any(|s| s.name == spec.name && s.collection == spec.collection)
    }

    fn ready_statement(
        &self,
        collection: Collection,
        query: &Query,
        path: &str,
        values: &[Value],
    ) -> StoreResult<Option<Sql>> {
        let ready = self
            .multikey_ready
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for spec in ready.iter() {
            if let Some(sql) = sql_multikey::first_each_sql(spec, collection, query, path, values)?
            {
                return Ok(Some(sql));
            }
        }
        Ok(None)
    }

    /// The first column of every row of `statement`.
    fn scalars<T: rusqlite::types::FromSql>(
        &self,
        collection: Collection,
        statement: Sql,
        length: Length,
    ) -> StoreResult<Vec<T>> {
        let Sql { text, args } = statement;
        self.readers.run(length, |conn| {
            let fail = |e| read_error(e, collection);
            let mut q = conn.prepare_cached(&text).map_err(fail)?;
            let rows = q
                .query_map(rusqlite::params_from_iter(params(&args)), |r| {
                    r.get::<_, T>(0)
                })
                .map_err(fail)?;
            rows.collect::<Result<Vec<T>, _>>().map_err(fail)
        })
    }

    async fn plan(&self, collection: Collection, statement: Sql) -> StoreResult<QueryPlan> {
        let Sql { text, args } = statement;
        let rows = bind(
            sqlx::query(AssertSqlSafe(format!("EXPLAIN QUERY PLAN {text}"))),
            &args,
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| backend_error(e, Some(collection)))?;
        let lines = rows
            .iter()
            .map(|r| r.try_get::<String, _>("detail"))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| backend_error(e, Some(collection)))?;
        Ok(plan_of(collection, &lines))
    }

    /// Runs `work` inside `BEGIN IMMEDIATE`, retrying from scratch while SQLite says BUSY.
    async fn write_txn<T, F>(&self, mut work: F) -> StoreResult<T>
    where
        F: for<'c> FnMut(&'c mut SqliteConnection) -> futures::future::BoxFuture<'c, Attempt<T>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome: Attempt<T> = async {
                let mut tx = self
                    .pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(|e| classify(e, None))?;
                let value = work(&mut tx).await?;
                tx.commit().await.map_err(|e| classify(e, None))?;
                Ok(value)
            }
            .await;
            match outcome {
                Ok(v) => return Ok(v),
                Err(Failure::Store(e)) => return Err(e),
                Err(Failure::Busy) if attempt < BUSY_RETRIES => {
                    tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt))).await;
                }
                Err(Failure::Busy) => {
                    return Err(StoreError::Unavailable(
                        "sqlite: the database stayed locked; is another process holding it?".into(),
                    ));
                }
            }
        }
    }
}

/// Gives the query planner the catalogue's figures ([`sql::planner_stat`]) in `sqlite_stat1`,
/// for every planned index whether or not it exists yet (SQLite ignores figures of an index
/// it does not have, and uses them once [`Store::ensure_indexes`] builds it). Rewritten only
/// when they differ, so reopening a database changes nothing.
async fn write_planner_figures(conn: &mut SqliteConnection) -> StoreResult<()> {
    use sqlx::Connection;
    let fail = |e: sqlx::Error| StoreError::Unavailable(format!("sqlite planner figures: {e}"));
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(fail)?;
    let has_table: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(fail)?;
    if has_table.is_none() {
        // ANALYZE is the only way to create the table; the counters table is tiny.
        sqlx::query("ANALYZE \"counters\"")
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
    }
    for spec in CATALOGUE {
        let Some(stat) = sql::planner_stat(spec) else {
            continue;
        };
        let (tbl, idx) = (spec.collection.name(), sql::physical_index_name(spec));
        let have: Option<String> =
            sqlx::query_scalar("SELECT stat FROM sqlite_stat1 WHERE tbl = ?1 AND idx = ?2")
                .bind(tbl)
                .bind(idx.clone())
                .fetch_optional(&mut *tx)
                .await
                .map_err(fail)?;
        if have.as_deref() == Some(stat.as_str()) {
            continue;
        }
        sqlx::query("DELETE FROM sqlite_stat1 WHERE tbl = ?1 AND idx = ?2")
            .bind(tbl)
            .bind(idx.clone())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        sqlx::query("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?1, ?2, ?3)")
            .bind(tbl)
            .bind(idx)
            .bind(stat)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
    }
    tx.commit().await.map_err(fail)
}

/// Rejects malformed writes before the write lock is taken.
fn precheck(w: &Write) -> StoreResult<()> {
    match w {
        Write::Insert { collection, doc } | Write::Upsert { collection, doc } => {
            require_object(*collection, doc)
        }
        Write::Update { filter, ops, .. } => {
            apply::validate_filter(filter)?;
            validate_ops(ops)
        }
        Write::Replace {
            collection,
            filter,
            doc,
            ..
        } => {
            apply::validate_filter(filter)?;
            require_object(*collection, doc)
        }
        Write::Delete { filter, .. } => apply::validate_filter(filter),
    }
}

impl SqliteStore {
    /// `COUNT(*)` of the matches; with a cap, the inner `LIMIT` stops the index walk there.
    async fn count_matches(
        &self,
        collection: Collection,
        filter: &Filter,
        cap: Option<u64>,
    ) -> StoreResult<u64> {
        let Sql { text, args } = sql::where_clause(collection, filter)?;
        let t = table(collection);
        let q = match cap {
            None => format!("SELECT COUNT(*) FROM {t} WHERE {text}"),
            Some(cap) => {
                let cap = i64::try_from(cap).unwrap_or(i64::MAX);
                format!("SELECT COUNT(*) FROM (SELECT 1 FROM {t} WHERE {text} LIMIT {cap})")
            }
        };
        let length = if cap.is_some() {
            Length::Short
        } else {
            Length::Long
        };
        let n: i64 = self.readers.run(length, |conn| {
            let fail = |e| read_error(e, collection);
            conn.prepare_cached(&q)
                .and_then(|mut s| {
                    s.query_row(rusqlite::params_from_iter(params(&args)), |r| r.get(0))
                })
                .map_err(fail)
        })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(|e| backend_error(e, None))
    }

    async fn find(&self, collection: Collection, query: &Query) -> StoreResult<Vec<Value>> {
        self.find_text(collection, query)
            .await?
            .iter()
            .map(|t| decode(collection, t))
            .collect()
    }

    async fn find_text(&self, collection: Collection, query: &Query) -> StoreResult<Vec<String>> {
        let length = read_length(query);
        self.scalars(collection, select_docs(collection, query)?, length)
    }

    async fn count(&self, collection: Collection, filter: &Filter) -> StoreResult<u64> {
        self.count_matches(collection, filter, None).await
    }

    async fn count_up_to(
        &self,
        collection: Collection,
        filter: &Filter,
        cap: u64,
    ) -> StoreResult<u64> {
        self.count_matches(collection, filter, Some(cap)).await
    }

    async fn commit(&self, writes: Vec<Write>) -> StoreResult<()> {
        if writes.is_empty() {
            return Ok(());
        }
        writes.iter().try_for_each(precheck)?;
        self.writer.submit(Work::Commit(writes)).await.map(|_| ())
    }

    async fn explain(&self, collection: Collection, query: &Query) -> StoreResult<QueryPlan> {
        self.plan(collection, select_docs(collection, query)?).await
    }

    async fn find_fields(
        &self,
        collection: Collection,
        query: &Query,
        fields: &[&str],
    ) -> StoreResult<Vec<Vec<Value>>> {
        let Sql { text, args } = select_fields(collection, query, fields)?;
        let length = read_length(query);
        self.readers.run(length, |conn| {
            let fail = |e| read_error(e, collection);
            let mut q = conn.prepare_cached(&text).map_err(fail)?;
            let mut rows = q
                .query(rusqlite::params_from_iter(params(&args)))
                .map_err(fail)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(fail)? {
                let mut values = Vec::with_capacity(fields.len());
                for i in 0..fields.len() {
                    let text: Option<String> = row.get(i).map_err(fail)?;
                    values.push(match text {
                        Some(t) => decode(collection, &t)?,
                        None => Value::Null,
                    });
                }
                out.push(values);
            }
            Ok(out)
        })
    }

    async fn explain_fields(
        &self,
        collection: Collection,
        query: &Query,
        fields: &[&str],
    ) -> StoreResult<QueryPlan> {
        self.plan(collection, select_fields(collection, query, fields)?)
            .await
    }

    async fn first_each(
        &self,
        collection: Collection,
        query: &Query,
        path: &str,
        values: &[Value],
    ) -> StoreResult<Vec<Option<String>>> {
        match self
            .first_each_statement(collection, query, path, values)
            .await?
        {
            Some(statement) => self.scalars(collection, statement, Length::Short),
            None => super::first_each_by_reads(self, collection, query, path, values).await,
        }
    }

    async fn explain_first_each(
        &self,
        collection: Collection,
        query: &Query,
        path: &str,
        values: &[Value],
    ) -> StoreResult<QueryPlan> {
        match self
            .first_each_statement(collection, query, path, values)
            .await?
        {
            Some(statement) => self.plan(collection, statement).await,
            None => super::explain_first_read(self, collection, query, path, values).await,
        }
    }

    async fn ensure_indexes(&self) -> StoreResult<IndexReport> {
        let mut report = IndexReport::default();
        for (collection, name) in indexes::RETIRED {
            let physical = sql::physical_name(*collection, name);
            if !self.has_physical_index(&physical).await? {
                continue;
            }
            let statement = format!("DROP INDEX IF EXISTS \"{physical}\"");
            self.write_txn(|conn| {
                let statement = statement.clone();
                Box::pin(async move {
                    sqlx::query(AssertSqlSafe(statement))
                        .execute(&mut *conn)
                        .await
                        .map(|_| ())
                        .map_err(|e| classify(e, Some(*collection)))
                })
            })
            .await?;
            report.dropped.push(format!("{}.{name}", collection.name()));
        }
        for spec in CATALOGUE {
            let label = format!("{}.{}", spec.collection.name(), spec.name);
            if self.has_index(spec).await? {
                if spec.multikey.is_some() {
                    self.mark_ready(spec);
                }
                report.existing.push(label);
                continue;
            }
            let statements = match sql_multikey::ddl(spec)? {
                Some(statements) => statements,
                None => vec![sql::index_ddl(spec)?],
            };
            self.write_txn(|conn| {
                let statements = statements.clone();
                Box::pin(async move {
                    for s in statements {
                        sqlx::query(AssertSqlSafe(s))
                            .execute(&mut *conn)
                            .await
                            .map_err(|e| match classify(e, Some(spec.collection)) {
                                Failure::Store(StoreError::DuplicateKey { collection, index }) => {
                                    Failure::Store(StoreError::Backend(format!(
                                        "cannot build unique index {index} on {collection}: \
                                         existing documents share a key"
                                    )))
                                }
                                other => other,
                            })?;
                    }
                    // The connection that built the index plans with SQLite's default
                    // guesses for it until it reloads `sqlite_stat1` (the others reload the
                    // schema, figures included, when they see it changed): without this,
                    // one pooled connection in eight chose the customer's whole history for
                    // the credit check.
                    sqlx::query("ANALYZE sqlite_schema")
                        .execute(&mut *conn)
                        .await
                        .map_err(|e| classify(e, Some(spec.collection)))?;
                    Ok(())
                })
            })
            .await?;
            if spec.multikey.is_some() {
                self.mark_ready(spec);
            }
            report.created.push(label);
        }
        Ok(report)
    }

    async fn next_sequence(&self, name: &str) -> StoreResult<u64> {
        self.next_sequence_block(name, 1).await
    }

    async fn next_sequence_block(&self, name: &str, n: u64) -> StoreResult<u64> {
        let step = block_size(name, n)?;
        let work = Work::Sequence {
            name: name.to_string(),
            step,
        };
        match self.writer.submit(work).await? {
            Done::Sequence(first) => Ok(first),
            Done::Committed | Done::Stopped => Err(StoreError::Backend(
                "sqlite writer answered a sequence with something else".into(),
            )),
        }
    }
}

/// The increment of a sequence block, refused when empty or beyond SQLite's integers.
fn block_size(name: &str, n: u64) -> StoreResult<i64> {
    match i64::try_from(n) {
        Ok(step) if step > 0 => Ok(step),
        _ => Err(StoreError::InvalidQuery(format!(
            "a block of sequence {name} needs between 1 and {} numbers, not {n}",
            i64::MAX
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Expect, UpdateOp};
    use serde_json::json;

    #[test]
    fn keys_from_key_fields() {
        assert_eq!(
            natural_key(Collection::Orders, &json!({"id": "ORD-1"})).unwrap(),
            Some("ORD-1".to_string())
        );
        assert_eq!(
            natural_key(
                Collection::PerformanceRecords,
                &json!({"userId": "U1", "month": "Feb'26"})
            )
            .unwrap(),
            Some("\u{1}[\"U1\",\"Feb'26\"]".to_string())
        );
        assert_eq!(
            natural_key(Collection::AuditLogs, &json!({})).unwrap(),
            None
        );
        assert!(natural_key(Collection::Orders, &json!({"id": ["x"]})).is_err());
        let listed = json!({"id": "ORD-1", "customerId": ["C1", "C2"]});
        assert!(natural_key(Collection::Orders, &listed).is_err());
        let legacy = json!({"_id": {"$oid": "65f0a1b2c3d4e5f601234567"}});
        assert_eq!(
            generated_key(&legacy),
            "\u{2}{\"$oid\":\"65f0a1b2c3d4e5f601234567\"}"
        );
    }

    #[test]
    fn unique_errors_name_the_catalogue_index() {
        assert_eq!(
            violated_index(
                Collection::Users,
                "UNIQUE constraint failed: index 'users__email_1'"
            ),
            "email_1"
        );
        assert_eq!(
            violated_index(Collection::Users, "UNIQUE constraint failed: users.key"),
            "id_1"
        );
        assert_eq!(
            violated_index(
                Collection::Attendances,
                "UNIQUE constraint failed: attendances.key"
            ),
            "userId_1_date_1"
        );
    }

    mod differential {
        //! Random documents and filters: the SQL translation must select exactly what the
        //! reference semantics (`apply::matches`) select, and never fail on odd shapes.
        use super::*;
        use crate::store::apply::matches;
        use proptest::prelude::*;

        fn leaf() -> impl Strategy<Value = Value> {
            prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                (-3i64..4).prop_map(Value::from),
                Just(json!(1.5)),
                prop::sample::select(vec!["", "a", "B", "ab", "1", "[1]"]).prop_map(Value::from),
            ]
        }

        fn value() -> impl Strategy<Value = Value> {
            leaf().prop_recursive(2, 12, 3, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                    prop::collection::btree_map(
                        prop::sample::select(vec!["a", "b"]).prop_map(String::from),
                        inner,
                        0..3
                    )
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        fn doc() -> impl Strategy<Value = Value> {
            prop::collection::btree_map(
                prop::sample::select(vec!["a", "b", "c"]).prop_map(String::from),
                value(),
                0..4,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect()))
        }

        fn path() -> impl Strategy<Value = String> {
            prop::sample::select(vec!["a", "b", "a.a", "a.b", "c.b", "a.b.a"])
                .prop_map(String::from)
        }

        fn filter() -> impl Strategy<Value = Filter> {
            let leaf_filter = prop_oneof![
                (path(), leaf()).prop_map(|(p, v)| Filter::Eq(p, v)),
                (path(), leaf()).prop_map(|(p, v)| Filter::Ne(p, v)),
                (path(), leaf()).prop_map(|(p, v)| Filter::Gt(p, v)),
                (path(), leaf()).prop_map(|(p, v)| Filter::Gte(p, v)),
                (path(), leaf()).prop_map(|(p, v)| Filter::Lt(p, v)),
                (path(), leaf()).prop_map(|(p, v)| Filter::Lte(p, v)),
                (path(), prop::collection::vec(leaf(), 0..3)).prop_map(|(p, v)| Filter::In(p, v)),
                (path(), prop::collection::vec(leaf(), 0..3)).prop_map(|(p, v)| Filter::Nin(p, v)),
                path().prop_map(Filter::Missing),
                path().prop_map(Filter::Exists),
                (path(), prop::sample::select(vec!["", "A", "b", "1"]))
                    .prop_map(|(p, n)| Filter::Contains(p, n.to_string())),
                (path(), value()).prop_map(|(p, v)| Filter::Eq(p, v)),
            ];
            leaf_filter.prop_recursive(2, 8, 3, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..3).prop_map(Filter::And),
                    prop::collection::vec(inner.clone(), 0..3).prop_map(Filter::Or),
                    inner.clone().prop_map(|f| Filter::Not(Box::new(f))),
                    (path(), inner).prop_map(|(p, f)| Filter::ElemMatch(p, Box::new(f))),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
            #[test]
            fn sql_selects_what_the_reference_selects(
                docs in prop::collection::vec(doc(), 1..6),
                f in filter(),
            ) {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                let dir = tempfile::tempdir().unwrap();
                let (got, want) = rt.block_on(async {
                    let store = SqliteStore::open(dir.path().join("p.db")).await.unwrap();
                    let mut writes = Vec::new();
                    for (i, d) in docs.iter().enumerate() {
                        let mut d = d.clone();
                        d["id"] = json!(format!("D{i}"));
                        writes.push(Write::Insert { collection: Collection::Jobs, doc: d });
                    }
                    store.commit(writes).await.unwrap();
                    let got: Vec<String> = store
                        .find(Collection::Jobs, &Query::new(f.clone()))
                        .await
                        .unwrap()
                        .iter()
                        .map(|d| d["id"].as_str().unwrap().to_string())
                        .collect();
                    let count = store.count(Collection::Jobs, &f).await.unwrap();
                    assert_eq!(count as usize, got.len());
                    let want: Vec<String> = docs
                        .iter()
                        .enumerate()
                        .filter(|(i, d)| {
                            let mut d = (*d).clone();
                            d["id"] = json!(format!("D{i}"));
                            matches(&d, &f)
                        })
                        .map(|(i, _)| format!("D{i}"))
                        .collect();
                    store.close().await;
                    (got, want)
                });
                prop_assert_eq!(got, want, "filter {:?} docs {:?}", f, docs);
            }
        }
    }

    /// The orders' scalar fields are compared without json_type() (index-only), and still
    /// with MongoDB's type bracketing: a number or a missing field never matches a text bound.
    #[tokio::test]
    async fn scalar_text_comparisons_keep_type_bracketing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("scalar.db"))
            .await
            .unwrap();
        store.ensure_indexes().await.unwrap();
        let docs = [
            json!({"id": "A", "createdAt": "2026-03-01T00:00:00.000Z", "status": "Delivered"}),
            json!({"id": "B", "createdAt": 5, "status": 7}),
            json!({"id": "C"}),
            json!({"id": "D", "createdAt": true, "status": ""}),
        ];
        store
            .commit(
                docs.iter()
                    .map(|d| Write::Insert {
                        collection: Collection::Orders,
                        doc: d.clone(),
                    })
                    .collect(),
            )
            .await
            .unwrap();
        let ids = |f: Filter| {
            let store = store.clone();
            async move {
                let mut v: Vec<String> = store
                    .find(Collection::Orders, &Query::new(f.clone()))
                    .await
                    .unwrap()
                    .iter()
                    .map(|d| d["id"].as_str().unwrap().to_string())
                    .collect();
                v.sort();
                assert_eq!(
                    store.count(Collection::Orders, &f).await.unwrap() as usize,
                    v.len()
                );
                v.join(",")
            }
        };
        assert_eq!(ids(Filter::lt("createdAt", "2027")).await, "A");
        assert_eq!(
            ids(Filter::lte("createdAt", "2026-03-01T00:00:00.000Z")).await,
            "A"
        );
        assert_eq!(ids(Filter::gt("createdAt", "")).await, "A");
        assert_eq!(ids(Filter::gte("createdAt", "2027")).await, "");
        assert_eq!(ids(Filter::eq("status", "")).await, "D");
        assert_eq!(ids(Filter::ne("status", "Delivered")).await, "B,C,D");
        assert_eq!(ids(Filter::lt("status", "E")).await, "A,D");
        assert_eq!(ids(Filter::gt("createdAt", 4)).await, "B");
        let plan = store
            .explain(
                Collection::Orders,
                &Query::new(Filter::eq("customerId", "C1")),
            )
            .await
            .unwrap();
        assert!(!plan.full_scan && !plan.indexes.is_empty(), "{plan:?}");
    }

    /// An index the catalogue retired is dropped by `ensure_indexes` (once), and its
    /// replacement built; indexes the catalogue never named are left alone.
    #[tokio::test]
    async fn ensure_indexes_drops_retired_indexes_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("retired.db"))
            .await
            .unwrap();
        for ddl in [
            "CREATE INDEX \"orders__status_1_customerId_1\" ON \"orders\" \
             (json_extract(doc, '$.\"status\"'), json_extract(doc, '$.\"customerId\"'))",
            "CREATE INDEX \"orders__operator_own\" ON \"orders\" (json_extract(doc, '$.\"x\"'))",
        ] {
            sqlx::query(AssertSqlSafe(ddl))
                .execute(&store.pool)
                .await
                .unwrap();
        }
        let report = store.ensure_indexes().await.unwrap();
        assert_eq!(report.dropped, ["orders.status_1_customerId_1"]);
        assert!(
            report
                .created
                .contains(&"orders.status_1_customerId_1_id_1_total_1".to_string())
        );
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders'",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap();
        assert!(!names.iter().any(|n| n == "orders__status_1_customerId_1"));
        assert!(names.iter().any(|n| n == "orders__operator_own"));
        assert!(store.ensure_indexes().await.unwrap().dropped.is_empty());
    }

    /// Closing waits for the commits already handed to the writer, then refuses new ones
    /// (the file can be copied or deleted); another store opened on the file sees them all.
    #[tokio::test]
    async fn close_keeps_handed_over_commits_and_refuses_later_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("close.db");
        let store = SqliteStore::open(&path).await.unwrap();
        let writes = |i: u32| {
            vec![Write::Insert {
                collection: Collection::Jobs,
                doc: json!({"id": format!("J{i}")}),
            }]
        };
        let (a, b) = tokio::join!(store.commit(writes(1)), store.commit(writes(2)));
        a.unwrap();
        b.unwrap();
        store.close().await;
        match store.commit(writes(3)).await {
            Err(StoreError::Unavailable(m)) => assert!(m.contains("closing"), "{m}"),
            other => panic!("a commit after close: {other:?}"),
        }
        assert!(matches!(
            store.next_sequence("ORD-").await,
            Err(StoreError::Unavailable(_))
        ));
        let again = SqliteStore::open(&path).await.unwrap();
        let ids: Vec<String> = again
            .find(Collection::Jobs, &Query::new(Filter::All))
            .await
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, ["J1", "J2"]);
    }

    /// Concurrent commits are grouped into shared transactions; one that fails its guard is
    /// rolled back alone and its caller told, the others in its batch land whole.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn grouped_commits_fail_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("group.db"))
            .await
            .unwrap();
        store.ensure_indexes().await.unwrap();
        store
            .commit(vec![Write::Insert {
                collection: Collection::Products,
                doc: json!({"id": "P1", "stock": 100}),
            }])
            .await
            .unwrap();
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut writes = vec![Write::Insert {
                        collection: Collection::Jobs,
                        doc: json!({"id": format!("J{i}")}),
                    }];
                    // Every third commit also takes 1 from a stock of 100 under a guard: the
                    // 67 of them fit; every seventh names a document that does not exist.
                    if i % 3 == 0 {
                        writes.push(Write::Update {
                            collection: Collection::Products,
                            filter: Filter::and([Filter::id("P1"), Filter::gte("stock", 1)]),
                            ops: vec![UpdateOp::Inc("stock".into(), (-1).into())],
                            expect: Expect::One,
                        });
                    }
                    if i % 7 == 0 {
                        writes.push(Write::Update {
                            collection: Collection::Products,
                            filter: Filter::id("NOPE"),
                            ops: vec![UpdateOp::Inc("stock".into(), 1.into())],
                            expect: Expect::One,
                        });
                    }
                    let seq = store.next_sequence("T").await.unwrap();
                    (i, seq, store.commit(writes).await)
                })
            })
            .collect();
        let mut landed = 0;
        let mut taken = 0;
        let mut seqs = Vec::new();
        for t in tasks {
            let (i, seq, result) = t.await.unwrap();
            seqs.push(seq);
            let present = store
                .count(Collection::Jobs, &Filter::id(format!("J{i}")))
                .await
                .unwrap();
            if i % 7 == 0 {
                assert!(
                    matches!(result, Err(StoreError::Conflict(_))),
                    "{i}: {result:?}"
                );
                assert_eq!(present, 0, "J{i} was half written");
            } else {
                result.unwrap();
                assert_eq!(present, 1);
                landed += 1;
                taken += usize::from(i % 3 == 0);
            }
        }
        let stock = store
            .find(Collection::Products, &Query::new(Filter::id("P1")))
            .await
            .unwrap()[0]["stock"]
            .as_i64()
            .unwrap();
        assert_eq!(usize::try_from(100 - stock).unwrap(), taken);
        assert_eq!(landed, 200 - 29);
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=200).collect::<Vec<u64>>());
    }

    /// A process that opened the file before another built the entries of a multikey index
    /// uses them from its next read on (until then it reads value by value, same answers).
    #[tokio::test]
    async fn entries_built_by_another_process_are_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("two.db");
        let early = SqliteStore::open(&path).await.unwrap();
        let builder = SqliteStore::open(&path).await.unwrap();
        builder.ensure_indexes().await.unwrap();
        builder
            .commit(vec![Write::Insert {
                collection: Collection::Orders,
                doc: json!({"id": "O1", "customerId": "C1", "createdAt": "2026-01-01T00:00:00.000Z",
                            "items": [{"skuCode": "A", "price": 3}]}),
            }])
            .await
            .unwrap();
        let q = Query::new(Filter::eq("customerId", "C1")).sort_desc("createdAt");
        let values = [json!("A"), json!("B")];
        let plan = early
            .explain_first_each(Collection::Orders, &q, "items.skuCode", &values)
            .await
            .unwrap();
        assert!(
            plan.indexes
                .contains(&"customerId_1_items.skuCode_1_createdAt_-1".to_string()),
            "{plan:?}"
        );
        let found = early
            .first_each(Collection::Orders, &q, "items.skuCode", &values)
            .await
            .unwrap();
        assert!(found[0].as_deref().is_some_and(|d| d.contains("\"O1\"")));
        assert_eq!(found[1], None);
    }

    #[tokio::test]
    async fn purge_expired_applies_the_two_year_audit_ttl() {
        // 63,072,000 s is 730 days: from 2026-02-12 back to 2024-02-13 (2024 is a leap year).
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("ttl.db")).await.unwrap();
        store.ensure_indexes().await.unwrap();
        let entry = |at: &str| Write::Insert {
            collection: Collection::AuditLogs,
            doc: json!({"userId": "U1", "action": "LOGIN", "timestamp": at}),
        };
        store
            .commit(vec![
                entry("2024-02-13T13:14:59.999Z"),
                entry("2024-02-13T13:15:00.001Z"),
                entry("2026-02-12T13:15:00.000Z"),
            ])
            .await
            .unwrap();
        let now = Timestamp::parse("2026-02-12T13:15:00.000Z").unwrap();
        assert_eq!(store.purge_expired(now).await.unwrap(), 1);
        assert_eq!(
            store
                .count(Collection::AuditLogs, &Filter::All)
                .await
                .unwrap(),
            2
        );
        assert_eq!(store.purge_expired(now).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn migrations_create_a_table_per_collection() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("nested/dir/nexus.db"))
            .await
            .unwrap();
        for c in Collection::ALL {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            )
            .bind(c.name())
            .fetch_one(&store.pool)
            .await
            .unwrap();
            assert_eq!(n, 1, "{c}");
        }
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        // Opening again is a no-op migration.
        store.close().await;
        SqliteStore::open(dir.path().join("nested/dir/nexus.db"))
            .await
            .unwrap();
    }
}
