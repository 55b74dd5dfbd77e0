use super::{Case, Who};
use reqwest::Method;
use serde_json::json;

pub fn cases() -> Vec<Case> {
    vec![
        Case::new(
            Method::POST,
            "/api/warehouse/create",
            "/api/warehouse/create",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["WHM-001", "WH-001", "SALES-001", "LOG-001"],
            },
        )
        .body(json!({ "name": "RBAC Hub", "location": "Pune" })),
        Case::get("/api/warehouse/list", Who::AnyUser("DRV-001")),
        Case::new(
            Method::POST,
            "/api/warehouse/add-stock",
            "/api/warehouse/add-stock",
            Who::Roles {
                allowed: &["WH-001", "WHM-001", "WHH-001", "USER-001"],
                denied: &["SALES-001", "QC-001", "CREDIT-001", "PROC-001", "DRV-001"],
            },
        )
        .body(json!({ "warehouseId": "WH-KURLA", "items": [{ "skuCode": "SKU-001", "batchNumber": "BATCH-001", "quantity": 5 }] })),
        Case::new(
            Method::POST,
            "/api/warehouse/validate-barcode",
            "/api/warehouse/validate-barcode",
            Who::Roles {
                allowed: &["WH-001", "WHM-001", "USER-001"],
                denied: &["SALES-001", "QC-001", "DRV-001"],
            },
        )
        .body(json!({ "warehouseId": "WH-KURLA", "barcode": "8901234500011", "skuCode": "SKU-001" })),
    ]
}
