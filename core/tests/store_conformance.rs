//! Runs the store conformance suite (`nexus_core::store::conformance`) against every adapter:
//! SQLite on a fresh temporary file per check; MongoDB on a fresh random database per check
//! (dropped afterwards) of a real replica set when `NEXUS_TEST_MONGODB_URI` names one, else
//! of the SecantusDB server this test binary starts (`nexus_tests::mongo`).
//!
//! `cargo test -p nexus-core --features conformance --test store_conformance`

use futures::FutureExt;
use nexus_core::store::conformance;
use nexus_core::store::{SqliteStore, Store};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

async fn with_sqlite<F, Fut>(check: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("nexus.db"))
        .await
        .expect("open sqlite");
    check(Arc::new(store.clone())).await;
    store.close().await;
}

#[cfg(feature = "mongo")]
async fn with_mongo<F, Fut>(name: &str, check: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let _ = name;
    // A real mongod when NEXUS_TEST_MONGODB_URI is set, else the test binary's own
    // SecantusDB (scripts/test.sh installs it); never skipped.
    let uri = nexus_tests::mongo::shared_uri();
    let db = format!(
        "nexus_conformance_{}",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    let store = nexus_core::store::MongoStore::connect(&uri, &db)
        .await
        .expect("connect to MongoDB");
    let outcome = AssertUnwindSafe(check(Arc::new(store.clone())))
        .catch_unwind()
        .await;
    if let Err(e) = store.drop_database().await {
        eprintln!("could not drop {db}: {e}");
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[cfg(not(feature = "mongo"))]
async fn with_mongo<F, Fut>(name: &str, _check: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    println!("{name}: skipped: built without the `mongo` feature");
}

macro_rules! conformance_tests {
    ($($check:ident),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $check() {
                    with_sqlite(conformance::$check).await;
                }
            )*
        }
        mod mongo {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $check() {
                    with_mongo(stringify!($check), conformance::$check).await;
                }
            )*
        }

        /// The macro list and the suite's own list stay the same.
        #[test]
        fn every_check_is_run() {
            let mut listed = vec![$(stringify!($check)),*];
            let mut suite: Vec<&str> = conformance::CHECKS.iter().map(|(n, _)| *n).collect();
            listed.sort_unstable();
            suite.sort_unstable();
            assert_eq!(listed, suite);
        }
    };
}

conformance_tests!(
    insert_get_and_every_filter,
    filters_agree_with_reference,
    sort_skip_limit_and_count,
    unique_indexes_name_the_index,
    upsert_by_key_fields,
    failed_guard_rolls_back_whole_commit,
    update_operator_semantics,
    elem_match_on_batches,
    field_names_with_spaces,
    timestamps_round_trip_and_sort,
    legacy_object_ids_survive_rewrites,
    rev_guarded_replace,
    delete_semantics,
    next_sequence_is_unique_under_concurrency,
    next_sequence_blocks_are_contiguous_and_disjoint,
    business_ids_skip_legacy_collisions,
    ensure_indexes_is_idempotent,
    packaging_balance_never_oversold,
    one_status_transition_wins,
    first_each_agrees_with_reads,
    find_fields_agrees_with_reads,
    hot_queries_use_indexes,
);

/// The whole suite through `run_all`, as another adapter's harness would call it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn run_all_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let counter = std::sync::atomic::AtomicUsize::new(0);
    conformance::run_all(|| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path = dir.path().join(format!("run-{n}.db"));
        async move {
            let store: Arc<dyn Store> = Arc::new(SqliteStore::open(path).await.expect("open"));
            store
        }
    })
    .await;
}
