//! Audit log (api.md §2.17): own entries for everyone, the recursive team for RSM/ASM, all
//! for Admin/NSM/user management; statistics for user management; CSV export for Admin.

use super::{Case, Who, allow};

pub fn cases() -> Vec<Case> {
    vec![
        // Your own trail; not a peer's (§8.1.15: the legacy route had no check).
        Case::get("/api/audit/logs/user/{userId}", Who::AnyUser("SALES-001"))
            .at("/api/audit/logs/user/SALES-001")
            .other("SALES-001", "/api/audit/logs/user/SALES-002"),
        // A report's trail: their managers (recursively) may, others may not.
        Case::get(
            "/api/audit/logs/user/{userId}",
            allow(&["RSM-001", "ASM-001", "NSM-001", "USER-001"]).deny(&[
                "SALES-001",
                "SEXEC-001",
                "CREDIT-001",
                "WHM-001",
                "DRV-001",
            ]),
        )
        .at("/api/audit/logs/user/SALES-002")
        .other("ASM-001", "/api/audit/logs/user/WH-001"),
        Case::get("/api/audit/logs", Who::AnyUser("SALES-001")),
        Case::get(
            "/api/audit/stats",
            allow(&["USER-001"]).deny(&[
                "NSM-001",
                "RSM-001",
                "SALES-001",
                "CREDIT-001",
                "WHM-001",
            ]),
        ),
        Case::get(
            "/api/audit/logs/export",
            allow(&["USER-001"]).deny(&[
                "NSM-001",
                "RSM-001",
                "SALES-001",
                "CREDIT-001",
                "PROCH-001",
            ]),
        ),
    ]
}
