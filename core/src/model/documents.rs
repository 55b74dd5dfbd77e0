//! Which collection each aggregate lives in, for the typed store helpers.

use super::*;
use crate::store::{Collection, Document};

impl Document for User {
    const COLLECTION: Collection = Collection::Users;
}
impl Document for Customer {
    const COLLECTION: Collection = Collection::Customers;
}
impl Document for Product {
    const COLLECTION: Collection = Collection::Products;
}
impl Document for Order {
    const COLLECTION: Collection = Collection::Orders;
}
impl Document for PerformanceRecord {
    const COLLECTION: Collection = Collection::PerformanceRecords;
}
impl Document for PackagingMaterial {
    const COLLECTION: Collection = Collection::PackagingMaterials;
}
impl Document for PackagingTransaction {
    const COLLECTION: Collection = Collection::PackagingTransactions;
}
impl Document for Warehouse {
    const COLLECTION: Collection = Collection::Warehouses;
}
impl Document for StockLedgerEntry {
    const COLLECTION: Collection = Collection::StockLedgers;
}
impl Document for Procurement {
    const COLLECTION: Collection = Collection::Procurements;
}
impl Document for DistributorPrice {
    const COLLECTION: Collection = Collection::DistributorPrices;
}
impl Document for AuditLog {
    const COLLECTION: Collection = Collection::AuditLogs;
}
impl Document for Attendance {
    const COLLECTION: Collection = Collection::Attendances;
}
impl Document for JobRecord {
    const COLLECTION: Collection = Collection::Jobs;
}
