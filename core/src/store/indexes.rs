//! The index catalogue (domain spec §1.16), as data both adapters build from.
//!
//! Names follow MongoDB's default naming (`status_1_createdAt_-1`), because that is what
//! Mongoose and the old index script created: on an existing database the catalogue then
//! recognises the indexes already there by name instead of failing with "index already exists
//! with a different name". A unique violation is reported with these names on both adapters
//! (`StoreError::DuplicateKey { index }`), so the API maps them to 409s in one place.
//!
//! Deliberate differences from the legacy definitions:
//! - `users`: only the schema's unique sparse `email_1`; the script's non-unique `email`
//!   index conflicted with it and aborted the script (defect D-D9).
//! - `products.skuCode_1` is unique only over non-empty strings: bulk import writes `""` and
//!   older products have no code at all (D-D9).
//! - `auditlogs.timestamp_1` is the single index on `timestamp` and carries the two-year TTL
//!   the compliance documents ask for; the plain index and the 30-day TTL are gone (D-D9,
//!   D-S14).
//! - `id_1` is sparse where legacy documents have no business id (warehouses, stock ledger,
//!   audit log): they are keyed by `_id` only.

use super::{Collection, SortDir};

/// Two years, the retention stated by the compliance documents (domain §1.12, §7.8).
pub const AUDIT_TTL_SECONDS: u64 = 63_072_000;

/// Which documents an index covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexCondition {
    /// Every document (a missing field indexes as null).
    All,
    /// Documents where the key field is present (MongoDB `sparse`; `null` still counts).
    Sparse,
    /// Documents where the (single) key field is a non-empty string (a partial index).
    NonEmptyString,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexSpec {
    pub collection: Collection,
    /// Stable name, unique within the collection.
    pub name: &'static str,
    pub keys: &'static [(&'static str, SortDir)],
    pub unique: bool,
    pub condition: IndexCondition,
    /// A TTL index (MongoDB deletes documents this long after the key's date).
    pub expire_after_seconds: Option<u64>,
    /// The array field one key reaches into (`items` for `items.skuCode`): one entry per
    /// element, a multikey index. MongoDB builds these itself; SQLite indexes no array
    /// elements, so its adapter keeps the entries in a table of their own (`sql::multikey`).
    pub multikey: Option<&'static str>,
    /// Fields kept in the index after its keys, so a read of just these fields (and the
    /// keys) is answered from the index without opening a document ([`super::Store::find_fields`]).
    /// MongoDB holds them as ascending keys; SQLite as the fields' JSON text.
    pub covered: &'static [&'static str],
}

impl IndexSpec {
    /// The keys, then the covered fields not among them, ascending: the key pattern of a
    /// store that covers by keys (MongoDB).
    pub fn keys_with_covered(&self) -> Vec<(&'static str, SortDir)> {
        let mut keys = self.keys.to_vec();
        for f in self.covered {
            if !keys.iter().any(|(k, _)| k == f) {
                keys.push((f, SortDir::Asc));
            }
        }
        keys
    }

    /// True when the index is over exactly the collection's key fields, which the SQLite
    /// adapter enforces with its primary key.
    pub fn is_key_index(&self) -> bool {
        let kf = self.collection.key_fields();
        self.unique
            && self.keys.len() == kf.len()
            && self.keys.iter().zip(kf).all(|((p, _), k)| p == k)
    }
}

use Collection as C;
use IndexCondition::{All, NonEmptyString, Sparse};
use SortDir::{Asc as A, Desc as D};

const fn plain(
    collection: Collection,
    name: &'static str,
    keys: &'static [(&'static str, SortDir)],
) -> IndexSpec {
    IndexSpec {
        collection,
        name,
        keys,
        unique: false,
        condition: All,
        expire_after_seconds: None,
        multikey: None,
        covered: &[],
    }
}

/// A multikey index: `array` is the field of `keys` that holds a list of objects.
const fn multikey(
    collection: Collection,
    name: &'static str,
    keys: &'static [(&'static str, SortDir)],
    array: &'static str,
) -> IndexSpec {
    IndexSpec {
        multikey: Some(array),
        ..plain(collection, name, keys)
    }
}

