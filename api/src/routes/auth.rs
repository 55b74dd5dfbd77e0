//! Authentication: login with e-mail or user id, refresh, logout (revokes every token of the
//! user), the caller's profile, and password change. Unknown user and wrong password answer
//! the same 401 (no account enumeration, D-S7); inactive users are refused; failures are
//! limited per account and per address; every auth event is audited.

use crate::ApiJson;
use crate::auth::actor::authenticate;
use crate::auth::{Actor, TokenKind, TokenPair, password};
use crate::error::{ApiError, ErrorCode};
use crate::meta::RequestMeta;
use crate::rate_limit::too_many;
use crate::routes::area_router;
use crate::routes::envelope::Message;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{EffectivePermissions, check_policy};
use nexus_core::model::{AuditAction, AuditLog, EntityType, User};
use nexus_core::store::{Filter, TypedStore, UpdateOp, Write};
use nexus_core::types::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([
        routes!(login),
        routes!(refresh),
        routes!(gateway_login),
        routes!(logout),
        routes!(me),
        routes!(change_password),
    ])
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The user's e-mail address or user id.
    #[schema(example = "admin@nexusoms.com")]
    pub email: String,
    #[schema(example = "admin123")]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// The profile returned at login and by `/api/auth/me` (api.md §2.2 `<profile>`); never the
/// password hash, never the salary.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: String,
    pub is_approver: bool,
    pub status: String,
    pub permissions: Vec<String>,
    #[schema(value_type = Object)]
    pub step_access: Value,
    /// The access level per permission after role defaults, grants and step access.
    #[schema(value_type = Object)]
    pub effective_permissions: Value,
    pub zone: String,
    pub location: Option<String>,
    pub department1: Option<String>,
    pub department2: Option<String>,
    pub channel: Option<String>,
    pub whatsapp_number: Option<String>,
    pub manager_id: Option<String>,
    /// Legacy singular slot (the old API always sent null); the first of `orgPositions`.
    pub org_position: Option<String>,
    pub org_positions: Vec<String>,
    pub must_change_password: bool,
}

