//! JSON ↔ BSON and port-type → MongoDB command translation, kept pure so it is tested without
//! a server.
//!
//! Value mapping (JSON → BSON → JSON is the identity for what the model writes):
//! - canonical timestamp text (`2026-02-12T13:15:00.000Z`) ↔ BSON date, so legacy Date fields
//!   keep their type and dates sort and compare as dates on the server;
//! - `{"$oid": hex}` ↔ ObjectId, so legacy `_id`s survive a read-modify-write unchanged;
//! - `{"$date": …}` (extended JSON in old exports) → date; other extended-JSON wrappers
//!   (`$numberLong`, `$numberDecimal`, `$binary`, …) → their BSON type;
//! - integers → Int32 when they fit, else Int64; other numbers → Double;
//! - BSON numbers → JSON numbers: a Double with no fraction (below 2^53) reads as an integer,
//!   because the old Node driver wrote large integers (epoch millis, rupee amounts) as
//!   doubles; Decimal128 reads as a number;
//! - anything else BSON can hold reads as relaxed extended JSON.

use super::apply::{self, parse_path};
use super::indexes::{IndexCondition, IndexSpec};
use super::{Collection, Filter, Query, SortDir, StoreError, StoreResult, UpdateOp};
use crate::types::Timestamp;
use mongodb::IndexModel;
use mongodb::bson::{self, Bson, Document, doc, oid::ObjectId};
use mongodb::options::IndexOptions;
use serde_json::{Map, Number, Value};
use std::time::Duration;

/// Integers a double holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_992.0;

pub fn json_to_bson(v: &Value) -> Bson {
    match v {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Number(n) => number_to_bson(n),
        Value::String(s) => {
            if Timestamp::is_canonical(s)
                && let Ok(t) = Timestamp::parse(s)
            {
                Bson::DateTime(bson::DateTime::from_millis(t.millis()))
            } else {
                Bson::String(s.clone())
            }
        }
        Value::Array(items) => Bson::Array(items.iter().map(json_to_bson).collect()),
        Value::Object(m) => object_to_bson(m),
    }
}

fn number_to_bson(n: &Number) -> Bson {
    if let Some(i) = n.as_i64() {
        match i32::try_from(i) {
            Ok(small) => Bson::Int32(small),
            Err(_) => Bson::Int64(i),
        }
    } else {
        Bson::Double(n.as_f64().unwrap_or(f64::NAN))
    }
}

fn object_to_bson(m: &Map<String, Value>) -> Bson {
    if m.len() == 1 {
        if let Some(Value::String(hex)) = m.get("$oid")
            && let Ok(oid) = ObjectId::parse_str(hex)
        {
            return Bson::ObjectId(oid);
        }
        if m.contains_key("$date")
            && let Ok(t) = serde_json::from_value::<Timestamp>(Value::Object(m.clone()))
        {
            return Bson::DateTime(bson::DateTime::from_millis(t.millis()));
        }
    }
    if !m.is_empty()
        && m.keys().all(|k| k.starts_with('$'))
        && let Ok(b) = Bson::try_from(Value::Object(m.clone()))
        && !matches!(b, Bson::Document(_))
    {
        return b;
    }
    Bson::Document(json_to_document(m))
}

fn json_to_document(m: &Map<String, Value>) -> Document {
    m.iter()
        .map(|(k, v)| (k.clone(), json_to_bson(v)))
        .collect()
}

/// A stored document from its JSON form (must be an object).
pub fn doc_to_bson(collection: Collection, v: &Value) -> StoreResult<Document> {
    match v {
        Value::Object(m) => Ok(json_to_document(m)),
        _ => Err(StoreError::InvalidQuery(format!(
            "a {collection} document must be a JSON object"
        ))),
    }
}

