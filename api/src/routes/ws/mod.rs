//! `GET /ws`: live events over a WebSocket, scoped like the REST reads.
//!
//! The legacy realtime layer was dead code (api.md §3, §8.3 item 33): helpers that nothing
//! called, a socket that outlived its token (§8.1 item 17), broadcasts that ignored who may
//! see an order, and no fan-out between the two PM2 workers. Here:
//! * authentication by `Authorization: Bearer`, `?token=`, or a first message
//!   `{"type":"auth","token":…}` within `NEXUS_WS_AUTH_TIMEOUT` (10 s); a bad token in the
//!   handshake is a 401 before the upgrade, a bad one later closes with code 4401 and the
//!   error code as the reason;
//! * topics (`orders`, `jobs`, `stock`, `alerts`) chosen with `subscribe`/`unsubscribe`;
//! * delivery filtered per event by role and object scope ([`delivery`]);
//! * heartbeats with a user re-check, a close at token expiry, a bounded send queue and a
//!   `resync` message instead of silent loss ([`session`]);
//! * fan-out across instances by the Redis event bus when `REDIS_URL` is set.

pub mod delivery;
pub mod protocol;
pub mod session;

use crate::auth::TokenKind;
use crate::auth::actor::authenticate;
use crate::error::{ApiError, ErrorCode};
use crate::meta::RequestMeta;
use crate::rate_limit::{Client, Group, too_many};
use crate::routes::extract::ApiQuery;
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest client message accepted (client messages are small JSON commands).
const MAX_CLIENT_MESSAGE: usize = 16 * 1024;
/// Read buffer reserved per socket: 1 KiB holds any command a client sends (a larger one
/// is read in several steps); 4 KiB cost 3.4 KiB more per held socket (docs/BENCHMARKS.md).
const READ_BUFFER: usize = 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ws))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsParams {
    /// Access token, for clients that cannot set headers (browsers). Prefer the header or
    /// the first-message `auth`: query strings end up in proxy logs.
    pub token: Option<String>,
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let h = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = h.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// Open the realtime socket (WebSocket upgrade). Authenticate with `Authorization: Bearer`,
/// `?token=`, or a first message `{"type":"auth","token":"…"}` within 10 s. Then send
/// `{"type":"subscribe","topics":["orders","jobs","stock","alerts"]}`; events arrive as
/// `{"type","topic","data","at"}`, only those the user may see. See the WebSocket section
/// of docs/API_DOCUMENTATION.md for every message.
#[utoipa::path(get, path = "/ws", tag = "Realtime", params(WsParams), security(("bearer" = [])), responses(
    (status = 101, description = "Switching protocols: the socket is open and sends `connected`"),
    (status = 401, description = "Token missing (plain HTTP request), invalid, expired or revoked"),
    (status = 426, description = "Authenticated, but the request is not a WebSocket upgrade"),
    (status = 429, description = "Too many connection attempts from this address"),
))]
async fn ws(
    State(st): State<AppState>,
    ApiQuery(params): ApiQuery<WsParams>,
    headers: HeaderMap,
    meta: RequestMeta,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    // Socket opens count against the general budget: an unauthenticated socket costs a
    // task for up to the auth timeout, so opening them must not be free.
    if let Some(ip) = meta.ip.as_deref().and_then(|ip| ip.parse().ok())
        && let Err(wait) = st
            .rate_limits
            .check(Group::General, &Client::Addr(ip))
            .await
    {
        return Ok(too_many(wait));
    }
    let token = bearer(&headers).or(params.token.filter(|t| !t.trim().is_empty()));
    let identity = match &token {
        Some(t) => Some(authenticate(&st, t, TokenKind::Access).await?),
        None => None,
    };
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(_) if identity.is_none() => {
            return Err(ApiError::unauthorized(
                ErrorCode::TokenMissing,
                "Access denied. No token provided.",
            ));
        }
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::UPGRADE_REQUIRED,
                ErrorCode::UpgradeRequired,
                "GET /ws opens a WebSocket; send the upgrade headers (any WebSocket client does).",
            ));
        }
    };
    let opening = session::Opening {
        token,
        identity,
        meta,
    };
    Ok(upgrade
        // tungstenite reserves 128 KiB to read into per socket by default; client messages
        // are small commands, so the socket holds 1 KiB and grows only for a larger one.
        // What a socket costs at 10,000 held is in docs/BENCHMARKS.md.
        .read_buffer_size(READ_BUFFER)
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_failed_upgrade(|e| tracing::warn!(error = %e, "websocket upgrade failed"))
        .on_upgrade(move |socket| session::run(st, socket, opening))
        .into_response())
}
