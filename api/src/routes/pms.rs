//! Performance management (api.md §2.14 PM1–PM4, domain.md §2.11, D-L13, D-R4, D-A3).
//!
//! What changed from the legacy routes:
//! * reading never creates a record (the legacy GET inserted an empty one, racing on the
//!   unique index, D-R4): a user without a record for the month reads as an empty view
//!   (`recorded: false`, stored nowhere) showing the KRAs of their latest earlier record;
//!   recording an achievement or OD balance for that month creates it from them; an unknown
//!   user is `404 PMS_RECORD_NOT_FOUND`;
//! * the leaderboard is its own route and is never shadowed by `/{userId}` (D-A3: the
//!   legacy PMS screen always failed because of it);
//! * visibility follows the reporting line: your own record, your recursive team for
//!   RSM/ASM/NSM (the legacy refused managers outright), everyone for `user_management`;
//! * scores are recomputed with `rules::pms` under the current policy, whose version is
//!   stored on the record; the OD KRA now uses the OD balances (they fed nothing before);
//! * KRAs, targets, weightages and salary can be defined (`PUT /api/pms/{userId}`; there was
//!   no API), and a new definition's weightages must total 100;
//! * `kraId` may be a number or numeric text (the legacy matched only the number);
//! * every change is audited with before/after, in the same commit (8.1.14).
//!
//! Records are replaced whole under an `_rev` guard and retried on a concurrent change, so
//! two edits of one record never lose each other.

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::snapshot;
use crate::routes::dates::current_month;
use crate::routes::envelope::{Data, MessageData};
use crate::routes::extract::ApiQuery;
use crate::routes::numbers::{MAX_AMOUNT, de_opt_whole};
use crate::routes::numbers::{de_opt_number, tidy_numbers};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission, Role};
use nexus_core::model::{
    AuditAction, EntityType, Kra, KraType, OdBalances, PerformanceRecord, User,
};
use nexus_core::rules::pms::{PmsError, PmsPolicy, score_record, validate_weightages};
use nexus_core::store::{Filter, Query, StoreError, TypedStore, Write};
use nexus_core::types::{Money, PmsMonth, Timestamp, lenient_decimal};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AnyOfBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(leaderboard))
        .routes(routes!(update_kra))
        .routes(routes!(update_od_balances))
        .routes(routes!(get_record, define_record))
}

/// How many times a guarded replace is retried after a concurrent change.
const RETRIES: usize = 5;

// ---------------------------------------------------------------------------------------
// Helpers

fn parse_month(raw: Option<&str>) -> Result<PmsMonth, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(current_month(Timestamp::now())),
        Some(s) => PmsMonth::parse(s).map_err(|e| {
            ApiError::unprocessable(
                ErrorCode::InvalidMonth,
                format!("{e}; use a month like Feb'26"),
            )
        }),
    }
}

/// The month a query names: `month`, else its legacy alias `period`, else the current one.
/// Each one given must be a month.
fn query_month(q: &MonthQuery) -> Result<PmsMonth, ApiError> {
    let period = q
        .period
        .as_deref()
        .map(|p| parse_month(Some(p)))
        .transpose()?;
    match (q.month.as_deref(), period) {
        (Some(m), _) => parse_month(Some(m)),
        (None, Some(p)) => Ok(p),
        (None, None) => parse_month(None),
    }
}

/// Refuses a figure above [`MAX_AMOUNT`] with `code`.
fn at_most_max(v: Option<Decimal>, code: ErrorCode, what: &str) -> Result<(), ApiError> {
    match v {
        Some(x) if x > Decimal::from(MAX_AMOUNT) => Err(ApiError::unprocessable(
            code,
            format!("{what} must be at most {MAX_AMOUNT}"),
        )),
        _ => Ok(()),
    }
}

/// [`de_opt_number`], except that a number too small for the 28 decimal places of a decimal
/// (`1e-300`) reads as the 0 it rounds to instead of being refused.
fn de_opt_amount<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    if let Some(Value::Number(n)) = &v
        && n.as_f64().is_some_and(|f| (0.0..1e-28).contains(&f))
    {
        return Ok(Some(Decimal::ZERO));
    }
    de_opt_number(v.unwrap_or(Value::Null)).map_err(serde::de::Error::custom)
}

