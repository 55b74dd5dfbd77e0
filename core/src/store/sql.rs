//! Translation of [`Filter`]s, sorts and catalogue indexes into SQLite SQL over a table of
//! JSON documents (`key TEXT PRIMARY KEY, doc TEXT`).
//!
//! The SQL says exactly what [`super::apply::matches`] says (see that module for the rules);
//! the conformance suite and the differential test below hold the two together.
//!
//! Safety: values only ever travel as numbered bind parameters (`?N`). Paths are validated by
//! [`parse_path`] (no quotes, backslashes or other syntax can pass) and then written as quoted
//! JSON-path literals (`'$."agingBuckets"."0 to 7"'`), which is also what lets the expression
//! indexes and the queries share one spelling so SQLite can use the indexes.

use super::apply::{parse_path, validate_filter, validate_sort};
use super::indexes::{IndexCondition, IndexSpec};
use super::{Collection, Filter, Sort, SortDir, StoreResult};
use serde_json::Value;

/// A bind parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(i64),
    Real(f64),
    Text(String),
}

/// SQL text plus its parameters, numbered from 1 in push order.
#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

/// The JSON-path literal for validated segments.
pub fn path_literal(segs: &[&str]) -> String {
    let mut s = String::from("'$");
    for seg in segs {
        s.push_str(".\"");
        s.push_str(seg);
        s.push('"');
    }
    s.push('\'');
    s
}

/// The expression that indexes and sorts use for a top-level document path.
pub fn doc_value_expr(path: &str) -> StoreResult<String> {
    let segs = parse_path(path, false)?;
    Ok(format!("json_extract(doc, {})", path_literal(&segs)))
}

/// A value a leaf condition looks at.
enum Cand {
    /// The value at a literal path inside the JSON text `src`.
    At { src: String, path: String },
    /// A `json_each` row (an element of a leaf array).
    Elem(String),
}

impl Cand {
    fn ty(&self) -> String {
        match self {
            Cand::At { src, path } => format!("json_type({src}, {path})"),
            Cand::Elem(a) => format!("{a}.type"),
        }
    }
    fn val(&self) -> String {
        match self {
            Cand::At { src, path } => format!("json_extract({src}, {path})"),
            Cand::Elem(a) => format!("{a}.value"),
        }
    }
    /// JSON text of a container value.
    fn json(&self) -> String {
        match self {
            Cand::At { src, path } => format!("({src} -> {path})"),
            Cand::Elem(a) => format!("{a}.value"),
        }
    }
}

#[derive(Clone, Copy)]
enum Cmp {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Cmp {
    fn op(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Gt => ">",
            Cmp::Gte => ">=",
            Cmp::Lt => "<",
            Cmp::Lte => "<=",
        }
    }
}

/// A condition on one scalar (or whole container, for equality).
#[derive(Clone)]
enum Leaf {
    Cmp(Cmp, Value),
    Contains(String),
}

struct Gen {
    args: Vec<Arg>,
    aliases: usize,
    /// The single key field of the collection (`id`), which the primary key mirrors.
    key_field: Option<&'static str>,
    /// The collection's top-level fields that never hold a list.
    scalars: &'static [&'static str],
    /// For the catalogue's partial indexes ([`Gen::within_partial_index`]).
    collection: Collection,
}

