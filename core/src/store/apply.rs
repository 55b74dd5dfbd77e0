//! The meaning of a [`Filter`] and of an [`UpdateOp`], as pure functions over JSON documents.
//!
//! This module is the reference both adapters are held to: the SQLite adapter translates the
//! same rules into SQL (and applies updates with [`apply_ops`] inside its transaction), the
//! MongoDB adapter relies on the server, whose rules these follow, and the conformance suite
//! checks the adapters against each other.
//!
//! # Paths
//! A path is a dotted list of field names (`logistics.manifestId`, `agingBuckets.0 to 7`).
//! Field names may hold letters, digits, `_`, `-`, space, `<`, `>` and a non-leading `$`
//! (see [`parse_path`]); anything else is refused so a path can never smuggle syntax into a
//! query language. In filters a purely numeric segment is refused too: MongoDB would read it
//! as an array position and SQLite as a field name, so it cannot mean the same on both.
//!
//! Following MongoDB, a path walks through arrays: `items.skuCode` reaches the `skuCode` of
//! every element of `items`. A condition holds when it holds for any value reached, and for a
//! value that is an array, for the array itself or any of its elements.
//!
//! # Missing values
//! A path is *missing* along a route that ends at an absent field, at a scalar that cannot be
//! descended into, at an empty array or at a non-object array element; `null` counts as
//! missing. `Missing`, `Eq(_, null)` and an `In` list holding `null` hold when any route is
//! missing or reaches `null` (MongoDB's `{path: null}`); `Exists`, `Ne` and `Nin` are their
//! exact negations.
//!
//! # Comparison
//! Ranges compare within one type only, as MongoDB does: numbers numerically (integers and
//! floats mix), strings by UTF-8 bytes (so canonical timestamps sort chronologically), and
//! booleans `false < true`. `Contains` is a literal, ASCII-case-insensitive substring test,
//! because that is what SQLite's `lower()` can match exactly.

use super::{Filter, Sort, SortDir, StoreError, StoreResult, UpdateOp};
use serde_json::{Map, Number, Value};
use std::cmp::Ordering;

/// The longest path accepted, far above any real field path, to keep generated SQL bounded.
const MAX_PATH_LEN: usize = 200;
/// Deep enough for every shape in the model (`items.allocatedBatches.batchNumber`).
const MAX_PATH_SEGMENTS: usize = 8;

/// Splits and checks a path. `allow_index` admits numeric segments (array positions), which
/// only updates may use.
pub fn parse_path(path: &str, allow_index: bool) -> StoreResult<Vec<&str>> {
    if path.is_empty() || path.len() > MAX_PATH_LEN {
        return Err(StoreError::InvalidQuery(format!(
            "path `{path}` is empty or too long"
        )));
    }
    let segs: Vec<&str> = path.split('.').collect();
    if segs.len() > MAX_PATH_SEGMENTS {
        return Err(StoreError::InvalidQuery(format!(
            "path `{path}` is too deep"
        )));
    }
    for seg in &segs {
        let ok_chars = seg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' ' | '<' | '>' | '$'));
        if seg.is_empty() || !ok_chars || seg.starts_with('$') {
            return Err(StoreError::InvalidQuery(format!(
                "path `{path}` has an invalid field name `{seg}`"
            )));
        }
        if !allow_index && seg.bytes().all(|b| b.is_ascii_digit()) {
            return Err(StoreError::InvalidQuery(format!(
                "path `{path}` addresses an array position; use ElemMatch"
            )));
        }
    }
    Ok(segs)
}

/// Checks every path and value in a filter, so both adapters refuse the same filters.
pub fn validate_filter(filter: &Filter) -> StoreResult<()> {
    match filter {
        Filter::All => Ok(()),
        Filter::Eq(p, _) | Filter::Ne(p, _) | Filter::In(p, _) | Filter::Nin(p, _) => {
            parse_path(p, false).map(|_| ())
        }
        Filter::Gt(p, v) | Filter::Gte(p, v) | Filter::Lt(p, v) | Filter::Lte(p, v) => {
            parse_path(p, false)?;
            if v.is_array() || v.is_object() {
                return Err(StoreError::InvalidQuery(format!(
                    "range comparison on `{p}` needs a number, string, boolean or null"
                )));
            }
            Ok(())
        }
        Filter::Missing(p) | Filter::Exists(p) | Filter::Contains(p, _) => {
            parse_path(p, false).map(|_| ())
        }
        Filter::ElemMatch(p, inner) => {
            parse_path(p, false)?;
            validate_filter(inner)
        }
        Filter::And(fs) | Filter::Or(fs) => fs.iter().try_for_each(validate_filter),
        Filter::Not(f) => validate_filter(f),
    }
}

