//! The operator console (`nexus-tui`) offers exactly the lifecycle steps the server accepts,
//! and each step it offers, filled in through its own form, is accepted by the endpoint.
//!
//! The console no longer keeps a table of who may do what from which status: it offers the
//! `availableSteps` the server lists on each order (issue #17). These tests hold it to that
//! from the outside:
//! * every `OrderStatus` × every seeded user, as the order's salesperson and not, as its
//!   delivery agent and not: the order as the real API returns it to that user (detail and
//!   list) is read by the console's own parser and offered-steps function, and the step codes
//!   must equal the actions `lifecycle::transition` accepts for that status and actor, plus
//!   the admin bypass where a bypass to some status is accepted. A step the console adds or
//!   drops, or a server step it has no form for, fails;
//! * walks through the whole lifecycle where every step is taken as the console takes it:
//!   chosen from the offered list, its form built from the loaded order, the body sent to
//!   the server's method and path. A form field the endpoint does not take fails (the
//!   request structs refuse unknown fields).

mod support;

use nexus_core::auth::ActorContext;
use nexus_core::model::{Order, OrderStatus};
use nexus_core::rules::allocation::ShortagePolicy;
use nexus_core::rules::lifecycle::{Action, OrderContext, holds_allocation, transition};
use nexus_core::seed::demo_dataset;
use nexus_core::store::{TypedStore, Write};
use nexus_core::types::Timestamp;
use nexus_core::wire::Stage;
use nexus_tui::dto::{OrderDetail, OrderRow};
use nexus_tui::steps::{self, StepForm};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use support::{TestApp, spawn_app_with};

/// Thousands of reads from one address: lift the per-address limit for this run.
async fn app() -> TestApp {
    spawn_app_with(&[("RATE_LIMIT_MAX_REQUESTS", "1000000")]).await
}

/// Every action a user can ask for, with inputs that pass the rules' own checks (reasons
/// given), both outcomes of the steps whose outcome depends on the input.
fn candidates() -> Vec<Action> {
    let r = || "a reason".to_string();
    vec![
        Action::CreditApprove { reason: None },
        Action::CreditHold { reason: r() },
        Action::CreditReject { reason: r() },
        Action::ReleaseHold,
        Action::Cancel { reason: r() },
        Action::EditItems,
        Action::AssignWarehouse {
            shortage: ShortagePolicy::RefuseOnShortage,
        },
        Action::AssignWarehouse {
            shortage: ShortagePolicy::AllowPartial,
        },
        Action::Pack { complete: true },
        Action::Pack { complete: false },
        Action::SendBackToWarehouseSelection,
        Action::QcPass,
        Action::QcFail { remarks: r() },
        Action::LogisticsCost {
            high_cost_alert: false,
        },
        Action::LogisticsCost {
            high_cost_alert: true,
        },
        Action::AdminReviewApprove,
        Action::AdminReviewReject { reason: r() },
        Action::Invoice,
        Action::Dispatch,
        Action::OutForDelivery,
        Action::Deliver,
        Action::PartAccept,
        Action::ReturnToWarehouse,
        Action::ReopenBackorder,
    ]
}

/// The step codes the rules accept for `actor` on `order` now: each candidate through
/// `transition`, and the admin bypass when a bypass to some other status is accepted.
fn accepted(order: &Order, actor: &ActorContext) -> BTreeSet<String> {
    let ctx = OrderContext::of(order);
    let mut codes: BTreeSet<String> = candidates()
        .iter()
        .filter(|a| transition(&ctx, a, actor).is_ok())
        .map(|a| a.code().to_string())
        .collect();
    let bypass = OrderStatus::ALL.into_iter().any(|to| {
        let a = Action::AdminBypass {
            to,
            reason: "a reason".into(),
        };
        transition(&ctx, &a, actor).is_ok()
    });
    if bypass {
        codes.insert("admin_bypass".into());
    }
    codes
}