/// A month in a body or query: `Feb'26` or `2026-02`; blank means the current month.
pub struct MonthOrBlank;

impl PartialSchema for MonthOrBlank {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)'[0-9]{2}|20[0-9]{2}-(?:0[1-9]|1[0-2]))?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"))
            .description(Some(
                "A PMS month, `Feb'26` or `2026-02` (years 2000–2099); blank for the current month (IST).",
            ))
            .examples(["Feb'26"])
            .into()
    }
}
impl ToSchema for MonthOrBlank {}

/// A KRA id: a whole number, or the same as text.
pub struct KraIdValue;

impl PartialSchema for KraIdValue {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*-?[0-9]{1,18}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")),
            )
            .description(Some("The KRA's id, as a number or numeric text."))
            .examples([json!(1)])
            .into()
    }
}
impl ToSchema for KraIdValue {}

/// An achievement: a number from 0 to 1,000,000,000,000, or the same as plain decimal text.
pub struct AchievedValue;

impl PartialSchema for AchievedValue {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .minimum(Some(0))
                    .maximum(Some(MAX_AMOUNT)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[0-9]{1,12}(?:\.[0-9]{1,6})?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$")),
            )
            .description(Some(
                "The achievement, 0 to 1,000,000,000,000: a number, or numeric text.",
            ))
            .examples([json!(1250000)])
            .into()
    }
}
impl ToSchema for AchievedValue {}

fn key_filter(user_id: &str, month: PmsMonth) -> Filter {
    Filter::and([
        Filter::eq("userId", user_id),
        Filter::eq("month", month.to_string()),
    ])
}

/// Matches the record only if nobody changed it since it was read (legacy records carry no
/// `_rev`, which reads as 0).
fn rev_guard(user_id: &str, month: PmsMonth, rev: u64) -> Filter {
    let rev_f = if rev == 0 {
        Filter::or([Filter::Missing("_rev".into()), Filter::eq("_rev", 0)])
    } else {
        Filter::eq("_rev", rev)
    };
    Filter::and([key_filter(user_id, month), rev_f])
}

fn entity_id(user_id: &str, month: PmsMonth) -> String {
    format!("{user_id}:{month}")
}

fn record_not_found(user_id: &str, month: PmsMonth) -> ApiError {
    ApiError::not_found(
        ErrorCode::PmsRecordNotFound,
        format!("No performance record for {user_id} in {month}"),
    )
    .with_details(json!({ "userId": user_id, "month": month.to_string() }))
}

/// A KRA as the API shows it: the stored KRA with `finalScore` also sent as `score`.
#[derive(Debug, Serialize, ToSchema)]
pub struct KraView {
    #[serde(flatten)]
    pub kra: Kra,
    /// The same as `finalScore` (the field the mobile PMS screen reads).
    pub score: f64,
}

// The body `record_view` builds, described for the OpenAPI document (the handlers send JSON).
/// A performance record as the API shows it: the stored record without
/// its revision, with the sortable `period` and each KRA's `score`. A user without a record
/// this month gets the month's starting view with `recorded: false`: their latest earlier
/// record's KRAs, targets and salary with nothing achieved, or (with no earlier record)
/// `userId`, `userName`, `month`, `period`, no KRAs and zero figures.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PmsRecordView {
    #[serde(flatten)]
    pub record: PerformanceRecord,
    /// `YYYY-MM`.
    #[schema(example = "2026-02")]
    pub period: String,
    pub kras: Vec<KraView>,
    /// `false` on the empty view; absent on a stored record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<bool>,
}

/// One row of the leaderboard.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeaderboardRow {
    /// 1-based, over everyone's records of the month.
    pub rank: u64,
    pub user_id: String,
    pub user_name: String,
    pub total_score: f64,
    pub incentive_amount: Money,
    pub incentive_percentage: f64,
}

/// The month's leaderboard.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Leaderboard {
    pub success: bool,
    pub data: Vec<LeaderboardRow>,
    /// The month (`Feb'26`).
    pub period: PmsMonth,
    /// Records of the month, all of them (not only the rows you may see).
    pub total_ranked: u64,
}