impl Gen {
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("?{}", self.args.len())
    }

    fn alias(&mut self) -> String {
        self.aliases += 1;
        format!("j{}", self.aliases)
    }

    fn number_arg(&mut self, n: &serde_json::Number) -> String {
        match n.as_i64() {
            Some(i) => self.arg(Arg::Int(i)),
            None => self.arg(Arg::Real(n.as_f64().unwrap_or(0.0))),
        }
    }

    /// The condition on one candidate value (no array expansion).
    fn leaf_one(&mut self, c: &Cand, leaf: &Leaf) -> String {
        let (ty, val) = (c.ty(), c.val());
        match leaf {
            Leaf::Contains(needle) => {
                let p = self.arg(Arg::Text(needle.to_ascii_lowercase()));
                format!("({ty} = 'text' AND instr(lower({val}), {p}) > 0)")
            }
            Leaf::Cmp(cmp, v) => {
                let op = cmp.op();
                match v {
                    Value::String(s) => {
                        let p = self.arg(Arg::Text(s.clone()));
                        format!("({val} {op} {p} AND {ty} = 'text')")
                    }
                    Value::Number(n) => {
                        let p = self.number_arg(n);
                        format!("({val} {op} {p} AND {ty} IN ('integer', 'real'))")
                    }
                    Value::Bool(b) => {
                        let p = self.arg(Arg::Int(i64::from(*b)));
                        format!("({ty} IN ('true', 'false') AND {val} {op} {p})")
                    }
                    Value::Array(_) | Value::Object(_) => {
                        let kind = if v.is_array() { "array" } else { "object" };
                        let p = self.arg(Arg::Text(v.to_string()));
                        format!("({ty} = '{kind}' AND json({}) = json({p}))", c.json())
                    }
                    // Null comparisons are rewritten to Missing before reaching here.
                    Value::Null => "0".to_string(),
                }
            }
        }
    }

    /// The condition on a candidate or, when it is an array, any of its elements.
    fn leaf_expanded(&mut self, c: &Cand, leaf: &Leaf) -> String {
        let direct = self.leaf_one(c, leaf);
        match c {
            Cand::At { src, path } => {
                let a = self.alias();
                let inner = self.leaf_one(&Cand::Elem(a.clone()), leaf);
                format!(
                    "({direct} OR ({is_array} AND EXISTS (SELECT 1 FROM json_each({src}, {path}) AS {a} WHERE {inner})))",
                    is_array = is_array(c)
                )
            }
            Cand::Elem(_) => direct,
        }
    }

    /// True when a route from `src` along `segs` reaches a value satisfying `at`, which gets
    /// the candidate at the end of the route.
    fn reach(
        &mut self,
        src: &str,
        segs: &[&str],
        at: &mut dyn FnMut(&mut Gen, &Cand) -> StoreResult<String>,
    ) -> StoreResult<String> {
        let mut parts = vec![at(
            self,
            &Cand::At {
                src: src.to_string(),
                path: path_literal(segs),
            },
        )?];
        let guard = through_array_guard(src, segs);
        for i in 1..segs.len() {
            let prefix = path_literal(&segs[..i]);
            let a = self.alias();
            let inner = self.reach(&format!("{a}.value"), &segs[i..], at)?;
            parts.push(format!(
                "({guard}json_type({src}, {prefix}) = 'array' AND EXISTS (SELECT 1 FROM json_each({src}, {prefix}) AS {a} WHERE CASE WHEN {a}.type = 'object' THEN {inner} ELSE 0 END))"
            ));
        }
        Ok(join(parts, "OR"))
    }

    /// True when some route from `src` along `segs` is missing or reaches null.
    fn missing(&mut self, src: &str, segs: &[&str]) -> String {
        if src == ROOT && segs.len() == 1 && self.scalars.contains(&segs[0]) {
            // Never a list: absent or null is all there is to ask, from the index alone.
            return format!("(json_extract({src}, {}) IS NULL)", path_literal(segs));
        }
        let full = path_literal(segs);
        let a = self.alias();
        let mut object_route: Vec<String> = (1..segs.len())
            .map(|i| {
                format!(
                    "json_type({src}, {}) IS NOT 'array'",
                    path_literal(&segs[..i])
                )
            })
            .collect();
        let leaf = Cand::At {
            src: src.to_string(),
            path: full.clone(),
        };
        // json_extract gives NULL for both an absent field and a JSON null.
        object_route.push(format!(
            "(json_extract({src}, {full}) IS NULL OR ({is_array} AND EXISTS (SELECT 1 FROM json_each({src}, {full}) AS {a} WHERE {a}.type = 'null')))",
            is_array = is_array(&leaf)
        ));
        let mut parts = vec![join(object_route, "AND")];
        let guard = through_array_guard(src, segs);
        for i in 1..segs.len() {
            let prefix = path_literal(&segs[..i]);
            let a = self.alias();
            let inner = self.missing(&format!("{a}.value"), &segs[i..]);
            parts.push(format!(
                "({guard}json_type({src}, {prefix}) = 'array' AND (json_array_length({src}, {prefix}) = 0 OR EXISTS (SELECT 1 FROM json_each({src}, {prefix}) AS {a} WHERE CASE WHEN {a}.type = 'object' THEN {inner} ELSE 1 END)))"
            ));
        }
        join(parts, "OR")
    }

    fn scalar(&mut self, src: &str, path: &str, leaf: Leaf) -> StoreResult<String> {
        let segs = parse_path(path, false)?;
        if src == ROOT && self.scalars.contains(&path) {
            // Never a list (the adapter refuses one): the plain, indexable comparison.
            let at = Cand::At {
                src: src.to_string(),
                path: path_literal(&segs),
            };
            if let Leaf::Cmp(cmp, Value::String(s)) = &leaf {
                // No json_type() beside it: that reads the row, so a count or filter over a
                // customer's 500,000 orders parsed every document. Without it the index
                // answers alone, and it is still exact: here json_extract gives TEXT only for
                // a JSON string (arrays and objects are refused, booleans read as integers),
                // and SQLite orders NULL and every number below every text, so only "less
                // than" needs the `>= ''` bound that keeps numbers out.
                let val = at.val();
                let p = self.arg(Arg::Text(s.clone()));
                let op = cmp.op();
                return Ok(match cmp {
                    Cmp::Lt | Cmp::Lte => format!("({val} {op} {p} AND {val} >= '')"),
                    Cmp::Eq | Cmp::Gt | Cmp::Gte => format!("({val} {op} {p})"),
                });
            }
            if let Leaf::Cmp(Cmp::Eq, Value::Bool(b)) = &leaf {
                // json_extract reads true and false as 1 and 0; the model types these
                // fields boolean, so the comparison alone is exact and index-only.
                let p = self.arg(Arg::Int(i64::from(*b)));
                return Ok(format!("({} = {p})", at.val()));
            }
            return Ok(self.leaf_one(&at, &leaf));
        }
        self.reach(src, &segs, &mut |g, c| Ok(g.leaf_expanded(c, &leaf)))
    }

    fn eq(&mut self, src: &str, path: &str, v: &Value) -> StoreResult<String> {
        let segs = parse_path(path, false)?;
        if v.is_null() {
            return Ok(self.missing(src, &segs));
        }
        // The primary key holds the string `id`, so an id lookup is a key lookup. Key fields
        // are never arrays (the adapter refuses them), so this is exact.
        if let (Value::String(s), Some(kf)) = (v, self.key_field)
            && src == ROOT
            && path == kf
        {
            let p = self.arg(Arg::Text(s.clone()));
            return Ok(format!("(key = {p})"));
        }
        let cond = self.scalar(src, path, Leaf::Cmp(Cmp::Eq, v.clone()))?;
        Ok(if src == ROOT && self.scalars.contains(&path) {
            self.within_partial_index(path, std::slice::from_ref(v), cond)
        } else {
            cond
        })
    }

    fn range(&mut self, src: &str, path: &str, cmp: Cmp, v: &Value) -> StoreResult<String> {
        if v.is_null() {
            return match cmp {
                Cmp::Gte | Cmp::Lte | Cmp::Eq => {
                    let segs = parse_path(path, false)?;
                    Ok(self.missing(src, &segs))
                }
                Cmp::Gt | Cmp::Lt => Ok("0".into()),
            };
        }
        self.scalar(src, path, Leaf::Cmp(cmp, v.clone()))
    }

    fn filter(&mut self, src: &str, f: &Filter) -> StoreResult<String> {
        Ok(match f {
            Filter::All => "1".into(),
            Filter::Eq(p, v) => self.eq(src, p, v)?,
            Filter::Ne(p, v) => not(self.eq(src, p, v)?),
            Filter::Gt(p, v) => self.range(src, p, Cmp::Gt, v)?,
            Filter::Gte(p, v) => self.range(src, p, Cmp::Gte, v)?,
            Filter::Lt(p, v) => self.range(src, p, Cmp::Lt, v)?,
            Filter::Lte(p, v) => self.range(src, p, Cmp::Lte, v)?,
            Filter::In(p, vs) => self.is_in(src, p, vs)?,
            Filter::Nin(p, vs) => not(self.is_in(src, p, vs)?),
            Filter::Missing(p) => {
                let segs = parse_path(p, false)?;
                self.missing(src, &segs)
            }
            Filter::Exists(p) => {
                let segs = parse_path(p, false)?;
                not(self.missing(src, &segs))
            }
            Filter::Contains(p, needle) => self.scalar(src, p, Leaf::Contains(needle.clone()))?,
            Filter::ElemMatch(p, inner) => {
                let segs = parse_path(p, false)?;
                self.reach(src, &segs, &mut |g, c| {
                    let Cand::At { src, path } = c else {
                        return Ok("0".into());
                    };
                    let a = g.alias();
                    let cond = g.filter(&format!("{a}.value"), inner)?;
                    Ok(format!(
                        "(json_type({src}, {path}) = 'array' AND EXISTS (SELECT 1 FROM json_each({src}, {path}) AS {a} WHERE CASE WHEN {a}.type = 'object' THEN {cond} ELSE 0 END))"
                    ))
                })?
            }
            Filter::And(fs) => self.all_or_any(src, fs, "AND", "1")?,
            Filter::Or(fs) => self.all_or_any(src, fs, "OR", "0")?,
            Filter::Not(f) => not(self.filter(src, f)?),
        })
    }

    /// `cond` with the WHERE terms of the field's partial index beside it, when the field
    /// has one over non-empty strings and every value sought is one: then the terms change
    /// nothing, and SQLite uses a partial index only when the query states its condition
    /// (an import's retry check read every order without them).
    fn within_partial_index(&self, path: &str, vs: &[Value], cond: String) -> String {
        let all_text = vs.iter().all(|v| v.as_str().is_some_and(|s| !s.is_empty()));
        let partial = || {
            super::indexes::for_collection(self.collection).any(|s| {
                s.condition == IndexCondition::NonEmptyString
                    && matches!(s.keys, [(p, _)] if *p == path)
            })
        };
        if !all_text || !partial() {
            return cond;
        }
        match parse_path(path, false) {
            Ok(segs) => format!(
                "({} AND {cond})",
                non_empty_text(ROOT, &path_literal(&segs))
            ),
            Err(_) => cond,
        }
    }

    fn is_in(&mut self, src: &str, path: &str, vs: &[Value]) -> StoreResult<String> {
        if vs.is_empty() {
            parse_path(path, false)?;
            return Ok("0".into());
        }
        if src == ROOT && self.scalars.contains(&path) && vs.iter().all(Value::is_string) {
            // One IN term, not an OR of equalities: SQLite pairs an IN with the next column
            // of an index (the credit check's open statuses × one customer), never an OR.
            let segs = parse_path(path, false)?;
            let params: Vec<String> = vs
                .iter()
                .filter_map(Value::as_str)
                .map(|s| self.arg(Arg::Text(s.to_string())))
                .collect();
            let cond = format!(
                "(json_extract({src}, {}) IN ({}))",
                path_literal(&segs),
                params.join(", ")
            );
            return Ok(self.within_partial_index(path, vs, cond));
        }
        let parts = vs
            .iter()
            .map(|v| self.eq(src, path, v))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(join(parts, "OR"))
    }

    /// `fs` joined by `op`; an empty list is `empty` (true for AND, false for OR).
    fn all_or_any(
        &mut self,
        src: &str,
        fs: &[Filter],
        op: &str,
        empty: &str,
    ) -> StoreResult<String> {
        let parts = fs
            .iter()
            .map(|f| self.filter(src, f))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(if parts.is_empty() {
            empty.into()
        } else {
            join(parts, op)
        })
    }
}

