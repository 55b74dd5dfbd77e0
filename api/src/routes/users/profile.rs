//! Reading, creating and editing user profiles (api.md §2.3 U1, U2, U3, U9).
//!
//! Legacy: all four were unauthenticated; the list and detail exposed salaries and phone
//! numbers to anyone; create accepted any role and echoed the bcrypt hash (§8.1.1, §8.1.6,
//! D-S3); the generic PATCH `$set` every field but `id`/`password`, so it could change role,
//! permissions, status and approver flag. Here: `user_management` administers, line managers
//! read their team, everyone reads and edits their own contact details, and the PATCH body is
//! a whitelist.

use super::change::{Change, change_user, load};
use super::guard::{
    deleted_user, guard_permission_grant, guard_role_grant, guard_target, require_user_management,
};
use super::validate::{self, SlotKey, StepAccessMap};
use super::view::{self, UserView, Visible, manages_users, user_for};
use crate::ApiJson;
use crate::auth::actor::forbidden;
use crate::auth::{Actor, password};
use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::routes::common::{Bounded, MAX_PAGE, Paging, commit_audited};
use crate::routes::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission, Role, check_policy};
use nexus_core::model::{AuditAction, EntityType, User, UserStatus, Zone};
use nexus_core::store::{Filter, Query, TypedStore, UpdateOp, Write};
use nexus_core::types::Money;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([
        routes!(list_users, create_user),
        routes!(get_user, update_profile),
    ])
}

fn status_str(s: UserStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    /// Exact role (`Sales`, `Credit Control` …).
    #[param(value_type = Option<Role>, inline)]
    pub role: Option<String>,
    /// `Active`, `Inactive`, `Suspended` or `Deleted`.
    #[param(value_type = Option<UserStatus>, inline)]
    pub status: Option<String>,
    /// Case-insensitive text in id, name or e-mail (literal text, never a pattern: D-S12).
    pub search: Option<String>,
    /// 1-based page (default 1).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1_000_000)]
    pub page: Option<Bounded<1, MAX_PAGE>>,
    /// Page size, at most 500. Without it, the whole list up to 2,000 rows.
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub limit: Option<Bounded<1, 500>>,
}

/// List users. `user_management` sees everyone (with salaries); RSM/ASM/NSM see themselves
/// and their whole team below them; `fleet_loading` (who assigns deliveries) sees the
/// Delivery Team; everyone else is refused. Raw JSON array, paged with
/// `X-Total-Count`, `X-Page`, `X-Limit`.
#[utoipa::path(get, path = "/api/users", tag = "Users", security(("bearer" = [])), params(UserFilters), responses(
    (status = 200, description = "Users (raw array; never the password hash)", body = [UserView]),
    (status = 400, description = "Unknown role or status filter"),
    (status = 403, description = "Neither a user manager nor a line manager"),
))]
async fn list_users(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(f): ApiQuery<UserFilters>,
) -> Result<Response, ApiError> {
    let mut parts = Vec::new();
    let visible = if manages_users(&actor) {
        Visible::All
    } else if view::is_line_manager(&actor) {
        Visible::Only(view::self_and_team(&st, &actor).await?)
    } else if actor.can(Permission::FleetLoading, Access::Full) {
        // Whoever loads vehicles picks a delivery agent (the old app's hub screen lists
        // them from this route): the Delivery Team, nobody else.
        parts.push(Filter::eq("role", Role::DeliveryTeam.as_str()));
        Visible::All
    } else {
        return Err(forbidden(&[(Permission::UserManagement, Access::Full)]));
    };
    if let Visible::Only(ids) = &visible {
        parts.push(Filter::is_in(
            "id",
            ids.iter().map(|i| Value::String(i.clone())).collect(),
        ));
    }
    if let Some(r) = f.role.as_deref().filter(|s| !s.trim().is_empty()) {
        let role = Role::parse(r).ok_or_else(|| {
            ApiError::bad_request(ErrorCode::InvalidFilter, format!("Unknown role {r}"))
        })?;
        parts.push(Filter::eq("role", role.as_str()));
    }
    if let Some(s) = f.status.as_deref().filter(|s| !s.trim().is_empty()) {
        let status: UserStatus = serde_json::from_value(json!(s.trim())).map_err(|_| {
            ApiError::bad_request(ErrorCode::InvalidFilter, format!("Unknown status {s}"))
        })?;
        if status == UserStatus::Active {
            // Legacy documents without a status are Active (the schema default).
            parts.push(Filter::or([
                Filter::eq("status", "Active"),
                Filter::Missing("status".into()),
            ]));
        } else {
            parts.push(Filter::eq("status", status_str(status)));
        }
    }
    if let Some(q) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let q: String = q.chars().take(100).collect();
        parts.push(Filter::or([
            Filter::contains("id", q.clone()),
            Filter::contains("name", q.clone()),
            Filter::contains("email", q),
        ]));
    }
    let filter = Filter::and(parts);
    let paging = Paging {
        page: f.page,
        limit: f.limit,
    };
    let (users, total): (Vec<User>, _) =
        paging.fetch(&st, Query::new(filter).sort_asc("id")).await?;
    let body: Vec<Value> = users.iter().map(|u| user_for(&actor, u)).collect();
    Ok(paging.respond(body, total))
}

