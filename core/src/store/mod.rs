//! The store port. Documents are JSON values in the legacy MongoDB shape (camelCase fields,
//! string business ids); adapters differ only in how a [`Query`] or [`Write`] is expressed.
//! Typed access goes through [`Document`] and the helpers in [`typed`].
//!
//! Atomicity: [`Store::commit`] applies a list of writes all-or-nothing. Guards in an
//! [`Write::Update`] filter (e.g. `balance >= qty`, `status == "Pending Packing"`,
//! `_rev == 3`) make concurrent changes safe without read-modify-write races.

pub mod apply;
pub mod ids;
pub mod indexes;
pub mod open;
mod query;
pub mod typed;
mod write;

#[cfg(feature = "mongo")]
pub mod mongo;
#[cfg(feature = "mongo")]
pub mod mongo_convert;
#[cfg(feature = "sqlite")]
pub mod sql;
#[cfg(feature = "sqlite")]
pub mod sql_multikey;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_group;
#[cfg(feature = "sqlite")]
mod sqlite_read;
#[cfg(feature = "sqlite")]
mod sqlite_write;

#[cfg(feature = "conformance")]
#[doc(hidden)]
pub mod conformance;

pub use ids::{business_id, commit_with_business_id, is_id_index, next_business_id};
pub use indexes::{CATALOGUE, IndexCondition, IndexSpec};
#[cfg(feature = "mongo")]
pub use mongo::MongoStore;
pub use open::{StoreConfig, open};
pub use query::{
    Filter, Query, Sort, SortDir, first_each_query, spellings, status_filter, status_filters,
};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use typed::{Document, TypedStore};
pub use write::{Expect, UpdateOp, Write};

use async_trait::async_trait;
use serde_json::Value;

/// Every collection the system persists, with the MongoDB collection name of the legacy data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Collection {
    Users,
    Customers,
    Products,
    Orders,
    PerformanceRecords,
    PackagingMaterials,
    PackagingTransactions,
    Warehouses,
    StockLedgers,
    Procurements,
    DistributorPrices,
    AuditLogs,
    Attendances,
    Jobs,
    Counters,
}

impl Collection {
    pub const ALL: [Collection; 15] = [
        Collection::Users,
        Collection::Customers,
        Collection::Products,
        Collection::Orders,
        Collection::PerformanceRecords,
        Collection::PackagingMaterials,
        Collection::PackagingTransactions,
        Collection::Warehouses,
        Collection::StockLedgers,
        Collection::Procurements,
        Collection::DistributorPrices,
        Collection::AuditLogs,
        Collection::Attendances,
        Collection::Jobs,
        Collection::Counters,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Collection::Users => "users",
            Collection::Customers => "customers",
            Collection::Products => "products",
            Collection::Orders => "orders",
            Collection::PerformanceRecords => "performancerecords",
            Collection::PackagingMaterials => "packagingmaterials",
            Collection::PackagingTransactions => "packagingtransactions",
            Collection::Warehouses => "warehouses",
            Collection::StockLedgers => "stockledgers",
            Collection::Procurements => "procurements",
            Collection::DistributorPrices => "distributorprices",
            Collection::AuditLogs => "auditlogs",
            Collection::Attendances => "attendances",
            Collection::Jobs => "jobs",
            Collection::Counters => "counters",
        }
    }

    pub fn from_name(name: &str) -> Option<Collection> {
        Collection::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The fields that identify one document. Most collections use the string `id`; the
    /// legacy PMS and attendance collections are keyed by a pair.
    pub fn key_fields(self) -> &'static [&'static str] {
        match self {
            Collection::PerformanceRecords => &["userId", "month"],
            Collection::Attendances => &["userId", "date"],
            _ => &["id"],
        }
    }

    /// Fields the model types as one string, number, boolean or date, never a list (nor,
    /// for a dotted path, under a list). A
    /// filter on them needs no "or any element of an array" branch, which is what keeps the
    /// SQLite expression indexes usable for them beside a sort (the list screens, the last
    /// rate, the credit check); the SQLite adapter refuses a document holding an array or
    /// object there, so the shortcut is exact.
    pub fn scalar_fields(self) -> &'static [&'static str] {
        match self {
            Collection::Orders => &[
                "customerId",
                "salespersonId",
                "status",
                "createdAt",
                "creditCheck.passed",
                "creditCheck.overrideRequired",
                "importKey",
            ],
            _ => &[],
        }
    }
}

