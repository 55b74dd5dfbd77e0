//! `spawn_app()`: a fresh API per test on a free loopback port, over a temp SQLite store
//! seeded with the demo data (users of every role, with their demo passwords). With
//! `NEXUS_TEST_STORE=mongo` the store is a fresh MongoDB database instead (`scripts/test.sh`
//! runs the end-to-end suites that matter most that way too).
#![allow(dead_code)]

pub mod ws_client;

use nexus_api::{AppState, startup};
use nexus_core::config::Config;
use nexus_core::model::{AuditLog, Batch, Product};
use nexus_core::seed::demo_dataset;
use nexus_core::store::{Collection, Document, Filter, Query, Store, TypedStore, Write};
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

/// As [`spawn_app`], with rate budgets far above what a whole tool run sends (Schemathesis,
/// newman), so the tools see the API's answers rather than 429s; the limits have their own
/// tests.
pub async fn spawn_app_unthrottled() -> TestApp {
    spawn_app_with(&[
        ("RATE_LIMIT_MAX_REQUESTS", "100000000"),
        ("NEXUS_UPLOAD_RATE_LIMIT", "100000000/1m"),
        ("NEXUS_COST_RATE_LIMIT", "100000000/1m"),
    ])
    .await
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
    let addr = serve_on_loopback(&state).await;
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

/// A response read as [`Resp`]: the body as JSON, or as a JSON string when it is not JSON.
pub async fn into_resp(res: reqwest::Response) -> Resp {
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

/// Serves the API of `state` on a free loopback port until the test ends; its address.
pub async fn serve_on_loopback(state: &AppState) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(startup::serve(
        state.clone(),
        listener,
        std::future::pending::<()>(),
    ));
    addr
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
        into_resp(req.send().await.unwrap()).await
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

    /// A GET as a seeded user that must answer 200 (the body in the failure message).
    pub async fn get_ok(&self, user_id: &str, path: &str) -> Resp {
        self.get(user_id, path).await.expect_status(StatusCode::OK)
    }

    pub async fn post(&self, user_id: &str, path: &str, body: Value) -> Resp {
        self.as_user(user_id, Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, user_id: &str, path: &str, body: Value) -> Resp {
        self.as_user(user_id, Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, user_id: &str, path: &str, body: Value) -> Resp {
        self.as_user(user_id, Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, user_id: &str, path: &str) -> Resp {
        self.as_user(user_id, Method::DELETE, path, None).await
    }

    /// A POST without a body as a seeded user (`…/submit`, `…/approve`).
    pub async fn post_empty(&self, user_id: &str, path: &str) -> Resp {
        self.as_user(user_id, Method::POST, path, None).await
    }

    /// A lifecycle step on an order (`POST /api/orders/{id}/{name}`) as a seeded user.
    pub async fn step(&self, user_id: &str, id: &str, name: &str, body: Value) -> Resp {
        self.post(user_id, &format!("/api/orders/{id}/{name}"), body)
            .await
    }

    /// A step that must succeed: the whole answer (`{success, data, …}`).
    pub async fn ok_step(&self, user_id: &str, id: &str, name: &str, body: Value) -> Value {
        let r = self.step(user_id, id, name, body).await;
        assert_eq!(r.status, StatusCode::OK, "{name} on {id}: {}", r.body);
        assert_eq!(r.body["success"], true, "{}", r.body);
        r.body
    }

    /// `POST /api/login` with exactly this body, without a token.
    pub async fn login_with(&self, body: Value) -> Resp {
        self.call(Method::POST, "/api/login", None, Some(body))
            .await
    }

    /// `POST /api/login` with an email (or user id) and a password.
    pub async fn login(&self, email: &str, password: &str) -> Resp {
        self.login_with(json!({ "email": email, "password": password }))
            .await
    }

    /// A GET as a seeded user, the raw response (CSV, file downloads, headers).
    pub async fn get_response(&self, user_id: &str, path: &str) -> reqwest::Response {
        let t = self.token(user_id).await;
        let req = self.http.get(self.url(path)).bearer_auth(t);
        req.send().await.unwrap()
    }

    /// A GET with this bearer token (or none).
    pub async fn get_with_token(&self, token: Option<&str>, path: &str) -> Resp {
        self.call(Method::GET, path, token, None).await
    }
}

impl Resp {
    /// Asserts the status, with the body in the message; the response for further checks.
    #[track_caller]
    pub fn expect_status(self, status: StatusCode) -> Self {
        assert_eq!(self.status, status, "{}", self.body);
        self
    }

    /// Asserts a refusal: the status and `error.code`, each with `what` (the request) and
    /// the body in the message.
    #[track_caller]
    pub fn expect_error(
        self,
        status: StatusCode,
        code: &str,
        what: impl std::fmt::Display,
    ) -> Self {
        assert_eq!(self.status, status, "{what}: {}", self.body);
        assert_eq!(self.body["error"]["code"], code, "{what}: {}", self.body);
        self
    }

    /// Asserts the status and `success: true`, with the body in the message; the response
    /// for further checks.
    #[track_caller]
    pub fn expect_success(self, status: StatusCode) -> Self {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["success"], true, "{}", self.body);
        self
    }

    /// Asserts a refusal: the status and `error.code`, with the body in the message (for a
    /// refusal among several in a loop, [`Resp::expect_error`] names the case).
    #[track_caller]
    pub fn expect_refusal(self, status: StatusCode, code: &str) -> Self {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["error"]["code"], code, "{}", self.body);
        self
    }

    /// The `jobId` of a queued request's answer (`202 Accepted`).
    pub fn job_id(&self) -> String {
        self.body["jobId"]
            .as_str()
            .unwrap_or_else(|| panic!("no jobId: {}", self.body))
            .to_string()
    }

    /// `error.code` of a refusal.
    pub fn code(&self) -> &Value {
        &self.body["error"]["code"]
    }
}

/// How many of the answers have this status (concurrent calls racing for one thing).
pub fn with_status(answers: &[Resp], status: StatusCode) -> usize {
    answers.iter().filter(|r| r.status == status).count()
}

/// Settings for tests with job workers: a short heartbeat and lease, so sweeps and lease
/// renewals run often, and then `extra`.
pub fn quick_jobs<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env = vec![("NEXUS_JOB_HEARTBEAT", "200ms"), ("NEXUS_JOB_LEASE", "2s")];
    env.extend_from_slice(extra);
    env
}

/// The stored document with this id (panics naming the id when there is none).
pub async fn stored<T: Document>(app: &TestApp, id: &str) -> T {
    app.store
        .get::<T>(Filter::id(id))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("nothing stored as {id}"))
}