/// One user: yourself, anyone for `user_management`, or someone in your team for a line
/// manager.
#[utoipa::path(get, path = "/api/users/{id}", tag = "Users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "The user (legacy profile fields and more; no secrets)", body = UserView),
        (status = 403, description = "Not yourself, not your team, not a user manager"),
        (status = 404, description = "No such user"),
    ))]
async fn get_user(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if id == actor.id() {
        return Ok(Json(user_for(&actor, &actor.user)));
    }
    let allowed = manages_users(&actor)
        || (view::is_line_manager(&actor) && actor.subordinates(&st).await?.contains(&id));
    if !allowed {
        return Err(forbidden(&[(Permission::UserManagement, Access::Full)]));
    }
    let u = load(&st, &id).await?;
    Ok(Json(user_for(&actor, &u)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Letters, digits and `. _ @ + -`, at most 128.
    #[schema(
        example = "SALES-010",
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9._@+-]{1,128}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub id: String,
    /// 1 to 100 characters, no control characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f]{0,99}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    /// Empty or `null`: none.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[!-?A-~]{1,64}@[!--/-?A-~][!-?A-~]{0,93}\.[!-?A-~]{0,93}[!--/-?A-~])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: Option<String>,
    #[schema(value_type = Role, example = "Sales")]
    pub role: Role,
    /// Initial password; must meet the policy (at least 8 characters, not the id or e-mail,
    /// not a known default). The user is asked to change it at first login.
    #[schema(min_length = 8)]
    pub password: String,
    /// Defaults to the role's default (Admin, Credit Control, Procurement Head).
    pub is_approver: Option<bool>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,100}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub location: Option<String>,
    #[schema(value_type = Option<Zone>, example = "WEST")]
    pub zone: Option<Zone>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,100}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub department1: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,100}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub department2: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,100}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub channel: Option<String>,
    /// Digits with `+ - ( )` and spaces, 6 to 20 digits; empty: none.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:\+?[0-9](?:[ -]?[0-9]){5,15})?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub whatsapp_number: Option<String>,
    /// An existing user's id.
    pub manager_id: Option<String>,
    #[schema(value_type = Option<Vec<Permission>>)]
    pub permissions: Option<Vec<String>>,
    #[schema(value_type = Option<StepAccessMap>)]
    pub step_access: Option<BTreeMap<String, String>>,
    /// Regional slots of one region only (national and all-India slots are exempt).
    #[schema(value_type = Option<Vec<SlotKey>>)]
    pub org_positions: Option<Vec<String>>,
    #[serde(default, deserialize_with = "validate::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub gross_monthly_salary: Option<Money>,
    #[serde(default, deserialize_with = "validate::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub monthly_target: Option<Money>,
    #[serde(default, deserialize_with = "validate::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub monthly_qty_target: Option<rust_decimal::Decimal>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,64}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub employee_id: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,300}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub address: Option<String>,
}

