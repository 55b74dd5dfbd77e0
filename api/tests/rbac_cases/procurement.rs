//! No procurement entry is seeded, so the object routes answer the allowed user with 404
//! after the permission check (every denied user must still get 403 first); the
//! behaviour tests in `tests/procurement.rs` walk a real entry through its lifecycle.
use super::{Case, Who};
use reqwest::Method;
use serde_json::json;

const MISSING: &str = "/api/procurement/PRC-9999";

pub fn cases() -> Vec<Case> {
    vec![
        Case::get(
            "/api/procurement",
            Who::Roles {
                allowed: &["PROC-001", "PROCH-001"],
                denied: &["SALES-001", "WH-001", "CREDIT-001", "QC-001"],
            },
        ),
        Case::new(
            Method::POST,
            "/api/procurement",
            "/api/procurement",
            Who::Roles {
                allowed: &["PROC-001"],
                denied: &["SALES-001", "WH-001", "CREDIT-001"],
            },
        )
        .body(json!({"supplierName": "Oceanic Seafoods", "skuName": "Frozen Prawns 1kg", "skuCode": "SKU-PRAWN-1KG"}))
        .expect(201),
        Case::get(
            "/api/procurement/{id}",
            Who::Roles {
                allowed: &["PROCH-001"],
                denied: &["SALES-001", "WH-001"],
            },
        )
        .at(MISSING)
        .expect(404),
        Case::new(
            Method::PUT,
            "/api/procurement/{id}",
            MISSING,
            Who::Roles {
                allowed: &["PROC-001"],
                denied: &["SALES-001", "WH-001", "CREDIT-001"],
            },
        )
        .body(json!({"sipChecked": true}))
        .expect(404),
        Case::new(
            Method::DELETE,
            "/api/procurement/{id}",
            MISSING,
            Who::Roles {
                allowed: &["PROCH-001"],
                denied: &["PROC-001", "SALES-001", "WH-001"],
            },
        )
        .expect(404),
        Case::new(
            Method::POST,
            "/api/procurement/{id}/submit",
            "/api/procurement/PRC-9999/submit",
            Who::Roles {
                allowed: &["PROC-001"],
                denied: &["SALES-001", "WH-001", "CREDIT-001"],
            },
        )
        .expect(404),
        Case::new(
            Method::POST,
            "/api/procurement/{id}/approve",
            "/api/procurement/PRC-9999/approve",
            Who::Roles {
                allowed: &["PROCH-001"],
                denied: &["PROC-001", "SALES-001", "CREDIT-001", "WH-001"],
            },
        )
        .expect(404),
        Case::new(
            Method::POST,
            "/api/procurement/{id}/reject",
            "/api/procurement/PRC-9999/reject",
            Who::Roles {
                allowed: &["PROCH-001"],
                denied: &["PROC-001", "SALES-001", "CREDIT-001"],
            },
        )
        .body(json!({"reason": "Labels missing"}))
        .expect(404),
    ]
}