pub fn bson_to_json(b: &Bson) -> Value {
    match b {
        Bson::Null | Bson::Undefined => Value::Null,
        Bson::Boolean(x) => Value::Bool(*x),
        Bson::Int32(i) => Value::from(*i),
        Bson::Int64(i) => Value::from(*i),
        Bson::Double(f) => double_to_json(*f),
        Bson::String(s) => Value::String(s.clone()),
        Bson::Array(items) => Value::Array(items.iter().map(bson_to_json).collect()),
        Bson::Document(d) => doc_to_json(d),
        Bson::ObjectId(oid) => serde_json::json!({ "$oid": oid.to_hex() }),
        Bson::DateTime(dt) => {
            let ms = dt.timestamp_millis();
            match Timestamp::from_millis(ms) {
                Some(t) if Timestamp::is_canonical(&t.to_iso()) => Value::String(t.to_iso()),
                _ => serde_json::json!({ "$date": { "$numberLong": ms.to_string() } }),
            }
        }
        Bson::Decimal128(d) => {
            let text = d.to_string();
            text.parse::<f64>()
                .ok()
                .map(double_to_json)
                .filter(|v| !v.is_null())
                .unwrap_or(Value::String(text))
        }
        other => other.clone().into_relaxed_extjson(),
    }
}

