//! The MongoDB adapter: the legacy database, used as it is.
//!
//! Commits: a single write runs on its own (MongoDB makes one-document writes atomic, and a
//! guarded `update_one` is the race-free compare-and-set). Several writes run in one
//! multi-document transaction, which needs a replica set (a single-node one is enough:
//! `mongod --replSet rs0` + `rs.initiate()`; Atlas always is one). On a standalone server a
//! multi-write commit fails with `StoreError::Unavailable` saying so. Transactions that lose
//! a write conflict are retried from the start, re-checking their guards, as the driver's
//! `with_transaction` would.
//!
//! `Expect::One` means "at least one matched; exactly one changed": the server's
//! `update_one`/`replace_one`/`delete_one` touch the first match. Guards in this code base
//! select by key, where the two readings agree.

use super::mongo_convert::{
    doc_to_bson, doc_to_json, duplicate_index_name, filter_to_bson, index_matches, index_model,
    key_filter, read_filter, sort_for, update_to_bson,
};
use super::{
    Backend, Collection, Expect, Filter, IndexReport, Query, QueryPlan, Store, StoreError,
    StoreResult, Write, indexes,
};
use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use mongodb::error::{
    Error as MongoError, ErrorKind, TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT,
    WriteFailure,
};
use mongodb::options::{ClientOptions, ReturnDocument};
use mongodb::{Client, ClientSession, Database, IndexModel};
use serde_json::Value;
use std::time::Duration;

/// Attempts at a transaction that keeps losing write conflicts (50 tasks on one document
/// need a few dozen between them).
const TRANSACTION_ATTEMPTS: u32 = 200;
/// Reads of [`Store::first_each`] in flight at once.
const FIRST_EACH_IN_FLIGHT: usize = 16;
const STANDALONE_HINT: &str = "MongoDB multi-document transactions need a replica set; \
     run mongod with --replSet and rs.initiate() (a single node is enough), or use Atlas";

#[derive(Debug, Clone)]
pub struct MongoStore {
    client: Client,
    db: Database,
}

/// A write converted to BSON before anything is sent.
enum Prepared {
    Insert {
        collection: Collection,
        doc: Document,
    },
    Upsert {
        collection: Collection,
        filter: Document,
        doc: Document,
    },
    Update {
        collection: Collection,
        filter: Document,
        update: Document,
        expect: Expect,
    },
    Replace {
        collection: Collection,
        filter: Document,
        doc: Document,
        expect: Expect,
    },
    Delete {
        collection: Collection,
        filter: Document,
        expect: Expect,
    },
}

fn prepare(w: &Write) -> StoreResult<Prepared> {
    Ok(match w {
        Write::Insert { collection, doc } => Prepared::Insert {
            collection: *collection,
            doc: doc_to_bson(*collection, doc)?,
        },
        Write::Upsert { collection, doc } => Prepared::Upsert {
            collection: *collection,
            filter: key_filter(*collection, doc)?,
            doc: doc_to_bson(*collection, doc)?,
        },
        Write::Update {
            collection,
            filter,
            ops,
            expect,
        } => Prepared::Update {
            collection: *collection,
            filter: filter_to_bson(filter)?,
            update: update_to_bson(ops)?,
            expect: *expect,
        },
        Write::Replace {
            collection,
            filter,
            doc,
            expect,
        } => Prepared::Replace {
            collection: *collection,
            filter: filter_to_bson(filter)?,
            doc: doc_to_bson(*collection, doc)?,
            expect: *expect,
        },
        Write::Delete {
            collection,
            filter,
            expect,
        } => Prepared::Delete {
            collection: *collection,
            filter: filter_to_bson(filter)?,
            expect: *expect,
        },
    })
}

