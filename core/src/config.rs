//! One `Config`, read from the environment (and `.env`) once at start-up and validated there.
//! Unset means embedded or offline, never a crash; a value that is set but malformed is a
//! start-up error naming the variable. The legacy variable names stay valid
//! (`MONGODB_URI`, `JWT_SECRET`, `GEMINI_API_KEY`, `GOOGLE_MAPS_API_KEY`, `R2_*`, `DO_SPACES_*`).

use secrecy::{ExposeSecret, SecretString};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn err(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

/// Where documents live.
#[derive(Debug, Clone)]
pub enum StoreSettings {
    Sqlite { path: PathBuf },
    Mongo { uri: SecretString, database: String },
}

#[derive(Debug, Clone)]
pub enum BlobSettings {
    Local { dir: PathBuf },
    S3(S3Settings),
}

/// An S3-compatible bucket (Cloudflare R2, DigitalOcean Spaces, AWS, MinIO, moto).
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// The service's base URL; `None` means AWS's own regional endpoint.
    pub endpoint: Option<String>,
    pub region: String,
    pub bucket: String,
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    /// `https://host/bucket/key` rather than `https://bucket.host/key`: R2 and MinIO need
    /// it, and a local test server has no wildcard DNS for bucket subdomains.
    pub path_style: bool,
    /// Which provider the settings came from, for the banner (`R2`, `DO Spaces`, `S3`).
    pub provider: &'static str,
}

impl S3Settings {
    /// `<provider> bucket `<bucket>` at <host>`: what the banner and `/api/ready` show.
    pub fn describe(&self) -> String {
        format!(
            "{} bucket `{}`{}",
            self.provider,
            self.bucket,
            self.endpoint
                .as_deref()
                .map(|e| format!(" at {}", redact_host(e)))
                .unwrap_or_else(|| format!(" in {}", self.region))
        )
    }
}

#[derive(Debug, Clone)]
pub struct GeminiSettings {
    pub api_key: SecretString,
    pub model: String,
    pub base_url: String,
    /// Whole-request limit (`GEMINI_TIMEOUT_MS`, default 15 s). A credit controller waits
    /// on this answer, and the rule-based advisor answers at once when it runs out.
    pub timeout: Duration,
    /// Calls the whole deployment may make (`GEMINI_RATE_LIMIT`, default `15/1m`, the free
    /// tier's requests per minute); counted in Redis when there is one.
    pub rate_limit: Budget,
    /// Calls one process makes at once (`GEMINI_CONCURRENCY`, default 4).
    pub concurrency: usize,
}

/// Longest `GEMINI_TIMEOUT_MS` accepted: past two minutes a person has given up on the
/// screen, so a larger figure is a typo (seconds given as milliseconds the other way round).
pub const GEMINI_TIMEOUT_MAX: Duration = Duration::from_secs(120);

#[derive(Debug, Clone)]
pub struct MapsSettings {
    pub api_key: SecretString,
    pub base_url: String,
    pub timeout: Duration,
}

