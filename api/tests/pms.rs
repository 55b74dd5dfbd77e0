//! PMS through HTTP: reading (never creating) records, team visibility, the leaderboard
//! route the legacy shadowed, KRA and OD updates with rescoring, and KRA definitions.

mod support;

use nexus_core::model::{AuditAction, AuditLog, PerformanceRecord};
use nexus_core::store::{Filter, TypedStore};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::json;
use support::{TestApp, audits_by, count_where, spawn_app, stored_where, strs};

async fn record(app: &TestApp, user: &str, month: &str) -> Option<PerformanceRecord> {
    app.store
        .get::<PerformanceRecord>(Filter::and([
            Filter::eq("userId", user),
            Filter::eq("month", month),
        ]))
        .await
        .unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[tokio::test]
async fn seed_curl_2_reads_the_admin_record_with_scores() {
    let app = spawn_app().await;
    // Exactly as the seed task's curl sends it (raw apostrophe in the query).
    let r = app
        .get_ok("USER-001", "/api/pms/USER-001?month=Feb'26")
        .await;
    assert_eq!(r.body["success"], true);
    let d = &r.body["data"];
    assert_eq!(d["userId"], "USER-001");
    assert_eq!(d["month"], "Feb'26");
    assert_eq!(d["period"], "2026-02");
    // 28.5 + 19.2 + 29.4 + 18.0 (domain.md §2.11) → band [90, 96) → 10 % of 1,50,000.
    assert_eq!(d["totalScore"], 95.1);
    assert_eq!(d["incentivePercentage"], 10);
    assert_eq!(d["incentiveAmount"], 15000);
    assert_eq!(d["policyVersion"], "rewrite-2026.1");
    let kras = d["kras"].as_array().unwrap();
    assert_eq!(kras.len(), 4);
    for k in kras {
        assert_eq!(
            k["score"], k["finalScore"],
            "the mobile screen reads `score`"
        );
    }
    assert_eq!(kras[0]["score"], 28.5);
}

#[tokio::test]
async fn a_missing_record_reads_empty_and_reading_creates_nothing() {
    let app = spawn_app().await;
    let before = count_where::<PerformanceRecord>(&app, Filter::All).await;
    // No record this month: an empty view (the old app's PMS screen needs the 200).
    let r = app
        .get_ok("USER-001", "/api/pms/SALES-002?month=Feb'26")
        .await;
    assert_eq!(r.body["data"]["recorded"], false);
    assert_eq!(r.body["data"]["kras"], json!([]));
    assert_eq!(r.body["data"]["totalScore"], 0);
    assert_eq!(r.body["data"]["userName"], "Priya Sharma");
    // No such user: 404.
    let r = app.get("USER-001", "/api/pms/NOBODY?month=Feb'26").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let after = count_where::<PerformanceRecord>(&app, Filter::All).await;
    assert_eq!(before, after, "D-R4: a read never inserts");
    app.get("USER-001", "/api/pms/USER-001?month=Febr'26")
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_MONTH");
}

#[tokio::test]
async fn records_are_visible_to_their_owner_and_the_managers_above() {
    let app = spawn_app().await;
    let path = "/api/pms/SALES-001?month=Feb'26";
    for (user, want) in [
        ("SALES-001", StatusCode::OK),
        ("ASM-001", StatusCode::OK),
        ("RSM-001", StatusCode::OK),
        ("NSM-001", StatusCode::OK),
        ("USER-001", StatusCode::OK),
        ("SALES-002", StatusCode::FORBIDDEN),
        ("SEXEC-001", StatusCode::FORBIDDEN),
        ("CREDIT-001", StatusCode::FORBIDDEN),
    ] {
        let r = app.get(user, path).await;
        assert_eq!(r.status, want, "{user}: {}", r.body);
    }
    // A manager sees down the line, not up it.
    let r = app.get("ASM-001", "/api/pms/USER-001?month=Feb'26").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn the_leaderboard_is_reachable_ranked_and_scoped() {
    let app = spawn_app().await;
    let r = app
        .get_ok("USER-001", "/api/pms/leaderboard?month=Feb'26")
        .await;
    assert_eq!(r.body["period"], "Feb'26");
    assert_eq!(
        r.body["data"],
        json!([
            {"rank": 1, "userId": "SALES-001", "userName": "Rajesh Kumar", "totalScore": 99,
             "incentiveAmount": 7500, "incentivePercentage": 15},
            {"rank": 2, "userId": "USER-001", "userName": "System Administrator", "totalScore": 95.1,
             "incentiveAmount": 15000, "incentivePercentage": 10},
        ])
    );
    // A salesperson sees their own row with its overall rank; a manager their team's.
    let r = app
        .get("SALES-001", "/api/pms/leaderboard?period=Feb'26")
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["data"][0]["rank"], 1);
    let r = app
        .get("SALES-002", "/api/pms/leaderboard?month=Feb'26")
        .await;
    assert_eq!(r.body["data"], json!([]));
    let r = app
        .get("ASM-001", "/api/pms/leaderboard?month=Feb'26")
        .await;
    assert_eq!(strs(&r.body["data"], "userId"), ["SALES-001"]);
}

#[tokio::test]
async fn a_kra_update_accepts_text_ids_rescores_and_is_audited() {
    let app = spawn_app().await;
    let r = app
        .post(
            "USER-001",
            "/api/pms/kra/update",
            json!({"userId": "SALES-001", "month": "Feb'26", "kraId": "1", "achievedValue": 1500000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["message"], "KRA updated successfully");
    // 1.5M / 1M × 40 = 60; + 27 + 24 = 111 → 25 % + 5 × floor(1 / 5) = 25 % of 50,000.
    assert_eq!(r.body["data"]["totalScore"], 111);
    assert_eq!(r.body["data"]["incentiveAmount"], 12500);
    let rec = record(&app, "SALES-001", "Feb'26").await.unwrap();
    assert_eq!(rec.kras[0].achieved, dec("1500000"));
    assert_eq!(rec.kras[0].final_score, dec("60"));
    assert_eq!(rec.total_score, dec("111"));
    assert_eq!(rec.policy_version.as_deref(), Some("rewrite-2026.1"));
    assert_eq!(rec.rev, 1);
    let audits = audits_by(&app, "USER-001", "SALES-001:Feb'26").await;
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].action, AuditAction::Update);
    assert_eq!(
        audits[0].old_data.as_ref().unwrap()["totalScore"].as_f64(),
        Some(99.0)
    );
    assert_eq!(
        audits[0].new_data.as_ref().unwrap()["totalScore"].as_f64(),
        Some(111.0)
    );

    for (body, code) in [
        (
            json!({"userId": "SALES-001", "month": "Feb'26", "kraId": 9, "achievedValue": 1}),
            "KRA_NOT_FOUND",
        ),
        (
            json!({"userId": "SALES-002", "month": "Feb'26", "kraId": 1, "achievedValue": 1}),
            "PMS_RECORD_NOT_FOUND",
        ),
    ] {
        let r = app.post("USER-001", "/api/pms/kra/update", body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert_eq!(r.body["error"]["code"], code);
    }
    let r = app
        .post(
            "USER-001",
            "/api/pms/kra/update",
            json!({"userId": "SALES-001", "month": "Feb'26", "kraId": 1, "achievedValue": -5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(record(&app, "SALES-001", "Feb'26").await.unwrap().rev, 1);
}

#[tokio::test]
async fn kra_definitions_must_total_100_and_od_balances_feed_the_od_kra() {
    let app = spawn_app().await;
    let r = app
        .put(
            "USER-001",
            "/api/pms/SALES-002",
            json!({"month": "Mar'26", "kras": [
                {"name": "Sales", "target": 100, "weightage": 60},
                {"name": "Collection", "target": 100, "weightage": 30}
            ]}),
        )
        .await
        .expect_refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "WEIGHTAGES_MUST_TOTAL_100",
        );
    assert_eq!(r.body["error"]["details"]["total"], 90);
    assert!(record(&app, "SALES-002", "Mar'26").await.is_none());

    let define = json!({"month": "Mar'26", "grossMonthlySalary": 48000, "kras": [
        {"id": 1, "name": "Sales Target", "target": 100, "achieved": 100, "weightage": 70},
        {"id": 2, "name": "OD Collection", "criteria": "OD total", "type": "As per slab", "weightage": 30}
    ]});
    let r = app
        .put("USER-001", "/api/pms/SALES-002", define.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // 70 + OD slab on a zero OD total (30) = 100 → 15 % of 48,000.
    assert_eq!(r.body["data"]["totalScore"], 100);
    assert_eq!(r.body["data"]["incentiveAmount"], 7200);
    assert_eq!(r.body["data"]["userName"], "Priya Sharma");

    // Credit Control sets the OD balances: 10,00,000 falls in the 24-point slab.
    let r = app
        .post(
            "CREDIT-001",
            "/api/pms/od-balance/update",
            json!({"userId": "SALES-002", "month": "Mar'26", "chennai": 600000, "hyd": 400000}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["message"], "OD balances updated successfully");
    assert_eq!(r.body["data"]["totalScore"], 94);
    let rec = record(&app, "SALES-002", "Mar'26").await.unwrap();
    assert_eq!(rec.od_balances.total().amount(), dec("1000000"));
    assert_eq!(rec.kras[1].final_score, dec("24"));
    assert_eq!(rec.incentive_percentage, dec("10"));

    // Redefining keeps recorded achievements by KRA id and answers 200.
    let mut again = define;
    again["kras"][0] = json!({"id": 1, "name": "Sales Target", "target": 200, "weightage": 70});
    let r = app.put("USER-001", "/api/pms/SALES-002", again).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rec = record(&app, "SALES-002", "Mar'26").await.unwrap();
    assert_eq!(rec.kras[0].achieved, dec("100"));
    assert_eq!(rec.kras[0].final_score, dec("35"));
    assert_eq!(
        rec.od_balances.total().amount(),
        dec("1000000"),
        "balances kept"
    );

    let r = app
        .put(
            "USER-001",
            "/api/pms/NOBODY",
            json!({"kras": [{"name": "X", "weightage": 100}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let actions: Vec<AuditAction> =
        stored_where::<AuditLog>(&app, Filter::eq("entityId", "SALES-002:Mar'26"))
            .await
            .into_iter()
            .map(|a| a.action)
            .collect();
    assert_eq!(
        actions,
        [
            AuditAction::Create,
            AuditAction::Update,
            AuditAction::Update
        ]
    );
}

/// What the document declares is what is read: `period` is a month too when `month` is also
/// given, a KRA id written `2.0` is KRA 2, and figures stay within 0 to 10^12.
#[tokio::test]
async fn months_ids_and_figures_are_read_as_documented() {
    let app = spawn_app().await;
    let r = app
        .get("USER-001", "/api/pms/USER-001?month=Feb'26&period=soon")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    app.get_ok("USER-001", "/api/pms/USER-001?month=%20&period=2026-02")
        .await;
    let r = app
        .post(
            "USER-001",
            "/api/pms/kra/update",
            json!({"userId": "USER-001", "month": "Feb'26", "kraId": 1.0, "achievedValue": 10}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .post(
            "USER-001",
            "/api/pms/kra/update",
            json!({"userId": "USER-001", "month": "Feb'26", "kraId": 1, "achievedValue": 1.5e12}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = app
        .post(
            "USER-001",
            "/api/pms/od-balance/update",
            json!({"userId": "USER-001", "month": "Feb'26", "hyd": 1e-300}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
