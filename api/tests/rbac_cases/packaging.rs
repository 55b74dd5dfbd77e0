use super::{Case, allow};
use serde_json::json;

pub fn cases() -> Vec<Case> {
    vec![
        Case::get(
            "/api/packaging/materials",
            allow(&["WH-001", "PROC-001", "WHM-001"]).deny(&[
                "SALES-001",
                "CREDIT-001",
                "QC-001",
                "BILL-001",
                "DRV-001",
                "LOG-001",
            ]),
        ),
        Case::post(
            "/api/packaging/materials",
            allow(&["PROC-001"]).deny(&["WH-001", "SALES-001", "CREDIT-001", "QC-001"]),
        )
        .body(json!({"name": "Thermocol Box 20L", "unit": "PCS", "category": "Cartons", "moq": 50}))
        .expect(201),
        Case::get(
            "/api/packaging/transactions",
            allow(&["WHM-001", "PROC-001"]).deny(&[
                "SALES-001",
                "DRV-001",
                "CREDIT-001",
                "BILL-001",
            ]),
        ),
        Case::post(
            "/api/packaging/inward",
            allow(&["PROC-001", "WH-001"]).deny(&["SALES-001", "QC-001", "CREDIT-001", "DRV-001"]),
        )
        .body(json!({"materialId": "PKG-001", "qty": 100, "vendorName": "Polypack Industries"}))
        .expect(201),
        // Outward consumes stock: the warehouse only (procurement receives, it does not issue).
        Case::post(
            "/api/packaging/outward",
            allow(&["WH-001", "WHH-001"]).deny(&["PROC-001", "PROCH-001", "SALES-001", "QC-001"]),
        )
        .body(json!({"materialId": "PKG-003", "qty": 10, "reason": "Packing ORD-003"}))
        .expect(201),
        Case::get(
            "/api/packaging/low-stock",
            allow(&["WHH-001", "PROCH-001"]).deny(&["SALES-001", "BILL-001", "LOGT-001"]),
        ),
    ]
}