/// How background jobs run (ARCHITECTURE "Jobs"). The queue transport is apalis: Redis when
/// `REDIS_URL` is set, otherwise an SQLite queue file beside the store.
#[derive(Debug, Clone)]
pub struct JobSettings {
    /// The apalis SQLite queue file (`NEXUS_QUEUE_DB_PATH`, default `<data>/queue.db`). A file
    /// of its own: the queue keeps its own migrations table.
    pub queue_path: PathBuf,
    /// Jobs one worker process runs at once (`NEXUS_WORKER_CONCURRENCY`, default 2).
    pub concurrency: usize,
    /// How often a running job renews its lease and the queue its heartbeat
    /// (`NEXUS_JOB_HEARTBEAT`, default 10 s).
    pub heartbeat: Duration,
    /// A running job whose lease is this old belongs to a dead worker and is taken over
    /// (`NEXUS_JOB_LEASE`, default 60 s; at least twice the heartbeat).
    pub lease: Duration,
    /// Attempts before a job is dead (`NEXUS_JOB_MAX_ATTEMPTS`, default 3).
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt (`NEXUS_JOB_BACKOFF`, default 5 s).
    pub backoff: Duration,
    /// How long a master-data import request waits for its job to finish before it answers
    /// 202 with the job id (`NEXUS_IMPORT_WAIT`, default 20 s; `0s` answers 202 at once).
    /// Clients that follow progress live send `Prefer: respond-async` and never wait; the old
    /// mobile app treats only a 200 as success, and a master sheet of a few thousand rows
    /// finishes well inside this.
    pub import_wait: Duration,
    /// When the daily expiry scan runs: a six-field cron expression with seconds
    /// (`NEXUS_EXPIRY_SCAN_CRON`, default `0 0 2 * * *`), in `NEXUS_EXPIRY_SCAN_TZ`
    /// (default Asia/Kolkata). `off` disables the schedule (on-demand scans still work).
    pub expiry_cron: Option<String>,
    pub expiry_tz: chrono_tz::Tz,
    /// Fault injection for crash and cancel tests (`NEXUS_FAULT_HANG_AFTER_PROGRESS`, unset
    /// in real use): after this many progress reports of a job the job hangs, as if its
    /// machine froze, until it is cancelled — so a test can kill its worker, or cancel it,
    /// mid-job at a known point. Once per process: later runs go through.
    pub fault_hang_after_progress: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: IpAddr,
    pub port: u16,
    pub store: StoreSettings,
    /// `None` means "generate one and keep it in the data folder" (embedded mode).
    pub jwt_secret: Option<SecretString>,
    /// True when the secret came from the data folder rather than `JWT_SECRET`.
    pub jwt_secret_generated: bool,
    pub jwt_expiry: Duration,
    pub refresh_expiry: Duration,
    pub redis_url: Option<SecretString>,
    pub blob: BlobSettings,
    pub gemini: Option<GeminiSettings>,
    pub maps: Option<MapsSettings>,
    pub allowed_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` header names the client
    /// (`TRUSTED_PROXIES`, CIDRs or addresses, comma separated; default none: the TCP peer is
    /// the client, and a header sent by anyone else is ignored).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub rate_limit_window: Duration,
    pub rate_limit_max: u32,
    /// Uploads and imports (`NEXUS_UPLOAD_RATE_LIMIT`, e.g. `20/1m`).
    pub upload_rate_limit: Budget,
    /// The public logistics cost calculator (`NEXUS_COST_RATE_LIMIT`, e.g. `30/1m`).
    pub cost_rate_limit: Budget,
    pub data_dir: PathBuf,
    /// Seed the demo data set on start-up if the store is empty of it.
    pub demo_data: bool,
    /// Run the job workers inside the API process (embedded mode default).
    pub in_process_worker: bool,
    /// bcrypt cost for new password hashes (12; tests lower it for speed).
    pub bcrypt_cost: u32,
    /// How to reach the data protection officer (`NEXUS_DPO_CONTACT`), shown by the GDPR
    /// retention policy; unset means "not published".
    pub dpo_contact: Option<String>,
    /// The seller printed on invoices (`NEXUS_COMPANY_NAME`, default `NexusOMS Distribution`)
    /// and its GST number (`NEXUS_COMPANY_GSTIN`, 15 characters; unset prints none).
    pub company_name: String,
    pub company_gstin: Option<String>,
    /// The shared key of the console's SSH gateway (`NEXUS_SSH_GATEWAY_KEY`, at least 32
    /// characters): with it, `nexus-tui ssh-serve` signs in the user its authorized-keys
    /// file maps a key to, without a password. Unset: no gateway sign-in (the SSH console
    /// asks for the password).
    pub ssh_gateway_key: Option<SecretString>,
    /// WebSocket heartbeat: the server pings this often, re-checks the user, and closes a
    /// socket that missed two pongs (`NEXUS_WS_HEARTBEAT`, default 25 s like Socket.IO).
    pub ws_heartbeat: Duration,
    /// How long a WebSocket opened without a token may take to send its `auth` message
    /// (`NEXUS_WS_AUTH_TIMEOUT`, default 10 s).
    pub ws_auth_timeout: Duration,
    /// Orders whose credit check passes (within the limit, nothing overdue) skip the credit
    /// queue and are recorded as approved by rule (`NEXUS_CREDIT_AUTO_APPROVE`, default off:
    /// a person approves every order).
    pub credit_auto_approve: bool,
    pub jobs: JobSettings,
}

impl Config {
    /// The store part of the settings, in the shape the store adapters take.
    #[cfg(any(feature = "sqlite", feature = "mongo"))]
    pub fn store_config(&self) -> crate::store::StoreConfig {
        let mut sc = crate::store::StoreConfig::default();
        match &self.store {
            StoreSettings::Sqlite { path } => sc.sqlite_path = path.clone(),
            StoreSettings::Mongo { uri, database } => {
                sc.mongodb_uri = Some(uri.clone());
                sc.mongodb_db = Some(database.clone());
            }
        }
        sc
    }

    /// Makes sure there is a signing secret: `JWT_SECRET` when set, otherwise one generated
    /// once and kept (mode 0600) in the data folder, so embedded installs need no setup and
    /// tokens survive a restart.
    pub fn resolve_jwt_secret(&mut self) -> std::io::Result<()> {
        if self.jwt_secret.is_some() {
            return Ok(());
        }
        let path = self.data_dir.join("jwt.secret");
        let secret = match std::fs::read_to_string(&path) {
            Ok(s) if s.trim().len() >= 32 => s.trim().to_string(),
            _ => {
                use rand::Rng;
                let bytes: [u8; 32] = rand::rng().random();
                let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                std::fs::create_dir_all(&self.data_dir)?;
                let tmp = path.with_extension("tmp");
                std::fs::write(&tmp, &hex)?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
                }
                std::fs::rename(&tmp, &path)?;
                hex
            }
        };
        self.jwt_secret = Some(SecretString::from(secret));
        self.jwt_secret_generated = true;
        Ok(())
    }

    /// Reads the process environment, after loading `.env` if one is present.
    pub fn from_env() -> Result<Config, ConfigError> {
        let _ = dotenvy::dotenv();
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get`, so tests can supply their own environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let val = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };

        let port = match val("PORT") {
            Some(p) => p
                .parse::<u16>()
                .map_err(|_| err("PORT", format!("`{p}` is not a port number")))?,
            None => 3000,
        };
        let bind = match val("NEXUS_BIND") {
            Some(b) => b
                .parse()
                .map_err(|_| err("NEXUS_BIND", format!("`{b}` is not an IP address")))?,
            None => IpAddr::from([0, 0, 0, 0]),
        };
        let data_dir = PathBuf::from(val("NEXUS_DATA_DIR").unwrap_or_else(|| "./data".into()));

        let store = match val("MONGODB_URI") {
            Some(uri) if uri.contains("your_mongodb") => {
                return Err(err(
                    "MONGODB_URI",
                    "still holds the example value from the old .env template; unset it to use the embedded SQLite store",
                ));
            }
            Some(uri) => {
                use crate::store::open::{database_from_uri, db_name_problem, mongodb_uri_problem};
                if let Some(why) = mongodb_uri_problem(&uri) {
                    return Err(err("MONGODB_URI", why));
                }
                let database = match val("NEXUS_MONGODB_DB") {
                    Some(db) => match db_name_problem(&db) {
                        Some(why) => return Err(err("NEXUS_MONGODB_DB", why)),
                        None => db,
                    },
                    None => database_from_uri(&uri)
                        .map_err(|why| err("MONGODB_URI", why))?
                        .unwrap_or_else(|| crate::store::open::DEFAULT_MONGODB_DB.into()),
                };
                StoreSettings::Mongo {
                    uri: SecretString::from(uri),
                    database,
                }
            }
            None => StoreSettings::Sqlite {
                path: val("NEXUS_DB_PATH")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| data_dir.join("nexus.db")),
            },
        };

        let jwt_secret = match val("JWT_SECRET") {
            Some(s) if s.len() < 32 => {
                return Err(err(
                    "JWT_SECRET",
                    "must be at least 32 characters (a leaked short secret lets anyone mint tokens)",
                ));
            }
            Some(s) => Some(SecretString::from(s)),
            None => None,
        };
        let jwt_expiry = duration_var(&val, "JWT_EXPIRY", Duration::from_secs(3600))?;
        let refresh_expiry =
            duration_var(&val, "NEXUS_REFRESH_EXPIRY", Duration::from_secs(7 * 86400))?;

        let redis_url = match val("REDIS_URL") {
            Some(u) => {
                let parsed = url::Url::parse(&u)
                    .map_err(|e| err("REDIS_URL", format!("not a URL ({e})")))?;
                if !matches!(parsed.scheme(), "redis" | "rediss") {
                    return Err(err("REDIS_URL", "must start with redis:// or rediss://"));
                }
                Some(SecretString::from(u))
            }
            None => None,
        };

        let blob = blob_settings(&val, &data_dir)?;

        let gemini = match val("GEMINI_API_KEY").filter(|k| !k.contains("your-gemini")) {
            Some(key) => Some(GeminiSettings {
                api_key: SecretString::from(key),
                model: val("GEMINI_MODEL").unwrap_or_else(|| "gemini-2.0-flash".into()),
                base_url: url_var(
                    &val,
                    "GEMINI_BASE_URL",
                    "https://generativelanguage.googleapis.com",
                )?,
                timeout: millis_var(
                    &val,
                    "GEMINI_TIMEOUT_MS",
                    Duration::from_secs(15),
                    GEMINI_TIMEOUT_MAX,
                )?,
                rate_limit: budget_var(&val, "GEMINI_RATE_LIMIT", Budget::per_minute(15))?,
                concurrency: match val("GEMINI_CONCURRENCY") {
                    None => 4,
                    Some(v) => v
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=64).contains(n))
                        .ok_or_else(|| err("GEMINI_CONCURRENCY", "a whole number from 1 to 64"))?,
                },
            }),
            None => None,
        };
        let maps = match val("GOOGLE_MAPS_API_KEY").filter(|k| !k.contains("your-google")) {
            Some(key) => Some(MapsSettings {
                api_key: SecretString::from(key),
                base_url: url_var(&val, "GOOGLE_MAPS_BASE_URL", "https://maps.googleapis.com")?,
                timeout: duration_var(&val, "GOOGLE_MAPS_TIMEOUT", Duration::from_secs(5))?,
            }),
            None => None,
        };

        let trusted_proxies = val("TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        err(
                            "TRUSTED_PROXIES",
                            format!("`{s}` is not an address or CIDR (e.g. 10.0.0.0/8)"),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let allowed_origins = val("ALLOWED_ORIGINS")
            .map(|s| {
                s.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_string())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_else(|| {
                vec![
                    "http://localhost:3000".into(),
                    "http://localhost:8080".into(),
                ]
            });
        for o in &allowed_origins {
            if o == "*" {
                return Err(err(
                    "ALLOWED_ORIGINS",
                    "`*` is not allowed with credentials; list the origins",
                ));
            }
            url::Url::parse(o)
                .map_err(|e| err("ALLOWED_ORIGINS", format!("`{o}` is not an origin ({e})")))?;
        }
        let rate_limit_window = match val("RATE_LIMIT_WINDOW_MS") {
            Some(ms) => Duration::from_millis(ms.parse().map_err(|_| {
                err(
                    "RATE_LIMIT_WINDOW_MS",
                    format!("`{ms}` is not a number of milliseconds"),
                )
            })?),
            None => Duration::from_secs(15 * 60),
        };
        let rate_limit_max = match val("RATE_LIMIT_MAX_REQUESTS") {
            Some(n) => n.parse().map_err(|_| {
                err(
                    "RATE_LIMIT_MAX_REQUESTS",
                    format!("`{n}` is not a whole number"),
                )
            })?,
            None => 500,
        };
        let upload_rate_limit =
            budget_var(&val, "NEXUS_UPLOAD_RATE_LIMIT", Budget::per_minute(20))?;
        let cost_rate_limit = budget_var(&val, "NEXUS_COST_RATE_LIMIT", Budget::per_minute(30))?;
        let demo_data = bool_var(&val, "NEXUS_DEMO_DATA", false)?;
        let credit_auto_approve = bool_var(&val, "NEXUS_CREDIT_AUTO_APPROVE", false)?;
        let in_process_worker = bool_var(&val, "NEXUS_IN_PROCESS_WORKER", redis_url.is_none())?;
        let bcrypt_cost = match val("NEXUS_BCRYPT_COST") {
            Some(c) => match c.parse::<u32>() {
                Ok(n) if (4..=31).contains(&n) => n,
                _ => {
                    return Err(err(
                        "NEXUS_BCRYPT_COST",
                        format!("`{c}` is not a bcrypt cost between 4 and 31"),
                    ));
                }
            },
            None => 12,
        };

        let ws_heartbeat = duration_var(&val, "NEXUS_WS_HEARTBEAT", Duration::from_secs(25))?;
        let ws_auth_timeout = duration_var(&val, "NEXUS_WS_AUTH_TIMEOUT", Duration::from_secs(10))?;
        for (var, d) in [
            ("NEXUS_WS_HEARTBEAT", ws_heartbeat),
            ("NEXUS_WS_AUTH_TIMEOUT", ws_auth_timeout),
        ] {
            if d.is_zero() {
                return Err(err(var, "must be above zero"));
            }
        }

        let jobs = job_settings(&val, &data_dir)?;
        let ssh_gateway_key = match val("NEXUS_SSH_GATEWAY_KEY") {
            Some(k) if k.chars().count() < 32 => {
                return Err(err(
                    "NEXUS_SSH_GATEWAY_KEY",
                    "must be at least 32 characters (it lets the gateway sign users in)",
                ));
            }
            k => k.map(SecretString::from),
        };

        let company_name = val("NEXUS_COMPANY_NAME")
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "NexusOMS Distribution".to_string());
        let company_gstin = match val("NEXUS_COMPANY_GSTIN").map(|g| g.trim().to_uppercase()) {
            Some(g) if g.is_empty() => None,
            Some(g) if g.len() != 15 || !g.chars().all(|c| c.is_ascii_alphanumeric()) => {
                return Err(err(
                    "NEXUS_COMPANY_GSTIN",
                    "must be a 15-character GSTIN such as 27AAACN1234F1Z5",
                ));
            }
            g => g,
        };

        Ok(Config {
            bind,
            port,
            store,
            jwt_secret,
            jwt_secret_generated: false,
            jwt_expiry,
            refresh_expiry,
            redis_url,
            blob,
            gemini,
            maps,
            allowed_origins,
            trusted_proxies,
            rate_limit_window,
            rate_limit_max,
            upload_rate_limit,
            cost_rate_limit,
            data_dir,
            demo_data,
            in_process_worker,
            bcrypt_cost,
            dpo_contact: val("NEXUS_DPO_CONTACT"),
            company_name,
            company_gstin,
            ssh_gateway_key,
            ws_heartbeat,
            ws_auth_timeout,
            credit_auto_approve,
            jobs,
        })
    }

    /// One line per integration, for the start-up banner and `/api/ready`. Never includes a
    /// secret: connection strings are reduced to their host.
    pub fn integration_states(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        v.push((
            "Database",
            match &self.store {
                StoreSettings::Sqlite { path } => {
                    format!("SQLite (embedded) at {}", path.display())
                }
                StoreSettings::Mongo { uri, database } => {
                    format!("MongoDB {} / {database}", redact_host(uri.expose_secret()))
                }
            },
        ));
        let redis = self
            .redis_url
            .as_ref()
            .map(|u| redact_host(u.expose_secret()));
        let workers = if self.in_process_worker {
            format!("{} in-process worker(s)", self.jobs.concurrency)
        } else {
            "no in-process workers: run nexus-worker".to_string()
        };
        v.push((
            "Job queue",
            match &redis {
                Some(h) => format!("apalis on Redis {h}; {workers}"),
                None => format!(
                    "apalis on SQLite (embedded) at {}; {workers}",
                    self.jobs.queue_path.display()
                ),
            },
        ));
        v.push((
            "Expiry scan",
            match &self.jobs.expiry_cron {
                Some(c) => format!("cron `{c}` ({})", self.jobs.expiry_tz),
                None => "schedule off (NEXUS_EXPIRY_SCAN_CRON=off); on demand only".into(),
            },
        ));
        v.push((
            "Events",
            match &redis {
                Some(h) => format!("Redis pub/sub {h}"),
                None => "in-process channel".into(),
            },
        ));
        v.push((
            "File storage",
            match &self.blob {
                BlobSettings::Local { dir } => format!("local folder {}", dir.display()),
                BlobSettings::S3(s3) => s3.describe(),
            },
        ));
        v.push((
            "Gemini AI",
            match &self.gemini {
                Some(g) => format!("configured (model {})", g.model),
                None => {
                    "offline fallback: rule-based credit advisor (GEMINI_API_KEY not set)".into()
                }
            },
        ));
        v.push((
            "Google Maps",
            match &self.maps {
                Some(_) => "configured (Distance Matrix)".into(),
                None => {
                    "offline fallback: built-in city distance table (GOOGLE_MAPS_API_KEY not set)"
                        .into()
                }
            },
        ));
        v.push((
            "JWT secret",
            match &self.jwt_secret {
                Some(_) if !self.jwt_secret_generated => "from JWT_SECRET".into(),
                _ => format!(
                    "generated, kept in {}",
                    self.data_dir.join("jwt.secret").display()
                ),
            },
        ));
        v
    }
}

