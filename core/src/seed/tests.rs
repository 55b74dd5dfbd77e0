//! The demo data's figures and the seeder's idempotency, against a small in-memory store
//! (the SQLite and MongoDB adapters are exercised by the `nexus-admin` binary tests).

use super::*;
use crate::auth::Role;
use crate::model::{OrderStatus, PerformanceRecord, Product};
use crate::store::{Backend, IndexReport, Query, QueryPlan, StoreResult};
use crate::types::{DateOnly, Money};
use async_trait::async_trait;
use rust_decimal_macros::dec;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Just enough of a store for the seeder: key lookups, inserts with a unique key, updates
/// by key.
#[derive(Default)]
struct MemStore {
    docs: Mutex<BTreeMap<Collection, Vec<Value>>>,
}

fn matches(doc: &Value, f: &Filter) -> bool {
    match f {
        Filter::All => true,
        Filter::Eq(path, v) => doc.pointer(&format!("/{}", path.replace('.', "/"))) == Some(v),
        Filter::And(fs) => fs.iter().all(|f| matches(doc, f)),
        other => panic!("MemStore does not support {other:?}"),
    }
}

fn key_of(c: Collection, doc: &Value) -> Vec<Value> {
    c.key_fields()
        .iter()
        .map(|k| doc.get(*k).cloned().unwrap_or(Value::Null))
        .collect()
}

