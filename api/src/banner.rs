//! The start-up banner (api.md §6.6, done honestly): every integration's real state, the
//! addresses to reach the API, how to open the console, and a warning while any account still
//! uses a default password.

use std::fmt::Write as _;

pub struct BannerInfo<'a> {
    /// One line per integration, as built (`AppState::integration_states`).
    pub integrations: &'a [(&'static str, String)],
    pub listen: std::net::SocketAddr,
    /// Users whose password is still one of the published demo passwords.
    pub default_password_users: Vec<String>,
    pub demo_summary: Option<String>,
    /// Settings that work here but not in the layout they suggest (see [`layout_warnings`]).
    pub warnings: Vec<String>,
}

/// With Redis the deployment is meant for several processes, and maybe several hosts; files
/// in a local folder then belong to one host only (docs/DEPLOYMENT.md).
pub fn layout_warnings(config: &nexus_core::config::Config) -> Vec<String> {
    let mut out = Vec::new();
    if config.redis_url.is_some()
        && matches!(config.blob, nexus_core::config::BlobSettings::Local { .. })
    {
        out.push(
            "Files are kept in a local folder while REDIS_URL spreads work over processes:              with more than one host, configure S3-compatible storage (docs/DEPLOYMENT.md)."
                .to_string(),
        );
    }
    out
}

/// What `--demo` did, in words: a restart on the same data must say plainly that it kept the
/// data it found (and added nothing), so nobody wonders whether orders were duplicated.
pub fn demo_summary(created: usize, already_present: usize) -> String {
    match (created, already_present) {
        (0, kept) => format!("found in the store and reused ({kept} demo records, none added)"),
        (new, 0) => format!("{new} demo records created"),
        (new, kept) => format!("{kept} demo records reused, {new} missing ones added"),
    }
}

pub fn render(info: &BannerInfo<'_>) -> String {
    let mut lines: Vec<String> = Vec::new();
    lines.push(format!("NexusOMS API v{}", env!("CARGO_PKG_VERSION")));
    lines.push(format!("Status     ONLINE  listening on {}", info.listen));
    for (name, state) in info.integrations {
        lines.push(format!("{name:<12} {state}"));
    }
    lines.push(format!(
        "{:<12} ws://127.0.0.1:{}/ws (JWT; topics orders, stock, jobs, alerts)",
        "WebSocket",
        info.listen.port()
    ));
    let mut out = String::new();
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(40) + 2;
    let _ = writeln!(out, "╔{}╗", "═".repeat(width));
    for l in &lines {
        let pad = width - 1 - l.chars().count();
        let _ = writeln!(out, "║ {l}{}║", " ".repeat(pad));
    }
    let _ = writeln!(out, "╚{}╝", "═".repeat(width));
    if let Some(s) = &info.demo_summary {
        let _ = writeln!(out, "  Demo data: {s}");
    }
    for w in &info.warnings {
        let _ = writeln!(out, "  ⚠ WARNING: {w}");
    }
    if !info.default_password_users.is_empty() {
        let _ = writeln!(
            out,
            "  ⚠ WARNING: {} account(s) still use a default password ({}). Change them before real use.",
            info.default_password_users.len(),
            info.default_password_users.join(", ")
        );
    }
    // The address comes last: scripts and tests read the banner up to this line.
    let port = info.listen.port();
    let _ = writeln!(
        out,
        "  Console: cargo run --bin nexus-tui -- --api http://127.0.0.1:{port}  (in the repository folder; over SSH: nexus-tui ssh-serve)"
    );
    let _ = writeln!(out, "  API:     http://127.0.0.1:{port}/api/health");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_core::config::Config;

    fn config(vars: &[(&str, &str)]) -> Config {
        Config::from_lookup(|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
        .unwrap()
    }

    #[test]
    fn local_files_with_redis_are_warned_about() {
        assert!(layout_warnings(&config(&[])).is_empty(), "embedded is fine");
        let w = layout_warnings(&config(&[("REDIS_URL", "redis://127.0.0.1:6390")]));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("S3-compatible storage"));
        let with_s3 = config(&[
            ("REDIS_URL", "redis://127.0.0.1:6390"),
            ("NEXUS_S3_BUCKET", "b"),
            ("NEXUS_S3_ENDPOINT", "http://127.0.0.1:9"),
            ("AWS_ACCESS_KEY_ID", "k"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ]);
        assert!(layout_warnings(&with_s3).is_empty());
    }
}
