//! Attendance: check in, check out, my day, and the team's day (api.md §2.4, domain.md
//! §1.13, §2.15).
//!
//! The day is the calendar date in India Standard Time (UTC+05:30, no daylight saving), as the
//! legacy server computed it. Legacy defects fixed here:
//! - check-in read then upserted, so two taps could both pass (§8.2.28): here the insert itself
//!   is the check, the unique `(userId, date)` key refuses the second one (409);
//! - check-out is one guarded update (checked in, not yet out), not read-modify-write;
//! - "today" showed every user's GPS location to every user: here only `user_management`
//!   (everyone) and line managers (their own team) may read it;
//! - no body crashed the handler (Express 5 `req.body` undefined): the body is optional.

use crate::auth::Actor;
use crate::auth::actor::forbidden;
use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::routes::common::commit_audited;
use crate::routes::extract::OptionalJson;
use crate::routes::users::validate;
use crate::routes::users::view::{self, manages_users};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use nexus_core::auth::{Access, Permission, Role};
use nexus_core::model::{Attendance, AuditAction, EntityType, GeoPoint, User, UserStatus};
use nexus_core::store::{Filter, Query, StoreError, TypedStore, UpdateOp, Write};
use nexus_core::types::{DateOnly, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([
        routes!(check_in),
        routes!(check_out),
        routes!(my_day),
        routes!(today),
    ])
}

/// India Standard Time: UTC+05:30 all year.
const IST_OFFSET_SECONDS: i64 = 5 * 3600 + 30 * 60;

/// The IST calendar day of an instant (the attendance key): the UTC instant shifted by
/// +05:30, as the legacy server computed it (IST has no daylight saving).
pub fn ist_day(at: DateTime<Utc>) -> DateOnly {
    DateOnly::new((at + Duration::seconds(IST_OFFSET_SECONDS)).date_naive())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationIn {
    /// Latitude in degrees (-90..90).
    #[schema(minimum = -90, maximum = 90)]
    pub lat: f64,
    /// Longitude in degrees (-180..180).
    #[schema(minimum = -180, maximum = 180)]
    pub lng: f64,
    /// At most 200 characters, no control characters.
    #[schema(
        example = "Manual check-in",
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,200}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRequest {
    /// Where (optional; the mobile client sends 0/0 and "Manual check-in").
    pub location: Option<LocationIn>,
}

fn location(l: Option<LocationIn>) -> Result<Option<GeoPoint>, ApiError> {
    let Some(l) = l else { return Ok(None) };
    if !(l.lat.is_finite() && (-90.0..=90.0).contains(&l.lat)) {
        return Err(ApiError::invalid(
            "location.lat",
            "lat must be between -90 and 90",
        ));
    }
    if !(l.lng.is_finite() && (-180.0..=180.0).contains(&l.lng)) {
        return Err(ApiError::invalid(
            "location.lng",
            "lng must be between -180 and 180",
        ));
    }
    let note = match &l.note {
        Some(n) => validate::text("location.note", n, 200)?,
        None => None,
    };
    Ok(Some(GeoPoint {
        lat: l.lat,
        lng: l.lng,
        note,
    }))
}

fn key(user_id: &str, date: DateOnly) -> Filter {
    Filter::and([
        Filter::eq("userId", user_id),
        Filter::eq("date", json!(date)),
    ])
}

fn entity_id(user_id: &str, date: DateOnly) -> String {
    format!("{user_id}:{date}")
}

async fn record(
    st: &AppState,
    user_id: &str,
    date: DateOnly,
) -> Result<Option<Attendance>, ApiError> {
    Ok(st.store.get::<Attendance>(key(user_id, date)).await?)
}

/// `{}`: the answer of `GET /api/attendance/me` before the caller checked in today.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoRecord {}

/// The caller's day: today's record, or `{}` when they have not checked in.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum MyDay {
    Record(Box<Attendance>),
    NotCheckedIn(NoRecord),
}