/// A plain index that also covers `covered` ([`IndexSpec::covered`]).
const fn covering(
    collection: Collection,
    name: &'static str,
    keys: &'static [(&'static str, SortDir)],
    covered: &'static [&'static str],
) -> IndexSpec {
    IndexSpec {
        covered,
        ..plain(collection, name, keys)
    }
}

const fn unique(
    collection: Collection,
    name: &'static str,
    keys: &'static [(&'static str, SortDir)],
    condition: IndexCondition,
) -> IndexSpec {
    IndexSpec {
        collection,
        name,
        keys,
        unique: true,
        condition,
        expire_after_seconds: None,
        multikey: None,
        covered: &[],
    }
}

const ID: &[(&str, SortDir)] = &[("id", A)];

/// Indexes an earlier version created and the catalogue has since replaced (the credit
/// check's `(status, customerId)`, now covering). `ensure_indexes` drops these names and no
/// others: an index it did not create (a legacy one, an operator's) is never touched.
pub const RETIRED: &[(Collection, &str)] = &[(C::Orders, "status_1_customerId_1")];

pub const CATALOGUE: &[IndexSpec] = &[
    // users
    unique(C::Users, "id_1", ID, All),
    unique(C::Users, "email_1", &[("email", A)], Sparse),
    plain(
        C::Users,
        "id_1_email_1_role_1_orgPositions_1",
        &[("id", A), ("email", A), ("role", A), ("orgPositions", A)],
    ),
    plain(C::Users, "role_1", &[("role", A)]),
    plain(C::Users, "status_1", &[("status", A)]),
    plain(C::Users, "managerId_1", &[("managerId", A)]),
    // customers
    unique(C::Customers, "id_1", ID, All),
    plain(C::Customers, "name_1", &[("name", A)]),
    plain(C::Customers, "creditLimit_1", &[("creditLimit", A)]),
    // products
    unique(C::Products, "id_1", ID, All),
    unique(C::Products, "skuCode_1", &[("skuCode", A)], NonEmptyString),
    plain(
        C::Products,
        "skuCode_1_category_1",
        &[("skuCode", A), ("category", A)],
    ),
    plain(
        C::Products,
        "batches.expDate_1_batches.isActive_1",
        &[("batches.expDate", A), ("batches.isActive", A)],
    ),
    plain(C::Products, "category_1", &[("category", A)]),
    plain(C::Products, "batches.expDate_1", &[("batches.expDate", A)]),
    plain(
        C::Products,
        "batches.batchNumber_1",
        &[("batches.batchNumber", A)],
    ),
    // orders
    unique(C::Orders, "id_1", ID, All),
    plain(C::Orders, "customerId_1", &[("customerId", A)]),
    plain(C::Orders, "status_1", &[("status", A)]),
    plain(C::Orders, "salespersonId_1", &[("salespersonId", A)]),
    plain(C::Orders, "createdAt_-1", &[("createdAt", D)]),
    plain(C::Orders, "isClearance_1", &[("isClearance", A)]),
    plain(C::Orders, "isBulkUpload_1", &[("isBulkUpload", A)]),
    plain(
        C::Orders,
        "status_1_createdAt_-1",
        &[("status", A), ("createdAt", D)],
    ),
    plain(
        C::Orders,
        "salespersonId_1_createdAt_-1",
        &[("salespersonId", A), ("createdAt", D)],
    ),
    plain(
        C::Orders,
        "customerId_1_createdAt_-1",
        &[("customerId", A), ("createdAt", D)],
    ),
    // The credit queue (`GET /api/orders?creditCheck=…`), newest first.
    plain(
        C::Orders,
        "creditCheck.passed_1_creditCheck.overrideRequired_1_createdAt_-1",
        &[
            ("creditCheck.passed", A),
            ("creditCheck.overrideRequired", A),
            ("createdAt", D),
        ],
    ),
    plain(
        C::Orders,
        "creditCheck.overrideRequired_1_createdAt_-1",
        &[("creditCheck.overrideRequired", A), ("createdAt", D)],
    ),
    // The credit check's read at every booking: one customer's open orders, found among a
    // few hundred open orders rather than the customer's whole history, and summed from
    // the index alone (the four fields `exposure` reads), not from a document each.
    covering(
        C::Orders,
        "status_1_customerId_1_id_1_total_1",
        &[("status", A), ("customerId", A)],
        &["id", "customerId", "status", "total"],
    ),
    // The last rate (domain §2.6), at every booked line and for every SKU of an import: a
    // customer's newest order holding a SKU, found directly rather than by walking the
    // customer's history until the SKU turns up (or, for a SKU never bought, to the end).
    multikey(
        C::Orders,
        "customerId_1_items.skuCode_1_createdAt_-1",
        &[("customerId", A), ("items.skuCode", A), ("createdAt", D)],
        "items",
    ),
    plain(
        C::Orders,
        "logistics.manifestId_1",
        &[("logistics.manifestId", A)],
    ),
    // Bulk-import idempotency: a retried or re-uploaded file cannot create an order twice.
    // Only non-empty keys are indexed, so an order written with `importKey: null` or `""`
    // by another client can never block an import (a sparse index would index the null).
    unique(
        C::Orders,
        "importKey_1",
        &[("importKey", A)],
        NonEmptyString,
    ),
    // performancerecords
    unique(
        C::PerformanceRecords,
        "userId_1_month_1",
        &[("userId", A), ("month", A)],
        All,
    ),
    plain(C::PerformanceRecords, "totalScore_-1", &[("totalScore", D)]),
    plain(C::PerformanceRecords, "month_1", &[("month", A)]),
    // packagingmaterials
    unique(C::PackagingMaterials, "id_1", ID, All),
    plain(
        C::PackagingMaterials,
        "id_1_category_1",
        &[("id", A), ("category", A)],
    ),
    plain(C::PackagingMaterials, "category_1", &[("category", A)]),
    plain(C::PackagingMaterials, "balance_1", &[("balance", A)]),
    // packagingtransactions
    unique(C::PackagingTransactions, "id_1", ID, All),
    plain(
        C::PackagingTransactions,
        "materialId_1_type_1_date_-1",
        &[("materialId", A), ("type", A), ("date", D)],
    ),
    plain(
        C::PackagingTransactions,
        "materialId_1",
        &[("materialId", A)],
    ),
    plain(C::PackagingTransactions, "type_1", &[("type", A)]),
    plain(C::PackagingTransactions, "date_-1", &[("date", D)]),
    // warehouses: legacy documents have only `_id`.
    unique(C::Warehouses, "id_1", ID, Sparse),
    // stockledgers
    unique(C::StockLedgers, "id_1", ID, Sparse),
    plain(
        C::StockLedgers,
        "warehouseId_1_productId_1_timestamp_1",
        &[("warehouseId", A), ("productId", A), ("timestamp", A)],
    ),
    plain(C::StockLedgers, "orderId_1", &[("orderId", A)]),
    // procurements
    unique(C::Procurements, "id_1", ID, All),
    plain(
        C::Procurements,
        "id_1_status_1_createdAt_-1",
        &[("id", A), ("status", A), ("createdAt", D)],
    ),
    plain(C::Procurements, "status_1", &[("status", A)]),
    plain(C::Procurements, "createdAt_-1", &[("createdAt", D)]),
    // distributorprices
    unique(C::DistributorPrices, "id_1", ID, All),
    plain(C::DistributorPrices, "code_1", &[("code", A)]),
    plain(C::DistributorPrices, "name_1", &[("name", A)]),
    unique(
        C::DistributorPrices,
        "distributorCode_1_code_1",
        &[("distributorCode", A), ("code", A)],
        All,
    ),
    // auditlogs: legacy entries have only `_id`.
    unique(C::AuditLogs, "id_1", ID, Sparse),
    plain(C::AuditLogs, "userId_1", &[("userId", A)]),
    plain(C::AuditLogs, "action_1", &[("action", A)]),
    plain(C::AuditLogs, "entityType_1", &[("entityType", A)]),
    plain(C::AuditLogs, "entityId_1", &[("entityId", A)]),
    IndexSpec {
        collection: C::AuditLogs,
        name: "timestamp_1",
        keys: &[("timestamp", A)],
        unique: false,
        condition: All,
        expire_after_seconds: Some(AUDIT_TTL_SECONDS),
        multikey: None,
        covered: &[],
    },
    plain(
        C::AuditLogs,
        "userId_1_timestamp_-1",
        &[("userId", A), ("timestamp", D)],
    ),
    plain(
        C::AuditLogs,
        "entityType_1_entityId_1_timestamp_-1",
        &[("entityType", A), ("entityId", A), ("timestamp", D)],
    ),
    plain(
        C::AuditLogs,
        "action_1_timestamp_-1",
        &[("action", A), ("timestamp", D)],
    ),
    // attendances
    unique(
        C::Attendances,
        "userId_1_date_1",
        &[("userId", A), ("date", A)],
        All,
    ),
    // jobs
    unique(C::Jobs, "id_1", ID, All),
    plain(
        C::Jobs,
        "status_1_createdAt_-1",
        &[("status", A), ("createdAt", D)],
    ),
    // counters (see `Store::next_sequence`)
    unique(C::Counters, "id_1", ID, All),
];

