//! `nexus-tui`: the operator console (orders, jobs, stock, credit, live events), an API
//! client over REST and WebSocket, also served over SSH. The console views are not built yet;
//! until they are, this binary says so instead of pretending to work.

use clap::Parser;

/// NexusOMS operator console.
///
/// A terminal console for operators: live orders, jobs and stock, talking to the NexusOMS
/// API (REST for actions, WebSocket for live updates); `ssh-serve` serves it over SSH.
#[derive(Parser, Debug)]
#[command(name = "nexus-tui", version, about, long_about)]
struct Args {
    /// Base URL of the NexusOMS API.
    #[arg(long, env = "NEXUS_API_URL", default_value = "http://127.0.0.1:3000")]
    api: String,
}

fn main() {
    let args = Args::parse();
    eprintln!(
        "nexus-tui {}: the console views are not built in this version yet; \
         use the API at {} (see docs/API_DOCUMENTATION.md once published). Exiting.",
        env!("CARGO_PKG_VERSION"),
        args.api
    );
    std::process::exit(2);
}
