//! Reads the order steps share: customers, products by id, warehouses by id or legacy alias,
//! the supplier's state for the GST split, and the customer's last rate for a SKU.

use super::access::status_filter;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use nexus_core::model::{Customer, Order, OrderStatus, Product, Warehouse};
use nexus_core::rules::allocation::ProductsById;
use nexus_core::store::typed::decode_text;
use nexus_core::store::{Collection, Filter, Query, TypedStore};
use nexus_core::types::Money;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The supplier's home state (defined with the booking rules, shared with the importer).
pub use nexus_core::rules::booking::HOME_STATE;

/// The customer an order is booked for: it must exist and not be blocked (422 otherwise,
/// since the request body names it).
pub async fn bookable_customer(st: &AppState, id: &str) -> Result<Customer, ApiError> {
    let c = st
        .store
        .get::<Customer>(Filter::id(id))
        .await?
        .ok_or_else(|| {
            ApiError::unprocessable(
                ErrorCode::UnknownCustomer,
                format!("Customer {id} does not exist"),
            )
            .with_details(json!({ "customerId": id }))
        })?;
    if c.is_blocked {
        return Err(ApiError::unprocessable(
            ErrorCode::CustomerBlocked,
            format!("Customer {id} is blocked; no orders can be booked"),
        )
        .with_details(json!({ "customerId": id })));
    }
    Ok(c)
}

/// The products with these ids, keyed by id (missing ids are simply absent).
pub async fn products_by_id<I: IntoIterator<Item = String>>(
    st: &AppState,
    ids: I,
) -> Result<ProductsById, ApiError> {
    let ids: BTreeSet<String> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(ProductsById::new());
    }
    let list = st
        .store
        .list::<Product>(&Query::new(Filter::In(
            "id".into(),
            ids.into_iter().map(Value::String).collect(),
        )))
        .await?;
    Ok(list.into_iter().map(|p| (p.id.clone(), p)).collect())
}

/// A warehouse by its id, a legacy client alias (`W1`–`W4`) or its exact name (legacy STNs
/// stored names). Unknown → 404: the legacy fallback to "the first warehouse" (§2.11 W4)
/// allocated stock from the wrong site.
pub async fn resolve_warehouse(st: &AppState, key: &str) -> Result<Warehouse, ApiError> {
    let key = key.trim();
    if key.is_empty() {
        return Err(ApiError::record_not_found(
            ErrorCode::WarehouseNotFound,
            "Warehouse",
            key,
        ));
    }
    for f in [
        Filter::id(key),
        Filter::eq("aliases", key),
        Filter::eq("name", key),
    ] {
        if let Some(w) = st.store.get::<Warehouse>(f).await? {
            return Ok(w);
        }
    }
    Err(ApiError::record_not_found(
        ErrorCode::WarehouseNotFound,
        "Warehouse",
        key,
    ))
}

/// The state the goods ship from: the order's warehouse when one is chosen, else the
/// supplier's home state.
pub async fn supplier_state(st: &AppState, order: &Order) -> Result<String, ApiError> {
    if let Some(w) = order.source_warehouse.as_deref()
        && let Some(wh) = st.store.get::<Warehouse>(Filter::id(w)).await?
        && let Some(s) = wh.state.filter(|s| !s.trim().is_empty())
    {
        return Ok(s);
    }
    Ok(HOME_STATE.to_string())
}

/// The unit price of each of `skus` on the customer's newest order that is not cancelled
/// and contains it (domain.md §2.6), optionally limited to what `scope` lets the caller see;
/// in the order of `skus`. One read for all of a booking's lines, each answered from the
/// index on the SKUs inside the orders' lines, whatever the customer's history.
pub async fn last_rates(
    st: &AppState,
    customer_id: &str,
    skus: &[&str],
    scope: Option<Filter>,
) -> Result<Vec<Option<Money>>, ApiError> {
    let q = Query::new(Filter::and([
        Filter::eq("customerId", customer_id),
        Filter::Not(Box::new(status_filter([OrderStatus::Cancelled]))),
        scope.unwrap_or(Filter::All),
    ]))
    .sort_desc("createdAt");
    let values: Vec<Value> = skus.iter().map(|s| Value::from(*s)).collect();
    let newest = st
        .store
        .first_each(Collection::Orders, &q, "items.skuCode", &values)
        .await?;
    newest
        .into_iter()
        .zip(skus)
        .map(|(doc, sku)| {
            let Some(text) = doc else {
                return Ok(None);
            };
            let order: Order = decode_text(&text)?;
            Ok(order
                .items
                .iter()
                .find(|i| i.sku_code.as_deref() == Some(*sku))
                .map(|i| i.price))
        })
        .collect()
}
