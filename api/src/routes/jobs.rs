//! Background jobs as users see them: list, detail, retry, cancel, the error report of an
//! import, and an on-demand expiry scan.
//!
//! Who sees what: everyone sees the jobs they started; Admin sees every job; warehouse and
//! sales staff (`manage_warehouse` or `create_orders`) also see the system's scheduled expiry
//! scans. A job the caller may not see answers 404, like one that does not exist, so ids
//! cannot be probed. Every state change is a guarded update (the record's `_rev` or its
//! status), audited, then published as a `job:*` event.

use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::routes::common::{Bounded, MAX_PAGE, Paging, ok_data};
use crate::routes::envelope::{Data, JobAccepted};
use crate::routes::extract::{ApiQuery, OptionalJson};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission};
use nexus_core::blob::BlobKey;
use nexus_core::model::{AuditAction, EntityType, JobKind, JobRecord, JobStatus};
use nexus_core::store::{Filter, Query, StoreError, TypedStore, UpdateOp, Write};
use nexus_core::types::Timestamp;
use nexus_worker::runner::job_event;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([
        routes!(list),
        routes!(expiry_scan),
        routes!(distance_cost),
        routes!(get_one),
        routes!(retry),
        routes!(cancel),
        routes!(report),
    ])
}

/// How long a report download link stays valid.
const REPORT_URL_TTL: Duration = Duration::from_secs(15 * 60);

fn sees_system_jobs(actor: &Actor) -> bool {
    actor.can(Permission::ManageWarehouse, Access::View)
        || actor.can(Permission::CreateOrders, Access::View)
}

/// The jobs `actor` may see, as a store filter.
fn scope(actor: &Actor) -> Filter {
    if actor.is_admin() {
        Filter::All
    } else if sees_system_jobs(actor) {
        Filter::or([
            Filter::eq("requestedBy", actor.id()),
            Filter::eq("requestedBy", "system"),
        ])
    } else {
        Filter::eq("requestedBy", actor.id())
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(ErrorCode::JobNotFound, format!("No job {id}."))
}

async fn load_visible(st: &AppState, actor: &Actor, id: &str) -> Result<JobRecord, ApiError> {
    st.store
        .get::<JobRecord>(Filter::and([Filter::id(id), scope(actor)]))
        .await?
        .ok_or_else(|| not_found(id))
}

fn parse_enum<T: serde::de::DeserializeOwned>(
    field: &'static str,
    raw: Option<&str>,
    allowed: &str,
) -> Result<Option<T>, ApiError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    serde_json::from_value(json!(raw)).map(Some).map_err(|_| {
        ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("`{raw}` is not a job {field}; use one of {allowed}."),
        )
        .with_details(json!({ "field": field }))
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// queued, running, succeeded, failed, dead or cancelled.
    #[param(value_type = Option<nexus_core::model::JobStatus>, inline)]
    pub status: Option<String>,
    /// bulk_order_import, product_import, customer_import, distributor_price_import,
    /// credit_insight, distance_cost or expiry_scan.
    #[param(value_type = Option<nexus_core::model::JobKind>, inline)]
    pub kind: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1_000_000)]
    pub page: Option<Bounded<1, MAX_PAGE>>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub limit: Option<Bounded<1, 500>>,
}

/// Jobs the caller may see, newest first (raw array; `X-Total-Count`, `X-Page`, `X-Limit`).
#[utoipa::path(get, path = "/api/jobs", tag = "Jobs", security(("bearer" = [])), params(ListQuery),
    responses(
        (status = 200, description = "Raw array of job records, newest first", body = [JobRecord]),
        (status = 422, description = "Unknown status or kind"),
    ))]
