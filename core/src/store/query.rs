//! A small typed query language: enough for every list, filter and guard the system needs,
//! and nothing that lets client input become a raw database query (defect D-S8/8.1.11).

use crate::model::OrderStatus;
use serde_json::Value;
use std::collections::BTreeSet;

/// A condition on a document. Paths are dotted field names (`logistics.manifestId`).
/// Values are compared with MongoDB semantics for numbers and strings; a missing field
/// matches only `Missing`, `Ne` and `Nin` (and `null` used as a value). The exact rules,
/// including how paths walk through arrays, are in [`super::apply`], which both adapters
/// follow.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Matches every document.
    All,
    Eq(String, Value),
    Ne(String, Value),
    Gt(String, Value),
    Gte(String, Value),
    Lt(String, Value),
    Lte(String, Value),
    In(String, Vec<Value>),
    Nin(String, Vec<Value>),
    /// The field is absent or null.
    Missing(String),
    /// The field is present and not null.
    Exists(String),
    /// Case-insensitive substring match; the needle is literal text, never a pattern.
    Contains(String, String),
    /// The array at the path has an element (an object) matching the inner filter, whose
    /// paths are relative to the element.
    ElemMatch(String, Box<Filter>),
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
}

/// The constructors of the comparisons of a path with one value, which differ only in the
/// variant they build.
macro_rules! comparisons {
    ($($name:ident => $variant:ident),+ $(,)?) => {
        $(
            pub fn $name(path: impl Into<String>, v: impl Into<Value>) -> Filter {
                Filter::$variant(path.into(), v.into())
            }
        )+
    };
}

impl Filter {
    comparisons!(eq => Eq, ne => Ne, gt => Gt, gte => Gte, lt => Lt, lte => Lte);
    pub fn is_in(path: impl Into<String>, vs: Vec<Value>) -> Filter {
        Filter::In(path.into(), vs)
    }
    pub fn contains(path: impl Into<String>, needle: impl Into<String>) -> Filter {
        Filter::Contains(path.into(), needle.into())
    }
    pub fn elem_match(path: impl Into<String>, inner: Filter) -> Filter {
        Filter::ElemMatch(path.into(), Box::new(inner))
    }
    pub fn and(fs: impl IntoIterator<Item = Filter>) -> Filter {
        let v: Vec<Filter> = fs.into_iter().filter(|f| *f != Filter::All).collect();
        match v.len() {
            0 => Filter::All,
            1 => v.into_iter().next().unwrap_or(Filter::All),
            _ => Filter::And(v),
        }
    }
    pub fn or(fs: impl IntoIterator<Item = Filter>) -> Filter {
        Filter::Or(fs.into_iter().collect())
    }
    /// Selects one document by its key fields (see [`super::Collection::key_fields`]).
    pub fn key(pairs: &[(&str, Value)]) -> Filter {
        Filter::and(
            pairs
                .iter()
                .map(|(k, v)| Filter::Eq((*k).to_string(), v.clone())),
        )
    }
    pub fn id(id: impl Into<String>) -> Filter {
        Filter::Eq("id".into(), Value::String(id.into()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDir {
    Asc,
    Desc,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    pub path: String,
    pub dir: SortDir,
}

/// A filter plus order and paging. `limit: None` means no limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub filter: Filter,
    pub sort: Vec<Sort>,
    pub skip: u64,
    pub limit: Option<u64>,
    /// The caller needs the matches, not an order ([`Query::in_any_order`]).
    pub any_order: bool,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            filter: Filter::All,
            sort: Vec::new(),
            skip: 0,
            limit: None,
            any_order: false,
        }
    }
}

impl Query {
    pub fn new(filter: Filter) -> Self {
        Query {
            filter,
            ..Default::default()
        }
    }
    pub fn all() -> Self {
        Query::default()
    }
    pub fn sort_asc(mut self, path: impl Into<String>) -> Self {
        self.sort.push(Sort {
            path: path.into(),
            dir: SortDir::Asc,
        });
        self
    }
    pub fn sort_desc(mut self, path: impl Into<String>) -> Self {
        self.sort.push(Sort {
            path: path.into(),
            dir: SortDir::Desc,
        });
        self
    }
    pub fn skip(mut self, n: u64) -> Self {
        self.skip = n;
        self
    }
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }
    /// Without a sort, results come in insertion order; that order costs SQLite its choice
    /// of index (it prefers the index that yields it, e.g. all of a customer's orders over
    /// the few open ones). A caller that only sums or checks the matches says so here.
    pub fn in_any_order(mut self) -> Self {
        self.any_order = true;
        self
    }
}

/// The read [`super::Store::first_each`] makes for one value: the query's filter with
/// `path` equal to `value`, in the query's order, the first match only.
pub fn first_each_query(query: &Query, path: &str, value: &Value) -> Query {
    Query {
        filter: Filter::and([query.filter.clone(), Filter::Eq(path.into(), value.clone())]),
        sort: query.sort.clone(),
        skip: 0,
        limit: Some(1),
        any_order: false,
    }
}

/// Every stored spelling of `status` (§3.6), as store values.
pub fn spellings(status: OrderStatus) -> Vec<Value> {
    status.spellings().map(Value::from).collect()
}

/// Orders whose stored status reads as one of `statuses` (a missing or empty status reads as
/// Pending Credit Approval, the legacy schema default).
pub fn status_filter<I: IntoIterator<Item = OrderStatus>>(statuses: I) -> Filter {
    Filter::or(status_filters(statuses))
}

/// [`status_filter`] as the disjoint conditions it is the `or` of: the stored spellings,
/// and (for Pending Credit Approval, the legacy default) a missing status. A read that
/// must stay on one index takes them one at a time: SQLite answers an `or` by collecting
/// row ids from each arm and opening every row, so it cannot read fields from the index
/// alone.
pub fn status_filters<I: IntoIterator<Item = OrderStatus>>(statuses: I) -> Vec<Filter> {
    let set: BTreeSet<OrderStatus> = statuses.into_iter().collect();
    let mut values: Vec<Value> = set.iter().flat_map(|s| spellings(*s)).collect();
    let mut any = Vec::new();
    if set.contains(&OrderStatus::PendingCreditApproval) {
        values.push(Value::String(String::new()));
        any.push(Filter::Missing("status".into()));
    }
    any.push(Filter::In("status".into(), values));
    any
}

#[cfg(test)]
mod status_tests {
    use super::*;

    #[test]
    fn legacy_spellings_belong_to_their_status() {
        let hold = spellings(OrderStatus::OnHold);
        assert!(hold.contains(&Value::from("Hold")) && hold.contains(&Value::from("On Hold")));
        let billing = spellings(OrderStatus::ReadyForBilling);
        assert!(billing.contains(&Value::from("Pending Invoicing")));
        assert!(!billing.contains(&Value::from("Hold")));
    }
}
