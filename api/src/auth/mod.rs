//! Authentication at the edge: token signing and verification, the `Actor` extractor that
//! every protected handler takes, password hashing off the async runtime, and the failed-login
//! limiter.

pub mod actor;
pub mod jwt;
pub mod login_limiter;
pub mod password;

pub use actor::{Actor, MaybeActor};
pub use jwt::{JwtKeys, TokenKind, TokenPair};
pub use login_limiter::LoginLimiter;
