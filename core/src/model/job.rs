//! `jobs`: the record of every queued job (ARCHITECTURE "Jobs"). The queue transport only
//! delivers and retries; what users, events and the console see is this record, so it looks
//! the same whichever queue backend runs.

use crate::types::{Timestamp, null_as_default};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    BulkOrderImport,
    ProductImport,
    CustomerImport,
    DistributorPriceImport,
    CreditInsight,
    DistanceCost,
    ExpiryScan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    /// Out of attempts: kept for inspection and manual retry (the dead-letter state).
    Dead,
    Cancelled,
}

impl JobStatus {
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobStatus::Succeeded | JobStatus::Failed | JobStatus::Dead | JobStatus::Cancelled
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Dead => "dead",
            JobStatus::Cancelled => "cancelled",
        }
    }
}

impl JobKind {
    /// Every kind, in declaration order (for messages that list what is accepted).
    pub const ALL: [JobKind; 7] = [
        JobKind::BulkOrderImport,
        JobKind::ProductImport,
        JobKind::CustomerImport,
        JobKind::DistributorPriceImport,
        JobKind::CreditInsight,
        JobKind::DistanceCost,
        JobKind::ExpiryScan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::BulkOrderImport => "bulk_order_import",
            JobKind::ProductImport => "product_import",
            JobKind::CustomerImport => "customer_import",
            JobKind::DistributorPriceImport => "distributor_price_import",
            JobKind::CreditInsight => "credit_insight",
            JobKind::DistanceCost => "distance_cost",
            JobKind::ExpiryScan => "expiry_scan",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobProgress {
    #[serde(default)]
    pub done: u64,
    #[serde(default)]
    pub total: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct JobRecord {
    pub id: String,
    pub kind: JobKind,
    pub status: JobStatus,
    pub requested_by: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub progress: JobProgress,
    #[serde(default, deserialize_with = "null_as_default")]
    pub attempts: u32,
    pub max_attempts: u32,
    /// The typed payload, as JSON (inputs only; files are blob keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Blob key of a downloadable report (e.g. an import's rejected rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_key: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub cancel_requested: bool,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Not to be started before this (retry backoff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_after: Option<Timestamp>,
    /// The worker running the job and until when its claim holds; a running job whose
    /// lease has passed belongs to a dead worker and may be taken over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<Timestamp>,
    #[serde(rename = "_rev", default, deserialize_with = "null_as_default")]
    pub rev: u64,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

impl JobRecord {
    /// A queued job as the API records it before handing its id to the queue.
    pub fn queued(
        id: impl Into<String>,
        kind: JobKind,
        requested_by: impl Into<String>,
        input: Option<Value>,
        max_attempts: u32,
        now: Timestamp,
    ) -> JobRecord {
        JobRecord {
            id: id.into(),
            kind,
            status: JobStatus::Queued,
            requested_by: requested_by.into(),
            progress: JobProgress::default(),
            attempts: 0,
            max_attempts,
            input,
            result: None,
            error: None,
            report_key: None,
            cancel_requested: false,
            created_at: now,
            started_at: None,
            finished_at: None,
            updated_at: Some(now),
            run_after: None,
            worker_id: None,
            lease_until: None,
            rev: 0,
            extra: Map::new(),
        }
    }
}
