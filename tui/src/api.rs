//! The REST client: one `reqwest` client, the token in memory only (a `SecretString`,
//! never written anywhere and never in an error text), and the API's error body turned into
//! a message a person can act on.

use crate::app::{DashboardData, OrderQuery};
use crate::dto::{
    Aging, CustomerCredit, ExpiringBatch, Job, LowPackaging, OrderDetail, OrderRow, ReportLink,
    UserInfo,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::sync::RwLock;
use std::time::Duration;

/// How many rows a server list matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListTotal {
    pub count: u64,
    /// The server stopped counting: at least `count` match.
    pub lower_bound: bool,
}

impl ListTotal {
    pub fn exact(count: u64) -> Self {
        ListTotal {
            count,
            lower_bound: false,
        }
    }
}

/// How many orders the list loads (the API's page maximum); the title shows the total.
pub const ORDER_PAGE: u32 = 500;

/// A failed call, already phrased for the status line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ApiError(pub String);

pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    tokens: RwLock<Option<Tokens>>,
}

/// The session's tokens, in memory only.
#[derive(Clone)]
struct Tokens {
    access: SecretString,
    /// From a sign-in (not from `NEXUS_TOKEN`): lets the console renew the access token.
    refresh: Option<SecretString>,
    /// Access token lifetime in seconds, as the server said.
    expires_in: u64,
}

