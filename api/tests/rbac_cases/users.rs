//! Users and organisation (api.md §2.3): user administration needs `user_management` (only
//! the Admin in the demo data); line managers read their team; credentials are yourself or
//! `user_management` (D-S3, D-S4).

use super::{Case, allow};
use serde_json::json;

/// Everyone without `user_management`, across the hierarchy and the operational roles.
const NOT_USER_ADMINS: &[&str] = &[
    "NSM-001",
    "RSM-001",
    "ASM-001",
    "SALES-001",
    "CREDIT-001",
    "WHM-001",
    "DRV-001",
    "PROCH-001",
];

fn admin_patch(template: &'static str, path: &str, body: serde_json::Value) -> Case {
    Case::patch(template, allow(&["USER-001"]).deny(NOT_USER_ADMINS))
        .at(path)
        .body(body)
}

pub fn cases() -> Vec<Case> {
    vec![
        // Line managers may list (their team); everyone else outside user management may not.
        Case::get(
            "/api/users",
            allow(&["USER-001", "RSM-001"]).deny(&[
                "SALES-001",
                "SEXEC-001",
                "CREDIT-001",
                "WHM-001",
                "DRV-001",
            ]),
        ),
        Case::post("/api/users", allow(&["USER-001"]).deny(NOT_USER_ADMINS))
            .body(json!({
                "id": "SALES-077", "name": "New Rep", "email": "new.rep@nexusoms.com",
                "role": "Sales", "password": "Str0ng-Initial-Pass", "managerId": "ASM-001"
            }))
            .expect(201),
        // A manager reads a report; peers and other departments may not; a manager may not
        // read someone outside their team.
        Case::get(
            "/api/users/{id}",
            allow(&["ASM-001", "RSM-001", "USER-001"]).deny(&[
                "SALES-001",
                "CREDIT-001",
                "WHM-001",
                "DRV-001",
            ]),
        )
        .at("/api/users/SALES-002")
        .other("ASM-001", "/api/users/WH-001"),
        Case::patch(
            "/api/users/{id}",
            allow(&["USER-001"]).deny(&["SALES-001", "ASM-001", "RSM-001", "CREDIT-001"]),
        )
        .at("/api/users/SALES-002")
        .body(json!({ "location": "Pune", "department1": "Retail" })),
        admin_patch(
            "/api/users/{id}/role",
            "/api/users/SALES-002/role",
            json!({ "role": "ASM" }),
        ),
        admin_patch(
            "/api/users/{id}/permissions",
            "/api/users/SALES-002/permissions",
            json!({ "permissions": ["view_orders", "create_orders", "master_data"] }),
        ),
        admin_patch(
            "/api/users/{id}/step-access",
            "/api/users/SALES-002/step-access",
            json!({ "stepAccess": { "Credit Approval": "view" } }),
        ),
        admin_patch(
            "/api/users/{id}/status",
            "/api/users/SALES-002/status",
            json!({ "status": "Suspended", "reason": "On leave" }),
        ),
        admin_patch(
            "/api/users/{id}/org-add",
            "/api/users/SALES-002/org-add",
            json!({ "slotKey": "sales_west_horeca" }),
        ),
        admin_patch(
            "/api/users/{id}/org-remove",
            "/api/users/SALES-002/org-remove",
            json!({ "slotKey": "sales_west_retail" }),
        ),
        admin_patch(
            "/api/users/{id}/manager",
            "/api/users/SALES-002/manager",
            json!({ "managerId": "RSM-001" }),
        ),
        // Another user's credentials: user management only — not their manager, not a peer.
        Case::patch(
            "/api/users/{id}/credentials",
            allow(&["USER-001"]).deny(&[
                "SALES-001",
                "ASM-001",
                "RSM-001",
                "NSM-001",
                "CREDIT-001",
            ]),
        )
        .at("/api/users/SALES-002/credentials")
        .body(json!({ "password": "Res3t-By-Admin-Now" })),
    ]
}
