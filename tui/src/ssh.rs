//! `nexus-tui ssh-serve`: the console over SSH (russh). Public keys only; an authorized-keys
//! file maps each key to the NexusOMS user it belongs to; the host key is generated once and
//! kept; every connection gets its own console (its own App, token and live feed); window
//! changes resize it; connections beyond the limit are turned away.
//!
//! Signing in: the key picks and locks the user. With a gateway key (`--gateway-key`, the
//! API's `NEXUS_SSH_GATEWAY_KEY`) the gateway signs that user in through
//! `POST /api/auth/gateway-login`, so the public key is the only credential asked for.
//! Without one the console asks for that user's password, as the API then issues tokens
//! only for a password. Either way RBAC and audit apply as for any client; the gateway key
//! lets its holder sign in as any active user, so it is kept like the JWT secret.

use crate::app::{App, Input};
use crate::keys::parse_bytes;
use crate::runtime::{self, Startup};
use anyhow::Context;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use russh::keys::{PrivateKey, PublicKey};
use russh::server::{
    Auth, ChannelOpenHandle, Config, Handle, Handler, Msg, PublicKeyOffer, Session,
    VerifiedPublicKey,
};
use russh::{Channel, ChannelId, ChannelOpenFailure, MethodKind, MethodSet, Pty};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// Switch to the alternate screen and hide the cursor; and back.
const ENTER: &[u8] = b"\x1b[?1049h\x1b[?25l";
const LEAVE: &[u8] = b"\x1b[?25h\x1b[?1049l";

/// What `ssh-serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub host_key: PathBuf,
    pub authorized_keys: PathBuf,
    pub api_url: String,
    pub read_only: bool,
    pub max_connections: usize,
    /// Shared with the API (`NEXUS_SSH_GATEWAY_KEY`): sign the mapped user in without a
    /// password.
    pub gateway_key: Option<secrecy::SecretString>,
}

/// One authorized key and the NexusOMS user (id or e-mail) it signs in as.
#[derive(Debug, Clone)]
pub struct AuthorizedKey {
    pub user: String,
    pub key: PublicKey,
}

/// Reads the authorized-keys file: one `USER key-type base64 [comment]` per line; blank
/// lines and `#` comments are skipped. A malformed line is an error naming its number, so
/// a typo never silently locks someone out (or in).
pub fn parse_authorized_keys(text: &str) -> anyhow::Result<Vec<AuthorizedKey>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (user, key) = line.split_once(char::is_whitespace).with_context(|| {
            format!(
                "line {}: expected `USER ssh-ed25519 AAAA… [comment]`",
                n + 1
            )
        })?;
        let key = PublicKey::from_openssh(key.trim())
            .map_err(|e| anyhow::anyhow!("line {}: not an OpenSSH public key: {e}", n + 1))?;
        out.push(AuthorizedKey {
            user: user.to_string(),
            key,
        });
    }
    Ok(out)
}

/// Loads the host key, or creates and keeps one (mode 0600) so clients see the same host
/// key on every start.
pub fn load_or_create_host_key(path: &Path) -> anyhow::Result<PrivateKey> {
    if path.exists() {
        return russh::keys::load_secret_key(path, None)
            .with_context(|| format!("reading the host key {}", path.display()));
    }
    // From a seed rather than `PrivateKey::random`: the seed comes from the thread RNG
    // (ChaCha, seeded by the OS), which spares a second generation of rand traits.
    let seed: [u8; 32] = rand::random();
    let pair = russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&seed);
    let key =
        PrivateKey::new(pair.into(), "nexus-tui host key").context("building the host key")?;
    let pem = key
        .to_openssh(russh::keys::ssh_key::LineEnding::LF)
        .context("encoding the host key")?;
    write_private(path, pem.as_bytes())
        .with_context(|| format!("writing the host key {}", path.display()))?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

struct Shared {
    keys: Vec<AuthorizedKey>,
    api_url: String,
    read_only: bool,
    gateway_key: Option<secrecy::SecretString>,
}

