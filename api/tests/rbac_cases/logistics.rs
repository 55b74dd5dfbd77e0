use super::{Case, Who, allow};
use serde_json::json;

pub fn cases() -> Vec<Case> {
    vec![
        // The seed's curl check 5: public (rate-limited), no token.
        Case::post("/api/logistics/calculate-cost", Who::Public)
            .body(json!({"origin": "Mumbai", "destination": "Delhi", "vehicleType": "Truck"})),
        Case::get(
            "/api/logistics/cost-history",
            allow(&["LOG-001", "LOGT-001", "HUB-001"]).deny(&[
                "SALES-001",
                "WH-001",
                "CREDIT-001",
                "BILL-001",
                "DRV-001",
            ]),
        ),
    ]
}