async fn list(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let mut parts = vec![scope(&actor)];
    if let Some(s) = parse_enum::<JobStatus>(
        "status",
        q.status.as_deref(),
        "queued, running, succeeded, failed, dead, cancelled",
    )? {
        parts.push(Filter::eq("status", json!(s)));
    }
    if let Some(k) = parse_enum::<JobKind>(
        "kind",
        q.kind.as_deref(),
        &JobKind::ALL.map(JobKind::as_str).join(", "),
    )? {
        parts.push(Filter::eq("kind", json!(k)));
    }
    let filter = Filter::and(parts);
    let paging = Paging {
        page: q.page,
        limit: q.limit,
    };
    let (jobs, total): (Vec<JobRecord>, _) = paging
        .fetch(
            &st,
            Query::new(filter).sort_desc("createdAt").sort_desc("id"),
        )
        .await?;
    Ok(paging.respond(jobs, total))
}

/// One job: status, progress, attempts, result or error, and whether a report exists.
#[utoipa::path(get, path = "/api/jobs/{id}", tag = "Jobs", security(("bearer" = [])),
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = Data<JobRecord>),
        (status = 404, description = "No such job, or not one of the caller's"),
    ))]
async fn get_one(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(ok_data(load_visible(&st, &actor, &id).await?))
}

/// Applies a guarded change to a job with its audit entry, then publishes the new state.
async fn change(
    st: &AppState,
    actor: &Actor,
    job: &JobRecord,
    ops: Vec<UpdateOp>,
    what: &str,
) -> Result<JobRecord, ApiError> {
    let guard = Filter::and([Filter::id(&job.id), Filter::eq("_rev", job.rev)]);
    let mut ops = ops;
    ops.push(UpdateOp::Set("updatedAt".into(), json!(Timestamp::now())));
    ops.push(UpdateOp::Inc("_rev".into(), json!(1)));
    let audit = actor
        .audit(AuditAction::Update)
        .entity(EntityType::Job, &job.id)
        .change(
            Some(json!({ "status": job.status })),
            Some(json!({ "action": what })),
        );
    match st
        .store
        .commit(vec![
            Write::update_one::<JobRecord>(guard, ops),
            Write::insert(&audit)?,
        ])
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::conflict(
                ErrorCode::JobChanged,
                "The job changed while this request ran; reload it and try again.",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let updated = st
        .store
        .get::<JobRecord>(Filter::id(&job.id))
        .await?
        .ok_or_else(|| not_found(&job.id))?;
    st.publish(job_event(&updated, &updated.progress)).await;
    Ok(updated)
}

fn conflict(job: &JobRecord, wanted: &str) -> ApiError {
    ApiError::conflict(
        ErrorCode::JobState,
        format!("Job {} is {}; {wanted}.", job.id, job.status.as_str()),
    )
    .with_details(json!({ "status": job.status }))
}

/// Queue a failed, dead or cancelled job again with a fresh set of attempts. Imports are
/// idempotent, so rows a previous attempt committed are not imported twice.
#[utoipa::path(post, path = "/api/jobs/{id}/retry", tag = "Jobs", security(("bearer" = [])),
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 202, description = "Queued again: the job", body = Data<JobRecord>),
        (status = 404, description = "No such job, or not one of the caller's"),
        (status = 409, description = "The job is queued, running or succeeded"),
    ))]
async fn retry(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let job = load_visible(&st, &actor, &id).await?;
    if !matches!(
        job.status,
        JobStatus::Failed | JobStatus::Dead | JobStatus::Cancelled
    ) {
        return Err(conflict(
            &job,
            "only failed, dead or cancelled jobs can be retried",
        ));
    }
    let updated = change(
        &st,
        &actor,
        &job,
        vec![
            UpdateOp::Set("status".into(), json!(JobStatus::Queued)),
            UpdateOp::Set("attempts".into(), json!(0)),
            UpdateOp::Set("cancelRequested".into(), json!(false)),
            UpdateOp::Unset("error".into()),
            UpdateOp::Unset("finishedAt".into()),
            UpdateOp::Unset("runAfter".into()),
            UpdateOp::Unset("workerId".into()),
            UpdateOp::Unset("leaseUntil".into()),
        ],
        "retry",
    )
    .await?;
    if let Err(e) = st.jobs.enqueue(&updated.id, None).await {
        tracing::warn!(job = %updated.id, error = %e, "retry recorded but not enqueued; the sweep will pick it up");
    }
    Ok((StatusCode::ACCEPTED, ok_data(updated)).into_response())
}

