use super::{Case, Who};
use reqwest::Method;
use serde_json::json;

const NOT_MASTER_DATA: &[&str] = &["SALES-001", "CREDIT-001", "BILL-001", "WHM-001"];
/// Roles without a commercial reason to read billing rates.
const NO_PRICE_ACCESS: &[&str] = &["WH-001", "QC-001", "LOG-001", "DRV-001", "PROC-001"];

// The demo seed has no price-list entries and every case starts from a fresh seed, so the
// routes on one entry are checked with an id that does not exist: the allowed caller gets
// past authorisation to the 404. The behaviour tests create entries and cover success.
pub fn cases() -> Vec<Case> {
    vec![
        Case::get(
            "/api/distributor-prices",
            Who::Roles {
                allowed: &["SALES-001", "CREDIT-001", "BILL-001", "USER-001"],
                denied: NO_PRICE_ACCESS,
            },
        ),
        Case::new(
            Method::POST,
            "/api/distributor-prices",
            "/api/distributor-prices",
            Who::Roles {
                allowed: &["USER-001"],
                denied: NOT_MASTER_DATA,
            },
        )
        .body(json!({ "distributorCode": "D1001", "code": "SKU-001", "name": "Premium Basmati Rice 5kg", "billingRate": 410 })),
        Case::get(
            "/api/distributor-prices/{id}",
            Who::Roles {
                allowed: &["SALES-001", "USER-001"],
                denied: NO_PRICE_ACCESS,
            },
        )
        .at("/api/distributor-prices/D1001-SKU-001")
        .expect(404),
        Case::new(
            Method::PATCH,
            "/api/distributor-prices/{id}",
            "/api/distributor-prices/D1001-SKU-001",
            Who::Roles {
                allowed: &["USER-001"],
                denied: NOT_MASTER_DATA,
            },
        )
        .body(json!({ "billingRate": 400 }))
        .expect(404),
        Case::new(
            Method::DELETE,
            "/api/distributor-prices/{id}",
            "/api/distributor-prices/D1001-SKU-001",
            Who::Roles {
                allowed: &["USER-001"],
                denied: NOT_MASTER_DATA,
            },
        )
        .expect(404),
        Case::get(
            "/api/distributor-prices/import-template",
            Who::Roles {
                allowed: &["USER-001"],
                denied: NOT_MASTER_DATA,
            },
        ),
        Case::new(
            Method::POST,
            "/api/distributor-prices/bulk-import",
            "/api/distributor-prices/bulk-import",
            Who::Roles {
                allowed: &["USER-001"],
                denied: NOT_MASTER_DATA,
            },
        )
        .body(json!({}))
        .expect(415),
    ]
}