fn bool_var(
    val: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match val(var).map(|s| s.to_ascii_lowercase()) {
        None => Ok(default),
        Some(s) if ["1", "true", "yes", "on"].contains(&s.as_str()) => Ok(true),
        Some(s) if ["0", "false", "no", "off"].contains(&s.as_str()) => Ok(false),
        Some(s) => Err(err(var, format!("`{s}` is not true/false"))),
    }
}

fn url_var(
    val: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: &str,
) -> Result<String, ConfigError> {
    let v = val(var).unwrap_or_else(|| default.to_string());
    url::Url::parse(&v).map_err(|e| err(var, format!("`{v}` is not a URL ({e})")))?;
    Ok(v.trim_end_matches('/').to_string())
}

/// A whole number of milliseconds, above zero and at most `max`.
fn millis_var(
    val: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: Duration,
    max: Duration,
) -> Result<Duration, ConfigError> {
    let Some(s) = val(var) else {
        return Ok(default);
    };
    match s.parse::<u64>() {
        Ok(ms) if ms > 0 && u128::from(ms) <= max.as_millis() => Ok(Duration::from_millis(ms)),
        _ => Err(err(
            var,
            format!(
                "`{s}` is not a number of milliseconds between 1 and {}",
                max.as_millis()
            ),
        )),
    }
}

