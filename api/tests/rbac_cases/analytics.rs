use super::{Case, Who, allow};

pub fn cases() -> Vec<Case> {
    vec![
        // Every analytics route needs a token and computes over the caller's order scope.
        Case::get("/api/analytics/dashboard", Who::AnyUser("SALES-001")),
        Case::get("/api/analytics/sales", Who::AnyUser("ASM-001"))
            .at("/api/analytics/sales?salespersonId=SALES-002")
            .other("SALES-001", "/api/analytics/sales?salespersonId=SALES-002"),
        Case::get("/api/analytics/sales-hub", Who::AnyUser("SALES-001"))
            .at("/api/analytics/sales-hub?period=quarter"),
        Case::get("/api/analytics/reports", Who::AnyUser("DRV-001"))
            .at("/api/analytics/reports?type=sales"),
        // The inventory report is for stock readers.
        Case::get(
            "/api/analytics/reports",
            allow(&["WH-001", "PROC-001"]).deny(&["SALES-001", "DRV-001", "CREDIT-001"]),
        )
        .at("/api/analytics/reports?type=inventory"),
        Case::get("/api/analytics/category-split", Who::AnyUser("RSM-001")),
        Case::get("/api/analytics/fleet", Who::AnyUser("HUB-001")),
        Case::get("/api/analytics/pms", Who::AnyUser("ASM-001"))
            .at("/api/analytics/pms?userId=SALES-001")
            .other("SALES-001", "/api/analytics/pms?userId=SALES-002"),
        Case::get("/api/analytics/export", Who::AnyUser("SALES-001"))
            .at("/api/analytics/export?format=xlsx"),
        Case::get(
            "/api/analytics/export",
            allow(&["WHM-001"]).deny(&["SALES-001", "CREDIT-001"]),
        )
        .at("/api/analytics/export?type=inventory&format=csv"),
        Case::get(
            "/api/tally/export/{orderId}",
            allow(&["BILL-001", "ATL-001", "USER-001"]).deny(&[
                "SALES-001",
                "CREDIT-001",
                "WH-001",
                "DRV-001",
                "LOG-001",
            ]),
        )
        .at("/api/tally/export/ORD-004"),
    ]
}