/// Checks sort paths.
pub fn validate_sort(sort: &[Sort]) -> StoreResult<()> {
    sort.iter()
        .try_for_each(|s| parse_path(&s.path, false).map(|_| ()))
}

/// What a route along a path ends at.
#[derive(Debug, Clone, Copy)]
enum Reached<'a> {
    Value(&'a Value),
    Missing,
}

fn reach<'a>(v: &'a Value, segs: &[&str], out: &mut Vec<Reached<'a>>) {
    let Some((first, rest)) = segs.split_first() else {
        out.push(Reached::Value(v));
        return;
    };
    match v {
        Value::Object(m) => match m.get(*first) {
            Some(child) => reach(child, rest, out),
            None => out.push(Reached::Missing),
        },
        Value::Array(items) => {
            if items.is_empty() {
                out.push(Reached::Missing);
            }
            for item in items {
                match item {
                    Value::Object(m) => match m.get(*first) {
                        Some(child) => reach(child, rest, out),
                        None => out.push(Reached::Missing),
                    },
                    _ => out.push(Reached::Missing),
                }
            }
        }
        _ => out.push(Reached::Missing),
    }
}

fn reached<'a>(doc: &'a Value, path: &str) -> Vec<Reached<'a>> {
    let mut out = Vec::new();
    match parse_path(path, false) {
        Ok(segs) => reach(doc, &segs, &mut out),
        // An invalid path reaches nothing; adapters reject it before evaluating.
        Err(_) => out.push(Reached::Missing),
    }
    out
}

/// True when `pred` holds for a reached value or, for an array, one of its elements.
fn any_scalar(doc: &Value, path: &str, pred: &dyn Fn(&Value) -> bool) -> bool {
    reached(doc, path).into_iter().any(|r| match r {
        Reached::Value(v) => {
            pred(v)
                || match v {
                    Value::Array(items) => items.iter().any(pred),
                    _ => false,
                }
        }
        Reached::Missing => false,
    })
}

fn is_missing(doc: &Value, path: &str) -> bool {
    reached(doc, path).into_iter().any(|r| match r {
        Reached::Missing | Reached::Value(Value::Null) => true,
        Reached::Value(Value::Array(items)) => items.iter().any(Value::is_null),
        Reached::Value(_) => false,
    })
}

/// MongoDB's ordering between two values of the same type bracket; `None` across brackets.
pub fn compare_scalars(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Some(compare_numbers(x, y)),
        (Value::String(x), Value::String(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ => None,
    }
}

pub fn compare_numbers(x: &Number, y: &Number) -> Ordering {
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return a.cmp(&b);
    }
    if let (Some(a), Some(b)) = (x.as_u64(), y.as_u64()) {
        return a.cmp(&b);
    }
    let a = x.as_f64().unwrap_or(f64::NAN);
    let b = y.as_f64().unwrap_or(f64::NAN);
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}

/// Equality as MongoDB sees it: numbers by value, containers structurally.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare_numbers(x, y) == Ordering::Equal,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

fn eq_holds(doc: &Value, path: &str, value: &Value) -> bool {
    if value.is_null() {
        return is_missing(doc, path);
    }
    any_scalar(doc, path, &|v| values_equal(v, value))
}

fn range_holds(doc: &Value, path: &str, value: &Value, accept: fn(Ordering) -> bool) -> bool {
    any_scalar(doc, path, &|v| {
        compare_scalars(v, value).is_some_and(accept)
    })
}