/// Durations as `90s`, `15m`, `1h`, `7d` (the legacy `JWT_EXPIRY` form) or bare seconds.
fn duration_var(
    val: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let Some(s) = val(var) else {
        return Ok(default);
    };
    parse_duration(&s).ok_or_else(|| {
        err(
            var,
            format!("`{s}` is not a duration like 90s, 15m, 1h or 7d"),
        )
    })
}

fn job_settings(
    val: &impl Fn(&str) -> Option<String>,
    data_dir: &std::path::Path,
) -> Result<JobSettings, ConfigError> {
    let whole =
        |var: &'static str, default: u64, range: std::ops::RangeInclusive<u64>| match val(var) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| {
                    err(
                        var,
                        format!(
                            "`{v}` is not a whole number from {} to {}",
                            range.start(),
                            range.end()
                        ),
                    )
                }),
        };
    let heartbeat = duration_var(val, "NEXUS_JOB_HEARTBEAT", Duration::from_secs(10))?;
    let lease = duration_var(val, "NEXUS_JOB_LEASE", Duration::from_secs(60))?;
    let backoff = duration_var(val, "NEXUS_JOB_BACKOFF", Duration::from_secs(5))?;
    let import_wait = duration_var(val, "NEXUS_IMPORT_WAIT", Duration::from_secs(20))?;
    if import_wait > Duration::from_secs(120) {
        return Err(err(
            "NEXUS_IMPORT_WAIT",
            "must be at most 120s: a request held longer outlives proxies' timeouts",
        ));
    }
    if heartbeat.is_zero() {
        return Err(err("NEXUS_JOB_HEARTBEAT", "must be above zero"));
    }
    if lease < heartbeat * 2 {
        return Err(err(
            "NEXUS_JOB_LEASE",
            "must be at least twice NEXUS_JOB_HEARTBEAT, or live jobs would be taken over",
        ));
    }
    let expiry_cron = match val("NEXUS_EXPIRY_SCAN_CRON") {
        Some(v) if v.eq_ignore_ascii_case("off") => None,
        Some(v) => {
            <cron::Schedule as std::str::FromStr>::from_str(&v).map_err(|e| {
                err(
                    "NEXUS_EXPIRY_SCAN_CRON",
                    format!("`{v}` is not a cron expression with seconds ({e})"),
                )
            })?;
            Some(v)
        }
        None => Some("0 0 2 * * *".to_string()),
    };
    let tz_name = val("NEXUS_EXPIRY_SCAN_TZ").unwrap_or_else(|| "Asia/Kolkata".into());
    let expiry_tz = tz_name.parse::<chrono_tz::Tz>().map_err(|_| {
        err(
            "NEXUS_EXPIRY_SCAN_TZ",
            format!("`{tz_name}` is not an IANA time zone"),
        )
    })?;
    Ok(JobSettings {
        queue_path: val("NEXUS_QUEUE_DB_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("queue.db")),
        concurrency: whole("NEXUS_WORKER_CONCURRENCY", 2, 1..=64)? as usize,
        heartbeat,
        lease,
        max_attempts: whole("NEXUS_JOB_MAX_ATTEMPTS", 3, 1..=20)? as u32,
        backoff,
        import_wait,
        expiry_cron,
        expiry_tz,
        fault_hang_after_progress: match val("NEXUS_FAULT_HANG_AFTER_PROGRESS") {
            None => None,
            Some(_) => Some(whole("NEXUS_FAULT_HANG_AFTER_PROGRESS", 0, 1..=1_000_000)?),
        },
    })
}

