//! Authentication and authorisation pieces shared by the API, the TUI and the SSH server:
//! roles, permissions, the effective-permission matrix, order visibility scope, password
//! policy and the JWT claims.

pub mod claims;
pub mod matrix;
pub mod password;
pub mod permissions;
pub mod roles;
pub mod scope;

pub use claims::{Claims, ClaimsError};
pub use matrix::{
    Access, AccessLevel, ActorContext, EffectivePermissions, Step, can, role_defaults,
};
pub use password::{check_policy, is_bcrypt_hash, is_default_password};
pub use permissions::Permission;
pub use roles::Role;
pub use scope::{
    OrderFacts, OrderScope, can_change_order, can_see_order, order_scope, subordinates,
};
