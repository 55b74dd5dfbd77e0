//! The audit log: one user's trail, the filtered list, statistics and the CSV export (api.md
//! §2.17, domain.md §1.12, §4.7).
//!
//! Who sees whose entries (the same rule everywhere here): Admin, NSM and `user_management`
//! see everyone; RSM and ASM see themselves and their whole team, found recursively through
//! `managerId` (the legacy list walked one level only and the per-user route had no check at
//! all, §8.1.15); everyone else sees their own entries. An explicit `userId` filter is
//! intersected with that set — an empty intersection is an empty page, never an error (the
//! legacy route crashed with a 500 for Sales users passing `userId`). Pages are capped.
//! Statistics report a 0 % success rate for an empty period instead of "NaN" (D-L21). The
//! CSV export quotes every cell and neutralises spreadsheet formulas (§8.1.13).

use crate::auth::Actor;
use crate::auth::actor::forbidden;
use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::routes::common::{Bounded, MAX_PAGE};
use crate::routes::dates::{DateRange, RangeEnd};
use crate::routes::envelope::{Data, Pagination};
use crate::routes::extract::ApiQuery;
use crate::routes::users::view::{self, SALARY_FIELDS, Visible, manages_users};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures::future::try_join_all;
use nexus_core::auth::{Access, Permission, Role};
use nexus_core::model::{AuditAction, AuditLog, EntityType, User};
use nexus_core::store::{Filter, Query, TypedStore, Write};
use nexus_core::types::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([
        routes!(user_logs),
        routes!(list_logs),
        routes!(stats),
        routes!(export_csv),
    ])
}

/// Default and largest page of the filtered list.
const LIST_DEFAULT: u64 = 50;
const LIST_MAX: u64 = 500;
/// Default and largest number of one user's entries.
const USER_DEFAULT: u64 = 100;
const USER_MAX: u64 = 1000;
/// Rows in one CSV export (the legacy cap).
pub const EXPORT_MAX: u64 = 10_000;

/// Every action and entity type, for the statistics (the store counts per value on its
/// indexes rather than loading the period's entries).
const ACTIONS: [AuditAction; 17] = [
    AuditAction::Login,
    AuditAction::Logout,
    AuditAction::Create,
    AuditAction::Update,
    AuditAction::Delete,
    AuditAction::StatusChange,
    AuditAction::PriceChange,
    AuditAction::RoleChange,
    AuditAction::Export,
    AuditAction::Approve,
    AuditAction::Reject,
    AuditAction::BulkUpload,
    AuditAction::FileUpload,
    AuditAction::PasswordReset,
    AuditAction::PasswordChange,
    AuditAction::Import,
    AuditAction::StockMovement,
];
const ENTITIES: [EntityType; 15] = [
    EntityType::Order,
    EntityType::Customer,
    EntityType::Product,
    EntityType::User,
    EntityType::Procurement,
    EntityType::Invoice,
    EntityType::Packaging,
    EntityType::Pms,
    EntityType::System,
    EntityType::FileUpload,
    EntityType::PriceList,
    EntityType::Warehouse,
    EntityType::Stock,
    EntityType::Job,
    EntityType::Attendance,
];

fn enum_str<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn parse_enum<T: serde::de::DeserializeOwned>(field: &str, raw: &str) -> Result<T, ApiError> {
    serde_json::from_value(json!(raw.trim().to_ascii_uppercase())).map_err(|_| {
        ApiError::bad_request(ErrorCode::InvalidFilter, format!("Unknown {field} {raw}"))
    })
}

/// Whose entries the actor may read.
async fn visible(st: &AppState, actor: &Actor) -> Result<Visible, ApiError> {
    if matches!(actor.role(), Role::Admin | Role::Nsm) || manages_users(actor) {
        return Ok(Visible::All);
    }
    Ok(Visible::Only(view::self_and_team(st, actor).await?))
}

