use super::{Case, Who, allow};
use serde_json::json;

/// Everyone but Admin lacks master_data by default.
const NOT_MASTER_DATA: &[&str] = &["SALES-001", "CREDIT-001", "WHM-001", "NSM-001", "PROCH-001"];

pub fn cases() -> Vec<Case> {
    vec![
        Case::get("/api/products", Who::AnyUser("DRV-001")),
        Case::post("/api/products", allow(&["USER-001"]).deny(NOT_MASTER_DATA))
            .body(json!({ "skuCode": "SKU-RBAC", "name": "RBAC Test Product", "gst": 5 })),
        Case::get("/api/products/{id}", Who::AnyUser("QC-001")).at("/api/products/PROD-001"),
        Case::patch(
            "/api/products/{id}",
            allow(&["USER-001"]).deny(NOT_MASTER_DATA),
        )
        .at("/api/products/PROD-002")
        .body(json!({ "remarks": "RBAC check" })),
        // Every seeded product is on an open order (PROD-002 on ORD-002 and ORD-003), so the
        // allowed call passes authorisation and is answered 409 PRODUCT_IN_USE; deactivating
        // a free product is covered by the behaviour tests.
        Case::delete(
            "/api/products/{id}",
            allow(&["USER-001"]).deny(NOT_MASTER_DATA),
        )
        .at("/api/products/PROD-002")
        .expect(409),
        Case::get(
            "/api/products/import-template",
            allow(&["USER-001"]).deny(NOT_MASTER_DATA),
        ),
        Case::post(
            "/api/products/bulk-import",
            allow(&["USER-001"]).deny(NOT_MASTER_DATA),
        )
        .body(json!({}))
        .expect(415),
        Case::get(
            "/api/products/expiring",
            allow(&["USER-001", "SALES-001", "WH-001", "CREDIT-001"])
                .deny(&["QC-001", "LOG-001", "BILL-001", "DRV-001", "PROC-001"]),
        )
        .at("/api/products/expiring?days=90"),
        Case::post(
            "/api/products/{id}/batches",
            allow(&["WH-001", "WHM-001", "USER-001"]).deny(&[
                "SALES-001",
                "QC-001",
                "CREDIT-001",
                "DRV-001",
            ]),
        )
        .at("/api/products/PROD-001/batches")
        .body(json!({"warehouseId": "WH-KURLA", "batchNumber": "RBAC-1",
            "quantity": 5, "expDate": "2027-06-30"})),
    ]
}
