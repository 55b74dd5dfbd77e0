use super::{Case, Who};
use reqwest::Method;
use serde_json::json;

/// Everyone but Admin lacks master_data by default.
const NOT_MASTER_DATA: &[&str] = &["SALES-001", "CREDIT-001", "WHM-001", "NSM-001", "PROCH-001"];

pub fn cases() -> Vec<Case> {
    vec![
        Case::get("/api/products", Who::AnyUser("DRV-001")),
        Case::new(
            Method::POST,
            "/api/products",
            "/api/products",
            Who::Roles {
                allowed: &["USER-001"],
                denied: NOT_MASTER_DATA,
            },
        )
        .body(json!({ "skuCode": "SKU-RBAC", "name": "RBAC Test Product", "gst": 5 })),
        Case::get("/api/products/{id}", Who::AnyUser("QC-001")).at("/api/products/PROD-001"),
        Case::new(
            Method::PATCH,
            "/api/products/{id}",
            "/api/products/PROD-002",
            Who::Roles {
                allowed: &["USER-001"],
                denied: NOT_MASTER_DATA,
            },
        )
        .body(json!({ "remarks": "RBAC check" })),
        // Every seeded product is on an open order (PROD-002 on ORD-002 and ORD-003), so the
        // allowed call passes authorisation and is answered 409 PRODUCT_IN_USE; deactivating
        // a free product is covered by the behaviour tests.
        Case::new(
            Method::DELETE,
            "/api/products/{id}",
            "/api/products/PROD-002",
            Who::Roles {
                allowed: &["USER-001"],
                denied: NOT_MASTER_DATA,
            },
        )
        .expect(409),
        Case::get(
            "/api/products/import-template",
            Who::Roles {
                allowed: &["USER-001"],
                denied: NOT_MASTER_DATA,
            },
        ),
        Case::new(
            Method::POST,
            "/api/products/bulk-import",
            "/api/products/bulk-import",
            Who::Roles {
                allowed: &["USER-001"],
                denied: NOT_MASTER_DATA,
            },
        )
        .body(json!({}))
        .expect(415),
        Case::get(
            "/api/products/expiring",
            Who::Roles {
                allowed: &["USER-001", "SALES-001", "WH-001", "CREDIT-001"],
                denied: &["QC-001", "LOG-001", "BILL-001", "DRV-001", "PROC-001"],
            },
        )
        .at("/api/products/expiring?days=90"),
        Case::new(
            Method::POST,
            "/api/products/{id}/batches",
            "/api/products/PROD-001/batches",
            Who::Roles {
                allowed: &["WH-001", "WHM-001", "USER-001"],
                denied: &["SALES-001", "QC-001", "CREDIT-001", "DRV-001"],
            },
        )
        .body(json!({ "warehouseId": "WH-KURLA", "batchNumber": "RBAC-1", "quantity": 5, "expDate": "2027-06-30" })),
    ]
}