/// Serves until the listener fails. Prints `listening on ADDR` once bound (tests and
/// operators read the port from it when `--listen` has port 0).
pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let server = Server::prepare(&opts)?;
    let listener = TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("binding {}", opts.listen))?;
    let addr = listener.local_addr()?;
    println!(
        "nexus-tui ssh-serve listening on {addr} (API {})",
        opts.api_url
    );
    server.run(listener).await
}

/// A configured server, ready to accept on a listener.
pub struct Server {
    config: Arc<Config>,
    shared: Arc<Shared>,
    slots: Arc<Semaphore>,
}

impl Server {
    /// Reads the keys and the host key; every mistake is an error naming the file.
    pub fn prepare(opts: &ServeOptions) -> anyhow::Result<Server> {
        let text = std::fs::read_to_string(&opts.authorized_keys).with_context(|| {
            format!(
                "reading the authorized-keys file {} (one `USER ssh-ed25519 AAAA…` per line)",
                opts.authorized_keys.display()
            )
        })?;
        let keys = parse_authorized_keys(&text)
            .with_context(|| format!("in {}", opts.authorized_keys.display()))?;
        anyhow::ensure!(
            !keys.is_empty(),
            "{} lists no keys: nobody could sign in",
            opts.authorized_keys.display()
        );
        crate::api::ApiClient::new(&opts.api_url).map_err(|e| anyhow::anyhow!(e.0))?;
        let host_key = load_or_create_host_key(&opts.host_key)?;
        let mut methods = MethodSet::empty();
        methods.push(MethodKind::PublicKey);
        let config = Arc::new(Config {
            methods,
            keys: vec![host_key],
            inactivity_timeout: Some(Duration::from_secs(3600)),
            auth_rejection_time: Duration::from_secs(1),
            auth_rejection_time_initial: Some(Duration::from_secs(0)),
            nodelay: true,
            ..Default::default()
        });
        let shared = Arc::new(Shared {
            keys,
            api_url: opts.api_url.clone(),
            read_only: opts.read_only,
            gateway_key: opts.gateway_key.clone(),
        });
        Ok(Server {
            config,
            shared,
            slots: Arc::new(Semaphore::new(opts.max_connections.max(1))),
        })
    }

    /// Accepts until the listener fails; beyond the connection limit a client is closed
    /// at once, before the SSH handshake.
    pub async fn run(self, listener: TcpListener) -> anyhow::Result<()> {
        let Server {
            config,
            shared,
            slots,
        } = self;
        loop {
            let (socket, peer) = listener.accept().await?;
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                tracing::warn!(%peer, "connection refused: limit reached");
                drop(socket);
                continue;
            };
            let config = config.clone();
            let handler = Connection::new(shared.clone(), peer);
            tokio::spawn(async move {
                let _permit = permit;
                match russh::server::run_stream(config, socket, handler).await {
                    Ok(session) => {
                        if let Err(e) = session.await {
                            tracing::info!(%peer, error = %e, "ssh session ended");
                        }
                    }
                    Err(e) => tracing::info!(%peer, error = %e, "ssh handshake failed"),
                }
            });
        }
    }
}

/// One SSH connection: its user, its channel and the input of its console.
struct Connection {
    shared: Arc<Shared>,
    peer: SocketAddr,
    user: Option<String>,
    channel: Option<ChannelId>,
    size: (u16, u16),
    input: Option<UnboundedSender<Input>>,
}

impl Connection {
    fn new(shared: Arc<Shared>, peer: SocketAddr) -> Self {
        Connection {
            shared,
            peer,
            user: None,
            channel: None,
            size: (80, 24),
            input: None,
        }
    }

    fn user_for(&self, key: &PublicKey) -> Option<String> {
        self.shared
            .keys
            .iter()
            .find(|k| k.key.key_data() == key.key_data())
            .map(|k| k.user.clone())
    }