/// The record as stored, with each KRA's `finalScore` also sent as `score` (the field the
/// mobile PMS screen reads, api.md §7) and the sortable `period`.
fn record_view(r: &PerformanceRecord) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.remove("_rev");
        o.insert("period".into(), json!(r.month.period()));
        if let Some(Value::Array(kras)) = o.get_mut("kras") {
            for k in kras.iter_mut() {
                if let Some(k) = k.as_object_mut()
                    && let Some(s) = k.get("finalScore").cloned()
                {
                    k.insert("score".into(), s);
                }
            }
        }
    }
    tidy_numbers(&mut v);
    v
}

fn rescore(r: &mut PerformanceRecord) {
    score_record(&PmsPolicy::default(), r).apply_to(r);
}

/// Whose PMS records the actor may read: `None` = everyone (`user_management`), else the
/// actor and, for the sales managers, their recursive team.
async fn visible_users(st: &AppState, actor: &Actor) -> Result<Option<BTreeSet<String>>, ApiError> {
    if actor.can(Permission::UserManagement, Access::View) {
        return Ok(None);
    }
    let mut set = BTreeSet::from([actor.id().to_string()]);
    if matches!(actor.role(), Role::Rsm | Role::Asm | Role::Nsm) {
        set.extend(actor.subordinates(st).await?);
    }
    Ok(Some(set))
}

fn forbidden_record() -> ApiError {
    ApiError::forbidden(
        ErrorCode::Forbidden,
        "You can only view your own performance record or your team's.",
    )
}

