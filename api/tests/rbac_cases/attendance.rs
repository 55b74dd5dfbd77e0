//! Attendance (api.md §2.4): everyone checks themselves in and out; the day view with GPS
//! locations is for user management and line managers only.

use super::{Case, Who, allow};

pub fn cases() -> Vec<Case> {
    vec![
        Case::post("/api/attendance/check-in", Who::AnyUser("DRV-001")),
        // A fresh app has no check-in today, so the allowed call is refused on state (409),
        // after authentication and authorisation passed.
        Case::post("/api/attendance/check-out", Who::AnyUser("DRV-001")).expect(409),
        Case::get("/api/attendance/me", Who::AnyUser("BILL-001")),
        Case::get(
            "/api/attendance/today",
            allow(&["USER-001", "ASM-001"]).deny(&[
                "SALES-001",
                "DRV-001",
                "WHM-001",
                "CREDIT-001",
                "BILL-001",
            ]),
        ),
    ]
}
