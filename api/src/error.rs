//! The public error shape: `{ "error": { "code", "message", "details" } }` with the right
//! status. Internal causes are logged, never sent (no SQL, driver text or stack traces).
//!
//! The codes are the [`ErrorCode`] vocabulary; the constructors routes use (`invalid`,
//! `unprocessable`, `not_found`, `conflict`, …) live here, once.

pub use crate::error_code::ErrorCode;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nexus_core::store::{Collection, StoreError};
use serde_json::{Value, json};
use std::fmt;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub details: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Value::Null,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// 400: the request (a parameter, a file) cannot be used as sent.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401: not signed in, or the credentials or token are not (any more) valid.
    pub fn unauthorized(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// 403: signed in, but not allowed.
    pub fn forbidden(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 404 with a code such as `ORDER_NOT_FOUND`.
    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 404 `"{what} {id} not found"`, e.g. `(OrderNotFound, "Order", "ORD-1")`.
    pub fn record_not_found(code: ErrorCode, what: &str, id: &str) -> Self {
        Self::not_found(code, format!("{what} {id} not found"))
    }

    /// 409: the record's state does not allow this, or it changed meanwhile.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 422 with a stable code: well-formed, but a rule refuses it.
    pub fn unprocessable(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 422 `VALIDATION_FAILED` naming the offending field (`details.field`).
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::unprocessable(ErrorCode::ValidationFailed, message)
            .with_details(json!({ "field": field }))
    }

    /// 500 with the redacted text; the cause must have been logged by the caller (see
    /// [`ApiError::internal_cause`]).
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Something went wrong on our side; it has been logged.",
        )
    }

    /// 500 for an internal fault: logs `what` with the cause and its whole `source()` chain
    /// (inside the request's span, so the line carries the request id); the client gets the
    /// redacted text only.
    pub fn internal_cause(what: &str, cause: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %Chain(cause), "{what}");
        Self::internal()
    }

    /// 500 for a broken invariant without an error value: logs `what`, answers the redacted
    /// text.
    pub fn internal_fault(what: &str) -> Self {
        tracing::error!("{what}");
        Self::internal()
    }
}

/// An error with its `source()` chain, `outer: inner: innermost`, for logs.
pub struct Chain<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut next = self.0.source();
        while let Some(e) = next {
            write!(f, ": {e}")?;
            next = e.source();
        }
        Ok(())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The top-level `message` repeats `error.message` for the old mobile app, which shows
        // `body['message']` (docs/LEGACY_CLIENT.md); programs read the structured `error`.
        let body = json!({
            "error": { "code": self.code, "message": &self.message, "details": self.details },
            "message": self.message,
        });
        (self.status, Json(body)).into_response()
    }
}

/// The unique indexes (core/src/store/indexes.rs) a client's request can run into, each with
/// its own 409 code and message. Any other unique index answers the generic `DUPLICATE`.
/// Several codes are those the routes' own checks already answer (`USER_EXISTS`,
/// `WAREHOUSE_EXISTS`, …), so a request that loses a race gets the same answer as one that
/// came second.
pub const UNIQUE_KEY_CODES: &[(Collection, &str, ErrorCode, &str)] = &[
    (
        Collection::Users,
        "id_1",
        ErrorCode::UserExists,
        "This user id is already taken.",
    ),
    (
        Collection::Users,
        "email_1",
        ErrorCode::UserExists,
        "This e-mail address is already used by another user.",
    ),
    (
        Collection::Customers,
        "id_1",
        ErrorCode::CustomerExists,
        "A customer with this id already exists.",
    ),
    (
        Collection::Products,
        "id_1",
        ErrorCode::ProductExists,
        "A product with this id already exists.",
    ),
    (
        Collection::Products,
        "skuCode_1",
        ErrorCode::SkuCodeTaken,
        "Another product already has this SKU code.",
    ),
    (
        Collection::Warehouses,
        "id_1",
        ErrorCode::WarehouseExists,
        "A warehouse with this id already exists.",
    ),
    (
        Collection::DistributorPrices,
        "distributorCode_1_code_1",
        ErrorCode::DuplicatePriceEntry,
        "This distributor already has an entry for this material.",
    ),
    (
        Collection::Attendances,
        "userId_1_date_1",
        ErrorCode::AlreadyCheckedIn,
        "Already checked in today",
    ),
];

