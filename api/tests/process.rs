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