fn opt_text(field: &str, v: &Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    match v {
        Some(s) => validate::text(field, s, max),
        None => Ok(None),
    }
}

pub fn password_policy_error(
    problems: Vec<nexus_core::auth::password::PasswordProblem>,
) -> ApiError {
    ApiError::unprocessable(
        ErrorCode::PasswordPolicy,
        "The password does not meet the policy.",
    )
    .with_details(json!({ "problems": problems.iter().map(|p| p.to_string()).collect::<Vec<_>>() }))
}

/// 409 when `candidate` is already somebody's id or e-mail: login accepts either, so one
/// user's e-mail equal to another user's id would make a login ambiguous.
async fn ensure_identifier_free(
    st: &AppState,
    candidate: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    let mut f = vec![Filter::or([
        Filter::id(candidate),
        Filter::eq("email", candidate.to_ascii_lowercase()),
    ])];
    if let Some(me) = except {
        f.push(Filter::ne("id", me));
    }
    if st.store.count_of::<User>(&Filter::and(f)).await? > 0 {
        return Err(ApiError::conflict(
            ErrorCode::UserExists,
            format!("{candidate} is already used as a user id or e-mail"),
        ));
    }
    Ok(())
}

/// Create a user (`user_management`). Status is Active; the password is hashed and never
/// returned; the approver flag follows the role unless given. 409 for a taken id or e-mail.
#[utoipa::path(post, path = "/api/users", tag = "Users", security(("bearer" = [])), request_body = CreateUserRequest, responses(
    (status = 201, description = "Created (raw user, no password hash)", body = UserView),
    (status = 403, description = "Not a user manager (or a non-Admin creating an Admin)"),
    (status = 409, description = "Id or e-mail already used"),
    (status = 422, description = "Invalid field or password policy"),
))]
async fn create_user(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> Result<Response, ApiError> {
    require_user_management(&actor)?;
    guard_role_grant(&actor, body.role)?;
    let id = validate::user_id(&body.id)?;
    let name = validate::name(&body.name)?;
    let email = match body.email.as_deref().map(str::trim) {
        Some(e) if !e.is_empty() => Some(validate::email(e)?),
        _ => None,
    };
    check_policy(&body.password, &id, email.as_deref()).map_err(password_policy_error)?;
    let permissions = validate::permissions(&body.permissions.clone().unwrap_or_default())?;
    guard_permission_grant(&actor, &permissions)?;
    let step_access = validate::step_access(&body.step_access.clone().unwrap_or_default())?;
    let mut slots: Vec<String> = Vec::new();
    for s in body.org_positions.iter().flatten() {
        let slot = validate::Slot::parse(s)?;
        if !slots.contains(&slot.key) {
            slots.push(slot.key);
        }
    }
    if validate::held_regions(&slots).len() > 1 {
        return Err(super::org::region_conflict());
    }
    for (f, v) in [
        (
            "grossMonthlySalary",
            body.gross_monthly_salary.map(|m| m.amount()),
        ),
        ("monthlyTarget", body.monthly_target.map(|m| m.amount())),
        ("monthlyQtyTarget", body.monthly_qty_target),
    ] {
        if let Some(d) = v {
            validate::amount(f, d)?;
        }
    }
    if let Some(m) = body.manager_id.as_deref().filter(|m| !m.trim().is_empty())
        && st.store.count_of::<User>(&Filter::id(m.trim())).await? == 0
    {
        return Err(super::org::unknown_manager(m));
    }
    ensure_identifier_free(&st, &id, None).await?;
    if let Some(e) = &email {
        ensure_identifier_free(&st, e, None).await?;
    }

    let mut u = User::new(id.clone(), name, body.role);
    u.email = email;
    u.is_approver = body.is_approver.unwrap_or(body.role.default_is_approver());
    u.status = UserStatus::Active;
    if let Some(l) = opt_text("location", &body.location, 100)? {
        u.location = Some(l);
    }
    u.zone = body.zone.unwrap_or_default();
    u.department1 = opt_text("department1", &body.department1, 100)?;
    u.department2 = opt_text("department2", &body.department2, 100)?;
    u.channel = opt_text("channel", &body.channel, 100)?;
    u.whatsapp_number = match &body.whatsapp_number {
        Some(p) => validate::phone("whatsappNumber", p)?,
        None => None,
    };
    u.manager_id = body
        .manager_id
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string);
    u.permissions = permissions;
    u.step_access = step_access;
    u.org_positions = slots;
    u.gross_monthly_salary = body.gross_monthly_salary.unwrap_or(Money::ZERO);
    u.monthly_target = body.monthly_target.unwrap_or(Money::ZERO);
    u.monthly_qty_target = body.monthly_qty_target.unwrap_or_default();
    u.employee_id = opt_text("employeeId", &body.employee_id, 64)?;
    u.address = opt_text("address", &body.address, 300)?;
    // The administrator chose this password, so the user sets their own at first login.
    u.must_change_password = true;
    u.password = Some(password::hash(body.password, st.config.bcrypt_cost).await?);

    let audit = actor
        .audit(AuditAction::Create)
        .entity(EntityType::User, id.clone())
        .change(None, Some(view::user_json(&u, true)));
    commit_audited(&st, vec![Write::insert(&u)?], audit, vec![]).await?;
    Ok((StatusCode::CREATED, Json(user_for(&actor, &u))).into_response())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateProfileRequest {
    /// 1 to 100 characters, no control characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f]{0,99}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    /// Empty string clears it.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[!-?A-~]{1,64}@[!--/-?A-~][!-?A-~]{0,93}\.[!-?A-~]{0,93}[!--/-?A-~])?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub email: Option<String>,
    /// Empty string clears it (as for the other texts).
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,100}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub location: Option<String>,
    #[schema(value_type = Option<Zone>, example = "WEST")]
    pub zone: Option<Zone>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,100}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub department1: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,100}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub department2: Option<String>,
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x1f\x7f-\x9f]{0,100}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub channel: Option<String>,
    /// Digits with `+ - ( )` and spaces, 6 to 20 digits; empty clears it.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:\+?[0-9](?:[ -]?[0-9]){5,15})?[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub whatsapp_number: Option<String>,
    #[serde(default, deserialize_with = "validate::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub gross_monthly_salary: Option<Money>,
    #[serde(default, deserialize_with = "validate::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub monthly_target: Option<Money>,
    #[serde(default, deserialize_with = "validate::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub monthly_qty_target: Option<rust_decimal::Decimal>,
}

