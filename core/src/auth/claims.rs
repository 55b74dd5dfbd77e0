//! JWT claims shared by the API, the TUI and the SSH server (api.md §4.1 names, camelCase).
//! Signing and verification live in the API (jsonwebtoken); this is the payload and the
//! checks on its fields that do not need the key.
//!
//! Beyond the legacy payload (`userId`, `name`, `role`, `isApprover`, `iat`, `exp`) the rewrite
//! adds `tv` — the user's token version, bumped on logout, password and role change, so old
//! tokens can be revoked (D-S7) — and `jti`, a unique token id for audit and deny-lists.

use super::Role;
use crate::model::user::User;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub is_approver: bool,
    #[serde(rename = "tv", alias = "tokenVersion", default)]
    pub token_version: u32,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    #[serde(default)]
    pub jti: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    #[error("token has no user id")]
    MissingUserId,
    #[error("token has no id (jti)")]
    MissingJti,
    #[error("token expires before it was issued")]
    ExpiresBeforeIssued,
    #[error("token lifetime {0} s exceeds the maximum")]
    LifetimeTooLong(i64),
    #[error("token issued in the future")]
    IssuedInFuture,
    #[error("token expired")]
    Expired,
    #[error("token has been revoked")]
    Revoked,
}

impl Claims {
    /// Claims for a user, valid for `ttl_secs` from `now_secs`.
    pub fn for_user(user: &User, now_secs: i64, ttl_secs: i64, jti: impl Into<String>) -> Self {
        Claims {
            user_id: user.id.clone(),
            name: user.name.clone(),
            role: user.role,
            is_approver: user.is_approver,
            token_version: user.token_version,
            iat: now_secs,
            exp: now_secs + ttl_secs,
            jti: jti.into(),
        }
    }

    /// Field checks at `now_secs`, allowing `leeway_secs` of clock skew; `max_lifetime_secs`
    /// refuses tokens minted with a longer life than the configuration allows.
    pub fn validate(
        &self,
        now_secs: i64,
        leeway_secs: i64,
        max_lifetime_secs: i64,
    ) -> Result<(), ClaimsError> {
        if self.user_id.trim().is_empty() {
            return Err(ClaimsError::MissingUserId);
        }
        if self.jti.trim().is_empty() {
            return Err(ClaimsError::MissingJti);
        }
        if self.exp <= self.iat {
            return Err(ClaimsError::ExpiresBeforeIssued);
        }
        if self.exp - self.iat > max_lifetime_secs {
            return Err(ClaimsError::LifetimeTooLong(self.exp - self.iat));
        }
        if self.iat > now_secs + leeway_secs {
            return Err(ClaimsError::IssuedInFuture);
        }
        if now_secs >= self.exp + leeway_secs {
            return Err(ClaimsError::Expired);
        }
        Ok(())
    }

    /// A token is current only while its version equals the user's (any bump revokes it).
    pub fn check_version(&self, current_token_version: u32) -> Result<(), ClaimsError> {
        if self.token_version == current_token_version {
            Ok(())
        } else {
            Err(ClaimsError::Revoked)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn claims() -> Claims {
        let mut u = User::new("SALES-001", "Sales One", Role::Sales);
        u.token_version = 3;
        Claims::for_user(&u, 1_000_000, 3600, "01JTEST")
    }

    #[test]
    fn serde_names_are_camel_case_with_tv() {
        let v = serde_json::to_value(claims()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "userId": "SALES-001", "name": "Sales One", "role": "Sales", "isApprover": false,
                "tv": 3, "iat": 1_000_000, "exp": 1_003_600, "jti": "01JTEST"
            })
        );
        let back: Claims = serde_json::from_value(v).unwrap();
        assert_eq!(back, claims());
        let alias: Claims = serde_json::from_value(serde_json::json!({
            "userId": "A", "name": "A", "role": "Credit Control", "tokenVersion": 2,
            "iat": 1, "exp": 2, "jti": "x"
        }))
        .unwrap();
        assert_eq!(alias.token_version, 2);
        assert!(
            serde_json::from_value::<Claims>(serde_json::json!({
                "userId": "A", "name": "A", "role": "Chairman", "iat": 1, "exp": 2
            }))
            .is_err()
        );
    }

    #[test]
    fn validation() {
        let c = claims();
        assert_eq!(c.validate(1_000_100, 30, DAY), Ok(()));
        assert_eq!(c.validate(1_003_630, 30, DAY), Err(ClaimsError::Expired));
        assert_eq!(
            c.validate(999_000, 30, DAY),
            Err(ClaimsError::IssuedInFuture)
        );
        assert_eq!(
            c.validate(1_000_100, 30, 60),
            Err(ClaimsError::LifetimeTooLong(3600))
        );
        assert_eq!(
            Claims {
                jti: String::new(),
                ..c.clone()
            }
            .validate(1_000_100, 30, DAY),
            Err(ClaimsError::MissingJti)
        );
        assert_eq!(
            Claims {
                user_id: " ".into(),
                ..c.clone()
            }
            .validate(1_000_100, 30, DAY),
            Err(ClaimsError::MissingUserId)
        );
        assert_eq!(
            Claims {
                exp: c.iat,
                ..c.clone()
            }
            .validate(1_000_100, 30, DAY),
            Err(ClaimsError::ExpiresBeforeIssued)
        );
        assert_eq!(c.check_version(3), Ok(()));
        assert_eq!(c.check_version(4), Err(ClaimsError::Revoked));
    }
}
