//! Business rules: plain functions over plain types, no I/O (ARCHITECTURE.md). Each module is
//! one rule family of domain.md §2–§3, with the spec's worked examples as unit tests.

pub mod allocation;
pub mod booking;
pub mod credit;
pub mod expiry;
pub mod ledger;
pub mod lifecycle;
pub mod logistics_cost;
pub mod packaging;
pub mod pms;
pub mod pricing;
pub mod stock;
