//! What each kind of job does, given a claimed record. The runner owns the record's
//! lifecycle; this module only turns inputs into an output or a failure that says whether
//! trying again could help.

use crate::expiry_scan;
use crate::runner::WorkerDeps;
use nexus_core::events::Event;
use nexus_core::model::{JobKind, JobProgress, JobRecord};
use nexus_core::store::{StoreError, Write};
use nexus_core::types::Timestamp;
use serde_json::Value;

/// A finished run.
#[derive(Debug, Default)]
pub struct JobOutput {
    pub result: Value,
    /// Blob key of a downloadable report (an import's rejected rows).
    pub report_key: Option<String>,
    pub final_progress: Option<JobProgress>,
    /// Writes that commit together with the record's `succeeded` state.
    pub writes: Vec<Write>,
    /// Published after that commit.
    pub events: Vec<Event>,
}

#[derive(Debug, thiserror::Error)]
pub enum JobFailure {
    /// Bad input: trying again gives the same answer.
    #[error("{0}")]
    Permanent(String),
    /// Infrastructure trouble (store, blob store, a provider): worth another attempt.
    #[error("{0}")]
    Retryable(String),
    /// A provider is throttling or briefly down (Gemini's 429, a timeout): try again after
    /// at least `after` (its `Retry-After`, else zero: the backoff decides).
    #[error("{message}")]
    RetryLater {
        message: String,
        after: std::time::Duration,
    },
    #[error("cancelled")]
    Cancelled,
}

impl From<StoreError> for JobFailure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Decode { .. } | StoreError::InvalidQuery(_) => {
                JobFailure::Permanent(e.to_string())
            }
            _ => JobFailure::Retryable(e.to_string()),
        }
    }
}

/// One run of one job.
pub struct Work<'a> {
    pub deps: &'a WorkerDeps,
    pub job: &'a JobRecord,
    pub progress: &'a (dyn Fn(JobProgress) + Send + Sync),
    pub cancelled: &'a (dyn Fn() -> bool + Send + Sync),
}

impl Work<'_> {
    pub async fn run(&self) -> Result<JobOutput, JobFailure> {
        match self.job.kind {
            JobKind::ExpiryScan => self.expiry_scan().await,
            JobKind::BulkOrderImport
            | JobKind::ProductImport
            | JobKind::CustomerImport
            | JobKind::DistributorPriceImport => crate::import_job::run(self).await,
            JobKind::CreditInsight => self.credit_insight().await,
            JobKind::DistanceCost => crate::distance_job::run(self).await,
        }
    }

    fn input_str(&self, field: &str) -> Option<&str> {
        self.job.input.as_ref()?.get(field)?.as_str()
    }

    /// The insight of an order waiting for credit control, stored on the order in the same
    /// commit as the job's success (so a worker killed mid-run leaves the job to be run
    /// again, never a half-stored insight). Idempotent: facts unchanged since the stored
    /// insight (same fingerprint) store nothing new; an order that left the credit queue
    /// is skipped.
    async fn credit_insight(&self) -> Result<JobOutput, JobFailure> {
        use nexus_core::integrations::credit_insight;
        use nexus_core::model::{AuditAction, AuditLog, Customer, EntityType, Order, OrderStatus};
        use nexus_core::store::{Filter, TypedStore};
        let order_id = self
            .input_str("orderId")
            .ok_or_else(|| JobFailure::Permanent("input.orderId is missing".into()))?;
        let store = self.deps.store.as_ref();
        let order: Order = store
            .get(Filter::id(order_id))
            .await?
            .ok_or_else(|| JobFailure::Permanent(format!("order {order_id} does not exist")))?;
        let skipped = |why: &str| JobOutput {
            result: serde_json::json!({ "orderId": order_id, "skipped": why }),
            ..JobOutput::default()
        };
        if !matches!(
            order.status,
            OrderStatus::PendingCreditApproval | OrderStatus::OnHold
        ) {
            return Ok(skipped("the order no longer waits for credit control"));
        }
        let customer: Customer = store
            .get(Filter::id(order.customer_id.clone()))
            .await?
            .ok_or_else(|| {
                JobFailure::Permanent(format!("customer {} does not exist", order.customer_id))
            })?;
        let inputs = credit_insight::inputs(store, order, customer).await?;
        if inputs.stored().is_some() {
            return Ok(JobOutput {
                result: serde_json::json!({
                    "orderId": order_id,
                    "reused": true,
                    "fingerprint": inputs.fingerprint,
                }),
                ..JobOutput::default()
            });
        }
        let by = format!("job:{}", self.job.id);
        // Throttled or briefly unreachable: try again later instead of storing the rules'
        // answer; on the last attempt the rules answer, marked as the fallback.
        let last_attempt = self.job.attempts >= self.job.max_attempts;
        let computed =
            credit_insight::compute_or_defer(self.deps.ai.as_ref(), &inputs, &by, last_attempt)
                .await
                .map_err(|e| JobFailure::RetryLater {
                    message: format!("{}; trying again", e.public_reason()),
                    after: e.retry_after().unwrap_or_default(),
                })?;
        let audit = AuditLog::new(by.clone(), "Credit insight job", AuditAction::Update)
            .entity(EntityType::Order, order_id);
        let writes = credit_insight::writes(&inputs, &computed, audit)?;
        let advice = &computed.answered.advice;
        let event = nexus_core::live::credit_insight_ready(
            &inputs.order,
            &inputs.customer.id,
            advice.risk_score,
            advice.decision,
            computed.answered.source,
            nexus_core::events::Audience {
                salesperson_id: inputs.order.salesperson_id.clone(),
                order_status: Some(inputs.order.status.as_str().to_string()),
                permissions: vec![nexus_core::auth::Permission::ApproveCredit.as_str().into()],
                ..nexus_core::events::Audience::default()
            },
        );
        Ok(JobOutput {
            result: serde_json::json!({
                "orderId": order_id,
                "riskScore": advice.risk_score,
                "decision": advice.decision,
                "source": computed.answered.source,
                "fallbackReason": computed.answered.fallback_reason,
                "fingerprint": inputs.fingerprint,
            }),
            writes,
            events: vec![event],
            ..JobOutput::default()
        })
    }

    async fn expiry_scan(&self) -> Result<JobOutput, JobFailure> {
        let today = match self.input_str("date") {
            Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| JobFailure::Permanent(format!("`{d}` is not a date (YYYY-MM-DD)")))?,
            None => Timestamp::now()
                .datetime()
                .with_timezone(&self.deps.settings.expiry_tz)
                .date_naive(),
        };
        (self.progress)(JobProgress {
            done: 0,
            total: 1,
            message: Some("reading batches".into()),
        });
        let result = expiry_scan::run(self.deps.store.as_ref(), today).await?;
        let events = expiry_scan::alerts(&result);
        Ok(JobOutput {
            result,
            final_progress: Some(JobProgress {
                done: 1,
                total: 1,
                message: Some("scan finished".into()),
            }),
            events,
            ..JobOutput::default()
        })
    }
}