/// The catalogue entries of one collection.
pub fn for_collection(collection: Collection) -> impl Iterator<Item = &'static IndexSpec> {
    CATALOGUE.iter().filter(move |s| s.collection == collection)
}

/// The entry with this name in this collection.
pub fn find(collection: Collection, name: &str) -> Option<&'static IndexSpec> {
    for_collection(collection).find(|s| s.name == name)
}

/// The unique index over the collection's key fields (what a duplicate key document hits).
pub fn key_index(collection: Collection) -> Option<&'static IndexSpec> {
    for_collection(collection).find(|s| s.is_key_index())
}

/// MongoDB's default name for a key pattern (`a_1_b_-1`).
pub fn default_name(keys: &[(&str, SortDir)]) -> String {
    keys.iter()
        .map(|(p, d)| match d {
            SortDir::Asc => format!("{p}_1"),
            SortDir::Desc => format!("{p}_-1"),
        })
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_mongodb_defaults_and_unique_per_collection() {
        let mut seen = HashSet::new();
        for spec in CATALOGUE {
            // MongoDB's key pattern holds the covered fields after the keys.
            assert_eq!(
                spec.name,
                default_name(&spec.keys_with_covered()),
                "{spec:?}"
            );
            assert!(seen.insert((spec.collection, spec.name)), "{spec:?}");
            for (path, _) in spec.keys_with_covered() {
                assert!(crate::store::apply::parse_path(path, false).is_ok());
            }
        }
    }

    #[test]
    fn every_collection_has_a_unique_key_index() {
        for c in Collection::ALL {
            assert!(key_index(c).is_some(), "{c}");
        }
    }

    #[test]
    fn legacy_conflicts_are_resolved() {
        let email: Vec<_> = for_collection(Collection::Users)
            .filter(|s| s.keys == [("email", SortDir::Asc)])
            .collect();
        assert_eq!(email.len(), 1);
        assert!(email[0].unique && email[0].condition == IndexCondition::Sparse);

        let ts: Vec<_> = for_collection(Collection::AuditLogs)
            .filter(|s| s.keys == [("timestamp", SortDir::Asc)])
            .collect();
        assert_eq!(ts.len(), 1);
        assert_eq!(ts[0].expire_after_seconds, Some(63_072_000));

        let sku = find(Collection::Products, "skuCode_1").map(|s| (s.unique, s.condition));
        assert_eq!(sku, Some((true, IndexCondition::NonEmptyString)));
        assert_eq!(
            find(Collection::Orders, "importKey_1").map(|s| (s.unique, s.condition)),
            Some((true, IndexCondition::NonEmptyString))
        );
        assert!(
            find(Collection::DistributorPrices, "distributorCode_1_code_1")
                .is_some_and(|s| s.unique)
        );
    }
}
