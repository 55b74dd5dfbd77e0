//! Every route, through HTTP, as: anonymous, a bad token, each wrong role, a user who may use
//! the route but not on this object, and the right user. Table-driven from the router: the
//! completeness test fails when a documented route has no case, so a new route cannot land
//! without its authorisation tests.

mod rbac_cases;
mod support;

use rbac_cases::{Case, Who};
use reqwest::StatusCode;
use std::collections::BTreeSet;
use support::spawn_app;

fn all_cases() -> Vec<Case> {
    rbac_cases::all()
}

#[test]
fn every_documented_route_has_an_rbac_case() {
    let doc = serde_json::to_value(nexus_api::openapi::document()).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let covered: BTreeSet<(String, String)> = all_cases()
        .iter()
        .map(|c| (c.method.as_str().to_string(), c.template.to_string()))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes without an RBAC case: {missing:#?}"
    );
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "RBAC cases for routes that do not exist: {stale:#?}"
    );
}

/// What is wrong with one route's authorisation, on a server of its own (cases change data).
async fn check(case: Case) -> Vec<String> {
    let mut failures = Vec::new();
    let app = spawn_app().await;
    let label = format!("{} {}", case.method, case.path);
    if case.who != Who::Public {
        let anon = app
            .call(case.method.clone(), &case.path, None, case.body.clone())
            .await;
        if anon.status != StatusCode::UNAUTHORIZED {
            failures.push(format!("{label}: anonymous got {} (want 401)", anon.status));
        }
        let bad = app
            .call(
                case.method.clone(),
                &case.path,
                Some("not-a-token"),
                case.body.clone(),
            )
            .await;
        if bad.status != StatusCode::UNAUTHORIZED {
            failures.push(format!("{label}: bad token got {} (want 401)", bad.status));
        }
    }
    if let Who::Roles { denied, .. } = &case.who {
        for u in denied.iter() {
            let r = app
                .as_user(u, case.method.clone(), &case.path, case.body.clone())
                .await;
            if r.status != StatusCode::FORBIDDEN {
                failures.push(format!(
                    "{label}: {u} got {} (want 403): {}",
                    r.status, r.body
                ));
            }
        }
    }
    if let Some(o) = &case.other_object {
        let r = app
            .as_user(
                o.user,
                case.method.clone(),
                &o.path,
                o.body.clone().or(case.body.clone()),
            )
            .await;
        if !(r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND) {
            failures.push(format!(
                "{label}: {} on another's object {} got {} (want 403/404)",
                o.user, o.path, r.status
            ));
        }
    }
    let allowed_user = match &case.who {
        Who::Public => None,
        Who::AnyUser(u) => Some(*u),
        Who::Roles { allowed, .. } => allowed.first().copied(),
    };
    let r = match allowed_user {
        Some(u) => {
            app.as_user(u, case.method.clone(), &case.path, case.body.clone())
                .await
        }
        None => {
            app.call(case.method.clone(), &case.path, None, case.body.clone())
                .await
        }
    };
    let ok = match case.expect {
        Some(s) => r.status.as_u16() == s,
        None => r.status.is_success(),
    };
    if !ok {
        failures.push(format!(
            "{label}: allowed {:?} got {} (want {}): {}",
            allowed_user,
            r.status,
            case.expect.map(|s| s.to_string()).unwrap_or("2xx".into()),
            r.body
        ));
    }
    failures
}

/// Cases run a few at a time, each on its own server: the run is mostly each server's
/// start-up, which two cores can overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_enforces_authentication_and_authorisation() {
    use futures::StreamExt;
    let failures: Vec<String> = futures::stream::iter(all_cases())
        .map(check)
        .buffer_unordered(4)
        .flat_map(futures::stream::iter)
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} RBAC failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
