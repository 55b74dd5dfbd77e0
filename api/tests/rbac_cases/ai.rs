use super::{Case, allow};
use serde_json::json;

pub fn cases() -> Vec<Case> {
    vec![
        // The seed's curl check 4.
        Case::post(
            "/api/ai/credit-insight",
            allow(&["CREDIT-001", "USER-001"]).deny(&[
                "SALES-001",
                "ASM-001",
                "WH-001",
                "LOG-001",
                "BILL-001",
            ]),
        )
        .body(json!({"orderId": "ORD-001", "customerId": "CUST-001"})),
    ]
}
