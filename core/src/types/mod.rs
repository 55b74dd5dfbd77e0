//! Value types shared by the model and the rules. Each one is parsed once at the edge
//! (`parse`, or serde going through the same code) so that a value that exists is valid.

mod date;
mod money;
mod month;
#[cfg(feature = "openapi")]
pub(crate) mod openapi;
mod quantity;
mod serde_util;
mod timestamp;

pub use date::DateOnly;
pub use money::{Money, Percent};
pub use month::PmsMonth;
pub use quantity::Quantity;
pub use serde_util::{
    decimal_number, default_true, lenient_decimal, null_as_default, string_or_oid,
    true_unless_false,
};
pub use timestamp::Timestamp;

/// Why a raw value could not become one of these types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ParseError {
    pub kind: &'static str,
    pub message: String,
}

impl ParseError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}
