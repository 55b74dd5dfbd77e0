//! Extractors the infrastructure does not have yet, with errors in the standard envelope:
//! `ApiQuery<T>`, the query-string twin of `ApiJson` (axum's own `Query` answers `?page=abc`
//! with a plain-text 400), and `OptionalJson<T>` for endpoints whose body is optional (the
//! legacy check-in and GDPR erase read `req.body.x` and crashed with a 500 when the mobile
//! client sent no body at all).
//!
//! Separate (from `users`, where the extractors began) because attendance, audit, GDPR,
//! users, procurement and jobs all read requests through them.

use crate::error::{ApiError, ErrorCode};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::json;

pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or("")).map(ApiQuery)
    }
}

/// Reads a query string into `T`, with a parameter sent empty (`?status=&from=`, as forms
/// and the old app's URL builders send them) treated as absent rather than refused.
pub fn parse_query<T: DeserializeOwned>(raw: &str) -> Result<T, ApiError> {
    let wrong = |reason: String| {
        ApiError::unprocessable(
            ErrorCode::InvalidQuery,
            "A query parameter has the wrong format or is out of range.",
        )
        .with_details(json!({ "reason": reason }))
    };
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw).map_err(|e| wrong(e.to_string()))?;
    let kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let cleaned = serde_urlencoded::to_string(&kept).map_err(|e| wrong(e.to_string()))?;
    serde_urlencoded::from_str(&cleaned).map_err(|e| wrong(e.to_string()))
}

/// A JSON body that may be left out: an empty or all-whitespace body gives `T::default()`
/// (whatever the headers say: old clients send `Content-Type: application/json` with
/// nothing); anything else is read exactly like `ApiJson` (400 malformed, 415 wrong type,
/// 413 too large, 422 wrong shape).
pub struct OptionalJson<T>(pub T);

impl<S, T> FromRequest<S> for OptionalJson<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.to_ascii_lowercase())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    "The request body is larger than allowed.",
                )
            } else {
                ApiError::bad_request(ErrorCode::BadRequest, e.body_text())
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        if !json_type {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Send the body as application/json.",
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| {
            ApiError::bad_request(
                ErrorCode::MalformedJson,
                "The request body is not valid JSON.",
            )
        })?;
        crate::json::from_body(value).map(OptionalJson)
    }
}