    /// Starts the console on the channel.
    fn start(&mut self, channel: ChannelId, handle: Handle) -> anyhow::Result<()> {
        if self.input.is_some() {
            return Ok(());
        }
        let (w, h) = self.size;
        let writer = ChannelWriter::start(handle, channel);
        let mut terminal = Terminal::with_options(
            CrosstermBackend::new(writer),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
            },
        )?;
        let (tx, rx) = unbounded_channel();
        let mut app = App::new(
            &self.shared.api_url,
            self.shared.read_only,
            chrono::Utc::now(),
        );
        app.size = (w, h);
        if let Some(u) = &self.user {
            app.lock_login_to(u);
        }
        self.input = Some(tx.clone());
        let peer = self.peer;
        let shared = self.shared.clone();
        let user = self.user.clone();
        tokio::spawn(async move {
            use std::io::Write;
            let _ = terminal.backend_mut().write_all(ENTER);
            let env_token = match (&shared.gateway_key, &user) {
                (Some(key), Some(user)) => match gateway_login(&shared.api_url, key, user).await {
                    Ok(token) => Some(token),
                    Err(e) => {
                        // The password prompt stays as the way in.
                        tracing::warn!(%peer, error = %e, "gateway sign-in refused");
                        None
                    }
                },
                _ => None,
            };
            let result = runtime::run(&mut terminal, app, tx, rx, Startup { env_token }).await;
            match result {
                Ok(()) => tracing::info!(%peer, "console closed"),
                Err(e) => tracing::info!(%peer, error = %e, "console ended with an error"),
            }
            let backend = terminal.backend_mut();
            let _ = backend.write_all(LEAVE);
            let _ = backend.flush();
            // Dropping the writer ends the channel (see ChannelWriter::start).
            drop(terminal);
        });
        Ok(())
    }
}

/// Signs `user` in with the gateway key; the access token for the console.
async fn gateway_login(
    api_url: &str,
    key: &secrecy::SecretString,
    user: &str,
) -> anyhow::Result<secrecy::SecretString> {
    use secrecy::ExposeSecret;
    let res = reqwest::Client::new()
        .post(format!(
            "{}/api/auth/gateway-login",
            api_url.trim_end_matches('/')
        ))
        .header("X-Gateway-Key", key.expose_secret())
        .json(&serde_json::json!({ "userId": user }))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .context("reaching the API")?;
    let status = res.status();
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    anyhow::ensure!(
        status.is_success(),
        "the API answered {status}: {}",
        body["error"]["message"].as_str().unwrap_or("no message")
    );
    let token = body["token"]
        .as_str()
        .context("the gateway sign-in answer has no token")?;
    Ok(secrecy::SecretString::from(token.to_string()))
}

/// The connection is gone (client quit, network cut): end its console, so a dropped
/// session leaves no console and no live feed behind.
impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(tx) = &self.input {
            let _ = tx.send(Input::Hangup);
        }
    }
}

impl Handler for Connection {
    type Error = anyhow::Error;

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        offer: PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(if self.user_for(offer.public_key).is_some() {
            Auth::Accept
        } else {
            Auth::reject()
        })
    }

    async fn auth_publickey(
        &mut self,
        _user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        match self.user_for(key.public_key) {
            Some(u) => {
                tracing::info!(peer = %self.peer, user = %u, "ssh key accepted");
                self.user = Some(u);
                Ok(Auth::Accept)
            }
            None => Ok(Auth::reject()),
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // One console per connection: a second session channel is refused.
        if self.channel.is_some() {
            reply
                .reject(ChannelOpenFailure::AdministrativelyProhibited)
                .await;
            return Ok(());
        }
        self.channel = Some(channel.id());
        reply.accept().await;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.size = (clamp(col_width), clamp(row_height));
        session.channel_success(channel)?;
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        self.start(channel, session.handle())
    }

    async fn data(
        &mut self,
        _channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(tx) = &self.input {
            for key in parse_bytes(data) {
                let _ = tx.send(Input::Key(key));
            }
        }
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        _channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.size = (clamp(col_width), clamp(row_height));
        if let Some(tx) = &self.input {
            let _ = tx.send(Input::Resize(self.size.0, self.size.1));
        }
        Ok(())
    }
}

