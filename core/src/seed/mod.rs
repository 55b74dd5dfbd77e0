//! The demo dataset and the idempotent seeder (seed-tasks.md TASK 7, api.md §6.3–§6.4).
//!
//! The data are typed model values ([`dataset`]); [`seed_demo`] writes each one through the
//! store port only if a document with the same key does not exist yet, so a second run
//! creates nothing and reports every item as "skipped (already exists)". Existing documents
//! are never overwritten, even when the demo values have changed since they were written.
//!
//! Each created document is inserted together with its audit entry in one commit
//! (ARCHITECTURE.md: every mutation writes an audit entry). A concurrent seeder that wins
//! the race makes the insert fail on the unique key; that item is then reported as skipped.
//!
//! Demo accounts are created with `mustChangePassword: true` and bcrypt-hashed passwords;
//! [`default_password_users`] finds the ones still using their published password so the
//! API can warn at start-up.

mod compute;
mod dataset;
mod passwords;

pub use dataset::{DEMO_JOB_ID, DemoDataset, DemoUser, demo_dataset};
pub use passwords::default_password_users;

use crate::model::{AuditAction, AuditLog, EntityType};
use crate::store::{Collection, Document, Filter, Store, StoreError, Write, typed};
use crate::types::Timestamp;
use chrono::NaiveDate;
use serde_json::Value;
use std::fmt;

/// Options of a seed run.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// bcrypt cost for the demo passwords (12 in production; tests use 4 for speed).
    pub bcrypt_cost: u32,
    /// The run's clock. Batch expiry and order dates are placed relative to it, so
    /// `GET /api/products/expiring?days=90` always has something to show.
    pub now: Timestamp,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            bcrypt_cost: DEFAULT_BCRYPT_COST,
            now: Timestamp::now(),
        }
    }
}

impl SeedOptions {
    /// The calendar date the relative dates are computed from (UTC).
    pub fn today(&self) -> NaiveDate {
        self.now.date()
    }
}

/// The bcrypt cost the rewrite uses for new hashes (the legacy system used 10).
pub const DEFAULT_BCRYPT_COST: u32 = 12;

/// The actor recorded in the audit entries the seeder writes.
pub const SEED_ACTOR: &str = "system";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOutcome {
    Created,
    /// A document with the same key was already there (it was left untouched).
    Skipped,
}

/// What happened to one demo document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedItem {
    pub collection: Collection,
    /// The document's key (`SALES-001`, `SALES-001 Feb'26` …).
    pub key: String,
    /// A human label (`Rajesh Kumar`).
    pub label: String,
    pub outcome: SeedOutcome,
}

impl SeedItem {
    /// The singular noun for the collection, as printed in progress lines.
    pub fn noun(&self) -> &'static str {
        noun(self.collection)
    }
}

impl fmt::Display for SeedItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.outcome {
            SeedOutcome::Created => {
                write!(f, "created {} {} ({})", self.noun(), self.key, self.label)
            }
            SeedOutcome::Skipped => write!(
                f,
                "skipped {} {} ({}) (already exists)",
                self.noun(),
                self.key,
                self.label
            ),
        }
    }
}

fn noun(c: Collection) -> &'static str {
    match c {
        Collection::Users => "user",
        Collection::Customers => "customer",
        Collection::Products => "product",
        Collection::Orders => "order",
        Collection::PerformanceRecords => "performance record",
        Collection::PackagingMaterials => "packaging material",
        Collection::PackagingTransactions => "packaging transaction",
        Collection::Warehouses => "warehouse",
        Collection::StockLedgers => "stock ledger entry",
        Collection::Procurements => "procurement",
        Collection::DistributorPrices => "distributor price",
        Collection::AuditLogs => "audit log",
        Collection::Attendances => "attendance",
        Collection::Jobs => "job",
        Collection::Counters => "counter",
    }
}

/// Per-item outcomes of a seed run, in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub items: Vec<SeedItem>,
}

impl SeedReport {
    pub fn created(&self) -> usize {
        self.count(None, SeedOutcome::Created)
    }

    pub fn skipped(&self) -> usize {
        self.count(None, SeedOutcome::Skipped)
    }

    pub fn created_in(&self, c: Collection) -> usize {
        self.count(Some(c), SeedOutcome::Created)
    }

    pub fn skipped_in(&self, c: Collection) -> usize {
        self.count(Some(c), SeedOutcome::Skipped)
    }

    fn count(&self, c: Option<Collection>, o: SeedOutcome) -> usize {
        self.items
            .iter()
            .filter(|i| i.outcome == o && c.is_none_or(|c| i.collection == c))
            .count()
    }