/// A request budget: at most `max` requests per `window`, written `max/window` (`20/1m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub max: u32,
    pub window: Duration,
}

impl Budget {
    pub const fn per_minute(max: u32) -> Self {
        Budget {
            max,
            window: Duration::from_secs(60),
        }
    }
}

impl std::str::FromStr for Budget {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let (max, window) = s.split_once('/').ok_or(())?;
        let max: u32 = max.trim().parse().map_err(|_| ())?;
        let window = parse_duration(window).ok_or(())?;
        if max == 0 || window.is_zero() {
            return Err(());
        }
        Ok(Budget { max, window })
    }
}

fn budget_var(
    val: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: Budget,
) -> Result<Budget, ConfigError> {
    match val(var) {
        None => Ok(default),
        Some(s) => s.parse().map_err(|_| {
            err(
                var,
                format!("`{s}` is not a budget like 20/1m (requests per window, both above zero)"),
            )
        }),
    }
}

pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num.parse().ok()?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "ms" => return Some(Duration::from_millis(n)),
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

fn blob_settings(
    val: &impl Fn(&str) -> Option<String>,
    data_dir: &std::path::Path,
) -> Result<BlobSettings, ConfigError> {
    // Cloudflare R2 (the names the seed document uses).
    let r2 = [
        "R2_ACCOUNT_ID",
        "R2_ACCESS_KEY_ID",
        "R2_SECRET_ACCESS_KEY",
        "R2_BUCKET_NAME",
    ];
    if r2.iter().any(|k| val(k).is_some()) {
        let mut got = Vec::new();
        for k in r2 {
            got.push(val(k).ok_or_else(|| {
                err(
                    k_static(k),
                    "the other R2_* variables are set; this one is missing",
                )
            })?);
        }
        if got[0].contains("your-cloudflare") {
            return Err(err(
                "R2_ACCOUNT_ID",
                "still holds the example value from the old .env template",
            ));
        }
        return Ok(BlobSettings::S3(S3Settings {
            endpoint: Some(format!("https://{}.r2.cloudflarestorage.com", got[0])),
            region: "auto".into(),
            access_key_id: got[1].clone(),
            secret_access_key: SecretString::from(got[2].clone()),
            bucket: got[3].clone(),
            path_style: true,
            provider: "Cloudflare R2",
        }));
    }
    // DigitalOcean Spaces (what the legacy code actually used).
    let spaces = [
        "DO_SPACES_KEY",
        "DO_SPACES_SECRET",
        "DO_SPACES_REGION",
        "DO_SPACES_BUCKET",
    ];
    if spaces.iter().any(|k| val(k).is_some()) {
        let mut got = Vec::new();
        for k in spaces {
            got.push(val(k).ok_or_else(|| {
                err(
                    k_static(k),
                    "the other DO_SPACES_* variables are set; this one is missing",
                )
            })?);
        }
        return Ok(BlobSettings::S3(S3Settings {
            endpoint: Some(format!("https://{}.digitaloceanspaces.com", got[2])),
            region: got[2].clone(),
            access_key_id: got[0].clone(),
            secret_access_key: SecretString::from(got[1].clone()),
            bucket: got[3].clone(),
            path_style: false,
            provider: "DigitalOcean Spaces",
        }));
    }
    // Any S3-compatible service (AWS, MinIO, moto).
    if let Some(bucket) = val("NEXUS_S3_BUCKET") {
        let endpoint = match val("NEXUS_S3_ENDPOINT") {
            Some(e) => {
                url::Url::parse(&e)
                    .map_err(|x| err("NEXUS_S3_ENDPOINT", format!("`{e}` is not a URL ({x})")))?;
                Some(e)
            }
            None => None,
        };
        return Ok(BlobSettings::S3(S3Settings {
            endpoint,
            region: val("NEXUS_S3_REGION")
                .or_else(|| val("AWS_REGION"))
                .unwrap_or_else(|| "us-east-1".into()),
            bucket,
            access_key_id: val("AWS_ACCESS_KEY_ID")
                .ok_or_else(|| err("AWS_ACCESS_KEY_ID", "required with NEXUS_S3_BUCKET"))?,
            secret_access_key: SecretString::from(
                val("AWS_SECRET_ACCESS_KEY")
                    .ok_or_else(|| err("AWS_SECRET_ACCESS_KEY", "required with NEXUS_S3_BUCKET"))?,
            ),
            path_style: bool_var(val, "NEXUS_S3_PATH_STYLE", false)?,
            provider: "S3",
        }));
    }
    Ok(BlobSettings::Local {
        dir: val("NEXUS_BLOB_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("blobs")),
    })
}

fn k_static(k: &str) -> &'static str {
    [
        "R2_ACCOUNT_ID",
        "R2_ACCESS_KEY_ID",
        "R2_SECRET_ACCESS_KEY",
        "R2_BUCKET_NAME",
        "DO_SPACES_KEY",
        "DO_SPACES_SECRET",
        "DO_SPACES_REGION",
        "DO_SPACES_BUCKET",
    ]
    .into_iter()
    .find(|x| *x == k)
    .unwrap_or("storage")
}

