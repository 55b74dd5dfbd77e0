//! Multikey indexes on SQLite: an index over the elements of an array field
//! (`customerId_1_items.skuCode_1_createdAt_-1`), which MongoDB builds itself and SQLite
//! cannot express as an expression index (one index entry per row, not per element).
//!
//! The entries live in a table of their own, `<collection>__<index>__entries`, with one row
//! per document and distinct element value (`k` the document's key, `c0…` the index's key
//! values in catalogue order), and the catalogue's index over those columns. Triggers on the
//! collection's table keep it in step inside every write's own transaction, whichever code
//! path writes (the adapter, a restore, an operator's `sqlite3` session), so the entries can
//! never disagree with the documents they came from.
//!
//! Which values are entries: exactly the strings `v` for which `Filter::Eq("items.skuCode",
//! v)` matches the document under [`super::apply`]'s rules (an element object's field equal to
//! `v` or holding it in an array; the same when `items` is a single object). Only strings,
//! because the read that uses the entries ([`first_each_sql`]) asks for strings; any other
//! value is read without them.

use super::apply::parse_path;
use super::indexes::IndexSpec;
use super::sql::{self, Arg, Sql, path_literal};
use super::{Collection, Filter, Query, StoreResult};
use serde_json::Value;

/// Where an index column's value comes from.
enum Column {
    /// A field of the document itself (a JSON-path literal).
    Doc(String),
    /// The field inside each element of the array.
    Element,
}

/// A multikey spec taken apart: which column reads the elements, and the paths it needs.
struct Layout {
    table: String,
    columns: Vec<Column>,
    /// Position of the element column among the keys.
    element: usize,
    /// `'$."items"'`, `'$."skuCode"'` (relative to an element), `'$."items"."skuCode"'`.
    array: String,
    field: String,
    full: String,
}

/// The name of the entries table of a multikey index.
pub fn table_name(spec: &IndexSpec) -> String {
    format!("{}__entries", sql::physical_index_name(spec))
}

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

impl Layout {
    fn of(spec: &IndexSpec) -> StoreResult<Option<Layout>> {
        let Some(array) = spec.multikey else {
            return Ok(None);
        };
        let array_segs = parse_path(array, false)?;
        let mut columns = Vec::with_capacity(spec.keys.len());
        let mut element = None;
        let mut field = String::new();
        let mut full = String::new();
        for (i, (path, _)) in spec.keys.iter().enumerate() {
            let segs = parse_path(path, false)?;
            if segs.len() > array_segs.len() && segs[..array_segs.len()] == array_segs[..] {
                element = Some(i);
                field = path_literal(&segs[array_segs.len()..]);
                full = path_literal(&segs);
                columns.push(Column::Element);
            } else {
                columns.push(Column::Doc(path_literal(&segs)));
            }
        }
        let Some(element) = element else {
            return Ok(None);
        };
        Ok(Some(Layout {
            table: table_name(spec),
            columns,
            element,
            array: path_literal(&array_segs),
            field,
            full,
        }))
    }

    fn column_names(&self) -> String {
        (0..self.columns.len())
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `INSERT OR IGNORE` statements that add the entries of the documents of `from`
    /// (`doc`/`key` expressions: `NEW.doc` in a trigger, `x.doc` over the whole table).
    /// OR IGNORE: a value met twice in one document (two lines of one SKU) is one entry.
    fn inserts(&self, doc: &str, key: &str, table: Option<&str>) -> Vec<String> {
        let (a, f, af) = (&self.array, &self.field, &self.full);
        let is = |what: &str, ty: &str| format!("json_type({doc}, {what}) = '{ty}'");
        // `json_each` of the field yields the field itself when it is a scalar and its
        // elements when it is an array; an object's members (text keys) are no match.
        let field_values = |s: &str| {
            vec![
                format!("{s}.type = 'text'"),
                format!("({s}.key IS NULL OR typeof({s}.key) = 'integer')"),
            ]
        };
        // (table-valued sources, conditions) per shape of the array field: a list of
        // objects, or a single object.
        let branches: [(Vec<String>, Vec<String>); 2] = [
            (
                vec![
                    format!("json_each({doc}, {a}) AS e"),
                    format!("json_each(e.value, {f}) AS s"),
                ],
                [is(a, "array"), "e.type = 'object'".into()]
                    .into_iter()
                    .chain(field_values("s"))
                    .collect(),
            ),
            (
                vec![format!("json_each({doc}, {af}) AS s")],
                std::iter::once(is(a, "object"))
                    .chain(field_values("s"))
                    .collect(),
            ),
        ];
        // In a trigger the document's own fields are read once per statement, in a one-row
        // subquery (its LIMIT keeps SQLite from folding it back into every element's row):
        // reading them per element re-finds the whole document in SQLite's JSON cache each
        // time, most of an import's cost for orders of a hundred lines.
        let once = table.is_none().then(|| {
            let fields: Vec<String> = self
                .columns
                .iter()
                .enumerate()
                .filter_map(|(i, c)| match c {
                    Column::Doc(lit) => Some(format!("json_extract({doc}, {lit}) AS v{i}")),
                    Column::Element => None,
                })
                .collect();
            format!("(SELECT {} LIMIT 1) AS d", fields.join(", "))
        });
        branches
            .into_iter()
            .map(|(sources, conditions)| {
                let values: Vec<String> = self
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| match c {
                        Column::Doc(_) if once.is_some() => format!("d.v{i}"),
                        Column::Doc(lit) => format!("json_extract({doc}, {lit})"),
                        Column::Element => "s.value".to_string(),
                    })
                    .collect();
                let from: Vec<String> = table
                    .map(str::to_string)
                    .into_iter()
                    .chain(once.clone())
                    .chain(sources)
                    .collect();
                let from = if from.is_empty() {
                    String::new()
                } else {
                    format!(" FROM {}", from.join(", "))
                };
                format!(
                    "INSERT OR IGNORE INTO {} (k, {}) SELECT {key}, {}{from} WHERE {}",
                    quoted(&self.table),
                    self.column_names(),
                    values.join(", "),
                    conditions.join(" AND ")
                )
            })
            .collect()
    }
}

