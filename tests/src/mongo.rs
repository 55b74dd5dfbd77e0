//! A MongoDB wire-compatible server of the tests' own: SecantusDB (PyPI `secantusdb`, a
//! single-node replica set with transactions and change streams), started on a free loopback
//! port with its data in a temporary folder. `scripts/test.sh` installs it into a virtual
//! environment under `target/secantus` (GPL-2.0: a test tool, never shipped); without it the
//! tests that need it fail with a message saying so, never skip.
//!
//! `NEXUS_TEST_MONGODB_URI` (a real mongod replica set, as in the `mongo:7` workflow) takes
//! precedence everywhere: where the two servers differ, real MongoDB is the reference.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

/// A real mongod to use instead of SecantusDB.
pub const URI_ENV: &str = "NEXUS_TEST_MONGODB_URI";
/// The Python of a virtual environment with `secantusdb` installed.
pub const PYTHON_ENV: &str = "NEXUS_SECANTUS_PYTHON";

const START_WAIT: Duration = Duration::from_secs(60);

/// Runs the server as a child of a small Python guard that stops it when its stdin closes,
/// so a server shared by a whole test binary (a static, never dropped) ends with that binary.
const GUARD: &str = "import subprocess, sys\n\
p = subprocess.Popen(sys.argv[1:])\n\
try:\n    sys.stdin.read()\n\
finally:\n    p.terminate()\n    try:\n        p.wait(10)\n    except Exception:\n        p.kill()\n";

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os(PYTHON_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf();
    let venv = workspace.join("target/secantus/bin/python");
    assert!(
        venv.is_file(),
        "no SecantusDB to test the MongoDB adapter against: run scripts/test.sh (it installs \
         `secantusdb` into target/secantus), or set {PYTHON_ENV} to a Python that has it, or \
         {URI_ENV} to a MongoDB replica set"
    );
    venv
}

/// A running SecantusDB, stopped when dropped.
pub struct MongoServer {
    pub port: u16,
    child: Child,
    guard: Option<ChildStdin>,
    _dir: tempfile::TempDir,
}

impl MongoServer {
    /// Starts a server on a free port and returns once it says it listens.
    pub fn start() -> anyhow::Result<MongoServer> {
        let dir = tempfile::tempdir()?;
        let port = crate::redis::free_port();
        let py = python();
        let mut child = Command::new(&py)
            .args(["-c", GUARD])
            .arg(&py)
            .args(["-m", "secantus", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .arg("--storage-path")
            .arg(dir.path())
            .args(["--log-level", "INFO"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let guard = child.stdin.take();
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    // Nobody listens any more: keep draining so the server never blocks.
                    continue;
                }
            }
        });
        let deadline = std::time::Instant::now() + START_WAIT;
        let mut seen = String::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    let ready = line.contains("listening on");
                    seen.push_str(&line);
                    seen.push('\n');
                    if ready {
                        std::thread::spawn(move || while rx.recv().is_ok() {});
                        return Ok(MongoServer {
                            port,
                            child,
                            guard,
                            _dir: dir,
                        });
                    }
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    anyhow::bail!("SecantusDB did not start ({e}); it said:\n{seen}");
                }
            }
        }
    }

    /// A connection string for this server (the driver sees a one-member replica set).
    pub fn uri(&self) -> String {
        format!("mongodb://127.0.0.1:{}/?directConnection=true", self.port)
    }
}

impl Drop for MongoServer {
    fn drop(&mut self) {
        // Closing the guard's stdin stops the server; waiting reaps the guard.
        drop(self.guard.take());
        let _ = self.child.wait();
    }
}

/// The MongoDB every test of one binary shares: `NEXUS_TEST_MONGODB_URI` when set, else one
/// SecantusDB started on first use. Tests keep apart by database name.
pub fn shared_uri() -> String {
    if let Some(uri) = std::env::var(URI_ENV).ok().filter(|u| !u.trim().is_empty()) {
        return uri;
    }
    static SHARED: OnceLock<MongoServer> = OnceLock::new();
    SHARED
        .get_or_init(|| MongoServer::start().unwrap_or_else(|e| panic!("{e:#}")))
        .uri()
}
