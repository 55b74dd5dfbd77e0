use super::{Case, Who, allow};
use serde_json::json;

pub fn cases() -> Vec<Case> {
    vec![
        // The seed's curl check 2; a salesperson may read only their own record, a manager
        // their recursive team's.
        Case::get(
            "/api/pms/{userId}",
            allow(&["USER-001"]).deny(&["SALES-001", "ASM-001", "CREDIT-001", "WH-001"]),
        )
        .at("/api/pms/USER-001?month=Feb'26")
        .other("SALES-002", "/api/pms/SALES-001?month=Feb'26"),
        Case::put(
            "/api/pms/{userId}",
            allow(&["USER-001"]).deny(&["SALES-001", "ASM-001", "RSM-001", "CREDIT-001"]),
        )
        .at("/api/pms/SALES-002")
        .body(json!({
            "month": "Mar'26", "grossMonthlySalary": 48000,
            "kras": [
                {"name": "Sales Target", "target": 1000000, "weightage": 60},
                {"name": "Collection", "target": 500000, "weightage": 40, "type": "Restricted"}
            ]
        }))
        .expect(201),
        Case::get("/api/pms/leaderboard", Who::AnyUser("SALES-001"))
            .at("/api/pms/leaderboard?month=Feb'26"),
        Case::post(
            "/api/pms/kra/update",
            allow(&["USER-001"]).deny(&["SALES-001", "ASM-001", "CREDIT-001", "NSM-001"]),
        )
        .body(json!({"userId": "SALES-001", "month": "Feb'26",
            "kraId": "1", "achievedValue": 1300000})),
        Case::post(
            "/api/pms/od-balance/update",
            allow(&["CREDIT-001", "USER-001"]).deny(&[
                "SALES-001",
                "ASM-001",
                "WH-001",
                "BILL-001",
            ]),
        )
        .body(json!({"userId": "SALES-001", "month": "Feb'26", "chennai": 100000})),
    ]
}