    /// `(collection, created, skipped)` for every collection the seed touches, in seed order.
    pub fn by_collection(&self) -> Vec<(Collection, usize, usize)> {
        let mut seen: Vec<Collection> = Vec::new();
        for i in &self.items {
            if !seen.contains(&i.collection) {
                seen.push(i.collection);
            }
        }
        seen.into_iter()
            .map(|c| (c, self.created_in(c), self.skipped_in(c)))
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot hash the demo password of {user}: {message}")]
    Hash { user: String, message: String },
}

/// One document the seed wants to exist.
struct Planned {
    collection: Collection,
    key: Vec<(&'static str, Value)>,
    key_text: String,
    label: String,
    entity: EntityType,
    doc: Value,
    /// False for a user that existed when the passwords were hashed (no hash was made).
    insertable: bool,
}

/// How many documents a seed run looks at (for a progress bar's length).
pub fn planned_len(opts: &SeedOptions) -> usize {
    demo_dataset(opts.now).len()
}

/// Seeds the demo dataset; see the module documentation.
pub async fn seed_demo(store: &dyn Store, opts: &SeedOptions) -> Result<SeedReport, SeedError> {
    seed_demo_with_progress(store, opts, &mut |_| {}).await
}

/// [`seed_demo`], calling `on_item` after each document (created or skipped).
pub async fn seed_demo_with_progress(
    store: &dyn Store,
    opts: &SeedOptions,
    on_item: &mut (dyn FnMut(&SeedItem) + Send),
) -> Result<SeedReport, SeedError> {
    let data = demo_dataset(opts.now);

    // Users first: only the missing ones pay for bcrypt, hashed in parallel off the runtime.
    let mut missing_users = Vec::new();
    for u in &data.users {
        if !exists(
            store,
            Collection::Users,
            &[("id", Value::from(u.user.id.clone()))],
        )
        .await?
        {
            missing_users.push(u.clone());
        }
    }
    let hashed = passwords::hash_all(&missing_users, opts.bcrypt_cost).await?;

    let mut planned: Vec<Planned> = Vec::with_capacity(data.len());
    for w in &data.warehouses {
        planned.push(plan(&w.id, &w.name, EntityType::Warehouse, w)?);
    }
    for u in &data.users {
        let mut user = u.user.clone();
        user.password = hashed.get(&user.id).cloned();
        let insertable = user.password.is_some();
        let mut p = plan(&user.id, &user.name, EntityType::User, &user)?;
        // A user that existed before hashing is reported as skipped, never written
        // without a password, even if it vanished in between.
        p.insertable = insertable;
        planned.push(p);
    }
    for c in &data.customers {
        planned.push(plan(&c.id, &c.name, EntityType::Customer, c)?);
    }
    for p in &data.products {
        planned.push(plan(&p.id, &p.name, EntityType::Product, p)?);
    }
    for m in &data.packaging {
        planned.push(plan(&m.id, &m.name, EntityType::Packaging, m)?);
    }
    for r in &data.performance {
        let mut p = plan(&r.user_id, &r.user_name, EntityType::Pms, r)?;
        p.key = vec![
            ("userId", Value::from(r.user_id.clone())),
            ("month", Value::from(r.month.to_string())),
        ];
        p.key_text = format!("{} {}", r.user_id, r.month);
        planned.push(p);
    }
    for o in &data.orders {
        let label = format!(
            "{} — {}",
            o.customer_name.as_deref().unwrap_or(&o.customer_id),
            o.status
        );
        planned.push(plan(&o.id, &label, EntityType::Order, o)?);
    }
    for e in &data.ledger {
        let id = e.id.clone().unwrap_or_default();
        let ty = serde_json::to_value(e.entry_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let batch = e.batch_number.as_deref().unwrap_or("-");
        let label = format!("{ty} {} × {} {batch}", e.qty, e.product_id);
        planned.push(plan(&id, &label, EntityType::Stock, e)?);
    }

    for j in &data.jobs {
        planned.push(plan(&j.id, j.kind.as_str(), EntityType::Job, j)?);
    }

    let mut report = SeedReport::default();
    for p in planned {
        let outcome = if !p.insertable || exists(store, p.collection, &p.key).await? {
            SeedOutcome::Skipped
        } else {
            insert_with_audit(store, &p, opts.now).await?
        };
        let item = SeedItem {
            collection: p.collection,
            key: p.key_text,
            label: p.label,
            outcome,
        };
        on_item(&item);
        report.items.push(item);
    }
    Ok(report)
}

/// Plans a document keyed by `id` (the collection comes from its [`Document`] impl).
fn plan<T: Document>(
    id: &str,
    label: &str,
    entity: EntityType,
    v: &T,
) -> Result<Planned, SeedError> {
    Ok(Planned {
        collection: T::COLLECTION,
        key: vec![("id", Value::from(id.to_string()))],
        key_text: id.to_string(),
        label: label.to_string(),
        entity,
        doc: typed::encode(v)?,
        insertable: true,
    })
}

async fn exists(
    store: &dyn Store,
    collection: Collection,
    key: &[(&str, Value)],
) -> Result<bool, StoreError> {
    Ok(store.count(collection, &Filter::key(key)).await? > 0)
}

async fn insert_with_audit(
    store: &dyn Store,
    p: &Planned,
    now: Timestamp,
) -> Result<SeedOutcome, SeedError> {
    let mut shown = p.doc.clone();
    if let Some(obj) = shown.as_object_mut() {
        // Never copy a credential into the audit trail.
        obj.remove("password");
    }
    let mut audit = AuditLog::new(SEED_ACTOR, "Demo seed", AuditAction::Create)
        .entity(p.entity, p.key_text.clone())
        .change(None, Some(shown));
    audit.reason = Some("nexus-admin seed (demo data)".into());
    audit.timestamp = now;
    audit.created_at = Some(now);
    audit.updated_at = Some(now);
    let writes = vec![
        Write::Insert {
            collection: p.collection,
            doc: p.doc.clone(),
        },
        Write::insert(&audit)?,
    ];
    match store.commit(writes).await {
        Ok(()) => Ok(SeedOutcome::Created),
        // Another seeder inserted the same key between our check and our write.
        Err(StoreError::DuplicateKey { .. }) => Ok(SeedOutcome::Skipped),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests;