impl std::fmt::Display for Collection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Which adapter is behind the port (shown by health checks and the start-up banner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Mongo,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A unique index refused the write; `index` is the index name from the catalogue.
    #[error("duplicate key in {collection} ({index})")]
    DuplicateKey { collection: String, index: String },
    /// A guarded update or delete matched no document (the guard did not hold, or the
    /// document is gone); nothing in the commit was applied.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("document in {collection} does not match the model: {message}")]
    Decode { collection: String, message: String },
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store settings are malformed (the message names the variable).
    #[error("store configuration: {0}")]
    Config(String),
    #[error("store backend error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What `ensure_indexes` did, per index, so a second run can report "nothing to do".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexReport {
    pub created: Vec<String>,
    pub existing: Vec<String>,
    /// Indexes of the catalogue that an existing database holds under the same name with
    /// different options (e.g. a legacy plain `auditlogs.timestamp_1` where the catalogue
    /// wants the TTL); left untouched for an operator to resolve, with the reason.
    pub conflicts: Vec<String>,
    /// Retired indexes ([`indexes::RETIRED`]) found and dropped.
    pub dropped: Vec<String>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// A cheap round trip to the database, for readiness checks.
    async fn ping(&self) -> StoreResult<()>;

    async fn find(&self, collection: Collection, query: &Query) -> StoreResult<Vec<Value>>;

    /// The same documents as [`Store::find`], each as JSON text, for a reader that decodes
    /// straight into a type of its own: building `Value` trees only to turn them into a few
    /// fields was most of a million-batch expiry scan. SQLite hands over the stored text;
    /// MongoDB's documents arrive as BSON and are written out as text.
    async fn find_text(&self, collection: Collection, query: &Query) -> StoreResult<Vec<String>>;

    async fn count(&self, collection: Collection, filter: &Filter) -> StoreResult<u64>;

    /// Counts the matches, stopping at `cap`: `min(matches, cap)`. A list screen needs the
    /// exact figure only while it is small; counting a million matches to print "1,000,000"
    /// costs more than the page itself, so lists count this far and say when there is more.
    async fn count_up_to(
        &self,
        collection: Collection,
        filter: &Filter,
        cap: u64,
    ) -> StoreResult<u64>;

    /// Applies every write or none of them.
    async fn commit(&self, writes: Vec<Write>) -> StoreResult<()>;

    /// Creates the indexes of the catalogue that do not exist yet.
    async fn ensure_indexes(&self) -> StoreResult<IndexReport>;

    /// A strictly increasing number per name, shared by every process on the same database.
    async fn next_sequence(&self, name: &str) -> StoreResult<u64>;

    /// Reserves `n` consecutive numbers of the sequence `name` in one round trip and returns
    /// the first (the block is `first..first + n`). Bulk work (an import creating thousands
    /// of orders) takes its ids this way instead of one counter update per document; the
    /// numbers are shared with [`Store::next_sequence`], so neither ever hands out a number
    /// the other did. `n == 0` is refused as an invalid query.
    async fn next_sequence_block(&self, name: &str, n: u64) -> StoreResult<u64>;

    /// How the database would answer `query`, without running it: the store's own planner
    /// (SQLite's `EXPLAIN QUERY PLAN`, MongoDB's `explain`) decides whether a query costs the
    /// same at a million orders as at ten, so the hot queries are checked against it
    /// (`conformance::hot_queries_use_indexes`) rather than against what we hope it does.
    async fn explain(&self, collection: Collection, query: &Query) -> StoreResult<QueryPlan>;

    /// For each of `values`, the first document in `query`'s order that matches
    /// `query.filter` with `path` equal to that value (`None` where none does), in the
    /// order of `values`; `query`'s skip and limit do not apply.
    ///
    /// Why a method of its own: the last rate asks "the customer's newest order holding
    /// this SKU" at every booked line and for every SKU of an import. One read per value
    /// through an index on the SKUs inside the orders' lines costs the same at any history;
    /// walking the customer's orders until every SKU turns up grows with it. SQLite answers
    /// all values in one statement from its multikey entries (`store::sql_multikey`); MongoDB
    /// runs the reads side by side on its multikey index.
    async fn first_each(
        &self,
        collection: Collection,
        query: &Query,
        path: &str,
        values: &[Value],
    ) -> StoreResult<Vec<Option<String>>> {
        first_each_by_reads(self, collection, query, path, values).await
    }

    /// The values of `fields` (dotted paths) of every document `query` reads, one row per
    /// document in the query's order, `null` where a field is absent: figures, not
    /// documents. A store answers it from an index covering the filter and the fields
    /// ([`indexes::IndexSpec::covered`]) without opening a document; the credit check sums
    /// a customer's open orders this way at every booking.
    async fn find_fields(
        &self,
        collection: Collection,
        query: &Query,
        fields: &[&str],
    ) -> StoreResult<Vec<Vec<Value>>> {
        check_fields(fields)?;
        Ok(self
            .find(collection, query)
            .await?
            .iter()
            .map(|doc| fields_of(doc, fields))
            .collect())
    }

    /// How the database would answer [`Store::find_fields`].
    async fn explain_fields(
        &self,
        collection: Collection,
        query: &Query,
        _fields: &[&str],
    ) -> StoreResult<QueryPlan> {
        self.explain(collection, query).await
    }

    /// How the database would answer [`Store::first_each`] (for the first value, where
    /// the store reads value by value).
    async fn explain_first_each(
        &self,
        collection: Collection,
        query: &Query,
        path: &str,
        values: &[Value],
    ) -> StoreResult<QueryPlan> {
        explain_first_read(self, collection, query, path, values).await
    }
}

