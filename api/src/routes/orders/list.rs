//! Reading orders: the list (O2), one order (O3) and the last-rate lookup (O1), each within
//! the caller's scope (domain.md §4.7). The legacy list returned every order to every role.

use super::access::{Visibility, clearance_filter, status_filter, visible_order};
use super::lookup::last_rates;
use super::view::{OrderDetailView, OrderView, for_actor};
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::{Paging, Total};
use crate::routes::dates::{DateRange, RangeEnd};
use crate::routes::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{Order, OrderStatus};
use nexus_core::store::{Filter, Query, TypedStore};
use nexus_core::types::Money;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OrderFilters {
    /// A status; legacy synonyms are accepted (`Hold` = `On Hold`, `Pending Invoicing` =
    /// `Ready for Billing`, …).
    #[param(value_type = Option<OrderStatus>, inline)]
    pub status: Option<String>,
    pub customer_id: Option<String>,
    pub salesperson_id: Option<String>,
    /// Literal text searched in the order id and the customer name (never a pattern).
    pub q: Option<String>,
    /// Created on or after this date (`YYYY-MM-DD`, from the start of that day in India) or
    /// instant.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub from: Option<String>,
    /// Created on or before this date (the whole day in India) or instant.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub to: Option<String>,
    pub is_clearance: Option<bool>,
    /// The credit check recorded at booking: `passed` (within the limit, nothing overdue),
    /// `review` (overdue or no limit: a person decides), `override` (over the limit or a
    /// cash-only account: approving needs credit_override). Orders booked before the check
    /// existed match none.
    #[param(inline)]
    pub credit_check: Option<CreditCheckFilter>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CreditCheckFilter {
    Passed,
    Review,
    Override,
}

impl CreditCheckFilter {
    fn filter(self) -> Filter {
        match self {
            // A passed check never needs an override; saying so lets the list walk the
            // (passed, overrideRequired, createdAt) index in date order.
            CreditCheckFilter::Passed => Filter::and([
                Filter::eq("creditCheck.passed", true),
                Filter::eq("creditCheck.overrideRequired", false),
            ]),
            CreditCheckFilter::Review => Filter::and([
                Filter::eq("creditCheck.passed", false),
                Filter::eq("creditCheck.overrideRequired", false),
            ]),
            CreditCheckFilter::Override => Filter::eq("creditCheck.overrideRequired", true),
        }
    }
}

fn bad_param(name: &str, value: &str, why: &str) -> ApiError {
    ApiError::unprocessable(
        ErrorCode::InvalidQuery,
        format!("Query parameter `{name}`: {why}"),
    )
    .with_details(json!({ "parameter": name, "value": value }))
}

impl OrderFilters {
    fn to_filter(&self) -> Result<Filter, ApiError> {
        let mut all = Vec::new();
        if let Some(s) = self.status.as_deref().filter(|s| !s.trim().is_empty()) {
            let st =
                OrderStatus::parse(s).ok_or_else(|| bad_param("status", s, "unknown status"))?;
            all.push(status_filter([st]));
        }
        if let Some(c) = self.customer_id.as_deref().filter(|s| !s.is_empty()) {
            all.push(Filter::eq("customerId", c));
        }
        if let Some(s) = self.salesperson_id.as_deref().filter(|s| !s.is_empty()) {
            all.push(Filter::eq("salespersonId", s));
        }
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            if q.chars().count() > 100 {
                return Err(bad_param("q", q, "at most 100 characters"));
            }
            all.push(Filter::or([
                Filter::contains("id", q),
                Filter::contains("customerName", q),
            ]));
        }
        let range = DateRange::parse_with(self.from.as_deref(), self.to.as_deref(), |side, v| {
            let name = match side {
                RangeEnd::Start => "from",
                RangeEnd::End => "to",
            };
            bad_param(name, v, "expected YYYY-MM-DD or an RFC 3339 instant")
        })?;
        all.push(range.filter("createdAt"));
        if let Some(c) = self.credit_check {
            all.push(c.filter());
        }
        match self.is_clearance {
            Some(true) => all.push(clearance_filter()),
            Some(false) => all.push(Filter::Not(Box::new(clearance_filter()))),
            None => {}
        }
        Ok(Filter::and(all))
    }
}

