//! What a bulk-order import reads from the store before it writes anything, in a handful
//! of queries rather than one per row (the legacy upload did two lookups per row): the
//! customers and products the file names, the import keys already used, and the customers'
//! last rates for lines without an Applied Rate.

use super::super::{ImportContext, ImportError};
use nexus_core::model::{Customer, OrderStatus, Product};
use nexus_core::store::{Filter, Query, typed};
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

/// The first page of a customer's history the last-rate walk reads; each further page is
/// four times larger, up to [`LAST_RATE_PAGE_MAX`].
const LAST_RATE_PAGE: u64 = 32;
const LAST_RATE_PAGE_MAX: u64 = 4_096;

/// The last rate per (customer, SKU) for the SKUs each customer's lines book: the price on
/// the customer's newest order that is not cancelled and has the SKU (domain.md §2.6, as
/// the API's booking reads it). Rates come from orders stored before this import; lines of
/// the same file do not feed each other.
///
/// Each customer's history is walked newest first and the walk stops once every wanted SKU
/// has a rate: a customer who reorders the same goods is answered from the last few dozen
/// orders however many years of history there are (reading the whole history was most of
/// an import for customers with 500 orders each). Pages are in the index's order
/// (`customerId`, `createdAt` descending), which both stores keep stable between pages.
pub(super) async fn last_rates(
    ctx: &ImportContext<'_>,
    wanted: HashMap<String, HashSet<String>>,
) -> Result<HashMap<(String, String), Money>, ImportError> {
    // Only what the rule reads is decoded; old orders carry much more.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Past {
        #[serde(default)]
        status: Option<String>,
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
    let mut rates = HashMap::new();
    for (customer, mut skus) in wanted {
        let (mut skip, mut page) = (0, LAST_RATE_PAGE);
        while !skus.is_empty() {
            let q = Query::new(Filter::eq("customerId", customer.clone()))
                .sort_desc("createdAt")
                .skip(skip)
                .limit(page);
            let docs = ctx
                .store
                .find_text(nexus_core::store::Collection::Orders, &q)
                .await?;
            for doc in &docs {
                let Ok(past) = serde_json::from_str::<Past>(doc) else {
                    continue;
                };
                if past.status.as_deref().and_then(OrderStatus::parse)
                    == Some(OrderStatus::Cancelled)
                {
                    continue;
                }
                for item in past.items {
                    if let (Some(sku), Some(price)) = (item.sku_code, item.price)
                        && skus.remove(&sku)
                    {
                        rates.insert((customer.clone(), sku), price);
                    }
                }
            }
            if (docs.len() as u64) < page {
                break; // the whole history is read
            }
            skip += page;
            page = (page * 4).min(LAST_RATE_PAGE_MAX);
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
