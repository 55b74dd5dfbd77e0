//! The console over SSH: `nexus-tui ssh-serve` with a generated key in its authorized-keys
//! file, reached with the system OpenSSH client (`/usr/bin/ssh`) in a pseudo-terminal. The
//! key picks the user, the user signs in, the dashboard shows, a window resize re-lays it
//! out; an unknown key is refused.

mod pty;

use pty::{Console, command, start_api, start_api_with, tui_bin};
use std::path::{Path, PathBuf};
use std::process::Command;

const SSH: &str = "/usr/bin/ssh";
const SSH_KEYGEN: &str = "/usr/bin/ssh-keygen";

fn keygen(path: &Path) -> String {
    let ok = Command::new(SSH_KEYGEN)
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "test@nexus", "-f"])
        .arg(path)
        .status()
        .expect("run ssh-keygen")
        .success();
    assert!(ok, "ssh-keygen failed");
    std::fs::read_to_string(path.with_extension("pub")).unwrap()
}

/// The OpenSSH options of every connection here: the given key only, no host-key prompt or
/// record, no password fallback.
fn ssh_args<'a>(port: &'a str, key: &'a Path) -> Vec<&'a str> {
    vec![
        "-p",
        port,
        "-i",
        key.to_str().unwrap(),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "PasswordAuthentication=no",
        "-o",
        "LogLevel=ERROR",
    ]
}

fn ssh(port: &str, key: &Path) -> portable_pty::CommandBuilder {
    let mut args = vec!["-tt"];
    args.extend(ssh_args(port, key));
    args.push("ops@127.0.0.1");
    command(Path::new(SSH), &args)
}

/// Starts `nexus-tui ssh-serve` on a free port against `api` with the given authorized-keys
/// and host-key files; returns the process and its port.
fn ssh_serve(
    dir: &Path,
    api: &str,
    authorized_keys: &Path,
    host_key: &Path,
    env: &[(&str, &str)],
) -> (nexus_tests::Running, String) {
    let server = nexus_tests::start_process(
        &tui_bin(),
        dir,
        &[
            "ssh-serve",
            "--listen",
            "127.0.0.1:0",
            "--host-key",
            host_key.to_str().unwrap(),
            "--authorized-keys",
            authorized_keys.to_str().unwrap(),
            "--api",
            api,
            "--max-connections",
            "4",
        ],
        env,
        "listening on ",
    )
    .expect("start ssh-serve");
    let port = server
        .ready_line
        .split("listening on ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|a| a.rsplit(':').next())
        .expect("bound port")
        .to_string();
    (server, port)
}

#[test]
fn an_ssh_client_signs_in_and_reads_the_dashboard() {
    assert!(
        Path::new(SSH).exists() && Path::new(SSH_KEYGEN).exists(),
        "this test needs the OpenSSH client (apt-get install openssh-client)"
    );
    let dir = tempfile::tempdir().unwrap();
    let api = start_api(dir.path());

    let key: PathBuf = dir.path().join("id_ed25519");
    let public = keygen(&key);
    let stranger = dir.path().join("stranger");
    keygen(&stranger);
    let ak = dir.path().join("authorized_keys");
    std::fs::write(&ak, format!("# who may use the console\nUSER-001 {public}")).unwrap();
    let host_key = dir.path().join("host_key");

    let (_server, port) = ssh_serve(dir.path(), &api.base_url, &ak, &host_key, &[]);
    assert!(host_key.exists(), "the host key is kept");

    let mut c = Console::spawn(ssh(&port, &key), 24, 80);
    // The key chose the user; the console asks only for the password.
    c.wait_for("USER-001");
    c.wait_for("Sign in");
    c.send("admin123\r");
    c.wait_for("NexusOMS · Dashboard");
    c.wait_for("Orders by stage");

    // A larger window: the console redraws to the new width.
    c.resize(30, 120);
    c.wait_until("the title line spans 120 columns", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.trim_end().chars().count() > 100)
    });

    // A second connection gets a console of its own: signed out, while the first stays
    // signed in and on its view.
    let mut other = Console::spawn(ssh(&port, &key), 24, 80);
    other.wait_for("Sign in");
    c.send(":orders\r");
    c.wait_for("NexusOMS · Orders");
    assert!(other.screen().contains("Sign in"), "{}", other.screen());
    other.send("\x03");
    other.wait_exit();

    c.send("\x03");
    c.wait_exit();

    // A key that is not in the file gets nowhere.
    let out = Command::new(SSH)
        .args(ssh_args(&port, &stranger))
        .args(["ops@127.0.0.1", "true"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Permission denied"), "{err}");
}

/// With the API's gateway key, the SSH key is the only credential: the console opens on the
/// dashboard signed in as the key's user, without a password.
#[test]
fn with_the_gateway_key_the_public_key_alone_signs_in() {
    const GATEWAY_KEY: &str = "gateway-key-gateway-key-gateway-key-0123";
    assert!(
        Path::new(SSH).exists() && Path::new(SSH_KEYGEN).exists(),
        "this test needs the OpenSSH client (apt-get install openssh-client)"
    );
    let dir = tempfile::tempdir().unwrap();
    let api = start_api_with(dir.path(), &[("NEXUS_SSH_GATEWAY_KEY", GATEWAY_KEY)]);
    let key: PathBuf = dir.path().join("id_ed25519");
    let public = keygen(&key);
    let ak = dir.path().join("authorized_keys");
    std::fs::write(&ak, format!("WHM-001 {public}")).unwrap();
    let host_key = dir.path().join("host_key");
    let (_server, port) = ssh_serve(
        dir.path(),
        &api.base_url,
        &ak,
        &host_key,
        &[("NEXUS_SSH_GATEWAY_KEY", GATEWAY_KEY)],
    );

    // No password is typed: the dashboard opens as the key's user.
    let mut c = Console::spawn(ssh(&port, &key), 24, 80);
    c.wait_for("NexusOMS · Dashboard");
    c.wait_for("WHM-001");
    c.send("\x03");
    c.wait_exit();
}
