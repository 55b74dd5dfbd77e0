//! P1/P2: the product list (filtered, paged) and one product. Separate because the reads
//! share nothing with the writes but `load`.

use super::{load, trimmed};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::routes::common::Paging;
use crate::routes::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::Product;
use nexus_core::store::{Filter, Query as StoreQuery};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ProductFilter {
    /// Exact category.
    pub category: Option<String>,
    /// Exact specie (product family).
    pub specie: Option<String>,
    /// Literal text searched in name, SKU code, HSN code and id (case-insensitive).
    pub search: Option<String>,
    /// `true` also lists deactivated products (master data only).
    pub include_inactive: Option<bool>,
}

/// List products sorted by category then name (raw array; paging headers).
#[utoipa::path(get, path = "/api/products", tag = "Products", security(("bearer" = [])),
    params(ProductFilter, Paging),
    responses(
        (status = 200, description = "Products (`X-Total-Count`, `X-Page`, `X-Limit` headers)", body = [Product]),
    ))]
pub(super) async fn list_products(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(f): ApiQuery<ProductFilter>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, ApiError> {
    let mut conds = Vec::new();
    let show_inactive =
        f.include_inactive == Some(true) && actor.can(Permission::MasterData, Access::View);
    if !show_inactive {
        conds.push(Filter::ne("isActive", false));
    }
    if let Some(c) = f.category.as_deref().and_then(trimmed) {
        conds.push(Filter::eq("category", c));
    }
    if let Some(s) = f.specie.as_deref().and_then(trimmed) {
        conds.push(Filter::eq("specie", s));
    }
    if let Some(s) = f.search.as_deref().and_then(trimmed) {
        let s: String = s.chars().take(100).collect();
        conds.push(Filter::or([
            Filter::contains("name", s.clone()),
            Filter::contains("skuCode", s.clone()),
            Filter::contains("hsnCode", s.clone()),
            Filter::contains("id", s),
        ]));
    }
    let filter = Filter::and(conds);
    let query = StoreQuery::new(filter)
        .sort_asc("category")
        .sort_asc("name")
        .sort_asc("id");
    let (page, total): (Vec<Product>, _) = paging.fetch(&st, query).await?;
    Ok(paging.respond(page, total))
}

/// One product with its batches (raw document; deactivated products too, for history).
#[utoipa::path(get, path = "/api/products/{id}", tag = "Products", security(("bearer" = [])),
    params(("id" = String, Path, description = "Product id")),
    responses(
        (status = 200, description = "The product", body = Product),
        (status = 404, description = "No such product"),
    ))]
pub(super) async fn get_product(
    State(st): State<AppState>,
    _actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(load(&st, &id).await?))
}