/// The statements that create a multikey index's entries table, fill it from the documents
/// already stored and install the triggers, in this order; `None` for an ordinary index.
/// The catalogue index itself comes last, so its presence means the whole set is there
/// (run them in one transaction).
pub fn ddl(spec: &IndexSpec) -> StoreResult<Option<Vec<String>>> {
    let Some(l) = Layout::of(spec)? else {
        return Ok(None);
    };
    let coll = quoted(spec.collection.name());
    let t = quoted(&l.table);
    let mut out = vec![
        format!(
            "CREATE TABLE IF NOT EXISTS {t} (k TEXT NOT NULL, {})",
            l.column_names()
        ),
        format!(
            "CREATE UNIQUE INDEX IF NOT EXISTS {} ON {t} (k, c{})",
            quoted(&format!("{}__by_document", l.table)),
            l.element
        ),
        format!("DELETE FROM {t}"),
    ];
    out.extend(l.inserts("x.doc", "x.key", Some(&format!("{coll} AS x"))));
    let body = |doc: &str, key: &str| {
        l.inserts(doc, key, None)
            .into_iter()
            .map(|s| format!("{s};"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let delete_old = format!("DELETE FROM {t} WHERE k = OLD.key;");
    // An update rewrites the entries only when something they hold changed: a status change,
    // the most common write, leaves them alone.
    let mut changed = vec!["OLD.key IS NOT NEW.key".to_string()];
    for c in &l.columns {
        if let Column::Doc(lit) = c {
            changed.push(format!(
                "json_extract(OLD.doc, {lit}) IS NOT json_extract(NEW.doc, {lit})"
            ));
        }
    }
    changed.push(format!(
        "(OLD.doc -> {a}) IS NOT (NEW.doc -> {a})",
        a = l.array
    ));
    let trigger = |what: &str| quoted(&format!("{}__{what}", l.table));
    out.push(format!(
        "CREATE TRIGGER IF NOT EXISTS {} AFTER INSERT ON {coll} BEGIN {} END",
        trigger("insert"),
        body("NEW.doc", "NEW.key")
    ));
    out.push(format!(
        "CREATE TRIGGER IF NOT EXISTS {} AFTER DELETE ON {coll} BEGIN {delete_old} END",
        trigger("delete")
    ));
    out.push(format!(
        "CREATE TRIGGER IF NOT EXISTS {} AFTER UPDATE ON {coll} WHEN {} BEGIN {delete_old} {} END",
        trigger("update"),
        changed.join(" OR "),
        body("NEW.doc", "NEW.key")
    ));
    let cols: Vec<String> = spec
        .keys
        .iter()
        .enumerate()
        .map(|(i, (_, dir))| {
            let dir = sql::keyword(*dir);
            format!("c{i} {dir}")
        })
        .collect();
    out.push(format!(
        "CREATE INDEX IF NOT EXISTS {} ON {t} ({})",
        quoted(&sql::physical_index_name(spec)),
        cols.join(", ")
    ));
    Ok(Some(out))
}

/// The string a top-level conjunct of `filter` binds `path` to (`Eq(path, "…")`).
fn bound_string<'f>(filter: &'f Filter, path: &str) -> Option<&'f str> {
    let conjuncts: &[Filter] = match filter {
        Filter::And(fs) => fs,
        one => std::slice::from_ref(one),
    };
    conjuncts.iter().find_map(|f| match f {
        Filter::Eq(p, Value::String(s)) if p == path => Some(s.as_str()),
        _ => None,
    })
}

/// One statement answering [`super::Store::first_each`] from a multikey index's entries, or
/// `None` when the index cannot answer this query: the keys before the element must be
/// scalar fields the filter fixes to a string, the element key must be `path`, the keys after
/// it must be the query's sort (in its directions or all reversed), and every value a string.
///
/// The full filter still applies to each candidate document, so the entries only choose
/// where to look; for each value the entries are walked in the sort's order until a document
/// matches (`LIMIT 1`), and the document's insertion order breaks ties as every sorted read
/// does.
pub fn first_each_sql(
    spec: &IndexSpec,
    collection: Collection,
    query: &Query,
    path: &str,
    values: &[Value],
) -> StoreResult<Option<Sql>> {
    let Some(l) = Layout::of(spec)? else {
        return Ok(None);
    };
    if spec.collection != collection
        || spec.keys[l.element].0 != path
        || !values.iter().all(Value::is_string)
    {
        return Ok(None);
    }
    let mut prefix = Vec::with_capacity(l.element);
    for (p, _) in &spec.keys[..l.element] {
        match bound_string(&query.filter, p) {
            Some(s) if collection.scalar_fields().contains(p) => prefix.push(s.to_string()),
            _ => return Ok(None),
        }
    }
    let suffix = &spec.keys[l.element + 1..];
    if query.sort.len() != suffix.len()
        || query
            .sort
            .iter()
            .zip(suffix)
            .any(|(s, (p, _))| s.path != *p)
    {
        return Ok(None);
    }
    let same = query.sort.iter().zip(suffix).all(|(s, (_, d))| s.dir == *d);
    let reversed = query.sort.iter().zip(suffix).all(|(s, (_, d))| s.dir != *d);
    if !same && !reversed {
        return Ok(None);
    }
    let Sql { text, mut args } = sql::where_clause(collection, &query.filter)?;
    let mut conditions = Vec::new();
    for (i, s) in prefix.into_iter().enumerate() {
        args.push(Arg::Text(s));
        conditions.push(format!("m.c{i} = ?{}", args.len()));
    }
    conditions.push(format!("m.c{} = w.value", l.element));
    let mut order: Vec<String> = query
        .sort
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let dir = sql::keyword(s.dir);
            format!("m.c{} {dir}", l.element + 1 + i)
        })
        .collect();
    order.push("o.rowid ASC".into());
    args.push(Arg::Text(Value::from(values.to_vec()).to_string()));
    let values_p = args.len();
    Ok(Some(Sql {
        text: format!(
            "SELECT (SELECT o.doc FROM {t} AS m INDEXED BY {index} JOIN {coll} AS o ON o.key = m.k \
             WHERE {cond} AND ({text}) ORDER BY {order} LIMIT 1) \
             FROM json_each(?{values_p}) AS w ORDER BY w.key",
            t = quoted(&l.table),
            index = quoted(&sql::physical_index_name(spec)),
            coll = quoted(collection.name()),
            cond = conditions.join(" AND "),
            order = order.join(", "),
        ),
        args,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::indexes;

    fn last_rate() -> &'static IndexSpec {
        indexes::find(
            Collection::Orders,
            "customerId_1_items.skuCode_1_createdAt_-1",
        )
        .expect("the last-rate index is in the catalogue")
    }

    #[test]
    fn only_multikey_specs_have_entries() {
        let plain = indexes::find(Collection::Orders, "customerId_1_createdAt_-1").unwrap();
        assert!(ddl(plain).unwrap().is_none());
        let stmts = ddl(last_rate()).unwrap().unwrap();
        assert!(stmts[0].starts_with("CREATE TABLE IF NOT EXISTS \"orders__customerId_1_items.skuCode_1_createdAt_-1__entries\""));
        assert!(stmts.last().unwrap().starts_with(
            "CREATE INDEX IF NOT EXISTS \"orders__customerId_1_items.skuCode_1_createdAt_-1\""
        ));
        assert_eq!(
            stmts
                .iter()
                .filter(|s| s.contains("CREATE TRIGGER"))
                .count(),
            3
        );
    }

    #[test]
    fn only_queries_the_index_answers_use_it() {
        let q = |f: Filter| Query::new(f).sort_desc("createdAt");
        let cust = Filter::eq("customerId", "CUST-1");
        let sku = [Value::from("SKU-1")];
        let spec = last_rate();
        let orders = Collection::Orders;
        assert!(
            first_each_sql(spec, orders, &q(cust.clone()), "items.skuCode", &sku)
                .unwrap()
                .is_some()
        );
        // Ascending (all reversed) still walks the index.
        let asc = Query::new(cust.clone()).sort_asc("createdAt");
        assert!(
            first_each_sql(spec, orders, &asc, "items.skuCode", &sku)
                .unwrap()
                .is_some()
        );
        // No customer fixed, another sort, a number, another path: not this index.
        assert!(
            first_each_sql(spec, orders, &q(Filter::All), "items.skuCode", &sku)
                .unwrap()
                .is_none()
        );
        let by_total = Query::new(cust.clone()).sort_desc("total");
        assert!(
            first_each_sql(spec, orders, &by_total, "items.skuCode", &sku)
                .unwrap()
                .is_none()
        );
        assert!(
            first_each_sql(
                spec,
                orders,
                &q(cust.clone()),
                "items.skuCode",
                &[Value::from(7)]
            )
            .unwrap()
            .is_none()
        );
        assert!(
            first_each_sql(spec, orders, &q(cust), "items.productId", &sku)
                .unwrap()
                .is_none()
        );
    }
}
