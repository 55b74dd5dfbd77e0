//! The schemas of the legacy response envelopes, for the OpenAPI document. The handlers
//! build these bodies with `json!` (`common::ok_data`, `common::created` and their
//! neighbours); these types only describe them, once and generically, so each operation can
//! say `body = Data<Order>` instead of an untyped object. `tests/response_schemas.rs` holds
//! the descriptions to what the server really sends.

use serde::Serialize;
use utoipa::ToSchema;

/// `{ "success": true, "data": … }`: the envelope of one record (or one list) the legacy
/// client reads.
#[derive(Debug, Serialize, ToSchema)]
pub struct Data<T> {
    /// Always `true` on a 2xx answer.
    pub success: bool,
    pub data: T,
}

/// `{ "success": true, "message": "…", "data": … }`: a write that also says what it did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageData<T> {
    /// Always `true` on a 2xx answer.
    pub success: bool,
    /// What was done, for display.
    pub message: String,
    pub data: T,
}

/// `{ "success": true, "message": "…" }`: a write with nothing to send back.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    /// Always `true` on a 2xx answer.
    pub success: bool,
    /// What was done, for display.
    pub message: String,
}

/// The error of one item of a batch request (bulk update, bulk dispatch): the public error
/// code and message the item would have got as a request of its own.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemError {
    pub code: String,
    pub message: String,
}

/// The page a paged list answered (the lists that keep the page inside the body).
#[derive(Debug, Serialize, ToSchema)]
pub struct Pagination {
    /// 1-based page number.
    pub page: u64,
    /// Page size.
    pub limit: u64,
    /// Matching rows on all pages.
    pub total: u64,
    /// Number of pages (`total / limit`, rounded up).
    pub pages: u64,
}

/// `{ "success": true, "jobId": "…", "status": "queued" }`: a request handed to a job;
/// follow it with `GET /api/jobs/{jobId}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobAccepted {
    /// Always `true` on a 2xx answer.
    pub success: bool,
    pub job_id: String,
    /// Always `queued`.
    #[schema(example = "queued")]
    pub status: String,
}