/// The document column; conditions on it can use the expression indexes.
const ROOT: &str = "doc";

/// "The candidate is an array". On the root document it is phrased as a text range on the
/// same expression the indexes hold (an array reads back as JSON text starting with `[`),
/// so an OR of "equals" and "is an array holding" stays answerable from one index.
fn is_array(c: &Cand) -> String {
    match c {
        Cand::At { src, .. } if src == ROOT => format!(
            "({val} >= '[' AND {val} < '\\' AND {ty} = 'array')",
            val = c.val(),
            ty = c.ty()
        ),
        _ => format!("{} = 'array'", c.ty()),
    }
}

/// A route through an array inside the root document cannot also resolve the full path, so
/// `json_extract(doc, full) IS NULL` holds on every such route: a redundant condition that
/// lets SQLite use the full path's index for these branches too.
fn through_array_guard(src: &str, segs: &[&str]) -> String {
    if src == ROOT {
        format!("json_extract({src}, {}) IS NULL AND ", path_literal(segs))
    } else {
        String::new()
    }
}

fn join(parts: Vec<String>, op: &str) -> String {
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    format!("({})", parts.join(&format!(" {op} ")))
}

/// SQL's NULL (an absent field compared) means "false" under AND/OR but would turn NOT into
/// NULL too; IFNULL keeps negation two-valued.
fn not(inner: String) -> String {
    format!("(NOT IFNULL({inner}, 0))")
}

