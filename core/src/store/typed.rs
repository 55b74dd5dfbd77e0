//! Typed access to the store: model types name their collection once ([`Document`]) and the
//! rest of the code reads and writes them without touching JSON.
//!
//! Decoding is where legacy data meets the model, so a document that does not fit is reported
//! as [`StoreError::Decode`] naming the collection (and the document's `id` when it has one),
//! never a panic.

use super::{Collection, Expect, Filter, Query, Store, StoreError, StoreResult, UpdateOp, Write};
use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A model type stored in one collection.
pub trait Document: Serialize + DeserializeOwned + Send + Sync + 'static {
    const COLLECTION: Collection;
}

/// Turns a stored document into `T`.
pub fn decode<T: Document>(doc: Value) -> StoreResult<T> {
    let id = doc
        .get("id")
        .and_then(Value::as_str)
        .map(|s| format!(" (id {s})"))
        .unwrap_or_default();
    serde_json::from_value(doc).map_err(|e| StoreError::Decode {
        collection: T::COLLECTION.name().to_string(),
        message: format!("{e}{id}"),
    })
}

/// Turns a stored document's JSON text (see [`Store::find_text`]) into `T`.
pub fn decode_text<T: Document>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Decode {
        collection: T::COLLECTION.name().to_string(),
        message: e.to_string(),
    })
}

/// Turns `T` into the JSON document the adapters store.
pub fn encode<T: Document>(doc: &T) -> StoreResult<Value> {
    let v = serde_json::to_value(doc).map_err(|e| StoreError::Decode {
        collection: T::COLLECTION.name().to_string(),
        message: format!("cannot serialise: {e}"),
    })?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(StoreError::Decode {
            collection: T::COLLECTION.name().to_string(),
            message: "the model does not serialise to a JSON object".into(),
        })
    }
}

/// The first document matching `filter`, if any.
pub async fn get_one<T: Document>(
    store: &(impl Store + ?Sized),
    filter: Filter,
) -> StoreResult<Option<T>> {
    let mut docs = store
        .find(T::COLLECTION, &Query::new(filter).limit(1))
        .await?;
    docs.pop().map(decode).transpose()
}

/// Every document matching `query`, decoded.
pub async fn find<T: Document>(
    store: &(impl Store + ?Sized),
    query: &Query,
) -> StoreResult<Vec<T>> {
    store
        .find(T::COLLECTION, query)
        .await?
        .into_iter()
        .map(decode)
        .collect()
}

pub async fn count<T: Document>(
    store: &(impl Store + ?Sized),
    filter: &Filter,
) -> StoreResult<u64> {
    store.count(T::COLLECTION, filter).await
}

/// The same helpers as methods, for `store.get::<Order>(Filter::id(..))`.
#[async_trait]
pub trait TypedStore {
    async fn get<T: Document>(&self, filter: Filter) -> StoreResult<Option<T>>;
    async fn list<T: Document>(&self, query: &Query) -> StoreResult<Vec<T>>;
    async fn count_of<T: Document>(&self, filter: &Filter) -> StoreResult<u64>;
    async fn count_of_up_to<T: Document>(&self, filter: &Filter, cap: u64) -> StoreResult<u64>;
}

#[async_trait]
impl<S: Store + ?Sized> TypedStore for S {
    async fn get<T: Document>(&self, filter: Filter) -> StoreResult<Option<T>> {
        get_one(self, filter).await
    }
    async fn list<T: Document>(&self, query: &Query) -> StoreResult<Vec<T>> {
        find(self, query).await
    }
    async fn count_of<T: Document>(&self, filter: &Filter) -> StoreResult<u64> {
        count::<T>(self, filter).await
    }
    async fn count_of_up_to<T: Document>(&self, filter: &Filter, cap: u64) -> StoreResult<u64> {
        self.count_up_to(T::COLLECTION, filter, cap).await
    }
}

impl Write {
    /// Inserts a new document; a unique index refuses duplicates.
    pub fn insert<T: Document>(doc: &T) -> StoreResult<Write> {
        Ok(Write::Insert {
            collection: T::COLLECTION,
            doc: encode(doc)?,
        })
    }

    /// Replaces the document with the same key fields, or inserts it.
    pub fn upsert<T: Document>(doc: &T) -> StoreResult<Write> {
        Ok(Write::Upsert {
            collection: T::COLLECTION,
            doc: encode(doc)?,
        })
    }

    /// Replaces exactly the one document matching `filter` (the guard, e.g. `_rev`).
    pub fn replace<T: Document>(filter: Filter, doc: &T) -> StoreResult<Write> {
        Ok(Write::Replace {
            collection: T::COLLECTION,
            filter,
            doc: encode(doc)?,
            expect: Expect::One,
        })
    }

    /// Applies `ops` to exactly the one document matching `filter` (the guard).
    pub fn update_one<T: Document>(filter: Filter, ops: Vec<UpdateOp>) -> Write {
        Write::Update {
            collection: T::COLLECTION,
            filter,
            ops,
            expect: Expect::One,
        }
    }

    /// Applies `ops` to every document matching `filter`, possibly none.
    pub fn update_many<T: Document>(filter: Filter, ops: Vec<UpdateOp>) -> Write {
        Write::Update {
            collection: T::COLLECTION,
            filter,
            ops,
            expect: Expect::Any,
        }
    }

    /// Deletes exactly the one document matching `filter`.
    pub fn delete_one<T: Document>(filter: Filter) -> Write {
        Write::Delete {
            collection: T::COLLECTION,
            filter,
            expect: Expect::One,
        }
    }

    /// The collection this write touches.
    pub fn collection(&self) -> Collection {
        match self {
            Write::Insert { collection, .. }
            | Write::Upsert { collection, .. }
            | Write::Update { collection, .. }
            | Write::Replace { collection, .. }
            | Write::Delete { collection, .. } => *collection,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Material {
        id: String,
        balance: i64,
    }

    impl Document for Material {
        const COLLECTION: Collection = Collection::PackagingMaterials;
    }

    #[test]
    fn builders_serialise_into_the_collection() {
        let m = Material {
            id: "PKG-001".into(),
            balance: 1000,
        };
        assert_eq!(
            Write::insert(&m).unwrap(),
            Write::Insert {
                collection: Collection::PackagingMaterials,
                doc: json!({"id": "PKG-001", "balance": 1000})
            }
        );
        assert_eq!(
            Write::update_one::<Material>(Filter::id("PKG-001"), vec![]).collection(),
            Collection::PackagingMaterials
        );
    }

    #[test]
    fn decode_errors_name_collection_and_id() {
        let err = decode::<Material>(json!({"id": "PKG-9", "balance": "lots"})).unwrap_err();
        match err {
            StoreError::Decode {
                collection,
                message,
            } => {
                assert_eq!(collection, "packagingmaterials");
                assert!(message.contains("PKG-9"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