/// `fromDate`/`toDate`: the shared date range reading (bare dates are whole IST days).
fn period(from: Option<&str>, to: Option<&str>) -> Result<Filter, ApiError> {
    let range = DateRange::parse_with(from, to, |side, raw| {
        let name = match side {
            RangeEnd::Start => "fromDate",
            RangeEnd::End => "toDate",
        };
        ApiError::bad_request(
            ErrorCode::InvalidFilter,
            format!("{name} {raw} is not a date"),
        )
    })?;
    Ok(range.filter("timestamp"))
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct LogFilters {
    /// 1-based page (default 1).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1_000_000)]
    pub page: Option<Bounded<1, MAX_PAGE>>,
    /// Page size (default 50, at most 500).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub limit: Option<Bounded<1, LIST_MAX>>,
    /// One user id or a comma-separated list (intersected with what you may see).
    pub user_id: Option<String>,
    /// LOGIN, CREATE, UPDATE, STATUS_CHANGE, …
    #[param(value_type = Option<nexus_core::model::AuditAction>, inline)]
    pub action: Option<String>,
    /// ORDER, CUSTOMER, USER, …
    #[param(value_type = Option<nexus_core::model::EntityType>, inline)]
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// `YYYY-MM-DD` (start of that day, IST) or an RFC 3339 instant.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub from_date: Option<String>,
    /// `YYYY-MM-DD` (whole day included, IST) or an RFC 3339 instant.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub to_date: Option<String>,
    /// `true` or `false`.
    #[param(value_type = Option<bool>)]
    pub success: Option<String>,
    /// Entries by users holding this role.
    #[param(value_type = Option<nexus_core::auth::Role>, inline)]
    pub role: Option<String>,
}

/// The narrowing of the visible set by the `userId` and `role` filters; `None` means the
/// filters leave nothing (an empty answer, not an error).
async fn user_filter(
    st: &AppState,
    visible: &Visible,
    user_ids: Option<&str>,
    role: Option<&str>,
) -> Result<Option<Filter>, ApiError> {
    let mut set: Option<BTreeSet<String>> = match visible {
        Visible::All => None,
        Visible::Only(s) => Some(s.clone()),
    };
    let mut narrow = |ids: BTreeSet<String>| {
        set = Some(match set.take() {
            None => ids,
            Some(s) => s.intersection(&ids).cloned().collect(),
        });
    };
    if let Some(list) = user_ids {
        narrow(
            list.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .take(200)
                .map(str::to_string)
                .collect(),
        );
    }
    if let Some(r) = role {
        let role = Role::parse(r).ok_or_else(|| {
            ApiError::bad_request(ErrorCode::InvalidFilter, format!("Unknown role {r}"))
        })?;
        let users: Vec<User> = st
            .store
            .list(&Query::new(Filter::eq("role", role.as_str())))
            .await?;
        narrow(users.into_iter().map(|u| u.id).collect());
    }
    Ok(match set {
        None => Some(Filter::All),
        Some(s) if s.is_empty() => None,
        Some(s) => Some(Filter::is_in(
            "userId",
            s.into_iter().map(Value::String).collect(),
        )),
    })
}

/// The store filter for the list, stats and export; `None` = nothing can match.
async fn build_filter(
    st: &AppState,
    visible: &Visible,
    f: &LogFilters,
) -> Result<Option<Filter>, ApiError> {
    let Some(users) = user_filter(st, visible, nonempty(&f.user_id), nonempty(&f.role)).await?
    else {
        return Ok(None);
    };
    let mut parts = vec![users];
    if let Some(a) = nonempty(&f.action) {
        let a: AuditAction = parse_enum("action", a)?;
        parts.push(Filter::eq("action", enum_str(a)));
    }
    if let Some(t) = nonempty(&f.entity_type) {
        let t: EntityType = parse_enum("entityType", t)?;
        parts.push(Filter::eq("entityType", enum_str(t)));
    }
    if let Some(e) = nonempty(&f.entity_id) {
        parts.push(Filter::eq("entityId", e));
    }
    parts.push(period(f.from_date.as_deref(), f.to_date.as_deref())?);
    if let Some(s) = nonempty(&f.success) {
        match s.to_ascii_lowercase().as_str() {
            // Entries without the field count as successful (the schema default).
            "true" => parts.push(Filter::ne("success", false)),
            "false" => parts.push(Filter::eq("success", false)),
            _ => {
                return Err(ApiError::bad_request(
                    ErrorCode::InvalidFilter,
                    "success must be true or false",
                ));
            }
        }
    }
    Ok(Some(Filter::and(parts)))
}

/// An entry as the actor may see it: salary figures inside user snapshots only for
/// `user_management` (D-S3).
fn entry_json(actor: &Actor, a: &AuditLog) -> Value {
    let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
    if a.entity_type == Some(EntityType::User) && !manages_users(actor) {
        for side in ["oldData", "newData"] {
            if let Some(o) = v.get_mut(side).and_then(Value::as_object_mut) {
                for k in SALARY_FIELDS {
                    o.remove(k);
                }
            }
        }
    }
    v
}

/// One page of the filtered audit list.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogPage {
    /// Entries, newest first (salary figures inside user snapshots only for user managers).
    pub logs: Vec<AuditLog>,
    pub pagination: Pagination,
}

