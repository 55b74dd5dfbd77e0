//! Support for end-to-end tests that run the real binaries: start a process with its own
//! data folder on a free port, wait until it says where it listens, and stop it at the end.
//! Also the stand-ins for outside services: [`mock_http`] (Gemini, Google Maps) and
//! [`moto`] (a real S3-compatible server).

/// Re-exported so tests can build mock answers without their own axum dependency.
pub use axum;
pub mod mock_http;
pub mod moto;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `nexus-api` process, killed on drop.
pub struct RunningApi {
    child: Child,
    pub base_url: String,
    /// Everything the process printed on stdout up to and including the banner.
    pub banner: String,
}

impl Drop for RunningApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `nexus-api` on port 0 with the given data folder and extra environment, and waits
/// (bounded, driven by the process's own output) for its banner line naming the address.
pub fn start_api(
    bin: &Path,
    data_dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> anyhow::Result<RunningApi> {
    anyhow::ensure!(bin.exists(), "{} is not built", bin.display());
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORT", "0")
        .env("NEXUS_BIND", "127.0.0.1")
        .env("NEXUS_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .current_dir(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut banner = String::new();
    loop {
        // Bounded wait: a build-cold start with migrations and bcrypt seeding stays well under this.
        let line = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(l) => l,
            Err(e) => {
                let _ = child.kill();
                anyhow::bail!(
                    "nexus-api printed no listen address ({e}); output so far:\n{banner}"
                );
            }
        };
        banner.push_str(&line);
        banner.push('\n');
        if let Some(rest) = line.split("API:     ").nth(1) {
            let url = rest.trim().trim_end_matches("/api/health").to_string();
            // Keep draining so the child never blocks on a full pipe.
            std::thread::spawn(move || while rx.recv().is_ok() {});
            return Ok(RunningApi {
                child,
                base_url: url,
                banner,
            });
        }
    }
}
