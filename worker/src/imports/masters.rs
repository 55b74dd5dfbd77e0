//! Master-data imports (material master, customer / OD master, distributor prices): one
//! flow, three row types ([`MasterRow`]).
//!
//! 1. Each row is parsed; a row that cannot be read goes to the report with its reason.
//! 2. Keys that appear on several rows: identical rows are imported once (`duplicateRows`);
//!    rows that disagree are **all** rejected, each naming the other rows. The legacy
//!    importer let the last row win silently; which copy is right is the business's call
//!    (in the seed the first copy is sometimes the blank one), so none is guessed.
//! 3. Stored documents for the keys are read in a few queries. A new key is inserted; an
//!    existing one gets `$set`/`$unset` of exactly the fields the file changes (other fields —
//!    batches, stock, KYC, blocks — are never touched, and a concurrent edit of them is not
//!    lost); a row that changes nothing counts as `unchanged`, so re-importing a file is
//!    idempotent and says so.
//! 4. Writes go in chunks, each chunk one atomic commit together with one audit entry per
//!    changed document (old → new of the changed fields). A unique-index clash inside a chunk
//!    (someone created the same record meanwhile) falls back to one commit per document and
//!    reports only the clashing rows.
//!
//! Blank versus absent: a column missing from the file leaves the stored field alone; a
//! blank cell in a present column clears it (the file is the master), except where a row
//! type says otherwise (a customer's credit limit).

use super::report::Report;
use super::sheet::{self, Layout, Row};
use super::{Hooks, ImportContext, ImportError, ImportOutcome};
use nexus_core::model::{AuditAction, AuditLog, EntityType, User};
use nexus_core::store::{
    Document, Expect, Filter, Query, StoreError, TypedStore, UpdateOp, Write, typed,
};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Documents written per commit.
const CHUNK: usize = 200;
/// Keys per lookup query (bounded `IN` lists).
const LOOKUP_CHUNK: usize = 500;

/// Counters of fixes the import applied and reports (`hsnPadded`, …).
pub(crate) type Notes = BTreeMap<&'static str, u64>;

/// A value read from an optional column: `None` when the file has no such column.
pub(crate) type Field<T> = Option<Option<T>>;

/// One row type of a master import.
pub(crate) trait MasterRow: Sized + PartialEq + Send + Sync {
    type Doc: Document + Clone;
    const LAYOUT: Layout;
    const ENTITY: EntityType;
    /// The key column's title, for messages.
    const KEY_TITLE: &'static str;