fn double_to_json(f: f64) -> Value {
    if !f.is_finite() {
        return Value::Null;
    }
    if f.fract() == 0.0 && f.abs() < MAX_SAFE_INTEGER {
        // Exact: |f| < 2^53 and integral.
        return Value::from(f as i64);
    }
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

pub fn doc_to_json(d: &Document) -> Value {
    Value::Object(
        d.iter()
            .map(|(k, v)| (k.clone(), bson_to_json(v)))
            .collect(),
    )
}

/// Escapes every regex metacharacter, so client text is matched literally (defect D-S12).
/// A backslash before any ASCII punctuation is a literal in PCRE, which MongoDB uses.
pub fn escape_regex(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if c.is_ascii_punctuation() || c == ' ' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The query document for a filter (paths validated first, values converted as above).
pub fn filter_to_bson(filter: &Filter) -> StoreResult<Document> {
    apply::validate_filter(filter)?;
    Ok(filter_doc(filter))
}

/// The query document for a read of `collection`: [`filter_to_bson`], with the condition of
/// a partial index over non-empty strings stated beside an equality or `$in` on its field
/// when every value sought is such a string. The terms change nothing then; a server uses a
/// partial index only for a query that implies its filter, and `{importKey: {$in: [...]}}`
/// alone is not read as implying `$type: "string"` (an import's retry check scanned every
/// order without them).
pub fn read_filter(collection: Collection, filter: &Filter) -> StoreResult<Document> {
    let mut d = filter_to_bson(filter)?;
    for spec in super::indexes::for_collection(collection) {
        let [(path, _)] = spec.keys else { continue };
        if spec.condition != IndexCondition::NonEmptyString {
            continue;
        }
        let non_empty = |b: &Bson| matches!(b, Bson::String(s) if !s.is_empty());
        let stated = match d.get(*path) {
            Some(Bson::String(s)) if !s.is_empty() => Some(doc! { "$eq": s.clone() }),
            Some(Bson::Document(ops))
                if ops.len() == 1
                    && match ops.iter().next() {
                        Some((o, Bson::Array(vs))) if o == "$in" => vs.iter().all(non_empty),
                        Some((o, v)) if o == "$eq" => non_empty(v),
                        _ => false,
                    } =>
            {
                Some(ops.clone())
            }
            _ => None,
        };
        if let Some(mut ops) = stated {
            ops.insert("$type", "string");
            ops.insert("$gt", "");
            d.insert(*path, ops);
        }
    }
    Ok(d)
}

fn op(path: &str, operator: &str, value: Bson) -> Document {
    let mut inner = Document::new();
    inner.insert(operator, value);
    let mut d = Document::new();
    d.insert(path, inner);
    d
}

fn array(vs: &[Value]) -> Bson {
    Bson::Array(vs.iter().map(json_to_bson).collect())
}

fn filter_doc(filter: &Filter) -> Document {
    match filter {
        Filter::All => Document::new(),
        // A scalar as a bare value (`{status: "Packed"}`), the same query as `$eq`: the form
        // SecantusDB's planner takes compound indexes for. Documents and arrays keep `$eq`.
        Filter::Eq(p, v) if !v.is_object() && !v.is_array() => {
            let mut d = Document::new();
            d.insert(p.as_str(), json_to_bson(v));
            d
        }
        Filter::Eq(p, v) => op(p, "$eq", json_to_bson(v)),
        Filter::Ne(p, v) => op(p, "$ne", json_to_bson(v)),
        Filter::Gt(p, v) => op(p, "$gt", json_to_bson(v)),
        Filter::Gte(p, v) => op(p, "$gte", json_to_bson(v)),
        Filter::Lt(p, v) => op(p, "$lt", json_to_bson(v)),
        Filter::Lte(p, v) => op(p, "$lte", json_to_bson(v)),
        Filter::In(p, vs) => op(p, "$in", array(vs)),
        Filter::Nin(p, vs) => op(p, "$nin", array(vs)),
        // `{p: {$eq: null}}` is MongoDB's "absent or null" (also for any array route).
        Filter::Missing(p) => op(p, "$eq", Bson::Null),
        Filter::Exists(p) => op(p, "$ne", Bson::Null),
        Filter::Contains(p, needle) => {
            let mut inner = Document::new();
            inner.insert("$regex", escape_regex(needle));
            inner.insert("$options", "i");
            let mut d = Document::new();
            d.insert(p.as_str(), inner);
            d
        }
        // "Some element matches A or B" is "some element matches A, or some matches B".
        Filter::ElemMatch(p, inner) => match inner.as_ref() {
            Filter::Or(fs) if !fs.is_empty() => filter_doc(&Filter::Or(
                fs.iter()
                    .map(|f| Filter::ElemMatch(p.clone(), Box::new(f.clone())))
                    .collect(),
            )),
            other => op(p, "$elemMatch", Bson::Document(elem_doc(other))),
        },
        Filter::And(fs) if fs.is_empty() => Document::new(),
        // One document where no field repeats: the same query, and the form SecantusDB's
        // planner reads indexes from (real MongoDB normalises both alike).
        Filter::And(fs) => {
            let parts: Vec<Document> = fs.iter().map(filter_doc).collect();
            implicit_and(&parts).unwrap_or_else(
                || doc! { "$and": parts.into_iter().map(Bson::Document).collect::<Vec<_>>() },
            )
        }
        // `$or: []` is an error on the server; "nothing matches" is `$nor: [{}]`.
        Filter::Or(fs) if fs.is_empty() => doc! { "$nor": [ {} ] },
        Filter::Or(fs) => same_path_in(fs).unwrap_or_else(|| {
            doc! { "$or": fs.iter().map(|f| Bson::Document(filter_doc(f))).collect::<Vec<_>>() }
        }),
        // NOT of one field's `$in` or equality is `$nin` or `$ne` (both also match an absent
        // field, as `$nor` does), which a planner can keep beside an indexed equality.
        Filter::Not(f) => {
            let inner = filter_doc(f);
            match inner.iter().next() {
                Some((k, Bson::Document(ops)))
                    if inner.len() == 1 && !k.starts_with('$') && ops.len() == 1 =>
                {
                    match ops.iter().next() {
                        Some((o, v)) if o == "$in" => doc! { k.clone(): { "$nin": v.clone() } },
                        Some((o, v)) if o == "$eq" => doc! { k.clone(): { "$ne": v.clone() } },
                        _ => doc! { "$nor": [ Bson::Document(inner) ] },
                    }
                }
                Some((k, v))
                    if inner.len() == 1
                        && !k.starts_with('$')
                        && !matches!(v, Bson::Document(_)) =>
                {
                    doc! { k.clone(): { "$ne": v.clone() } }
                }
                _ => doc! { "$nor": [ Bson::Document(inner) ] },
            }
        }
    }
}

/// An OR of equalities on one field (`status` is "Pending", one of its legacy spellings, or
/// absent) as one `$in`: `{p: null}` and `$in: [null]` both match an absent or null field.
/// MongoDB rewrites such an `$or` itself; written this way it is one index range list on
/// any server. `None` when a branch is anything else or compares a non-scalar value.
fn same_path_in(fs: &[Filter]) -> Option<Document> {
    let mut path: Option<&str> = None;
    let mut values = Vec::new();
    for f in fs {
        let (p, vs): (&str, Vec<Value>) = match f {
            Filter::Eq(p, v) => (p, vec![v.clone()]),
            Filter::In(p, vs) => (p, vs.clone()),
            Filter::Missing(p) => (p, vec![Value::Null]),
            _ => return None,
        };
        if path.is_some_and(|q| q != p) || vs.iter().any(|v| v.is_array() || v.is_object()) {
            return None;
        }
        path = Some(p);
        values.extend(vs);
    }
    Some(op(path?, "$in", array(&values)))
}

/// The condition inside `$elemMatch`, written with field operators only where it can be:
/// an AND as one document, a NOT of one field's condition as `$not`. Same meaning as `$and`
/// and `$nor`, which real MongoDB also takes there and SecantusDB (the test suite's server)
/// does not (docs/DEPLOYMENT.md).
fn elem_doc(f: &Filter) -> Document {
    match f {
        Filter::And(fs) if !fs.is_empty() => {
            let parts: Vec<Document> = fs.iter().map(elem_doc).collect();
            implicit_and(&parts).unwrap_or_else(|| filter_doc(f))
        }
        Filter::Not(inner) => {
            let d = elem_doc(inner);
            match d.iter().next() {
                Some((k, Bson::Document(ops))) if d.len() == 1 && !k.starts_with('$') => {
                    doc! { k.clone(): { "$not": Bson::Document(ops.clone()) } }
                }
                _ => filter_doc(f),
            }
        }
        other => filter_doc(other),
    }
}

/// An AND written as one document (`{a: {$eq: 1}, b: {$gt: 0, $lt: 9}}`) where no field or
/// operator repeats; `None` when one does (then `$and` is needed). Same meaning as `$and`,
/// and the only form SecantusDB (the test suite's wire-compatible server) accepts inside
/// `$elemMatch`, where real MongoDB takes both (docs/DEPLOYMENT.md).
fn implicit_and(parts: &[Document]) -> Option<Document> {
    let mut out = Document::new();
    for part in parts {
        for (k, v) in part {
            match (out.get_mut(k), v) {
                (None, _) => {
                    out.insert(k.clone(), v.clone());
                }
                (Some(Bson::Document(have)), Bson::Document(more))
                    if !k.starts_with('$')
                        && have.keys().chain(more.keys()).all(|o| o.starts_with('$'))
                        && more.keys().all(|o| !have.contains_key(o)) =>
                {
                    for (o, x) in more {
                        have.insert(o.clone(), x.clone());
                    }
                }
                _ => return None,
            }
        }
    }
    Some(out)
}

/// The filter selecting a document by its key fields (for upserts).
pub fn key_filter(collection: Collection, doc: &serde_json::Value) -> StoreResult<Document> {
    let mut d = Document::new();
    for f in collection.key_fields() {
        match apply::get_path(doc, f) {
            Some(v) if !v.is_null() => {
                d.insert(*f, doc! { "$eq": json_to_bson(v) });
            }
            _ => {
                return Err(StoreError::InvalidQuery(format!(
                    "upsert into {collection} needs the key fields {:?}",
                    collection.key_fields()
                )));
            }
        }
    }
    Ok(d)
}

/// The update document: one entry per operator, paths checked for conflicts first.
pub fn update_to_bson(ops: &[UpdateOp]) -> StoreResult<Document> {
    apply::validate_ops(ops)?;
    let mut out = Document::new();
    for o in ops {
        let (operator, path, value) = match o {
            UpdateOp::Set(p, v) => ("$set", p, json_to_bson(v)),
            UpdateOp::Unset(p) => ("$unset", p, Bson::String(String::new())),
            UpdateOp::Inc(p, v) => ("$inc", p, json_to_bson(v)),
            UpdateOp::Push(p, v) => ("$push", p, json_to_bson(v)),
            UpdateOp::AddToSet(p, v) => ("$addToSet", p, json_to_bson(v)),
            UpdateOp::Pull(p, v) => ("$pull", p, json_to_bson(v)),
        };
        if !out.contains_key(operator) {
            out.insert(operator, Document::new());
        }
        if let Some(Bson::Document(group)) = out.get_mut(operator) {
            group.insert(path.as_str(), value);
        }
    }
    Ok(out)
}

/// The sort document for a query: its own keys, nothing added. A tie-breaker such as `_id`
/// would stop MongoDB from taking the order from an index (`{createdAt: -1, _id: 1}` is not
/// a prefix of `{createdAt: -1}`): every list page became a collection scan and a sort of
/// every match, which `conformance::hot_queries_use_indexes` caught through `explain`.
/// Equal keys still come back in one order from page to page, the index's (its entries end
/// with the record id), as SQLite's come in rowid order. A query with no sort is read in
/// `_id` order (insertion order for ObjectIds), one that does not care in none at all.
pub fn sort_for(query: &Query) -> StoreResult<Option<Document>> {
    apply::validate_sort(&query.sort)?;
    if query.sort.is_empty() {
        return Ok((!query.any_order).then(|| doc! { "_id": 1 }));
    }
    Ok(Some(
        query
            .sort
            .iter()
            .map(|s| (s.path.clone(), Bson::Int32(dir(s.dir))))
            .collect(),
    ))
}

fn dir(d: SortDir) -> i32 {
    match d {
        SortDir::Asc => 1,
        SortDir::Desc => -1,
    }
}

pub fn index_keys(spec: &IndexSpec) -> Document {
    spec.keys_with_covered()
        .iter()
        .map(|(p, d)| ((*p).to_string(), Bson::Int32(dir(*d))))
        .collect()
}

/// The partial filter of a catalogue entry (non-empty string keys only).
pub fn partial_filter(spec: &IndexSpec) -> Option<Document> {
    match spec.condition {
        IndexCondition::NonEmptyString => {
            let mut d = Document::new();
            for (p, _) in spec.keys {
                d.insert(*p, doc! { "$type": "string", "$gt": "" });
            }
            Some(d)
        }
        IndexCondition::All | IndexCondition::Sparse => None,
    }
}

pub fn index_model(spec: &IndexSpec) -> StoreResult<IndexModel> {
    for (p, _) in spec.keys_with_covered() {
        parse_path(p, false)?;
    }
    let options = IndexOptions::builder()
        .name(spec.name.to_string())
        .unique(spec.unique.then_some(true))
        .sparse((spec.condition == IndexCondition::Sparse).then_some(true))
        .partial_filter_expression(partial_filter(spec))
        .expire_after(spec.expire_after_seconds.map(Duration::from_secs))
        .build();
    Ok(IndexModel::builder()
        .keys(index_keys(spec))
        .options(options)
        .build())
}

/// Whether an index found on the server is the catalogue entry (same keys and options).
pub fn index_matches(spec: &IndexSpec, existing: &IndexModel) -> bool {
    let wanted = spec.keys_with_covered();
    let keys_match = existing.keys.len() == wanted.len()
        && existing.keys.iter().zip(&wanted).all(|((k, v), (p, d))| {
            k == p
                && match v {
                    Bson::Int32(x) => i64::from(*x).signum() == i64::from(dir(*d)),
                    Bson::Int64(x) => x.signum() == i64::from(dir(*d)),
                    Bson::Double(x) => x.signum() as i64 == i64::from(dir(*d)),
                    _ => false,
                }
        });
    let opts = existing.options.clone().unwrap_or_default();
    keys_match
        && opts.unique.unwrap_or(false) == spec.unique
        && opts.sparse.unwrap_or(false) == (spec.condition == IndexCondition::Sparse)
        && opts.partial_filter_expression.is_some() == partial_filter(spec).is_some()
        && opts.expire_after.map(|d| d.as_secs()) == spec.expire_after_seconds
}

/// The index named in a duplicate-key message
/// (`E11000 duplicate key error collection: db.users index: email_1 dup key: …`).
pub fn duplicate_index_name(message: &str) -> Option<String> {
    let rest = message.split("index: ").nth(1)?;
    let name = rest.split_whitespace().next()?;
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::indexes;
    use serde_json::json;

    #[test]
    fn timestamps_and_object_ids_round_trip() {
        let v = json!({
            "_id": {"$oid": "65f0a1b2c3d4e5f601234567"},
            "createdAt": "2026-02-12T13:15:00.000Z",
            "mfgDate": "2026-02-12",
            "legacy": {"$date": "2026-02-12T13:15:00.000Z"},
            "legacyLong": {"$date": {"$numberLong": "1770902100000"}},
        });
        let d = doc_to_bson(Collection::Orders, &v).unwrap();
        let oid = ObjectId::parse_str("65f0a1b2c3d4e5f601234567").unwrap();
        let at = bson::DateTime::from_millis(1_770_902_100_000);
        assert_eq!(
            d,
            doc! {
                "_id": oid,
                "createdAt": at,
                "mfgDate": "2026-02-12",
                "legacy": at,
                "legacyLong": at,
            }
        );
        let back = doc_to_json(&d);
        assert_eq!(back["_id"], json!({"$oid": "65f0a1b2c3d4e5f601234567"}));
        assert_eq!(back["createdAt"], json!("2026-02-12T13:15:00.000Z"));
        assert_eq!(back["legacy"], json!("2026-02-12T13:15:00.000Z"));
        assert_eq!(back["mfgDate"], json!("2026-02-12"));
    }

    #[test]
    fn numbers_keep_their_kind() {
        let v = json!({"a": 5, "b": 5_000_000_000i64, "c": 2.5, "d": -7});
        let d = doc_to_bson(Collection::Customers, &v).unwrap();
        assert_eq!(
            d,
            doc! {"a": 5i32, "b": 5_000_000_000i64, "c": 2.5f64, "d": -7i32}
        );
        assert_eq!(doc_to_json(&d), v);
        assert_eq!(
            bson_to_json(&Bson::Double(1_770_902_100_000.0)),
            json!(1_770_902_100_000i64)
        );
        assert_eq!(bson_to_json(&Bson::Double(116.29)), json!(116.29));
        assert_eq!(bson_to_json(&Bson::Double(f64::NAN)), Value::Null);
        let dec: bson::Decimal128 = "1250.50".parse().unwrap();
        assert_eq!(bson_to_json(&Bson::Decimal128(dec)), json!(1250.5));
        assert_eq!(json_to_bson(&json!({"$numberLong": "42"})), Bson::Int64(42));
    }

    #[test]
    fn filters_translate_exactly() {
        let f = Filter::and([
            Filter::eq("status", "Pending Credit Approval"),
            Filter::gte("balance", 30),
            Filter::lt("createdAt", "2026-02-12T13:15:00.000Z"),
            Filter::Missing("logistics.manifestId".into()),
            Filter::Exists("email".into()),
            Filter::is_in("type", vec![json!("IN"), Value::Null]),
            Filter::Nin("role".into(), vec![json!("Admin")]),
            Filter::ne("agingBuckets.0 to 7", 0),
        ]);
        let at = bson::DateTime::from_millis(1_770_902_100_000);
        assert_eq!(
            filter_to_bson(&f).unwrap(),
            doc! {
                "status": "Pending Credit Approval",
                "balance": {"$gte": 30},
                "createdAt": {"$lt": at},
                "logistics.manifestId": {"$eq": null},
                "email": {"$ne": null},
                "type": {"$in": ["IN", null]},
                "role": {"$nin": ["Admin"]},
                "agingBuckets.0 to 7": {"$ne": 0},
            }
        );
        // A field twice keeps `$and`; an OR of one field's values is one `$in`; NOT of
        // such an `$in` is `$nin`.
        assert_eq!(
            filter_to_bson(&Filter::and([
                Filter::eq("status", "A"),
                Filter::eq("status", "B")
            ]))
            .unwrap(),
            doc! {"$and": [{"status": "A"}, {"status": "B"}]}
        );
        let pending = Filter::or([
            Filter::Missing("status".into()),
            Filter::is_in("status", vec![json!("Pending"), json!("")]),
        ]);
        assert_eq!(
            filter_to_bson(&pending).unwrap(),
            doc! {"status": {"$in": [null, "Pending", ""]}}
        );
        assert_eq!(
            filter_to_bson(&Filter::Not(Box::new(pending))).unwrap(),
            doc! {"status": {"$nin": [null, "Pending", ""]}}
        );
        assert_eq!(
            filter_to_bson(&Filter::or([Filter::eq("a", 1), Filter::eq("b", 1)])).unwrap(),
            doc! {"$or": [{"a": 1}, {"b": 1}]}
        );
    }

    #[test]
    fn reads_state_the_partial_index_condition() {
        let keys = Filter::is_in("importKey", vec![json!("J:C1:"), json!("J:C2:")]);
        assert_eq!(
            read_filter(Collection::Orders, &keys).unwrap(),
            doc! {"importKey": {"$in": ["J:C1:", "J:C2:"], "$type": "string", "$gt": ""}}
        );
        assert_eq!(
            read_filter(Collection::Orders, &Filter::eq("importKey", "J:C1:")).unwrap(),
            doc! {"importKey": {"$eq": "J:C1:", "$type": "string", "$gt": ""}}
        );
        // An empty key is not under the index: the query stays as it is.
        let empty = Filter::eq("importKey", "");
        assert_eq!(
            read_filter(Collection::Orders, &empty).unwrap(),
            filter_to_bson(&empty).unwrap()
        );
    }

    #[test]
    fn contains_is_an_escaped_case_insensitive_regex() {
        assert_eq!(
            filter_to_bson(&Filter::contains("name", "a.b*(c)$ [x]")).unwrap(),
            doc! {"name": {"$regex": r"a\.b\*\(c\)\$\ \[x\]", "$options": "i"}}
        );
    }

    #[test]
    fn logic_and_elem_match() {
        let f = Filter::or([
            Filter::elem_match(
                "batches",
                Filter::and([Filter::eq("batchNumber", "B1"), Filter::gt("quantity", 0)]),
            ),
            Filter::Not(Box::new(Filter::eq("isActive", false))),
        ]);
        assert_eq!(
            filter_to_bson(&f).unwrap(),
            doc! {"$or": [
                {"batches": {"$elemMatch": {
                    "batchNumber": "B1",
                    "quantity": {"$gt": 0},
                }}},
                {"isActive": {"$ne": false}},
            ]}
        );
        assert_eq!(filter_to_bson(&Filter::All).unwrap(), doc! {});
        assert_eq!(
            filter_to_bson(&Filter::Or(vec![])).unwrap(),
            doc! {"$nor": [{}]}
        );
        assert!(filter_to_bson(&Filter::eq("$where", 1)).is_err());
    }

    #[test]
    fn updates_group_by_operator() {
        let u = update_to_bson(&[
            UpdateOp::Set("status".into(), json!("Pending WH Selection")),
            UpdateOp::Set("updatedAt".into(), json!("2026-02-12T13:15:00.000Z")),
            UpdateOp::Inc("balance".into(), json!(-30)),
            UpdateOp::Unset("logistics.sealNo".into()),
            UpdateOp::Push("statusHistory".into(), json!({"status": "Packed"})),
            UpdateOp::AddToSet("permissions".into(), json!("orders")),
            UpdateOp::Pull("batches".into(), json!({"quantity": 0})),
        ])
        .unwrap();
        assert_eq!(
            u,
            doc! {
                "$set": {
                    "status": "Pending WH Selection",
                    "updatedAt": bson::DateTime::from_millis(1_770_902_100_000),
                },
                "$inc": {"balance": -30},
                "$unset": {"logistics.sealNo": ""},
                "$push": {"statusHistory": {"status": "Packed"}},
                "$addToSet": {"permissions": "orders"},
                "$pull": {"batches": {"quantity": 0}},
            }
        );
        assert!(
            update_to_bson(&[
                UpdateOp::Set("a".into(), json!(1)),
                UpdateOp::Inc("a".into(), json!(1))
            ])
            .is_err()
        );
    }

    #[test]
    fn sort_and_keys() {
        let s = sort_for(&Query::all().sort_desc("createdAt").sort_asc("id")).unwrap();
        assert_eq!(s, Some(doc! {"createdAt": -1, "id": 1}));
        assert_eq!(sort_for(&Query::all()).unwrap(), Some(doc! {"_id": 1}));
        assert_eq!(sort_for(&Query::all().in_any_order()).unwrap(), None);
        assert_eq!(
            key_filter(
                Collection::PerformanceRecords,
                &json!({"userId": "U1", "month": "Feb'26"})
            )
            .unwrap(),
            doc! {"userId": {"$eq": "U1"}, "month": {"$eq": "Feb'26"}}
        );
        assert!(key_filter(Collection::Orders, &json!({})).is_err());
    }

    #[test]
    fn index_models_carry_the_catalogue_options() {
        let sku = indexes::find(Collection::Products, "skuCode_1").unwrap();
        let m = index_model(sku).unwrap();
        assert_eq!(m.keys, doc! {"skuCode": 1});
        let o = m.options.clone().unwrap();
        assert_eq!(o.name.as_deref(), Some("skuCode_1"));
        assert_eq!(o.unique, Some(true));
        assert_eq!(o.sparse, None);
        assert_eq!(
            o.partial_filter_expression,
            Some(doc! {"skuCode": {"$type": "string", "$gt": ""}})
        );
        assert!(index_matches(sku, &m));

        let ttl = indexes::find(Collection::AuditLogs, "timestamp_1").unwrap();
        let m = index_model(ttl).unwrap();
        let o = m.options.clone().unwrap();
        assert_eq!(o.expire_after, Some(Duration::from_secs(63_072_000)));
        let plain_legacy = IndexModel::builder()
            .keys(doc! {"timestamp": 1})
            .options(
                IndexOptions::builder()
                    .name("timestamp_1".to_string())
                    .build(),
            )
            .build();
        assert!(!index_matches(ttl, &plain_legacy));

        let email = indexes::find(Collection::Users, "email_1").unwrap();
        let o = index_model(email).unwrap().options.unwrap();
        assert_eq!((o.unique, o.sparse), (Some(true), Some(true)));

        let recent = indexes::find(Collection::Orders, "status_1_createdAt_-1").unwrap();
        assert_eq!(
            index_model(recent).unwrap().keys,
            doc! {"status": 1, "createdAt": -1}
        );
    }

    #[test]
    fn duplicate_key_messages_name_the_index() {
        let msg = r#"E11000 duplicate key error collection: nexus.users index: email_1 dup key: { email: "a@b.c" }"#;
        assert_eq!(duplicate_index_name(msg).as_deref(), Some("email_1"));
        assert_eq!(duplicate_index_name("something else"), None);
    }
}
