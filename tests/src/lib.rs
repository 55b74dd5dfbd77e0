//! Support for end-to-end tests that run the real binaries: start a process with its own
//! data folder on a free port, wait until it says where it listens, and stop it at the end.
//! Also the stand-ins for outside services: [`mock_http`] (Gemini, Google Maps) and
//! [`moto`] (a real S3-compatible server).

/// Re-exported so tests can build mock answers without their own axum dependency.
pub use axum;
pub mod fuzz;
pub mod mock_http;
pub mod mongo;
pub mod moto;
pub mod pty;

pub mod redis;
pub mod workbook;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running process of ours, killed on drop.
pub struct Running {
    child: Child,
    /// Everything the process printed on stdout up to and including its ready line.
    pub output: String,
    /// The ready line itself.
    pub ready_line: String,
}

impl Running {
    /// Kills the process at once (SIGKILL: no shutdown code runs, as in a crash).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Asks the process to stop (SIGTERM, as a service manager or Ctrl-C would) and waits,
    /// bounded, for it to exit; returns its exit status.
    pub fn terminate(&mut self, wait: Duration) -> anyhow::Result<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        anyhow::ensure!(sent.success(), "kill -TERM {} failed", self.child.id());
        // A watchdog kills the process if it outlives the wait; the exit itself is awaited.
        let pid = self.child.id().to_string();
        let (done, timer) = mpsc::channel::<()>();
        let watchdog = std::thread::spawn(move || {
            let fired = timer.recv_timeout(wait).is_err();
            if fired {
                let _ = Command::new("kill").args(["-KILL", &pid]).status();
            }
            fired
        });
        let status = self.child.wait()?;
        let _ = done.send(());
        let fired = watchdog.join().unwrap_or(true);
        anyhow::ensure!(
            !fired,
            "process {} did not stop within {wait:?} of SIGTERM",
            self.child.id()
        );
        Ok(status)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A running `nexus-api` process, killed on drop.
pub struct RunningApi {
    pub process: Running,
    pub base_url: String,
    /// Everything the process printed on stdout up to and including the banner.
    pub banner: String,
}

/// Starts `bin` with the given data folder and extra environment (nothing inherited but
/// PATH), and waits, bounded and driven by the process's own output, for a stdout line
/// containing `ready_marker`.
pub fn start_process(
    bin: &Path,
    data_dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    ready_marker: &str,
) -> anyhow::Result<Running> {
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
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    spawn_until(cmd, &bin.display().to_string(), ready_marker, READY_WAIT)
}

/// How long a built binary may take to say it is ready: a cold start with migrations and
/// bcrypt seeding stays well under this.
pub const READY_WAIT: Duration = Duration::from_secs(120);

/// Spawns `cmd` (its stdout piped here) and waits, bounded and driven by the process's own
/// output, for a stdout line containing `ready_marker`; `what` names it in errors.
pub fn spawn_until(
    mut cmd: Command,
    what: &str,
    ready_marker: &str,
    wait: Duration,
) -> anyhow::Result<Running> {
    cmd.stdout(Stdio::piped());
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
    let deadline = std::time::Instant::now() + wait;
    let mut output = String::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = match rx.recv_timeout(left) {
            Ok(l) => l,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                anyhow::bail!(
                    "{what} never printed `{ready_marker}` ({e}); output so far:\n{output}"
                );
            }
        };
        output.push_str(&line);
        output.push('\n');
        if line.contains(ready_marker) {
            // Keep draining so the child never blocks on a full pipe.
            std::thread::spawn(move || while rx.recv().is_ok() {});
            return Ok(Running {
                child,
                output,
                ready_line: line,
            });
        }
    }
}

/// Starts `nexus-api` on port 0 and waits for its banner line naming the address.
pub fn start_api(
    bin: &Path,
    data_dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> anyhow::Result<RunningApi> {
    let process = start_process(bin, data_dir, args, env, "API:     ")?;
    let url = process
        .ready_line
        .split("API:     ")
        .nth(1)
        .unwrap_or_default()
        .trim()
        .trim_end_matches("/api/health")
        .to_string();
    Ok(RunningApi {
        banner: process.output.clone(),
        base_url: url,
        process,
    })
}

/// Starts `nexus-worker` and waits until it says it is ready.
pub fn start_worker(bin: &Path, data_dir: &Path, env: &[(&str, &str)]) -> anyhow::Result<Running> {
    start_process(bin, data_dir, &[], env, " ready: ")
}
