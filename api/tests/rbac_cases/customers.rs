use super::{Case, Who};
use reqwest::Method;
use serde_json::json;

/// Operational roles with no business reading customers or their credit.
const NO_CUSTOMER_ACCESS: &[&str] = &[
    "WHM-001", "WH-001", "QC-001", "LOG-001", "DRV-001", "PROC-001",
];

pub fn cases() -> Vec<Case> {
    vec![
        Case::get(
            "/api/customers",
            Who::Roles {
                allowed: &["SALES-001", "CREDIT-001", "USER-001", "RSM-001"],
                denied: NO_CUSTOMER_ACCESS,
            },
        ),
        Case::new(
            Method::POST,
            "/api/customers",
            "/api/customers",
            Who::Roles {
                allowed: &["SALES-001", "USER-001"],
                denied: &["CREDIT-001", "WHM-001", "DRV-001", "BILL-001"],
            },
        )
        .body(json!({ "name": "RBAC Test Traders" })),
        // A salesperson may edit their own customers only (CUST-001 is SALES-001's).
        Case::new(
            Method::PATCH,
            "/api/customers/{id}",
            "/api/customers/CUST-001",
            Who::Roles {
                allowed: &["SALES-001", "ASM-001", "USER-001"],
                denied: &["CREDIT-001", "WHM-001", "DRV-001"],
            },
        )
        .body(json!({ "phone": "+91 22 5550 1111" }))
        .other("SALES-002", "/api/customers/CUST-001"),
        Case::new(
            Method::PATCH,
            "/api/customers/{id}/credit",
            "/api/customers/CUST-001/credit",
            Who::Roles {
                allowed: &["CREDIT-001", "USER-001"],
                denied: &["SALES-001", "RSM-001", "WHM-001", "BILL-001"],
            },
        )
        .body(json!({ "limit": 60000, "reason": "review" })),
        Case::new(
            Method::PATCH,
            "/api/customers/{id}/block",
            "/api/customers/CUST-003/block",
            Who::Roles {
                allowed: &["CREDIT-001", "USER-001"],
                denied: &["SALES-001", "NSM-001", "WHM-001"],
            },
        )
        .body(json!({ "blocked": true, "reason": "overdue" })),
        Case::get(
            "/api/customers/import-template",
            Who::Roles {
                allowed: &["CREDIT-001", "USER-001"],
                denied: &["SALES-001", "WHM-001", "DRV-001"],
            },
        ),
        // Multipart: the allowed caller passes authorisation and is asked for multipart.
        Case::new(
            Method::POST,
            "/api/customers/bulk-import",
            "/api/customers/bulk-import",
            Who::Roles {
                allowed: &["CREDIT-001", "USER-001"],
                denied: &["SALES-001", "WHM-001", "DRV-001"],
            },
        )
        .body(json!({}))
        .expect(415),
        Case::get(
            "/api/customers/{id}/payments",
            Who::Roles {
                allowed: &["SALES-001", "CREDIT-001", "USER-001"],
                denied: NO_CUSTOMER_ACCESS,
            },
        )
        .at("/api/customers/CUST-002/payments"),
        Case::get(
            "/api/customers/{id}/aging",
            Who::Roles {
                allowed: &["CREDIT-001", "SALES-001", "USER-001"],
                denied: NO_CUSTOMER_ACCESS,
            },
        )
        .at("/api/customers/CUST-003/aging"),
    ]
}
