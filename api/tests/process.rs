//! Runs the real `nexus-api` binary on embedded defaults and checks what a user sees first:
//! the banner and the health endpoints.

use nexus_tests::start_api;
use std::path::Path;

const BIN: &str = env!("CARGO_BIN_EXE_nexus-api");

/// The binary started with `--demo` on a folder of its own, cheap password hashing, and
/// these variables.
fn start_demo(dir: &Path, env: &[(&str, &str)]) -> nexus_tests::RunningApi {
    let mut vars = vec![("NEXUS_BCRYPT_COST", "4")];
    vars.extend_from_slice(env);
    start_api(Path::new(BIN), dir, &["--demo"], &vars).unwrap()
}

/// A GET on the running server, with a bearer token when given.
async fn get(base: &str, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

/// A POST of JSON text exactly as a curl sends it, with a bearer token when given.
async fn post_json(base: &str, path: &str, token: Option<&str>, body: &str) -> reqwest::Response {
    let mut req = reqwest::Client::new().post(format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let req = req.header("Content-Type", "application/json");
    req.body(body.to_string()).send().await.unwrap()
}

/// A response that must be 200, read as JSON.
async fn ok_json(r: reqwest::Response) -> serde_json::Value {
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// A response that must be 200, read as text.
async fn ok_text(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test]
async fn embedded_start_with_demo_data_shows_banner_and_serves_health() {
    let dir = tempfile::tempdir().unwrap();
    let api = start_demo(dir.path(), &[]);

    // Every integration's state is on the banner, with the offline fallbacks named as such.
    for needle in [
        "Database",
        "SQLite (embedded)",
        "Job queue",
        "Events",
        "File storage",
        "Gemini AI",
        "offline fallback",
        "Google Maps",
        "WebSocket",
        "/ws (JWT",
        "Job queue    apalis on SQLite",
        "in-process worker",
        "Expiry scan  cron `0 0 2 * * *` (Asia/Kolkata)",
        // No JWT_SECRET here: the secret is generated into the data folder, and says so.
        "JWT secret   generated, kept in",
        // How to open the operator console against this very server.
        "Console: cargo run --bin nexus-tui -- --api http://127.0.0.1:",
    ] {
        assert!(
            api.banner.contains(needle),
            "banner lacks `{needle}`:\n{}",
            api.banner
        );
    }
    assert!(
        api.banner.contains("default password"),
        "demo accounts keep default passwords:\n{}",
        api.banner
    );

    let base = &api.base_url;
    let health: serde_json::Value = get(base, "/api/health", None).await.json().await.unwrap();
    assert_eq!(health["status"], "OK");
    assert_eq!(health["database"], "Connected");
    assert_eq!(health["backend"], "SQLite");

    let ready = ok_json(get(base, "/api/ready", None).await).await;
    assert!(
        ready["integrations"]["Gemini AI"]
            .as_str()
            .unwrap()
            .contains("fallback")
    );

    let missing = get(base, "/api/nope", None).await;
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "ENDPOINT_NOT_FOUND");

    // The database file is where the embedded default says.
    assert!(dir.path().join("nexus.db").exists());
    assert!(
        dir.path().join("jwt.secret").exists(),
        "embedded mode keeps a generated signing secret"
    );
}

#[tokio::test]
async fn malformed_setting_stops_start_up_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(BIN)
        .env_clear()
        .env("NEXUS_DATA_DIR", dir.path())
        .env("PORT", "not-a-port")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("PORT"), "stderr: {stderr}");
}

/// The seven curl checks of the seed's task 3, as written there, against the real binary on
/// its demo data: each answers 200 with real data.
#[tokio::test]
async fn the_seeds_seven_curl_checks_answer_with_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    let api = start_demo(dir.path(), &[("NEXUS_EXPIRY_SCAN_CRON", "off")]);
    let base = &api.base_url;

    // 1. Login.
    let admin = r#"{"email":"admin@nexusoms.com","password":"admin123"}"#;
    let login: serde_json::Value = post_json(base, "/api/login", None, admin)
        .await
        .json()
        .await
        .unwrap();
    let token = Some(login["token"].as_str().expect("a token"));

    // 2. PMS.
    let pms = ok_json(get(base, "/api/pms/USER-001?month=Feb'26", token).await).await;
    assert!(pms.to_string().contains("Feb'26"), "{pms}");

    // 3. Bulk order template.
    let r = get(base, "/api/orders/bulk/template", token).await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx workbook");

    // 4. AI credit insight.
    let ask = r#"{"orderId":"ORD-001","customerId":"CUST-001"}"#;
    let insight = ok_text(post_json(base, "/api/ai/credit-insight", token, ask).await).await;
    assert!(insight.contains("rule-based fallback"), "{insight}");

    // 5. Logistics cost (public).
    let route = r#"{"origin":"Mumbai","destination":"Delhi","vehicleType":"Truck"}"#;
    let cost = ok_text(post_json(base, "/api/logistics/calculate-cost", None, route).await).await;
    assert!(cost.contains("Delhi"), "{cost}");

    // 6. Expiring products.
    let expiring = ok_json(get(base, "/api/products/expiring?days=90", token).await).await;
    assert!(expiring["count"].as_u64().unwrap() > 0, "{expiring}");

    // 7. Packaging materials.
    let materials = ok_json(get(base, "/api/packaging/materials", token).await).await;
    assert!(materials.to_string().contains("PKG-001"), "{materials}");
}