/// Every stored document matching `filter` (in the store's order).
pub async fn stored_where<T: Document>(app: &TestApp, filter: Filter) -> Vec<T> {
    app.store.list::<T>(&Query::new(filter)).await.unwrap()
}

/// How many stored documents match `filter`.
pub async fn count_where<T: Document>(app: &TestApp, filter: Filter) -> u64 {
    app.store.count_of::<T>(&filter).await.unwrap()
}

/// The product's batch with this number (panics naming it when there is none).
pub fn batch<'a>(product: &'a Product, number: &str) -> &'a Batch {
    product
        .batches
        .iter()
        .find(|b| b.batch_number == number)
        .unwrap_or_else(|| panic!("{} has no batch {number}", product.id))
}

/// Stores a document a test sets up, as the typed layer writes it.
pub async fn insert<T: Document>(app: &TestApp, doc: &T) {
    app.store
        .commit(vec![Write::insert(doc).unwrap()])
        .await
        .unwrap();
}

/// Stores documents exactly as given, the way the legacy server left them (old status
/// names, fields it lacked), in one commit.
pub async fn insert_raw(app: &TestApp, collection: Collection, docs: Vec<Value>) {
    let writes = docs
        .into_iter()
        .map(|doc| Write::Insert { collection, doc })
        .collect();
    app.store.commit(writes).await.unwrap();
}

/// SALES-001's order ORD-482913 for CUST-001 as the legacy server stored it: the legacy
/// status `Hold`, no orderType, no `_rev`, and its old history.
pub fn legacy_hold_order() -> Value {
    json!({
        "id": "ORD-482913", "customerId": "CUST-001", "customerName": "ABC Traders",
        "status": "Hold", "total": 1180, "subTotal": 1000, "gstAmount": 180,
        "salespersonId": "SALES-001", "createdAt": "2025-01-02T10:00:00.000Z",
        "items": [{"productId": "PROD-001", "skuCode": "SKU-001", "quantity": 2, "price": 500}],
        "statusHistory": [{"status": "Pending", "timestamp": "2025-01-02T10:00:00.000Z"}, {"status": "Hold"}]
    })
}

/// The audit entries a user wrote about one entity (in the store's order).
pub async fn audits_by(app: &TestApp, user_id: &str, entity_id: &str) -> Vec<AuditLog> {
    let filter = Filter::and([
        Filter::eq("entityId", entity_id),
        Filter::eq("userId", user_id),
    ]);
    stored_where(app, filter).await
}

/// The audit entries with this action about one entity (in the store's order).
pub async fn audits(app: &TestApp, action: &str, entity_id: &str) -> Vec<AuditLog> {
    let filter = Filter::and([
        Filter::eq("action", action),
        Filter::eq("entityId", entity_id),
    ]);
    stored_where(app, filter).await
}

/// The `id` of every element of a JSON array (a list answer), in order.
pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

/// The `key` string of every element of a JSON array, in order.
pub fn strs<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|o| o[key].as_str().unwrap_or_else(|| panic!("no {key} in {o}")))
        .collect()
}

/// The element of a JSON array whose `key` is `value` (panics naming both when none is).
pub fn find_in<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .find(|o| o[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list}"))
}

/// Seeded users by role, for readable tests.
pub mod users {
    pub const ADMIN: &str = "USER-001";
    pub const SALES: &str = "SALES-001";
    pub const SALES2: &str = "SALES-002";
    pub const CREDIT: &str = "CREDIT-001";
}

/// The pack step's body that picks exactly what was allocated, line by line.
pub fn picks_of(order: &Value) -> Value {
    let lines: Vec<Value> = order["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let b: Vec<Value> = i["allocatedBatches"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| serde_json::json!({"batchNumber": a["batchNumber"], "qty": a["qty"]}))
                .collect();
            serde_json::json!({ "batches": b })
        })
        .collect();
    serde_json::json!({ "lines": lines })
}
