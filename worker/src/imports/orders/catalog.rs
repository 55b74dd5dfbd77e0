//! What a bulk-order import reads from the store before it writes anything, in a handful
//! of queries rather than one per row (the legacy upload did two lookups per row): the
//! customers and products the file names, the import keys already used, and the customers'
//! last rates for lines without an Applied Rate.

use super::super::{ImportContext, ImportError};
use nexus_core::model::{Customer, OrderStatus, Product};
use nexus_core::store::{Collection, Filter, Query, status_filter, typed};
use nexus_core::types::Money;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Values per `IN` list (SQLite and MongoDB both take far more; this keeps statements small).
const IN_CHUNK: usize = 500;

/// Customers and products the file names, held in memory for row checks.
pub(super) struct Catalog {
    customers: HashMap<String, Customer>,
    products: Vec<Product>,
    by_sku: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
}

fn chunks(values: impl IntoIterator<Item = String>) -> Vec<Vec<Value>> {
    let all: Vec<Value> = values.into_iter().map(Value::String).collect();
    all.chunks(IN_CHUNK).map(<[Value]>::to_vec).collect()
}

impl Catalog {
    /// Loads the customers with these ids and the products with these SKU codes or ids (the
    /// SKU column also accepts a product id, as the API does).
    pub(super) async fn load(
        ctx: &ImportContext<'_>,
        customer_ids: HashSet<String>,
        skus: HashSet<String>,
    ) -> Result<Catalog, ImportError> {
        let mut customers = HashMap::new();
        for chunk in chunks(customer_ids) {
            let found: Vec<Customer> =
                typed::find(ctx.store, &Query::new(Filter::In("id".into(), chunk))).await?;
            customers.extend(found.into_iter().map(|c| (c.id.clone(), c)));
        }
        let mut products = Vec::new();
        for chunk in chunks(skus) {
            let filter = Filter::or([
                Filter::In("skuCode".into(), chunk.clone()),
                Filter::In("id".into(), chunk),
            ]);
            products.extend(typed::find::<Product>(ctx.store, &Query::new(filter)).await?);
        }
        Ok(Catalog::from_parts(customers, products))
    }

    fn from_parts(customers: HashMap<String, Customer>, products: Vec<Product>) -> Catalog {
        let mut by_sku = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, p) in products.iter().enumerate() {
            if let Some(s) = p.sku_code.as_deref().filter(|s| !s.trim().is_empty()) {
                by_sku.entry(s.to_string()).or_insert(i);
            }
            by_id.entry(p.id.clone()).or_insert(i);
        }
        Catalog {
            customers,
            products,
            by_sku,
            by_id,
        }
    }

    #[cfg(test)]
    pub(super) fn for_tests(customers: Vec<Customer>, products: Vec<Product>) -> Catalog {
        Catalog::from_parts(
            customers.into_iter().map(|c| (c.id.clone(), c)).collect(),
            products,
        )
    }

    pub(super) fn customer(&self, id: &str) -> Option<&Customer> {
        self.customers.get(id)
    }

    /// By SKU code first, then by product id.
    pub(super) fn product(&self, sku: &str) -> Option<&Product> {
        self.by_sku
            .get(sku)
            .or_else(|| self.by_id.get(sku))
            .and_then(|i| self.products.get(*i))
    }
}

/// The import keys among `keys` that orders already carry.
pub(super) async fn existing_keys(
    ctx: &ImportContext<'_>,
    keys: impl IntoIterator<Item = String>,
) -> Result<HashSet<String>, ImportError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Keyed {
        import_key: Option<String>,
    }
    let mut found = HashSet::new();
    for chunk in chunks(keys) {
        let docs = ctx
            .store
            .find(
                nexus_core::store::Collection::Orders,
                &Query::new(Filter::In("importKey".into(), chunk)).in_any_order(),
            )
            .await?;
        for d in docs {
            if let Ok(Keyed {
                import_key: Some(k),
            }) = serde_json::from_value(d)
            {
                found.insert(k);
            }
        }
    }
    Ok(found)
}

/// Customers whose last rates are read at once.
const LAST_RATE_READS_IN_FLIGHT: usize = 4;

/// The last rate per (customer, SKU) for the SKUs each customer's lines book: the price on
/// the customer's newest order that is not cancelled and has the SKU (domain.md §2.6, as
/// the API's booking reads it). Rates come from orders stored before this import; lines of
/// the same file do not feed each other.
///
/// One [`Store::first_each`](nexus_core::store::Store::first_each) per customer, answered
/// from the index on the SKUs inside the orders' lines: the cost is one index seek per
/// (customer, SKU) whatever the history. Walking each customer's orders newest first until
/// every SKU turned up read about 160 orders per customer at 500 orders of history, and
/// all of it for a SKU never bought.
pub(super) async fn last_rates(
    ctx: &ImportContext<'_>,
    wanted: HashMap<String, HashSet<String>>,
) -> Result<HashMap<(String, String), Money>, ImportError> {
    // Only what the rule reads is decoded; old orders carry much more.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Past {
        #[serde(default)]
        items: Vec<PastItem>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct PastItem {
        #[serde(default)]
        sku_code: Option<String>,
        #[serde(default)]
        price: Option<Money>,
    }
    use futures::StreamExt;
    let reads: Vec<_> = wanted
        .into_iter()
        .map(|(customer, skus)| {
            let skus: Vec<String> = skus.into_iter().collect();
            let q = Query::new(Filter::and([
                Filter::eq("customerId", customer.clone()),
                Filter::Not(Box::new(status_filter([OrderStatus::Cancelled]))),
            ]))
            .sort_desc("createdAt");
            let values: Vec<Value> = skus.iter().cloned().map(Value::String).collect();
            async move {
                let newest = ctx
                    .store
                    .first_each(Collection::Orders, &q, "items.skuCode", &values)
                    .await?;
                Ok::<_, ImportError>((customer, skus, newest))
            }
        })
        .collect();
    // Customers are independent reads: a few at once keep every core busy.
    let mut answers = futures::stream::iter(reads).buffer_unordered(LAST_RATE_READS_IN_FLIGHT);
    let mut rates = HashMap::new();
    while let Some(answer) = answers.next().await {
        let (customer, skus, newest) = answer?;
        // A customer's newest order usually answers several of its SKUs: each order is
        // decoded once.
        let mut decoded: HashMap<&str, Option<Past>> = HashMap::new();
        for (doc, sku) in newest.iter().zip(skus) {
            let Some(doc) = doc else {
                continue;
            };
            let past = decoded
                .entry(doc.as_str())
                .or_insert_with(|| serde_json::from_str::<Past>(doc).ok());
            let Some(past) = past else {
                continue;
            };
            let price = past
                .items
                .iter()
                .find(|i| i.sku_code.as_deref() == Some(sku.as_str()))
                .and_then(|i| i.price);
            if let Some(price) = price {
                rates.insert((customer.clone(), sku), price);
            }
        }
    }
    Ok(rates)
}

/// Σ total of each customer's open orders not yet invoiced (the credit check's "open
/// orders"), read once for the whole file; the import adds its own orders as it goes.
pub(super) async fn open_order_totals(
    ctx: &ImportContext<'_>,
    customer_ids: impl IntoIterator<Item = String>,
) -> Result<HashMap<String, Money>, ImportError> {
    let ids: Vec<String> = customer_ids.into_iter().collect();
    Ok(nexus_core::exposure::open_uninvoiced_totals(ctx.store, &ids, "").await?)
}
