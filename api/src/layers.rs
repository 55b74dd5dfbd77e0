//! The layers every response goes through: request id, security headers (the helmet set, with
//! a CSP for a JSON API), CORS from an allow-list that really refuses others, body limits,
//! rate limits, and tracing that never records the Authorization header: one log line per
//! request (method, path without the query, status, latency, request id), and a span with the
//! request id around everything the request logs, so an error's cause can be found from the
//! `requestId` a user reports.

use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use std::time::{Duration, Instant};
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
        // A browser client reads these only when exposed: the request id for support, when
        // to retry, and the list paging headers.
        .expose_headers([
            REQUEST_ID.clone(),
            HeaderName::from_static("retry-after"),
            HeaderName::from_static("x-total-count"),
            HeaderName::from_static("x-total-count-exact"),
            HeaderName::from_static("x-page"),
            HeaderName::from_static("x-limit"),
        ])
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

/// The request's one log line: method, path (never the query string, which may carry a token
/// or a signature), status, latency in milliseconds and the request id. Server errors log at
/// WARN (their cause is logged as an ERROR where it happened), the rest at INFO.
async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let latency_ms = (latency_ms * 1000.0).round() / 1000.0;
    if res.status().is_server_error() {
        tracing::warn!(%method, %path, status, latency_ms, request_id = %id, "request");
    } else {
        tracing::info!(%method, %path, status, latency_ms, request_id = %id, "request");
    }
    res
}

/// Wraps the routed app in every cross-cutting layer. Order matters: the request id is set
/// first so everything after it (the request log line, trace spans, error bodies, audit
/// entries) can read it; the log line is outside every other layer so it records the status
/// the client really gets (a 429 or a CORS refusal included) and the whole latency.
pub fn apply(router: Router<AppState>, st: &AppState) -> Router<AppState> {
    let mut r = router
        .layer(middleware::from_fn_with_state(
            st.clone(),
            crate::rate_limit::limit,
        ))
        // Before the limits, which key on the address it resolves.
        .layer(middleware::from_fn_with_state(
            st.clone(),
            crate::client_addr::layer,
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
        // The span only: the request's line is `log_request`'s, so the layer's own
        // request/response/failure events are off.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<Body>| {
                    let id = req
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_request(())
                .on_response(())
                .on_failure(()),
        )
        .layer(middleware::from_fn(log_request))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), UlidRequestId))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use axum::routing::get;
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;
    use tracing_subscriber::fmt::MakeWriter;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    #[tokio::test]
    async fn one_line_per_request_with_method_path_status_latency_and_id() {
        let logs = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = Router::new()
            .route("/api/orders/{id}", get(|| async { "ok" }))
            .route(
                "/api/boom",
                get(|| async { crate::error::ApiError::internal_fault("boom") }),
            )
            .layer(middleware::from_fn(log_request))
            .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), UlidRequestId));

        let req = axum::http::Request::get("/api/orders/ORD-1?token=s3cret")
            .header("x-request-id", "req-42")
            .body(Body::empty())
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let req = axum::http::Request::get("/api/boom")
            .body(Body::empty())
            .unwrap();
        let res = app.oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);

        let out = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = out.lines().filter(|l| l.contains(" request ")).collect();
        assert_eq!(lines.len(), 2, "{out}");
        let ok = lines[0];
        for part in [
            "INFO",
            "method=GET",
            "path=/api/orders/ORD-1",
            "status=200",
            "latency_ms=",
            "request_id=req-42",
        ] {
            assert!(ok.contains(part), "{part} missing from {ok}");
        }
        assert!(!out.contains("s3cret"), "the query string is never logged");
        let failed = lines[1];
        assert!(
            failed.contains("WARN") && failed.contains("status=500"),
            "{failed}"
        );
        // A generated id (a ULID), not the placeholder.
        assert!(!failed.contains("request_id=-"), "{failed}");
        assert!(out.contains("ERROR") && out.contains("boom"), "{out}");
    }
}
