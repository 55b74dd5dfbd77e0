use super::{Case, Who};
use reqwest::Method;
use serde_json::json;

pub fn cases() -> Vec<Case> {
    vec![
        // The seed's curl check 2; a salesperson may read only their own record, a manager
        // their recursive team's.
        Case::get(
            "/api/pms/{userId}",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["SALES-001", "ASM-001", "CREDIT-001", "WH-001"],
            },
        )
        .at("/api/pms/USER-001?month=Feb'26")
        .other("SALES-002", "/api/pms/SALES-001?month=Feb'26"),
        Case::new(
            Method::PUT,
            "/api/pms/{userId}",
            "/api/pms/SALES-002",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["SALES-001", "ASM-001", "RSM-001", "CREDIT-001"],
            },
        )
        .body(json!({
            "month": "Mar'26", "grossMonthlySalary": 48000,
            "kras": [
                {"name": "Sales Target", "target": 1000000, "weightage": 60},
                {"name": "Collection", "target": 500000, "weightage": 40, "type": "Restricted"}
            ]
        }))
        .expect(201),
        Case::get("/api/pms/leaderboard", Who::AnyUser("SALES-001")).at("/api/pms/leaderboard?month=Feb'26"),
        Case::new(
            Method::POST,
            "/api/pms/kra/update",
            "/api/pms/kra/update",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["SALES-001", "ASM-001", "CREDIT-001", "NSM-001"],
            },
        )
        .body(json!({"userId": "SALES-001", "month": "Feb'26", "kraId": "1", "achievedValue": 1300000})),
        Case::new(
            Method::POST,
            "/api/pms/od-balance/update",
            "/api/pms/od-balance/update",
            Who::Roles {
                allowed: &["CREDIT-001", "USER-001"],
                denied: &["SALES-001", "ASM-001", "WH-001", "BILL-001"],
            },
        )
        .body(json!({"userId": "SALES-001", "month": "Feb'26", "chennai": 100000})),
    ]
}
