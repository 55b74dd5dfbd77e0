//! Writes that [`super::Store::commit`] applies atomically.

use super::{Collection, Filter};
use serde_json::Value;

/// A field change, with MongoDB update-operator semantics.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateOp {
    /// `$set`: creates intermediate objects as needed.
    Set(String, Value),
    /// `$unset`.
    Unset(String),
    /// `$inc` by a number (a missing field counts as 0).
    Inc(String, Value),
    /// `$push` one element onto an array (created if missing).
    Push(String, Value),
    /// `$addToSet`: push unless an equal element is present.
    AddToSet(String, Value),
    /// `$pull` every element equal to the value.
    Pull(String, Value),
}

/// How many documents an update or delete must match for the commit to go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Exactly one document must match, or the whole commit fails with `Conflict`.
    One,
    /// Any number, including none (applies to every match).
    Any,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Insert a new document; a unique index violation fails the commit with `DuplicateKey`.
    Insert { collection: Collection, doc: Value },
    /// Replace the document matching the collection's key fields, or insert it.
    Upsert { collection: Collection, doc: Value },
    /// Apply `ops` to documents matching `filter` (the filter doubles as the guard).
    Update {
        collection: Collection,
        filter: Filter,
        ops: Vec<UpdateOp>,
        expect: Expect,
    },
    /// Replace the whole matching document (the filter doubles as the guard, e.g. `_rev`).
    Replace {
        collection: Collection,
        filter: Filter,
        doc: Value,
        expect: Expect,
    },
    Delete {
        collection: Collection,
        filter: Filter,
        expect: Expect,
    },
}