/// Cancel a job: a queued job is cancelled at once; a running one stops at its next
/// checkpoint (an import between chunks: what it committed stays, and a retry resumes).
#[utoipa::path(post, path = "/api/jobs/{id}/cancel", tag = "Jobs", security(("bearer" = [])),
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "Cancelled (it was queued): the job", body = Data<JobRecord>),
        (status = 202, description = "Cancel requested (it is running): the job", body = Data<JobRecord>),
        (status = 404, description = "No such job, or not one of the caller's"),
        (status = 409, description = "The job has already ended"),
    ))]
async fn cancel(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let job = load_visible(&st, &actor, &id).await?;
    match job.status {
        JobStatus::Queued => {
            let updated = change(
                &st,
                &actor,
                &job,
                vec![
                    UpdateOp::Set("status".into(), json!(JobStatus::Cancelled)),
                    UpdateOp::Set("cancelRequested".into(), json!(true)),
                    UpdateOp::Set("finishedAt".into(), json!(Timestamp::now())),
                ],
                "cancel",
            )
            .await?;
            Ok((StatusCode::OK, ok_data(updated)).into_response())
        }
        JobStatus::Running => {
            let updated = change(
                &st,
                &actor,
                &job,
                vec![UpdateOp::Set("cancelRequested".into(), json!(true))],
                "cancel",
            )
            .await?;
            Ok((StatusCode::ACCEPTED, ok_data(updated)).into_response())
        }
        _ => Err(conflict(&job, "it can no longer be cancelled")),
    }
}

/// A signed link to a job's report.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportLink {
    pub url: String,
    /// How long the link works (900).
    pub expires_in_seconds: u64,
    /// `<jobId>-rejected-rows.xlsx`.
    pub file_name: String,
}

/// A link to download the job's report (an import's rejected rows with the reason for
/// each), valid for 15 minutes.
#[utoipa::path(get, path = "/api/jobs/{id}/report", tag = "Jobs", security(("bearer" = [])),
    params(("id" = String, Path, description = "Job id")),
    responses(
        (status = 200, description = "A signed download link", body = Data<ReportLink>),
        (status = 404, description = "No such job, not the caller's, or it has no report"),
    ))]
async fn report(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let job = load_visible(&st, &actor, &id).await?;
    let key = job
        .report_key
        .as_deref()
        .and_then(|k| BlobKey::parse(k).ok())
        .ok_or_else(|| {
            ApiError::not_found(
                ErrorCode::ReportNotFound,
                format!("Job {id} has no report (every row was accepted, or it has not finished)."),
            )
        })?;
    let url = st
        .blobs
        .signed_url(&key, REPORT_URL_TTL)
        .await
        .map_err(crate::routes::uploads::blob_error)?;
    Ok(ok_data(json!({
        "url": url,
        "expiresInSeconds": REPORT_URL_TTL.as_secs(),
        "fileName": format!("{id}-rejected-rows.xlsx"),
    })))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DistanceCostRequest {
    /// One order waiting at the logistics-cost step; without it, every waiting order.
    #[schema(example = "ORD-006", min_length = 1, max_length = 64)]
    pub order_id: Option<String>,
}

/// Price routes now: the road distance from the dispatching warehouse to the customer and
/// each vehicle's cost against the 15 % rule, stored on the order as `logisticsProposal` and
/// announced as `logistics:cost-proposed`. Quality control queues this for each order it
/// passes; this runs it for one order again, or for every order waiting for logistics.
#[utoipa::path(post, path = "/api/jobs/distance-cost", tag = "Jobs", security(("bearer" = [])),
    request_body(content = Option<DistanceCostRequest>, description = "Optional: without a body (or orderId), every order waiting for logistics"),
    responses(
        (status = 202, description = "Queued: follow the job at `GET /api/jobs/{jobId}`", body = JobAccepted),
        (status = 403, description = "Needs logistics_costing"),
        (status = 404, description = "No such order"),
        (status = 409, description = "The order is not waiting at the logistics-cost step"),
    ))]
