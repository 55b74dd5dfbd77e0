//! Small pieces every area uses: the legacy response envelopes, paging, and the commit
//! pattern "business writes + audit entry in one atomic commit, then publish".

use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use nexus_core::events::Event;
use nexus_core::model::AuditLog;
use nexus_core::store::{Query, Write};
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

/// Page and size for list endpoints. Lists keep the legacy raw-array body; the total travels
/// in `X-Total-Count` so old clients keep working and new ones can page.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// Page size, at most 500. Without it, the whole list up to 2,000 rows.
    pub limit: Option<u64>,
}

impl Paging {
    /// The largest page a client may ask for.
    pub const MAX: u64 = 500;
    /// Rows a list answers when the client sends no `limit`. The old mobile app never pages:
    /// it reads each list (products, customers, orders, prices) as everything there is, and
    /// a salesperson could not book the 51st product of a first page. So an unpaged request
    /// gets the whole list up to this cap, and `X-Total-Count` says when there is more.
    pub const UNPAGED: u64 = 2_000;

    pub fn page(&self) -> u64 {
        self.page.unwrap_or(1).max(1)
    }

    pub fn limit(&self) -> u64 {
        match self.limit {
            Some(l) => l.clamp(1, Self::MAX),
            None => Self::UNPAGED,
        }
    }

    pub fn apply(&self, q: Query) -> Query {
        q.skip((self.page() - 1) * self.limit()).limit(self.limit())
    }

    /// A raw JSON array with `X-Total-Count`, `X-Page` and `X-Limit` headers.
    pub fn respond<T: Serialize>(&self, items: Vec<T>, total: u64) -> Response {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("x-total-count", total),
            ("x-page", self.page()),
            ("x-limit", self.limit()),
        ] {
            if let Ok(v) = HeaderValue::from_str(&v.to_string()) {
                h.insert(k, v);
            }
        }
        (h, Json(items)).into_response()
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
