//! Drives a program in a pseudo-terminal (portable-pty) and reads its screen through a
//! terminal emulator (vt100), so a test sees what a person would. Waiting is driven by the
//! program's output with a deadline: no sleeps as synchronisation.
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
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
    /// How long a wait may take; [`WAIT`] unless [`Console::set_wait`] changed it (a console
    /// started through `cargo run` may compile first).
    wait: Duration,
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
            wait: WAIT,
        }
    }

    pub fn set_wait(&mut self, wait: Duration) {
        self.wait = wait;
    }

    pub fn screen(&self) -> String {
        self.shared.parser.lock().unwrap().0.screen().contents()
    }

    /// Waits until the screen satisfies `pred`; panics with the screen after the wait.
    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let wait = self.wait;
        let deadline = Instant::now() + wait;
        let mut g = self.shared.parser.lock().unwrap();
        loop {
            let text = g.0.screen().contents();
            if pred(&text) {
                return text;
            }
            let now = Instant::now();
            if now >= deadline || g.1 {
                panic!(
                    "{what}: not on screen within {wait:?}{}; the screen:\n{text}",
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
        rx.recv_timeout(self.wait)
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
