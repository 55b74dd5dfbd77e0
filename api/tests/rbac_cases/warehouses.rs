use super::{Case, Who, allow};
use serde_json::json;

pub fn cases() -> Vec<Case> {
    vec![
        Case::post(
            "/api/warehouse/create",
            allow(&["USER-001"]).deny(&["WHM-001", "WH-001", "SALES-001", "LOG-001"]),
        )
        .body(json!({ "name": "RBAC Hub", "location": "Pune" })),
        Case::get("/api/warehouse/list", Who::AnyUser("DRV-001")),
        Case::post(
            "/api/warehouse/add-stock",
            allow(&["WH-001", "WHM-001", "WHH-001", "USER-001"]).deny(&[
                "SALES-001",
                "QC-001",
                "CREDIT-001",
                "PROC-001",
                "DRV-001",
            ]),
        )
        .body(json!({"warehouseId": "WH-KURLA",
            "items": [{ "skuCode": "SKU-001", "batchNumber": "BATCH-001", "quantity": 5 }]})),
        Case::post(
            "/api/warehouse/validate-barcode",
            allow(&["WH-001", "WHM-001", "USER-001"]).deny(&["SALES-001", "QC-001", "DRV-001"]),
        )
        .body(
            json!({"warehouseId": "WH-KURLA", "barcode": "8901234500011",
            "skuCode": "SKU-001"}),
        ),
    ]
}