/// The fields of a [`Store::find_fields`]: at least one, valid paths, none inside another
/// (`creditCheck` beside `creditCheck.passed`).
pub fn check_fields(fields: &[&str]) -> StoreResult<()> {
    if fields.is_empty() {
        return Err(StoreError::InvalidQuery(
            "find_fields needs at least one field".into(),
        ));
    }
    for (i, a) in fields.iter().enumerate() {
        apply::parse_path(a, false)?;
        for b in &fields[i + 1..] {
            let inside = |x: &str, y: &str| x == y || x.starts_with(&format!("{y}."));
            if inside(a, b) || inside(b, a) {
                return Err(StoreError::InvalidQuery(format!(
                    "find_fields: `{a}` and `{b}` overlap"
                )));
            }
        }
    }
    Ok(())
}

/// A row of [`Store::find_fields`] from a whole document.
pub fn fields_of(doc: &Value, fields: &[&str]) -> Vec<Value> {
    fields
        .iter()
        .map(|f| apply::get_path(doc, f).cloned().unwrap_or(Value::Null))
        .collect()
}

/// The plan of [`first_each_by_reads`]' read for the first value.
pub async fn explain_first_read<S: Store + ?Sized>(
    store: &S,
    collection: Collection,
    query: &Query,
    path: &str,
    values: &[Value],
) -> StoreResult<QueryPlan> {
    let v = values.first().cloned().unwrap_or(Value::Null);
    store
        .explain(collection, &first_each_query(query, path, &v))
        .await
}

/// [`Store::first_each`] as one read per value, for stores (or queries) without a
/// statement of their own for it.
pub async fn first_each_by_reads<S: Store + ?Sized>(
    store: &S,
    collection: Collection,
    query: &Query,
    path: &str,
    values: &[Value],
) -> StoreResult<Vec<Option<String>>> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        let q = first_each_query(query, path, v);
        out.push(store.find_text(collection, &q).await?.into_iter().next());
    }
    Ok(out)
}

/// A query plan, in the catalogue's terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryPlan {
    /// Catalogue names ([`IndexSpec::name`]) of the indexes the plan walks.
    pub indexes: Vec<String>,
    /// Some step reads the whole collection.
    pub full_scan: bool,
    /// The planner's own words (SQLite's plan lines, MongoDB's winning plan), for a reader.
    pub detail: String,
    /// Who planned it: `sqlite`, `mongod <version>`, or `secantus` (the test suite's
    /// MongoDB-compatible server, whose planner is simpler than mongod's).
    pub planner: String,
}
