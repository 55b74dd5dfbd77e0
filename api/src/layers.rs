//! The layers every response goes through: request id, security headers (the helmet set, with
//! a CSP for a JSON API), CORS from an allow-list that really refuses others, body limits,
//! rate limits, and tracing that never records the Authorization header.

use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// JSON bodies above this are refused with 413 (the legacy server took 50 MB).
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;
/// Uploads (multipart) above this are refused with 413.
pub const UPLOAD_BODY_LIMIT: usize = 10 * 1024 * 1024;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Default)]
struct UlidRequestId;

impl MakeRequestId for UlidRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&ulid::Ulid::new().to_string())
            .ok()
            .map(RequestId::new)
    }
}

const SECURITY_HEADERS: [(&str, &str); 11] = [
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("origin-agent-cluster", "?1"),
    ("referrer-policy", "no-referrer"),
    (
        "strict-transport-security",
        "max-age=15552000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-dns-prefetch-control", "off"),
    ("x-frame-options", "DENY"),
    ("x-permitted-cross-domain-policies", "none"),
    ("x-xss-protection", "0"),
];

pub fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            REQUEST_ID.clone(),
        ])
        .expose_headers([REQUEST_ID.clone(), HeaderName::from_static("retry-after")])
        .max_age(Duration::from_secs(600))
}

/// Adds `requestId` to JSON error bodies so a user's report can be matched to the log line.
async fn request_id_in_errors(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let res = next.run(req).await;
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let (Some(id), true, true) = (
        id,
        res.status().is_client_error() || res.status().is_server_error(),
        is_json,
    ) else {
        return res;
    };
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut m)) => {
            m.insert("requestId".into(), serde_json::Value::String(id));
            let out = serde_json::to_vec(&m).unwrap_or_else(|_| bytes.to_vec());
            parts.headers.remove(header::CONTENT_LENGTH);
            Body::from(out)
        }
        _ => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

/// Wraps the routed app in every cross-cutting layer. Order matters: the request id is set
/// first so everything after it (trace spans, error bodies, audit entries) can read it.
pub fn apply(router: Router<AppState>, st: &AppState) -> Router<AppState> {
    let mut r = router
        .layer(middleware::from_fn_with_state(
            st.clone(),
            crate::rate_limit::limit,
        ))
        .layer(middleware::from_fn(request_id_in_errors))
        .layer(axum::extract::DefaultBodyLimit::max(JSON_BODY_LIMIT));
    for (name, value) in SECURITY_HEADERS {
        r = r.layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    r.layer(cors(&st.config.allowed_origins))
        .layer(tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer::new([header::AUTHORIZATION, header::COOKIE]))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<Body>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), UlidRequestId))
}