impl Profile {
    pub fn of(u: &User) -> Profile {
        let eff = EffectivePermissions::for_user(u);
        Profile {
            id: u.id.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
            role: u.role.as_str().to_string(),
            is_approver: u.is_approver,
            status: serde_json::to_value(u.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            permissions: u
                .permissions
                .iter()
                .map(|p| p.as_str().to_string())
                .collect(),
            step_access: serde_json::to_value(&u.step_access).unwrap_or(Value::Null),
            effective_permissions: eff
                .granted()
                .map(|(p, a)| (p.as_str().to_string(), Value::String(a.as_str().into())))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            zone: serde_json::to_value(u.zone)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            location: u.location.clone(),
            department1: u.department1.clone(),
            department2: u.department2.clone(),
            channel: u.channel.clone(),
            whatsapp_number: u.whatsapp_number.clone(),
            manager_id: u.manager_id.clone(),
            org_position: u.org_positions.first().cloned(),
            org_positions: u.org_positions.clone(),
            must_change_password: u.must_change_password,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    pub success: bool,
    pub token: String,
    pub refresh_token: String,
    /// Access token lifetime in seconds.
    pub expires_in: u64,
    pub token_type: String,
    pub user: Profile,
}

fn login_response(pair: TokenPair, user: &User) -> LoginResponse {
    LoginResponse {
        success: true,
        token: pair.token,
        refresh_token: pair.refresh_token,
        expires_in: pair.expires_in,
        token_type: pair.token_type.to_string(),
        user: Profile::of(user),
    }
}

fn bad_credentials() -> ApiError {
    ApiError::unauthorized(
        ErrorCode::InvalidCredentials,
        // The old mobile app shows "Password or Email is incorrect" for any message that
        // contains "credentials" (docs/LEGACY_CLIENT.md).
        "Invalid credentials: wrong e-mail or password.",
    )
}

async fn find_login_user(st: &AppState, identifier: &str) -> Result<Option<User>, ApiError> {
    let ident = identifier.trim();
    if ident.is_empty() || ident.len() > 254 {
        return Ok(None);
    }
    if let Some(u) = st.store.get::<User>(Filter::id(ident)).await? {
        return Ok(Some(u));
    }
    Ok(st
        .store
        .get::<User>(Filter::eq("email", ident.to_ascii_lowercase()))
        .await?
        .or(st.store.get::<User>(Filter::eq("email", ident)).await?))
}

fn audit_write(a: &AuditLog) -> Result<Write, ApiError> {
    Ok(Write::insert(a)?)
}

/// Sign in with e-mail (or user id) and password.
#[utoipa::path(post, path = "/api/login", tag = "Authentication", request_body = LoginRequest, responses(
    (status = 200, description = "Signed in", body = LoginResponse),
    (status = 401, description = "Wrong e-mail or password, or inactive account"),
    (status = 422, description = "Body of the wrong shape (e.g. an object instead of a string)"),
    (status = 429, description = "Too many failed attempts; see Retry-After"),
))]
async fn login(
    State(st): State<AppState>,
    meta: RequestMeta,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let ip = meta.ip_or_unknown();
    if let Some(wait) = st.login_limiter.check(&body.email, &ip).await {
        return Ok(too_many(wait));
    }
    let user = find_login_user(&st, &body.email).await?;
    let ok = password::verify(
        body.password,
        user.as_ref().and_then(|u| u.password.clone()),
    )
    .await;
    let Some(user) = user.filter(|_| ok) else {
        st.login_limiter.record_failure(&body.email, &ip).await;
        let mut a = AuditLog::new("anonymous", "unknown", AuditAction::Login)
            .entity(EntityType::System, "login");
        a.success = false;
        a.error_message = Some("INVALID_CREDENTIALS".into());
        meta.stamp(&mut a);
        st.store.commit(vec![audit_write(&a)?]).await?;
        return Err(bad_credentials());
    };
    if !user.is_active() {
        st.login_limiter.record_failure(&body.email, &ip).await;
        let mut a = AuditLog::new(user.id.clone(), user.name.clone(), AuditAction::Login)
            .entity(EntityType::User, user.id.clone());
        a.success = false;
        a.error_message = Some("USER_INACTIVE".into());
        meta.stamp(&mut a);
        st.store.commit(vec![audit_write(&a)?]).await?;
        return Err(ApiError::unauthorized(
            ErrorCode::UserInactive,
            "This account is not active; its credentials cannot sign in.",
        ));
    }
    st.login_limiter.record_success(&body.email).await;
    let pair = st.jwt.issue_pair(&user)?;
    let now = Timestamp::now();
    let mut a = AuditLog::new(user.id.clone(), user.name.clone(), AuditAction::Login)
        .entity(EntityType::User, user.id.clone());
    a.user_role = Some(user.role.as_str().to_string());
    meta.stamp(&mut a);
    st.store
        .commit(vec![
            Write::update_one::<User>(
                Filter::id(user.id.clone()),
                vec![UpdateOp::Set("lastLogin".into(), json!(now))],
            ),
            audit_write(&a)?,
        ])
        .await?;
    Ok(Json(login_response(pair, &user)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayLoginRequest {
    /// The user the gateway's authorized-keys file maps the SSH key to.
    #[schema(example = "USER-001")]
    pub user_id: String,
}

/// The gateway key's header.
const GATEWAY_KEY_HEADER: &str = "x-gateway-key";

/// Sign a user in for the console's SSH gateway (`nexus-tui ssh-serve`), which has already
/// checked the user's SSH key against its authorized-keys file. The gateway proves itself
/// with the shared key `NEXUS_SSH_GATEWAY_KEY` in `X-Gateway-Key`; whoever holds that key
/// can sign in as any active user, so it is as secret as the JWT secret. Off (404) unless
/// configured; failures count against the login limits and every attempt is audited.
#[utoipa::path(post, path = "/api/auth/gateway-login", tag = "Authentication", request_body = GatewayLoginRequest,
    params(("X-Gateway-Key" = String, Header, description = "The gateway's shared key")),
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Wrong gateway key, unknown or inactive user"),
        (status = 404, description = "Gateway sign-in is not configured"),
        (status = 429, description = "Too many failed attempts; see Retry-After"),
    ))]
async fn gateway_login(
    State(st): State<AppState>,
    meta: RequestMeta,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<GatewayLoginRequest>,
) -> Result<Response, ApiError> {
    use secrecy::ExposeSecret;
    use sha2::{Digest, Sha256};
    let given = headers
        .get(GATEWAY_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // A request without the key is refused as unauthenticated whether or not this server
    // has a gateway: its configuration is nothing an anonymous caller needs to learn.
    if given.is_empty() {
        return Err(ApiError::unauthorized(
            ErrorCode::GatewayLoginRefused,
            "The gateway key or the user was refused.",
        ));
    }
    let Some(expected) = st.config.ssh_gateway_key.as_ref() else {
        return Err(ApiError::not_found(
            ErrorCode::GatewayLoginDisabled,
            "Gateway sign-in is not configured on this server.",
        ));
    };
    let ip = meta.ip_or_unknown();
    let limit_key = format!("gateway:{}", body.user_id);
    if let Some(wait) = st.login_limiter.check(&limit_key, &ip).await {
        return Ok(too_many(wait));
    }
    // Equal-length digests: the comparison's timing says nothing about the key.
    let key_ok =
        Sha256::digest(given.as_bytes()) == Sha256::digest(expected.expose_secret().as_bytes());
    let user = if key_ok {
        find_login_user(&st, &body.user_id)
            .await?
            .filter(|u| u.is_active())
    } else {
        None
    };
    let Some(user) = user else {
        st.login_limiter.record_failure(&limit_key, &ip).await;
        let mut a = AuditLog::new("ssh-gateway", "SSH gateway", AuditAction::Login)
            .entity(EntityType::System, "gateway-login");
        a.success = false;
        a.error_message = Some(if key_ok {
            format!("UNKNOWN_OR_INACTIVE_USER {}", body.user_id)
        } else {
            "INVALID_GATEWAY_KEY".into()
        });
        meta.stamp(&mut a);
        st.store.commit(vec![audit_write(&a)?]).await?;
        return Err(ApiError::unauthorized(
            ErrorCode::GatewayLoginRefused,
            "The gateway key or the user was refused.",
        ));
    };
    st.login_limiter.record_success(&limit_key).await;
    let pair = st.jwt.issue_pair(&user)?;
    let mut a = AuditLog::new(user.id.clone(), user.name.clone(), AuditAction::Login)
        .entity(EntityType::User, user.id.clone());
    a.user_role = Some(user.role.as_str().to_string());
    a.reason = Some("signed in by the SSH gateway (public key)".into());
    meta.stamp(&mut a);
    st.store
        .commit(vec![
            Write::update_one::<User>(
                Filter::id(user.id.clone()),
                vec![UpdateOp::Set("lastLogin".into(), json!(Timestamp::now()))],
            ),
            audit_write(&a)?,
        ])
        .await?;
    Ok(Json(login_response(pair, &user)).into_response())
}

/// Exchange a refresh token for a new token pair.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "Authentication", request_body = RefreshRequest, responses(
    (status = 200, description = "New tokens", body = LoginResponse),
    (status = 401, description = "Refresh token invalid, expired or revoked"),
))]
async fn refresh(
    State(st): State<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let (user, _) = authenticate(&st, &body.refresh_token, TokenKind::Refresh).await?;
    let pair = st.jwt.issue_pair(&user)?;
    Ok(Json(login_response(pair, &user)))
}