/// How many entries have one action.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionCount {
    pub action: AuditAction,
    pub count: u64,
}

/// How many entries concern one entity type.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntityCount {
    pub entity_type: EntityType,
    pub count: u64,
}

/// How many entries one user wrote.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserCount {
    pub user_id: String,
    pub user_name: String,
    pub count: u64,
}

/// Successful and failed entries in the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuccessRate {
    pub success: u64,
    pub failure: u64,
    pub total: u64,
    /// The success share in percent with two decimals, as text (`"0.00"` for an empty
    /// period).
    #[schema(example = "98.50")]
    pub percentage: String,
}

/// The audit statistics of a period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditStats {
    /// Actions that occur, most frequent first.
    pub actions: Vec<ActionCount>,
    /// Entity types that occur, most frequent first.
    pub entities: Vec<EntityCount>,
    /// The ten most active users.
    pub top_users: Vec<UserCount>,
    pub success_rate: SuccessRate,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserLogsQuery {
    /// Newest entries to return (default 100, at most 1000).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000)]
    pub limit: Option<Bounded<1, USER_MAX>>,
}

/// One user's entries, newest first. Allowed for users you may see (yourself; your team as
/// RSM/ASM; everyone as Admin, NSM or `user_management`).
#[utoipa::path(get, path = "/api/audit/logs/user/{userId}", tag = "Audit", security(("bearer" = [])),
    params(("userId" = String, Path, description = "Whose entries"), UserLogsQuery),
    responses(
        (status = 200, description = "The user's entries, newest first", body = Data<Vec<AuditLog>>),
        (status = 403, description = "Not yourself and not in your team"),
    ))]
async fn user_logs(
    State(st): State<AppState>,
    actor: Actor,
    Path(user_id): Path<String>,
    ApiQuery(q): ApiQuery<UserLogsQuery>,
) -> Result<Json<Value>, ApiError> {
    if !visible(&st, &actor).await?.contains(&user_id) {
        return Err(forbidden(&[(Permission::UserManagement, Access::View)]));
    }
    let limit = q.limit.map_or(USER_DEFAULT, |l| l.0);
    let logs: Vec<AuditLog> = st
        .store
        .list(
            &Query::new(Filter::eq("userId", user_id))
                .sort_desc("timestamp")
                .limit(limit),
        )
        .await?;
    let data: Vec<Value> = logs.iter().map(|a| entry_json(&actor, a)).collect();
    Ok(Json(json!({ "success": true, "data": data })))
}

/// Filtered entries, newest first, with pagination. Everyone may call it and sees what the
/// visibility rule allows (see the module documentation).
#[utoipa::path(get, path = "/api/audit/logs", tag = "Audit", security(("bearer" = [])),
    params(LogFilters),
    responses(
        (status = 200, description = "One page of entries with its pagination", body = Data<LogPage>),
        (status = 400, description = "Unknown action, entity type, role, or a bad date"),
    ))]
