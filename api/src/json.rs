//! `ApiJson<T>`: the JSON body extractor with typed bodies and clear errors. Malformed JSON is
//! a 400, a wrong content type 415, an oversized body 413 and a body of the wrong shape 422,
//! each in the standard envelope (the legacy server answered 500 to all of them).

use crate::error::{ApiError, ErrorCode};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(v)) => from_body(v).map(ApiJson),
            Err(rej) => Err(json_rejection(rej)),
        }
    }
}

/// The 422 for a body of the wrong shape, `reason` saying what serde found.
pub fn wrong_shape(reason: impl std::fmt::Display) -> ApiError {
    ApiError::unprocessable(
        ErrorCode::ValidationFailed,
        "The request body has the wrong shape.",
    )
    .with_details(serde_json::json!({ "reason": reason.to_string() }))
}

/// A typed body from one already read as JSON (routes that look at the raw body first, e.g.
/// to recognise an old client's shape), with the same error as [`ApiJson`].
///
/// Every request body of this API is a JSON object: serde would also read a struct from an
/// array of its fields in order (`[null, null]`), which no client means and the document
/// does not allow, so anything but an object is refused here.
pub fn from_body<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, ApiError> {
    if !v.is_object() {
        return Err(wrong_shape("the body must be a JSON object"));
    }
    serde_json::from_value(v).map_err(wrong_shape)
}

pub fn json_rejection(rej: JsonRejection) -> ApiError {
    match rej {
        JsonRejection::JsonDataError(e) => wrong_shape(e.body_text()),
        JsonRejection::JsonSyntaxError(_) => ApiError::bad_request(
            ErrorCode::MalformedJson,
            "The request body is not valid JSON.",
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the body as application/json.",
        ),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "The request body is larger than allowed.",
            )
        }
        other => ApiError::bad_request(ErrorCode::BadRequest, other.body_text()),
    }
}
