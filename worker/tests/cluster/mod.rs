//! The real binaries as separate processes: `nexus-api` recording and serving jobs with no
//! in-process workers, and `nexus-worker` processes on the same queue, on the embedded
//! SQLite queue (one data folder) or on a Redis of the test's own.
#![allow(dead_code)]

use nexus_tests::redis::RedisServer;
use nexus_tests::{Running, RunningApi, start_api, start_worker};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub fn worker_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_nexus-worker"))
}

/// `nexus-api` is built into the same folder by `cargo test --workspace` (its package has
/// integration tests, so its binary is built for the run).
pub fn api_bin() -> PathBuf {
    let p = worker_bin().with_file_name("nexus-api");
    assert!(
        p.exists(),
        "{} is not built: run the workspace suite (`cargo test --workspace`) or `cargo build -p nexus-api` first",
        p.display()
    );
    p
}

/// A MongoDB database name no other run uses: `prefix` and the time in nanoseconds.
pub fn fresh_db_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}_{nanos}")
}

/// Sends a request and reads the answer as JSON.
async fn json_of(req: reqwest::RequestBuilder) -> Value {
    req.send().await.unwrap().json().await.unwrap()
}

/// Which queue the processes share.
pub enum Backend {
    Sqlite,
    Redis(RedisServer),
}

impl Backend {
    pub async fn start(redis: bool) -> Backend {
        if redis {
            Backend::Redis(RedisServer::start().await)
        } else {
            Backend::Sqlite
        }
    }

    fn env(&self) -> Vec<(String, String)> {
        match self {
            Backend::Sqlite => vec![],
            Backend::Redis(r) => vec![("REDIS_URL".into(), r.url())],
        }
    }
}

/// An API (no in-process workers) and a way to start workers, all on one data folder.
pub struct Cluster {
    pub dir: tempfile::TempDir,
    pub api: RunningApi,
    pub backend: Backend,
    env: Vec<(String, String)>,
    pub http: reqwest::Client,
}

impl Cluster {
    pub async fn start(redis: bool, extra: &[(&str, &str)]) -> Cluster {
        let backend = Backend::start(redis).await;
        let dir = tempfile::tempdir().unwrap();
        let mut env: Vec<(String, String)> = vec![
            ("NEXUS_BCRYPT_COST".into(), "4".into()),
            ("NEXUS_IN_PROCESS_WORKER".into(), "false".into()),
            ("NEXUS_EXPIRY_SCAN_CRON".into(), "off".into()),
            ("NEXUS_JOB_HEARTBEAT".into(), "200ms".into()),
            ("NEXUS_JOB_LEASE".into(), "1s".into()),
            ("RATE_LIMIT_MAX_REQUESTS".into(), "100000".into()),
        ];
        env.extend(backend.env());
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let api = start_api(&api_bin(), dir.path(), &["--demo"], &refs).unwrap();
        Cluster {
            dir,
            api,
            backend,
            env,
            http: reqwest::Client::new(),
        }
    }

    pub fn start_worker(&self, extra: &[(&str, &str)]) -> Running {
        let mut env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        env.extend_from_slice(extra);
        start_worker(&worker_bin(), self.dir.path(), &env).unwrap()
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub async fn login(&self, user: &str, password: &str) -> String {
        let login = json!({ "email": user, "password": password });
        let url = format!("{}/api/login", self.api.base_url);
        let r = json_of(self.http.post(url).json(&login)).await;
        r["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login {user}: {r}"))
            .to_string()
    }

    pub async fn get(&self, token: &str, path: &str) -> Value {
        let url = format!("{}{path}", self.api.base_url);
        json_of(self.http.get(url).bearer_auth(token)).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.api.base_url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// Polls the job over HTTP until `pred` holds or `limit` passes. The workers are other
    /// processes, so the record is the only shared state to watch.
    pub async fn wait_job(
        &self,
        token: &str,
        id: &str,
        limit: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let start = Instant::now();
        loop {
            let job = self.get(token, &format!("/api/jobs/{id}")).await["data"].clone();
            if pred(&job) {
                return job;
            }
            assert!(
                start.elapsed() < limit,
                "job {id} did not reach the expected state within {limit:?}: {job}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
