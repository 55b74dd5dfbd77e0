//! Business identifiers (`ORD-000001`, `CUST-000042`, `PKG-IN-000007`) from the store's
//! sequences, replacing the legacy clock-sliced ids that collided (defect D-R6).
//!
//! Sequences never repeat, but old databases already hold clock-based ids such as
//! `ORD-482913` that a sequence will reach one day. So an id from here is a *candidate*:
//! callers insert under the collection's unique `id` index and, on `DuplicateKey` for that
//! index, take the next number. [`commit_with_business_id`] does exactly that.

use super::{Store, StoreError, StoreResult, Write, indexes};

/// Digits after the prefix; more appear when the sequence outgrows them.
const MIN_DIGITS: usize = 6;
/// Legacy ids occupy at most every number of one width, so a run of collisions is bounded
/// by the legacy ids in a row; this cap only stops a runaway loop on a misused index.
const MAX_ATTEMPTS: usize = 10_000;

/// The next candidate id for `prefix` (e.g. `"ORD-"` → `ORD-000001`); the sequence is named
/// by the prefix, so every process on the database shares it.
pub async fn next_business_id(store: &(impl Store + ?Sized), prefix: &str) -> StoreResult<String> {
    let n = store.next_sequence(prefix).await?;
    Ok(business_id(prefix, n))
}

/// The id for number `n` of the sequence `prefix` (`ORD-`, 42 → `ORD-000042`), e.g. for
/// numbers taken in a block with [`Store::next_sequence_block`].
pub fn business_id(prefix: &str, n: u64) -> String {
    format!("{prefix}{n:0width$}", width = MIN_DIGITS)
}

/// Commits the writes `build` makes for a fresh id, retrying with the next id while the
/// id's unique index reports a duplicate (a legacy id got there first). Any other failure,
/// including a duplicate on another index, is returned as is. Returns the id used.
pub async fn commit_with_business_id<F>(
    store: &(impl Store + ?Sized),
    prefix: &str,
    mut build: F,
) -> StoreResult<String>
where
    F: FnMut(&str) -> StoreResult<Vec<Write>>,
{
    for _ in 0..MAX_ATTEMPTS {
        let id = next_business_id(store, prefix).await?;
        let writes = build(&id)?;
        match store.commit(writes).await {
            Ok(()) => return Ok(id),
            Err(StoreError::DuplicateKey { collection, index })
                if is_id_index(&collection, &index) =>
            {
                tracing::info!(%id, %collection, "business id already taken by legacy data; trying the next");
            }
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict(format!(
        "no free id for prefix {prefix} after {MAX_ATTEMPTS} attempts"
    )))
}

/// Whether `index` is the unique index over `collection`'s key (`id_1`), i.e. a duplicate
/// there means the id was taken, not that the document exists under another key.
pub fn is_id_index(collection: &str, index: &str) -> bool {
    super::Collection::from_name(collection)
        .and_then(indexes::key_index)
        .is_some_and(|spec| spec.name == index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_index_is_recognised() {
        assert!(is_id_index("orders", "id_1"));
        assert!(!is_id_index("orders", "importKey_1"));
        assert!(!is_id_index("nope", "id_1"));
        assert_eq!(business_id("ORD-", 42), "ORD-000042");
        assert_eq!(business_id("ORD-", 1_234_567), "ORD-1234567");
    }
}