/// Why a write inside a commit stopped.
enum Failure {
    /// A transaction lost a conflict; the whole transaction is retried.
    Transient,
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

fn error_code(e: &MongoError) -> Option<i32> {
    match e.kind.as_ref() {
        ErrorKind::Command(c) => Some(c.code),
        ErrorKind::Write(WriteFailure::WriteError(w)) => Some(w.code),
        ErrorKind::InsertMany(im) => im
            .write_errors
            .as_ref()
            .and_then(|es| es.first())
            .map(|w| w.code),
        _ => None,
    }
}

fn error_message(e: &MongoError) -> String {
    match e.kind.as_ref() {
        ErrorKind::Command(c) => c.message.clone(),
        ErrorKind::Write(WriteFailure::WriteError(w)) => w.message.clone(),
        ErrorKind::InsertMany(im) => im
            .write_errors
            .as_ref()
            .and_then(|es| es.first())
            .map(|w| w.message.clone())
            .unwrap_or_default(),
        other => other.to_string(),
    }
}

fn is_standalone_error(e: &MongoError) -> bool {
    matches!(e.kind.as_ref(), ErrorKind::SessionsNotSupported)
        || (error_code(e) == Some(20) && error_message(e).contains("Transaction numbers"))
}

fn classify(e: MongoError, collection: Option<Collection>) -> Failure {
    if e.contains_label(TRANSIENT_TRANSACTION_ERROR) {
        return Failure::Transient;
    }
    Failure::Store(store_error(e, collection))
}

fn store_error(e: MongoError, collection: Option<Collection>) -> StoreError {
    let code = error_code(&e);
    if matches!(code, Some(11000 | 11001 | 12582)) {
        let collection_name = collection.map(|c| c.name().to_string()).unwrap_or_default();
        let index = duplicate_index_name(&error_message(&e))
            .or_else(|| {
                collection
                    .and_then(indexes::key_index)
                    .map(|s| s.name.to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        return StoreError::DuplicateKey {
            collection: collection_name,
            index,
        };
    }
    if is_standalone_error(&e) {
        return StoreError::Unavailable(STANDALONE_HINT.into());
    }
    match e.kind.as_ref() {
        ErrorKind::ServerSelection { .. }
        | ErrorKind::Io(_)
        | ErrorKind::ConnectionPoolCleared { .. }
        | ErrorKind::Authentication { .. }
        | ErrorKind::DnsResolve { .. }
        | ErrorKind::Shutdown => StoreError::Unavailable(format!("mongodb: {e}")),
        _ => StoreError::Backend(format!("mongodb: {e}")),
    }
}

/// Driver messages about a connection string may quote it; the credentials never leave.
fn redact(message: &str, uri: &str) -> String {
    let userinfo = uri
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?']).next())
        .and_then(|hosts| hosts.rsplit_once('@'))
        .map(|(info, _)| info);
    let mut out = message.replace(uri, "<MONGODB_URI>");
    if let Some(info) = userinfo.filter(|i| !i.is_empty()) {
        out = out.replace(info, "***");
        if let Some((_, password)) = info.split_once(':').filter(|(_, p)| !p.is_empty()) {
            out = out.replace(password, "***");
        }
    }
    out
}

/// Collects the stages of a winning plan, however deeply MongoDB nests them (`inputStage`,
/// `inputStages` of an `OR`, the `queryPlan` of a slot-based plan).
fn walk_plan(node: &Bson, plan: &mut QueryPlan) {
    match node {
        Bson::Document(d) => {
            match d.get_str("stage") {
                Ok("COLLSCAN") => plan.full_scan = true,
                Ok("IXSCAN" | "COUNT_SCAN" | "DISTINCT_SCAN") => {
                    if let Ok(name) = d.get_str("indexName")
                        && !plan.indexes.iter().any(|i| i == name)
                    {
                        plan.indexes.push(name.to_string());
                    }
                }
                _ => {}
            }
            d.values().for_each(|v| walk_plan(v, plan));
        }
        Bson::Array(items) => items.iter().for_each(|v| walk_plan(v, plan)),
        _ => {}
    }
}

fn conflict(what: &str, collection: Collection) -> Failure {
    Failure::Store(StoreError::Conflict(format!(
        "{what} on {collection} matched no document"
    )))
}

impl MongoStore {
    /// Connects and pings, so a wrong URI or an unreachable server fails at start-up.
    pub async fn connect(uri: &str, db_name: &str) -> StoreResult<Self> {
        let unusable = |e: MongoError| {
            StoreError::Config(format!(
                "MONGODB_URI cannot be used: {}",
                redact(&e.kind.to_string(), uri)
            ))
        };
        let mut options = ClientOptions::parse(uri).await.map_err(unusable)?;
        options.app_name.get_or_insert_with(|| "nexusoms".into());
        options
            .server_selection_timeout
            .get_or_insert(Duration::from_secs(10));
        let client = Client::with_options(options).map_err(unusable)?;
        let store = MongoStore {
            db: client.database(db_name),
            client,
        };
        store.ping().await?;
        Ok(store)
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Drops the whole database (test clean-up).
    pub async fn drop_database(&self) -> StoreResult<()> {
        self.db.drop().await.map_err(|e| store_error(e, None))
    }

    fn coll(&self, c: Collection) -> mongodb::Collection<Document> {
        self.db.collection::<Document>(c.name())
    }

    async fn exec(
        &self,
        w: &Prepared,
        mut session: Option<&mut ClientSession>,
    ) -> Result<(), Failure> {
        macro_rules! run {
            ($action:expr, $collection:expr) => {
                match session.as_deref_mut() {
                    Some(s) => $action.session(s).await,
                    None => $action.await,
                }
                .map_err(|e| classify(e, Some($collection)))?
            };
        }
        match w {
            Prepared::Insert { collection, doc } => {
                run!(self.coll(*collection).insert_one(doc.clone()), *collection);
            }
            Prepared::Upsert {
                collection,
                filter,
                doc,
            } => {
                run!(
                    self.coll(*collection)
                        .replace_one(filter.clone(), doc.clone())
                        .upsert(true),
                    *collection
                );
            }
            Prepared::Update {
                collection,
                filter,
                update,
                expect,
            } => {
                let c = self.coll(*collection);
                let matched = match expect {
                    Expect::One => {
                        run!(c.update_one(filter.clone(), update.clone()), *collection)
                            .matched_count
                    }
                    Expect::Any => {
                        run!(c.update_many(filter.clone(), update.clone()), *collection);
                        return Ok(());
                    }
                };
                if matched == 0 {
                    return Err(conflict("update", *collection));
                }
            }
            Prepared::Replace {
                collection,
                filter,
                doc,
                expect,
            } => {
                let res = run!(
                    self.coll(*collection)
                        .replace_one(filter.clone(), doc.clone()),
                    *collection
                );
                if *expect == Expect::One && res.matched_count == 0 {
                    return Err(conflict("replace", *collection));
                }
            }
            Prepared::Delete {
                collection,
                filter,
                expect,
            } => {
                let c = self.coll(*collection);
                match expect {
                    Expect::One => {
                        let res = run!(c.delete_one(filter.clone()), *collection);
                        if res.deleted_count == 0 {
                            return Err(conflict("delete", *collection));
                        }
                    }
                    Expect::Any => {
                        run!(c.delete_many(filter.clone()), *collection);
                    }
                }
            }
        }
        Ok(())
    }

    async fn run_transaction(&self, writes: &[Prepared]) -> StoreResult<()> {
        let mut session = self
            .client
            .start_session()
            .await
            .map_err(|e| store_error(e, None))?;
        for attempt in 1..=TRANSACTION_ATTEMPTS {
            session
                .start_transaction()
                .await
                .map_err(|e| store_error(e, None))?;
            let mut outcome = Ok(());
            for w in writes {
                if let Err(f) = self.exec(w, Some(&mut session)).await {
                    outcome = Err(f);
                    break;
                }
            }
            match outcome {
                Ok(()) => loop {
                    match session.commit_transaction().await {
                        Ok(()) => return Ok(()),
                        Err(e) if e.contains_label(UNKNOWN_TRANSACTION_COMMIT_RESULT) => {
                            continue;
                        }
                        Err(e) if e.contains_label(TRANSIENT_TRANSACTION_ERROR) => break,
                        Err(e) => return Err(store_error(e, None)),
                    }
                },
                Err(Failure::Store(e)) => {
                    // Aborting can only fail if the transaction is already gone.
                    let _ = session.abort_transaction().await;
                    return Err(e);
                }
                Err(Failure::Transient) => {
                    let _ = session.abort_transaction().await;
                }
            }
            // Back off a little, growing, so conflicting transactions spread out.
            let jitter = u64::from(ulid::Ulid::new().random() as u8 % 8);
            tokio::time::sleep(Duration::from_millis(u64::from(attempt.min(20)) + jitter)).await;
        }
        Err(StoreError::Conflict(format!(
            "transaction kept conflicting after {TRANSACTION_ATTEMPTS} attempts"
        )))
    }

    /// A find, with only `projection`'s fields when given.
    async fn find_projected(
        &self,
        collection: Collection,
        query: &Query,
        projection: Option<Document>,
    ) -> StoreResult<Vec<Value>> {
        if query.limit == Some(0) {
            // MongoDB reads limit 0 as "no limit".
            filter_to_bson(&query.filter)?;
            return Ok(Vec::new());
        }
        let filter = read_filter(collection, &query.filter)?;
        let coll = self.coll(collection);
        let mut action = coll.find(filter);
        if let Some(p) = projection {
            action = action.projection(p);
        }
        if let Some(sort) = sort_for(query)? {
            action = action.sort(sort);
        }
        if query.skip > 0 {
            action = action.skip(query.skip);
        }
        if let Some(n) = query.limit {
            action = action.limit(i64::try_from(n).unwrap_or(i64::MAX));
        }
        let cursor = action.await.map_err(|e| store_error(e, Some(collection)))?;
        let docs: Vec<Document> = cursor
            .try_collect()
            .await
            .map_err(|e| store_error(e, Some(collection)))?;
        Ok(docs.iter().map(doc_to_json).collect())
    }

    /// The winning plan of a find, with `projection` when given.
    async fn plan(
        &self,
        collection: Collection,
        query: &Query,
        projection: Option<Document>,
    ) -> StoreResult<QueryPlan> {
        let mut find = doc! {
            "find": collection.name(),
            "filter": read_filter(collection, &query.filter)?,
        };
        if let Some(sort) = sort_for(query)? {
            find.insert("sort", sort);
        }
        if let Some(p) = projection {
            find.insert("projection", p);
        }
        if query.skip > 0 {
            find.insert("skip", i64::try_from(query.skip).unwrap_or(i64::MAX));
        }
        if let Some(n) = query.limit.filter(|n| *n > 0) {
            find.insert("limit", i64::try_from(n).unwrap_or(i64::MAX));
        }
        let out = self
            .db
            .run_command(doc! { "explain": find, "verbosity": "queryPlanner" })
            .await
            .map_err(|e| store_error(e, Some(collection)))?;
        let winning = out
            .get_document("queryPlanner")
            .and_then(|p| p.get_document("winningPlan"))
            .map_err(|_| {
                StoreError::Backend(format!("explain on {collection} gave no winning plan"))
            })?;
        let server = out.get_document("serverInfo").ok();
        let planner = match server.and_then(|s| s.get_str("host").ok()) {
            Some("secantus") => "secantus".to_string(),
            _ => format!(
                "mongod {}",
                server
                    .and_then(|s| s.get_str("version").ok())
                    .unwrap_or("(version not reported)")
            ),
        };
        let winning = Bson::Document(winning.clone());
        let mut plan = QueryPlan {
            detail: winning.clone().into_relaxed_extjson().to_string(),
            planner,
            ..QueryPlan::default()
        };
        walk_plan(&winning, &mut plan);
        Ok(plan)
    }

    async fn existing_indexes(&self, c: Collection) -> StoreResult<Vec<IndexModel>> {
        match self.coll(c).list_indexes().await {
            Ok(cursor) => cursor
                .try_collect()
                .await
                .map_err(|e| store_error(e, Some(c))),
            // NamespaceNotFound: the collection does not exist yet, so it has no indexes.
            Err(e) if error_code(&e) == Some(26) => Ok(Vec::new()),
            Err(e) => Err(store_error(e, Some(c))),
        }
    }
}

/// `{ _id: 0, <field>: 1 … }`: only the fields asked for, so an index holding them covers
/// the read.
fn projection(fields: &[&str]) -> StoreResult<Document> {
    super::check_fields(fields)?;
    let mut p = doc! { "_id": 0 };
    for f in fields {
        p.insert(*f, 1);
    }
    Ok(p)
}

#[async_trait]
impl Store for MongoStore {
    fn backend(&self) -> Backend {
        Backend::Mongo
    }

    async fn ping(&self) -> StoreResult<()> {
        self.db
            .run_command(doc! {"ping": 1})
            .await
            .map(|_| ())
            .map_err(|e| store_error(e, None))
    }

    async fn find(&self, collection: Collection, query: &Query) -> StoreResult<Vec<Value>> {
        self.find_projected(collection, query, None).await
    }

    async fn find_fields(
        &self,
        collection: Collection,
        query: &Query,
        fields: &[&str],
    ) -> StoreResult<Vec<Vec<Value>>> {
        Ok(self
            .find_projected(collection, query, Some(projection(fields)?))
            .await?
            .iter()
            .map(|doc| super::fields_of(doc, fields))
            .collect())
    }

    async fn explain_fields(
        &self,
        collection: Collection,
        query: &Query,
        fields: &[&str],
    ) -> StoreResult<QueryPlan> {
        self.plan(collection, query, Some(projection(fields)?))
            .await
    }

    async fn find_text(&self, collection: Collection, query: &Query) -> StoreResult<Vec<String>> {
        Ok(self
            .find(collection, query)
            .await?
            .iter()
            .map(Value::to_string)
            .collect())
    }

    async fn count(&self, collection: Collection, filter: &Filter) -> StoreResult<u64> {
        self.count_up_to(collection, filter, i64::MAX as u64).await
    }

    async fn count_up_to(
        &self,
        collection: Collection,
        filter: &Filter,
        cap: u64,
    ) -> StoreResult<u64> {
        if cap == 0 {
            return Ok(0); // a limit of 0 means "no limit" to MongoDB
        }
        let filter = read_filter(collection, filter)?;
        // countDocuments with a limit runs `$match`, `$limit`, `$group`: the scan stops at cap.
        self.coll(collection)
            .count_documents(filter)
            .limit(cap.min(i64::MAX as u64))
            .await
            .map_err(|e| store_error(e, Some(collection)))
    }

    async fn commit(&self, writes: Vec<Write>) -> StoreResult<()> {
        let prepared = writes
            .iter()
            .map(prepare)
            .collect::<StoreResult<Vec<_>>>()?;
        match prepared.as_slice() {
            [] => Ok(()),
            [one] => match self.exec(one, None).await {
                Ok(()) => Ok(()),
                Err(Failure::Store(e)) => Err(e),
                Err(Failure::Transient) => Err(StoreError::Unavailable(
                    "mongodb: transient failure outside a transaction".into(),
                )),
            },
            many => self.run_transaction(many).await,
        }
    }

    /// One read per value on the multikey index, sixteen in flight: the values are
    /// independent and each is one index seek, so the round trips overlap.
    async fn first_each(
        &self,
        collection: Collection,
        query: &Query,
        path: &str,
        values: &[Value],
    ) -> StoreResult<Vec<Option<String>>> {
        use futures::StreamExt;
        let reads: Vec<_> = values
            .iter()
            .map(|v| {
                let q = super::first_each_query(query, path, v);
                async move {
                    Ok::<_, StoreError>(self.find_text(collection, &q).await?.into_iter().next())
                }
            })
            .collect();
        futures::stream::iter(reads)
            .buffered(FIRST_EACH_IN_FLIGHT)
            .try_collect()
            .await
    }

    async fn explain(&self, collection: Collection, query: &Query) -> StoreResult<QueryPlan> {
        self.plan(collection, query, None).await
    }

    async fn ensure_indexes(&self) -> StoreResult<IndexReport> {
        let mut report = IndexReport::default();
        for c in Collection::ALL {
            let mut existing = self.existing_indexes(c).await?;
            for (_, name) in indexes::RETIRED.iter().filter(|(rc, _)| *rc == c) {
                let named = |m: &IndexModel| {
                    m.options.as_ref().and_then(|o| o.name.as_deref()) == Some(*name)
                };
                if existing.iter().any(named) {
                    self.coll(c)
                        .drop_index(*name)
                        .await
                        .map_err(|e| store_error(e, Some(c)))?;
                    existing.retain(|m| !named(m));
                    report.dropped.push(format!("{}.{name}", c.name()));
                }
            }
            let mut missing = Vec::new();
            for spec in indexes::for_collection(c) {
                let label = format!("{}.{}", c.name(), spec.name);
                let same_name = existing.iter().find(|m| {
                    m.options.as_ref().and_then(|o| o.name.as_deref()) == Some(spec.name)
                });
                let same_shape = existing.iter().find(|m| index_matches(spec, m));
                match (same_name, same_shape) {
                    (Some(m), _) if index_matches(spec, m) => report.existing.push(label),
                    (Some(_), _) => report.conflicts.push(format!(
                        "{label}: an index of that name exists with other keys or options"
                    )),
                    (None, Some(m)) => report.existing.push(format!(
                        "{label} (as {})",
                        m.options
                            .as_ref()
                            .and_then(|o| o.name.clone())
                            .unwrap_or_default()
                    )),
                    (None, None) => missing.push((label, index_model(spec)?)),
                }
            }
            if missing.is_empty() {
                continue;
            }
            let (labels, models): (Vec<String>, Vec<IndexModel>) = missing.into_iter().unzip();
            match self.coll(c).create_indexes(models).await {
                Ok(_) => report.created.extend(labels),
                // IndexOptionsConflict / IndexKeySpecsConflict: same keys, other options.
                Err(e) if matches!(error_code(&e), Some(85 | 86)) => {
                    report
                        .conflicts
                        .push(format!("{}: {}", c.name(), error_message(&e)));
                }
                Err(e) => return Err(store_error(e, Some(c))),
            }
        }
        Ok(report)
    }

    async fn next_sequence(&self, name: &str) -> StoreResult<u64> {
        self.next_sequence_block(name, 1).await
    }

    async fn next_sequence_block(&self, name: &str, n: u64) -> StoreResult<u64> {
        let step = match i64::try_from(n) {
            Ok(step) if step > 0 => step,
            _ => {
                return Err(StoreError::InvalidQuery(format!(
                    "a block of sequence {name} needs between 1 and {} numbers, not {n}",
                    i64::MAX
                )));
            }
        };
        let counters = self.coll(Collection::Counters);
        // An increment of an existing counter, which always answers with the document; a
        // missing counter is created at zero first (two first callers: the unique `id` index
        // lets one insert win, the other's duplicate is ignored) and the increment retried.
        // No upsert races, which SecantusDB (the test server) answers without a document.
        for _ in 0..5 {
            let res = counters
                .find_one_and_update(doc! {"id": name}, doc! {"$inc": {"seq": step}})
                .return_document(ReturnDocument::After)
                .await;
            match res {
                Ok(Some(d)) => {
                    let last = match d.get("seq") {
                        Some(Bson::Int64(n)) => *n,
                        Some(Bson::Int32(n)) => i64::from(*n),
                        Some(Bson::Double(f)) => *f as i64,
                        _ => -1,
                    };
                    return u64::try_from(last - step + 1)
                        .ok()
                        .filter(|first| *first > 0)
                        .ok_or_else(|| {
                            StoreError::Backend(format!("counter {name} holds no valid number"))
                        });
                }
                Ok(None) => match counters.insert_one(doc! {"id": name, "seq": 0_i64}).await {
                    Ok(_) => continue,
                    Err(e) if matches!(error_code(&e), Some(11000)) => continue,
                    Err(e) => return Err(store_error(e, Some(Collection::Counters))),
                },
                Err(e) => return Err(store_error(e, Some(Collection::Counters))),
            }
        }
        Err(StoreError::Conflict(format!(
            "counter {name} kept colliding on creation"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted_from_driver_messages() {
        let uri = "mongodb://admin:s3cret@db.example:27017/nexus";
        let msg = redact(
            &format!("bad option in {uri}; user admin:s3cret; pw s3cret"),
            uri,
        );
        assert!(!msg.contains("s3cret"), "{msg}");
        assert!(msg.contains("<MONGODB_URI>"), "{msg}");
    }

    #[tokio::test]
    async fn malformed_uri_is_a_config_error() {
        let err = MongoStore::connect("mongodb://u:pw@host:notaport/db", "db")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Config(_)), "{err:?}");
        assert!(!err.to_string().contains(":pw@"), "{err}");
    }
}