    /// Reads one row; `Err` is the reason it is rejected.
    fn parse(row: &Row<'_>, notes: &mut Notes) -> Result<Self, String>;
    /// The business key (the stored `id` for new documents).
    fn key(&self) -> String;
    /// The key as written on a row, read even when the row is rejected, so the summary
    /// counts the distinct records the file names (not rows).
    fn raw_key(row: &Row<'_>) -> Option<String>;
    /// Stored documents that may answer to these keys.
    fn lookup(keys: Vec<Value>) -> Filter;
    /// The keys a stored document answers to.
    fn keys_of(doc: &Self::Doc) -> Vec<String>;
    /// A new document for this row.
    fn create(&self, ctx: &ImportContext<'_>) -> Self::Doc;
    /// Writes the fields the import owns onto `doc`.
    fn apply(&self, doc: &mut Self::Doc);
}

/// Reads a column through `parse`, prefixing problems with the column title.
pub(crate) fn field<T>(
    row: &Row<'_>,
    layout: &Layout,
    key: &str,
    parse: impl Fn(&calamine::Data) -> Result<Option<T>, super::cells::CellIssue>,
) -> Result<Field<T>, String> {
    if !row.has(key) {
        return Ok(None);
    }
    parse(row.get(key))
        .map(Some)
        .map_err(|e| format!("{}: {e}", title(layout, key)))
}

/// A value the row must have.
pub(crate) fn required<T>(
    row: &Row<'_>,
    layout: &Layout,
    key: &str,
    parse: impl Fn(&calamine::Data) -> Result<Option<T>, super::cells::CellIssue>,
) -> Result<T, String> {
    field(row, layout, key, parse)?
        .flatten()
        .ok_or_else(|| format!("{} is empty", title(layout, key)))
}

fn title(layout: &Layout, key: &str) -> &'static str {
    layout
        .columns
        .iter()
        .find(|c| c.key == key)
        .map(|c| c.title)
        .unwrap_or("column")
}

/// Sets an optional field from a column: absent column → untouched, blank → cleared.
pub(crate) fn set<T: Clone>(target: &mut Option<T>, v: &Field<T>) {
    if let Some(v) = v {
        *target = v.clone();
    }
}

/// An amount that cannot be negative (prices, limits), to the paisa.
pub(crate) fn non_negative_money(
    cell: &calamine::Data,
) -> Result<Option<nexus_core::types::Money>, super::cells::CellIssue> {
    match super::cells::number(cell)? {
        Some(d) if d.is_sign_negative() && !d.is_zero() => {
            Err(super::cells::CellIssue(format!("{d} is negative")))
        }
        other => Ok(other.map(|d| nexus_core::types::Money::new(d).round2())),
    }
}

/// The user the audit entries name (the requester; a deleted user still gets their id).
pub(crate) async fn requester(ctx: &ImportContext<'_>) -> Result<Option<User>, ImportError> {
    Ok(ctx.store.get::<User>(Filter::id(ctx.requested_by)).await?)
}

pub(crate) fn audit(
    ctx: &ImportContext<'_>,
    user: Option<&User>,
    action: AuditAction,
    entity: EntityType,
    id: &str,
) -> AuditLog {
    let mut a = AuditLog::new(
        ctx.requested_by,
        user.map(|u| u.name.clone()).unwrap_or_default(),
        action,
    )
    .entity(entity, id);
    a.user_role = user.map(|u| u.role.as_str().to_string());
    a.timestamp = ctx.now;
    a.created_at = Some(ctx.now);
    a.updated_at = Some(ctx.now);
    a.extra
        .insert("jobId".into(), Value::String(ctx.job_id.into()));
    a
}

/// The field changes from `old` to `new` (top-level fields; `updatedAt` and `_rev` are the
/// import's own bookkeeping and not compared), with the old and new values for the audit.
fn diff(old: &Value, new: &Value) -> (Vec<UpdateOp>, Map<String, Value>, Map<String, Value>) {
    let (mut ops, mut before, mut after) = (Vec::new(), Map::new(), Map::new());
    let empty = Map::new();
    let o = old.as_object().unwrap_or(&empty);
    let n = new.as_object().unwrap_or(&empty);
    for (k, v) in n {
        if k == "updatedAt" || k == "_rev" || o.get(k) == Some(v) {
            continue;
        }
        ops.push(UpdateOp::Set(k.clone(), v.clone()));
        before.insert(k.clone(), o.get(k).cloned().unwrap_or(Value::Null));
        after.insert(k.clone(), v.clone());
    }
    for (k, v) in o {
        if !n.contains_key(k) && k != "_id" && k != "updatedAt" && k != "_rev" {
            ops.push(UpdateOp::Unset(k.clone()));
            before.insert(k.clone(), v.clone());
            after.insert(k.clone(), Value::Null);
        }
    }
    (ops, before, after)
}

/// A planned write for one record.
struct Planned {
    /// Sheet rows the record came from (the first is reported on failure).
    row: u32,
    cells: Vec<calamine::Data>,
    writes: Vec<Write>,
    created: bool,
}

/// Runs a master import of row type `R`.
pub(crate) async fn import<R: MasterRow>(
    ctx: &ImportContext<'_>,
    bytes: &[u8],
    hooks: &Hooks<'_>,
) -> Result<ImportOutcome, ImportError> {
    let layout = R::LAYOUT;
    let sheet = sheet::open(bytes, &layout)?;
    let total = sheet::require_rows(&sheet, &layout)?;
    let mut report = Report::new(sheet.headers.clone());
    let mut notes = Notes::new();

    let mut parsed: Vec<(Row<'_>, R)> = Vec::with_capacity(total);
    let mut named = HashSet::new();
    for row in sheet.rows() {
        named.extend(R::raw_key(&row));
        match R::parse(&row, &mut notes) {
            Ok(r) => parsed.push((row, r)),
            Err(reason) => report.reject(row.number, row.cells, reason),
        }
    }

    // Same key on several rows: identical copies collapse, conflicting ones are all refused.
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, (_, r)) in parsed.iter().enumerate() {
        by_key.entry(r.key()).or_default().push(i);
    }
    let mut keep = vec![true; parsed.len()];
    let mut duplicate_rows = 0u64;
    for (key, idx) in &by_key {
        if idx.len() < 2 {
            continue;
        }
        let numbers: Vec<String> = idx
            .iter()
            .map(|i| parsed[*i].0.number.to_string())
            .collect();
        let first = &parsed[idx[0]].1;
        if idx.iter().all(|i| parsed[*i].1 == *first) {
            for i in &idx[1..] {
                keep[*i] = false;
                duplicate_rows += 1;
            }
            continue;
        }
        for i in idx {
            keep[*i] = false;
            let (row, _) = &parsed[*i];
            report.reject(
                row.number,
                row.cells,
                format!(
                    "{} {key} appears on rows {} with different values; none of them was \
                     imported. Keep one row per {}.",
                    R::KEY_TITLE,
                    numbers.join(" and "),
                    R::KEY_TITLE
                ),
            );
        }
    }
    let records: Vec<(Row<'_>, R)> = parsed
        .into_iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(p))
        .collect();
    let distinct_keys = named.len();

    let existing = load_existing::<R>(ctx, records.iter().map(|(_, r)| r.key())).await?;
    let user = requester(ctx).await?;
    let (mut created, mut updated, mut unchanged) = (0u64, 0u64, 0u64);
    let mut done = total - records.len();

    for chunk in records.chunks(CHUNK) {
        hooks.check()?;
        let mut plans = Vec::with_capacity(chunk.len());
        for (row, r) in chunk {
            match plan(ctx, user.as_ref(), &existing, r)? {
                Some((writes, is_new)) => plans.push(Planned {
                    row: row.number,
                    cells: row.cells.to_vec(),
                    writes,
                    created: is_new,
                }),
                None => unchanged += 1,
            }
        }
        let (c, u) = commit_chunk(ctx, plans, &mut report).await?;
        created += c;
        updated += u;
        done += chunk.len();
        hooks.progress(done, total, format!("{done} of {total} rows"));
    }

    let summary = json!({
        "kind": layout.what,
        "sheet": sheet.name,
        "totalRows": total,
        "distinctKeys": distinct_keys,
        "imported": created + updated + unchanged,
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "duplicateRows": duplicate_rows,
        "rejected": report.len(),
        "notes": notes,
    });
    Ok(ImportOutcome {
        summary,
        report: report.to_xlsx()?,
        created_order_ids: Vec::new(),
    })
}

/// Stored documents by every key they answer to.
async fn load_existing<R: MasterRow>(
    ctx: &ImportContext<'_>,
    keys: impl Iterator<Item = String>,
) -> Result<HashMap<String, R::Doc>, ImportError> {
    let keys: Vec<Value> = keys.map(Value::String).collect();
    let mut found = HashMap::new();
    for chunk in keys.chunks(LOOKUP_CHUNK) {
        let docs: Vec<R::Doc> =
            typed::find(ctx.store, &Query::new(R::lookup(chunk.to_vec()))).await?;
        for d in docs {
            for k in R::keys_of(&d) {
                found.entry(k).or_insert_with(|| d.clone());
            }
        }
    }
    Ok(found)
}

/// The writes for one record: insert or field update plus audit; `None` when unchanged.
fn plan<R: MasterRow>(
    ctx: &ImportContext<'_>,
    user: Option<&User>,
    existing: &HashMap<String, R::Doc>,
    r: &R,
) -> Result<Option<(Vec<Write>, bool)>, ImportError> {
    let key = r.key();
    match existing.get(&key) {
        None => {
            let doc = r.create(ctx);
            let value = typed::encode(&doc)?;
            let a = audit(ctx, user, AuditAction::Create, R::ENTITY, &key)
                .change(None, Some(value.clone()));
            Ok(Some((
                vec![
                    Write::Insert {
                        collection: R::Doc::COLLECTION,
                        doc: value,
                    },
                    Write::insert(&a)?,
                ],
                true,
            )))
        }
        Some(old) => {
            let mut new = old.clone();
            r.apply(&mut new);
            let (old_v, new_v) = (typed::encode(old)?, typed::encode(&new)?);
            let (mut ops, before, after) = diff(&old_v, &new_v);
            if ops.is_empty() {
                return Ok(None);
            }
            let id = old_v
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or(&key)
                .to_string();
            ops.push(UpdateOp::Set("updatedAt".into(), json!(ctx.now)));
            // Products carry a revision that stock moves guard on: bump it so a move that
            // read the product before this update re-reads instead of overwriting it.
            if old_v.get("_rev").is_some() {
                ops.push(UpdateOp::Inc("_rev".into(), json!(1)));
            }
            let filter = Filter::id(id.clone());
            let a = audit(ctx, user, AuditAction::Update, R::ENTITY, &id)
                .change(Some(Value::Object(before)), Some(Value::Object(after)));
            Ok(Some((
                vec![
                    Write::Update {
                        collection: R::Doc::COLLECTION,
                        filter,
                        ops,
                        expect: Expect::One,
                    },
                    Write::insert(&a)?,
                ],
                false,
            )))
        }
    }
}

/// Commits a chunk at once; on a unique clash, one record at a time, reporting the clashes.
async fn commit_chunk(
    ctx: &ImportContext<'_>,
    plans: Vec<Planned>,
    report: &mut Report,
) -> Result<(u64, u64), ImportError> {
    let count = |ps: &[Planned]| {
        let c = ps.iter().filter(|p| p.created).count() as u64;
        (c, ps.len() as u64 - c)
    };
    let all: Vec<Write> = plans.iter().flat_map(|p| p.writes.clone()).collect();
    match ctx.store.commit(all).await {
        Ok(()) => return Ok(count(&plans)),
        Err(StoreError::DuplicateKey { .. } | StoreError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let (mut created, mut updated) = (0, 0);
    for p in plans {
        match ctx.store.commit(p.writes.clone()).await {
            Ok(()) if p.created => created += 1,
            Ok(()) => updated += 1,
            Err(StoreError::DuplicateKey { collection, index }) => report.reject(
                p.row,
                &p.cells,
                format!(
                    "clashes with another {collection} record on {index} (created or changed \
                     while the import ran); upload the file again to update it"
                ),
            ),
            Err(StoreError::Conflict(_)) => report.reject(
                p.row,
                &p.cells,
                "the record was deleted while the import ran; upload the file again",
            ),
            Err(e) => return Err(e.into()),
        }
    }
    Ok((created, updated))
}

/// Keys of a lookup: `field In keys`.
pub(crate) fn any_of(field: &str, keys: Vec<Value>) -> Filter {
    Filter::In(field.into(), keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_sets_changed_and_unsets_removed_fields_only() {
        let old = json!({"id": "P1", "name": "A", "mrp": 10, "hsnCode": "123", "updatedAt": "x", "_id": "o"});
        let new = json!({"id": "P1", "name": "B", "mrp": 10, "updatedAt": "y"});
        let (ops, before, after) = diff(&old, &new);
        assert_eq!(
            ops,
            vec![
                UpdateOp::Set("name".into(), json!("B")),
                UpdateOp::Unset("hsnCode".into())
            ]
        );
        assert_eq!(before.get("name"), Some(&json!("A")));
        assert_eq!(after.get("hsnCode"), Some(&Value::Null));
        assert!(diff(&old, &old).0.is_empty());
    }
}