/// Evaluates a filter against one document.
pub fn matches(doc: &Value, filter: &Filter) -> bool {
    match filter {
        Filter::All => true,
        Filter::Eq(p, v) => eq_holds(doc, p, v),
        Filter::Ne(p, v) => !eq_holds(doc, p, v),
        Filter::Gt(p, v) => !v.is_null() && range_holds(doc, p, v, |o| o == Ordering::Greater),
        Filter::Lt(p, v) => !v.is_null() && range_holds(doc, p, v, |o| o == Ordering::Less),
        Filter::Gte(p, v) => {
            if v.is_null() {
                is_missing(doc, p)
            } else {
                range_holds(doc, p, v, |o| o != Ordering::Less)
            }
        }
        Filter::Lte(p, v) => {
            if v.is_null() {
                is_missing(doc, p)
            } else {
                range_holds(doc, p, v, |o| o != Ordering::Greater)
            }
        }
        Filter::In(p, vs) => vs.iter().any(|v| eq_holds(doc, p, v)),
        Filter::Nin(p, vs) => !vs.iter().any(|v| eq_holds(doc, p, v)),
        Filter::Missing(p) => is_missing(doc, p),
        Filter::Exists(p) => !is_missing(doc, p),
        Filter::Contains(p, needle) => {
            let needle = needle.to_ascii_lowercase();
            any_scalar(doc, p, &|v| match v {
                Value::String(s) => s.to_ascii_lowercase().contains(&needle),
                _ => false,
            })
        }
        Filter::ElemMatch(p, inner) => reached(doc, p).into_iter().any(|r| match r {
            Reached::Value(Value::Array(items)) => items
                .iter()
                .any(|item| item.is_object() && matches(item, inner)),
            _ => false,
        }),
        Filter::And(fs) => fs.iter().all(|f| matches(doc, f)),
        Filter::Or(fs) => fs.iter().any(|f| matches(doc, f)),
        Filter::Not(f) => !matches(doc, f),
    }
}

/// The plain value at a path through objects only (no array traversal), for reading key
/// fields and sort keys.
pub fn get_path<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(doc, |cur, seg| cur.as_object().and_then(|m| m.get(seg)))
}

/// Bracket order for sorting across types, after MongoDB: null, numbers, strings, objects,
/// arrays, booleans.
fn type_rank(v: Option<&Value>) -> u8 {
    match v {
        None | Some(Value::Null) => 0,
        Some(Value::Number(_)) => 1,
        Some(Value::String(_)) => 2,
        Some(Value::Object(_)) => 3,
        Some(Value::Array(_)) => 4,
        Some(Value::Bool(_)) => 5,
    }
}