/// `mongodb+srv://user:pass@cluster0.example.net/db?x=y` → `cluster0.example.net`.
fn redact_host(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => "(host hidden)".into(),
        },
        Err(_) => "(unparsable, hidden)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn trusted_proxies_are_cidrs_or_addresses() {
        let c = cfg(&[("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7 ,::1")]).unwrap();
        assert_eq!(c.trusted_proxies.len(), 3);
        assert!(cfg(&[]).unwrap().trusted_proxies.is_empty());
        let e = cfg(&[("TRUSTED_PROXIES", "10.0.0.0/8,lb.internal")]).unwrap_err();
        assert_eq!(e.var, "TRUSTED_PROXIES");
    }

    #[test]
    fn request_budgets_are_configurable_and_checked() {
        let c = cfg(&[
            ("NEXUS_UPLOAD_RATE_LIMIT", "5/30s"),
            ("NEXUS_COST_RATE_LIMIT", "100/1h"),
        ])
        .unwrap();
        assert_eq!(
            c.upload_rate_limit,
            Budget {
                max: 5,
                window: Duration::from_secs(30)
            }
        );
        assert_eq!(c.cost_rate_limit.window, Duration::from_secs(3600));
        for bad in ["0/1m", "5", "5/0s", "x/1m", "5/soon"] {
            let e = cfg(&[("NEXUS_UPLOAD_RATE_LIMIT", bad)]).unwrap_err();
            assert_eq!(e.var, "NEXUS_UPLOAD_RATE_LIMIT", "{bad}");
        }
    }

    /// The store settings are read here only (the admin tool, the worker and the API share
    /// this parser): database from `NEXUS_MONGODB_DB`, else the URI path, else `nexusoms`.
    #[test]
    fn store_settings_come_from_one_parser() {
        let db = |pairs: &[(&str, &str)]| match cfg(pairs).unwrap().store {
            StoreSettings::Mongo { database, .. } => database,
            StoreSettings::Sqlite { path } => format!("sqlite:{}", path.display()),
        };
        assert_eq!(db(&[]), "sqlite:./data/nexus.db");
        assert_eq!(
            db(&[("MONGODB_URI", "  "), ("NEXUS_DB_PATH", "/tmp/x.db")]),
            "sqlite:/tmp/x.db"
        );
        assert_eq!(
            db(&[(
                "MONGODB_URI",
                "mongodb://u:p@h1:27017,h2/legacy?retryWrites=true"
            )]),
            "legacy"
        );
        assert_eq!(
            db(&[
                ("MONGODB_URI", "mongodb+srv://u:p@cluster.example/legacy"),
                ("NEXUS_MONGODB_DB", "other"),
            ]),
            "other"
        );
        assert_eq!(
            db(&[("MONGODB_URI", "mongodb://localhost:27017/?replicaSet=rs0")]),
            "nexusoms"
        );
        for bad in [
            "postgres://u:secretpw@h/db",
            "mongodb://",
            "mongodb://u:secretpw@/db",
            "mongodb://h/bad.name",
        ] {
            let e = cfg(&[("MONGODB_URI", bad)]).unwrap_err();
            assert_eq!(e.var, "MONGODB_URI");
            assert!(!e.to_string().contains("secretpw"), "{e}");
        }
        let e = cfg(&[("MONGODB_URI", "mongodb://h"), ("NEXUS_MONGODB_DB", "a/b")]).unwrap_err();
        assert_eq!(e.var, "NEXUS_MONGODB_DB");
    }

    #[test]
    fn empty_environment_is_embedded_and_offline() {
        let c = cfg(&[]).unwrap();
        assert!(matches!(c.store, StoreSettings::Sqlite { .. }));
        assert!(c.gemini.is_none() && c.maps.is_none() && c.redis_url.is_none());
        assert!(matches!(c.blob, BlobSettings::Local { .. }));
        assert_eq!(c.port, 3000);
        assert_eq!(c.rate_limit_max, 500);
        assert_eq!(c.upload_rate_limit, Budget::per_minute(20));
        assert_eq!(c.cost_rate_limit, Budget::per_minute(30));
        assert!(c.in_process_worker);
        let states = c.integration_states();
        assert!(
            states
                .iter()
                .any(|(k, v)| *k == "Gemini AI" && v.contains("offline fallback"))
        );
    }

    #[test]
    fn broken_values_name_their_variable() {
        assert_eq!(cfg(&[("PORT", "abc")]).unwrap_err().var, "PORT");
        assert_eq!(
            cfg(&[("MONGODB_URI", "postgres://x")]).unwrap_err().var,
            "MONGODB_URI"
        );
        assert_eq!(
            cfg(&[("MONGODB_URI", "mongodb+srv://your_mongodb")])
                .unwrap_err()
                .var,
            "MONGODB_URI"
        );
        assert_eq!(
            cfg(&[("JWT_SECRET", "short")]).unwrap_err().var,
            "JWT_SECRET"
        );
        assert_eq!(
            cfg(&[("R2_ACCOUNT_ID", "abc")]).unwrap_err().var,
            "R2_ACCESS_KEY_ID"
        );
        assert_eq!(
            cfg(&[("JWT_EXPIRY", "soon")]).unwrap_err().var,
            "JWT_EXPIRY"
        );
        assert_eq!(
            cfg(&[("ALLOWED_ORIGINS", "*")]).unwrap_err().var,
            "ALLOWED_ORIGINS"
        );
        for bad in ["0", "fast", "1.5", "120001", "-5"] {
            assert_eq!(
                cfg(&[("GEMINI_API_KEY", "k"), ("GEMINI_TIMEOUT_MS", bad)])
                    .unwrap_err()
                    .var,
                "GEMINI_TIMEOUT_MS",
                "{bad}"
            );
        }
    }

    #[test]
    fn gemini_settings_take_a_millisecond_timeout_and_default_to_15_s() {
        let c = cfg(&[("GEMINI_API_KEY", "k"), ("GEMINI_TIMEOUT_MS", "2500")]).unwrap();
        let g = c.gemini.unwrap();
        assert_eq!(g.timeout, Duration::from_millis(2500));
        assert_eq!(g.base_url, "https://generativelanguage.googleapis.com");
        let d = cfg(&[("GEMINI_API_KEY", "k")]).unwrap().gemini.unwrap();
        assert_eq!(d.timeout, Duration::from_secs(15));
        // Without a key the timeout is not read, so a stray value cannot stop the start.
        assert!(cfg(&[("GEMINI_TIMEOUT_MS", "0")]).unwrap().gemini.is_none());
    }

    #[test]
    fn legacy_example_keys_mean_offline_and_secrets_never_show() {
        let c = cfg(&[
            ("GEMINI_API_KEY", "your-gemini-api-key-here"),
            (
                "MONGODB_URI",
                "mongodb+srv://admin:hunter2@cluster0.example.net/NexusOMS?retryWrites=true",
            ),
            ("JWT_EXPIRY", "7d"),
        ])
        .unwrap();
        assert!(c.gemini.is_none());
        assert_eq!(c.jwt_expiry, Duration::from_secs(7 * 86400));
        let banner: String = c
            .integration_states()
            .into_iter()
            .map(|(k, v)| format!("{k} {v}\n"))
            .collect();
        assert!(banner.contains("cluster0.example.net / NexusOMS"));
        assert!(!banner.contains("hunter2") && !banner.contains("admin:"));
    }

    #[test]
    fn generated_secret_is_kept_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let dir_s = dir.path().to_str().unwrap().to_string();
        let mut a = cfg(&[("NEXUS_DATA_DIR", &dir_s)]).unwrap();
        a.resolve_jwt_secret().unwrap();
        let mut b = cfg(&[("NEXUS_DATA_DIR", &dir_s)]).unwrap();
        b.resolve_jwt_secret().unwrap();
        let (sa, sb) = (a.jwt_secret.unwrap(), b.jwt_secret.unwrap());
        assert_eq!(sa.expose_secret(), sb.expose_secret());
        assert_eq!(sa.expose_secret().len(), 64);
    }

    #[test]
    fn r2_settings_build_the_account_endpoint() {
        let c = cfg(&[
            ("R2_ACCOUNT_ID", "acc123"),
            ("R2_ACCESS_KEY_ID", "k"),
            ("R2_SECRET_ACCESS_KEY", "s"),
            ("R2_BUCKET_NAME", "nexusoms"),
        ])
        .unwrap();
        match c.blob {
            BlobSettings::S3(s3) => {
                assert_eq!(
                    s3.endpoint.as_deref(),
                    Some("https://acc123.r2.cloudflarestorage.com")
                );
                assert_eq!(s3.bucket, "nexusoms");
                assert!(s3.path_style);
                assert_eq!(
                    s3.describe(),
                    "Cloudflare R2 bucket `nexusoms` at acc123.r2.cloudflarestorage.com"
                );
            }
            other => panic!("expected S3, got {other:?}"),
        }
    }
}
