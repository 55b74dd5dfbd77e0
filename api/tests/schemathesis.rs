//! Schemathesis, a property-based API tester, against the real server and the OpenAPI
//! document it serves (issue #11): signed in and anonymous, with a fixed seed and a bounded
//! number of examples so the run is reproducible and a few minutes long. Zero failures is
//! the bar; what it finds is fixed in the server or in the document.
//!
//! Every check runs, `positive_data_acceptance` (any request the document allows must
//! succeed) included: the request schemas state the rules the server enforces (enums,
//! formats, bounds, required fields, "a distance or both places", "a product id or a SKU").
//! `tests/schemathesis.toml` names the few operations that also refuse schema-valid
//! requests for reasons no schema can express (an id that must exist in the store, a
//! stored order's lines, an uploaded file's real content), each with its documented 422.
//!
//! `scripts/test.sh` installs the pinned Schemathesis into `target/schemathesis` and sets
//! `NEXUS_SCHEMATHESIS`; without it this test fails with the command to run (never skips).

mod support;

use std::path::{Path, PathBuf};
use support::*;

/// Operations the signed-in run leaves to the anonymous one: signing out or changing the
/// password mid-run would turn every later request into a 401 and hide what they do.
const SESSION_ENDERS: &str = "^/api/(auth/)?(logout|logout-all|change-password|users/me/password)";

fn schemathesis() -> PathBuf {
    match std::env::var_os("NEXUS_SCHEMATHESIS") {
        Some(p) => PathBuf::from(p),
        None => panic!(
            "NEXUS_SCHEMATHESIS is not set: run ./scripts/test.sh, which installs Schemathesis \
             into target/schemathesis (or: python3 -m venv target/schemathesis && \
             target/schemathesis/bin/pip install schemathesis==4.32.5, then set \
             NEXUS_SCHEMATHESIS=$PWD/target/schemathesis/bin/st)"
        ),
    }
}

/// Runs `st run` over the served document; the tester's report when it fails.
async fn run(app: &TestApp, extra: &[&str]) {
    let report = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(schemathesis());
    cmd.arg("--no-color")
        .arg("--config-file")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis.toml"))
        .arg("run")
        .arg(app.url("/api/openapi.json"))
        .args(["--url", &app.base])
        .args(["--checks", "all"])
        .args(["--seed", "20261206", "--workers", "2"])
        .args(["--max-examples", "12", "--generation-database", "none"])
        .args(["--report", "junit", "--report-dir"])
        .arg(report.path())
        .args(extra)
        .current_dir(report.path())
        .kill_on_drop(true);
    let out = cmd.output().await.unwrap_or_else(|e| {
        panic!("could not start {}: {e}", schemathesis().display());
    });
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "Schemathesis found problems ({}):\n{stdout}\n{stderr}",
        out.status
    );
    // A run that tested nothing would also exit 0.
    assert!(
        stdout.contains("passed") && !stdout.contains("No operations"),
        "Schemathesis ran no tests:\n{stdout}\n{stderr}"
    );
}

/// One server for both runs: anonymous first (it changes nothing but failed-login counts),
/// then as the administrator, who may call every operation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_anonymously_or_signed_in() {
    let app = spawn_app_unthrottled().await;
    run(&app, &[]).await;
    let token = app.token("USER-001").await;
    let auth = format!("Authorization: Bearer {token}");
    run(&app, &["-H", &auth, "--exclude-path-regex", SESSION_ENDERS]).await;
}
