//! `nexus-tui`: the operator console (`run`, the default) and its SSH server (`ssh-serve`).

use clap::{Parser, Subcommand};
use nexus_tui::app::{App, Input};
use nexus_tui::keys::Key;
use nexus_tui::runtime::{self, Startup};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;

/// NexusOMS operator console.
///
/// A terminal console for operators: live orders, jobs, stock and credit, talking to the
/// NexusOMS API (REST for actions, WebSocket for live updates). Sign in with your e-mail and
/// password, or set NEXUS_TOKEN to an access token. `ssh-serve` serves the console over SSH.
#[derive(Parser, Debug)]
#[command(name = "nexus-tui", version, about, long_about)]
struct Args {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    run: RunArgs,
    /// Write diagnostics to this file (never to the terminal the console draws on).
    #[arg(long, env = "NEXUS_TUI_LOG", global = true)]
    log: Option<PathBuf>,
}

#[derive(clap::Args, Debug, Clone)]
struct RunArgs {
    /// Base URL of the NexusOMS API.
    #[arg(
        long,
        env = "NEXUS_API_URL",
        default_value = "http://127.0.0.1:3000",
        global = true
    )]
    api: String,
    /// Show everything, change nothing: lifecycle steps and job actions are disabled.
    #[arg(long, global = true)]
    read_only: bool,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run the console on this terminal (the default).
    Run,
    /// Serve the console over SSH: `ssh -p PORT user@host`, public keys only.
    SshServe {
        /// Address to listen on (port 0 picks a free one; the bound address is printed).
        #[arg(long, default_value = "127.0.0.1:2222")]
        listen: SocketAddr,
        /// The server's host key (OpenSSH format); created on first start and kept.
        #[arg(long, default_value = "nexus-tui-host-key")]
        host_key: PathBuf,
        /// One `USER ssh-ed25519 AAAA… [comment]` per line: the key and the NexusOMS user
        /// (id or e-mail) it signs in as.
        #[arg(long, default_value = "nexus-tui-authorized-keys")]
        authorized_keys: PathBuf,
        /// Most consoles served at once; further connections are refused.
        #[arg(long, default_value_t = 32)]
        max_connections: usize,
        /// The API's NEXUS_SSH_GATEWAY_KEY: sign the key's user in without a password.
        #[arg(long, env = "NEXUS_SSH_GATEWAY_KEY", hide_env_values = true)]
        gateway_key: Option<String>,
    },
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    if let Err(e) = init_log(args.log.as_deref()) {
        eprintln!("nexus-tui: {e:#}");
        return std::process::ExitCode::from(2);
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("nexus-tui: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = match args.command {
        Some(Cmd::SshServe {
            listen,
            host_key,
            authorized_keys,
            max_connections,
            gateway_key,
        }) => rt.block_on(nexus_tui::ssh::serve(nexus_tui::ssh::ServeOptions {
            listen,
            host_key,
            authorized_keys,
            api_url: args.run.api.clone(),
            read_only: args.run.read_only,
            max_connections,
            gateway_key: gateway_key.map(secrecy::SecretString::from),
        })),
        Some(Cmd::Run) | None => rt.block_on(run_local(args.run)),
    };
    // Background reads (the key thread, pending HTTP calls) must not hold the exit.
    rt.shutdown_background();
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nexus-tui: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_log(path: Option<&std::path::Path>) -> anyhow::Result<()> {
    let Some(path) = path else {
        return Ok(());
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot open the log file {}: {e}", path.display()))?;
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    Ok(())
}

async fn run_local(args: RunArgs) -> anyhow::Result<()> {
    // Check the URL before taking over the terminal, so a typo reads as a plain error.
    nexus_tui::api::ApiClient::new(&args.api).map_err(|e| anyhow::anyhow!(e.0))?;
    let env_token = std::env::var("NEXUS_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(|t| SecretString::from(t.trim().to_string()));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut terminal = ratatui::init();
    let size = terminal.size()?;
    let mut app = App::new(&args.api, args.read_only, chrono::Utc::now());
    app.size = (size.width, size.height);
    let keys_tx = tx.clone();
    std::thread::spawn(move || read_keys(keys_tx));
    let result = runtime::run(&mut terminal, app, tx, rx, Startup { env_token }).await;
    ratatui::restore();
    result
}

/// Reads terminal events on a thread of its own (crossterm's read blocks).
fn read_keys(tx: tokio::sync::mpsc::UnboundedSender<Input>) {
    use ratatui::crossterm::event::{self, Event};
    loop {
        let input = match event::read() {
            Ok(Event::Key(k)) => match Key::from_crossterm(&k) {
                Some(key) => Input::Key(key),
                None => continue,
            },
            Ok(Event::Resize(w, h)) => Input::Resize(w, h),
            Ok(_) => continue,
            Err(_) => return,
        };
        if tx.send(input).is_err() {
            return;
        }
    }
}
