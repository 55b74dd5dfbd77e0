//! Small pieces every area uses: the legacy response envelopes, paging, and the commit
//! pattern "business writes + audit entry in one atomic commit, then publish"; and the pieces
//! more than one area needs that belong to none of them: the `_rev` guard of a replace, ids
//! from a store sequence, the warehouse named by id or alias, attachment links.

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use nexus_core::events::Event;
use nexus_core::model::{AuditLog, Warehouse};
use nexus_core::store::{Collection, Filter, Query, StoreError, TypedStore, Write, indexes};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::IntoParams;

/// `{ "success": true, "data": … }`, the envelope the legacy client reads for single records.
pub fn ok_data<T: Serialize>(data: T) -> Json<Value> {
    Json(json!({ "success": true, "data": data }))
}

/// 201 with `{ "success": true, "data": … }`.
pub fn created<T: Serialize>(data: T) -> Response {
    (StatusCode::CREATED, ok_data(data)).into_response()
}

/// A whole number from a query string, refused (422 `INVALID_QUERY`) outside `MIN..=MAX`
/// rather than clamped or left to overflow: `page=9223372036854775808` is a mistake to
/// report, not a page to compute an offset for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounded<const MIN: u64, const MAX: u64>(pub u64);

impl<'de, const MIN: u64, const MAX: u64> Deserialize<'de> for Bounded<MIN, MAX> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(d)?;
        if (MIN..=MAX).contains(&n) {
            Ok(Bounded(n))
        } else {
            Err(serde::de::Error::custom(format!(
                "{n} is out of range: a whole number from {MIN} to {MAX}"
            )))
        }
    }
}

/// Pages a list can be read in; far beyond any real list at the smallest page size.
pub const MAX_PAGE: u64 = 1_000_000;

/// Page and size for list endpoints. Lists keep the legacy raw-array body; the total travels
/// in `X-Total-Count` so old clients keep working and new ones can page.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// 1-based page number (default 1).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1_000_000)]
    pub page: Option<Bounded<1, MAX_PAGE>>,
    /// Page size, 1 to 500. Without it, the whole list up to 2,000 rows.
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub limit: Option<Bounded<1, { Paging::MAX }>>,
}

impl Paging {
    /// The largest page a client may ask for.
    pub const MAX: u64 = 500;
    /// Rows a list answers when the client sends no `limit`. The old mobile app never pages:
    /// it reads each list (products, customers, orders, prices) as everything there is, and
    /// a salesperson could not book the 51st product of a first page. So an unpaged request
    /// gets the whole list up to this cap, and `X-Total-Count` says when there is more.
    pub const UNPAGED: u64 = 2_000;

    /// From numbers already checked against the bounds (routes with their own query types).
    pub fn of(
        page: Option<Bounded<1, MAX_PAGE>>,
        limit: Option<Bounded<1, { Paging::MAX }>>,
    ) -> Self {
        Paging { page, limit }
    }

    pub fn page(&self) -> u64 {
        self.page.map_or(1, |p| p.0)
    }

    pub fn limit(&self) -> u64 {
        self.limit.map_or(Self::UNPAGED, |l| l.0)
    }

    pub fn apply(&self, q: Query) -> Query {
        q.skip((self.page() - 1) * self.limit()).limit(self.limit())
    }

    /// How far a list counts its matches: to the end of this page and
    /// [`COUNTED_PAST_PAGE`] rows beyond. Counting is the part of a list request that grows
    /// with history (a million delivered orders are a million index entries to count for a
    /// 50-row page), so past that the total is reported as a lower bound.
    fn count_cap(&self) -> u64 {
        self.page()
            .saturating_mul(self.limit())
            .saturating_add(COUNTED_PAST_PAGE)
    }

    /// How many rows `filter` matches, counted up to [`Paging::count_cap`].
    pub async fn count<T: nexus_core::store::Document>(
        &self,
        st: &AppState,
        filter: &Filter,
    ) -> Result<Total, ApiError> {
        let cap = self.count_cap();
        let n = st.store.count_of_up_to::<T>(filter, cap + 1).await?;
        Ok(if n > cap {
            Total::at_least(cap)
        } else {
            Total::exact(n)
        })
    }

    /// This page of what `query` matches (in its order) and how many it matches.
    pub async fn fetch<T: nexus_core::store::Document>(
        &self,
        st: &AppState,
        query: Query,
    ) -> Result<(Vec<T>, Total), ApiError> {
        let total = self.count::<T>(st, &query.filter).await?;
        let page = st.store.list::<T>(&self.apply(query)).await?;
        Ok((page, total))
    }

    /// The paging headers: `X-Total-Count`, `X-Total-Count-Exact`, `X-Page`, `X-Limit`.
    pub fn headers(&self, total: Total) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-total-count", HeaderValue::from(total.counted));
        h.insert(
            "x-total-count-exact",
            HeaderValue::from_static(if total.exact { "true" } else { "false" }),
        );
        h.insert("x-page", HeaderValue::from(self.page()));
        h.insert("x-limit", HeaderValue::from(self.limit()));
        h
    }

    /// A raw JSON array with the paging headers.
    pub fn respond<T: Serialize>(&self, items: Vec<T>, total: Total) -> Response {
        (self.headers(total), Json(items)).into_response()
    }
}

/// Rows a list counts beyond the end of the page asked for before it stops counting: enough
/// for a screen to say "12 orders awaiting approval" exactly and "1,050 or more" honestly.
pub const COUNTED_PAST_PAGE: u64 = 1_000;

