//! GDPR (api.md §2.18): erasure by user management; export by Admin or yourself; the policy
//! for everyone; consent only for yourself (§8.1.16).

use super::{Case, OtherObject, Who, allow};
use serde_json::json;

pub fn cases() -> Vec<Case> {
    let mut consent = Case::post("/api/gdpr/consent", Who::AnyUser("SALES-001"))
        .body(json!({ "consentType": "location_tracking", "granted": true }));
    // Recording consent for somebody else is refused.
    consent.other_object = Some(OtherObject {
        user: "SALES-001",
        path: "/api/gdpr/consent".into(),
        body: Some(json!({ "userId": "SALES-002", "consentType": "marketing", "granted": true })),
    });
    vec![
        Case::post(
            "/api/gdpr/forget/{userId}",
            allow(&["USER-001"]).deny(&[
                "SALES-002",
                "ASM-001",
                "RSM-001",
                "NSM-001",
                "CREDIT-001",
            ]),
        )
        .at("/api/gdpr/forget/SALES-002")
        .body(json!({ "confirm": "SALES-002", "reason": "Left the company; asked for erasure" })),
        // Your own data; not another person's.
        Case::get("/api/gdpr/export/{userId}", Who::AnyUser("SALES-001"))
            .at("/api/gdpr/export/SALES-001")
            .other("SALES-001", "/api/gdpr/export/SALES-002"),
        // Another person's data: Admin only, not their managers.
        Case::get(
            "/api/gdpr/export/{userId}",
            allow(&["USER-001"]).deny(&["ASM-001", "RSM-001", "NSM-001", "CREDIT-001"]),
        )
        .at("/api/gdpr/export/SALES-002"),
        Case::get("/api/gdpr/retention-policy", Who::AnyUser("DRV-001")),
        consent,
    ]
}