/// Sign out everywhere: every token issued to the caller so far stops working.
#[utoipa::path(post, path = "/api/auth/logout", tag = "Authentication", security(("bearer" = [])), responses(
    (status = 200, description = "Signed out", body = Message),
))]
async fn logout(State(st): State<AppState>, actor: Actor) -> Result<Json<Value>, ApiError> {
    let a = actor
        .audit(AuditAction::Logout)
        .entity(EntityType::User, actor.id());
    st.store
        .commit(vec![
            Write::update_one::<User>(
                Filter::and([
                    Filter::id(actor.id()),
                    Filter::eq("tokenVersion", actor.user.token_version),
                ]),
                vec![UpdateOp::Inc("tokenVersion".into(), json!(1))],
            ),
            audit_write(&a)?,
        ])
        .await?;
    Ok(Json(json!({ "success": true, "message": "Signed out" })))
}

/// The caller's profile and effective permissions.
#[utoipa::path(get, path = "/api/auth/me", tag = "Authentication", security(("bearer" = [])), responses(
    (status = 200, description = "Profile", body = Profile),
))]
async fn me(actor: Actor) -> Json<Profile> {
    Json(Profile::of(&actor.user))
}

/// Change your own password (the current one is required). Revokes your other tokens and
/// returns a fresh pair.
#[utoipa::path(post, path = "/api/auth/change-password", tag = "Authentication", security(("bearer" = [])), request_body = ChangePasswordRequest, responses(
    (status = 200, description = "Changed", body = LoginResponse),
    (status = 401, description = "Current password wrong"),
    (status = 422, description = "New password breaks the policy"),
))]
async fn change_password(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    if !password::verify(body.current_password, actor.user.password.clone()).await {
        return Err(ApiError::unauthorized(
            ErrorCode::InvalidCredentials,
            "The current password is wrong.",
        ));
    }
    check_policy(
        &body.new_password,
        &actor.user.id,
        actor.user.email.as_deref(),
    )
    .map_err(|problems| {
        ApiError::unprocessable(
            ErrorCode::PasswordPolicy,
            "The new password does not meet the policy.",
        )
        .with_details(
            json!({ "problems": problems.iter().map(|p| p.to_string()).collect::<Vec<_>>() }),
        )
    })?;
    let hash = password::hash(body.new_password, st.config.bcrypt_cost).await?;
    let mut updated = actor.user.clone();
    updated.password = Some(hash.clone());
    updated.token_version += 1;
    updated.must_change_password = false;
    let a = actor
        .audit(AuditAction::PasswordChange)
        .entity(EntityType::User, actor.id());
    st.store
        .commit(vec![
            Write::update_one::<User>(
                Filter::and([
                    Filter::id(actor.id()),
                    Filter::eq("tokenVersion", actor.user.token_version),
                ]),
                vec![
                    UpdateOp::Set("password".into(), json!(hash)),
                    UpdateOp::Set("mustChangePassword".into(), json!(false)),
                    UpdateOp::Set("updatedAt".into(), json!(Timestamp::now())),
                    UpdateOp::Inc("tokenVersion".into(), json!(1)),
                ],
            ),
            audit_write(&a)?,
        ])
        .await
        .map_err(|e| match e {
            nexus_core::store::StoreError::Conflict(_) => ApiError::conflict(
                ErrorCode::Conflict,
                "Your session changed meanwhile; sign in again.",
            ),
            other => other.into(),
        })?;
    let pair = st.jwt.issue_pair(&updated)?;
    Ok(Json(login_response(pair, &updated)))
}