/// The fields a user may edit on their own record without `user_management`: how to reach
/// them. Name and e-mail identify the account and go through `/credentials` with the current
/// password; zone, departments and channel place the user in the organisation.
const SELF_FIELDS: [&str; 2] = ["location", "whatsappNumber"];

impl UpdateProfileRequest {
    fn present(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        let mut add = |b: bool, f: &'static str| {
            if b {
                v.push(f)
            }
        };
        add(self.name.is_some(), "name");
        add(self.email.is_some(), "email");
        add(self.location.is_some(), "location");
        add(self.zone.is_some(), "zone");
        add(self.department1.is_some(), "department1");
        add(self.department2.is_some(), "department2");
        add(self.channel.is_some(), "channel");
        add(self.whatsapp_number.is_some(), "whatsappNumber");
        add(self.gross_monthly_salary.is_some(), "grossMonthlySalary");
        add(self.monthly_target.is_some(), "monthlyTarget");
        add(self.monthly_qty_target.is_some(), "monthlyQtyTarget");
        v
    }
}

fn set_or_unset(ops: &mut Vec<UpdateOp>, field: &str, v: Option<String>) {
    ops.push(match v {
        Some(s) => UpdateOp::Set(field.into(), Value::String(s)),
        None => UpdateOp::Unset(field.into()),
    });
}

