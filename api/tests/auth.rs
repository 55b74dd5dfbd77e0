//! Authentication through HTTP: the seed's login curl, no account enumeration, operator
//! injection, inactive users, lockout, refresh, logout revocation, password change, and
//! tampered / alg=none / expired tokens.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Resp, TestApp, into_resp, spawn_app, spawn_app_with, users};

/// `GET /api/auth/me` with this token (or none).
async fn me(app: &TestApp, token: Option<&str>) -> Resp {
    app.get_with_token(token, "/api/auth/me").await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> Resp {
    let body = json!({ "refreshToken": refresh_token });
    app.call(Method::POST, "/api/auth/refresh", None, Some(body))
        .await
}

/// `POST /api/login` with a raw body, and a JSON content type when `json`.
async fn raw_login(app: &TestApp, json: bool, body: String) -> reqwest::Response {
    let mut req = app.http.post(app.url("/api/login"));
    if json {
        req = req.header("content-type", "application/json");
    }
    req.body(body).send().await.unwrap()
}

/// `GET /api/health` from a browser page at `origin`.
async fn health_from(app: &TestApp, origin: &str) -> reqwest::Response {
    let req = app.http.get(app.url("/api/health"));
    req.header("origin", origin).send().await.unwrap()
}

async fn change_password(app: &TestApp, token: &str, current: &str, new: &str) -> Resp {
    let body = json!({ "currentPassword": current, "newPassword": new });
    let path = "/api/auth/change-password";
    app.call(Method::POST, path, Some(token), Some(body)).await
}

#[tokio::test]
async fn seed_curl_login_returns_a_token_and_profile_without_secrets() {
    let app = spawn_app().await;
    let r = app
        .login("admin@nexusoms.com", "admin123")
        .await
        .expect_success(StatusCode::OK);
    assert!(r.body["token"].as_str().unwrap().split('.').count() == 3);
    assert!(r.body["refreshToken"].is_string());
    assert_eq!(r.body["user"]["id"], "USER-001");
    assert_eq!(r.body["user"]["role"], "Admin");
    assert!(r.body["user"].get("password").is_none());
    assert!(r.body["user"].get("grossMonthlySalary").is_none());
    assert!(r.headers.get("x-request-id").is_some());
    // Login by user id works too; the audit has a LOGIN entry; lastLogin is set.
    let by_id = app.login("SALES-001", "sales123").await;
    assert_eq!(by_id.status, StatusCode::OK);
    let audits = app
        .store
        .count(
            nexus_core::store::Collection::AuditLogs,
            &nexus_core::store::Filter::eq("action", "LOGIN"),
        )
        .await
        .unwrap();
    assert!(audits >= 2);
}

#[tokio::test]
async fn unknown_user_and_wrong_password_answer_the_same() {
    let app = spawn_app().await;
    let unknown = app.login("nobody@x.com", "admin123").await;
    let wrong = app.login("admin@nexusoms.com", "nope").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.body["error"]["code"], wrong.body["error"]["code"]);
    assert_eq!(
        unknown.body["error"]["message"],
        wrong.body["error"]["message"]
    );
}

#[tokio::test]
async fn operator_injection_is_a_validation_error_not_a_login() {
    let app = spawn_app().await;
    for body in [
        json!({"email": {"$ne": null}, "password": {"$ne": null}}),
        json!({"email": {"$gt": ""}, "password": "admin123"}),
        json!({"email": ["admin@nexusoms.com"], "password": "admin123"}),
        json!({"email": "admin@nexusoms.com", "password": "admin123", "$where": "1"}),
    ] {
        let r = app.login_with(body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {}",
            r.body
        );
        assert!(r.body.get("token").is_none());
    }
    let malformed = raw_login(&app, true, "{\"email\": ".into()).await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let not_json = raw_login(&app, false, "email=a".into()).await;
    assert_eq!(not_json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn inactive_users_are_refused_and_their_tokens_stop_working() {
    let app = spawn_app().await;
    let token = app.token(users::SALES).await;
    app.store
        .commit(vec![nexus_core::store::Write::update_one::<
            nexus_core::model::User,
        >(
            nexus_core::store::Filter::id(users::SALES),
            vec![nexus_core::store::UpdateOp::Set(
                "status".into(),
                json!("Suspended"),
            )],
        )])
        .await
        .unwrap();
    let login = app.login("SALES-001", "sales123").await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login.body["error"]["code"], "USER_INACTIVE");
    let me = me(&app, Some(&token)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_retry_after() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let r = app.login("amit@nexusoms.com", "bad").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let locked = app.login("amit@nexusoms.com", "credit123").await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers.get("retry-after").is_some());
    assert_eq!(locked.body["error"]["code"], "RATE_LIMITED");
}

#[tokio::test]
async fn tampered_alg_none_expired_and_missing_tokens_are_refused() {
    let app = spawn_app().await;
    let token = app.token(users::SALES).await;
    let parts: Vec<&str> = token.split('.').collect();
    let missing = me(&app, None).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.body["error"]["code"], "TOKEN_MISSING");
    let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]);
    let admin_token = app.token(users::ADMIN).await;
    let swapped = format!(
        "{}.{}.{}",
        parts[0],
        admin_token.split('.').nth(1).unwrap(),
        parts[2]
    );
    for bad in [
        none,
        swapped,
        "garbage".to_string(),
        format!("{}.{}.AAAA", parts[0], parts[1]),
    ] {
        let r = me(&app, Some(&bad)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(r.body["error"]["code"], "TOKEN_INVALID");
    }
    // An expired token: a server whose tokens live one second, and a clock that moves on.
    let short = spawn_app_with(&[("JWT_EXPIRY", "1s")]).await;
    let t = short.token(users::SALES).await;
    let claims: serde_json::Value = {
        use std::io::Read;
        let payload = t.split('.').nth(1).unwrap();
        let mut s = payload.replace('-', "+").replace('_', "/");
        while s.len() % 4 != 0 {
            s.push('=');
        }
        let mut out = Vec::new();
        base64_decode(&s).as_slice().read_to_end(&mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    };
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        1
    );
    assert_eq!(claims["typ"], "access");
    assert_eq!(claims["userId"], "SALES-001");
}

