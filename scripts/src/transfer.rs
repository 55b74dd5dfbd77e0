//! `export` and `import`: every collection as `DIR/<collection>.json`, one relaxed
//! extended-JSON document per line — the format `mongoexport` writes and `mongoimport`
//! reads — so data moves between MongoDB and SQLite in both directions, and between this
//! tool and the MongoDB tools.
//!
//! Import upserts by the collection's key (`id`, or `userId`+`month`, `userId`+`date`);
//! documents that only have a MongoDB `_id` (legacy audit entries, ledger rows, warehouses)
//! are matched on `_id`. Running an import twice therefore leaves the same documents.

use crate::ext_json::{from_extended, to_extended};
use crate::progress::Progress;
use crate::target::Target;
use anyhow::{Context, bail};
use nexus_core::store::{Backend, Collection, Expect, Filter, Query, Store, Write};
use serde_json::Value;
use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Write as _};
use std::path::Path;
use std::process::ExitCode;

/// Upserts per commit: large enough to be quick, small enough to keep each commit short
/// while the API may be writing too.
const BATCH: usize = 200;

fn select(names: &[String]) -> anyhow::Result<Vec<Collection>> {
    if names.is_empty() {
        return Ok(Collection::ALL.to_vec());
    }
    names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(|n| {
            Collection::from_name(n).with_context(|| {
                let known: Vec<&str> = Collection::ALL.iter().map(|c| c.name()).collect();
                format!("unknown collection `{n}` (known: {})", known.join(", "))
            })
        })
        .collect()
}

/// A stable order for export files: by the key fields, then by `_id`.
fn sort_key(c: Collection, doc: &Value) -> String {
    let mut parts: Vec<String> = c
        .key_fields()
        .iter()
        .map(|k| doc.get(*k).map(Value::to_string).unwrap_or_default())
        .collect();
    parts.push(doc.get("_id").map(Value::to_string).unwrap_or_default());
    parts.join("\u{1f}")
}

pub async fn export(target: &Target, out: &Path, names: &[String]) -> anyhow::Result<ExitCode> {
    let collections = select(names)?;
    out!("Database: {}", target.describe());
    out!("Exporting to {}", out.display());
    let store = target.open().await?;
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;

    let bar = Progress::bar(collections.len() as u64, "export");
    let mut total = 0usize;
    let mut lines = Vec::new();
    for c in collections {
        bar.message(c.name());
        let mut docs = store.find(c, &Query::all()).await?;
        docs.sort_by_cached_key(|d| sort_key(c, d));
        let path = out.join(format!("{}.json", c.name()));
        write_lines(&path, &docs).with_context(|| format!("writing {}", path.display()))?;
        total += docs.len();
        lines.push(format!(
            "{:<24} {:>8}  {}",
            c.name(),
            docs.len(),
            path.display()
        ));
        bar.inc(1);
    }
    bar.finish();
    out!("────────────────────────────────────────");
    for l in lines {
        out!("{l}");
    }
    out!("Exported: {total} documents");
    Ok(ExitCode::SUCCESS)
}

/// Writes the file next to its final name and renames it, so a reader never sees half a
/// collection.
fn write_lines(path: &Path, docs: &[Value]) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.partial");
    {
        let file = fs::File::create(&tmp)?;
        let mut w = BufWriter::new(file);
        for d in docs {
            serde_json::to_writer(&mut w, &to_extended(d))?;
            w.write_all(b"\n")?;
        }
        w.flush()?;
        w.get_ref().sync_all()?;
    }
    fs::rename(&tmp, path)?;
    Ok(())
}

/// Reads a collection file: JSON lines (mongoexport's default) or one JSON array
/// (`mongoexport --jsonArray`).
fn read_docs(path: &Path) -> anyhow::Result<Vec<Value>> {
    let file = fs::File::open(path)?;
    let mut reader = BufReader::new(file);
    let first = reader
        .fill_buf()?
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    let raw: Vec<Value> = if first == Some(b'[') {
        serde_json::from_reader(reader)?
    } else {
        let mut v = Vec::new();
        for (n, line) in reader.lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            v.push(
                serde_json::from_str(&line)
                    .with_context(|| format!("line {}: not a JSON document", n + 1))?,
            );
        }
        v
    };
    raw.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let doc = from_extended(v).with_context(|| format!("document {}", i + 1))?;
            if !doc.is_object() {
                bail!("document {} is not a JSON object", i + 1);
            }
            Ok(doc)
        })
        .collect()
}

fn has_key(c: Collection, doc: &Value) -> bool {
    c.key_fields()
        .iter()
        .all(|k| doc.get(*k).is_some_and(|v| !v.is_null()))
}

