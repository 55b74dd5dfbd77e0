//! `availableSteps` on every order the API returns: the lifecycle steps the caller may take
//! now, from the transition rules themselves, each with the request that takes it. Checked
//! for every seeded order and every role: each step's route exists, the booker is never
//! offered her own approval, closed orders offer nothing, and a listed step is accepted.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestApp, find_in, spawn_app};

const USERS: &[&str] = &[
    "USER-001",
    "NSM-001",
    "RSM-001",
    "ASM-001",
    "SALES-001",
    "SALES-002",
    "SEXEC-001",
    "CREDIT-001",
    "WHM-001",
    "WHH-001",
    "WH-001",
    "QC-001",
    "LOG-001",
    "LOGT-001",
    "BILL-001",
    "ATL-001",
    "HUB-001",
    "DRV-001",
    "PROC-001",
    "PROCH-001",
];
const ORDERS: &[&str] = &[
    "ORD-001", "ORD-002", "ORD-003", "ORD-004", "ORD-005", "ORD-006",
];

async fn steps(app: &TestApp, user: &str, id: &str) -> Option<Vec<Value>> {
    let r = app.get(user, &format!("/api/orders/{id}")).await;
    (r.status == StatusCode::OK).then(|| r.body["availableSteps"].as_array().unwrap().clone())
}

fn codes(steps: &[Value]) -> Vec<&str> {
    steps.iter().map(|s| s["step"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn every_order_carries_the_steps_its_reader_may_take() {
    let app = spawn_app().await;
    let doc = app
        .call(reqwest::Method::GET, "/api/openapi.json", None, None)
        .await
        .body;
    let routes = doc["paths"].as_object().unwrap();
    for id in ORDERS {
        for user in USERS {
            let Some(list) = steps(&app, user, id).await else {
                continue;
            };
            for s in &list {
                let path = s["path"].as_str().unwrap().replace(id, "{id}");
                let method = s["method"].as_str().unwrap().to_ascii_lowercase();
                assert!(
                    routes.get(&path).and_then(|p| p.get(&method)).is_some(),
                    "{user} on {id}: {method} {path} is not a route"
                );
            }
        }
    }

    // The credit queue: credit control decides; the booker may cancel, never approve.
    let cc = steps(&app, "CREDIT-001", "ORD-001").await.unwrap();
    for code in ["credit_approve", "credit_hold", "credit_reject"] {
        assert!(codes(&cc).contains(&code), "{:?}", codes(&cc));
    }
    let own = steps(&app, "SALES-001", "ORD-001").await.unwrap();
    assert!(
        !codes(&own).contains(&"credit_approve"),
        "{:?}",
        codes(&own)
    );
    assert!(codes(&own).contains(&"cancel"), "{:?}", codes(&own));
    // The admin may also bypass any open order; closed orders offer nothing to anyone.
    assert!(codes(&steps(&app, "USER-001", "ORD-001").await.unwrap()).contains(&"admin_bypass"));
    for user in USERS {
        if let Some(list) = steps(&app, user, "ORD-005").await {
            assert!(list.is_empty(), "{user} on a delivered order: {list:?}");
        }
    }
    // In transit: the assigned agent delivers.
    let drv = steps(&app, "DRV-001", "ORD-004").await.unwrap();
    assert!(codes(&drv).contains(&"deliver"), "{:?}", codes(&drv));

    // The list carries them too, per order.
    let r = app.get("CREDIT-001", "/api/orders").await;
    let first = find_in(&r.body, "id", "ORD-001");
    assert_eq!(first["availableSteps"], json!(cc));
}

#[tokio::test]
async fn a_listed_step_taken_as_listed_is_accepted() {
    let app = spawn_app().await;
    // Warehouse selection, as WHM-001 is offered it, with the step's own input.
    let warehouse = ("warehouseId", "WH-KURLA");
    take_offered(&app, "WHM-001", "ORD-002", "assign_warehouse", warehouse).await;
    // A credit hold, as CREDIT-001 is offered it, with its reason.
    let reason = ("reason", "Overdue above 30 days");
    take_offered(&app, "CREDIT-001", "ORD-001", "credit_hold", reason).await;
}

/// Takes step `code` on `order` as `user` is offered it: the listed method's path and body
/// plus one input of the user's (`field`, `value`); the step is accepted and leads where the
/// list said.
async fn take_offered(app: &TestApp, user: &str, order: &str, code: &str, input: (&str, &str)) {
    let list = steps(app, user, order).await.unwrap();
    let step = list
        .iter()
        .find(|s| s["step"] == code)
        .unwrap_or_else(|| panic!("{list:?}"));
    let mut body = step["body"].clone();
    body[input.0] = json!(input.1);
    let r = app.post(user, step["path"].as_str().unwrap(), body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["data"]["status"], step["to"]);
}

/// The served OpenAPI document is the one the code describes (built once per process).
#[tokio::test]
async fn the_served_openapi_document_is_the_codes() {
    let app = spawn_app().await;
    let first = app
        .call(reqwest::Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.headers["content-type"], "application/json");
    assert_eq!(
        first.body,
        serde_json::to_value(nexus_api::openapi::document()).unwrap()
    );
    let again = app
        .call(reqwest::Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(again.body, first.body);
}
