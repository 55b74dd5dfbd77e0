//! The README is a contract: every command in its `sh` blocks is run here as written, so a
//! README edit that breaks a command (or a code change that breaks the README) fails the suite.
//!
//! What "as written" allows, and nothing more: the server listens on a free loopback port
//! instead of 3000 (`localhost:3000` in a command becomes that port), the data folder is a
//! scratch one (`NEXUS_DATA_DIR`), and the wrappers under `./scripts/` are also started from
//! a scratch folder by their full path (they promise to work from any folder, and a relative
//! `--out backup.db` must not land in the repository). A command this test does not know
//! fails it: a new README command needs a check here.
//!
//! One test, in the README's order, because the commands build on each other: the run
//! command's server answers the login curl and the console; the administration commands work
//! on its data; then it is stopped and started again on the same data, from another folder.

use nexus_tests::pty::Console;
use nexus_tests::redis::{RedisServer, free_port};
use nexus_tests::{Running, spawn_until};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A `cargo run` may compile first: the README's `cargo run --bin …` commands resolve
/// features for the whole workspace, so they share one build of the dependencies with each
/// other (`-p` would give each package its own feature set, and its own rebuild), but not
/// with the test build, which adds dev-dependencies and every feature. Generous, and still
/// bounded.
const BUILD_WAIT: Duration = Duration::from_secs(15 * 60);
const STOP_WAIT: Duration = Duration::from_secs(30);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

/// The commands of the `sh` blocks of a Markdown file: continuation lines joined, comments
/// (`  # …` outside quotes) and blank lines dropped.
fn sh_commands(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_block = !in_block && trimmed == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        let code = strip_comment(line);
        if let Some(head) = code.trim_end().strip_suffix('\\') {
            pending.push_str(head.trim());
            pending.push(' ');
            continue;
        }
        pending.push_str(code.trim());
        let cmd = std::mem::take(&mut pending).trim().to_string();
        if !cmd.is_empty() {
            out.push(cmd);
        }
    }
    out
}

fn strip_comment(line: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_whitespace() => return &line[..i],
            _ => {}
        }
        prev = c;
    }
    line
}

/// What a README command is, by its first words; the whole text is what runs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Run,
    Login,
    Console,
    Worker,
    TestSuite,
    AdminHelp,
    Script(&'static str),
}

fn classify(cmd: &str) -> Option<Kind> {
    let first = cmd.split_whitespace().next().unwrap_or_default();
    Some(match first {
        "./scripts/run.sh" => Kind::Run,
        "./scripts/test.sh" => Kind::TestSuite,
        "curl" if cmd.contains("/api/login") => Kind::Login,
        "cargo" if cmd.starts_with("cargo run --bin nexus-tui ") => Kind::Console,
        "cargo" if cmd.starts_with("cargo run --bin nexus-worker") => Kind::Worker,
        "cargo" if cmd.starts_with("cargo run --bin nexus-admin ") => Kind::AdminHelp,
        "./scripts/create-indexes.sh" => Kind::Script("create-indexes"),
        "./scripts/seed-data.sh" => Kind::Script("seed-data"),
        "./scripts/migrate-passwords.sh" => Kind::Script("migrate-passwords"),
        "./scripts/backup.sh" => Kind::Script("backup"),
        _ => return None,
    })
}