pub async fn import(
    target: &Target,
    from: &Path,
    names: &[String],
    drop: bool,
) -> anyhow::Result<ExitCode> {
    out!("Database: {}", target.describe());
    out!("Importing from {}", from.display());
    let mut files: Vec<(Collection, std::path::PathBuf)> = Vec::new();
    if names.is_empty() {
        let mut entries: Vec<_> = fs::read_dir(from)
            .with_context(|| format!("reading {}", from.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        entries.sort();
        for p in entries {
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            match Collection::from_name(stem) {
                Some(c) => files.push((c, p)),
                None => out!("⚠️  ignored: {} (not a NexusOMS collection)", p.display()),
            }
        }
    } else {
        for c in select(names)? {
            let p = from.join(format!("{}.json", c.name()));
            if !p.exists() {
                bail!("{} does not exist", p.display());
            }
            files.push((c, p));
        }
    }
    if files.is_empty() {
        bail!("no <collection>.json files in {}", from.display());
    }

    let mut loaded = Vec::new();
    for (c, p) in files {
        let docs = read_docs(&p).with_context(|| format!("reading {}", p.display()))?;
        loaded.push((c, docs));
    }
    let total_docs: usize = loaded.iter().map(|(_, d)| d.len()).sum();

    let store = target.open().await?;
    store.ensure_indexes().await?;
    let bar = Progress::bar(total_docs as u64, "import");
    let mut summary = Vec::new();
    let mut total = 0usize;
    let mut unkeyed_total = 0usize;
    let mut kept_ids = 0usize;
    for (c, docs) in loaded {
        bar.message(c.name());
        if drop {
            store
                .commit(vec![Write::Delete {
                    collection: c,
                    filter: Filter::All,
                    expect: Expect::Any,
                }])
                .await
                .with_context(|| format!("dropping {c}"))?;
        }
        let n = docs.len();
        let mut keyed = Vec::with_capacity(BATCH);
        let mut unkeyed = 0usize;
        let mongo = store.backend() == Backend::Mongo;
        for mut doc in docs {
            if has_key(c, &doc) {
                if mongo && !drop && keep_existing_object_id(store.as_ref(), c, &mut doc).await? {
                    kept_ids += 1;
                }
                keyed.push(Write::Upsert { collection: c, doc });
                if keyed.len() == BATCH {
                    let k = keyed.len() as u64;
                    store
                        .commit(std::mem::take(&mut keyed))
                        .await
                        .with_context(|| format!("importing {c}"))?;
                    bar.inc(k);
                }
            } else {
                if !put_by_object_id(store.as_ref(), c, doc).await? {
                    unkeyed += 1;
                }
                bar.inc(1);
            }
        }
        if !keyed.is_empty() {
            let k = keyed.len() as u64;
            store
                .commit(keyed)
                .await
                .with_context(|| format!("importing {c}"))?;
            bar.inc(k);
        }
        total += n;
        unkeyed_total += unkeyed;
        summary.push(format!(
            "{:<24} {:>8}{}",
            c.name(),
            n,
            if drop {
                "  (collection emptied first)"
            } else {
                ""
            }
        ));
    }
    bar.finish();
    out!("────────────────────────────────────────");
    for l in summary {
        out!("{l}");
    }
    out!("Imported: {total} documents (upserted by key)");
    if kept_ids > 0 {
        out!(
            "ℹ️  {kept_ids} documents matched an existing document with another `_id`; MongoDB \
             cannot change an `_id`, so the existing one was kept"
        );
    }
    if unkeyed_total > 0 {
        out!(
            "⚠️  {unkeyed_total} documents had neither key fields nor `_id` and were inserted as \
             new (a second import duplicates them)"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// MongoDB refuses a replacement that changes `_id`. When the target already holds this
/// key under another `_id` (e.g. seeded separately), the import keeps the target's `_id`.
/// Returns whether it did.
async fn keep_existing_object_id(
    store: &dyn Store,
    c: Collection,
    doc: &mut Value,
) -> anyhow::Result<bool> {
    let Some(new_id) = doc.get("_id").cloned() else {
        return Ok(false);
    };
    let key: Vec<(&str, Value)> = c
        .key_fields()
        .iter()
        .map(|k| (*k, doc.get(*k).cloned().unwrap_or(Value::Null)))
        .collect();
    let existing = store
        .find(c, &Query::new(Filter::key(&key)).limit(1))
        .await?;
    match existing.first().and_then(|d| d.get("_id")) {
        Some(old) if *old != new_id => {
            doc["_id"] = old.clone();
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Writes a document that has no key fields: replaced where a document with the same `_id`
/// exists, inserted otherwise. Returns false when the document had no `_id` either.
async fn put_by_object_id(store: &dyn Store, c: Collection, doc: Value) -> anyhow::Result<bool> {
    let Some(id) = doc.get("_id").filter(|v| !v.is_null()).cloned() else {
        store
            .commit(vec![Write::Insert { collection: c, doc }])
            .await
            .with_context(|| format!("importing {c}"))?;
        return Ok(false);
    };
    let filter = Filter::Eq("_id".into(), id);
    let write = if store.count(c, &filter).await? > 0 {
        Write::Replace {
            collection: c,
            filter,
            doc,
            expect: Expect::One,
        }
    } else {
        Write::Insert { collection: c, doc }
    };
    store
        .commit(vec![write])
        .await
        .with_context(|| format!("importing {c}"))?;
    Ok(true)
}
