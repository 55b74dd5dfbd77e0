use super::{Case, Who};
use reqwest::Method;
use serde_json::json;

pub fn cases() -> Vec<Case> {
    vec![
        // The seed's curl check 5: public (rate-limited), no token.
        Case::new(
            Method::POST,
            "/api/logistics/calculate-cost",
            "/api/logistics/calculate-cost",
            Who::Public,
        )
        .body(json!({"origin": "Mumbai", "destination": "Delhi", "vehicleType": "Truck"})),
        Case::get(
            "/api/logistics/cost-history",
            Who::Roles {
                allowed: &["LOG-001", "LOGT-001", "HUB-001"],
                denied: &["SALES-001", "WH-001", "CREDIT-001", "BILL-001", "DRV-001"],
            },
        ),
    ]
}
