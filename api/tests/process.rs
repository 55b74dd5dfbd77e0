//! Runs the real `nexus-api` binary on embedded defaults and checks what a user sees first:
//! the banner and the health endpoints.

use nexus_tests::start_api;
use std::path::Path;

const BIN: &str = env!("CARGO_BIN_EXE_nexus-api");

#[tokio::test]
async fn embedded_start_with_demo_data_shows_banner_and_serves_health() {
    let dir = tempfile::tempdir().unwrap();
    let api = start_api(
        Path::new(BIN),
        dir.path(),
        &["--demo"],
        &[("NEXUS_BCRYPT_COST", "4")],
    )
    .unwrap();

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
        "Console: cargo run -p nexus-tui -- --api http://127.0.0.1:",
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

    let http = reqwest::Client::new();
    let health: serde_json::Value = http
        .get(format!("{}/api/health", api.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "OK");
    assert_eq!(health["database"], "Connected");
    assert_eq!(health["backend"], "SQLite");

    let ready = http
        .get(format!("{}/api/ready", api.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert!(
        ready["integrations"]["Gemini AI"]
            .as_str()
            .unwrap()
            .contains("fallback")
    );

    let missing = http
        .get(format!("{}/api/nope", api.base_url))
        .send()
        .await
        .unwrap();
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
    let api = start_api(
        Path::new(BIN),
        dir.path(),
        &["--demo"],
        &[
            ("NEXUS_BCRYPT_COST", "4"),
            ("NEXUS_EXPIRY_SCAN_CRON", "off"),
        ],
    )
    .unwrap();
    let http = reqwest::Client::new();
    let base = &api.base_url;

    // 1. Login.
    let login: serde_json::Value = http
        .post(format!("{base}/api/login"))
        .header("Content-Type", "application/json")
        .body(r#"{"email":"admin@nexusoms.com","password":"admin123"}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().expect("a token").to_string();

    // 2. PMS.
    let r = http
        .get(format!("{base}/api/pms/USER-001?month=Feb'26"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let pms: serde_json::Value = r.json().await.unwrap();
    assert!(pms.to_string().contains("Feb'26"), "{pms}");

    // 3. Bulk order template.
    let r = http
        .get(format!("{base}/api/orders/bulk/template"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx workbook");

    // 4. AI credit insight.
    let r = http
        .post(format!("{base}/api/ai/credit-insight"))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body(r#"{"orderId":"ORD-001","customerId":"CUST-001"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let insight = r.text().await.unwrap();
    assert!(insight.contains("rule-based fallback"), "{insight}");

    // 5. Logistics cost (public).
    let r = http
        .post(format!("{base}/api/logistics/calculate-cost"))
        .header("Content-Type", "application/json")
        .body(r#"{"origin":"Mumbai","destination":"Delhi","vehicleType":"Truck"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cost = r.text().await.unwrap();
    assert!(cost.contains("Delhi"), "{cost}");

    // 6. Expiring products.
    let r = http
        .get(format!("{base}/api/products/expiring?days=90"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let expiring: serde_json::Value = r.json().await.unwrap();
    assert!(expiring["count"].as_u64().unwrap() > 0, "{expiring}");

    // 7. Packaging materials.
    let r = http
        .get(format!("{base}/api/packaging/materials"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let materials: serde_json::Value = r.json().await.unwrap();
    assert!(materials.to_string().contains("PKG-001"), "{materials}");
}