/// One user's day in `GET /api/attendance/today`: every key is always sent, `null` where the
/// user has no record (or no check-out) today.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamDayRow {
    pub user_id: String,
    pub user_name: String,
    pub user_role: Role,
    pub date: DateOnly,
    #[schema(required = true)]
    pub check_in_time: Option<Timestamp>,
    #[schema(required = true)]
    pub check_out_time: Option<Timestamp>,
    #[schema(required = true)]
    pub check_in_location: Option<GeoPoint>,
    #[schema(required = true)]
    pub check_out_location: Option<GeoPoint>,
}

/// Check in for today (IST). Atomic: the unique `(userId, date)` key refuses a second check-in
/// with 409 "Already checked in today", however close together the two requests are.
#[utoipa::path(post, path = "/api/attendance/check-in", tag = "Attendance", security(("bearer" = [])),
    request_body(content = Option<AttendanceRequest>, description = "Optional"),
    responses(
        (status = 200, description = "Today's record (raw)", body = Attendance),
        (status = 409, description = "Already checked in today"),
        (status = 422, description = "Location out of range"),
    ))]
async fn check_in(
    State(st): State<AppState>,
    actor: Actor,
    OptionalJson(body): OptionalJson<AttendanceRequest>,
) -> Result<Json<Attendance>, ApiError> {
    let now = Timestamp::now();
    let date = ist_day(now.datetime());
    let rec = Attendance {
        user_id: actor.id().to_string(),
        user_name: Some(actor.user.name.clone()),
        user_role: Some(actor.role().as_str().to_string()),
        date,
        check_in_time: Some(now),
        check_out_time: None,
        check_in_location: location(body.location)?,
        check_out_location: None,
        created_at: Some(now),
        updated_at: Some(now),
        extra: Map::new(),
    };
    let audit = actor
        .audit(AuditAction::Create)
        .entity(EntityType::Attendance, entity_id(actor.id(), date))
        .change(None, serde_json::to_value(&rec).ok());
    match commit_audited(&st, vec![Write::insert(&rec)?], audit, vec![]).await {
        Ok(()) => Ok(Json(rec)),
        Err(e) if e.status == StatusCode::CONFLICT => Err(ApiError::conflict(
            ErrorCode::AlreadyCheckedIn,
            "Already checked in today",
        )),
        Err(e) => Err(e),
    }
}

/// Check out for today (IST): one guarded update that holds only while the record is checked
/// in and not yet out.
#[utoipa::path(post, path = "/api/attendance/check-out", tag = "Attendance", security(("bearer" = [])),
    request_body(content = Option<AttendanceRequest>, description = "Optional"),
    responses(
        (status = 200, description = "Today's record (raw)", body = Attendance),
        (status = 409, description = "Not checked in yet, or already checked out today"),
        (status = 422, description = "Location out of range"),
    ))]
async fn check_out(
    State(st): State<AppState>,
    actor: Actor,
    OptionalJson(body): OptionalJson<AttendanceRequest>,
) -> Result<Json<Attendance>, ApiError> {
    let now = Timestamp::now();
    let date = ist_day(now.datetime());
    let loc = location(body.location)?;
    let mut ops = vec![
        UpdateOp::Set("checkOutTime".into(), json!(now)),
        UpdateOp::Set("updatedAt".into(), json!(now)),
    ];
    if let Some(l) = &loc {
        ops.push(UpdateOp::Set("checkOutLocation".into(), json!(l)));
    }
    let guard = Filter::and([
        key(actor.id(), date),
        Filter::Exists("checkInTime".into()),
        Filter::Missing("checkOutTime".into()),
    ]);
    let audit = actor
        .audit(AuditAction::Update)
        .entity(EntityType::Attendance, entity_id(actor.id(), date))
        .change(
            None,
            Some(json!({ "checkOutTime": now, "checkOutLocation": loc })),
        );
    let write = Write::update_one::<Attendance>(guard, ops);
    match st.store.commit(vec![write, Write::insert(&audit)?]).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let checked_in = record(&st, actor.id(), date)
                .await?
                .is_some_and(|r| r.check_in_time.is_some());
            return Err(if checked_in {
                ApiError::conflict(ErrorCode::AlreadyCheckedOut, "Already checked out today")
            } else {
                ApiError::conflict(ErrorCode::NotCheckedIn, "Not checked in yet")
            });
        }
        Err(e) => return Err(e.into()),
    }
    let rec = record(&st, actor.id(), date)
        .await?
        .ok_or_else(|| ApiError::internal_fault("checked-out attendance record not found"))?;
    Ok(Json(rec))
}

