//! Years of order history for the scale runs, generated with a fixed seed so every run and
//! every machine measures the same store.
//!
//! Shape, as at a distributor: half of all orders belong to one customer (CUST-002), the rest
//! spread over the other customers; dates spread over the three years before the run, oldest
//! first; the pipeline is the newest few hundred orders (open statuses), everything older has
//! left it (delivered, part accepted, returned, cancelled or rejected). Each order is one of
//! the demo orders (the real document shape: lines with SKUs, GST, totals, history) under a
//! new id, customer, salesperson, status and date.

use nexus_core::model::OrderStatus;
use nexus_core::rules::credit::is_open_uninvoiced;
use nexus_core::store::{Collection, Query, Store, Write};
use nexus_core::types::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// Orders still in the pipeline, whatever the history's size.
const PIPELINE: usize = 300;
/// Orders per commit while growing the store.
const CHUNK: usize = 5_000;
const THREE_YEARS_MS: i64 = 3 * 365 * 86_400_000;
/// The customer holding half of the history.
pub const HEAVY_CUSTOMER: &str = "CUST-002";

/// Customers the bench books for, one per concurrent client: the heavy customer first, then
/// generated ones with room under their limits.
pub fn booking_customers(n: usize) -> Vec<String> {
    std::iter::once(HEAVY_CUSTOMER.to_string())
        .chain((1..n).map(|i| format!("CUST-B{i:03}")))
        .collect()
}

/// Inserts the generated customers of [`booking_customers`] (copies of the heavy customer
/// with a large limit and nothing overdue, so bookings pass the credit check).
pub async fn add_customers(store: &dyn Store, n: usize) {
    let base = store
        .find(
            Collection::Customers,
            &Query::new(nexus_core::store::Filter::id(HEAVY_CUSTOMER)),
        )
        .await
        .expect("read the heavy customer")
        .pop()
        .expect("demo data holds CUST-002");
    let writes = booking_customers(n)
        .into_iter()
        .skip(1)
        .map(|id| {
            let mut c = base.clone();
            c["name"] = json!(format!("Bench Stores {id}"));
            c["id"] = json!(id);
            c["creditLimit"] = json!(100_000_000);
            c["osBalance"] = json!(0);
            c["overdue"] = json!(0);
            if let Some(o) = c.as_object_mut() {
                o.remove("_id");
                o.remove("creditRev");
            }
            Write::Insert {
                collection: Collection::Customers,
                doc: c,
            }
        })
        .collect();
    store.commit(writes).await.expect("insert bench customers");
}

/// Grows the store's generated history from `from` to `to` orders (ids `HIS-0000001` …).
/// Earlier orders keep their place, so sizes can be measured in increasing order on one
/// store; the pipeline is always the newest [`PIPELINE`] of the final size.
pub async fn grow(store: &dyn Store, from: usize, to: usize) {
    let templates = store
        .find(Collection::Orders, &Query::all())
        .await
        .expect("read the demo orders");
    let customers: Vec<(String, String)> = store
        .find(Collection::Customers, &Query::all())
        .await
        .expect("read customers")
        .iter()
        .filter_map(|c| {
            Some((
                c["id"].as_str()?.to_string(),
                c["name"].as_str()?.to_string(),
            ))
        })
        .collect();
    let others: Vec<&(String, String)> = customers
        .iter()
        .filter(|(id, _)| id != HEAVY_CUSTOMER)
        .collect();
    let heavy = customers
        .iter()
        .find(|(id, _)| id == HEAVY_CUSTOMER)
        .expect("demo data holds CUST-002");
    let salespeople = ["SALES-001", "SALES-002"];
    let open: Vec<OrderStatus> = OrderStatus::ALL
        .into_iter()
        .filter(|s| is_open_uninvoiced(*s))
        .collect();
    let closed = [
        (OrderStatus::Delivered, 85),
        (OrderStatus::PartAccepted, 5),
        (OrderStatus::ReturnedToWarehouse, 2),
        (OrderStatus::Cancelled, 6),
        (OrderStatus::Rejected, 2),
    ];
    // The history ends an hour before now, so bookings made by the run are the newest.
    let end = Timestamp::now().millis() - 3_600_000;
    let mut writes = Vec::with_capacity(CHUNK);
    for i in from..to {
        // One generator per order: the same order whatever sizes came before.
        let mut rng = StdRng::seed_from_u64(0x4e45_5855 ^ i as u64);
        let mut doc: Value = templates[rng.random_range(0..templates.len())].clone();
        let (customer_id, customer_name) = if i % 2 == 0 {
            heavy
        } else {
            others[rng.random_range(0..others.len())]
        };
        let status = if i + PIPELINE >= to {
            open[rng.random_range(0..open.len())]
        } else {
            let roll = rng.random_range(0..100);
            let mut below = 0;
            closed
                .iter()
                .find(|(_, share)| {
                    below += share;
                    roll < below
                })
                .map_or(OrderStatus::Delivered, |(s, _)| *s)
        };
        let at = end - THREE_YEARS_MS + THREE_YEARS_MS * i as i64 / to.max(1) as i64;
        let at = Timestamp::from_millis(at)
            .expect("a date in range")
            .to_iso();
        let o = doc.as_object_mut().expect("orders are objects");
        o.remove("_id");
        o.insert("id".into(), json!(format!("HIS-{i:07}")));
        o.insert("customerId".into(), json!(customer_id));
        o.insert("customerName".into(), json!(customer_name));
        o.insert(
            "salespersonId".into(),
            json!(salespeople[rng.random_range(0..salespeople.len())]),
        );
        o.insert("status".into(), json!(status.as_str()));
        o.insert("createdAt".into(), json!(at));
        o.insert("updatedAt".into(), json!(at));
        o.remove("importKey");
        writes.push(Write::Insert {
            collection: Collection::Orders,
            doc,
        });
        if writes.len() == CHUNK {
            store
                .commit(std::mem::take(&mut writes))
                .await
                .expect("insert history");
        }
    }
    if !writes.is_empty() {
        store.commit(writes).await.expect("insert history");
    }
    // Orders of the previous size's pipeline that are older than this size's: close them.
    if from > 0 {
        let stale = from.saturating_sub(PIPELINE)..from.min(to.saturating_sub(PIPELINE));
        let writes: Vec<Write> = stale
            .map(|i| Write::Update {
                collection: Collection::Orders,
                filter: nexus_core::store::Filter::id(format!("HIS-{i:07}")),
                ops: vec![nexus_core::store::UpdateOp::Set(
                    "status".into(),
                    json!(OrderStatus::Delivered.as_str()),
                )],
                expect: nexus_core::store::Expect::One,
            })
            .collect();
        if !writes.is_empty() {
            store.commit(writes).await.expect("close the old pipeline");
        }
    }
}
