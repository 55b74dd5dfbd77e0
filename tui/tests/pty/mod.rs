//! Drives a program in a pseudo-terminal (portable-pty) and reads its screen through a
//! terminal emulator (vt100), so a test sees what a person would. Waiting is driven by the
//! program's output with a deadline: no sleeps as synchronisation.
#![allow(dead_code)]

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

pub const WAIT: Duration = Duration::from_secs(30);

struct Shared {
    parser: Mutex<(vt100::Parser, bool)>,
    changed: Condvar,
}

pub struct Console {
    shared: Arc<Shared>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    child: Option<Box<dyn Child + Send + Sync>>,
}

impl Console {
    pub fn spawn(cmd: CommandBuilder, rows: u16, cols: u16) -> Console {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let child = pty.slave.spawn_command(cmd).expect("spawn in the pty");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let shared = Arc::new(Shared {
            parser: Mutex::new((vt100::Parser::new(rows, cols, 0), false)),
            changed: Condvar::new(),
        });
        let s = shared.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) | Err(_) => 0,
                    Ok(n) => n,
                };
                let mut g = s.parser.lock().unwrap();
                if n == 0 {
                    g.1 = true;
                    s.changed.notify_all();
                    return;
                }
                g.0.process(&buf[..n]);
                s.changed.notify_all();
            }
        });
        Console {
            shared,
            writer,
            master: pty.master,
            child: Some(child),
        }
    }

    pub fn screen(&self) -> String {
        self.shared.parser.lock().unwrap().0.screen().contents()
    }

    /// Waits until the screen satisfies `pred`; panics with the screen after `WAIT`.
    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        let mut g = self.shared.parser.lock().unwrap();
        loop {
            let text = g.0.screen().contents();
            if pred(&text) {
                return text;
            }
            let now = Instant::now();
            if now >= deadline || g.1 {
                panic!(
                    "{what}: not on screen within {WAIT:?}{}; the screen:\n{text}",
                    if g.1 {
                        " (the program's output ended)"
                    } else {
                        ""
                    }
                );
            }
            g = self
                .shared
                .changed
                .wait_timeout(g, deadline - now)
                .unwrap()
                .0;
        }
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |s| s.contains(needle))
    }

    pub fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Resizes the pty (the program gets SIGWINCH). The emulator is resized first, so the
    /// program's redraw for the new size lands on a screen of that size.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        self.shared.parser.lock().unwrap().0.set_size(rows, cols);
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }

    /// Waits (bounded) for the program to exit; returns whether it exited successfully.
    pub fn wait_exit(&mut self) -> bool {
        let mut child = self.child.take().expect("already waited");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait().map(|s| s.success()).unwrap_or(false));
        });
        rx.recv_timeout(WAIT)
            .expect("the program did not exit in time")
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
        }
    }
}

/// The `nexus-tui` binary under test.
pub fn tui_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_nexus-tui"))
}

/// The `nexus-api` binary next to it (the workspace build puts every binary there).
pub fn api_bin() -> PathBuf {
    let p = tui_bin().with_file_name("nexus-api");
    assert!(
        p.exists(),
        "{} is not built: these end-to-end tests run the real API; build it with \
         `cargo build -p nexus-api` (a workspace `cargo test` builds it)",
        p.display()
    );
    p
}

/// Starts the real API with the demo data on a free port.
pub fn start_api(dir: &Path) -> nexus_tests::RunningApi {
    start_api_with(dir, &[])
}

/// [`start_api`] with extra environment.
pub fn start_api_with(dir: &Path, env: &[(&str, &str)]) -> nexus_tests::RunningApi {
    let mut all = vec![("NEXUS_BCRYPT_COST", "4")];
    all.extend_from_slice(env);
    nexus_tests::start_api(&api_bin(), dir, &["--demo"], &all).expect("start nexus-api")
}

/// A command with a clean environment (no token, no log file) and a 256-colour terminal.
pub fn command(program: &Path, args: &[&str]) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(program);
    cmd.args(args);
    cmd.env_clear();
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env("TERM", "xterm-256color");
    cmd.env("HOME", std::env::temp_dir());
    cmd
}