/// An order in `status` booked by `salesperson`, out with `agent`, with one allocated line.
fn order_in(id: &str, status: OrderStatus, salesperson: &str, agent: &str) -> Order {
    let mut o = Order::new(id, "CUST-001");
    o.customer_name = Some("ABC Traders".into());
    o.status = status;
    o.salesperson_id = Some(salesperson.into());
    o.items = vec![
        serde_json::from_value(json!({
            "productId": "PROD-001", "productName": "Premium Basmati Rice 5kg",
            "quantity": 2, "price": 450, "gstRate": 5, "total": 900,
            "allocatedBatches": [{"batchNumber": "BATCH-001", "qty": 2, "warehouseId": "WH-KURLA"}]
        }))
        .unwrap(),
    ];
    o.logistics = Some(serde_json::from_value(json!({ "deliveryAgentId": agent })).unwrap());
    o.stock_reserved = holds_allocation(status);
    o.source_warehouse = holds_allocation(status).then(|| "WH-KURLA".to_string());
    o
}

/// The console's step codes for an order, read from the server's JSON with the console's own
/// parser and offered through its own function, in the server's order. Every code must have
/// the console's form (a missing one would still be offered, labelled with its code).
fn console_codes(row: &OrderRow, who: &str) -> Vec<String> {
    let steps = row
        .steps
        .as_deref()
        .unwrap_or_else(|| panic!("{who}: the server sent no availableSteps"));
    steps::offered(steps)
        .into_iter()
        .map(|o| {
            assert!(
                o.ui.is_some(),
                "{who}: the console has no form for the server's step `{}`",
                o.step.step
            );
            assert_eq!(o.step.path, o.step.path.trim(), "{who}");
            o.step.step
        })
        .collect()
}

#[tokio::test]
async fn for_every_status_and_user_the_console_offers_exactly_what_the_rules_accept() {
    let app = app().await;
    let users: Vec<(String, ActorContext)> = demo_dataset(Timestamp::now())
        .users
        .iter()
        .map(|u| (u.user.id.clone(), ActorContext::from_user(&u.user)))
        .collect();

    // Per status: one order of SALES-001 out with DRV-001, one of SALES-002 out with an agent
    // who is nobody here, and one per user booked by that user (the owner's case).
    let mut orders: Vec<Order> = Vec::new();
    for (i, status) in OrderStatus::ALL.into_iter().enumerate() {
        orders.push(order_in(
            &format!("CS-{i:02}-A"),
            status,
            "SALES-001",
            "DRV-001",
        ));
        orders.push(order_in(
            &format!("CS-{i:02}-B"),
            status,
            "SALES-002",
            "DRV-999",
        ));
        for (uid, _) in &users {
            orders.push(order_in(
                &format!("CS-{i:02}-{uid}"),
                status,
                uid,
                "DRV-001",
            ));
        }
    }
    let writes: Vec<Write> = orders.iter().map(|o| Write::insert(o).unwrap()).collect();
    app.store.commit(writes).await.unwrap();
    let by_id: BTreeMap<&str, &Order> = orders.iter().map(|o| (o.id.as_str(), o)).collect();

    let mut checked = 0usize;
    let mut with_steps = 0usize;
    let mut hidden = 0usize;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (uid, actor) in &users {
        // The list as the console loads it (one page holds every order here).
        let r = app.get(uid, "/api/orders?limit=500").await;
        let listed: BTreeMap<String, OrderRow> = if r.status == StatusCode::OK {
            OrderRow::list_from_json(&r.body)
                .into_iter()
                .map(|row| (row.id.clone(), row))
                .collect()
        } else {
            // A role that may see no order at all.
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{uid}: {}", r.body);
            BTreeMap::new()
        };
        for (i, _) in OrderStatus::ALL.iter().enumerate() {
            for id in [
                format!("CS-{i:02}-A"),
                format!("CS-{i:02}-B"),
                format!("CS-{i:02}-{uid}"),
            ] {
                let order = by_id[id.as_str()];
                let who = format!("{uid} on {id} ({})", order.status);
                let r = app.get(uid, &format!("/api/orders/{id}")).await;
                if r.status != StatusCode::OK {
                    // Out of the user's scope: the server refuses every step on it (404
                    // before any rule) and the console never has it to offer anything.
                    assert!(
                        matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                        "{who}: {} {}",
                        r.status,
                        r.body
                    );
                    assert!(!listed.contains_key(&id), "{who}: listed but not readable");
                    hidden += 1;
                    continue;
                }
                let detail = OrderDetail::from_json(&r.body)
                    .unwrap_or_else(|| panic!("{who}: the console cannot read {}", r.body));
                assert_eq!(detail.row.status.known, Some(order.status), "{who}");
                let offered = console_codes(&detail.row, &who);
                let unique: BTreeSet<String> = offered.iter().cloned().collect();
                assert_eq!(unique.len(), offered.len(), "{who}: {offered:?}");
                let expected = accepted(order, actor);
                assert_eq!(
                    unique, expected,
                    "{who}: the console offers {offered:?}, the rules accept {expected:?}"
                );
                // The list carries the same steps for the same order.
                let row = listed
                    .get(&id)
                    .unwrap_or_else(|| panic!("{who}: readable but not listed"));
                assert_eq!(console_codes(row, &who), offered, "{who}: list vs detail");
                checked += 1;
                with_steps += usize::from(!offered.is_empty());
                seen.extend(offered);
            }
        }
    }
    // Not vacuous: most combinations are visible, many offer steps, and every step the
    // console has a form for was offered somewhere (so each form is reachable).
    assert!(
        checked >= 400,
        "{checked} combinations checked, {hidden} hidden"
    );
    assert!(with_steps >= 100, "{with_steps} combinations with steps");
    let forms: BTreeSet<String> = steps::UI.iter().map(|u| u.code.to_string()).collect();
    assert_eq!(seen, forms, "codes offered vs codes with a form");
}