/// Reads, changes and writes back one record under the `_rev` guard, with its audit entry
/// in the same commit; retried when someone else changed the record meanwhile.
async fn update_record<F>(
    st: &AppState,
    actor: &Actor,
    user_id: &str,
    month: PmsMonth,
    mut change: F,
) -> Result<PerformanceRecord, ApiError>
where
    F: FnMut(&mut PerformanceRecord) -> Result<(), ApiError>,
{
    for _ in 0..RETRIES {
        let Some(current) = st
            .store
            .get::<PerformanceRecord>(key_filter(user_id, month))
            .await?
        else {
            // Writing a month without a record starts it from the user's KRA template.
            let mut next = template_for(st, user_id, month)
                .await?
                .ok_or_else(|| record_not_found(user_id, month))?;
            change(&mut next)?;
            rescore(&mut next);
            let now = Timestamp::now();
            next.created_at = Some(now);
            next.updated_at = Some(now);
            let audit = actor
                .audit(AuditAction::Create)
                .entity(EntityType::Pms, entity_id(user_id, month))
                .change(None, snapshot(&next));
            match st
                .store
                .commit(vec![Write::insert(&next)?, Write::insert(&audit)?])
                .await
            {
                Ok(()) => return Ok(next),
                // Someone started the month meanwhile: change theirs.
                Err(StoreError::DuplicateKey { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        };
        let mut next = current.clone();
        change(&mut next)?;
        rescore(&mut next);
        next.period = Some(month.period());
        next.updated_at = Some(Timestamp::now());
        next.rev = current.rev + 1;
        let audit = actor
            .audit(AuditAction::Update)
            .entity(EntityType::Pms, entity_id(user_id, month))
            .change(snapshot(&current), snapshot(&next));
        match st
            .store
            .commit(vec![
                Write::replace(rev_guard(user_id, month, current.rev), &next)?,
                Write::insert(&audit)?,
            ])
            .await
        {
            Ok(()) => return Ok(next),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::from(StoreError::Conflict(
        "performance record kept changing".into(),
    )))
}

/// A new month for the user, from their latest earlier record: the same KRAs, targets,
/// weightages and salary, nothing achieved and no OD balances yet. `None` when the user has
/// no earlier record (an Admin defines the KRAs first).
async fn template_for(
    st: &AppState,
    user_id: &str,
    month: PmsMonth,
) -> Result<Option<PerformanceRecord>, ApiError> {
    let records: Vec<PerformanceRecord> = st
        .store
        .list(&Query::new(Filter::eq("userId", user_id)))
        .await?;
    Ok(records
        .into_iter()
        .filter(|r| r.month < month)
        .max_by_key(|r| r.month)
        .map(|mut r| {
            r.month = month;
            r.period = Some(month.period());
            r.od_balances = OdBalances::default();
            for k in &mut r.kras {
                k.achieved = Decimal::ZERO;
            }
            r.rev = 0;
            r.created_at = None;
            r.updated_at = None;
            r.extra.clear();
            rescore(&mut r);
            r
        }))
}

// ---------------------------------------------------------------------------------------
// PM1 / define

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// `Feb'26` (or `2026-02`); the current month (IST) when absent.
    #[param(value_type = Option<MonthOrBlank>, inline)]
    pub month: Option<String>,
    /// Legacy alias of `month` (used when `month` is absent).
    #[param(value_type = Option<MonthOrBlank>, inline)]
    pub period: Option<String>,
}

/// One user's performance record for a month; when the user has none yet, the view the
/// month would start from (`recorded: false`): their latest earlier record's KRAs with
/// nothing achieved, or no KRAs at all. Never creates one; recording an achievement or OD
/// balance for the month does.
#[utoipa::path(get, path = "/api/pms/{userId}", tag = "PMS", security(("bearer" = [])),
    params(("userId" = String, Path, description = "User id"), MonthQuery),
    responses(
        (status = 200, description = "The record (each KRA also carries `score`), or the month's starting view with `recorded: false`", body = Data<PmsRecordView>),
        (status = 403, description = "Not your record, nor your team's"),
        (status = 404, description = "`PMS_RECORD_NOT_FOUND`: no such user"),
        (status = 422, description = "Unreadable month"),
    ))]
async fn get_record(
    State(st): State<AppState>,
    actor: Actor,
    Path(user_id): Path<String>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Json<Value>, ApiError> {
    if let Some(set) = visible_users(&st, &actor).await?
        && !set.contains(&user_id)
    {
        return Err(forbidden_record());
    }
    let month = query_month(&q)?;
    if let Some(record) = st
        .store
        .get::<PerformanceRecord>(key_filter(&user_id, month))
        .await?
    {
        return Ok(Json(
            json!({ "success": true, "data": record_view(&record) }),
        ));
    }
    // A user without a record this month has scored nothing yet: an empty view, written
    // nowhere (the old mobile app's PMS screen needs a 200 here; the legacy GET inserted it),
    // showing the KRAs the month will start from when the user has earlier records.
    let user = st
        .store
        .get::<User>(Filter::id(user_id.as_str()))
        .await?
        .ok_or_else(|| record_not_found(&user_id, month))?;
    if let Some(template) = template_for(&st, &user_id, month).await? {
        let mut view = record_view(&template);
        view["recorded"] = json!(false);
        return Ok(Json(json!({ "success": true, "data": view })));
    }
    Ok(Json(json!({ "success": true, "data": {
        "userId": user.id, "userName": user.name, "month": month.to_string(),
        "period": month.period(), "kras": [], "totalScore": 0, "incentiveAmount": 0,
        "incentivePercentage": 0, "recorded": false,
    }})))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KraDefinition {
    /// Positive whole number, unique in the record; assigned when absent.
    #[serde(default, deserialize_with = "de_opt_whole")]
    #[schema(minimum = 1)]
    pub id: Option<i64>,
    /// Not blank.
    #[schema(
        example = "Sales Target",
        pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub name: String,
    #[schema(example = "SM Budget")]
    pub criteria: Option<String>,
    /// 0 to 1,000,000,000,000.
    #[serde(default, deserialize_with = "de_opt_amount")]
    #[schema(value_type = Option<f64>, example = 1000000, minimum = 0, maximum = 1000000000000i64)]
    pub target: Option<Decimal>,
    /// 0 to 100; the weightages of a record total 100.
    #[serde(default, deserialize_with = "de_opt_amount")]
    #[schema(value_type = Option<f64>, example = 40, minimum = 0, maximum = 100)]
    pub weightage: Option<Decimal>,
    /// Unrestricted (default), Restricted or "As per slab".
    #[serde(rename = "type", default)]
    #[schema(value_type = Option<KraType>, example = "Unrestricted")]
    pub kra_type: Option<KraType>,
    /// Achievement so far (0 to 1,000,000,000,000); kept from the stored KRA with the same
    /// id when absent.
    #[serde(default, deserialize_with = "de_opt_amount")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub achieved: Option<Decimal>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DefineRecordRequest {
    /// `Feb'26` (or `2026-02`); the current month when absent or blank.
    #[schema(value_type = Option<MonthOrBlank>, example = "Mar'26")]
    pub month: Option<String>,
    /// 0 to 1,000,000,000,000.
    #[serde(default, deserialize_with = "de_opt_amount")]
    #[schema(value_type = Option<f64>, example = 50000, minimum = 0, maximum = 1000000000000i64)]
    pub gross_monthly_salary: Option<Decimal>,
    /// At least one KRA; ids unique; weightages totalling 100.
    #[schema(min_items = 1)]
    pub kras: Vec<KraDefinition>,
}

fn build_kras(defs: Vec<KraDefinition>, existing: &[Kra]) -> Result<Vec<Kra>, ApiError> {
    if defs.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::KrasRequired,
            "Define at least one KRA",
        ));
    }
    let mut seen = BTreeSet::new();
    for d in &defs {
        if let Some(id) = d.id
            && (id <= 0 || !seen.insert(id))
        {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidKraId,
                format!("KRA id {id} must be a positive number, unique in the record"),
            ));
        }
    }
    let mut next_id = seen.iter().max().copied().unwrap_or(0);
    let old: BTreeMap<i64, &Kra> = existing.iter().map(|k| (k.id, k)).collect();
    defs.into_iter()
        .map(|d| {
            let name = d.name.trim().to_string();
            if name.is_empty() {
                return Err(ApiError::unprocessable(
                    ErrorCode::InvalidKra,
                    "Every KRA needs a name",
                ));
            }
            let non_negative = |v: Option<Decimal>, what: &str| match v {
                Some(x) if x < Decimal::ZERO => Err(ApiError::unprocessable(
                    ErrorCode::InvalidKra,
                    format!("KRA `{name}`: {what} cannot be negative"),
                )),
                Some(x) if x > Decimal::from(MAX_AMOUNT) => Err(ApiError::unprocessable(
                    ErrorCode::InvalidKra,
                    format!("KRA `{name}`: {what} must be at most {MAX_AMOUNT}"),
                )),
                other => Ok(other.unwrap_or(Decimal::ZERO)),
            };
            let id = match d.id {
                Some(id) => id,
                None => {
                    next_id += 1;
                    next_id
                }
            };
            Ok(Kra {
                id,
                criteria: d
                    .criteria
                    .map(|c| c.trim().to_string())
                    .filter(|c| !c.is_empty()),
                target: non_negative(d.target, "target")?,
                weightage: non_negative(d.weightage, "weightage")?,
                kra_type: d.kra_type.unwrap_or_default(),
                achieved: match d.achieved {
                    Some(_) => non_negative(d.achieved, "achieved")?,
                    None => old.get(&id).map(|k| k.achieved).unwrap_or(Decimal::ZERO),
                },
                final_score: Decimal::ZERO,
                name,
            })
        })
        .collect()
}