/// Orders the caller may see, newest first, as a raw array (the mobile client's shape) with
/// `X-Total-Count` (exact up to 1,000 rows past the page, else a lower bound, as
/// `X-Total-Count-Exact` says), `X-Page` and `X-Limit`. Each carries `availableSteps`: the lifecycle steps
/// the caller may take on it now, with the request for each.
#[utoipa::path(get, path = "/api/orders", tag = "Orders", security(("bearer" = [])),
    params(OrderFilters, Paging),
    responses(
        (status = 200, description = "Orders in scope, newest first", body = [OrderView]),
        (status = 403, description = "No access to orders"),
        (status = 422, description = "Unknown status or malformed date"),
    ))]
pub async fn list_orders(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(filters): ApiQuery<OrderFilters>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, ApiError> {
    let vis = Visibility::of(&st, &actor).await?;
    vis.require_some()?;
    let Some(scope) = vis.filter() else {
        return Ok(paging.respond(Vec::<Value>::new(), Total::exact(0)));
    };
    let filter = Filter::and([scope, filters.to_filter()?]);
    let total = paging.count::<Order>(&st, &filter).await?;
    let orders = st
        .store
        .list::<Order>(&paging.apply(Query::new(filter).sort_desc("createdAt")))
        .await?;
    Ok(paging.respond(
        orders.iter().map(|o| for_actor(o, &actor.ctx)).collect(),
        total,
    ))
}

/// One order (raw, as the legacy API returned it, with `availableSteps` for the caller and
/// `documents`: its PO copy, photos and proof of delivery as links signed now, valid for an
/// hour). Out of scope reads as 404.
#[utoipa::path(get, path = "/api/orders/{id}", tag = "Orders", security(("bearer" = [])),
    params(("id" = String, Path, description = "Order id, e.g. ORD-000123")),
    responses(
        (status = 200, description = "The order, with its documents", body = OrderDetailView),
        (status = 403, description = "No access to orders"),
        (status = 404, description = "No such order in your scope"),
    ))]
pub async fn get_order(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let vis = Visibility::of(&st, &actor).await?;
    vis.require_some()?;
    let order = visible_order(&st, &vis, &id).await?;
    let mut view = for_actor(&order, &actor.ctx);
    let documents = super::documents::signed(&st, &order).await;
    view["documents"] = serde_json::to_value(documents).unwrap_or_default();
    Ok(Json(view))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RateResponse {
    /// The unit price ex-GST; 0 when the customer never bought the SKU.
    #[schema(value_type = f64)]
    pub rate: Money,
}

/// The unit price of a SKU on the customer's newest non-cancelled order that holds it,
/// among the orders the caller may see (`{rate: 0}` when none).
#[utoipa::path(get, path = "/api/orders/last-rate/{customerId}/{skuCode}", tag = "Orders",
    security(("bearer" = [])),
    params(
        ("customerId" = String, Path, description = "Customer id"),
        ("skuCode" = String, Path, description = "SKU code"),
    ),
    responses(
        (status = 200, description = "Last rate", body = RateResponse),
        (status = 403, description = "Needs create_orders"),
    ))]
pub async fn last_rate_of(
    State(st): State<AppState>,
    actor: Actor,
    Path((customer_id, sku)): Path<(String, String)>,
) -> Result<Json<RateResponse>, ApiError> {
    actor.require_any(&[
        (Permission::CreateOrders, Access::View),
        (Permission::ApproveCredit, Access::View),
    ])?;
    let vis = Visibility::of(&st, &actor).await?;
    let rate = match vis.filter() {
        Some(scope) => last_rates(&st, &customer_id, &[sku.as_str()], Some(scope))
            .await?
            .pop()
            .flatten()
            .unwrap_or(Money::ZERO),
        None => Money::ZERO,
    };
    Ok(Json(RateResponse { rate }))
}