/// Orders two documents by a sort specification (ties keep their order when used with a
/// stable sort). Used for in-memory ordering and by tests.
pub fn sort_cmp(a: &Value, b: &Value, sort: &[Sort]) -> Ordering {
    for s in sort {
        let (x, y) = (get_path(a, &s.path), get_path(b, &s.path));
        let ord = type_rank(x).cmp(&type_rank(y)).then_with(|| match (x, y) {
            (Some(x), Some(y)) => compare_scalars(x, y).unwrap_or(Ordering::Equal),
            _ => Ordering::Equal,
        });
        let ord = match s.dir {
            SortDir::Asc => ord,
            SortDir::Desc => ord.reverse(),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

// ---------------------------------------------------------------------------------------------
// Updates
// ---------------------------------------------------------------------------------------------

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

/// Refuses what MongoDB would refuse, so an update that works on SQLite also works there:
/// bad paths, `_id` changes, two operators touching the same or nested paths, a non-numeric
/// `$inc` and a `$pull` condition with invalid field names.
pub fn validate_ops(ops: &[UpdateOp]) -> StoreResult<()> {
    let mut seen: Vec<&str> = Vec::with_capacity(ops.len());
    for op in ops {
        let path = op_path(op);
        let segs = parse_path(path, true)?;
        if segs.first() == Some(&"_id") {
            return Err(StoreError::InvalidQuery("`_id` cannot be changed".into()));
        }
        for other in &seen {
            let nested = |a: &str, b: &str| {
                a == b || (a.starts_with(b) && a.as_bytes().get(b.len()) == Some(&b'.'))
            };
            if nested(path, other) || nested(other, path) {
                return Err(StoreError::InvalidQuery(format!(
                    "update paths `{path}` and `{other}` conflict"
                )));
            }
        }
        seen.push(path);
        match op {
            UpdateOp::Inc(p, v) if !v.is_number() => {
                return Err(StoreError::InvalidQuery(format!(
                    "$inc on `{p}` needs a number"
                )));
            }
            UpdateOp::Pull(_, Value::Object(m)) => {
                for k in m.keys() {
                    parse_path(k, false)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn op_error(op: &str, path: &str, why: &str) -> StoreError {
    StoreError::InvalidQuery(format!("{op} on `{path}`: {why}"))
}

fn array_index(seg: &str) -> Option<usize> {
    if seg.bytes().all(|b| b.is_ascii_digit()) {
        seg.parse().ok()
    } else {
        None
    }
}

/// The slot at `segs`, creating objects (and padding arrays with `null`) on the way, as
/// `$set` does.
fn slot_mut<'a>(doc: &'a mut Value, segs: &[&str], full: &str) -> StoreResult<&'a mut Value> {
    let mut cur = doc;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        cur = match cur {
            Value::Object(m) => m.entry((*seg).to_string()).or_insert_with(|| {
                if last {
                    Value::Null
                } else {
                    Value::Object(Map::new())
                }
            }),
            Value::Array(items) => {
                let idx = array_index(seg)
                    .ok_or_else(|| op_error("update", full, "cannot name a field of an array"))?;
                if idx >= items.len() {
                    items.resize(idx + 1, Value::Null);
                    if !last {
                        items[idx] = Value::Object(Map::new());
                    }
                }
                &mut items[idx]
            }
            other => {
                return Err(op_error(
                    "update",
                    full,
                    &format!("cannot create field `{seg}` inside {}", kind_name(other)),
                ));
            }
        };
    }
    Ok(cur)
}

/// The existing value at `segs` (objects and array positions), without creating anything.
fn existing_mut<'a>(doc: &'a mut Value, segs: &[&str]) -> Option<&'a mut Value> {
    let mut cur = doc;
    for seg in segs {
        cur = match cur {
            Value::Object(m) => m.get_mut(*seg)?,
            Value::Array(items) => items.get_mut(array_index(seg)?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn add_numbers(a: &Number, b: &Number, path: &str) -> StoreResult<Number> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x
            .checked_add(y)
            .map(Number::from)
            .ok_or_else(|| op_error("$inc", path, "integer overflow"));
    }
    let sum = a.as_f64().unwrap_or(0.0) + b.as_f64().unwrap_or(0.0);
    Number::from_f64(sum).ok_or_else(|| op_error("$inc", path, "result is not a finite number"))
}

/// Whether an array element is removed by `$pull` with `cond`: an object condition is a
/// query on object elements (MongoDB's rule), anything else is compared for equality.
fn pull_matches(elem: &Value, cond: &Value) -> bool {
    match cond {
        Value::Object(m) => {
            elem.is_object()
                && m.iter()
                    .all(|(k, v)| matches(elem, &Filter::Eq(k.clone(), v.clone())))
        }
        _ => values_equal(elem, cond),
    }
}

/// Applies update operators in order, with MongoDB's semantics. On error the document may be
/// partly changed; callers discard it (the whole commit fails).
pub fn apply_ops(doc: &mut Value, ops: &[UpdateOp]) -> StoreResult<()> {
    validate_ops(ops)?;
    for op in ops {
        let path = op_path(op);
        let segs = parse_path(path, true)?;
        match op {
            UpdateOp::Set(_, v) => *slot_mut(doc, &segs, path)? = v.clone(),
            UpdateOp::Unset(_) => {
                let (last, parent) = match segs.split_last() {
                    Some(x) => x,
                    None => continue,
                };
                match existing_mut(doc, parent) {
                    Some(Value::Object(m)) => {
                        m.remove(*last);
                    }
                    Some(Value::Array(items)) => {
                        if let Some(slot) = array_index(last).and_then(|i| items.get_mut(i)) {
                            *slot = Value::Null;
                        }
                    }
                    _ => {}
                }
            }
            UpdateOp::Inc(_, by) => {
                let Value::Number(by) = by else {
                    return Err(op_error("$inc", path, "needs a number"));
                };
                match existing_mut(doc, &segs) {
                    Some(Value::Number(n)) => *n = add_numbers(n, by, path)?,
                    Some(other) => {
                        return Err(op_error(
                            "$inc",
                            path,
                            &format!("cannot add to {}", kind_name(other)),
                        ));
                    }
                    None => *slot_mut(doc, &segs, path)? = Value::Number(by.clone()),
                }
            }
            UpdateOp::Push(_, v) | UpdateOp::AddToSet(_, v) => {
                let unique = matches!(op, UpdateOp::AddToSet(..));
                match existing_mut(doc, &segs) {
                    Some(Value::Array(items)) => {
                        if !(unique && items.iter().any(|x| values_equal(x, v))) {
                            items.push(v.clone());
                        }
                    }
                    Some(other) => {
                        return Err(op_error(
                            "$push",
                            path,
                            &format!("{} is not an array", kind_name(other)),
                        ));
                    }
                    None => {
                        *slot_mut(doc, &segs, path)? = Value::Array(vec![v.clone()]);
                    }
                }
            }
            UpdateOp::Pull(_, cond) => match existing_mut(doc, &segs) {
                Some(Value::Array(items)) => items.retain(|x| !pull_matches(x, cond)),
                Some(other) => {
                    return Err(op_error(
                        "$pull",
                        path,
                        &format!("{} is not an array", kind_name(other)),
                    ));
                }
                None => {}
            },
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer() -> Value {
        json!({
            "id": "CUST-000001",
            "name": "Sea Breeze Foods",
            "limit": 1500000,
            "osBalance": 250000.5,
            "status": "Active",
            "email": null,
            "agingBuckets": {"0 to 7": 1200, "7 to 15": 0, ">180": 55.5},
            "tags": ["horeca", "west"],
            "createdAt": "2026-02-12T13:15:00.000Z"
        })
    }

    fn product() -> Value {
        json!({
            "id": "PROD-1",
            "skuCode": "SKU-1",
            "batches": [
                {"batchNumber": "B1", "quantity": 0, "isActive": false, "expDate": "2026-03-01"},
                {"batchNumber": "B2", "quantity": 40, "isActive": true, "expDate": "2026-05-01"}
            ]
        })
    }

    #[test]
    fn equality_compares_numbers_across_int_and_float() {
        let c = customer();
        assert!(matches(&c, &Filter::eq("limit", 1500000.0)));
        assert!(matches(&c, &Filter::eq("osBalance", 250000.5)));
        assert!(!matches(&c, &Filter::eq("limit", "1500000")));
        assert!(matches(&c, &Filter::ne("limit", "1500000")));
    }

    #[test]
    fn ranges_stay_within_one_type() {
        let c = customer();
        assert!(matches(&c, &Filter::gt("limit", 1_000_000)));
        assert!(matches(&c, &Filter::gte("limit", 1_500_000)));
        assert!(!matches(&c, &Filter::gt("limit", 1_500_000)));
        assert!(!matches(&c, &Filter::gt("limit", "1")));
        assert!(!matches(&c, &Filter::lt("name", 5)));
        assert!(matches(&c, &Filter::lt("name", "T")));
        assert!(matches(
            &c,
            &Filter::gt("createdAt", "2026-02-12T13:14:59.999Z")
        ));
        assert!(!matches(&c, &Filter::gt("missing", 0)));
    }

    #[test]
    fn missing_exists_and_null() {
        let c = customer();
        assert!(matches(&c, &Filter::Missing("email".into())));
        assert!(matches(&c, &Filter::Missing("nothing".into())));
        assert!(matches(&c, &Filter::eq("nothing", Value::Null)));
        assert!(!matches(&c, &Filter::Missing("name".into())));
        assert!(matches(&c, &Filter::Exists("name".into())));
        assert!(!matches(&c, &Filter::Exists("email".into())));
        assert!(matches(&c, &Filter::Missing("name.first".into())));
        assert!(matches(&c, &Filter::ne("nothing", 3)));
        assert!(matches(&c, &Filter::Nin("nothing".into(), vec![json!(3)])));
        assert!(matches(
            &c,
            &Filter::is_in("nothing", vec![json!(1), Value::Null])
        ));
        assert!(matches(&c, &Filter::gte("nothing", Value::Null)));
        assert!(!matches(&c, &Filter::gt("nothing", Value::Null)));
    }

    #[test]
    fn field_names_with_spaces_and_symbols() {
        let c = customer();
        assert!(matches(&c, &Filter::eq("agingBuckets.0 to 7", 1200)));
        assert!(matches(&c, &Filter::gt("agingBuckets.>180", 50)));
        assert!(validate_filter(&Filter::eq("agingBuckets.0 to 7", 1)).is_ok());
        assert!(validate_filter(&Filter::eq("a'b", 1)).is_err());
        assert!(validate_filter(&Filter::eq("a.\"b", 1)).is_err());
        assert!(validate_filter(&Filter::eq("$where", 1)).is_err());
        assert!(validate_filter(&Filter::eq("items.0.sku", 1)).is_err());
        assert!(validate_filter(&Filter::eq("a..b", 1)).is_err());
        assert!(validate_filter(&Filter::gt("a", json!([1]))).is_err());
    }

    #[test]
    fn arrays_match_elementwise_and_through_paths() {
        let c = customer();
        assert!(matches(&c, &Filter::eq("tags", "west")));
        assert!(matches(&c, &Filter::eq("tags", json!(["horeca", "west"]))));
        assert!(!matches(&c, &Filter::ne("tags", "west")));
        assert!(matches(
            &c,
            &Filter::is_in("tags", vec![json!("north"), json!("west")])
        ));
        let p = product();
        assert!(matches(&p, &Filter::eq("batches.batchNumber", "B2")));
        assert!(matches(&p, &Filter::gt("batches.quantity", 10)));
        assert!(!matches(&p, &Filter::gt("batches.quantity", 40)));
        assert!(matches(&p, &Filter::Missing("batches.mfgDate".into())));
        assert!(!matches(&p, &Filter::Missing("batches.expDate".into())));
    }

    #[test]
    fn elem_match_needs_one_element_to_satisfy_everything() {
        let p = product();
        let live_b1 = Filter::elem_match(
            "batches",
            Filter::and([
                Filter::eq("batchNumber", "B1"),
                Filter::eq("isActive", true),
            ]),
        );
        assert!(!matches(&p, &live_b1));
        let live_b2 = Filter::elem_match(
            "batches",
            Filter::and([Filter::eq("batchNumber", "B2"), Filter::gte("quantity", 40)]),
        );
        assert!(matches(&p, &live_b2));
        assert!(!matches(
            &customer(),
            &Filter::elem_match("name", Filter::All)
        ));
        assert!(!matches(
            &json!({"a": [1, 2]}),
            &Filter::elem_match("a", Filter::All)
        ));
    }

    #[test]
    fn contains_is_literal_and_case_insensitive() {
        let c = customer();
        assert!(matches(&c, &Filter::contains("name", "BREEZE")));
        assert!(matches(&c, &Filter::contains("tags", "WE")));
        assert!(!matches(&c, &Filter::contains("name", "Sea.*Foods")));
        assert!(matches(&json!({"n": "a.*b"}), &Filter::contains("n", ".*")));
        assert!(!matches(&c, &Filter::contains("limit", "15")));
    }

    #[test]
    fn logic_combinators() {
        let c = customer();
        let f = Filter::or([Filter::eq("status", "Blocked"), Filter::gt("limit", 10)]);
        assert!(matches(&c, &f));
        assert!(!matches(&c, &Filter::Not(Box::new(f))));
        assert!(matches(&c, &Filter::And(vec![])));
        assert!(!matches(&c, &Filter::Or(vec![])));
    }

    #[test]
    fn set_creates_intermediate_objects() {
        let mut d = json!({"id": "ORD-1"});
        apply_ops(
            &mut d,
            &[
                UpdateOp::Set("logistics.manifestId".into(), json!("MAN-1")),
                UpdateOp::Set("status".into(), json!("Packed")),
            ],
        )
        .unwrap();
        assert_eq!(
            d,
            json!({"id": "ORD-1", "status": "Packed", "logistics": {"manifestId": "MAN-1"}})
        );
        let mut s = json!({"a": 5});
        assert!(apply_ops(&mut s, &[UpdateOp::Set("a.b".into(), json!(1))]).is_err());
        let mut arr = json!({"items": [{"qty": 1}]});
        apply_ops(&mut arr, &[UpdateOp::Set("items.0.qty".into(), json!(3))]).unwrap();
        assert_eq!(arr, json!({"items": [{"qty": 3}]}));
    }

    #[test]
    fn inc_treats_missing_as_zero_and_keeps_integers() {
        let mut d = json!({"balance": 1000});
        apply_ops(
            &mut d,
            &[
                UpdateOp::Inc("balance".into(), json!(-30)),
                UpdateOp::Inc("stats.moves".into(), json!(1)),
            ],
        )
        .unwrap();
        assert_eq!(d, json!({"balance": 970, "stats": {"moves": 1}}));
        apply_ops(&mut d, &[UpdateOp::Inc("balance".into(), json!(0.5))]).unwrap();
        assert_eq!(d["balance"], json!(970.5));
        let mut s = json!({"n": "1"});
        assert!(apply_ops(&mut s, &[UpdateOp::Inc("n".into(), json!(1))]).is_err());
        assert!(apply_ops(&mut s, &[UpdateOp::Inc("m".into(), json!("1"))]).is_err());
        let mut big = json!({"n": i64::MAX});
        assert!(apply_ops(&mut big, &[UpdateOp::Inc("n".into(), json!(1))]).is_err());
    }

    #[test]
    fn unset_push_add_to_set_pull() {
        let mut d = json!({"a": 1, "tags": ["x"], "hist": []});
        apply_ops(
            &mut d,
            &[
                UpdateOp::Unset("a".into()),
                UpdateOp::Unset("never.there".into()),
                UpdateOp::Push("hist".into(), json!({"status": "Packed"})),
                UpdateOp::AddToSet("tags".into(), json!("x")),
                UpdateOp::Push("photos".into(), json!("p1")),
            ],
        )
        .unwrap();
        assert_eq!(
            d,
            json!({"tags": ["x"], "hist": [{"status": "Packed"}], "photos": ["p1"]})
        );
        apply_ops(&mut d, &[UpdateOp::AddToSet("tags".into(), json!("y"))]).unwrap();
        assert_eq!(d["tags"], json!(["x", "y"]));
        let mut b = product();
        apply_ops(
            &mut b,
            &[UpdateOp::Pull("batches".into(), json!({"isActive": false}))],
        )
        .unwrap();
        assert_eq!(b["batches"].as_array().map(Vec::len), Some(1));
        let mut n = json!({"xs": [1, 2.0, 3, 2]});
        apply_ops(&mut n, &[UpdateOp::Pull("xs".into(), json!(2))]).unwrap();
        assert_eq!(n["xs"], json!([1, 3]));
        let mut bad = json!({"a": 1});
        assert!(apply_ops(&mut bad, &[UpdateOp::Push("a".into(), json!(1))]).is_err());
        assert!(apply_ops(&mut bad, &[UpdateOp::Pull("a".into(), json!(1))]).is_err());
    }

    #[test]
    fn conflicting_or_forbidden_paths_are_refused() {
        let mut d = json!({});
        let conflict = [
            UpdateOp::Set("logistics".into(), json!({})),
            UpdateOp::Set("logistics.sealNo".into(), json!("S")),
        ];
        assert!(apply_ops(&mut d, &conflict).is_err());
        assert!(apply_ops(&mut d, &[UpdateOp::Set("_id".into(), json!(1))]).is_err());
        let ok = [
            UpdateOp::Set("logistics.a".into(), json!(1)),
            UpdateOp::Set("logistics.ab".into(), json!(2)),
        ];
        assert!(apply_ops(&mut d, &ok).is_ok());
    }

    #[test]
    fn sorting_orders_types_then_values() {
        let mut docs = [
            json!({"n": "b"}),
            json!({"n": 2}),
            json!({}),
            json!({"n": 10.5}),
            json!({"n": "a"}),
        ];
        let sort = [Sort {
            path: "n".into(),
            dir: SortDir::Asc,
        }];
        docs.sort_by(|a, b| sort_cmp(a, b, &sort));
        let got: Vec<Value> = docs.iter().map(|d| d["n"].clone()).collect();
        assert_eq!(
            got,
            vec![Value::Null, json!(2), json!(10.5), json!("a"), json!("b")]
        );
    }
}
