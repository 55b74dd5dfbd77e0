//! The console's end-to-end helpers: the binaries under test and how they are started. The
//! pseudo-terminal driver itself is shared (`nexus_tests::pty`).
#![allow(dead_code)]

pub use nexus_tests::pty::Console;
use portable_pty::CommandBuilder;
use std::path::{Path, PathBuf};

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