#[async_trait]
impl Store for MemStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }
    async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }
    async fn find(&self, c: Collection, q: &Query) -> StoreResult<Vec<Value>> {
        let docs = self.docs.lock().unwrap();
        Ok(docs
            .get(&c)
            .map(|v| {
                v.iter()
                    .filter(|d| matches(d, &q.filter))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }
    async fn find_text(&self, c: Collection, q: &Query) -> StoreResult<Vec<String>> {
        Ok(self
            .find(c, q)
            .await?
            .iter()
            .map(Value::to_string)
            .collect())
    }
    async fn count(&self, c: Collection, f: &Filter) -> StoreResult<u64> {
        Ok(self.find(c, &Query::new(f.clone())).await?.len() as u64)
    }
    async fn count_up_to(&self, c: Collection, f: &Filter, cap: u64) -> StoreResult<u64> {
        Ok(self.count(c, f).await?.min(cap))
    }
    async fn commit(&self, writes: Vec<Write>) -> StoreResult<()> {
        let mut docs = self.docs.lock().unwrap();
        let mut staged = docs.clone();
        for w in writes {
            match w {
                Write::Insert { collection, doc } => {
                    let list = staged.entry(collection).or_default();
                    let key = key_of(collection, &doc);
                    if key.iter().any(|k| !k.is_null())
                        && list.iter().any(|d| key_of(collection, d) == key)
                    {
                        return Err(StoreError::DuplicateKey {
                            collection: collection.name().into(),
                            index: "id".into(),
                        });
                    }
                    list.push(doc);
                }
                Write::Update {
                    collection,
                    filter,
                    ops,
                    ..
                } => {
                    let list = staged.entry(collection).or_default();
                    for d in list.iter_mut().filter(|d| matches(d, &filter)) {
                        for op in &ops {
                            if let crate::store::UpdateOp::Set(k, v) = op {
                                d[k.as_str()] = v.clone();
                            }
                        }
                    }
                }
                other => panic!("MemStore does not support {other:?}"),
            }
        }
        *docs = staged;
        Ok(())
    }
    async fn ensure_indexes(&self) -> StoreResult<IndexReport> {
        Ok(IndexReport::default())
    }
    async fn next_sequence(&self, _name: &str) -> StoreResult<u64> {
        Ok(1)
    }
    async fn next_sequence_block(&self, _name: &str, _n: u64) -> StoreResult<u64> {
        Ok(1)
    }
    async fn explain(&self, _c: Collection, _q: &Query) -> StoreResult<QueryPlan> {
        Ok(QueryPlan {
            full_scan: true,
            detail: "MemStore reads every document".into(),
            planner: "memory".into(),
            ..QueryPlan::default()
        })
    }
}

fn now() -> Timestamp {
    Timestamp::parse("2026-11-24T10:00:00Z").unwrap()
}

fn opts() -> SeedOptions {
    SeedOptions {
        bcrypt_cost: 4,
        now: now(),
    }
}

#[test]
fn every_role_has_a_user_and_the_sales_line_reaches_the_nsm() {
    let d = demo_dataset(now());
    for role in Role::ALL {
        assert!(
            d.users.iter().any(|u| u.user.role == role),
            "no demo user for {role}"
        );
    }
    let manager = |id: &str| {
        d.users
            .iter()
            .find(|u| u.user.id == id)
            .and_then(|u| u.user.manager_id.clone())
    };
    assert_eq!(manager("SALES-001").as_deref(), Some("ASM-001"));
    assert_eq!(manager("ASM-001").as_deref(), Some("RSM-001"));
    assert_eq!(manager("RSM-001").as_deref(), Some("NSM-001"));
    assert_eq!(manager("NSM-001"), None);
    let admin = &d.users.iter().find(|u| u.user.id == "USER-001").unwrap();
    assert_eq!(admin.user.role, Role::Admin);
    assert_eq!(admin.user.email.as_deref(), Some("admin@nexusoms.com"));
    assert_eq!(admin.password, "admin123");
    let amit = d.users.iter().find(|u| u.user.id == "CREDIT-001").unwrap();
    assert_eq!(
        (amit.user.name.as_str(), amit.password, amit.user.role),
        ("Amit Patel", "credit123", Role::CreditControl)
    );
    assert!(d.users.iter().all(|u| u.user.must_change_password));
    // Every published demo password is a known default: refused as a new password and
    // reported at start-up until changed.
    assert!(
        d.users
            .iter()
            .all(|u| crate::auth::is_default_password(u.password)),
        "demo passwords are known defaults"
    );
    let ids: std::collections::HashSet<_> = d.users.iter().map(|u| &u.user.id).collect();
    assert_eq!(ids.len(), d.users.len());
}

#[test]
fn customers_write_both_alias_pairs() {
    let d = demo_dataset(now());
    let c = serde_json::to_value(&d.customers[0]).unwrap();
    assert_eq!(c["id"], "CUST-001");
    assert_eq!(c["name"], "ABC Traders");
    for (k, v) in [
        ("outstanding", 15000),
        ("osBalance", 15000),
        ("overdue", 5000),
        ("odAmt", 5000),
        ("ageingDays", 45),
        ("creditLimit", 50000),
        ("limit", 50000),
    ] {
        assert_eq!(c[k], v, "{k}");
    }
    let buckets: Money = d.customers[0].aging_buckets.total();
    assert_eq!(buckets, Money::from_rupees(5000));
    for c in &d.customers {
        assert!(c.region.is_some(), "{} has a state", c.id);
        assert_eq!(c.aging_buckets.total(), c.effective_overdue(), "{}", c.id);
    }
}

#[test]
fn products_keep_the_legacy_batches_and_stock_is_the_active_sum() {
    let d = demo_dataset(now());
    let rice: &Product = &d.products[0];
    let v = serde_json::to_value(rice).unwrap();
    assert_eq!(
        (v["id"].as_str(), v["skuCode"].as_str()),
        (Some("PROD-001"), Some("SKU-001"))
    );
    assert_eq!(
        (v["baseRate"].as_i64(), v["mrp"].as_i64()),
        (Some(450), Some(500))
    );
    assert_eq!(v["gst"], 5);
    assert_eq!(v["batches"][0]["batchId"], "B001");
    assert_eq!(v["batches"][0]["batchNumber"], "BATCH-001");
    assert_eq!(v["batches"][0]["mfgDate"], "2025-12-01");
    assert_eq!(v["batches"][0]["expDate"], "2026-06-01");
    assert_eq!(v["batches"][0]["quantity"], 100);
    assert_eq!(v["batches"][1]["expDate"], "2026-07-01");
    assert_eq!(v["stock"], 150);
    for p in &d.products {
        let active: rust_decimal::Decimal = p
            .batches
            .iter()
            .filter(|b| b.is_active)
            .map(|b| b.quantity.value())
            .sum();
        assert_eq!(p.stock.value(), active, "{}", p.id);
    }
    let today = now().date();
    let horizon = DateOnly::new(today + chrono::Duration::days(90));
    let soon = d
        .products
        .iter()
        .flat_map(|p| &p.batches)
        .filter(|b| b.is_active)
        .filter(|b| {
            b.exp_date
                .is_some_and(|e| e >= DateOnly::new(today) && e <= horizon)
        })
        .count();
    assert!(soon >= 2, "batches expiring within 90 days: {soon}");
}

#[test]
fn pms_records_are_scored() {
    let d = demo_dataset(now());
    let rec = |id: &str| -> &PerformanceRecord {
        d.performance.iter().find(|r| r.user_id == id).unwrap()
    };
    let r = rec("SALES-001");
    assert_eq!(r.month.to_string(), "Feb'26");
    assert_eq!(
        r.kras.iter().map(|k| k.final_score).collect::<Vec<_>>(),
        vec![dec!(48), dec!(27), dec!(24)]
    );
    assert_eq!(r.total_score, dec!(99));
    assert_eq!(r.incentive_percentage, dec!(15));
    assert_eq!(r.incentive_amount, Money::from_rupees(7500));
    assert_eq!(r.od_balances.total(), Money::from_rupees(600_000));
    let a = rec("USER-001");
    assert_eq!(a.total_score, dec!(95.1));
    assert_eq!(a.incentive_percentage, dec!(10));
    assert_eq!(a.incentive_amount, Money::from_rupees(15_000));
}

#[test]
fn orders_are_priced_per_line_and_histories_follow_the_lifecycle() {
    let d = demo_dataset(now());
    let o1 = d.orders.iter().find(|o| o.id == "ORD-001").unwrap();
    assert_eq!(o1.customer_id, "CUST-001");
    assert_eq!(o1.status, OrderStatus::PendingCreditApproval);
    // 10 × 450 at 5 % + 12 × 110 at 12 %.
    assert_eq!(o1.sub_total.amount(), dec!(5820));
    assert_eq!(o1.gst_amount.amount(), dec!(383.40));
    assert_eq!(o1.total.amount(), dec!(6203.40));
    assert_eq!((o1.cgst + o1.sgst).amount(), dec!(383.40));
    let statuses: Vec<OrderStatus> = d.orders.iter().map(|o| o.status).collect();
    for s in [
        OrderStatus::PendingCreditApproval,
        OrderStatus::PendingWhSelection,
        OrderStatus::PendingPacking,
        OrderStatus::InTransit,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
    ] {
        assert!(statuses.contains(&s), "no demo order in {s}");
    }
    for o in &d.orders {
        assert!(matches!(
            o.salesperson_id.as_deref(),
            Some("SALES-001" | "SALES-002")
        ));
        let h = &o.status_history;
        assert_eq!(h[0].status, "Pending Credit Approval", "{}", o.id);
        assert_eq!(h.last().unwrap().status, o.status.as_str(), "{}", o.id);
        for w in h.windows(2) {
            assert_eq!(w[1].from.as_deref(), Some(w[0].status.as_str()), "{}", o.id);
            assert!(w[1].timestamp > w[0].timestamp, "{}", o.id);
        }
        let lines: Money = o.items.iter().filter_map(|i| i.total).sum();
        assert_eq!(lines, o.sub_total, "{}", o.id);
        assert_eq!(o.sub_total + o.gst_amount, o.total, "{}", o.id);
        assert_eq!(o.cgst + o.sgst + o.igst, o.gst_amount, "{}", o.id);
    }
    let transit = d
        .orders
        .iter()
        .find(|o| o.status == OrderStatus::InTransit)
        .unwrap();
    let l = transit.logistics.as_ref().unwrap();
    assert!(l.manifest_id.is_some() && l.vehicle_no.is_some());
    assert_eq!(l.eway_bill.as_ref().unwrap().len(), 12);
    assert_eq!(l.delivery_agent_id.as_deref(), Some("DRV-001"));
}

#[test]
fn the_ledger_adds_up_to_every_batch() {
    let d = demo_dataset(now());
    for p in &d.products {
        for b in &p.batches {
            let net: rust_decimal::Decimal = d
                .ledger
                .iter()
                .filter(|e| {
                    e.product_id == p.sku() && e.batch_number.as_deref() == Some(&b.batch_number)
                })
                .filter_map(|e| e.signed_qty)
                .sum();
            assert_eq!(net, b.quantity.value(), "{} {}", p.id, b.batch_number);
        }
    }
    let w: Vec<_> = d
        .warehouses
        .iter()
        .map(|w| (w.id.as_str(), w.aliases[0].as_str()))
        .collect();
    assert!(w.contains(&("WH-KURLA", "W1")) && w.contains(&("WH-DELHI", "W3")));
}

#[tokio::test]
async fn a_second_run_creates_nothing() {
    let store = MemStore::default();
    let first = seed_demo(&store, &opts()).await.unwrap();
    let n = demo_dataset(now()).len();
    assert_eq!(first.created(), n);
    assert_eq!(first.skipped(), 0);
    assert_eq!(first.created_in(Collection::Users), 20);
    let audits = store
        .find(Collection::AuditLogs, &Query::all())
        .await
        .unwrap();
    assert_eq!(audits.len(), n);
    assert!(
        audits
            .iter()
            .all(|a| a["newData"].get("password").is_none())
    );

    let second = seed_demo(&store, &opts()).await.unwrap();
    assert_eq!(second.created(), 0);
    assert_eq!(second.skipped(), n);
    assert!(second.items[0].to_string().ends_with("(already exists)"));
    assert_eq!(
        store
            .find(Collection::AuditLogs, &Query::all())
            .await
            .unwrap()
            .len(),
        n
    );
}

#[tokio::test]
async fn seeded_passwords_are_hashed_and_flagged_until_changed() {
    let store = MemStore::default();
    seed_demo(&store, &opts()).await.unwrap();
    let users = store.find(Collection::Users, &Query::all()).await.unwrap();
    let admin = users.iter().find(|u| u["id"] == "USER-001").unwrap();
    let hash = admin["password"].as_str().unwrap();
    assert!(crate::auth::is_bcrypt_hash(hash));
    assert!(bcrypt::verify("admin123", hash).unwrap());
    assert_eq!(admin["mustChangePassword"], true);

    let flagged = default_password_users(&store).await.unwrap();
    assert_eq!(flagged.len(), 20);

    let new_hash = bcrypt::hash("a-real-passphrase", 4).unwrap();
    store
        .commit(vec![Write::Update {
            collection: Collection::Users,
            filter: Filter::id("USER-001"),
            ops: vec![crate::store::UpdateOp::Set(
                "password".into(),
                Value::from(new_hash),
            )],
            expect: crate::store::Expect::One,
        }])
        .await
        .unwrap();
    let flagged = default_password_users(&store).await.unwrap();
    assert_eq!(flagged.len(), 19);
    assert!(!flagged.contains(&"USER-001".to_string()));
}

#[tokio::test]
async fn plaintext_demo_passwords_of_other_users_are_flagged() {
    let store = MemStore::default();
    store
        .commit(vec![
            Write::Insert {
                collection: Collection::Users,
                doc: serde_json::json!({"id": "legacy@x.in", "name": "L", "role": "Sales", "password": "sales123"}),
            },
            Write::Insert {
                collection: Collection::Users,
                doc: serde_json::json!({"id": "other@x.in", "name": "O", "role": "Sales", "password": "S3cure!pass"}),
            },
        ])
        .await
        .unwrap();
    assert_eq!(
        default_password_users(&store).await.unwrap(),
        vec!["legacy@x.in".to_string()]
    );
}

/// ORD-001 waits for credit control with the check a booking records: CUST-001 is within its
/// ₹50,000 limit with ORD-003 open beside it, but ₹5,000 is overdue, so a person decides.
#[test]
fn the_order_waiting_for_credit_control_carries_its_credit_check() {
    let d = demo_dataset(now());
    let o = d.orders.iter().find(|o| o.id == "ORD-001").unwrap();
    let c = o.credit_check.as_ref().unwrap();
    assert_eq!(c.flags, vec![crate::model::order::CreditFlag::Overdue]);
    assert!(!c.passed && !c.override_required);
    let ord3 = d.orders.iter().find(|o| o.id == "ORD-003").unwrap();
    assert_eq!(c.open_orders, ord3.total);
    assert!(
        d.orders
            .iter()
            .filter(|o| o.credit_check.is_some())
            .all(|o| o.status == OrderStatus::PendingCreditApproval)
    );
}
