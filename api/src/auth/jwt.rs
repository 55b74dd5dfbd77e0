//! HS256 tokens. Only HS256 is accepted (no `alg: none`, no algorithm confusion); access and
//! refresh tokens are told apart by their `typ` so a refresh token never authorises a request.

use crate::error::{ApiError, ErrorCode};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use nexus_core::auth::Claims;
use nexus_core::model::User;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    Access,
    Refresh,
}

/// The wire payload: the shared claims plus the token kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WireClaims {
    #[serde(flatten)]
    claims: Claims,
    typ: TokenKind,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    pub token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub token_type: &'static str,
}

/// Clock skew tolerated between API instances.
const LEEWAY_SECS: i64 = 30;

impl JwtKeys {
    pub fn new(secret: &SecretString, access_ttl: Duration, refresh_ttl: Duration) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        JwtKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            access_ttl,
            refresh_ttl,
        }
    }

    pub fn issue(&self, user: &User, kind: TokenKind) -> Result<String, ApiError> {
        let ttl = match kind {
            TokenKind::Access => self.access_ttl,
            TokenKind::Refresh => self.refresh_ttl,
        };
        let now = chrono::Utc::now().timestamp();
        let claims = Claims::for_user(
            user,
            now,
            ttl.as_secs() as i64,
            ulid::Ulid::new().to_string(),
        );
        encode(
            &Header::new(Algorithm::HS256),
            &WireClaims { claims, typ: kind },
            &self.encoding,
        )
        .map_err(|e| ApiError::internal_cause("token signing failed", &e))
    }

    pub fn issue_pair(&self, user: &User) -> Result<TokenPair, ApiError> {
        Ok(TokenPair {
            token: self.issue(user, TokenKind::Access)?,
            refresh_token: self.issue(user, TokenKind::Refresh)?,
            expires_in: self.access_ttl.as_secs(),
            token_type: "Bearer",
        })
    }

    /// Verifies signature, algorithm, expiry and kind; the token version is checked by the
    /// caller against the stored user.
    pub fn verify(&self, token: &str, kind: TokenKind) -> Result<Claims, ApiError> {
        let mut v = Validation::new(Algorithm::HS256);
        v.algorithms = vec![Algorithm::HS256];
        v.leeway = LEEWAY_SECS as u64;
        v.set_required_spec_claims(&["exp", "iat"]);
        let data = decode::<WireClaims>(token, &self.decoding, &v).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => ApiError::unauthorized(
                ErrorCode::TokenExpired,
                "Token expired. Please login again.",
            ),
            _ => ApiError::unauthorized(ErrorCode::TokenInvalid, "Invalid token."),
        })?;
        if data.claims.typ != kind {
            return Err(ApiError::unauthorized(
                ErrorCode::TokenInvalid,
                "Invalid token.",
            ));
        }
        let max = match kind {
            TokenKind::Access => self.access_ttl,
            TokenKind::Refresh => self.refresh_ttl,
        }
        .as_secs() as i64;
        let c = data.claims.claims;
        c.validate(
            chrono::Utc::now().timestamp(),
            LEEWAY_SECS,
            max + LEEWAY_SECS,
        )
        .map_err(|_| ApiError::unauthorized(ErrorCode::TokenInvalid, "Invalid token."))?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_core::auth::Role;

    fn keys() -> JwtKeys {
        JwtKeys::new(
            &SecretString::from("0123456789abcdef0123456789abcdef".to_string()),
            Duration::from_secs(60),
            Duration::from_secs(600),
        )
    }

    #[test]
    fn access_and_refresh_are_not_interchangeable() {
        let k = keys();
        let u = User::new("SALES-001", "Rajesh", Role::Sales);
        let access = k.issue(&u, TokenKind::Access).unwrap();
        let refresh = k.issue(&u, TokenKind::Refresh).unwrap();
        assert_eq!(
            k.verify(&access, TokenKind::Access).unwrap().user_id,
            "SALES-001"
        );
        assert!(k.verify(&refresh, TokenKind::Access).is_err());
        assert!(k.verify(&access, TokenKind::Refresh).is_err());
    }

    #[test]
    fn expired_tokens_are_refused_as_expired() {
        let k = keys();
        let u = User::new("SALES-001", "Rajesh", Role::Sales);
        let now = chrono::Utc::now().timestamp();
        let claims = Claims::for_user(&u, now - 600, 60, "01JEXPIRED");
        let token = encode(
            &Header::new(Algorithm::HS256),
            &WireClaims {
                claims,
                typ: TokenKind::Access,
            },
            &k.encoding,
        )
        .unwrap();
        let err = k.verify(&token, TokenKind::Access).unwrap_err();
        assert_eq!(err.code, ErrorCode::TokenExpired);
    }

    #[test]
    fn alg_none_and_tampering_are_refused() {
        let k = keys();
        let u = User::new("USER-001", "Admin", Role::Admin);
        let token = k.issue(&u, TokenKind::Access).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        // alg=none with the same payload and no signature.
        let none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
        assert!(
            k.verify(&format!("{none_header}.{}.", parts[1]), TokenKind::Access)
                .is_err()
        );
        // Payload swapped for another user's, original signature kept.
        let other = k
            .issue(&User::new("SALES-001", "S", Role::Sales), TokenKind::Access)
            .unwrap();
        let other_payload = other.split('.').nth(1).unwrap();
        assert!(
            k.verify(
                &format!("{}.{}.{}", parts[0], other_payload, parts[2]),
                TokenKind::Access
            )
            .is_err()
        );
        // Signed with another secret.
        let foreign = JwtKeys::new(
            &SecretString::from("another-secret-another-secret-xx".to_string()),
            Duration::from_secs(60),
            Duration::from_secs(60),
        );
        assert!(
            k.verify(
                &foreign.issue(&u, TokenKind::Access).unwrap(),
                TokenKind::Access
            )
            .is_err()
        );
    }
}
