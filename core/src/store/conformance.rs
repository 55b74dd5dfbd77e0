//! The store conformance suite: one set of checks every adapter must pass, written once and
//! run against SQLite always and MongoDB when a server is available
//! (`core/tests/store_conformance.rs`).
//!
//! Each check takes a fresh, empty store (no indexes yet) and panics with a message on
//! failure; it is test support, compiled only with the `conformance` feature. Documents are
//! shaped like the real collections so the checks exercise the paths the system uses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::apply;
use super::ids::{commit_with_business_id, next_business_id};
use super::indexes::CATALOGUE;
use super::typed::{self, Document};
use super::{Collection, Expect, Filter, Query, Store, StoreError, UpdateOp, Write};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::future::Future;
use std::sync::Arc;

type Check = fn(Arc<dyn Store>) -> futures::future::BoxFuture<'static, ()>;

/// Every check, by name, for harnesses that want to loop.
pub const CHECKS: &[(&str, Check)] = &[
    ("insert_get_and_every_filter", |s| {
        Box::pin(insert_get_and_every_filter(s))
    }),
    ("filters_agree_with_reference", |s| {
        Box::pin(filters_agree_with_reference(s))
    }),
    ("sort_skip_limit_and_count", |s| {
        Box::pin(sort_skip_limit_and_count(s))
    }),
    ("unique_indexes_name_the_index", |s| {
        Box::pin(unique_indexes_name_the_index(s))
    }),
    ("upsert_by_key_fields", |s| {
        Box::pin(upsert_by_key_fields(s))
    }),
    ("failed_guard_rolls_back_whole_commit", |s| {
        Box::pin(failed_guard_rolls_back_whole_commit(s))
    }),
    ("update_operator_semantics", |s| {
        Box::pin(update_operator_semantics(s))
    }),
    ("elem_match_on_batches", |s| {
        Box::pin(elem_match_on_batches(s))
    }),
    ("field_names_with_spaces", |s| {
        Box::pin(field_names_with_spaces(s))
    }),
    ("timestamps_round_trip_and_sort", |s| {
        Box::pin(timestamps_round_trip_and_sort(s))
    }),
    ("legacy_object_ids_survive_rewrites", |s| {
        Box::pin(legacy_object_ids_survive_rewrites(s))
    }),
    ("rev_guarded_replace", |s| Box::pin(rev_guarded_replace(s))),
    ("delete_semantics", |s| Box::pin(delete_semantics(s))),
    ("next_sequence_is_unique_under_concurrency", |s| {
        Box::pin(next_sequence_is_unique_under_concurrency(s))
    }),
    ("next_sequence_blocks_are_contiguous_and_disjoint", |s| {
        Box::pin(next_sequence_blocks_are_contiguous_and_disjoint(s))
    }),
    ("business_ids_skip_legacy_collisions", |s| {
        Box::pin(business_ids_skip_legacy_collisions(s))
    }),
    ("ensure_indexes_is_idempotent", |s| {
        Box::pin(ensure_indexes_is_idempotent(s))
    }),
    ("packaging_balance_never_oversold", |s| {
        Box::pin(packaging_balance_never_oversold(s))
    }),
    ("one_status_transition_wins", |s| {
        Box::pin(one_status_transition_wins(s))
    }),
    ("first_each_agrees_with_reads", |s| {
        Box::pin(first_each_agrees_with_reads(s))
    }),
    ("find_fields_agrees_with_reads", |s| {
        Box::pin(find_fields_agrees_with_reads(s))
    }),
    ("hot_queries_use_indexes", |s| {
        Box::pin(hot_queries_use_indexes(s))
    }),
];

/// Runs every check, each on a fresh store from `make`.
pub async fn run_all<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    for (name, check) in CHECKS {
        eprintln!("store conformance: {name}");
        check(make().await).await;
    }
}

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/// One document in a commit of its own (the result: a test may expect a refusal).
async fn insert_one(
    store: &Arc<dyn Store>,
    collection: Collection,
    doc: Value,
) -> Result<(), StoreError> {
    store.commit(vec![Write::Insert { collection, doc }]).await
}

/// Updates exactly the document with this id, in a commit of its own.
async fn update_one(
    store: &Arc<dyn Store>,
    collection: Collection,
    id: &str,
    ops: Vec<UpdateOp>,
) -> Result<(), StoreError> {
    let write = Write::Update {
        collection,
        filter: Filter::id(id),
        ops,
        expect: Expect::One,
    };
    store.commit(vec![write]).await
}

async fn count(store: &Arc<dyn Store>, collection: Collection, filter: Filter) -> u64 {
    store.count(collection, &filter).await.expect("count")
}

/// Runs `n` tasks at once, each with its own handle on the store and its index; their results
/// in index order.
async fn concurrently<T, F, Fut>(store: &Arc<dyn Store>, n: u64, task: F) -> Vec<T>
where
    F: Fn(Arc<dyn Store>, u64) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let tasks: Vec<_> = (0..n)
        .map(|i| tokio::spawn(task(store.clone(), i)))
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.expect("join"));
    }
    results
}