/// A WHERE condition for `filter` on the root document column `doc`.
pub fn where_clause(collection: Collection, filter: &Filter) -> StoreResult<Sql> {
    validate_filter(filter)?;
    let kf = collection.key_fields();
    let mut g = Gen {
        args: Vec::new(),
        aliases: 0,
        key_field: if kf.len() == 1 { Some(kf[0]) } else { None },
        scalars: collection.scalar_fields(),
        collection,
    };
    let text = g.filter(ROOT, filter)?;
    Ok(Sql { text, args: g.args })
}

/// The SQL word for a sort direction.
pub fn keyword(dir: SortDir) -> &'static str {
    match dir {
        SortDir::Asc => "ASC",
        SortDir::Desc => "DESC",
    }
}

/// An ORDER BY list (without the keywords); insertion order breaks ties so paging is stable.
pub fn order_by(sort: &[Sort]) -> StoreResult<String> {
    validate_sort(sort)?;
    let mut parts = Vec::with_capacity(sort.len() + 1);
    for s in sort {
        let dir = keyword(s.dir);
        parts.push(format!("{} {dir}", doc_value_expr(&s.path)?));
    }
    parts.push("rowid ASC".into());
    Ok(parts.join(", "))
}

/// Index names are per database in SQLite, so the collection prefixes the catalogue name.
pub fn physical_index_name(spec: &IndexSpec) -> String {
    physical_name(spec.collection, spec.name)
}

