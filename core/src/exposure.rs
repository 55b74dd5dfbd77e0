//! The store read behind the credit check's "open orders" (domain.md §2.8): Σ total of each
//! customer's orders not yet invoiced. Bookings (API) and bulk imports (worker) both read it
//! here, so the two can never count a different set.
//!
//! Only four fields of each open order are read ([`Store::find_fields`]), from the index
//! that finds the orders and holds those fields (`status_1_customerId_1_id_1_total_1`): a
//! customer with a few hundred orders in the pipeline costs a booking a walk over a few
//! hundred index entries, not a few hundred documents opened and parsed, and the customer's
//! delivered history is never read.

use crate::model::OrderStatus;
use crate::rules::credit::is_open_uninvoiced;
use crate::store::{Collection, Filter, Query, Store, StoreResult, status_filters};
use crate::types::{Money, null_as_default};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

/// Customers per query (an `IN` list of this many ids at most).
const CHUNK: usize = 500;

/// The fields read of each open order, in [`OpenOrder`]'s order.
pub const FIELDS: [&str; 4] = ["id", "customerId", "status", "total"];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenOrder {
    #[serde(default, deserialize_with = "null_as_default")]
    id: String,
    customer_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    status: Option<String>,
    // As `Order` reads it: a null or missing total is zero.
    #[serde(default, deserialize_with = "null_as_default")]
    total: Money,
}

/// The open uninvoiced statuses as disjoint conditions, read one at a time so each read
/// stays on the covering index ([`status_filters`]).
pub fn open_arms() -> Vec<Filter> {
    status_filters(
        OrderStatus::ALL
            .into_iter()
            .filter(|s| is_open_uninvoiced(*s)),
    )
}

/// Σ total of the open uninvoiced orders of each of `customer_ids`, leaving out the order
/// `except_order` (the one being edited or decided; empty for none). Customers without open
/// orders are absent from the map.
pub async fn open_uninvoiced_totals(
    store: &dyn Store,
    customer_ids: &[String],
    except_order: &str,
) -> StoreResult<HashMap<String, Money>> {
    let open = open_arms();
    let mut totals: HashMap<String, Money> = HashMap::new();
    for chunk in customer_ids.chunks(CHUNK) {
        let customers = match chunk {
            [one] => Filter::eq("customerId", one.clone()),
            many => Filter::In(
                "customerId".into(),
                many.iter().cloned().map(Value::String).collect(),
            ),
        };
        let mut rows = Vec::new();
        for arm in &open {
            let q = Query::new(Filter::and([customers.clone(), arm.clone()])).in_any_order();
            rows.extend(store.find_fields(Collection::Orders, &q, &FIELDS).await?);
        }
        for row in rows {
            // As the whole order would read: an order whose fields do not decode is skipped.
            let fields = FIELDS.iter().map(|f| f.to_string()).zip(row);
            let Ok(o) = serde_json::from_value::<OpenOrder>(Value::Object(fields.collect())) else {
                continue;
            };
            // A missing or empty status reads as Pending Credit Approval (the legacy default).
            let status = match o.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Some(OrderStatus::PendingCreditApproval),
                Some(s) => OrderStatus::parse(s),
            };
            if o.id != except_order && status.is_some_and(is_open_uninvoiced) {
                *totals.entry(o.customer_id).or_default() += o.total;
            }
        }
    }
    Ok(totals)
}
