use super::{Case, Who};
use reqwest::Method;
use serde_json::json;

pub fn cases() -> Vec<Case> {
    vec![
        // The seed's curl check 4.
        Case::new(
            Method::POST,
            "/api/ai/credit-insight",
            "/api/ai/credit-insight",
            Who::Roles {
                allowed: &["CREDIT-001", "USER-001"],
                denied: &["SALES-001", "ASM-001", "WH-001", "LOG-001", "BILL-001"],
            },
        )
        .body(json!({"orderId": "ORD-001", "customerId": "CUST-001"})),
    ]
}