/// Define (or redefine) a user's KRAs, targets, weightages and salary for a month. The
/// weightages must total 100; achievements already recorded are kept by KRA id.
#[utoipa::path(put, path = "/api/pms/{userId}", tag = "PMS", security(("bearer" = [])),
    params(("userId" = String, Path, description = "User id")),
    request_body = DefineRecordRequest,
    responses(
        (status = 200, description = "Updated: the record", body = Data<PmsRecordView>),
        (status = 201, description = "Created: the record", body = Data<PmsRecordView>),
        (status = 403, description = "Needs user_management"),
        (status = 404, description = "Unknown user"),
        (status = 422, description = "Weightages not totalling 100, or an invalid KRA or month"),
    ))]
async fn define_record(
    State(st): State<AppState>,
    actor: Actor,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<DefineRecordRequest>,
) -> Result<Response, ApiError> {
    actor.require(Permission::UserManagement, Access::Full)?;
    let month = parse_month(body.month.as_deref())?;
    let salary = match body.gross_monthly_salary {
        Some(s) if s < Decimal::ZERO => {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidSalary,
                "grossMonthlySalary cannot be negative",
            ));
        }
        other => other.map(Money::new),
    };
    at_most_max(
        body.gross_monthly_salary,
        ErrorCode::InvalidSalary,
        "grossMonthlySalary",
    )?;
    let user: User = st
        .store
        .get(Filter::id(user_id.clone()))
        .await?
        .ok_or_else(|| ApiError::record_not_found(ErrorCode::UserNotFound, "User", &user_id))?;
    let defs = body.kras;
    for _ in 0..RETRIES {
        let existing: Option<PerformanceRecord> = st.store.get(key_filter(&user_id, month)).await?;
        let kras = build_kras(
            defs.clone(),
            existing.as_ref().map(|r| r.kras.as_slice()).unwrap_or(&[]),
        )?;
        validate_weightages(&kras).map_err(|e| match e {
            PmsError::WeightagesDoNotTotal100 { total } => ApiError::unprocessable(
                ErrorCode::WeightagesMustTotal100,
                format!("KRA weightages must total 100 (got {})", total.normalize()),
            )
            .with_details({
                let mut d = json!({ "total": total });
                tidy_numbers(&mut d);
                d
            }),
            PmsError::NegativeWeightage { name } => ApiError::unprocessable(
                ErrorCode::InvalidKra,
                format!("KRA `{name}` has a negative weightage"),
            ),
        })?;
        let now = Timestamp::now();
        let mut next = match &existing {
            Some(r) => r.clone(),
            None => PerformanceRecord {
                user_id: user.id.clone(),
                user_name: user.name.clone(),
                month,
                period: Some(month.period()),
                gross_monthly_salary: user.gross_monthly_salary,
                od_balances: OdBalances::default(),
                kras: Vec::new(),
                total_score: Decimal::ZERO,
                incentive_amount: Money::ZERO,
                incentive_percentage: Decimal::ZERO,
                policy_version: None,
                created_at: Some(now),
                updated_at: Some(now),
                rev: 0,
                extra: Map::new(),
            },
        };
        next.kras = kras;
        next.user_name = user.name.clone();
        if let Some(s) = salary {
            next.gross_monthly_salary = s;
        }
        next.period = Some(month.period());
        next.updated_at = Some(now);
        rescore(&mut next);
        let (write, action) = match &existing {
            Some(r) => {
                next.rev = r.rev + 1;
                (
                    Write::replace(rev_guard(&user_id, month, r.rev), &next)?,
                    AuditAction::Update,
                )
            }
            None => (Write::insert(&next)?, AuditAction::Create),
        };
        let audit = actor
            .audit(action)
            .entity(EntityType::Pms, entity_id(&user_id, month))
            .change(existing.as_ref().and_then(snapshot), snapshot(&next));
        match st.store.commit(vec![write, Write::insert(&audit)?]).await {
            Ok(()) => {
                let status = if existing.is_some() {
                    StatusCode::OK
                } else {
                    StatusCode::CREATED
                };
                return Ok((
                    status,
                    Json(json!({ "success": true, "data": record_view(&next) })),
                )
                    .into_response());
            }
            // Someone created or changed the record meanwhile: read it again.
            Err(StoreError::Conflict(_)) | Err(StoreError::DuplicateKey { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::from(StoreError::Conflict(
        "performance record kept changing".into(),
    )))
}

// ---------------------------------------------------------------------------------------
// PM2 leaderboard

/// The month's records ranked by total score (rank over everyone), showing the rows you
/// may see: yours, your team's, or everyone's with `user_management`.
#[utoipa::path(get, path = "/api/pms/leaderboard", tag = "PMS", security(("bearer" = [])), params(MonthQuery), responses(
    (status = 200, description = "The ranked rows you may see", body = Leaderboard),
    (status = 422, description = "Unreadable month"),
))]
async fn leaderboard(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Json<Value>, ApiError> {
    let month = query_month(&q)?;
    let visible = visible_users(&st, &actor).await?;
    let mut records: Vec<PerformanceRecord> = st
        .store
        .list(&Query::new(Filter::eq("month", month.to_string())))
        .await?;
    records.sort_by(|a, b| {
        b.total_score
            .cmp(&a.total_score)
            .then(a.user_id.cmp(&b.user_id))
    });
    let mut data: Vec<Value> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| visible.as_ref().is_none_or(|v| v.contains(&r.user_id)))
        .map(|(i, r)| {
            json!({
                "rank": i + 1,
                "userId": r.user_id,
                "userName": r.user_name,
                "totalScore": r.total_score,
                "incentiveAmount": r.incentive_amount,
                "incentivePercentage": r.incentive_percentage,
            })
        })
        .collect();
    data.iter_mut().for_each(tidy_numbers);
    Ok(Json(json!({
        "success": true,
        "data": data,
        "period": month.to_string(),
        "totalRanked": records.len(),
    })))
}