/// Edit profile fields (a whitelist; never role, permissions, status, password or id — those
/// have their own audited endpoints). `user_management` edits anyone, including salary and
/// targets; a user edits their own `location` and `whatsappNumber`.
#[utoipa::path(patch, path = "/api/users/{id}", tag = "Users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = UpdateProfileRequest,
    responses(
        (status = 200, description = "The updated user (raw)", body = UserView),
        (status = 403, description = "Not allowed to edit these fields of this user"),
        (status = 404, description = "No such user"),
        (status = 409, description = "E-mail already used"),
        (status = 422, description = "Unknown field (e.g. role, status) or invalid value"),
    ))]
async fn update_profile(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateProfileRequest>,
) -> Result<Json<Value>, ApiError> {
    let admin = manages_users(&actor);
    let fields = body.present();
    if !admin {
        let own = id == actor.id();
        let extra: Vec<&str> = fields
            .iter()
            .copied()
            .filter(|f| !SELF_FIELDS.contains(f))
            .collect();
        if !own || !extra.is_empty() {
            return Err(
                forbidden(&[(Permission::UserManagement, Access::Full)]).with_details(json!({
                    "required": [{ "permission": "user_management", "access": "full" }],
                    "selfEditable": SELF_FIELDS,
                    "refusedFields": if own { extra } else { fields.clone() },
                })),
            );
        }
    }
    let mut ops = Vec::new();
    if let Some(n) = &body.name {
        ops.push(UpdateOp::Set("name".into(), json!(validate::name(n)?)));
    }
    let new_email = match body.email.as_deref().map(str::trim) {
        Some("") => Some(None),
        Some(e) => Some(Some(validate::email(e)?)),
        None => None,
    };
    if let Some(e) = new_email.clone() {
        if let Some(addr) = &e {
            ensure_identifier_free(&st, addr, Some(&id)).await?;
        }
        set_or_unset(&mut ops, "email", e);
    }
    if let Some(l) = &body.location {
        set_or_unset(&mut ops, "location", validate::text("location", l, 100)?);
    }
    if let Some(z) = body.zone {
        ops.push(UpdateOp::Set("zone".into(), json!(z)));
    }
    for (f, v) in [
        ("department1", &body.department1),
        ("department2", &body.department2),
        ("channel", &body.channel),
    ] {
        if let Some(s) = v {
            set_or_unset(&mut ops, f, validate::text(f, s, 100)?);
        }
    }
    if let Some(p) = &body.whatsapp_number {
        set_or_unset(
            &mut ops,
            "whatsappNumber",
            validate::phone("whatsappNumber", p)?,
        );
    }
    for (f, v) in [
        (
            "grossMonthlySalary",
            body.gross_monthly_salary.map(|m| m.amount()),
        ),
        ("monthlyTarget", body.monthly_target.map(|m| m.amount())),
        ("monthlyQtyTarget", body.monthly_qty_target),
    ] {
        if let Some(d) = v {
            validate::amount(f, d)?;
            // Money's serialisation keeps whole amounts as JSON integers, like legacy data.
            ops.push(UpdateOp::Set(f.into(), json!(Money::new(d))));
        }
    }
    let changed = change_user(&st, &id, |u| {
        if id != actor.id() {
            guard_target(&actor, u)?;
        }
        if u.status == UserStatus::Deleted {
            return Err(deleted_user(&u.id));
        }
        if ops.is_empty() {
            return Ok(None);
        }
        Ok(Some(Change::new(
            ops.clone(),
            actor
                .audit(AuditAction::Update)
                .entity(EntityType::User, u.id.clone()),
        )))
    })
    .await?;
    Ok(Json(user_for(&actor, &changed.after)))
}