/// My record for today (IST), or `{}` when I have not checked in.
#[utoipa::path(get, path = "/api/attendance/me", tag = "Attendance", security(("bearer" = [])),
    responses((status = 200, description = "Today's record, or `{}` when you have not checked in (raw)", body = MyDay)))]
async fn my_day(State(st): State<AppState>, actor: Actor) -> Result<Json<Value>, ApiError> {
    let date = ist_day(Utc::now());
    Ok(Json(match record(&st, actor.id(), date).await? {
        Some(r) => serde_json::to_value(r)
            .map_err(|e| ApiError::internal_cause("attendance does not encode", &e))?,
        None => json!({}),
    }))
}

/// Today (IST) for every user you may see: one row per user with their record's times and
/// locations, nulls when absent. `user_management`: every account except erased ones; RSM,
/// ASM, NSM: themselves and their team. Others 403 (locations are personal data).
#[utoipa::path(get, path = "/api/attendance/today", tag = "Attendance", security(("bearer" = [])),
    responses(
        (status = 200, description = "One row per user (raw array)", body = [TeamDayRow]),
        (status = 403, description = "Neither a user manager nor a line manager"),
    ))]
async fn today(State(st): State<AppState>, actor: Actor) -> Result<Json<Vec<Value>>, ApiError> {
    let date = ist_day(Utc::now());
    let user_filter = if manages_users(&actor) {
        Filter::ne("status", "Deleted")
    } else if view::is_line_manager(&actor) {
        let ids = view::self_and_team(&st, &actor).await?;
        Filter::is_in("id", ids.into_iter().map(Value::String).collect())
    } else {
        return Err(forbidden(&[(Permission::UserManagement, Access::Full)]));
    };
    let users: Vec<User> = st
        .store
        .list(&Query::new(user_filter).sort_asc("id"))
        .await?;
    let ids: Vec<Value> = users.iter().map(|u| Value::String(u.id.clone())).collect();
    let records: BTreeMap<String, Attendance> = st
        .store
        .list::<Attendance>(&Query::new(Filter::and([
            Filter::eq("date", json!(date)),
            Filter::is_in("userId", ids),
        ])))
        .await?
        .into_iter()
        .map(|r| (r.user_id.clone(), r))
        .collect();
    let rows = users
        .iter()
        .filter(|u| u.status != UserStatus::Deleted)
        .map(|u| {
            let r = records.get(&u.id);
            json!({
                "userId": u.id,
                "userName": u.name,
                "userRole": u.role.as_str(),
                "date": date,
                "checkInTime": r.and_then(|r| r.check_in_time),
                "checkOutTime": r.and_then(|r| r.check_out_time),
                "checkInLocation": r.and_then(|r| r.check_in_location.clone()),
                "checkOutLocation": r.and_then(|r| r.check_out_location.clone()),
            })
        })
        .collect();
    Ok(Json(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_day_turns_at_midnight_ist_not_utc() {
        // 18:29:59 UTC = 23:59:59 IST, 18:30 UTC = 00:00 IST the next day.
        let before = Utc.with_ymd_and_hms(2026, 2, 12, 18, 29, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 2, 12, 18, 30, 0).unwrap();
        assert_eq!(ist_day(before).to_string(), "2026-02-12");
        assert_eq!(ist_day(after).to_string(), "2026-02-13");
        // Early UTC morning is already later in India the same day.
        let early = Utc.with_ymd_and_hms(2026, 2, 12, 0, 5, 0).unwrap();
        assert_eq!(ist_day(early).to_string(), "2026-02-12");
    }
}
