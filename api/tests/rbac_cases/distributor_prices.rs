use super::{Case, allow};
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
            allow(&["SALES-001", "CREDIT-001", "BILL-001", "USER-001"]).deny(NO_PRICE_ACCESS),
        ),
        Case::post(
            "/api/distributor-prices",
            allow(&["USER-001"]).deny(NOT_MASTER_DATA),
        )
        .body(json!({"distributorCode": "D1001", "code": "SKU-001",
            "name": "Premium Basmati Rice 5kg", "billingRate": 410})),
        Case::get(
            "/api/distributor-prices/{id}",
            allow(&["SALES-001", "USER-001"]).deny(NO_PRICE_ACCESS),
        )
        .at("/api/distributor-prices/D1001-SKU-001")
        .expect(404),
        Case::patch(
            "/api/distributor-prices/{id}",
            allow(&["USER-001"]).deny(NOT_MASTER_DATA),
        )
        .at("/api/distributor-prices/D1001-SKU-001")
        .body(json!({ "billingRate": 400 }))
        .expect(404),
        Case::delete(
            "/api/distributor-prices/{id}",
            allow(&["USER-001"]).deny(NOT_MASTER_DATA),
        )
        .at("/api/distributor-prices/D1001-SKU-001")
        .expect(404),
        Case::get(
            "/api/distributor-prices/import-template",
            allow(&["USER-001"]).deny(NOT_MASTER_DATA),
        ),
        Case::post(
            "/api/distributor-prices/bulk-import",
            allow(&["USER-001"]).deny(NOT_MASTER_DATA),
        )
        .body(json!({}))
        .expect(415),
    ]
}