/// Terminal sizes from the client, kept within what a frame can hold.
fn clamp(n: u32) -> u16 {
    n.clamp(10, 1000) as u16
}

/// The console's output: frames are buffered and sent to the SSH channel on flush by a
/// task of their own (the draw loop never waits on the network).
pub struct ChannelWriter {
    buf: Vec<u8>,
    tx: UnboundedSender<Vec<u8>>,
}

impl ChannelWriter {
    fn start(handle: Handle, channel: ChannelId) -> ChannelWriter {
        let (tx, mut rx) = unbounded_channel::<Vec<u8>>();
        tokio::spawn(async move {
            while let Some(bytes) = rx.recv().await {
                if handle.data(channel, bytes).await.is_err() {
                    return;
                }
            }
            // The console ended: close the channel so the client's ssh exits.
            let _ = handle.exit_status_request(channel, 0).await;
            let _ = handle.eof(channel).await;
            let _ = handle.close(channel).await;
        });
        ChannelWriter {
            buf: Vec::new(),
            tx,
        }
    }
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.buf);
        self.tx
            .send(bytes)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "ssh channel closed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILepLzZeCkf9QpMP4xUo8u/G5AfGuSZ9m1CViHL3NtiP ops@laptop";

    #[test]
    fn authorized_keys_map_users_and_name_bad_lines() {
        let text = format!("# operators\n\nUSER-001 {KEY}\n");
        let keys = parse_authorized_keys(&text).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].user, "USER-001");
        let err = parse_authorized_keys("USER-001\n").unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        let err = parse_authorized_keys("USER-001 ssh-ed25519 nonsense\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1: not an OpenSSH public key"), "{err}");
    }

    /// Options for a one-connection server in `dir`, its authorized keys file holding
    /// `keys`.
    fn one_slot_options(dir: &std::path::Path, keys: &str) -> ServeOptions {
        let ak = dir.join("ak");
        std::fs::write(&ak, keys).unwrap();
        ServeOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            host_key: dir.join("host_key"),
            authorized_keys: ak,
            api_url: "http://127.0.0.1:9".into(),
            read_only: false,
            max_connections: 1,
            gateway_key: None,
        }
    }

    #[tokio::test]
    async fn connections_beyond_the_limit_are_closed_before_the_handshake() {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
        let dir = tempfile::tempdir().unwrap();
        let opts = one_slot_options(dir.path(), &format!("USER-001 {KEY}\n"));
        let server = Server::prepare(&opts).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(server.run(listener));

        // The first client gets the server's SSH banner: it holds the only slot.
        let first = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut first = BufReader::new(first);
        let mut banner = String::new();
        first.read_line(&mut banner).await.unwrap();
        assert!(banner.starts_with("SSH-2.0-"), "{banner}");

        // The second is closed without a banner while the first is connected.
        let mut second = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut buf = Vec::new();
        let n = tokio::time::timeout(Duration::from_secs(10), second.read_to_end(&mut buf))
            .await
            .expect("the refused client is closed at once")
            .unwrap_or(0);
        assert_eq!(n, 0, "no banner for a client over the limit: {buf:?}");
        task.abort();
    }

    #[test]
    fn a_key_file_without_keys_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let opts = one_slot_options(dir.path(), "# nobody yet\n");
        let err = Server::prepare(&opts).err().unwrap().to_string();
        assert!(err.contains("lists no keys"), "{err}");
    }

    #[test]
    fn the_host_key_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("host_key");
        let a = load_or_create_host_key(&path).unwrap();
        let b = load_or_create_host_key(&path).unwrap();
        assert_eq!(a.public_key().key_data(), b.public_key().key_data());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
