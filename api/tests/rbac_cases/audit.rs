//! Audit log (api.md §2.17): own entries for everyone, the recursive team for RSM/ASM, all
//! for Admin/NSM/user management; statistics for user management; CSV export for Admin.

use super::{Case, Who};
use reqwest::Method;

pub fn cases() -> Vec<Case> {
    vec![
        // Your own trail; not a peer's (§8.1.15: the legacy route had no check).
        Case::new(
            Method::GET,
            "/api/audit/logs/user/{userId}",
            "/api/audit/logs/user/SALES-001",
            Who::AnyUser("SALES-001"),
        )
        .other("SALES-001", "/api/audit/logs/user/SALES-002"),
        // A report's trail: their managers (recursively) may, others may not.
        Case::new(
            Method::GET,
            "/api/audit/logs/user/{userId}",
            "/api/audit/logs/user/SALES-002",
            Who::Roles {
                allowed: &["RSM-001", "ASM-001", "NSM-001", "USER-001"],
                denied: &["SALES-001", "SEXEC-001", "CREDIT-001", "WHM-001", "DRV-001"],
            },
        )
        .other("ASM-001", "/api/audit/logs/user/WH-001"),
        Case::get("/api/audit/logs", Who::AnyUser("SALES-001")),
        Case::get(
            "/api/audit/stats",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["NSM-001", "RSM-001", "SALES-001", "CREDIT-001", "WHM-001"],
            },
        ),
        Case::get(
            "/api/audit/logs/export",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["NSM-001", "RSM-001", "SALES-001", "CREDIT-001", "PROCH-001"],
            },
        ),
    ]
}