impl ApiClient {
    /// A client of the API at `base` (`http://host:port`).
    pub fn new(base: &str) -> Result<ApiClient, ApiError> {
        let base = base.trim_end_matches('/').to_string();
        let parsed = url::Url::parse(&base)
            .map_err(|e| ApiError(format!("API URL `{base}` is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ApiError(format!(
                "API URL `{base}` must start with http:// or https://"
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("nexus-tui/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError(format!("HTTP client: {e}")))?;
        Ok(ApiClient {
            http,
            base,
            tokens: RwLock::new(None),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Uses an access token given from outside (`NEXUS_TOKEN`), or forgets the session.
    pub fn set_token(&self, token: Option<SecretString>) {
        self.store(token.map(|access| Tokens {
            access,
            refresh: None,
            expires_in: 0,
        }));
    }

    fn store(&self, tokens: Option<Tokens>) {
        if let Ok(mut t) = self.tokens.write() {
            *t = tokens;
        }
    }

    /// The access token, for the WebSocket handshake.
    pub fn token(&self) -> Option<SecretString> {
        self.tokens
            .read()
            .ok()
            .and_then(|t| t.as_ref().map(|t| t.access.clone()))
    }

    /// Seconds until the access token should be renewed (a minute before it expires), when
    /// it can be: only a signed-in session has a refresh token.
    pub fn renew_in(&self) -> Option<u64> {
        let t = self.tokens.read().ok()?;
        let t = t.as_ref()?;
        t.refresh.as_ref()?;
        Some(t.expires_in.saturating_sub(60).max(10))
    }

    /// Exchanges the refresh token for a new pair (`POST /api/auth/refresh`).
    pub async fn renew(&self) -> Result<(), ApiError> {
        let refresh = self
            .tokens
            .read()
            .ok()
            .and_then(|t| t.as_ref().and_then(|t| t.refresh.clone()))
            .ok_or_else(|| ApiError("no refresh token: sign in again".into()))?;
        let body = json!({ "refreshToken": refresh.expose_secret() });
        let v = self.post_tokenless("/api/auth/refresh", &body).await?;
        self.keep_tokens(&v)
    }

    /// A POST that carries no access token (signing in, renewing): the JSON answer, or the
    /// API's error.
    async fn post_tokenless(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(error_message(status.as_u16(), &v));
        }
        Ok(v)
    }

    /// Keeps the tokens of a login or refresh answer.
    fn keep_tokens(&self, v: &Value) -> Result<(), ApiError> {
        let secret = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(|t| SecretString::from(t.to_string()))
        };
        let access = secret("token").ok_or_else(|| ApiError("the answer has no token".into()))?;
        self.store(Some(Tokens {
            access,
            refresh: secret("refreshToken"),
            expires_in: v.get("expiresIn").and_then(Value::as_u64).unwrap_or(3600),
        }));
        Ok(())
    }

    fn authed(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.token() {
            Some(t) => rb.bearer_auth(t.expose_secret()),
            None => rb,
        }
    }

    fn unreachable(&self, e: reqwest::Error) -> ApiError {
        // reqwest's text may carry the URL, never headers: the token cannot leak here.
        if e.is_timeout() {
            ApiError(format!("the API at {} did not answer in time", self.base))
        } else if e.is_connect() {
            ApiError(format!("cannot reach the API at {}", self.base))
        } else {
            ApiError(format!("request failed: {}", e.without_url()))
        }
    }

    async fn send(
        &self,
        rb: reqwest::RequestBuilder,
    ) -> Result<(Value, reqwest::header::HeaderMap), ApiError> {
        let res = self
            .authed(rb)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.map_err(|e| self.unreachable(e))?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            Ok((body, headers))
        } else {
            Err(error_message(status.as_u16(), &body))
        }
    }

    async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(Value, reqwest::header::HeaderMap), ApiError> {
        self.send(self.http.get(format!("{}{path}", self.base)).query(query))
            .await
    }

    async fn post(&self, path: &str, body: Option<&Value>) -> Result<Value, ApiError> {
        let mut rb = self.http.post(format!("{}{path}", self.base));
        if let Some(b) = body {
            rb = rb.json(b);
        }
        self.send(rb).await.map(|(v, _)| v)
    }

    /// Signs in; keeps the token for the next calls.
    pub async fn login(&self, email: &str, password: &SecretString) -> Result<UserInfo, ApiError> {
        let body = json!({ "email": email, "password": password.expose_secret() });
        let v = self.post_tokenless("/api/login", &body).await?;
        let user = v
            .get("user")
            .and_then(UserInfo::from_json)
            .ok_or_else(|| ApiError("the login answer has no user".into()))?;
        self.keep_tokens(&v)?;
        Ok(user)
    }

    /// The signed-in user (checks a token given from the environment).
    pub async fn me(&self) -> Result<UserInfo, ApiError> {
        let (v, _) = self.get("/api/auth/me", &[]).await?;
        UserInfo::from_json(v.get("data").unwrap_or(&v))
            .ok_or_else(|| ApiError("the profile answer has no user id".into()))
    }

    /// Stage counts (`/api/analytics/dashboard`) and the last day's order times. A role
    /// that may not read the analytics still gets the hourly figures, and the other way
    /// round; only when both fail is it an error.
    pub async fn dashboard(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<DashboardData, ApiError> {
        let analytics = self.get("/api/analytics/dashboard", &[]).await;
        let from =
            (now - chrono::Duration::hours(24)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let list = self
            .get(
                "/api/orders",
                &[("from", from), ("limit", ORDER_PAGE.to_string())],
            )
            .await;
        if let (Err(e), Err(_)) = (&analytics, &list) {
            return Err(e.clone());
        }
        let stages = analytics
            .ok()
            .and_then(|(v, _)| {
                v.get("stageCounts").and_then(Value::as_object).map(|m| {
                    m.iter()
                        .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
                        .collect()
                })
            })
            .unwrap_or_default();
        let recent = list
            .map(|(v, _)| read_all(&v, |o| crate::dto::time(o, "createdAt")))
            .unwrap_or_default();
        Ok(DashboardData { stages, recent })
    }

    /// A page of orders and how many match: `X-Total-Count`, which the server counts only
    /// so far past the page (`X-Total-Count-Exact: false` then makes it a lower bound).
    pub async fn orders(&self, q: &OrderQuery) -> Result<(Vec<OrderRow>, ListTotal), ApiError> {
        let mut params = q.params();
        params.push(("limit", ORDER_PAGE.to_string()));
        let (v, headers) = self.get("/api/orders", &params).await?;
        let rows = OrderRow::list_from_json(&v);
        let total = headers
            .get("x-total-count")
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.parse().ok())
            .unwrap_or(rows.len() as u64);
        let lower_bound = headers
            .get("x-total-count-exact")
            .is_some_and(|h| h.as_bytes() == b"false");
        Ok((
            rows,
            ListTotal {
                count: total,
                lower_bound,
            },
        ))
    }

    pub async fn order(&self, id: &str) -> Result<OrderDetail, ApiError> {
        let (v, _) = self.get(&format!("/api/orders/{}", enc(id)), &[]).await?;
        OrderDetail::from_json(&v).ok_or_else(|| ApiError(format!("order {id}: unreadable answer")))
    }

    pub async fn jobs(&self) -> Result<Vec<Job>, ApiError> {
        let (v, _) = self.get("/api/jobs", &[("limit", "200".into())]).await?;
        Ok(crate::dto::list(&v))
    }

    /// Batches expiring within 90 days and packaging at or below MOQ. A role that may not
    /// read one of them still sees the other (the error is kept as an empty list).
    pub async fn stock(&self) -> Result<(Vec<ExpiringBatch>, Vec<LowPackaging>), ApiError> {
        let batches = self
            .get("/api/products/expiring", &[("days", "90".into())])
            .await;
        let packaging = self.get("/api/packaging/low-stock", &[]).await;
        if let (Err(a), Err(_)) = (&batches, &packaging) {
            return Err(a.clone());
        }
        let batches = batches
            .map(|(v, _)| crate::dto::list(&v))
            .unwrap_or_default();
        let packaging = packaging
            .map(|(v, _)| crate::dto::list(&v))
            .unwrap_or_default();
        Ok((batches, packaging))
    }

    pub async fn customers(&self) -> Result<Vec<CustomerCredit>, ApiError> {
        let (v, _) = self
            .get("/api/customers", &[("limit", "500".into())])
            .await?;
        Ok(crate::dto::list(&v))
    }

    pub async fn aging(&self, id: &str) -> Result<Aging, ApiError> {
        let (v, _) = self
            .get(&format!("/api/customers/{}/aging", enc(id)), &[])
            .await?;
        Aging::from_json(&v).ok_or_else(|| ApiError(format!("customer {id}: unreadable answer")))
    }

    /// Takes a lifecycle step as the server offered it (`availableSteps`: its method, its
    /// path, its body plus the form's fields); returns the order's new status.
    pub async fn step(&self, method: &str, path: &str, body: &Value) -> Result<String, ApiError> {
        let verb = reqwest::Method::from_bytes(method.trim().to_ascii_uppercase().as_bytes())
            .map_err(|_| ApiError(format!("the server offered a step with method `{method}`")))?;
        // The path comes from the server; anything but an API path on this server is refused
        // rather than requested with the user's token.
        if !path.starts_with("/api/") || path.contains("..") {
            return Err(ApiError(format!(
                "the server offered a step at `{path}`, which is not an API path"
            )));
        }
        let rb = self
            .http
            .request(verb, format!("{}{path}", self.base))
            .json(body);
        let (v, _) = self.send(rb).await?;
        let order = v.get("data").unwrap_or(&v);
        Ok(crate::dto::s(order, "status"))
    }

    /// Retries or cancels a job, or fetches its report link; returns what to show.
    pub async fn job_action(
        &self,
        id: &str,
        action: crate::app::JobAction,
    ) -> Result<String, ApiError> {
        use crate::app::JobAction;
        let path = format!("/api/jobs/{}", enc(id));
        match action {
            JobAction::Retry | JobAction::Cancel => {
                let verb = if action == JobAction::Retry {
                    "retry"
                } else {
                    "cancel"
                };
                let v = self.post(&format!("{path}/{verb}"), None).await?;
                // The answer is the job as it now stands; its status is what to show.
                Ok(Job::from_answer(&v)
                    .map(|j| j.status.to_string())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "done".into()))
            }
            JobAction::Report => {
                let (v, _) = self.get(&format!("{path}/report"), &[]).await?;
                let url = ReportLink::from_answer(&v)
                    .ok_or_else(|| ApiError("the report answer has no link".into()))?
                    .url;
                // Relative links are served by the API itself.
                Ok(if url.starts_with('/') {
                    format!("{}{url}", self.base)
                } else {
                    url
                })
            }
        }
    }
}

/// A list answer: a raw array, or `{data: [...]}`.
fn array(v: &Value) -> &[Value] {
    v.as_array()
        .or_else(|| v.get("data").and_then(Value::as_array))
        .map_or(&[], Vec::as_slice)
}

/// Every element of a list answer that `read` understands (the others are skipped).
fn read_all<T>(v: &Value, read: impl Fn(&Value) -> Option<T>) -> Vec<T> {
    array(v).iter().filter_map(read).collect()
}

fn enc(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

/// The API's error body (`{error: {code, message}}`, or the legacy `{message}`) as one line.
pub fn error_message(status: u16, body: &Value) -> ApiError {
    let e = body.get("error").unwrap_or(body);
    let code = crate::dto::s(e, "code");
    let msg = crate::dto::s_any(e, &["message", "error"]);
    let mut text = match (code.is_empty(), msg.is_empty()) {
        (false, false) => format!("{msg} ({code})"),
        (false, true) => code,
        (true, false) => msg,
        (true, true) => format!("HTTP {status}"),
    };
    if status == 403 && !text.contains("403") {
        text.push_str(" — not permitted for your role");
    }
    ApiError(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_as_one_line() {
        let b = json!({"error": {"code": "FORBIDDEN", "message": "Needs approve_credit"}, "requestId": "x"});
        assert_eq!(
            error_message(403, &b).0,
            "Needs approve_credit (FORBIDDEN) — not permitted for your role"
        );
        assert_eq!(error_message(502, &Value::Null).0, "HTTP 502");
        assert_eq!(error_message(404, &json!({"message": "gone"})).0, "gone");
    }

    #[test]
    fn bad_urls_are_refused_with_the_reason() {
        let err = |url: &str| ApiClient::new(url).err().map(|e| e.0).unwrap_or_default();
        assert!(err("localhost:3000").contains("http://"));
        assert!(err("not a url").contains("not a URL"));
        assert_eq!(ApiClient::new("http://h:1/").unwrap().base(), "http://h:1");
    }
}