/// The SQLite name of the index `name` of `collection`.
pub fn physical_name(collection: Collection, name: &str) -> String {
    format!("{}__{name}", collection.name())
}

/// The catalogue name back from a physical index name.
pub fn catalogue_index_name(collection: Collection, physical: &str) -> Option<String> {
    physical
        .strip_prefix(collection.name())
        .and_then(|s| s.strip_prefix("__"))
        .map(str::to_string)
}

/// The condition of a partial index over non-empty strings, written once for the index
/// and for the queries that must state it to use the index.
fn non_empty_text(src: &str, lit: &str) -> String {
    format!("json_type({src}, {lit}) = 'text' AND json_extract({src}, {lit}) <> ''")
}

/// A covered field as an index column and a projection ([`IndexSpec::covered`]): the
/// field's JSON text, exact whatever its type (`json_extract` would turn `true` into 1 and
/// a string and an object's text alike), NULL where absent.
pub fn covered_expr(path: &str) -> StoreResult<String> {
    Ok(format!(
        "(doc -> {})",
        path_literal(&parse_path(path, false)?)
    ))
}

/// `CREATE INDEX` for a catalogue entry, as an expression index over the document.
pub fn index_ddl(spec: &IndexSpec) -> StoreResult<String> {
    let mut cols = Vec::with_capacity(spec.keys.len());
    let mut present = Vec::with_capacity(spec.keys.len());
    for (path, dir) in spec.keys {
        let segs = parse_path(path, false)?;
        let lit = path_literal(&segs);
        let dir = keyword(*dir);
        cols.push(format!("json_extract(doc, {lit}) {dir}"));
        present.push(format!("json_type(doc, {lit}) IS NOT NULL"));
    }
    for path in spec.covered {
        cols.push(covered_expr(path)?);
    }
    let condition = match spec.condition {
        IndexCondition::All => String::new(),
        IndexCondition::Sparse => format!(" WHERE {}", present.join(" OR ")),
        IndexCondition::NonEmptyString => {
            let (path, _) = spec.keys.first().copied().unwrap_or(("", SortDir::Asc));
            let lit = path_literal(&parse_path(path, false)?);
            format!(" WHERE {}", non_empty_text(ROOT, &lit))
        }
    };
    Ok(format!(
        "CREATE {}INDEX IF NOT EXISTS \"{}\" ON \"{}\" ({}){}",
        if spec.unique { "UNIQUE " } else { "" },
        physical_index_name(spec),
        spec.collection.name(),
        cols.join(", "),
        condition
    ))
}

/// Documents the planner figures assume in a collection ([`planner_stat`]).
const PLANNED_ROWS: u64 = 1_000_000;