// ---------------------------------------------------------------------------------------
// PM3 KRA achievement

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KraUpdateRequest {
    #[schema(example = "SALES-001")]
    pub user_id: String,
    /// `Feb'26` (or `2026-02`); the current month when absent or blank.
    #[schema(value_type = Option<MonthOrBlank>, example = "Feb'26")]
    pub month: Option<String>,
    /// The KRA's id, as a number or numeric text.
    #[schema(value_type = KraIdValue)]
    pub kra_id: Value,
    /// The achievement, as a number (or numeric text), 0 to 1,000,000,000,000.
    #[schema(value_type = AchievedValue)]
    pub achieved_value: Value,
}

fn kra_id_of(v: &Value) -> Result<i64, ApiError> {
    let bad = || {
        ApiError::unprocessable(
            ErrorCode::InvalidKraId,
            format!("kraId {v} is not a KRA number"),
        )
    };
    match v {
        // A whole number written with a fraction (`3.0`) is still that number.
        Value::Number(n) => crate::routes::numbers::whole_number(n).ok_or_else(bad),
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// Record a KRA achievement; the record is rescored (policy version stored).
#[utoipa::path(post, path = "/api/pms/kra/update", tag = "PMS", security(("bearer" = [])), request_body = KraUpdateRequest, responses(
    (status = 200, description = "Updated: the record", body = MessageData<PmsRecordView>),
    (status = 403, description = "Needs user_management"),
    (status = 404, description = "`PMS_RECORD_NOT_FOUND` (no record this month and none earlier to start it from) or `KRA_NOT_FOUND`"),
    (status = 422, description = "Bad kraId, achievedValue or month"),
))]
async fn update_kra(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<KraUpdateRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::UserManagement, Access::Full)?;
    let month = parse_month(body.month.as_deref())?;
    let kra_id = kra_id_of(&body.kra_id)?;
    let achieved = lenient_decimal(&body.achieved_value)
        .filter(|d| *d >= Decimal::ZERO && *d <= Decimal::from(MAX_AMOUNT))
        .ok_or_else(|| {
            ApiError::unprocessable(
                ErrorCode::InvalidAchievedValue,
                format!("achievedValue must be a number from 0 to {MAX_AMOUNT}"),
            )
        })?;
    let user_id = body.user_id.trim().to_string();
    let record = update_record(&st, &actor, &user_id, month, |r| {
        let kra = r.kras.iter_mut().find(|k| k.id == kra_id).ok_or_else(|| {
            ApiError::not_found(ErrorCode::KraNotFound, format!("KRA {kra_id} not found"))
                .with_details(json!({ "kraId": kra_id }))
        })?;
        kra.achieved = achieved;
        Ok(())
    })
    .await?;
    Ok(Json(json!({
        "success": true,
        "message": "KRA updated successfully",
        "data": record_view(&record),
    })))
}