/// A user's view of an order, through the console's parser.
async fn read(app: &TestApp, user: &str, id: &str) -> OrderDetail {
    let r = app.get(user, &format!("/api/orders/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{user} reads {id}: {}", r.body);
    OrderDetail::from_json(&r.body).expect("the console reads the order")
}

/// Takes `code` on `id` as `user` does in the console: picks it from the offered steps,
/// builds its form from the loaded order, fills `fill` (field name → typed text), and sends
/// the body to the server's method and path. Returns the answer's body after checking the
/// step was accepted and led where the server said it would.
async fn take(app: &TestApp, user: &str, id: &str, code: &str, fill: &[(&str, &str)]) -> Value {
    let detail = read(app, user, id).await;
    let offers = steps::offered(detail.row.steps.as_deref().unwrap_or_default());
    let offer = offers
        .iter()
        .find(|o| o.step.step == code)
        .unwrap_or_else(|| {
            let codes: Vec<&str> = offers.iter().map(|o| o.step.step.as_str()).collect();
            panic!(
                "{user} is not offered {code} on {id} ({}): {codes:?}",
                detail.row.status
            )
        })
        .clone();
    let mut form = StepForm::for_order(Some(&detail), id, offer.clone())
        .unwrap_or_else(|e| panic!("{code} on {id}: {e}"));
    for (name, text) in fill {
        let i = offer
            .fields()
            .iter()
            .position(|f| f.name == *name)
            .unwrap_or_else(|| panic!("{code} has no field {name}"));
        form.values[i] = (*text).to_string();
    }
    let body = form
        .body()
        .unwrap_or_else(|e| panic!("{code} on {id}: {e}"));
    let method = Method::from_bytes(offer.step.method.as_bytes()).unwrap();
    let token = app.token(user).await;
    let r = app
        .call(
            method,
            &offer.step.path,
            Some(token.as_str()),
            Some(body.clone()),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{user} {code} on {id} with {body}: {}",
        r.body
    );
    if let Some(to) = offer.step.to {
        // `pack` and `logistics_cost` name their usual outcome; the input decides.
        if !matches!(code, "pack" | "logistics_cost" | "part_accept") {
            assert_eq!(r.body["data"]["status"], to.as_str(), "{code} on {id}");
        }
    }
    r.body
}

async fn book(app: &TestApp, product: &str, qty: u32) -> String {
    let r = app
        .post(
            "SALES-001",
            "/api/orders",
            json!({"customerId": "CUST-001", "items": [{"productId": product, "quantity": qty}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "book: {}", r.body);
    r.body["data"]["id"].as_str().unwrap().to_string()
}

fn status_of(body: &Value) -> &str {
    body["data"]["status"].as_str().unwrap_or_default()
}

/// A step taken through the console: who, the step's code, the form fields typed.
type Take<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// Takes each step on `id` in turn, as [`take`] does.
async fn walk(app: &TestApp, id: &str, steps: &[Take<'_>]) {
    for (user, code, fill) in steps {
        take(app, user, id, code, fill).await;
    }
}

/// Books and takes an order to Pending Logistics Cost through the console's forms.
async fn to_costing(app: &TestApp, product: &str, qty: u32) -> String {
    let id = book(app, product, qty).await;
    #[rustfmt::skip]
    let steps: &[Take] = &[
        ("CREDIT-001", "credit_approve", &[]),
        ("WHM-001", "assign_warehouse", &[("warehouseId", "WH-KURLA")]),
        ("WHM-001", "pack", &[]),
        ("QC-001", "qc_pass", &[("actualTemp", "-19"), ("remarks", "ok")]),
    ];
    walk(app, &id, steps).await;
    id
}

/// … and on to In Transit (low cost, invoiced, loaded); returns the id and delivery OTP.
async fn to_transit(app: &TestApp, product: &str, qty: u32, invoice: &str) -> (String, String) {
    let id = to_costing(app, product, qty).await;
    let c = take(
        app,
        "LOG-001",
        &id,
        "logistics_cost",
        &[("whToCustAmount", "10")],
    )
    .await;
    assert_eq!(status_of(&c), OrderStatus::ReadyForBilling.as_str());
    take(app, "BILL-001", &id, "invoice", &[("invoiceNo", invoice)]).await;
    let loading = [
        ("deliveryAgentId", "DRV-001"),
        ("vehicleNo", "MH-04-AB-1234"),
        ("ewayBill", "331000009876"),
        ("sealNo", "SEAL-42"),
        ("vehicleType", "Reefer"),
        ("distanceKm", "12.5"),
    ];
    let d = take(app, "HUB-001", &id, "dispatch", &loading).await;
    let otp = d["deliveryOtp"].as_str().expect("the OTP").to_string();
    (id, otp)
}

#[tokio::test]
async fn every_step_taken_through_its_console_form_is_accepted() {
    let app = app().await;

    // Credit hold and release, an edit, the warehouse back and forth, a failed QC, a high
    // cost approved, and a partial acceptance.
    let a = book(&app, "PROD-001", 10).await;
    #[rustfmt::skip]
    let held: &[Take] = &[
        ("CREDIT-001", "credit_hold", &[("reason", "awaiting cheque")]),
        ("SALES-001", "release_hold", &[]),
    ];
    walk(&app, &a, held).await;
    let e = take(&app, "SALES-001", &a, "edit_items", &[("items", "12")]).await;
    assert_eq!(e["data"]["items"][0]["quantity"], 12, "{e}");
    #[rustfmt::skip]
    let to_cost: &[Take] = &[
        ("CREDIT-001", "credit_approve", &[("reason", "paid")]),
        ("WHM-001", "assign_warehouse", &[("warehouseId", "WH-KURLA")]),
        ("WHM-001", "send_back_to_wh", &[("reason", "wrong site")]),
        ("WHM-001", "assign_warehouse", &[("warehouseId", "WH-KURLA"), ("allowPartial", "yes")]),
        ("WHM-001", "pack", &[]),
        ("QC-001", "qc_fail", &[("remarks", "torn carton")]),
        ("WHM-001", "pack", &[]),
        ("QC-001", "qc_pass", &[("remarks", "re-packed")]),
    ];
    walk(&app, &a, to_cost).await;
    // 12 × 450 = 5,400 packed; ₹2,000 of transport is over 15 %.
    let cost = [("whToCustAmount", "2,000"), ("thermacolBoxCount", "2")];
    let c = take(&app, "LOG-001", &a, "logistics_cost", &cost).await;
    assert_eq!(status_of(&c), OrderStatus::PendingAdminReview.as_str());
    #[rustfmt::skip]
    let to_dispatch: &[Take] = &[
        ("USER-001", "admin_review_approve", &[("reason", "remote site")]),
        ("BILL-001", "invoice", &[("invoiceNo", "INV-CS-1"), ("invoiceDate", "2026-02-12")]),
    ];
    walk(&app, &a, to_dispatch).await;
    let loading = [
        ("deliveryAgentId", "DRV-001"),
        ("vehicleNo", "MH-04-AB-1234"),
        ("ewayBill", "331000009877"),
        ("sealNo", "SEAL-43"),
        ("vehicleProvider", "Own fleet"),
    ];
    let d = take(&app, "HUB-001", &a, "dispatch", &loading).await;
    let otp = d["deliveryOtp"].as_str().unwrap().to_string();
    take(&app, "DRV-001", &a, "out_for_delivery", &[]).await;
    let accepted = [
        ("deliveredQuantities", "10"),
        ("otp", &otp),
        ("receiverName", "Store manager"),
        ("cashCollected", "0"),
    ];
    let p = take(&app, "DRV-001", &a, "part_accept", &accepted).await;
    assert_eq!(status_of(&p), OrderStatus::PartAccepted.as_str());
    assert_eq!(p["data"]["items"][0]["deliveredQuantity"], 10);

    // Delivered in full.
    let (b, otp) = to_transit(&app, "PROD-002", 2, "INV-CS-2").await;
    #[rustfmt::skip]
    let delivered: &[Take] = &[
        ("DRV-001", "out_for_delivery", &[]),
        ("DRV-001", "deliver", &[("otp", &otp), ("remarks", "all good")]),
    ];
    walk(&app, &b, delivered).await;

    // Refused at the door.
    let (c, _) = to_transit(&app, "PROD-002", 3, "INV-CS-3").await;
    let refused = [("reason", "shop closed")];
    take(&app, "DRV-001", &c, "return_to_warehouse", &refused).await;

    // A high cost rejected by the admin.
    let g = to_costing(&app, "PROD-001", 2).await;
    #[rustfmt::skip]
    let rejected: &[Take] = &[
        ("LOG-001", "logistics_cost", &[("whToCustAmount", "5000")]),
        ("USER-001", "admin_review_reject", &[("reason", "too dear")]),
    ];
    walk(&app, &g, rejected).await;

    // Rejected, cancelled by its booker, and bypassed by the admin (legacy name accepted).
    #[rustfmt::skip]
    let closing: &[Take] = &[
        ("CREDIT-001", "credit_reject", &[("reason", "over limit")]),
        ("SALES-001", "cancel", &[("reason", "customer changed mind")]),
    ];
    for step in closing {
        let id = book(&app, "PROD-002", 1).await;
        walk(&app, &id, std::slice::from_ref(step)).await;
    }
    let y = book(&app, "PROD-002", 1).await;
    let hold = [("to", "hold"), ("reason", "call the customer")];
    let v = take(&app, "USER-001", &y, "admin_bypass", &hold).await;
    assert_eq!(status_of(&v), OrderStatus::OnHold.as_str());
}

/// The console counts its dashboard in core's stages; the API's `stageCounts` must have the
/// same keys, or the console would draw a stage the server never counts (or miss one).
#[tokio::test]
async fn the_dashboard_stages_are_the_apis() {
    let app = app().await;
    let r = app.get_ok("USER-001", "/api/analytics/dashboard").await;
    let keys: BTreeSet<&str> = r.body["stageCounts"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let ours: BTreeSet<&str> = Stage::ALL.iter().map(|s| s.key()).collect();
    assert_eq!(keys, ours);
    // And each seeded order counts in the stage core puts its status in.
    let orders = app
        .store
        .list::<Order>(&nexus_core::store::Query::all())
        .await
        .unwrap();
    for s in Stage::ALL {
        let n = orders.iter().filter(|o| Stage::of(o.status) == s).count();
        assert_eq!(r.body["stageCounts"][s.key()], n, "{}", s.key());
    }
}
