//! Users and organisation (api.md §2.3): profiles, access (role, permissions, step access,
//! status, credentials) and the sales organisation (org slots, reporting line). Who may manage
//! whom is checked in one place, `guard`.

pub mod access;
pub mod change;
pub(crate) mod guard;
pub mod org;
pub mod profile;
pub mod validate;
pub mod view;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(profile::router())
        .merge(access::router())
        .merge(org::router())
}
