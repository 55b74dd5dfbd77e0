//! `spawn_app()`: a fresh API per test on a free loopback port, over a temp SQLite store
//! seeded with the demo data (users of every role, with their demo passwords). With
//! `NEXUS_TEST_STORE=mongo` the store is a fresh MongoDB database instead (`scripts/test.sh`
//! runs the end-to-end suites that matter most that way too).
#![allow(dead_code)]

pub mod ws_client;

use nexus_api::{AppState, startup};
use nexus_core::config::Config;
use nexus_core::seed::demo_dataset;
use nexus_core::store::Store;
use nexus_core::types::Timestamp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

/// `mongo` runs the API tests on MongoDB.
pub const STORE_ENV: &str = "NEXUS_TEST_STORE";

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub state: AppState,
    passwords: HashMap<String, String>,
    tokens: Mutex<HashMap<String, String>>,
    _dir: tempfile::TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// As [`spawn_app`], with extra configuration variables.
pub async fn spawn_app_with(env: &[(&str, &str)]) -> TestApp {
    spawn(env, false).await
}

/// As [`spawn_app_with`], with job workers running in-process on an SQLite queue in the
/// test's folder (what `nexus-api` does when embedded), or on Redis when `env` sets
/// `REDIS_URL`.
pub async fn spawn_app_with_workers(env: &[(&str, &str)]) -> TestApp {
    spawn(env, true).await
}

async fn spawn(env: &[(&str, &str)], workers: bool) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let mut vars: HashMap<String, String> = HashMap::from([
        ("NEXUS_DATA_DIR".to_string(), data.clone()),
        ("NEXUS_BCRYPT_COST".to_string(), "4".to_string()),
        (
            "JWT_SECRET".to_string(),
            "test-secret-test-secret-test-secret-0123".to_string(),
        ),
        ("NEXUS_DEMO_DATA".to_string(), "true".to_string()),
        // The SQLite queue in the test's folder, or Redis when the test sets REDIS_URL; the
        // workers run in this process only when the test asks for them.
        ("NEXUS_IN_PROCESS_WORKER".to_string(), workers.to_string()),
    ]);
    if !workers {
        // No worker runs here: an import request has nothing to wait for.
        vars.insert("NEXUS_IMPORT_WAIT".to_string(), "0s".to_string());
    }
    if std::env::var(STORE_ENV).as_deref() == Ok("mongo") {
        // A fresh database per test on the test binary's MongoDB (SecantusDB, or the replica
        // set of NEXUS_TEST_MONGODB_URI); SecantusDB's files go with the binary.
        let db = format!(
            "nexus_api_test_{}",
            ulid::Ulid::new().to_string().to_lowercase()
        );
        vars.insert("MONGODB_URI".to_string(), nexus_tests::mongo::shared_uri());
        vars.insert("NEXUS_MONGODB_DB".to_string(), db);
    }
    for (k, v) in env {
        vars.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    // The same start-up as `nexus-api` (store, files, bus, queue, demo data, workers).
    let built = startup::build(config).await.unwrap();
    let passwords = demo_dataset(Timestamp::now())
        .users
        .into_iter()
        .map(|u| (u.user.id.clone(), u.password.to_string()))
        .collect();
    let state = built.state;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(startup::serve(
        state.clone(),
        listener,
        std::future::pending::<()>(),
    ));
    TestApp {
        base: format!("http://{addr}"),
        http: reqwest::Client::new(),
        store: state.store.clone(),
        state,
        passwords,
        tokens: Mutex::new(HashMap::new()),
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The demo password of a seeded user.
    pub fn password_of(&self, user_id: &str) -> String {
        self.passwords
            .get(user_id)
            .cloned()
            .unwrap_or_else(|| panic!("no demo user {user_id}"))
    }

    /// Logs in as a seeded user (cached per user).
    pub async fn token(&self, user_id: &str) -> String {
        if let Some(t) = self.tokens.lock().await.get(user_id) {
            return t.clone();
        }
        let r = self
            .call(
                Method::POST,
                "/api/login",
                None,
                Some(json!({ "email": user_id, "password": self.password_of(user_id) })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {user_id}: {}", r.body);
        let t = r.body["token"].as_str().unwrap().to_string();
        self.tokens
            .lock()
            .await
            .insert(user_id.to_string(), t.clone());
        t
    }

    /// Forget cached tokens (after a logout or a password change).
    pub async fn forget_tokens(&self) {
        self.tokens.lock().await.clear();
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Resp {
            status,
            body,
            headers,
        }
    }

    /// A call as a seeded user.
    pub async fn as_user(
        &self,
        user_id: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        let t = self.token(user_id).await;
        self.call(method, path, Some(&t), body).await
    }

    pub async fn get(&self, user_id: &str, path: &str) -> Resp {
        self.as_user(user_id, Method::GET, path, None).await
    }

    pub async fn post(&self, user_id: &str, path: &str, body: Value) -> Resp {
        self.as_user(user_id, Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, user_id: &str, path: &str, body: Value) -> Resp {
        self.as_user(user_id, Method::PATCH, path, Some(body)).await
    }
}

/// Seeded users by role, for readable tests.
pub mod users {
    pub const ADMIN: &str = "USER-001";
    pub const SALES: &str = "SALES-001";
    pub const SALES2: &str = "SALES-002";
    pub const CREDIT: &str = "CREDIT-001";
}
