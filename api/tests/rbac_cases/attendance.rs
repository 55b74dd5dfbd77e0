//! Attendance (api.md §2.4): everyone checks themselves in and out; the day view with GPS
//! locations is for user management and line managers only.

use super::{Case, Who};
use reqwest::Method;

pub fn cases() -> Vec<Case> {
    vec![
        Case::new(
            Method::POST,
            "/api/attendance/check-in",
            "/api/attendance/check-in",
            Who::AnyUser("DRV-001"),
        ),
        // A fresh app has no check-in today, so the allowed call is refused on state (409),
        // after authentication and authorisation passed.
        Case::new(
            Method::POST,
            "/api/attendance/check-out",
            "/api/attendance/check-out",
            Who::AnyUser("DRV-001"),
        )
        .expect(409),
        Case::get("/api/attendance/me", Who::AnyUser("BILL-001")),
        Case::get(
            "/api/attendance/today",
            Who::Roles {
                allowed: &["USER-001", "ASM-001"],
                denied: &["SALES-001", "DRV-001", "WHM-001", "CREDIT-001", "BILL-001"],
            },
        ),
    ]
}