/// Commits raced against each other: how many went through and how many lost to a conflict
/// (any other error fails the test).
fn wins_and_conflicts(results: Vec<Result<(), StoreError>>) -> (usize, usize) {
    let (mut ok, mut conflicts) = (0, 0);
    for r in results {
        match r {
            Ok(()) => ok += 1,
            Err(StoreError::Conflict(_)) => conflicts += 1,
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    (ok, conflicts)
}

async fn insert(store: &Arc<dyn Store>, collection: Collection, docs: &[Value]) {
    let writes = docs
        .iter()
        .map(|d| Write::Insert {
            collection,
            doc: d.clone(),
        })
        .collect();
    store.commit(writes).await.expect("insert");
}

async fn ids(store: &Arc<dyn Store>, collection: Collection, query: Query) -> Vec<String> {
    store
        .find(collection, &query)
        .await
        .expect("find")
        .iter()
        .map(|d| d["id"].as_str().unwrap_or("?").to_string())
        .collect()
}

async fn sorted_ids(store: &Arc<dyn Store>, collection: Collection, filter: Filter) -> Vec<String> {
    let mut v = ids(store, collection, Query::new(filter)).await;
    v.sort();
    v
}

async fn get(store: &Arc<dyn Store>, collection: Collection, id: &str) -> Option<Value> {
    store
        .find(collection, &Query::new(Filter::id(id)).limit(1))
        .await
        .expect("get")
        .pop()
}

fn without_mongo_id(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.remove("_id");
    }
    v
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn customers() -> Vec<Value> {
    vec![
        json!({"id": "C1", "name": "Sea Breeze Foods", "type": "Distributor", "limit": 1500000,
               "osBalance": 250000.5, "status": "Active", "region": "Maharashtra",
               "email": "accounts@seabreeze.example", "tags": ["horeca", "west"],
               "agingBuckets": {"0 to 7": 1200, "7 to 15": 0, ">180": 0}}),
        json!({"id": "C2", "name": "Coastal Retail (Pune)", "type": "Retailer", "limit": 200000,
               "osBalance": -1500, "status": "Active", "region": "Maharashtra",
               "tags": ["retail"], "agingBuckets": {"0 to 7": 0, "7 to 15": 300, ">180": 75.25}}),
        json!({"id": "C3", "name": "Hotel Blue Lagoon", "type": "HoReCa", "limit": 50000.75,
               "osBalance": 0, "status": "Blocked", "region": null,
               "agingBuckets": {"0 to 7": 10, "7 to 15": 0, ">180": 0}}),
        json!({"id": "C4", "name": "Metro Mart", "type": "Modern Trade", "status": "Active",
               "osBalance": 99.5, "tags": []}),
    ]
}

fn products() -> Vec<Value> {
    vec![
        json!({"id": "P1", "skuCode": "SKU-SALMON", "name": "Salmon Fillet 200g", "category": "Salmon",
        "batches": [
            {"batchId": "b1", "batchNumber": "B-001", "quantity": 0, "isActive": false, "expDate": "2026-03-01"},
            {"batchId": "b2", "batchNumber": "B-002", "quantity": 40, "isActive": true, "expDate": "2026-05-01"}
        ]}),
        json!({"id": "P2", "skuCode": "SKU-PRAWN", "name": "Breaded Prawns 500g", "category": "Breaded",
        "batches": [
            {"batchId": "b3", "batchNumber": "B-001", "quantity": 12, "isActive": true, "expDate": "2026-02-20"}
        ]}),
        json!({"id": "P3", "skuCode": "", "name": "Sample Pack", "category": "Samples", "batches": []}),
    ]
}

// ---------------------------------------------------------------------------------------------
// checks
// ---------------------------------------------------------------------------------------------

/// Inserts real-shaped documents and reads them back through every filter variant.
pub async fn insert_get_and_every_filter(store: Arc<dyn Store>) {
    store.ping().await.expect("ping");
    insert(&store, Collection::Customers, &customers()).await;
    let c = Collection::Customers;

    let got = get(&store, c, "C2").await.expect("C2 exists");
    assert_eq!(without_mongo_id(got), customers()[1]);
    assert!(get(&store, c, "nope").await.is_none());

    let cases: Vec<(Filter, Vec<&str>)> = vec![
        (Filter::All, vec!["C1", "C2", "C3", "C4"]),
        (Filter::eq("status", "Active"), vec!["C1", "C2", "C4"]),
        (Filter::eq("limit", 1500000.0), vec!["C1"]),
        (Filter::eq("limit", "1500000"), vec![]),
        (Filter::ne("status", "Active"), vec!["C3"]),
        (Filter::gt("osBalance", 0), vec!["C1", "C4"]),
        (Filter::gte("osBalance", 0), vec!["C1", "C3", "C4"]),
        (Filter::lt("osBalance", 0), vec!["C2"]),
        (Filter::lte("limit", 200000), vec!["C2", "C3"]),
        (Filter::gt("name", "M"), vec!["C1", "C4"]),
        (
            Filter::is_in("type", vec![json!("Retailer"), json!("HoReCa")]),
            vec!["C2", "C3"],
        ),
        (
            Filter::Nin("type".into(), vec![json!("Retailer"), json!("HoReCa")]),
            vec!["C1", "C4"],
        ),
        (Filter::Missing("limit".into()), vec!["C4"]),
        (Filter::Missing("region".into()), vec!["C3", "C4"]),
        (Filter::Exists("region".into()), vec!["C1", "C2"]),
        (Filter::Missing("email".into()), vec!["C2", "C3", "C4"]),
        (Filter::eq("region", Value::Null), vec!["C3", "C4"]),
        (Filter::ne("region", Value::Null), vec!["C1", "C2"]),
        (Filter::contains("name", "RETAIL (p"), vec!["C2"]),
        (Filter::contains("name", "o"), vec!["C1", "C2", "C3", "C4"]),
        (Filter::contains("name", "BLUE"), vec!["C3"]),
        (Filter::contains("name", ".*"), vec![]),
        (Filter::eq("tags", "west"), vec!["C1"]),
        (Filter::ne("tags", "west"), vec!["C2", "C3", "C4"]),
        (
            Filter::and([Filter::eq("status", "Active"), Filter::gt("limit", 100000)]),
            vec!["C1", "C2"],
        ),
        (
            Filter::or([Filter::eq("status", "Blocked"), Filter::lt("osBalance", 0)]),
            vec!["C2", "C3"],
        ),
        (
            Filter::Not(Box::new(Filter::eq("status", "Active"))),
            vec!["C3"],
        ),
        (Filter::And(vec![]), vec!["C1", "C2", "C3", "C4"]),
        (Filter::Or(vec![]), vec![]),
        (Filter::gt("agingBuckets.>180", 50), vec!["C2"]),
    ];
    for (filter, want) in cases {
        assert_eq!(
            sorted_ids(&store, c, filter.clone()).await,
            s(&want),
            "filter {filter:?}"
        );
        assert_eq!(
            count(&store, c, filter.clone()).await,
            want.len() as u64,
            "count {filter:?}"
        );
    }

    let invalid = store.find(c, &Query::new(Filter::eq("name'; --", 1))).await;
    assert!(
        matches!(invalid, Err(StoreError::InvalidQuery(_))),
        "{invalid:?}"
    );
}

/// Adapter results equal the reference semantics (`apply::matches`) on awkward shapes.
pub async fn filters_agree_with_reference(store: Arc<dyn Store>) {
    let docs = vec![
        json!({"id": "D1", "n": 5, "s": "abc", "b": true, "o": {"x": 1, "y": "q"}, "arr": [1, 2, 3],
               "objs": [{"x": 1, "t": "a"}, {"x": 5, "t": "b"}]}),
        json!({"id": "D2", "n": 5.5, "s": "ABD", "b": false, "o": {"x": null}, "arr": [],
               "objs": [{"x": 7}]}),
        json!({"id": "D3", "n": "5", "s": null, "o": {"y": "q"}, "arr": ["1", 2],
               "objs": [{"t": "a"}]}),
        json!({"id": "D4", "n": -1, "s": "zz", "b": 1, "o": {"x": [1, 9]}, "arr": [null, 4]}),
        json!({"id": "D5", "o": {"x": {"deep": 2}}, "objs": []}),
    ];
    insert(&store, Collection::Jobs, &docs).await;
    let filters = vec![
        Filter::eq("n", 5),
        Filter::eq("n", "5"),
        Filter::gt("n", 0),
        Filter::lte("n", 5.5),
        Filter::gt("s", "abc"),
        Filter::lt("s", "b"),
        Filter::eq("b", true),
        Filter::eq("b", 1),
        Filter::gt("b", false),
        Filter::eq("o.x", 1),
        Filter::eq("o.x", 9),
        Filter::gt("o.x", 0),
        Filter::eq("o.x", json!([1, 9])),
        Filter::eq("o.x", json!({"deep": 2})),
        Filter::eq("o.x.deep", 2),
        Filter::Missing("o.x".into()),
        Filter::Exists("o.x".into()),
        Filter::Missing("s".into()),
        Filter::Missing("b".into()),
        Filter::eq("arr", 2),
        Filter::eq("arr", "1"),
        Filter::gt("arr", 3),
        Filter::Missing("arr".into()),
        Filter::Exists("arr".into()),
        Filter::ne("arr", 2),
        Filter::is_in("arr", vec![json!(4), json!("1")]),
        Filter::Nin("arr".into(), vec![json!(4), json!("1")]),
        Filter::eq("objs.x", 5),
        Filter::gt("objs.x", 4),
        Filter::eq("objs.t", "a"),
        Filter::ne("objs.t", "a"),
        Filter::elem_match(
            "objs",
            Filter::and([Filter::eq("x", 1), Filter::eq("t", "b")]),
        ),
        Filter::elem_match(
            "objs",
            Filter::and([Filter::eq("x", 5), Filter::eq("t", "b")]),
        ),
        Filter::elem_match("objs", Filter::All),
        Filter::elem_match("objs", Filter::Missing("t".into())),
        Filter::elem_match(
            "objs",
            Filter::or([Filter::gt("x", 6), Filter::eq("t", "a")]),
        ),
        Filter::elem_match("objs", Filter::Not(Box::new(Filter::eq("t", "a")))),
        Filter::contains("s", "B"),
        Filter::contains("o.y", "Q"),
        Filter::Not(Box::new(Filter::contains("s", "b"))),
    ];
    for f in filters {
        let mut want: Vec<String> = docs
            .iter()
            .filter(|d| apply::matches(d, &f))
            .map(|d| d["id"].as_str().unwrap_or("?").to_string())
            .collect();
        want.sort();
        assert_eq!(
            sorted_ids(&store, Collection::Jobs, f.clone()).await,
            want,
            "{f:?}"
        );
    }
}

/// Orders, pages and counts like a list screen.
pub async fn sort_skip_limit_and_count(store: Arc<dyn Store>) {
    insert(&store, Collection::Customers, &customers()).await;
    let c = Collection::Customers;
    let by_balance = Query::all().sort_desc("osBalance");
    assert_eq!(
        ids(&store, c, by_balance.clone()).await,
        s(&["C1", "C4", "C3", "C2"])
    );
    assert_eq!(
        ids(&store, c, by_balance.clone().skip(1).limit(2)).await,
        s(&["C4", "C3"])
    );
    assert_eq!(
        ids(&store, c, by_balance.clone().skip(3).limit(10)).await,
        s(&["C2"])
    );
    assert_eq!(
        ids(&store, c, by_balance.clone().skip(9)).await,
        Vec::<String>::new()
    );
    assert_eq!(
        ids(&store, c, by_balance.limit(0)).await,
        Vec::<String>::new()
    );
    // Missing values sort first ascending; ties fall back to a stable order.
    assert_eq!(
        ids(&store, c, Query::all().sort_asc("limit")).await,
        s(&["C4", "C3", "C2", "C1"])
    );
    assert_eq!(
        ids(&store, c, Query::all().sort_asc("status").sort_desc("name")).await,
        s(&["C1", "C4", "C2", "C3"])
    );
    assert_eq!(
        ids(
            &store,
            c,
            Query::new(Filter::eq("status", "Active"))
                .sort_asc("name")
                .limit(2)
        )
        .await,
        s(&["C2", "C4"])
    );
    assert_eq!(count(&store, c, Filter::All).await, 4);
    assert_eq!(count(&store, Collection::Orders, Filter::All).await, 0);
    // A capped count stops at the cap and is exact below it; a cap of 0 counts nothing.
    let active = Filter::eq("status", "Active");
    let exact = count(&store, c, active.clone()).await;
    assert_eq!(exact, 3);
    for (cap, want) in [(0, 0), (1, 1), (3, 3), (4, 3), (u64::MAX, 3)] {
        let got = store
            .count_up_to(c, &active, cap)
            .await
            .expect("count_up_to");
        assert_eq!(got, want, "count_up_to cap {cap}");
    }
    assert_eq!(
        store.count_up_to(c, &Filter::All, 3).await.expect("capped"),
        3
    );
}

/// Inserting `doc` is refused by the unique index `index` of `collection`.
async fn expect_duplicate_insert(
    store: &Arc<dyn Store>,
    collection: Collection,
    doc: Value,
    index: &str,
) {
    let result = insert_one(store, collection, doc).await;
    expect_duplicate(result, collection.name(), index);
}

fn expect_duplicate(result: Result<(), StoreError>, collection: &str, index: &str) {
    match result {
        Err(StoreError::DuplicateKey {
            collection: c,
            index: i,
        }) => {
            assert_eq!((c.as_str(), i.as_str()), (collection, index));
        }
        other => panic!("expected DuplicateKey on {collection}.{index}, got {other:?}"),
    }
}

/// Unique indexes refuse duplicates and say which index did.
pub async fn unique_indexes_name_the_index(store: Arc<dyn Store>) {
    store.ensure_indexes().await.expect("ensure_indexes");
    let users = Collection::Users;
    insert(
        &store,
        users,
        &[
            json!({"id": "U1", "name": "A", "role": "Sales", "email": "a@x.example"}),
            json!({"id": "U2", "name": "B", "role": "Sales"}),
            json!({"id": "U3", "name": "C", "role": "Billing"}),
        ],
    )
    .await;
    // (a user that clashes with U1, the index that refuses it)
    for (doc, index) in [
        (
            json!({"id": "U1", "name": "A again", "role": "Sales"}),
            "id_1",
        ),
        (
            json!({"id": "U9", "name": "Z", "role": "Sales", "email": "a@x.example"}),
            "email_1",
        ),
    ] {
        expect_duplicate_insert(&store, users, doc, index).await;
    }

    // Products: empty and missing SKU codes may repeat; a real code may not.
    let p = Collection::Products;
    insert(
        &store,
        p,
        &[
            json!({"id": "P1", "name": "x", "skuCode": "SKU-1"}),
            json!({"id": "P2", "name": "y", "skuCode": ""}),
            json!({"id": "P3", "name": "z", "skuCode": ""}),
            json!({"id": "P4", "name": "w"}),
            json!({"id": "P5", "name": "v"}),
        ],
    )
    .await;
    let dup_sku = json!({"id": "P6", "name": "dup", "skuCode": "SKU-1"});
    expect_duplicate_insert(&store, p, dup_sku, "skuCode_1").await;

    // Composite keys and the bulk-import idempotency key.
    let a = json!({"userId": "U1", "date": "2026-02-12", "userName": "A"});
    insert(&store, Collection::Attendances, std::slice::from_ref(&a)).await;
    expect_duplicate_insert(&store, Collection::Attendances, a, "userId_1_date_1").await;

    insert(
        &store,
        Collection::Orders,
        &[
            json!({"id": "ORD-1", "customerId": "C1", "importKey": "f00d:PO-1"}),
            json!({"id": "ORD-2", "customerId": "C1"}),
            json!({"id": "ORD-3", "customerId": "C1"}),
            // Null and empty keys are outside the partial index: they never collide.
            json!({"id": "ORD-5", "customerId": "C1", "importKey": null}),
            json!({"id": "ORD-6", "customerId": "C1", "importKey": null}),
            json!({"id": "ORD-7", "customerId": "C1", "importKey": ""}),
            json!({"id": "ORD-8", "customerId": "C1", "importKey": ""}),
        ],
    )
    .await;
    let dup_import = json!({"id": "ORD-4", "customerId": "C1", "importKey": "f00d:PO-1"});
    expect_duplicate_insert(&store, Collection::Orders, dup_import, "importKey_1").await;

    // An update that would create a duplicate is refused as well.
    let clash = update_one(
        &store,
        users,
        "U2",
        vec![UpdateOp::Set("email".into(), json!("a@x.example"))],
    )
    .await;
    expect_duplicate(clash, "users", "email_1");
    assert_eq!(count(&store, users, Filter::All).await, 3);
}

/// Upsert inserts, then replaces by the key fields.
pub async fn upsert_by_key_fields(store: Arc<dyn Store>) {
    store.ensure_indexes().await.expect("ensure_indexes");
    let c = Collection::Customers;
    let v1 = json!({"id": "C9", "name": "First", "limit": 10});
    let v2 = json!({"id": "C9", "name": "Second"});
    store
        .commit(vec![Write::Upsert {
            collection: c,
            doc: v1,
        }])
        .await
        .expect("upsert insert");
    store
        .commit(vec![Write::Upsert {
            collection: c,
            doc: v2.clone(),
        }])
        .await
        .expect("upsert replace");
    assert_eq!(count(&store, c, Filter::All).await, 1);
    assert_eq!(get(&store, c, "C9").await.map(without_mongo_id), Some(v2));

    let pms = Collection::PerformanceRecords;
    for score in [10, 20] {
        store
            .commit(vec![Write::Upsert {
                collection: pms,
                doc: json!({"userId": "U1", "month": "Feb'26", "totalScore": score}),
            }])
            .await
            .expect("pms upsert");
    }
    store
        .commit(vec![Write::Upsert {
            collection: pms,
            doc: json!({"userId": "U1", "month": "Mar'26", "totalScore": 5}),
        }])
        .await
        .expect("pms upsert");
    let feb = store
        .find(
            pms,
            &Query::new(Filter::key(&[
                ("userId", json!("U1")),
                ("month", json!("Feb'26")),
            ])),
        )
        .await
        .expect("find");
    assert_eq!(feb.len(), 1);
    assert_eq!(feb[0]["totalScore"], json!(20));
    assert_eq!(count(&store, pms, Filter::All).await, 2);

    let no_key = store
        .commit(vec![Write::Upsert {
            collection: c,
            doc: json!({"name": "keyless"}),
        }])
        .await;
    assert!(
        matches!(no_key, Err(StoreError::InvalidQuery(_))),
        "{no_key:?}"
    );
}

/// A failing guard or a duplicate anywhere in a commit leaves nothing of it behind.
pub async fn failed_guard_rolls_back_whole_commit(store: Arc<dyn Store>) {
    store.ensure_indexes().await.expect("ensure_indexes");
    insert(
        &store,
        Collection::PackagingMaterials,
        &[json!({"id": "PKG-001", "name": "Poly pouch", "unit": "PCS", "balance": 10, "category": "Poly Pkts"})],
    )
    .await;
    let result = store
        .commit(vec![
            Write::Insert {
                collection: Collection::PackagingTransactions,
                doc: json!({"id": "PKG-OUT-000001", "materialId": "PKG-001", "type": "OUT", "qty": 30}),
            },
            Write::Update {
                collection: Collection::PackagingMaterials,
                filter: Filter::and([Filter::id("PKG-001"), Filter::gte("balance", 30)]),
                ops: vec![UpdateOp::Inc("balance".into(), json!(-30))],
                expect: Expect::One,
            },
        ])
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    assert_eq!(
        count(&store, Collection::PackagingTransactions, Filter::All).await,
        0
    );
    let m = get(&store, Collection::PackagingMaterials, "PKG-001")
        .await
        .expect("material");
    assert_eq!(m["balance"], json!(10));

    // A duplicate in the second write undoes the first.
    let result = store
        .commit(vec![
            Write::Update {
                collection: Collection::PackagingMaterials,
                filter: Filter::id("PKG-001"),
                ops: vec![UpdateOp::Inc("balance".into(), json!(5))],
                expect: Expect::One,
            },
            Write::Insert {
                collection: Collection::PackagingMaterials,
                doc: json!({"id": "PKG-001", "name": "dup"}),
            },
        ])
        .await;
    expect_duplicate(result, "packagingmaterials", "id_1");
    let m = get(&store, Collection::PackagingMaterials, "PKG-001")
        .await
        .expect("material");
    assert_eq!(m["balance"], json!(10));

    // Expect::Any with no match is fine; the commit goes through.
    store
        .commit(vec![
            Write::Update {
                collection: Collection::PackagingMaterials,
                filter: Filter::id("PKG-404"),
                ops: vec![UpdateOp::Inc("balance".into(), json!(1))],
                expect: Expect::Any,
            },
            Write::Insert {
                collection: Collection::PackagingTransactions,
                doc: json!({"id": "PKG-IN-000001", "materialId": "PKG-001", "type": "IN", "qty": 1}),
            },
        ])
        .await
        .expect("any");
    assert_eq!(
        count(&store, Collection::PackagingTransactions, Filter::All).await,
        1
    );
}

/// `$set`, `$unset`, `$inc`, `$push`, `$addToSet`, `$pull` behave as in MongoDB.
pub async fn update_operator_semantics(store: Arc<dyn Store>) {
    let o = Collection::Orders;
    insert(
        &store,
        o,
        &[
            json!({"id": "ORD-1", "status": "Pending", "total": 100, "salesPhotos": ["a"],
                 "statusHistory": [], "logistics": {"sealNo": "S1"},
                 "items": [{"skuCode": "X", "quantity": 2}, {"skuCode": "Y", "quantity": 0}]}),
        ],
    )
    .await;
    let update_ord_1 = |ops| update_one(&store, o, "ORD-1", ops);
    update_ord_1(vec![
        UpdateOp::Set("status".into(), json!("Packed")),
        UpdateOp::Set("logistics.manifestId".into(), json!("MAN-260212-1")),
        UpdateOp::Set("qc.passed".into(), json!(true)),
        UpdateOp::Unset("logistics.sealNo".into()),
        UpdateOp::Inc("total".into(), json!(18.5)),
        UpdateOp::Inc("revision".into(), json!(1)),
        UpdateOp::Push(
            "statusHistory".into(),
            json!({"status": "Packed", "timestamp": "2026-02-12T13:15:00.000Z"}),
        ),
        UpdateOp::AddToSet("salesPhotos".into(), json!("a")),
        UpdateOp::Push("notes".into(), json!("first")),
        UpdateOp::Pull("items".into(), json!({"quantity": 0})),
    ])
    .await
    .expect("update");
    let got = without_mongo_id(get(&store, o, "ORD-1").await.expect("order"));
    assert_eq!(got["status"], json!("Packed"));
    assert_eq!(got["logistics"], json!({"manifestId": "MAN-260212-1"}));
    assert_eq!(got["qc"], json!({"passed": true}));
    assert_eq!(got["total"], json!(118.5));
    assert_eq!(got["revision"], json!(1));
    assert_eq!(
        got["statusHistory"],
        json!([{"status": "Packed", "timestamp": "2026-02-12T13:15:00.000Z"}])
    );
    assert_eq!(got["salesPhotos"], json!(["a"]));
    assert_eq!(got["notes"], json!(["first"]));
    assert_eq!(got["items"], json!([{"skuCode": "X", "quantity": 2}]));

    update_ord_1(vec![
        UpdateOp::AddToSet("salesPhotos".into(), json!("b")),
        UpdateOp::Pull("notes".into(), json!("first")),
    ])
    .await
    .expect("update");
    let got = get(&store, o, "ORD-1").await.expect("order");
    assert_eq!(got["salesPhotos"], json!(["a", "b"]));
    assert_eq!(got["notes"], json!([]));

    // Update many, and refusals that MongoDB would also give.
    insert(
        &store,
        o,
        &[json!({"id": "ORD-2", "status": "Pending", "total": 1})],
    )
    .await;
    store
        .commit(vec![Write::Update {
            collection: o,
            filter: Filter::Exists("total".into()),
            ops: vec![UpdateOp::Set("flag".into(), json!(true))],
            expect: Expect::Any,
        }])
        .await
        .expect("update many");
    assert_eq!(count(&store, o, Filter::eq("flag", true)).await, 2);
    let bad = update_one(
        &store,
        o,
        "ORD-2",
        vec![UpdateOp::Inc("status".into(), json!(1))],
    )
    .await;
    assert!(bad.is_err(), "$inc on a string must fail");
    let conflict = update_one(
        &store,
        o,
        "ORD-2",
        vec![
            UpdateOp::Set("logistics".into(), json!({})),
            UpdateOp::Set("logistics.x".into(), json!(1)),
        ],
    )
    .await;
    assert!(
        matches!(conflict, Err(StoreError::InvalidQuery(_))),
        "{conflict:?}"
    );
}

/// Batch queries need one batch to satisfy every condition.
pub async fn elem_match_on_batches(store: Arc<dyn Store>) {
    insert(&store, Collection::Products, &products()).await;
    let p = Collection::Products;
    let live = |batch: &str| {
        Filter::elem_match(
            "batches",
            Filter::and([
                Filter::eq("batchNumber", batch),
                Filter::eq("isActive", true),
                Filter::gt("quantity", 0),
            ]),
        )
    };
    assert_eq!(sorted_ids(&store, p, live("B-001")).await, s(&["P2"]));
    assert_eq!(sorted_ids(&store, p, live("B-002")).await, s(&["P1"]));
    // Without ElemMatch the conditions may be met by different batches.
    assert_eq!(
        sorted_ids(
            &store,
            p,
            Filter::and([
                Filter::eq("batches.batchNumber", "B-001"),
                Filter::eq("batches.isActive", true)
            ])
        )
        .await,
        s(&["P1", "P2"])
    );
    let expiring = Filter::elem_match(
        "batches",
        Filter::and([
            Filter::lte("expDate", "2026-03-01"),
            Filter::eq("isActive", true),
        ]),
    );
    assert_eq!(sorted_ids(&store, p, expiring).await, s(&["P2"]));
    assert_eq!(
        sorted_ids(&store, p, Filter::elem_match("batches", Filter::All)).await,
        s(&["P1", "P2"])
    );
    assert_eq!(
        count(
            &store,
            p,
            Filter::Not(Box::new(Filter::elem_match("batches", Filter::All)))
        )
        .await,
        1
    );
}

/// `agingBuckets."0 to 7"` and `">180"` are field names, not syntax.
pub async fn field_names_with_spaces(store: Arc<dyn Store>) {
    insert(&store, Collection::Customers, &customers()).await;
    let c = Collection::Customers;
    assert_eq!(
        sorted_ids(&store, c, Filter::gt("agingBuckets.0 to 7", 0)).await,
        s(&["C1", "C3"])
    );
    assert_eq!(
        ids(
            &store,
            c,
            Query::new(Filter::Exists("agingBuckets.7 to 15".into()))
                .sort_desc("agingBuckets.7 to 15")
        )
        .await,
        s(&["C2", "C1", "C3"])
    );
    update_one(
        &store,
        c,
        "C3",
        vec![
            UpdateOp::Set("agingBuckets.0 to 7".into(), json!(0)),
            UpdateOp::Inc("agingBuckets.>180".into(), json!(10)),
        ],
    )
    .await
    .expect("update");
    let got = get(&store, c, "C3").await.expect("C3");
    assert_eq!(
        got["agingBuckets"],
        json!({"0 to 7": 0, "7 to 15": 0, ">180": 10})
    );
}

/// Canonical timestamps come back as the same text and sort chronologically.
pub async fn timestamps_round_trip_and_sort(store: Arc<dyn Store>) {
    let o = Collection::Orders;
    let stamps = [
        ("ORD-A", "2026-02-12T13:15:00.000Z"),
        ("ORD-B", "2025-12-31T23:59:59.999Z"),
        ("ORD-C", "2026-02-12T13:15:00.001Z"),
        ("ORD-D", "2026-01-05T08:00:00.000Z"),
    ];
    let docs: Vec<Value> = stamps
        .iter()
        .map(|(id, at)| {
            json!({"id": id, "createdAt": at, "statusHistory": [{"status": "Pending", "timestamp": at}],
                   "mfgDate": "2026-02-12"})
        })
        .collect();
    insert(&store, o, &docs).await;
    assert_eq!(
        ids(&store, o, Query::all().sort_asc("createdAt")).await,
        s(&["ORD-B", "ORD-D", "ORD-A", "ORD-C"])
    );
    assert_eq!(
        sorted_ids(
            &store,
            o,
            Filter::and([
                Filter::gte("createdAt", "2026-01-01T00:00:00.000Z"),
                Filter::lt("createdAt", "2026-02-12T13:15:00.001Z"),
            ])
        )
        .await,
        s(&["ORD-A", "ORD-D"])
    );
    assert_eq!(
        sorted_ids(
            &store,
            o,
            Filter::eq("createdAt", "2026-02-12T13:15:00.000Z")
        )
        .await,
        s(&["ORD-A"])
    );
    for d in &docs {
        let id = d["id"].as_str().unwrap_or_default();
        let got = without_mongo_id(get(&store, o, id).await.expect("order"));
        assert_eq!(&got, d);
    }
}

/// A legacy document's `_id` survives reads, replaces and updates unchanged.
pub async fn legacy_object_ids_survive_rewrites(store: Arc<dyn Store>) {
    let w = Collection::Warehouses;
    let legacy = json!({"_id": {"$oid": "65f0a1b2c3d4e5f601234567"}, "name": "Kurla Cold Storage",
                        "location": "Mumbai", "capacityTotal": 50000, "inventory": []});
    insert(&store, w, std::slice::from_ref(&legacy)).await;
    let by_name = Filter::eq("name", "Kurla Cold Storage");
    let read = store
        .find(w, &Query::new(by_name.clone()))
        .await
        .expect("find")
        .remove(0);
    assert_eq!(read, legacy);

    // Read-modify-write of the whole document, the way a handler would do it.
    let mut changed = read.clone();
    changed["capacityUsed"] = json!(120);
    store
        .commit(vec![Write::Replace {
            collection: w,
            filter: by_name.clone(),
            doc: changed.clone(),
            expect: Expect::One,
        }])
        .await
        .expect("replace");
    // A replacement without `_id` keeps the stored one, as MongoDB does.
    let mut without = changed.clone();
    if let Value::Object(m) = &mut without {
        m.remove("_id");
    }
    without["id"] = json!("WH-KURLA");
    store
        .commit(vec![Write::Replace {
            collection: w,
            filter: by_name.clone(),
            doc: without,
            expect: Expect::One,
        }])
        .await
        .expect("replace");
    update_one(
        &store,
        w,
        "WH-KURLA",
        vec![UpdateOp::Inc("capacityUsed".into(), json!(5))],
    )
    .await
    .expect("update");
    let got = get(&store, w, "WH-KURLA").await.expect("by new id");
    assert_eq!(got["_id"], json!({"$oid": "65f0a1b2c3d4e5f601234567"}));
    assert_eq!(got["capacityUsed"], json!(125));
    assert_eq!(
        count(
            &store,
            w,
            Filter::eq("_id", json!({"$oid": "65f0a1b2c3d4e5f601234567"}))
        )
        .await,
        1
    );
    assert_eq!(count(&store, w, Filter::All).await, 1);
}

/// Optimistic concurrency with a revision number: the second writer of the same revision loses.
pub async fn rev_guarded_replace(store: Arc<dyn Store>) {
    let c = Collection::Procurements;
    insert(
        &store,
        c,
        &[json!({"id": "PRC-0001", "status": "Pending", "_rev": 1})],
    )
    .await;
    let guard = |rev: i64| Filter::and([Filter::id("PRC-0001"), Filter::eq("_rev", rev)]);
    store
        .commit(vec![Write::Replace {
            collection: c,
            filter: guard(1),
            doc: json!({"id": "PRC-0001", "status": "Awaiting Head Approval", "_rev": 2}),
            expect: Expect::One,
        }])
        .await
        .expect("first writer");
    let stale = store
        .commit(vec![Write::Replace {
            collection: c,
            filter: guard(1),
            doc: json!({"id": "PRC-0001", "status": "Approved", "_rev": 2}),
            expect: Expect::One,
        }])
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let got = get(&store, c, "PRC-0001").await.expect("procurement");
    assert_eq!(got["status"], json!("Awaiting Head Approval"));
    assert_eq!(got["_rev"], json!(2));
}

/// Guarded deletes and bulk deletes.
pub async fn delete_semantics(store: Arc<dyn Store>) {
    insert(&store, Collection::Customers, &customers()).await;
    let c = Collection::Customers;
    let missing = store
        .commit(vec![Write::Delete {
            collection: c,
            filter: Filter::id("C404"),
            expect: Expect::One,
        }])
        .await;
    assert!(
        matches!(missing, Err(StoreError::Conflict(_))),
        "{missing:?}"
    );
    store
        .commit(vec![Write::Delete {
            collection: c,
            filter: Filter::id("C1"),
            expect: Expect::One,
        }])
        .await
        .expect("delete one");
    store
        .commit(vec![Write::Delete {
            collection: c,
            filter: Filter::eq("status", "Active"),
            expect: Expect::Any,
        }])
        .await
        .expect("delete many");
    assert_eq!(sorted_ids(&store, c, Filter::All).await, s(&["C3"]));
}

/// Fifty concurrent callers get fifty distinct numbers, and the sequence keeps going.
pub async fn next_sequence_is_unique_under_concurrency(store: Arc<dyn Store>) {
    store.ensure_indexes().await.expect("ensure_indexes");
    let taken = concurrently(&store, 50, |store, _| async move {
        store.next_sequence("ORD-").await
    })
    .await;
    let mut got: Vec<u64> = taken
        .into_iter()
        .map(|r| r.expect("next_sequence"))
        .collect();
    got.sort_unstable();
    assert_eq!(got, (1..=50).collect::<Vec<u64>>());
    assert_eq!(store.next_sequence("ORD-").await.expect("seq"), 51);
    assert_eq!(store.next_sequence("ORD-").await.expect("seq"), 52);
    assert_eq!(store.next_sequence("CUST-").await.expect("seq"), 1);
}

/// Blocks taken concurrently with single numbers never overlap, each block is contiguous,
/// and together they use the sequence without gaps; an empty block is refused.
pub async fn next_sequence_blocks_are_contiguous_and_disjoint(store: Arc<dyn Store>) {
    store.ensure_indexes().await.expect("ensure_indexes");
    let taken = concurrently(&store, 20, |store, i| async move {
        if i % 2 == 0 {
            let first = store.next_sequence_block("ORD-", 100).await?;
            Ok::<_, StoreError>((first..first + 100).collect::<Vec<u64>>())
        } else {
            Ok(vec![store.next_sequence("ORD-").await?])
        }
    })
    .await;
    let mut got = Vec::new();
    for block in taken {
        got.extend(block.expect("sequence block"));
    }
    got.sort_unstable();
    assert_eq!(got, (1..=1010).collect::<Vec<u64>>());
    assert_eq!(store.next_sequence("ORD-").await.expect("seq"), 1011);
    assert_eq!(
        store.next_sequence_block("CUST-", 3).await.expect("block"),
        1
    );
    assert_eq!(store.next_sequence("CUST-").await.expect("seq"), 4);
    assert!(matches!(
        store.next_sequence_block("ORD-", 0).await,
        Err(StoreError::InvalidQuery(_))
    ));
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct OrderRow {
    id: String,
    customer_id: String,
    #[serde(default)]
    status: String,
}

impl Document for OrderRow {
    const COLLECTION: Collection = Collection::Orders;
}

/// Sequence ids step over legacy clock-based ids already in the collection (D-R6), and the
/// typed layer round-trips the model.
pub async fn business_ids_skip_legacy_collisions(store: Arc<dyn Store>) {
    store.ensure_indexes().await.expect("ensure_indexes");
    insert(
        &store,
        Collection::Orders,
        &[json!({"id": "ORD-000002", "customerId": "LEGACY", "status": "Delivered"})],
    )
    .await;
    assert_eq!(
        next_business_id(&*store, "STN-").await.expect("id"),
        "STN-000001"
    );
    let mut used = Vec::new();
    for _ in 0..2 {
        let id = commit_with_business_id(&*store, "ORD-", |id| {
            Write::insert(&OrderRow {
                id: id.to_string(),
                customer_id: "C1".into(),
                status: "Pending".into(),
            })
            .map(|w| vec![w])
        })
        .await
        .expect("commit with id");
        used.push(id);
    }
    assert_eq!(used, s(&["ORD-000001", "ORD-000003"]));

    let one: Option<OrderRow> = typed::get_one(&*store, Filter::id("ORD-000003"))
        .await
        .expect("get");
    assert_eq!(
        one,
        Some(OrderRow {
            id: "ORD-000003".into(),
            customer_id: "C1".into(),
            status: "Pending".into()
        })
    );
    let mine: Vec<OrderRow> = typed::find(
        &*store,
        &Query::new(Filter::eq("customerId", "C1")).sort_asc("id"),
    )
    .await
    .expect("find");
    assert_eq!(mine.len(), 2);

    insert(
        &store,
        Collection::Orders,
        &[json!({"id": "ORD-BAD", "customerId": 42})],
    )
    .await;
    let bad: Result<Option<OrderRow>, _> = typed::get_one(&*store, Filter::id("ORD-BAD")).await;
    match bad {
        Err(StoreError::Decode { collection, .. }) => assert_eq!(collection, "orders"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

/// Building the catalogue twice does nothing the second time.
pub async fn ensure_indexes_is_idempotent(store: Arc<dyn Store>) {
    let first = store.ensure_indexes().await.expect("first run");
    assert_eq!(
        first.created.len() + first.existing.len(),
        CATALOGUE.len(),
        "{first:?}"
    );
    assert!(first.conflicts.is_empty(), "{first:?}");
    let second = store.ensure_indexes().await.expect("second run");
    assert!(second.created.is_empty(), "{second:?}");
    assert_eq!(second.existing.len(), CATALOGUE.len());
    assert!(second.conflicts.is_empty(), "{second:?}");
}

/// Fifty concurrent outward movements of 30 from a balance of 1000: exactly 33 go through,
/// each with its transaction document, and the balance ends at 10, never below (D-R2).
pub async fn packaging_balance_never_oversold(store: Arc<dyn Store>) {
    store.ensure_indexes().await.expect("ensure_indexes");
    insert(
        &store,
        Collection::PackagingMaterials,
        &[
            json!({"id": "PKG-001", "name": "Vacuum pouch 200x300", "unit": "PCS", "moq": 100,
                 "balance": 1000, "category": "Vacuum Pouches"}),
        ],
    )
    .await;
    let results = concurrently(&store, 50, |store, i| async move {
        store
            .commit(vec![
                Write::Update {
                    collection: Collection::PackagingMaterials,
                    filter: Filter::and([Filter::id("PKG-001"), Filter::gte("balance", 30)]),
                    ops: vec![
                        UpdateOp::Inc("balance".into(), json!(-30)),
                        UpdateOp::Set("lastMovementDate".into(), json!("2026-02-12T13:15:00.000Z")),
                    ],
                    expect: Expect::One,
                },
                Write::Insert {
                    collection: Collection::PackagingTransactions,
                    doc: json!({"id": format!("PKG-OUT-{i:06}"), "materialId": "PKG-001",
                                        "type": "OUT", "qty": 30, "createdBy": "U1",
                                        "date": "2026-02-12T13:15:00.000Z"}),
                },
            ])
            .await
    })
    .await;
    let (ok, conflicts) = wins_and_conflicts(results);
    assert_eq!((ok, conflicts), (33, 17));
    let m = get(&store, Collection::PackagingMaterials, "PKG-001")
        .await
        .expect("material");
    assert_eq!(m["balance"], json!(10));
    assert_eq!(
        count(&store, Collection::PackagingTransactions, Filter::All).await,
        33
    );
    assert_eq!(
        count(
            &store,
            Collection::PackagingMaterials,
            Filter::lt("balance", 0)
        )
        .await,
        0
    );
}

/// Fifty concurrent approvals of one order: the status guard lets exactly one through (D-R1).
pub async fn one_status_transition_wins(store: Arc<dyn Store>) {
    store.ensure_indexes().await.expect("ensure_indexes");
    insert(
        &store,
        Collection::Orders,
        &[
            json!({"id": "ORD-000777", "customerId": "C1", "status": "Pending Credit Approval",
                 "statusHistory": []}),
        ],
    )
    .await;
    let results = concurrently(&store, 50, |store, i| async move {
        store
            .commit(vec![Write::Update {
                collection: Collection::Orders,
                filter: Filter::and([
                    Filter::id("ORD-000777"),
                    Filter::eq("status", "Pending Credit Approval"),
                ]),
                ops: vec![
                    UpdateOp::Set("status".into(), json!("Pending WH Selection")),
                    UpdateOp::Push(
                        "statusHistory".into(),
                        json!({"status": "Pending WH Selection", "by": format!("U{i}")}),
                    ),
                ],
                expect: Expect::One,
            }])
            .await
    })
    .await;
    let (wins, _) = wins_and_conflicts(results);
    assert_eq!(wins, 1);
    let o = get(&store, Collection::Orders, "ORD-000777")
        .await
        .expect("order");
    assert_eq!(o["status"], json!("Pending WH Selection"));
    assert_eq!(o["statusHistory"].as_array().map(Vec::len), Some(1));
}

/// A query the system runs on every booking or list screen, and the catalogue indexes that
/// answer it without reading the collection.
pub struct HotQuery {
    pub what: &'static str,
    pub collection: Collection,
    pub query: Query,
    /// Any of these is a good plan (the planners weigh them differently, and MongoDB's
    /// choice depends on the data it tries them on).
    pub indexes: &'static [&'static str],
    /// SecantusDB, the suite's stand-in for MongoDB, plans this shape by scanning: its
    /// planner takes an index for bare equalities with at most one other condition after
    /// them, where mongod also weighs an equality prefix with further conditions fetched and
    /// checked (docs/DEPLOYMENT.md). Held strictly on mongod (the `mongo:7` workflow) and
    /// SQLite; on SecantusDB the scan is reported as that known difference.
    pub secantus_scans: bool,
    /// Asked through [`Store::first_each`] with this path and these values.
    pub each: Option<(&'static str, Vec<Value>)>,
    /// Asked through [`Store::find_fields`] for these fields; SQLite must answer from the
    /// index alone (`USING COVERING INDEX`).
    pub fields: Option<&'static [&'static str]>,
}

/// The hot queries, shaped as the API and worker build them.
pub fn hot_queries() -> Vec<HotQuery> {
    use crate::model::OrderStatus;
    use crate::store::status_filter;
    let hot = |what, collection, query, indexes| HotQuery {
        what,
        collection,
        query,
        indexes,
        secantus_scans: false,
        each: None,
        fields: None,
    };
    let mut all = vec![
        hot(
            "an order by id",
            Collection::Orders,
            Query::new(Filter::id("ORD-000001")),
            &["id_1"],
        ),
        hot(
            "the order list, newest first",
            Collection::Orders,
            Query::all().sort_desc("createdAt").limit(50),
            &["createdAt_-1"],
        ),
        hot(
            "the order list by one stored status",
            Collection::Orders,
            Query::new(Filter::eq("status", "Delivered"))
                .sort_desc("createdAt")
                .limit(50),
            &[
                "status_1_createdAt_-1",
                "status_1_customerId_1_id_1_total_1",
                "status_1",
            ],
        ),
        // Several spellings and a missing status read as Pending Credit Approval: ranges of
        // a status index, then a sort of that status's orders.
        hot(
            "the order list by status, as the API asks",
            Collection::Orders,
            Query::new(status_filter([OrderStatus::PendingCreditApproval]))
                .sort_desc("createdAt")
                .limit(50),
            &[
                "status_1_createdAt_-1",
                "status_1_customerId_1_id_1_total_1",
                "status_1",
            ],
        ),
        hot(
            "a customer's orders",
            Collection::Orders,
            Query::new(Filter::eq("customerId", "CUST-001"))
                .sort_desc("createdAt")
                .limit(50),
            &["customerId_1_createdAt_-1", "customerId_1"],
        ),
        hot(
            "a sales team's orders",
            Collection::Orders,
            Query::new(Filter::is_in(
                "salespersonId",
                vec![json!("SALES-001"), json!("SALES-002")],
            ))
            .sort_desc("createdAt")
            .limit(50),
            &["salespersonId_1_createdAt_-1", "salespersonId_1"],
        ),
        // At every booked line, and for every SKU of an import: the customer's newest order
        // holding the SKU, straight from the SKUs inside the orders' lines.
        HotQuery {
            secantus_scans: true,
            each: Some(("items.skuCode", vec![json!("SKU-1"), json!("SKU-404")])),
            ..hot(
                "the last rate",
                Collection::Orders,
                Query::new(Filter::and([
                    Filter::eq("customerId", "CUST-001"),
                    Filter::Not(Box::new(status_filter([OrderStatus::Cancelled]))),
                ]))
                .sort_desc("createdAt"),
                &["customerId_1_items.skuCode_1_createdAt_-1"],
            )
        },
        // The credit check at every booking: by status first, the few open orders rather
        // than the customer's whole history.
        // A bulk import's idempotency: which of the file's orders exist already.
        // SecantusDB takes no index for a field's `$type` beside its `$in`, which a partial
        // index's filter asks the query to state.
        HotQuery {
            secantus_scans: true,
            ..hot(
                "orders by import key (an import's retry check)",
                Collection::Orders,
                Query::new(Filter::is_in(
                    "importKey",
                    vec![json!("JOB-1:CUST-001:"), json!("JOB-1:CUST-002:")],
                ))
                .in_any_order(),
                &["importKey_1"],
            )
        },
        hot(
            "the credit queue",
            Collection::Orders,
            Query::new(Filter::and([
                Filter::eq("creditCheck.passed", false),
                Filter::eq("creditCheck.overrideRequired", false),
            ]))
            .sort_desc("createdAt")
            .limit(50),
            &["creditCheck.passed_1_creditCheck.overrideRequired_1_createdAt_-1"],
        ),
        hot(
            "the override queue",
            Collection::Orders,
            Query::new(Filter::eq("creditCheck.overrideRequired", true))
                .sort_desc("createdAt")
                .limit(50),
            &["creditCheck.overrideRequired_1_createdAt_-1"],
        ),
        hot(
            "a manifest's orders",
            Collection::Orders,
            Query::new(Filter::eq("logistics.manifestId", "MAN-1")),
            &["logistics.manifestId_1"],
        ),
        hot(
            "a login",
            Collection::Users,
            Query::new(Filter::eq("email", "a@b.example")),
            &["email_1"],
        ),
    ];
    // The credit check at every booking, and a bulk import's for every customer in its
    // file: by status first (the few open orders rather than the customers' whole
    // history), one read per arm of the status condition, each summed from the index.
    for (i, arm) in crate::exposure::open_arms().into_iter().enumerate() {
        let (one, many) = if i == 0 {
            (
                "a customer's open orders (credit exposure)",
                "open orders of many customers (an import's credit check)",
            )
        } else {
            (
                "a customer's orders without a status (credit exposure)",
                "many customers' orders without a status (an import's credit check)",
            )
        };
        let customers: Vec<Value> = (0..100).map(|i| json!(format!("CUST-{i:03}"))).collect();
        for (what, customer) in [
            (one, Filter::eq("customerId", "CUST-001")),
            (many, Filter::is_in("customerId", customers)),
        ] {
            all.push(HotQuery {
                secantus_scans: true,
                fields: Some(&crate::exposure::FIELDS),
                ..hot(
                    what,
                    Collection::Orders,
                    Query::new(Filter::and([customer, arm.clone()])).in_any_order(),
                    &["status_1_customerId_1_id_1_total_1"],
                )
            });
        }
    }
    all
}

/// Every hot query is answered from the catalogue's indexes, as the store's own planner
/// says: no step reads the whole collection, whatever its size. The orders are a few hundred
/// over several customers and statuses, so a planner that tries its candidates (MongoDB)
/// chooses on data rather than on an empty collection.
pub async fn hot_queries_use_indexes(store: Arc<dyn Store>) {
    store.ensure_indexes().await.expect("ensure_indexes");
    let statuses = [
        "Delivered",
        "Pending Credit Approval",
        "Cancelled",
        "Packed",
    ];
    let orders: Vec<Write> = (0..400)
        .map(|i| Write::Insert {
            collection: Collection::Orders,
            doc: json!({
                "id": format!("ORD-{i:06}"),
                "customerId": format!("CUST-{:03}", i % 8),
                "salespersonId": format!("SALES-{:03}", i % 5),
                "status": statuses[i % statuses.len()],
                "createdAt": format!("2026-{:02}-{:02}T10:00:00.000Z", 1 + i % 12, 1 + i % 28),
                "total": 100.0,
                "items": [{"skuCode": format!("SKU-{}", i % 7), "price": 10.0, "quantity": 1}],
                "creditCheck": {"passed": i % 3 != 0, "overrideRequired": i % 6 == 0},
                "logistics": {"manifestId": format!("MAN-{}", i % 20)},
            }),
        })
        .collect();
    store.commit(orders).await.expect("orders");
    let users: Vec<Write> = (0..20)
        .map(|i| Write::Insert {
            collection: Collection::Users,
            doc: json!({"id": format!("U{i}"), "email": format!("u{i}@b.example"), "role": "Sales"}),
        })
        .collect();
    store.commit(users).await.expect("users");

    let mut wrong = Vec::new();
    for hot in hot_queries() {
        let plan = match (&hot.each, hot.fields) {
            (Some((path, values)), _) => {
                store
                    .explain_first_each(hot.collection, &hot.query, path, values)
                    .await
            }
            (None, Some(fields)) => {
                store
                    .explain_fields(hot.collection, &hot.query, fields)
                    .await
            }
            (None, None) => store.explain(hot.collection, &hot.query).await,
        };
        let plan = plan.unwrap_or_else(|e| panic!("explain {}: {e}", hot.what));
        if hot.fields.is_some()
            && plan.planner == "sqlite"
            && !plan.detail.contains("USING COVERING INDEX")
        {
            wrong.push(format!(
                "{} should be answered from the index alone:\n{}",
                hot.what, plan.detail
            ));
        }
        let indexed = plan
            .indexes
            .iter()
            .any(|i| hot.indexes.contains(&i.as_str()));
        if plan.planner == "secantus" && hot.secantus_scans && plan.full_scan {
            println!(
                "{}: SecantusDB scans (a known difference of its planner; mongod and SQLite \
                 are held to {:?})",
                hot.what, hot.indexes
            );
            continue;
        }
        if plan.full_scan || !indexed {
            wrong.push(format!(
                "{} should use one of {:?}, {}'s plan uses {:?}{}:\n{}",
                hot.what,
                hot.indexes,
                plan.planner,
                plan.indexes,
                if plan.full_scan {
                    " and scans the collection"
                } else {
                    ""
                },
                plan.detail
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// [`Store::find_fields`] gives, row by row, each field of what [`Store::find`] gives:
/// every JSON type, absent and null fields, a dotted path, whether or not an index covers
/// the read (SQLite reads the credit check's fields from its covering index).
pub async fn find_fields_agrees_with_reads(store: Arc<dyn Store>) {
    use crate::store::fields_of;
    store.ensure_indexes().await.expect("indexes");
    let docs = vec![
        json!({"id": "O1", "customerId": "C1", "status": "Pending Credit Approval", "total": 1250.5,
               "creditCheck": {"passed": true}}),
        json!({"id": "O2", "customerId": "C1", "status": "Approved", "total": "980.25"}),
        json!({"id": "O3", "customerId": "C1", "total": 10}),
        json!({"id": "O4", "customerId": "C1", "status": null, "total": null}),
        json!({"id": "O5", "customerId": "C2", "status": "Delivered", "total": 1.5,
               "creditCheck": {"passed": false, "note": "x"}}),
        json!({"id": "O6", "customerId": "C1", "status": "Pending Credit Approval",
               "total": {"legacy": [1, 2]}, "createdAt": "2026-01-02T00:00:00.000Z"}),
        json!({"id": "O7", "customerId": "C1", "status": "", "total": -3}),
    ];
    store
        .commit(
            docs.into_iter()
                .map(|doc| Write::Insert {
                    collection: Collection::Orders,
                    doc,
                })
                .collect(),
        )
        .await
        .expect("orders");
    let fields = [
        "id",
        "customerId",
        "status",
        "total",
        "creditCheck.passed",
        "nothing.here",
    ];
    let mut queries = vec![
        Query::new(Filter::All).sort_asc("id"),
        Query::new(Filter::eq("customerId", "C1"))
            .sort_desc("id")
            .skip(1)
            .limit(3),
    ];
    for arm in crate::exposure::open_arms() {
        queries.push(Query::new(Filter::and([Filter::eq("customerId", "C1"), arm])).sort_asc("id"));
    }
    for q in queries {
        let want: Vec<Vec<Value>> = store
            .find(Collection::Orders, &q)
            .await
            .expect("find")
            .iter()
            .map(|d| fields_of(d, &fields))
            .collect();
        let got = store
            .find_fields(Collection::Orders, &q, &fields)
            .await
            .expect("find_fields");
        assert_eq!(got, want, "find_fields for {q:?}");
    }
    // The credit check's own read: only its four fields, straight from the index.
    let open = crate::exposure::open_arms();
    let mut ids = Vec::new();
    for arm in open {
        let q = Query::new(Filter::and([Filter::eq("customerId", "C1"), arm])).in_any_order();
        for row in store
            .find_fields(Collection::Orders, &q, &crate::exposure::FIELDS)
            .await
            .expect("exposure fields")
        {
            ids.push(row[0].as_str().unwrap_or_default().to_string());
        }
    }
    ids.sort();
    // A null status reads as missing, the legacy default (Pending Credit Approval).
    assert_eq!(ids, ["O1", "O2", "O3", "O4", "O6", "O7"]);
    // A field inside another asked for is refused alike (MongoDB's projection cannot
    // hold both), as is asking for nothing.
    for bad in [&["creditCheck", "creditCheck.passed"][..], &[]] {
        let q = Query::new(Filter::All);
        assert!(
            matches!(
                store.find_fields(Collection::Orders, &q, bad).await,
                Err(StoreError::InvalidQuery(_))
            ),
            "find_fields {bad:?}"
        );
    }
}

/// [`Store::first_each`] gives, value by value, what one read per value gives, through
/// every shape of lines the old system stored and after every kind of write that touches
/// them (the SQLite adapter answers it from entries its triggers keep).
pub async fn first_each_agrees_with_reads(store: Arc<dyn Store>) {
    use crate::model::OrderStatus;
    use crate::store::{first_each_by_reads, status_filter};
    let orders = Collection::Orders;
    let order = |id: &str, customer: &str, day: u32, items: Value| {
        json!({
            "id": id, "customerId": customer, "status": "Delivered",
            "createdAt": format!("2026-03-{day:02}T10:00:00.000Z"), "items": items,
        })
    };
    let line = |sku: &str, price: f64| json!({"skuCode": sku, "price": price, "quantity": 1});
    let insert = |docs: Vec<Value>| {
        docs.into_iter()
            .map(|doc| Write::Insert {
                collection: orders,
                doc,
            })
            .collect::<Vec<_>>()
    };
    // Half the orders exist before the index does (its entries are filled from them), half
    // arrive after (their entries come from the writes).
    store
        .commit(insert(vec![
            order("O1", "C1", 1, json!([line("A", 1.0), line("B", 1.0)])),
            order("O2", "C1", 2, json!([line("A", 2.0), line("A", 2.5)])),
            order(
                "O3",
                "C1",
                3,
                json!([{"skuCode": ["B", "C"], "price": 3.0}]),
            ),
            order("O4", "C1", 4, json!({"skuCode": "D", "price": 4.0})),
            order("O5", "C1", 5, json!([line("D", 5.0), 7, "A"])),
        ]))
        .await
        .expect("orders before the index");
    store.ensure_indexes().await.expect("ensure_indexes");
    store
        .commit(insert(vec![
            order("O6", "C2", 9, json!([line("A", 6.0)])),
            order(
                "O7",
                "C1",
                7,
                json!([{"skuCode": 12, "price": 1.0}, {"sku": "A"}, {"skuCode": {"code": "A"}}, {"skuCode": [["A"]]}]),
            ),
            json!({"id": "O8", "customerId": "C1", "items": [line("E", 8.0)]}),
            order("O9", "C1", 6, json!([line("A", 10.0)])),
        ]))
        .await
        .expect("orders after the index");
    let values: Vec<Value> = ["A", "B", "C", "D", "E", "Z"].map(Value::from).to_vec();
    let query = Query::new(Filter::and([
        Filter::eq("customerId", "C1"),
        Filter::Not(Box::new(status_filter([OrderStatus::Cancelled]))),
    ]))
    .sort_desc("createdAt");
    let ids = |docs: Vec<Option<String>>| -> Vec<Option<String>> {
        docs.into_iter()
            .map(|d| {
                d.map(|t| {
                    let v: Value = serde_json::from_str(&t).expect("a document");
                    v["id"].as_str().unwrap_or_default().to_string()
                })
            })
            .collect()
    };
    let check = |what: &'static str, expected: [Option<&'static str>; 6]| {
        let store = store.clone();
        let query = query.clone();
        let values = values.clone();
        async move {
            let got = ids(store
                .first_each(orders, &query, "items.skuCode", &values)
                .await
                .expect("first_each"));
            let reads = ids(
                first_each_by_reads(&*store, orders, &query, "items.skuCode", &values)
                    .await
                    .expect("reads"),
            );
            let expected: Vec<Option<String>> =
                expected.iter().map(|e| e.map(str::to_string)).collect();
            assert_eq!(reads, expected, "{what}: one read per value");
            assert_eq!(got, expected, "{what}: first_each");
            let oldest_first = Query::new(query.filter.clone()).sort_asc("createdAt");
            let asc = store
                .first_each(orders, &oldest_first, "items.skuCode", &values)
                .await
                .expect("first_each, oldest first");
            let asc_reads =
                first_each_by_reads(&*store, orders, &oldest_first, "items.skuCode", &values)
                    .await
                    .expect("reads, oldest first");
            assert_eq!(ids(asc), ids(asc_reads), "{what}: oldest first");
        }
    };
    // A: O9 newest (O5's bare "A", O7's `sku`, object and nested list are no SKU codes). B and C: the array
    // field of O3. D: O5 over O4, whose `items` is one object. E: O8 has no date (it
    // sorts last, but it is the only one).
    check(
        "as inserted",
        [
            Some("O9"),
            Some("O3"),
            Some("O3"),
            Some("O5"),
            Some("O8"),
            None,
        ],
    )
    .await;

    // A status change hides the newest holder; the next one answers.
    let set = |id: &str, ops: Vec<UpdateOp>| Write::Update {
        collection: orders,
        filter: Filter::id(id),
        ops,
        expect: Expect::One,
    };
    store
        .commit(vec![set(
            "O9",
            vec![UpdateOp::Set("status".into(), json!("Cancelled"))],
        )])
        .await
        .expect("cancel");
    check(
        "newest cancelled",
        [
            Some("O2"),
            Some("O3"),
            Some("O3"),
            Some("O5"),
            Some("O8"),
            None,
        ],
    )
    .await;

    // Lines changed: O3 no longer holds B or C; O2 moves to another customer.
    store
        .commit(vec![
            set(
                "O3",
                vec![UpdateOp::Set("items".into(), json!([line("Z", 3.0)]))],
            ),
            set("O2", vec![UpdateOp::Set("customerId".into(), json!("C2"))]),
        ])
        .await
        .expect("lines changed");
    check(
        "lines and customer changed",
        [
            Some("O1"),
            Some("O1"),
            None,
            Some("O5"),
            Some("O8"),
            Some("O3"),
        ],
    )
    .await;

    // A newer date, a replaced document and a deleted one.
    store
        .commit(vec![
            set(
                "O1",
                vec![UpdateOp::Set(
                    "createdAt".into(),
                    json!("2026-01-01T00:00:00.000Z"),
                )],
            ),
            Write::Replace {
                collection: orders,
                filter: Filter::id("O4"),
                doc: order("O4", "C1", 20, json!([line("A", 40.0), line("C", 40.0)])),
                expect: Expect::One,
            },
            Write::Delete {
                collection: orders,
                filter: Filter::id("O8"),
                expect: Expect::One,
            },
        ])
        .await
        .expect("rewrites");
    check(
        "rewritten",
        [
            Some("O4"),
            Some("O1"),
            Some("O4"),
            Some("O5"),
            None,
            Some("O3"),
        ],
    )
    .await;

    // Another order, and ensure_indexes again (nothing to rebuild).
    let fresh = |id: &str| Write::Insert {
        collection: orders,
        doc: order(id, "C1", 25, json!([line("E", 1.0)])),
    };
    store.commit(vec![fresh("O10")]).await.expect("one more");
    assert!(
        store
            .ensure_indexes()
            .await
            .expect("ensure_indexes again")
            .created
            .is_empty()
    );
    check(
        "after a second ensure_indexes",
        [
            Some("O4"),
            Some("O1"),
            Some("O4"),
            Some("O5"),
            Some("O10"),
            Some("O3"),
        ],
    )
    .await;
}
