//! C1: the customer list, filtered and paged. Separate because reading shares nothing with the
//! writes but `present`.

use super::validate::trimmed;
use super::{CustomerView, READERS, present};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::routes::common::Paging;
use crate::routes::extract::ApiQuery;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use nexus_core::model::Customer;
use nexus_core::store::{Filter, Query as StoreQuery};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilter {
    /// Literal text searched in id, name and location (case-insensitive; never a pattern).
    pub search: Option<String>,
    /// Exact distribution channel (e.g. `Modern Trade`).
    pub channel: Option<String>,
    /// Exact customer class (e.g. `A+`).
    pub class: Option<String>,
}

/// List customers (raw array; `X-Total-Count`, `X-Page`, `X-Limit` headers).
#[utoipa::path(get, path = "/api/customers", tag = "Customers", security(("bearer" = [])),
    params(CustomerFilter, Paging),
    responses(
        (status = 200, description = "Customers sorted by name", body = [CustomerView]),
        (status = 403, description = "Needs view_orders, create_orders, approve_credit or master_data"),
    ))]
pub(super) async fn list_customers(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(f): ApiQuery<CustomerFilter>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, ApiError> {
    actor.require_any(&READERS)?;
    let mut conds = Vec::new();
    if let Some(s) = f.search.as_deref().and_then(trimmed) {
        let s: String = s.chars().take(100).collect();
        conds.push(Filter::or([
            Filter::contains("id", s.clone()),
            Filter::contains("name", s.clone()),
            Filter::contains("location", s),
        ]));
    }
    if let Some(c) = f.channel.as_deref().and_then(trimmed) {
        conds.push(Filter::eq("distributionChannel", c));
    }
    if let Some(c) = f.class.as_deref().and_then(trimmed) {
        conds.push(Filter::eq("customerClass", c));
    }
    let filter = Filter::and(conds);
    let (page, total): (Vec<Customer>, _) = paging
        .fetch(&st, StoreQuery::new(filter).sort_asc("name").sort_asc("id"))
        .await?;
    let mut out = Vec::with_capacity(page.len());
    for c in &page {
        out.push(present(&st, c).await);
    }
    Ok(paging.respond(out, total))
}