// ---------------------------------------------------------------------------------------
// PM4 OD balances

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OdBalanceRequest {
    #[schema(example = "SALES-001")]
    pub user_id: String,
    /// `Feb'26` (or `2026-02`); the current month when absent or blank.
    #[schema(value_type = Option<MonthOrBlank>, example = "Feb'26")]
    pub month: Option<String>,
    /// 0 to 1,000,000,000,000 (as the other two).
    #[serde(default, deserialize_with = "de_opt_amount")]
    #[schema(value_type = Option<f64>, example = 300000, minimum = 0, maximum = 1000000000000i64)]
    pub chennai: Option<Decimal>,
    #[serde(rename = "self", default, deserialize_with = "de_opt_amount")]
    #[schema(value_type = Option<f64>, example = 200000, minimum = 0, maximum = 1000000000000i64)]
    pub self_: Option<Decimal>,
    #[serde(default, deserialize_with = "de_opt_amount")]
    #[schema(value_type = Option<f64>, example = 100000, minimum = 0, maximum = 1000000000000i64)]
    pub hyd: Option<Decimal>,
}

/// Set the OD balances (chennai, self, hyd; those given). The OD KRA is scored on their
/// total, so the record is rescored.
#[utoipa::path(post, path = "/api/pms/od-balance/update", tag = "PMS", security(("bearer" = [])), request_body = OdBalanceRequest, responses(
    (status = 200, description = "Updated: the record", body = MessageData<PmsRecordView>),
    (status = 403, description = "Needs user_management or approve_credit"),
    (status = 404, description = "`PMS_RECORD_NOT_FOUND` (no record this month and none earlier to start it from)"),
    (status = 422, description = "Negative balance or bad month"),
))]
async fn update_od_balances(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<OdBalanceRequest>,
) -> Result<Json<Value>, ApiError> {
    // Credit Control maintains the OD figures (legacy: Admin, Credit Control).
    actor.require_any(&[
        (Permission::UserManagement, Access::Full),
        (Permission::ApproveCredit, Access::Full),
    ])?;
    let month = parse_month(body.month.as_deref())?;
    for v in [body.chennai, body.self_, body.hyd].into_iter().flatten() {
        if v < Decimal::ZERO {
            return Err(ApiError::unprocessable(
                ErrorCode::InvalidOdBalance,
                "OD balances cannot be negative",
            ));
        }
        at_most_max(Some(v), ErrorCode::InvalidOdBalance, "an OD balance")?;
    }
    let user_id = body.user_id.trim().to_string();
    let record = update_record(&st, &actor, &user_id, month, |r| {
        if let Some(v) = body.chennai {
            r.od_balances.chennai = Money::new(v);
        }
        if let Some(v) = body.self_ {
            r.od_balances.self_ = Money::new(v);
        }
        if let Some(v) = body.hyd {
            r.od_balances.hyd = Money::new(v);
        }
        Ok(())
    })
    .await?;
    Ok(Json(json!({
        "success": true,
        "message": "OD balances updated successfully",
        "data": record_view(&record),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kra_ids_from_numbers_and_text() {
        assert_eq!(kra_id_of(&json!(2)).unwrap(), 2);
        assert_eq!(kra_id_of(&json!(" 3 ")).unwrap(), 3);
        assert!(kra_id_of(&json!("KRA1")).is_err());
        assert!(kra_id_of(&json!(1.5)).is_err());
        assert_eq!(kra_id_of(&json!(4.0)).unwrap(), 4);
    }

    #[test]
    fn kra_definitions_keep_achievements_and_assign_ids() {
        let old = vec![Kra {
            id: 1,
            name: "Sales".into(),
            criteria: None,
            target: Decimal::from(100),
            achieved: Decimal::from(80),
            weightage: Decimal::from(50),
            kra_type: KraType::Unrestricted,
            final_score: Decimal::ZERO,
        }];
        let defs = vec![
            KraDefinition {
                id: Some(1),
                name: "Sales".into(),
                criteria: None,
                target: Some(Decimal::from(120)),
                weightage: Some(Decimal::from(60)),
                kra_type: None,
                achieved: None,
            },
            KraDefinition {
                id: None,
                name: "Collection".into(),
                criteria: None,
                target: Some(Decimal::from(50)),
                weightage: Some(Decimal::from(40)),
                kra_type: Some(KraType::Restricted),
                achieved: None,
            },
        ];
        let kras = build_kras(defs, &old).unwrap();
        assert_eq!(kras[0].achieved, Decimal::from(80));
        assert_eq!(kras[1].id, 2);
        assert_eq!(kras[1].achieved, Decimal::ZERO);
        assert!(validate_weightages(&kras).is_ok());
    }
}