/// The scratch world the commands run in.
struct Sandbox {
    repo: PathBuf,
    /// A folder that is not the repository: the current folder of the wrappers.
    elsewhere: PathBuf,
    data: PathBuf,
    /// Everything the commands print on stderr (cargo's progress, logs), shown on failure.
    log: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

/// Variables that would take the product off its embedded defaults.
const OWN_PREFIXES: &[&str] = &[
    "NEXUS_",
    "MONGODB_",
    "REDIS_",
    "JWT_",
    "GEMINI_",
    "GOOGLE_MAPS_",
    "R2_",
    "DO_SPACES_",
    "AWS_",
    "ALLOWED_ORIGINS",
    "RATE_LIMIT_",
];

/// What `cargo test` sets for this test process and a user's shell does not have. Passed on,
/// they would also change build scripts' inputs (ring's tracks `CARGO_MANIFEST_DIR`) and make
/// every nested `cargo run` rebuild, and the next `cargo test` after it.
const CARGO_TEST_VARS: &[&str] = &[
    "CARGO_PKG_",
    "CARGO_BIN_",
    "CARGO_CRATE_",
    "CARGO_MANIFEST_",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
    "OUT_DIR",
    "RUST_TEST_",
];

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        Sandbox {
            repo: repo(),
            data: dir.path().join("data"),
            log: dir.path().join("stderr.log"),
            elsewhere,
            port: free_port(),
            _dir: dir,
        }
    }

    /// The user's environment (cargo, rustup, PATH, HOME) less anything of ours, on a free
    /// port and a scratch data folder.
    fn env(&self) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| {
                k != "PORT"
                    && !OWN_PREFIXES.iter().any(|p| k.starts_with(p))
                    && !CARGO_TEST_VARS.iter().any(|p| k.starts_with(p))
            })
            .collect();
        env.push(("PORT".into(), self.port.to_string()));
        env.push(("NEXUS_BIND".into(), "127.0.0.1".into()));
        env.push(("NEXUS_DATA_DIR".into(), self.data.display().to_string()));
        env
    }

    /// The command's text with the README's port replaced by ours.
    fn text(&self, cmd: &str) -> String {
        cmd.replace("localhost:3000", &format!("localhost:{}", self.port))
    }

    /// `bash -c TEXT` in `cwd`, stderr to the log.
    fn bash(&self, text: &str, cwd: &Path) -> Command {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut c = Command::new("bash");
        c.arg("-c")
            .arg(text)
            .current_dir(cwd)
            .env_clear()
            .envs(self.env())
            .stdin(Stdio::null())
            .stderr(log);
        c
    }

    /// Runs a command to its end and returns its stdout; fails the test unless it succeeds.
    fn output(&self, text: &str, cwd: &Path) -> String {
        let out = self.bash(text, cwd).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "`{text}` failed ({}); stdout:\n{stdout}\nstderr (tail):\n{}",
            out.status,
            self.log_tail()
        );
        stdout
    }

    /// A `./scripts/…` command started from another folder by its full path.
    fn elsewhere_text(&self, cmd: &str) -> String {
        let text = self.text(cmd);
        let rest = text.strip_prefix("./").expect("a ./scripts command");
        format!("{}/{rest}", self.repo.display())
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    fn start_api(&self, text: &str, cwd: &Path) -> Running {
        spawn_until(self.bash(text, cwd), text, "API:     ", BUILD_WAIT)
            .unwrap_or_else(|e| panic!("{e:#}\nstderr (tail):\n{}", self.log_tail()))
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// The console command the banner prints, without its trailing remark.
fn banner_console_command(banner: &str) -> String {
    let line = banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("Console: "))
        .unwrap_or_else(|| panic!("the banner names no console command:\n{banner}"));
    line.split("  (").next().unwrap().trim().to_string()
}

async fn order_count(base: &str, token: &str) -> usize {
    let res = reqwest::Client::new()
        .get(format!("{base}/api/orders?limit=500"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.headers()["x-total-count"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn every_readme_command_works_as_written() {
    let sb = Sandbox::new();
    let readme = std::fs::read_to_string(sb.repo.join("README.md")).unwrap();
    let commands = sh_commands(&readme);
    let unknown: Vec<&String> = commands.iter().filter(|c| classify(c).is_none()).collect();
    assert!(
        unknown.is_empty(),
        "README commands this test does not run (add a check for each): {unknown:#?}"
    );
    let kinds: Vec<Kind> = commands.iter().filter_map(|c| classify(c)).collect();
    assert_eq!(
        kinds.first(),
        Some(&Kind::Run),
        "the README's first command runs the product"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == Kind::TestSuite).count(),
        1,
        "the README gives one test command"
    );

    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut api: Option<Running> = None;
    let mut admin_token = String::new();
    for (cmd, kind) in commands.iter().zip(&kinds) {
        match kind {
            Kind::Run => {
                assert!(api.is_none(), "the README runs the server once");
                // As written, from the repository folder.
                let running = sb.start_api(&sb.text(cmd), &sb.repo);
                let banner = &running.output;
                for needle in [
                    format!("listening on 127.0.0.1:{}", sb.port),
                    format!(
                        "SQLite (embedded) at {}",
                        sb.data.join("nexus.db").display()
                    ),
                    "Demo data: ".to_string(),
                    "demo records created".to_string(),
                    "default password".to_string(),
                    "offline fallback".to_string(),
                ] {
                    assert!(
                        banner.contains(&needle),
                        "banner lacks `{needle}`:\n{banner}"
                    );
                }
                api = Some(running);
            }
            Kind::Login => {
                assert!(api.is_some(), "the login curl follows the run command");
                assert!(cmd.contains("localhost:3000"), "the README's port: {cmd}");
                let out = sb.output(&sb.text(cmd), &sb.repo);
                let v: serde_json::Value = serde_json::from_str(&out)
                    .unwrap_or_else(|e| panic!("login answer is not JSON ({e}): {out}"));
                assert_eq!(v["success"], true, "{v}");
                assert_eq!(v["user"]["role"], "Admin", "{v}");
                admin_token = v["token"].as_str().expect("a token").to_string();
            }
            Kind::Console => {
                let banner = &api.as_ref().expect("the console needs the server").output;
                // The banner tells a user the same command, for the address it listens on.
                assert_eq!(
                    banner_console_command(banner),
                    cmd.replace("localhost:3000", &format!("127.0.0.1:{}", sb.port)),
                    "the banner's console command is the README's"
                );
                let mut pty = portable_pty::CommandBuilder::new("bash");
                pty.args(["-c", &sb.text(cmd)]);
                pty.cwd(&sb.repo);
                pty.env_clear();
                for (k, v) in sb.env() {
                    pty.env(k, v);
                }
                pty.env("TERM", "xterm-256color");
                let mut console = Console::spawn(pty, 30, 120);
                console.set_wait(BUILD_WAIT);
                console.wait_for("Sign in");
                console.set_wait(Duration::from_secs(30));
                console.send("admin@nexusoms.com\tadmin123\r");
                console.wait_for("NexusOMS · Dashboard");
                console.send("\x03");
                assert!(console.wait_exit(), "the console exits cleanly on Ctrl-C");
            }
            Kind::Worker => {
                // "Same environment as nexus-api" in production: a Redis (our own) and the store.
                let redis = rt.block_on(RedisServer::start());
                let mut c = sb.bash(&sb.text(cmd), &sb.repo);
                c.env("REDIS_URL", redis.url());
                let mut worker = spawn_until(c, cmd, " ready: ", BUILD_WAIT)
                    .unwrap_or_else(|e| panic!("{e:#}\nstderr (tail):\n{}", sb.log_tail()));
                assert!(
                    worker.ready_line.contains("Redis"),
                    "the worker says it serves the Redis queue: {}",
                    worker.ready_line
                );
                let status = worker.terminate(STOP_WAIT).unwrap();
                assert!(status.success(), "the worker stops cleanly: {status}");
                drop(redis);
            }
            Kind::TestSuite => {
                // This very test runs inside it; what is checked is that CI runs exactly it.
                let ci = std::fs::read_to_string(sb.repo.join(".ci/run")).unwrap();
                assert!(
                    ci.lines().any(|l| l.trim() == cmd.as_str()),
                    ".ci/run does not call the README's test command `{cmd}`:\n{ci}"
                );
            }
            Kind::AdminHelp => {
                let out = sb.output(&sb.text(cmd), &sb.repo);
                for sub in [
                    "create-indexes",
                    "seed",
                    "migrate-passwords",
                    "backup",
                    "restore",
                ] {
                    assert!(out.contains(sub), "`{cmd}` lists no `{sub}`:\n{out}");
                }
            }
            Kind::Script(name) => {
                let out = sb.output(&sb.elsewhere_text(cmd), &sb.elsewhere);
                match *name {
                    "seed-data" => assert!(
                        out.contains("Nothing to do: the demo data is already there."),
                        "the run command seeded already, so a seed adds nothing:\n{out}"
                    ),
                    "backup" => {
                        let file = cmd.split_whitespace().last().unwrap();
                        let bytes = std::fs::read(sb.elsewhere.join(file)).unwrap_or_else(|e| {
                            panic!("`{cmd}` wrote no {file} in its current folder: {e}\n{out}")
                        });
                        assert!(
                            bytes.starts_with(b"SQLite format 3\0"),
                            "{file} is a database"
                        );
                    }
                    _ => {}
                }
            }
        }
    }

    // Stopped as Ctrl-C or a service manager would, it exits cleanly.
    let mut first = api.expect("the README runs the server");
    let orders = rt.block_on(order_count(&sb.base_url(), &admin_token));
    assert!(orders > 0, "the demo data has orders");
    let status = first.terminate(STOP_WAIT).unwrap();
    assert!(status.success(), "the server stops cleanly: {status}");

    // Started again, from another folder, on the same data: reused, nothing added twice.
    let run = commands[0].as_str();
    let mut again = sb.start_api(&sb.elsewhere_text(run), &sb.elsewhere);
    assert!(
        again
            .output
            .contains("Demo data: found in the store and reused"),
        "a second start says it reused the data:\n{}",
        again.output
    );
    assert!(
        again.output.contains(&format!(
            "SQLite (embedded) at {}",
            sb.data.join("nexus.db").display()
        )),
        "the same data folder from any current folder:\n{}",
        again.output
    );
    let token: serde_json::Value = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/api/login", sb.base_url()))
            .json(&serde_json::json!({"email": "admin@nexusoms.com", "password": "admin123"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let token = token["token"].as_str().expect("a token after restart");
    assert_eq!(
        rt.block_on(order_count(&sb.base_url(), token)),
        orders,
        "no order was added twice"
    );
    let status = again.terminate(STOP_WAIT).unwrap();
    assert!(status.success(), "the second start stops cleanly: {status}");
}

/// tui/README.md names `nexus-tui` commands that need a terminal or an SSH client; each is run
/// with `--help` appended, which checks every flag and subcommand it uses without starting it.
#[test]
fn every_console_readme_command_parses() {
    let sb = Sandbox::new();
    let md = std::fs::read_to_string(sb.repo.join("tui/README.md")).unwrap();
    let mut checked = 0;
    for cmd in sh_commands(&md) {
        // `VAR=value nexus-tui ARGS`: the variables stay, the binary becomes `cargo run`.
        let words: Vec<&str> = cmd.split_whitespace().collect();
        let at = words.iter().position(|w| !w.contains('='));
        let Some(at) = at.filter(|&i| words[i] == "nexus-tui") else {
            assert!(
                cmd.starts_with("ssh "),
                "tui/README.md: unknown command `{cmd}`"
            );
            continue;
        };
        let text = format!(
            "{} cargo run -q --bin nexus-tui -- {} --help",
            words[..at].join(" "),
            words[at + 1..].join(" ")
        );
        let out = sb.output(&text, &sb.repo);
        assert!(out.contains("Usage:"), "`{text}` printed no usage:\n{out}");
        checked += 1;
    }
    assert!(
        checked >= 5,
        "tui/README.md lost its commands ({checked} checked)"
    );
}

#[test]
fn readme_commands_are_read_as_a_shell_would() {
    let md = "text\n```sh\n./a.sh   # note\ncurl -X POST x \\\n  -d '{\"a\":\"#1\"}'\n```\n```json\n{}\n```\n";
    assert_eq!(
        sh_commands(md),
        vec!["./a.sh", "curl -X POST x -d '{\"a\":\"#1\"}'"]
    );
}