/// Average documents per distinct value of a field, at a distributor with a million orders:
/// about 500 customers, 50 salespeople, a hundred status spellings (most rare), one order
/// per instant.
fn rows_per_value(collection: Collection, field: &str) -> Option<u64> {
    match (collection, field) {
        (Collection::Orders, "id" | "importKey" | "createdAt") => Some(1),
        (Collection::Orders, "customerId") => Some(2_000),
        (Collection::Orders, "salespersonId") => Some(20_000),
        // Skewed: most orders are delivered, each open status holds a few hundred, legacy
        // spellings almost none; the average is what a lookup of one spelling expects.
        (Collection::Orders, "status") => Some(1_000),
        (Collection::Orders, "isClearance" | "isBulkUpload") => Some(500_000),
        (Collection::Orders, "logistics.manifestId") => Some(20),
        (Collection::Orders, "creditCheck.passed" | "creditCheck.overrideRequired") => {
            Some(500_000)
        }
        _ => None,
    }
}

/// The `sqlite_stat1` figures for a catalogue index: rows in the index, then the average
/// rows per value of its first column, its first two columns, and so on. `None` where the
/// collection has no planned shape (SQLite's own guesses serve there).
///
/// Why fixed figures instead of `ANALYZE`: without statistics SQLite guesses ten rows per
/// value for every index, so a customer's orders, a status's orders and a salesperson's look
/// alike and plans flip with each new index (the credit check's open orders read through a
/// customer's whole history; the list by salespeople sorted all of theirs). Measured
/// statistics would flip with the data instead: an empty test store plans differently from a
/// year-old one. These describe the shape of the data every distributor has, so the plan of
/// each hot query is the same at every size and `common_queries_use_the_indexes` holds it.
pub fn planner_stat(spec: &IndexSpec) -> Option<String> {
    let mut figures = vec![PLANNED_ROWS];
    let mut per_combination = PLANNED_ROWS;
    for (path, _) in spec.keys {
        let r = rows_per_value(spec.collection, path)?;
        // Fields taken as independent: rows per combination shrink by each field's share.
        per_combination = (per_combination * r / PLANNED_ROWS).max(1);
        figures.push(if spec.unique && figures.len() == spec.keys.len() {
            1
        } else {
            per_combination
        });
    }
    // A covered column follows a document id's column: one row per combination.
    figures.extend(spec.covered.iter().map(|_| 1));
    Some(
        figures
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::indexes;
    use serde_json::json;

    #[test]
    fn paths_are_quoted_literals_and_values_are_parameters() {
        let sql = where_clause(
            Collection::Customers,
            &Filter::eq("agingBuckets.0 to 7", "x'); DROP TABLE customers; --"),
        )
        .unwrap();
        assert!(sql.text.contains("'$.\"agingBuckets\".\"0 to 7\"'"));
        assert!(!sql.text.contains("DROP"));
        // Direct value, elements of a leaf array, and both again through an `agingBuckets`
        // array route.
        assert_eq!(
            sql.args,
            vec![Arg::Text("x'); DROP TABLE customers; --".into()); 4]
        );
        assert!(where_clause(Collection::Customers, &Filter::eq("a'b", 1)).is_err());
    }

    #[test]
    fn id_lookups_use_the_primary_key() {
        let sql = where_clause(Collection::Orders, &Filter::id("ORD-000001")).unwrap();
        assert_eq!(sql.text, "(key = ?1)");
        let pms = where_clause(Collection::PerformanceRecords, &Filter::eq("id", "x")).unwrap();
        assert_ne!(pms.text, "(key = ?1)");
    }

    #[test]
    fn ddl_for_partial_and_sparse_indexes() {
        let sku = indexes::find(Collection::Products, "skuCode_1").unwrap();
        assert_eq!(
            index_ddl(sku).unwrap(),
            "CREATE UNIQUE INDEX IF NOT EXISTS \"products__skuCode_1\" ON \"products\" (json_extract(doc, '$.\"skuCode\"') ASC) WHERE json_type(doc, '$.\"skuCode\"') = 'text' AND json_extract(doc, '$.\"skuCode\"') <> ''"
        );
        let email = indexes::find(Collection::Users, "email_1").unwrap();
        assert!(
            index_ddl(email)
                .unwrap()
                .ends_with("WHERE json_type(doc, '$.\"email\"') IS NOT NULL")
        );
        assert_eq!(
            catalogue_index_name(Collection::Users, "users__email_1").as_deref(),
            Some("email_1")
        );
    }

    #[test]
    fn sort_uses_the_index_expression() {
        let order = order_by(&[Sort {
            path: "createdAt".into(),
            dir: SortDir::Desc,
        }])
        .unwrap();
        assert_eq!(
            order,
            "json_extract(doc, '$.\"createdAt\"') DESC, rowid ASC"
        );
        let _ = json!(null);
    }
}
