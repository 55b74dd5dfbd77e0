//! The persisted data model: one file per aggregate, field names exactly as in the legacy
//! MongoDB collections (domain.md §1) so existing documents read unchanged. Readers are
//! permissive (unknown keys are kept in `extra`, nulls read as defaults, legacy synonyms
//! map to canonical values); writers emit the canonical form.

pub mod attendance;
pub mod audit;
pub mod customer;
pub mod distributor_price;
mod documents;
pub mod job;
pub mod order;
pub mod order_status;
pub mod packaging;
pub mod performance;
pub mod procurement;
pub mod product;
pub mod stock_ledger;
pub mod user;
pub mod warehouse;

#[cfg(test)]
mod legacy_docs_tests;

pub use attendance::{Attendance, GeoPoint};
pub use audit::{AuditAction, AuditLog, EntityType};
pub use customer::{AgingBuckets, Customer, DeliveryAddress};
pub use distributor_price::DistributorPrice;
pub use job::{JobKind, JobProgress, JobRecord, JobStatus};
pub use order::{
    AllocatedBatch, CostBreakdown, CreditDecision, DeliveryDetails, InvoiceDetails, Logistics,
    Order, OrderItem, OrderSource, OrderType, QcDetails, StatusChange,
};
pub use order_status::OrderStatus;
pub use packaging::{
    MovementType, PackagingCategory, PackagingMaterial, PackagingTransaction, PackagingUnit,
};
pub use performance::{Kra, KraType, OdBalances, PerformanceRecord};
pub use procurement::{Procurement, ProcurementHistory, ProcurementStatus};
pub use product::{Batch, Product};
pub use stock_ledger::{LedgerType, StockLedgerEntry};
pub use user::{User, UserStatus, Zone};
pub use warehouse::{InventoryLine, Temperature, Warehouse, WarehouseBatch};
