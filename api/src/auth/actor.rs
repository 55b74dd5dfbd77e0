//! The `Actor` extractor: who is calling, re-read from the store on every request so that a
//! role change, deactivation or logout takes effect at once (the legacy tokens carried a
//! role frozen for 7 days, D-S7).

use super::jwt::TokenKind;
use crate::error::{ApiError, ErrorCode};
use crate::meta::RequestMeta;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use nexus_core::auth::{Access, ActorContext, Claims, Permission, Role};
use nexus_core::model::{AuditAction, AuditLog, User};
use nexus_core::store::{Filter, Query, TypedStore};
use serde_json::json;
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub ctx: ActorContext,
    pub claims: Claims,
    pub meta: RequestMeta,
}

impl Actor {
    pub fn id(&self) -> &str {
        &self.user.id
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn is_admin(&self) -> bool {
        self.ctx.is_admin()
    }

    pub fn can(&self, p: Permission, level: Access) -> bool {
        nexus_core::auth::can(&self.ctx, p, level)
    }

    /// 403 unless the actor holds `p` at `level` or above.
    pub fn require(&self, p: Permission, level: Access) -> Result<(), ApiError> {
        if self.can(p, level) {
            Ok(())
        } else {
            Err(forbidden(&[(p, level)]))
        }
    }

    /// 403 unless the actor holds at least one of the listed permissions.
    pub fn require_any(&self, options: &[(Permission, Access)]) -> Result<(), ApiError> {
        if options.iter().any(|(p, l)| self.can(*p, *l)) {
            Ok(())
        } else {
            Err(forbidden(options))
        }
    }

    /// Everyone below the actor in the reporting line (cycle-safe), for hierarchy scope.
    pub async fn subordinates(&self, st: &AppState) -> Result<BTreeSet<String>, ApiError> {
        if !matches!(self.user.role, Role::Rsm | Role::Asm | Role::Nsm) {
            return Ok(BTreeSet::new());
        }
        let users: Vec<User> = st
            .store
            .list::<User>(&Query::new(Filter::Exists("managerId".into())))
            .await?;
        Ok(nexus_core::auth::scope::subordinates(
            &self.user.id,
            users
                .iter()
                .map(|u| (u.id.as_str(), u.manager_id.as_deref())),
        ))
    }

    /// An audit entry stamped with the actor and the request (address, agent, request id).
    pub fn audit(&self, action: AuditAction) -> AuditLog {
        let mut a = AuditLog::new(self.user.id.clone(), self.user.name.clone(), action);
        a.user_role = Some(self.user.role.as_str().to_string());
        self.meta.stamp(&mut a);
        a
    }
}

pub fn forbidden(options: &[(Permission, Access)]) -> ApiError {
    let required: Vec<_> = options
        .iter()
        .map(|(p, l)| json!({ "permission": p.as_str(), "access": l.as_str() }))
        .collect();
    ApiError::forbidden(
        ErrorCode::Forbidden,
        "You do not have permission for this action.",
    )
    .with_details(json!({ "required": required }))
}

fn bearer(parts: &Parts) -> Option<&str> {
    bearer_of(&parts.headers)
}

/// The token of an `Authorization: Bearer …` header (the scheme in any case).
pub fn bearer_of(headers: &axum::http::HeaderMap) -> Option<&str> {
    let h = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = h.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// Verifies a token of `kind` and loads its current user; shared by the extractor, refresh
/// and the WebSocket handshake.
pub async fn authenticate(
    st: &AppState,
    token: &str,
    kind: TokenKind,
) -> Result<(User, Claims), ApiError> {
    let claims = st.jwt.verify(token, kind)?;
    let user: Option<User> = st
        .store
        .get::<User>(Filter::id(claims.user_id.clone()))
        .await?;
    let user =
        user.ok_or_else(|| ApiError::unauthorized(ErrorCode::TokenInvalid, "Invalid token."))?;
    if !user.is_active() {
        return Err(ApiError::unauthorized(
            ErrorCode::UserInactive,
            "This account is not active.",
        ));
    }
    claims.check_version(user.token_version).map_err(|_| {
        ApiError::unauthorized(
            ErrorCode::TokenRevoked,
            "This token has been revoked. Please login again.",
        )
    })?;
    Ok((user, claims))
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(|| {
            ApiError::unauthorized(ErrorCode::TokenMissing, "Access denied. No token provided.")
        })?;
        let (user, claims) = authenticate(st, token, TokenKind::Access).await?;
        let ctx = ActorContext::from_user(&user);
        let meta = RequestMeta::from_parts(parts);
        Ok(Actor {
            user,
            ctx,
            claims,
            meta,
        })
    }
}

/// For the few routes that serve anonymous callers too (login, public cost calculator).
#[derive(Debug, Clone)]
pub struct MaybeActor(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        if bearer(parts).is_none() {
            return Ok(MaybeActor(None));
        }
        Actor::from_request_parts(parts, st)
            .await
            .map(|a| MaybeActor(Some(a)))
    }
}