/// How many rows a list matches: exact, or (`exact == false`) at least `counted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub counted: u64,
    pub exact: bool,
}

impl Total {
    pub const fn exact(counted: u64) -> Self {
        Total {
            counted,
            exact: true,
        }
    }

    pub const fn at_least(counted: u64) -> Self {
        Total {
            counted,
            exact: false,
        }
    }
}

/// Commits the business writes together with the audit entry (all or nothing: an audited
/// change is never lost and an audit entry never describes a change that did not happen,
/// fixing the fire-and-forget audit of D-S14), then publishes the events.
pub async fn commit_audited(
    st: &AppState,
    mut writes: Vec<Write>,
    audit: AuditLog,
    events: Vec<Event>,
) -> Result<(), ApiError> {
    writes.push(Write::insert(&audit)?);
    st.store.commit(writes).await?;
    for e in events {
        st.publish(e).await;
    }
    Ok(())
}

/// A JSON snapshot of a record for the audit's old/new data, without secrets.
pub fn snapshot<T: Serialize>(v: &T) -> Option<Value> {
    let mut v = serde_json::to_value(v).ok()?;
    if let Some(o) = v.as_object_mut() {
        o.remove("password");
        o.remove("_id");
        o.remove("__v");
    }
    Some(v)
}

/// The `_rev` guard of a whole-document replace. Documents written before revisions existed
/// have no `_rev` and read as 0.
pub(crate) fn rev_guard(id: &str, rev: u64) -> Filter {
    let rev_matches = if rev == 0 {
        Filter::or([Filter::eq("_rev", 0), Filter::Missing("_rev".into())])
    } else {
        Filter::eq("_rev", rev)
    };
    Filter::and([Filter::id(id), rev_matches])
}

/// Commits the writes `build` makes for a fresh business id from the store sequence
/// `sequence`, formatted by `format`, retrying with the next number while `collection`'s
/// key index reports the id as taken (seeded or legacy ids such as `PKG-001` get there
/// first). Like `store::commit_with_business_id`, for prefixes whose visible width differs
/// from six digits (`PKG-nnn`, `PRC-nnnn`).
pub(crate) async fn commit_with_sequence_id<F>(
    st: &AppState,
    collection: Collection,
    sequence: &str,
    format: impl Fn(u64) -> String,
    mut build: F,
) -> Result<String, ApiError>
where
    F: FnMut(&str) -> Result<Vec<Write>, ApiError>,
{
    let key_index = indexes::key_index(collection).map(|s| s.name);
    for _ in 0..10_000 {
        let id = format(st.store.next_sequence(sequence).await?);
        let writes = build(&id)?;
        match st.store.commit(writes).await {
            Ok(()) => return Ok(id),
            Err(StoreError::DuplicateKey {
                collection: c,
                index,
            }) if c == collection.name() && Some(index.as_str()) == key_index => {
                tracing::info!(%id, "business id already taken; trying the next");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(
        ErrorCode::NoFreeId,
        "No free identifier could be allocated; try again.",
    ))
}

/// The warehouse with this id or legacy alias (`W1`–`W4`); 404 otherwise, never another
/// warehouse.
pub(crate) async fn resolve_warehouse(st: &AppState, id: &str) -> Result<Warehouse, ApiError> {
    let id = id.trim();
    let found = if id.is_empty() {
        None
    } else {
        st.store
            .get::<Warehouse>(Filter::or([Filter::id(id), Filter::eq("aliases", id)]))
            .await?
    };
    found.ok_or_else(|| {
        ApiError::not_found(
            ErrorCode::WarehouseNotFound,
            format!("Warehouse {id} not found"),
        )
    })
}

/// Attachments are links or blob keys, never file contents in the document (D-S10).
pub(crate) fn check_link(field: &str, v: Option<&str>) -> Result<(), ApiError> {
    match v {
        Some(s) if s.trim_start().starts_with("data:") || s.len() > 2048 => {
            Err(ApiError::unprocessable(
                ErrorCode::AttachmentNotALink,
                format!(
                    "`{field}` must be an uploaded file's link or key (upload the file first), not its contents"
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The text without its edge spaces, or `None` when nothing is left: what every master-data
/// form means by "given".
pub(crate) fn trimmed(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// For PATCH bodies: `Some(None)` for an explicit `null` (clear the field), `None` when the
/// field is absent (leave it), used as `#[serde(default, deserialize_with = "some_or_null")]`.
pub(crate) fn some_or_null<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize as _;
    Ok(Some(Option::<T>::deserialize(d)?))
}

/// A master-data code (product id, SKU, distributor or material code): letters, digits, `.`,
/// `_`, `/`, `-`; 1–40 characters (ERP codes). Codes form ids, keys and file names, so
/// nothing else would survive exports, URLs and the ledger.
pub(crate) fn code(field: &str, raw: &str) -> Result<String, ApiError> {
    let c = raw.trim();
    let ok = !c.is_empty()
        && c.len() <= 40
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-'));
    ok.then(|| c.to_string()).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!("{field} must be 1–40 letters, digits, '.', '_', '/' or '-'."),
        )
    })
}

/// A price or rate: never negative, kept to the paisa.
pub(crate) fn non_negative(
    field: &str,
    m: nexus_core::types::Money,
) -> Result<nexus_core::types::Money, ApiError> {
    if m.is_negative() {
        return Err(ApiError::invalid(
            field,
            format!("{field} cannot be negative."),
        ));
    }
    Ok(m.round2())
}
