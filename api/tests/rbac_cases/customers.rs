use super::{Case, allow};
use serde_json::json;

/// Operational roles with no business reading customers or their credit.
const NO_CUSTOMER_ACCESS: &[&str] = &[
    "WHM-001", "WH-001", "QC-001", "LOG-001", "DRV-001", "PROC-001",
];

pub fn cases() -> Vec<Case> {
    vec![
        Case::get(
            "/api/customers",
            allow(&["SALES-001", "CREDIT-001", "USER-001", "RSM-001"]).deny(NO_CUSTOMER_ACCESS),
        ),
        Case::post(
            "/api/customers",
            allow(&["SALES-001", "USER-001"]).deny(&[
                "CREDIT-001",
                "WHM-001",
                "DRV-001",
                "BILL-001",
            ]),
        )
        .body(json!({ "name": "RBAC Test Traders" })),
        // A salesperson may edit their own customers only (CUST-001 is SALES-001's).
        Case::patch(
            "/api/customers/{id}",
            allow(&["SALES-001", "ASM-001", "USER-001"]).deny(&[
                "CREDIT-001",
                "WHM-001",
                "DRV-001",
            ]),
        )
        .at("/api/customers/CUST-001")
        .body(json!({ "phone": "+91 22 5550 1111" }))
        .other("SALES-002", "/api/customers/CUST-001"),
        Case::patch(
            "/api/customers/{id}/credit",
            allow(&["CREDIT-001", "USER-001"]).deny(&[
                "SALES-001",
                "RSM-001",
                "WHM-001",
                "BILL-001",
            ]),
        )
        .at("/api/customers/CUST-001/credit")
        .body(json!({ "limit": 60000, "reason": "review" })),
        Case::patch(
            "/api/customers/{id}/block",
            allow(&["CREDIT-001", "USER-001"]).deny(&["SALES-001", "NSM-001", "WHM-001"]),
        )
        .at("/api/customers/CUST-003/block")
        .body(json!({ "blocked": true, "reason": "overdue" })),
        Case::get(
            "/api/customers/import-template",
            allow(&["CREDIT-001", "USER-001"]).deny(&["SALES-001", "WHM-001", "DRV-001"]),
        ),
        // Multipart: the allowed caller passes authorisation and is asked for multipart.
        Case::post(
            "/api/customers/bulk-import",
            allow(&["CREDIT-001", "USER-001"]).deny(&["SALES-001", "WHM-001", "DRV-001"]),
        )
        .body(json!({}))
        .expect(415),
        Case::get(
            "/api/customers/{id}/payments",
            allow(&["SALES-001", "CREDIT-001", "USER-001"]).deny(NO_CUSTOMER_ACCESS),
        )
        .at("/api/customers/CUST-002/payments"),
        Case::get(
            "/api/customers/{id}/aging",
            allow(&["CREDIT-001", "SALES-001", "USER-001"]).deny(NO_CUSTOMER_ACCESS),
        )
        .at("/api/customers/CUST-003/aging"),
    ]
}