async fn list_logs(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(f): ApiQuery<LogFilters>,
) -> Result<Json<Value>, ApiError> {
    let page = f.page.map_or(1, |p| p.0);
    let limit = f.limit.map_or(LIST_DEFAULT, |l| l.0);
    let vis = visible(&st, &actor).await?;
    let (logs, total) = match build_filter(&st, &vis, &f).await? {
        None => (Vec::new(), 0),
        Some(filter) => {
            let total = st.store.count_of::<AuditLog>(&filter).await?;
            let logs: Vec<AuditLog> = st
                .store
                .list(
                    &Query::new(filter)
                        .sort_desc("timestamp")
                        .skip((page - 1) * limit)
                        .limit(limit),
                )
                .await?;
            (logs, total)
        }
    };
    let data: Vec<Value> = logs.iter().map(|a| entry_json(&actor, a)).collect();
    Ok(Json(json!({
        "success": true,
        "data": {
            "logs": data,
            "pagination": { "page": page, "limit": limit, "total": total, "pages": total.div_ceil(limit) },
        }
    })))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct PeriodQuery {
    /// `YYYY-MM-DD` (start of that day, IST) or an RFC 3339 instant.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub from_date: Option<String>,
    /// `YYYY-MM-DD` (whole day included, IST) or an RFC 3339 instant.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub to_date: Option<String>,
}

/// The success percentage with two decimals, as the legacy string; `"0.00"` for an empty
/// period (the legacy code divided by zero and sent "NaN").
pub fn percentage(success: u64, total: u64) -> String {
    if total == 0 {
        return "0.00".into();
    }
    let p = rust_decimal::Decimal::from(success) * rust_decimal::Decimal::from(100)
        / rust_decimal::Decimal::from(total);
    format!(
        "{:.2}",
        p.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    )
}

/// Counts per action and entity type, the ten most active users and the success rate
/// (`user_management`). Each figure is an indexed count; nothing loads the period's entries.
#[utoipa::path(get, path = "/api/audit/stats", tag = "Audit", security(("bearer" = [])),
    params(PeriodQuery),
    responses(
        (status = 200, description = "Counts per action, entity type and user, and the success rate", body = Data<AuditStats>),
        (status = 403, description = "Not a user manager"),
    ))]
async fn stats(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::UserManagement, Access::Full)?;
    let within_period = period(q.from_date.as_deref(), q.to_date.as_deref())?;
    let within = |f: Filter| {
        let mut v = vec![within_period.clone()];
        v.push(f);
        Filter::and(v)
    };
    let store = st.store.as_ref();
    let count = |f: Filter| async move { store.count_of::<AuditLog>(&f).await };

    let total = count(within(Filter::All)).await?;
    let failure = count(within(Filter::eq("success", false))).await?;
    let action_counts = try_join_all(
        ACTIONS
            .iter()
            .map(|a| count(within(Filter::eq("action", enum_str(*a))))),
    )
    .await?;
    let entity_counts = try_join_all(
        ENTITIES
            .iter()
            .map(|e| count(within(Filter::eq("entityType", enum_str(*e))))),
    )
    .await?;
    let users: Vec<User> = st.store.list(&Query::all()).await?;
    let user_counts = try_join_all(
        users
            .iter()
            .map(|u| count(within(Filter::eq("userId", u.id.clone())))),
    )
    .await?;

    let mut actions: Vec<(String, u64)> = ACTIONS
        .iter()
        .zip(action_counts)
        .map(|(a, n)| (enum_str(*a), n))
        .filter(|(_, n)| *n > 0)
        .collect();
    actions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut entities: Vec<(String, u64)> = ENTITIES
        .iter()
        .zip(entity_counts)
        .map(|(e, n)| (enum_str(*e), n))
        .filter(|(_, n)| *n > 0)
        .collect();
    entities.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut top: Vec<(&User, u64)> = users
        .iter()
        .zip(user_counts)
        .filter(|(_, n)| *n > 0)
        .collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.id.cmp(&b.0.id)));
    top.truncate(10);

    let success = total.saturating_sub(failure);
    Ok(Json(json!({
        "success": true,
        "data": {
            "actions": actions.iter().map(|(a, n)| json!({ "action": a, "count": n })).collect::<Vec<_>>(),
            "entities": entities.iter().map(|(e, n)| json!({ "entityType": e, "count": n })).collect::<Vec<_>>(),
            "topUsers": top.iter().map(|(u, n)| json!({ "userId": u.id, "userName": u.name, "count": n })).collect::<Vec<_>>(),
            "successRate": {
                "success": success,
                "failure": failure,
                "total": total,
                "percentage": percentage(success, total),
            },
        }
    })))
}

