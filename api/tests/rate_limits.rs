//! Rate limits through the real middleware: per user once signed in, per address before,
//! and only sending a file spends the upload budget (issue #11).

mod support;

use reqwest::StatusCode;
use support::*;

/// Posts a multipart form without a file to the bulk-order upload, as `token` or
/// anonymously: past the limiter it is refused (400 NO_FILE), so nothing is queued.
async fn upload(app: &TestApp, token: Option<&str>) -> Resp {
    let mut req = app
        .http
        .post(app.url("/api/orders/bulk"))
        .multipart(reqwest::multipart::Form::new());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    into_resp(req.send().await.unwrap()).await
}

#[tokio::test]
async fn anonymous_uploads_never_spend_a_signed_in_users_budget() {
    let app = spawn_app_with(&[("NEXUS_UPLOAD_RATE_LIMIT", "3/1h")]).await;
    let admin = app.token("USER-001").await;
    // Anonymous callers (this address) use up the address's upload budget...
    for _ in 0..3 {
        assert_eq!(upload(&app, None).await.status, StatusCode::UNAUTHORIZED);
    }
    let over = upload(&app, None).await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(over.body["error"]["code"], "RATE_LIMITED");
    assert!(over.headers.contains_key("retry-after"));
    // ...and the signed-in user from the same address still has a whole one.
    let own = upload(&app, Some(&admin)).await;
    assert_ne!(own.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", own.body);
    assert_eq!(own.status, StatusCode::BAD_REQUEST, "{:?}", own.body);
}

#[tokio::test]
async fn each_user_has_an_upload_budget_of_their_own() {
    let app = spawn_app_with(&[("NEXUS_UPLOAD_RATE_LIMIT", "2/1h")]).await;
    let admin = app.token("USER-001").await;
    let sales = app.token("SALES-001").await;
    for _ in 0..2 {
        assert_ne!(
            upload(&app, Some(&admin)).await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    let over = upload(&app, Some(&admin)).await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    let other = upload(&app, Some(&sales)).await;
    assert_ne!(
        other.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        other.body
    );
}

#[tokio::test]
async fn template_downloads_are_not_uploads() {
    let app = spawn_app_with(&[("NEXUS_UPLOAD_RATE_LIMIT", "1/1h")]).await;
    for _ in 0..4 {
        let r = app
            .get_response("USER-001", "/api/orders/bulk/template")
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    // The one upload the budget allows is still there.
    let admin = app.token("USER-001").await;
    assert_eq!(
        upload(&app, Some(&admin)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        upload(&app, Some(&admin)).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn the_general_budget_is_per_user_too() {
    let app = spawn_app_with(&[("RATE_LIMIT_MAX_REQUESTS", "3")]).await;
    let sales = app.token("SALES-001").await;
    // Logging in spent anonymous (address) budget; the users' own budgets are whole.
    for _ in 0..3 {
        assert_eq!(
            app.get_with_token(Some(&sales), "/api/orders").await.status,
            StatusCode::OK
        );
    }
    let over = app.get_with_token(Some(&sales), "/api/orders").await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    let asm = app.token("ASM-001").await;
    assert_eq!(
        app.get_with_token(Some(&asm), "/api/orders").await.status,
        StatusCode::OK
    );
}

/// An anonymous request that says it comes from `client` (`X-Forwarded-For`).
async fn anonymous_from(app: &TestApp, client: &str) -> StatusCode {
    app.http
        .get(app.url("/api/orders"))
        .header("x-forwarded-for", client)
        .send()
        .await
        .unwrap()
        .status()
}

/// Behind a trusted proxy (`TRUSTED_PROXIES`: this test's loopback peer), limits and audit
/// entries key on the client the proxy names; from an untrusted peer the same header is
/// ignored, so a client cannot pick a fresh budget by writing a new address (issue #16).
#[tokio::test]
async fn the_forwarded_client_address_counts_only_behind_a_trusted_proxy() {
    let behind = spawn_app_with(&[
        ("RATE_LIMIT_MAX_REQUESTS", "3"),
        ("TRUSTED_PROXIES", "127.0.0.0/8, ::1"),
    ])
    .await;
    for _ in 0..3 {
        assert_eq!(
            anonymous_from(&behind, "203.0.113.7").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        anonymous_from(&behind, "203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same proxy has its own budget.
    assert_eq!(
        anonymous_from(&behind, "203.0.113.8").await,
        StatusCode::UNAUTHORIZED
    );
    // The audit trail records the client, not the proxy.
    let r = behind
        .http
        .post(behind.url("/api/login"))
        .header("x-forwarded-for", "6.6.6.6, 198.51.100.23")
        .json(&serde_json::json!({ "email": "amit@nexusoms.com", "password": "wrong" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let logins: Vec<nexus_core::model::AuditLog> =
        stored_where(&behind, nexus_core::store::Filter::All).await;
    let failed = logins
        .iter()
        .rev()
        .find(|a| a.ip_address.as_deref() == Some("198.51.100.23"));
    assert!(
        failed.is_some(),
        "the failed login is audited with the client's address"
    );

    // No trusted proxy: the header is the client's own claim and changes nothing.
    let direct = spawn_app_with(&[("RATE_LIMIT_MAX_REQUESTS", "3")]).await;
    for client in ["203.0.113.7", "203.0.113.8", "203.0.113.9"] {
        assert_eq!(
            anonymous_from(&direct, client).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        anonymous_from(&direct, "203.0.113.10").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}
