//! The shipped Postman collection (docs/NexusOMS_API_Collection.json), run by newman against
//! a fresh server with the demo data (issue #11 item 5): every request gets the status its
//! test script expects and passes every assertion, in the session's order, so the file a
//! newcomer imports is known to work from sign-in to logout.
//!
//! `scripts/test.sh` installs the pinned newman into `target/newman` and sets `NEXUS_NEWMAN`;
//! without it this test fails with the command to run (never skips).

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::*;

fn newman() -> PathBuf {
    match std::env::var_os("NEXUS_NEWMAN") {
        Some(p) => PathBuf::from(p),
        None => panic!(
            "NEXUS_NEWMAN is not set: run ./scripts/test.sh, which installs newman into \
             target/newman (or: npm install --prefix target/newman newman@6.2.2, then set \
             NEXUS_NEWMAN=$PWD/target/newman/node_modules/.bin/newman)"
        ),
    }
}

/// The repository's docs/: the collection, and the upload fixtures it names relative to it.
fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace folder")
        .join("docs")
}

/// Requests in a collection (folders hold items, requests have a `request`).
fn requests(items: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for it in items.as_array().into_iter().flatten() {
        if it.get("request").is_some() {
            out.push(it["name"].as_str().unwrap_or_default().to_string());
        }
        out.extend(requests(&it["item"]));
    }
    out
}

fn tail(s: &str, chars: usize) -> &str {
    let start = s.len().saturating_sub(chars);
    let start = (start..s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len());
    &s[start..]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postman_collection_runs_clean_against_a_fresh_server() {
    // Setup: a fresh demo server and the collection as shipped.
    let app = spawn_app_unthrottled().await;
    let docs = docs_dir();
    let file = docs.join("NexusOMS_API_Collection.json");
    let collection: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", file.display()));
    let names = requests(&collection["item"]);
    assert!(names.len() >= 100, "only {} requests", names.len());
    let out = tempfile::tempdir().unwrap();
    let report_file = out.path().join("report.json");

    // Act: the run a newcomer would start.
    let mut cmd = tokio::process::Command::new(newman());
    cmd.arg("run")
        .arg(&file)
        .arg("--working-dir")
        .arg(&docs)
        .args(["--env-var", &format!("baseUrl={}", app.base)])
        .args(["--reporters", "cli,json", "--reporter-json-export"])
        .arg(&report_file)
        .args(["--color", "off"])
        .current_dir(out.path())
        .kill_on_drop(true);
    let run = cmd
        .output()
        .await
        .unwrap_or_else(|e| panic!("could not start {}: {e}", newman().display()));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);

    // Check: newman's verdict, its report, and what the session changed on the server.
    assert!(
        run.status.success(),
        "newman found problems ({}):\n{}\n{stderr}",
        run.status,
        tail(&stdout, 12_000)
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap())
        .expect("newman's JSON report");
    let stats = &report["run"]["stats"];
    assert_eq!(stats["assertions"]["failed"], 0, "{stats}");
    assert_eq!(stats["requests"]["failed"], 0, "{stats}");
    assert_eq!(stats["testScripts"]["failed"], 0, "{stats}");
    assert_eq!(
        report["run"]["failures"].as_array().map(Vec::len),
        Some(0),
        "{}",
        report["run"]["failures"]
    );
    assert_eq!(stats["requests"]["total"], names.len(), "{stats}");
    assert!(
        stats["assertions"]["total"].as_u64().unwrap_or(0) > 3 * names.len() as u64,
        "{stats}"
    );
    let executed: Vec<&str> = report["run"]["executions"]
        .as_array()
        .expect("executions")
        .iter()
        .map(|e| e["item"]["name"].as_str().unwrap_or_default())
        .collect();
    let mut once = executed.clone();
    once.sort_unstable();
    once.dedup();
    assert_eq!(
        once.len(),
        names.len(),
        "a request ran twice: {executed:#?}"
    );
    assert!(executed[0].ends_with("POST /api/login"), "{}", executed[0]);
    assert!(
        executed[executed.len() - 1].ends_with("POST /api/auth/logout"),
        "{executed:#?}"
    );
    // The password change near the end took effect: the demo password no longer signs in.
    app.login("admin@nexusoms.com", "admin123")
        .await
        .expect_error(
            reqwest::StatusCode::UNAUTHORIZED,
            "INVALID_CREDENTIALS",
            "the old password",
        );
    let changed = vars(&collection, "newAdminPassword");
    app.login("admin@nexusoms.com", &changed)
        .await
        .expect_success(reqwest::StatusCode::OK);
}

/// A collection variable's initial value.
fn vars(collection: &Value, key: &str) -> String {
    collection["variable"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["key"] == key)
        .and_then(|v| v["value"].as_str())
        .unwrap_or_else(|| panic!("no collection variable {key}"))
        .to_string()
}