async fn distance_cost(
    State(st): State<AppState>,
    actor: Actor,
    OptionalJson(body): OptionalJson<DistanceCostRequest>,
) -> Result<Response, ApiError> {
    use nexus_core::model::{Order, OrderStatus};
    actor.require(Permission::LogisticsCosting, Access::Full)?;
    let input = match body.order_id.as_deref().map(str::trim) {
        Some(id) => {
            let order: Order = st.store.get(Filter::id(id)).await?.ok_or_else(|| {
                ApiError::not_found(ErrorCode::OrderNotFound, format!("Order {id} not found"))
            })?;
            if order.status != OrderStatus::PendingLogisticsCost {
                return Err(ApiError::conflict(
                    ErrorCode::InvalidTransition,
                    format!(
                        "Order {id} is {}, not waiting at the logistics-cost step",
                        order.status
                    ),
                ));
            }
            json!({ "orderId": id })
        }
        None => json!({ "all": true }),
    };
    let job_id = queue_job(&st, actor.id(), JobKind::DistanceCost, input, Some(&actor)).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "success": true, "jobId": job_id, "status": "queued" })),
    )
        .into_response())
}

/// Records and enqueues a job, with its audit entry when a person asked for it.
pub(crate) async fn queue_job(
    st: &AppState,
    requested_by: &str,
    kind: JobKind,
    input: Value,
    actor: Option<&Actor>,
) -> Result<String, StoreError> {
    nexus_core::jobs::submit(
        st.store.as_ref(),
        st.jobs.as_ref(),
        kind,
        requested_by,
        Some(input.clone()),
        st.config.jobs.max_attempts,
        |id| match actor {
            Some(actor) => {
                let audit = actor
                    .audit(AuditAction::Create)
                    .entity(EntityType::Job, id)
                    .change(None, Some(json!({ "kind": kind, "input": input })));
                Ok(vec![Write::insert(&audit)?])
            }
            None => Ok(Vec::new()),
        },
    )
    .await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpiryScanRequest {
    /// The day to scan as (YYYY-MM-DD); default today in the scan's time zone.
    #[schema(example = "2026-11-24", format = Date)]
    pub date: Option<String>,
}

/// Run the expiry scan now (it also runs daily on its schedule): batches expiring within
/// 30/60/90 days, expired ones and clearance candidates, published as `alert:expiry`.
#[utoipa::path(post, path = "/api/jobs/expiry-scan", tag = "Jobs", security(("bearer" = [])),
    request_body(content = Option<ExpiryScanRequest>, description = "Optional: without a body, today's scan"),
    responses(
        (status = 202, description = "Queued: follow the job at `GET /api/jobs/{jobId}`", body = JobAccepted),
        (status = 403, description = "Needs manage_warehouse"),
        (status = 422, description = "date is not YYYY-MM-DD"),
    ))]
async fn expiry_scan(
    State(st): State<AppState>,
    actor: Actor,
    OptionalJson(body): OptionalJson<ExpiryScanRequest>,
) -> Result<Response, ApiError> {
    actor.require(Permission::ManageWarehouse, Access::Full)?;
    let mut input = json!({ "trigger": "on demand" });
    if let Some(d) = body.date.as_deref().map(str::trim) {
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                format!("`{d}` is not a date (YYYY-MM-DD)."),
            )
            .with_details(json!({ "field": "date" }))
        })?;
        input["date"] = json!(d);
    }
    let job_id = queue_job(&st, actor.id(), JobKind::ExpiryScan, input, Some(&actor)).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "success": true, "jobId": job_id, "status": "queued" })),
    )
        .into_response())
}
