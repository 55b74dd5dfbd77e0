//! A real S3-compatible server for the blob tests: moto's server mode (PyPI `moto[server]`,
//! installed by `scripts/test.sh`), started on a free loopback port and killed on drop.
//!
//! A missing moto is a test failure with instructions, never a skip: a skipped storage test
//! looks like a passing one.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Region the tests use: moto creates buckets there without a location constraint.
pub const REGION: &str = "us-east-1";
/// moto accepts any credentials; these only have to be well-formed.
pub const ACCESS_KEY_ID: &str = "nexus-test-key";
pub const SECRET_ACCESS_KEY: &str = "nexus-test-secret";

/// How often, and how long apart, readiness is probed: 300 × 100 ms = 30 s at most, far
/// above moto's usual one to three seconds of start-up on a busy machine.
const PROBES: u32 = 300;
const PROBE_INTERVAL: Duration = Duration::from_millis(100);

pub struct MotoServer {
    child: Child,
    /// `http://127.0.0.1:<port>`
    pub endpoint: String,
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> String {
    std::env::var("NEXUS_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

impl MotoServer {
    /// Starts `python3 -m moto.server` on a free port and waits until it accepts
    /// connections. Panics with instructions when moto is not installed.
    pub fn start() -> MotoServer {
        let py = python();
        let import = Command::new(&py)
            .args(["-c", "import moto.server"])
            .output();
        match import {
            Ok(o) if o.status.success() => {}
            Ok(o) => panic!(
                "moto's S3 server is not installed for `{py}`: run `pip install 'moto[server]'` \
                 (scripts/test.sh does this). Python said: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => panic!(
                "cannot run `{py}` for the S3 test server ({e}); install Python 3 and `pip install 'moto[server]'`"
            ),
        }
        let port = free_port();
        let mut child = Command::new(&py)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto.server with `{py}`: {e}"));
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        for _ in 0..PROBES {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("moto.server exited at start-up ({status}); is port {port} taken?");
            }
            if TcpStream::connect_timeout(&addr, PROBE_INTERVAL).is_ok() {
                return MotoServer {
                    child,
                    endpoint: format!("http://{addr}"),
                };
            }
            std::thread::sleep(PROBE_INTERVAL);
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("moto.server did not accept connections on {addr} within 30 s");
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}