/// Minimal standard base64 decoding for the claims check (no dependency for one assert).
fn base64_decode(s: &str) -> Vec<u8> {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = T.iter().position(|x| *x == c).unwrap() as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

#[tokio::test]
async fn refresh_logout_and_password_change_revoke_old_tokens() {
    let app = spawn_app().await;
    let login = app.login("SALES-001", "sales123").await;
    let access = login.body["token"].as_str().unwrap().to_string();
    let refresh_token = login.body["refreshToken"].as_str().unwrap().to_string();
    // A refresh token is not an access token.
    assert_eq!(
        me(&app, Some(&refresh_token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let renewed = refresh(&app, &refresh_token).await;
    assert_eq!(renewed.status, StatusCode::OK);
    let logout = app
        .call(Method::POST, "/api/auth/logout", Some(&access), None)
        .await;
    assert_eq!(logout.status, StatusCode::OK);
    for t in [&access, renewed.body["token"].as_str().unwrap()] {
        let r = me(&app, Some(t)).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.body["error"]["code"], "TOKEN_REVOKED");
    }
    let again = refresh(&app, &refresh_token).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);

    // Password change: needs the current password, enforces the policy, revokes old tokens.
    app.forget_tokens().await;
    let t = app.token(users::CREDIT).await;
    let wrong = change_password(&app, &t, "x", "Str0ng-Passw0rd!").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let weak = change_password(&app, &t, "credit123", "admin123").await;
    assert_eq!(
        weak.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        weak.body
    );
    let ok = change_password(&app, &t, "credit123", "Str0ng-Passw0rd!").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["user"]["mustChangePassword"], false);
    assert_eq!(me(&app, Some(&t)).await.status, StatusCode::UNAUTHORIZED);
    let relog = app.login("CREDIT-001", "Str0ng-Passw0rd!").await;
    assert_eq!(relog.status, StatusCode::OK);
}

#[tokio::test]
async fn responses_carry_security_headers_and_cors_refuses_unknown_origins() {
    let app = spawn_app().await;
    let r = health_from(&app, "https://evil.example").await;
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "strict-transport-security",
        "referrer-policy",
        "x-request-id",
    ] {
        assert!(r.headers().get(h).is_some(), "missing {h}");
    }
    assert!(
        r.headers().get("access-control-allow-origin").is_none(),
        "unknown origin must not be allowed"
    );
    let ok = health_from(&app, "http://localhost:3000").await;
    assert_eq!(
        ok.headers().get("access-control-allow-origin").unwrap(),
        "http://localhost:3000"
    );
    let big = "x".repeat(2 * 1024 * 1024);
    let too_big = raw_login(
        &app,
        true,
        format!("{{\"email\":\"{big}\",\"password\":\"x\"}}"),
    )
    .await;
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = too_big.json().await.unwrap();
    assert_eq!(body["error"]["code"], "PAYLOAD_TOO_LARGE");
    assert!(body["requestId"].is_string());
}

/// The console's SSH gateway signs in the user its key file names, with the shared key;
/// a wrong key, an unknown or inactive user get the same 401; without a configured key the
/// route is off.
#[tokio::test]
async fn the_ssh_gateway_signs_users_in_with_its_key_only() {
    const KEY: &str = "gateway-key-gateway-key-gateway-key-0123";
    let app = spawn_app_with(&[("NEXUS_SSH_GATEWAY_KEY", KEY)]).await;
    let login = |key: Option<&'static str>, user: &'static str| {
        let app = &app;
        async move {
            let mut req = app
                .http
                .post(app.url("/api/auth/gateway-login"))
                .json(&json!({ "userId": user }));
            if let Some(k) = key {
                req = req.header("X-Gateway-Key", k);
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            (status, r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, body) = login(Some(KEY), "SALES-001").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let me = me(&app, Some(body["token"].as_str().unwrap())).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["id"], "SALES-001", "{}", me.body);

    for (key, user) in [
        (
            Some("not-the-key-not-the-key-not-the-key-0000"),
            "SALES-001",
        ),
        (None, "SALES-001"),
        (Some(KEY), "NOBODY-001"),
    ] {
        let (status, body) = login(key, user).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{key:?} {user}: {body}");
        assert_eq!(body["error"]["code"], "GATEWAY_LOGIN_REFUSED");
    }

    // Off unless configured; a caller without a key learns nothing about that.
    let plain = spawn_app().await;
    let r = plain
        .http
        .post(plain.url("/api/auth/gateway-login"))
        .header("X-Gateway-Key", KEY)
        .json(&json!({ "userId": "USER-001" }))
        .send()
        .await
        .unwrap();
    let r = into_resp(r).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["code"], "GATEWAY_LOGIN_DISABLED");
    let r = plain
        .call(
            Method::POST,
            "/api/auth/gateway-login",
            None,
            Some(json!({ "userId": "USER-001" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["error"]["code"], "GATEWAY_LOGIN_REFUSED");
}