/// One CSV cell: always quoted (quotes doubled, so commas and line breaks stay inside the
/// cell), and a leading `= + - @`, tab or carriage return neutralised with an apostrophe so
/// a spreadsheet shows the text instead of running it as a formula (CSV injection, §8.1.13).
pub fn csv_cell(raw: &str) -> String {
    let neutral = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{raw}")
    } else {
        raw.to_string()
    };
    format!("\"{}\"", neutral.replace('"', "\"\""))
}

fn csv_row(cells: &[&str]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ExportQuery {
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub from_date: Option<String>,
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub to_date: Option<String>,
    pub user_id: Option<String>,
    #[param(value_type = Option<nexus_core::model::AuditAction>, inline)]
    pub action: Option<String>,
    #[param(value_type = Option<nexus_core::model::EntityType>, inline)]
    pub entity_type: Option<String>,
}

/// CSV download of the filtered entries, newest first, at most 10,000 rows (Admin). The
/// export itself is audited (EXPORT).
#[utoipa::path(get, path = "/api/audit/logs/export", tag = "Audit", security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "`audit_logs_<ms>.csv` attachment", content_type = "text/csv"),
        (status = 403, description = "Not an Admin"),
    ))]
async fn export_csv(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    if !actor.is_admin() {
        return Err(ApiError::forbidden(
            ErrorCode::Forbidden,
            "You do not have permission for this action.",
        )
        .with_details(json!({ "requiredRoles": ["Admin"] })));
    }
    let f = LogFilters {
        user_id: q.user_id.clone(),
        action: q.action.clone(),
        entity_type: q.entity_type.clone(),
        from_date: q.from_date.clone(),
        to_date: q.to_date.clone(),
        ..LogFilters::default()
    };
    let logs: Vec<AuditLog> = match build_filter(&st, &Visible::All, &f).await? {
        None => Vec::new(),
        Some(filter) => {
            st.store
                .list(&Query::new(filter).sort_desc("timestamp").limit(EXPORT_MAX))
                .await?
        }
    };
    let mut csv = csv_row(&[
        "Timestamp",
        "User ID",
        "User Name",
        "Action",
        "Entity Type",
        "Entity ID",
        "Success",
        "IP Address",
    ]);
    for a in &logs {
        csv.push_str(&csv_row(&[
            &a.timestamp.to_iso(),
            &a.user_id,
            &a.user_name,
            &enum_str(a.action),
            &a.entity_type.map(enum_str).unwrap_or_default(),
            a.entity_id.as_deref().unwrap_or(""),
            if a.success { "true" } else { "false" },
            a.ip_address.as_deref().unwrap_or(""),
        ]));
    }
    let now = Timestamp::now();
    let file = format!("audit_logs_{}.csv", now.millis());
    let audit = actor
        .audit(AuditAction::Export)
        .entity(EntityType::System, "auditlogs")
        .change(
            None,
            Some(json!({
                "file": file,
                "rows": logs.len(),
                "filters": {
                    "fromDate": q.from_date, "toDate": q.to_date, "userId": q.user_id,
                    "action": q.action, "entityType": q.entity_type,
                },
            })),
        );
    st.store.commit(vec![Write::insert(&audit)?]).await?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
        .map_err(|e| ApiError::internal_cause("export file name", &e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_cell("plain"), "\"plain\"");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        for f in ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx"] {
            assert!(csv_cell(f).starts_with("\"'"), "{f}");
        }
        assert_eq!(csv_row(&["a", "=b"]), "\"a\",\"'=b\"\r\n");
    }

    #[test]
    fn percentage_never_nan() {
        assert_eq!(percentage(0, 0), "0.00");
        assert_eq!(percentage(1, 3), "33.33");
        assert_eq!(percentage(2, 3), "66.67");
        assert_eq!(percentage(5, 5), "100.00");
    }

    #[test]
    fn bare_dates_are_ist_days() {
        assert_eq!(
            period(Some("2026-02-12"), Some("2026-02-12")).unwrap(),
            Filter::and([
                Filter::gte("timestamp", "2026-02-11T18:30:00.000Z"),
                Filter::lt("timestamp", "2026-02-12T18:30:00.000Z"),
            ])
        );
        assert!(period(Some("yesterday"), None).is_err());
    }
}
