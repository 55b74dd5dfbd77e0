//! Jobs: everyone sees their own jobs, Admin every job. The seeded demo job (a queued
//! expiry scan started by the admin) is another user's object for CREDIT-001, who has
//! neither Admin nor the warehouse/sales rights that show system scans.
use super::{Case, Who, allow};
use serde_json::json;

const DEMO: &str = "/api/jobs/JOB-DEMO-001";

pub fn cases() -> Vec<Case> {
    vec![
        Case::get("/api/jobs", Who::AnyUser("SALES-001")),
        Case::get("/api/jobs/{id}", Who::AnyUser("USER-001"))
            .at(DEMO)
            .other("CREDIT-001", DEMO),
        Case::post("/api/jobs/{id}/cancel", Who::AnyUser("USER-001"))
            .at("/api/jobs/JOB-DEMO-001/cancel")
            .other("CREDIT-001", "/api/jobs/JOB-DEMO-001/cancel")
            .expect(200),
        Case::post("/api/jobs/{id}/retry", Who::AnyUser("USER-001"))
            .at("/api/jobs/JOB-DEMO-001/retry")
            .other("CREDIT-001", "/api/jobs/JOB-DEMO-001/retry")
            // Queued jobs cannot be retried.
            .expect(409),
        Case::get("/api/jobs/{id}/report", Who::AnyUser("USER-001"))
            .at("/api/jobs/JOB-DEMO-001/report")
            .other("CREDIT-001", "/api/jobs/JOB-DEMO-001/report")
            // Not finished: no report yet.
            .expect(404),
        // Pricing routes is the logistics team's (logistics_costing) and Admin's.
        Case::post(
            "/api/jobs/distance-cost",
            allow(&["LOG-001", "USER-001"]).deny(&["SALES-001", "CREDIT-001", "QC-001"]),
        )
        .body(json!({}))
        .expect(202),
        Case::post(
            "/api/jobs/expiry-scan",
            allow(&["WHM-001", "USER-001"]).deny(&["SALES-001", "CREDIT-001", "QC-001"]),
        )
        .body(json!({"date": "2026-11-24"}))
        .expect(202),
    ]
}
