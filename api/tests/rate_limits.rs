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