/// The 409 for a unique-index violation: the index's own code when a client can hit it,
/// the generic `DUPLICATE` otherwise. Details name the collection and index either way.
pub fn duplicate_key(collection: &str, index: &str) -> ApiError {
    let known = UNIQUE_KEY_CODES
        .iter()
        .find(|(c, i, ..)| c.name() == collection && *i == index);
    let (code, message) = match known {
        Some((_, _, code, message)) => (*code, *message),
        None => (
            ErrorCode::Duplicate,
            "A record with the same key already exists.",
        ),
    };
    ApiError::conflict(code, message)
        .with_details(json!({ "collection": collection, "index": index }))
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::DuplicateKey { collection, index } => {
                tracing::info!(%collection, %index, "duplicate key refused");
                duplicate_key(collection, index)
            }
            StoreError::Conflict(_) => ApiError::conflict(
                ErrorCode::Conflict,
                "The record was changed by someone else; reload and try again.",
            ),
            StoreError::Unavailable(_) => {
                tracing::error!(error = %Chain(&e), "store unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::StoreUnavailable,
                    "The database is not reachable right now.",
                )
            }
            _ => ApiError::internal_cause("store error", &e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_core::store::indexes;
    use nexus_core::store::sqlite::SqliteStore;
    use nexus_core::store::{Store, Write};

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Inner);
    #[derive(Debug, thiserror::Error)]
    #[error("inner")]
    struct Inner(#[source] std::io::Error);

    #[test]
    fn chains_print_every_source() {
        let e = Outer(Inner(std::io::Error::other("disk full")));
        assert_eq!(Chain(&e).to_string(), "outer: inner: disk full");
    }

    #[test]
    fn internal_errors_keep_their_text_out_of_the_answer() {
        let e = ApiError::from(StoreError::Backend("sqlite: no such table: users".into()));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.code, ErrorCode::InternalError);
        assert!(!e.message.contains("sqlite"));
        let e = ApiError::from(StoreError::Unavailable("tcp 10.0.0.1 refused".into()));
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(!e.message.contains("10.0.0.1"));
    }

    #[test]
    fn every_mapped_index_is_a_unique_index_of_the_catalogue() {
        for (c, name, code, message) in UNIQUE_KEY_CODES {
            let spec = indexes::find(*c, name)
                .unwrap_or_else(|| panic!("{c}.{name} is not in the index catalogue"));
            assert!(spec.unique, "{c}.{name} is not unique");
            assert_eq!(code.status(), StatusCode::CONFLICT, "{c}.{name}");
            assert!(!message.is_empty());
        }
        let unknown = duplicate_key("jobs", "id_1");
        assert_eq!(unknown.code, ErrorCode::Duplicate);
        assert_eq!(unknown.status, StatusCode::CONFLICT);
        assert_eq!(
            unknown.details,
            json!({ "collection": "jobs", "index": "id_1" })
        );
        let sku = duplicate_key("products", "skuCode_1");
        assert_eq!(sku.code, ErrorCode::SkuCodeTaken);
        assert_eq!(sku.details["index"], "skuCode_1");
    }

    /// The names the mapping matches are the ones the store really reports: each mapped index
    /// is violated on a real (SQLite) store and the error goes through `From<StoreError>`.
    #[tokio::test]
    async fn a_real_violation_of_each_mapped_index_gets_its_code() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).await.unwrap();
        store.ensure_indexes().await.unwrap();
        for (n, (c, name, code, _)) in UNIQUE_KEY_CODES.iter().enumerate() {
            let spec = indexes::find(*c, name).unwrap();
            let doc = |key: &str| {
                let mut d = serde_json::Map::new();
                for f in c.key_fields() {
                    d.insert((*f).into(), json!(format!("{key}-{n}")));
                }
                for (f, _) in spec.keys {
                    d.insert((*f).into(), json!(format!("taken-{n}")));
                }
                Value::Object(d)
            };
            let insert = |d: Value| Write::Insert {
                collection: *c,
                doc: d,
            };
            store.commit(vec![insert(doc("first"))]).await.unwrap();
            let err = store
                .commit(vec![insert(doc("second"))])
                .await
                .expect_err("the second insert must violate the index");
            let api = ApiError::from(err);
            assert_eq!(api.code, *code, "{c}.{name}");
            assert_eq!(api.status, StatusCode::CONFLICT);
        }
    }
}
