//! No procurement entry is seeded, so the object routes answer the allowed user with 404
//! after the permission check (every denied user must still get 403 first); the
//! behaviour tests in `tests/procurement.rs` walk a real entry through its lifecycle.
use super::{Case, allow};
use serde_json::json;

const MISSING: &str = "/api/procurement/PRC-9999";

pub fn cases() -> Vec<Case> {
    vec![
        Case::get(
            "/api/procurement",
            allow(&["PROC-001", "PROCH-001"]).deny(&[
                "SALES-001",
                "WH-001",
                "CREDIT-001",
                "QC-001",
            ]),
        ),
        Case::post(
            "/api/procurement",
            allow(&["PROC-001"]).deny(&["SALES-001", "WH-001", "CREDIT-001"]),
        )
        .body(
            json!({"supplierName": "Oceanic Seafoods", "skuName": "Frozen Prawns 1kg",
            "skuCode": "SKU-PRAWN-1KG"}),
        )
        .expect(201),
        Case::get(
            "/api/procurement/{id}",
            allow(&["PROCH-001"]).deny(&["SALES-001", "WH-001"]),
        )
        .at(MISSING)
        .expect(404),
        Case::put(
            "/api/procurement/{id}",
            allow(&["PROC-001"]).deny(&["SALES-001", "WH-001", "CREDIT-001"]),
        )
        .at(MISSING)
        .body(json!({"sipChecked": true}))
        .expect(404),
        Case::delete(
            "/api/procurement/{id}",
            allow(&["PROCH-001"]).deny(&["PROC-001", "SALES-001", "WH-001"]),
        )
        .at(MISSING)
        .expect(404),
        Case::post(
            "/api/procurement/{id}/submit",
            allow(&["PROC-001"]).deny(&["SALES-001", "WH-001", "CREDIT-001"]),
        )
        .at("/api/procurement/PRC-9999/submit")
        .expect(404),
        Case::post(
            "/api/procurement/{id}/approve",
            allow(&["PROCH-001"]).deny(&["PROC-001", "SALES-001", "CREDIT-001", "WH-001"]),
        )
        .at("/api/procurement/PRC-9999/approve")
        .expect(404),
        Case::post(
            "/api/procurement/{id}/reject",
            allow(&["PROCH-001"]).deny(&["PROC-001", "SALES-001", "CREDIT-001"]),
        )
        .at("/api/procurement/PRC-9999/reject")
        .body(json!({"reason": "Labels missing"}))
        .expect(404),
    ]
}
