//! Attendance through HTTP (api.md §2.4): the IST day, atomic check-in, guarded check-out,
//! and who may see the day's locations.

mod support;

use chrono::{Duration, Utc};
use futures::future::join_all;
use nexus_core::model::{Attendance, AuditLog};
use nexus_core::store::Filter;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{TestApp, spawn_app, stored_where, strs, with_status};

fn ist_today() -> String {
    (Utc::now() + Duration::minutes(330))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

async fn records(app: &TestApp, user: &str) -> Vec<Attendance> {
    stored_where::<Attendance>(app, Filter::eq("userId", user)).await
}

async fn attendance_audits(app: &TestApp, action: &str, user: &str) -> Vec<AuditLog> {
    let filter = Filter::and([
        Filter::eq("entityType", "ATTENDANCE"),
        Filter::eq("action", action),
        Filter::eq("userId", user),
    ]);
    stored_where::<AuditLog>(app, filter).await
}

#[tokio::test]
async fn check_in_records_the_ist_day_once() {
    let app = spawn_app().await;
    let empty = app.get_ok("SALES-001", "/api/attendance/me").await;
    assert_eq!(empty.body, json!({}));

    let r = app
        .post(
            "SALES-001",
            "/api/attendance/check-in",
            json!({ "location": { "lat": 19.07, "lng": 72.87, "note": "Manual check-in" } }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["userId"], "SALES-001");
    assert_eq!(r.body["userName"], "Rajesh Kumar");
    assert_eq!(r.body["userRole"], "Sales");
    assert_eq!(r.body["date"], ist_today());
    assert_eq!(r.body["checkInLocation"]["note"], "Manual check-in");
    assert!(r.body["checkInTime"].is_string());

    let again = app
        .post("SALES-001", "/api/attendance/check-in", json!({}))
        .await
        .expect_refusal(StatusCode::CONFLICT, "ALREADY_CHECKED_IN");
    assert_eq!(again.body["error"]["message"], "Already checked in today");

    let stored = records(&app, "SALES-001").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].date.to_string(), ist_today());
    assert_eq!(stored[0].check_in_location.as_ref().unwrap().lat, 19.07);
    assert_eq!(
        attendance_audits(&app, "CREATE", "SALES-001").await.len(),
        1
    );

    let me = app.get("SALES-001", "/api/attendance/me").await;
    assert_eq!(me.body["date"], ist_today());
    assert!(me.body["checkOutTime"].is_null());
}

#[tokio::test]
async fn simultaneous_check_ins_make_exactly_one_record() {
    let app = spawn_app().await;
    let token = app.token("DRV-001").await;
    let calls = (0..8).map(|_| {
        app.call(
            Method::POST,
            "/api/attendance/check-in",
            Some(&token),
            Some(json!({ "location": { "lat": 0, "lng": 0 } })),
        )
    });
    let results = join_all(calls).await;
    let ok = with_status(&results, StatusCode::OK);
    let conflicts = with_status(&results, StatusCode::CONFLICT);
    assert_eq!(
        (ok, conflicts),
        (1, 7),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(records(&app, "DRV-001").await.len(), 1);
    assert_eq!(attendance_audits(&app, "CREATE", "DRV-001").await.len(), 1);
}

#[tokio::test]
async fn check_out_needs_a_check_in_and_happens_once() {
    let app = spawn_app().await;
    let before = app
        .post("WH-001", "/api/attendance/check-out", json!({}))
        .await
        .expect_refusal(StatusCode::CONFLICT, "NOT_CHECKED_IN");
    assert_eq!(before.body["error"]["message"], "Not checked in yet");

    // No body at all is fine (the legacy handler crashed on it).
    let t = app.token("WH-001").await;
    let r = app
        .call(Method::POST, "/api/attendance/check-in", Some(&t), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.get("checkInLocation").is_none());

    let out = app
        .post(
            "WH-001",
            "/api/attendance/check-out",
            json!({ "location": { "lat": 19.0, "lng": 72.8, "note": "Gate 2" } }),
        )
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert!(out.body["checkOutTime"].is_string());
    assert_eq!(out.body["checkOutLocation"]["note"], "Gate 2");

    app.post("WH-001", "/api/attendance/check-out", json!({}))
        .await
        .expect_refusal(StatusCode::CONFLICT, "ALREADY_CHECKED_OUT");

    let stored = records(&app, "WH-001").await;
    assert_eq!(stored.len(), 1);
    let first_out = stored[0].check_out_time.unwrap();
    assert!(first_out >= stored[0].check_in_time.unwrap());
    assert_eq!(attendance_audits(&app, "UPDATE", "WH-001").await.len(), 1);
}

#[tokio::test]
async fn bodies_are_checked() {
    let app = spawn_app().await;
    let t = app.token("SALES-002").await;
    for (body, status) in [
        (
            json!({ "location": { "lat": 91, "lng": 0 } }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "location": { "lat": 0, "lng": -181 } }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "location": { "lat": "north", "lng": 0 } }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "userId": "SALES-001" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let r = app
            .call(
                Method::POST,
                "/api/attendance/check-in",
                Some(&t),
                Some(body.clone()),
            )
            .await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
    }
    let malformed = app
        .http
        .post(app.url("/api/attendance/check-in"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert!(records(&app, "SALES-002").await.is_empty());
}

fn row<'a>(rows: &'a Value, user: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["userId"] == user)
        .unwrap_or_else(|| panic!("no row for {user}"))
}

#[tokio::test]
async fn today_is_for_user_management_and_line_managers_only() {
    let app = spawn_app().await;
    app.post(
        "SALES-001",
        "/api/attendance/check-in",
        json!({ "location": { "lat": 19.1, "lng": 72.9, "note": "Andheri" } }),
    )
    .await;
    app.post("WH-001", "/api/attendance/check-in", json!({}))
        .await;

    let all = app.get_ok("USER-001", "/api/attendance/today").await;
    assert_eq!(all.body.as_array().unwrap().len(), 20, "one row per user");
    let s1 = row(&all.body, "SALES-001");
    assert_eq!(s1["checkInLocation"]["note"], "Andheri");
    assert_eq!(s1["date"], ist_today());
    assert!(s1["checkOutTime"].is_null());
    let absent = row(&all.body, "SALES-002");
    assert!(absent["checkInTime"].is_null());
    assert!(absent["checkInLocation"].is_null());

    let team = app.get_ok("ASM-001", "/api/attendance/today").await;
    let mut ids: Vec<&str> = strs(&team.body, "userId");
    ids.sort();
    assert_eq!(ids, ["ASM-001", "SALES-001", "SALES-002", "SEXEC-001"]);
    assert!(row(&team.body, "SALES-001")["checkInTime"].is_string());

    for who in ["SALES-001", "WHM-001", "DRV-001"] {
        let r = app.get(who, "/api/attendance/today").await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{who} saw everyone's locations"
        );
    }
}
