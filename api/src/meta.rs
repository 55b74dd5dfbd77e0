//! Facts about the request that go into audit entries and logs: client address, user agent
//! and the request id that is also returned in the `x-request-id` header.

use axum::http::request::Parts;
use nexus_core::model::AuditLog;

#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl RequestMeta {
    pub fn from_parts(parts: &Parts) -> Self {
        let ip = crate::client_addr::of(&parts.extensions).map(|ip| ip.to_string());
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(256).collect::<String>())
        };
        RequestMeta {
            ip,
            user_agent: header("user-agent"),
            request_id: header("x-request-id"),
        }
    }

    pub fn stamp(&self, a: &mut AuditLog) {
        a.ip_address = self.ip.clone();
        a.user_agent = self.user_agent.clone();
        a.request_id = self.request_id.clone();
    }

    pub fn ip_or_unknown(&self) -> String {
        self.ip.clone().unwrap_or_else(|| "unknown".into())
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestMeta::from_parts(parts))
    }
}
