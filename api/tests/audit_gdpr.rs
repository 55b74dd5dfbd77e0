//! The audit log and GDPR through HTTP (api.md §2.17, §2.18): who sees whose entries, the
//! filters and caps, statistics without NaN, a formula-safe CSV, erasure that keeps business
//! records, the personal data export, the policy and consent.

mod support;

use nexus_core::model::{AuditAction, AuditLog, EntityType, Order, User, UserStatus};
use nexus_core::store::{Filter, Write};
use nexus_core::types::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use support::{
    TestApp, audits, count_where, find_in, insert, spawn_app, spawn_app_with, stored, stored_where,
    strs,
};

/// Writes entries for `user` directly (setup, not the behaviour under test).
async fn seed_entries(app: &TestApp, user: &str, action: AuditAction, n: usize, at: Timestamp) {
    let writes = (0..n)
        .map(|i| {
            let mut a = AuditLog::new(user, format!("Name of {user}"), action)
                .entity(EntityType::Order, format!("ORD-T{i}"));
            a.timestamp = at;
            Write::insert(&a).unwrap()
        })
        .collect();
    app.store.commit(writes).await.unwrap();
}

fn log_users(body: &Value) -> BTreeSet<String> {
    body["data"]["logs"]
        .as_array()
        .unwrap_or_else(|| panic!("no logs: {body}"))
        .iter()
        .map(|l| l["userId"].as_str().unwrap().to_string())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn the_filtered_list_follows_the_recursive_hierarchy() {
    let app = spawn_app().await;
    let now = Timestamp::now();
    for u in [
        "SALES-001",
        "SALES-002",
        "SEXEC-001",
        "ASM-001",
        "RSM-001",
        "WH-001",
        "CREDIT-001",
    ] {
        seed_entries(&app, u, AuditAction::Update, 2, now).await;
    }
    let q = "/api/audit/logs?limit=500";

    let own = app.get_ok("SALES-001", q).await;
    assert_eq!(log_users(&own.body), set(&["SALES-001"]));

    // A peer's id is intersected away: an empty page, never a 500 (§8.1.15).
    let peer = app
        .get_ok("SALES-001", "/api/audit/logs?userId=SALES-002")
        .await;
    assert_eq!(peer.body["data"]["logs"], json!([]));
    assert_eq!(peer.body["data"]["pagination"]["total"], 0);

    let asm = app.get("ASM-001", q).await;
    assert_eq!(
        log_users(&asm.body),
        set(&["ASM-001", "SALES-001", "SALES-002", "SEXEC-001"])
    );
    let asm_filtered = app
        .get("ASM-001", "/api/audit/logs?userId=SALES-001,WH-001")
        .await;
    assert_eq!(log_users(&asm_filtered.body), set(&["SALES-001"]));

    // Two levels down: the legacy route stopped at direct reports.
    let rsm = app.get("RSM-001", q).await;
    assert!(log_users(&rsm.body).contains("SALES-001"));
    assert!(!log_users(&rsm.body).contains("WH-001"));

    let nsm = app
        .get("NSM-001", "/api/audit/logs?userId=WH-001,CREDIT-001")
        .await;
    assert_eq!(log_users(&nsm.body), set(&["WH-001", "CREDIT-001"]));
    let by_role = app
        .get("USER-001", "/api/audit/logs?role=Sales&limit=500")
        .await;
    assert_eq!(log_users(&by_role.body), set(&["SALES-001", "SALES-002"]));
}

#[tokio::test]
async fn filters_paging_and_caps() {
    let app = spawn_app().await;
    let now = Timestamp::now();
    let last_year = Timestamp::parse("2025-03-10T10:00:00Z").unwrap();
    seed_entries(&app, "SALES-001", AuditAction::Update, 25, now).await;
    seed_entries(&app, "SALES-001", AuditAction::Approve, 3, last_year).await;
    let mut failed = AuditLog::new("SALES-001", "Rajesh Kumar", AuditAction::Login);
    failed.success = false;
    insert(&app, &failed).await;

    let r = app
        .get_ok(
            "USER-001",
            "/api/audit/logs?userId=SALES-001&action=update&limit=10&page=2",
        )
        .await;
    assert_eq!(r.body["success"], true);
    assert_eq!(r.body["data"]["logs"].as_array().unwrap().len(), 10);
    assert_eq!(
        r.body["data"]["pagination"],
        json!({ "page": 2, "limit": 10, "total": 25, "pages": 3 })
    );
    // Out of range is a mistake to report, not a number to clamp.
    app.get("USER-001", "/api/audit/logs?limit=100000")
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_QUERY");
    let max = app.get("USER-001", "/api/audit/logs?limit=500").await;
    assert_eq!(max.body["data"]["pagination"]["limit"], 500);

    let logs = async |query: &str| {
        app.get("USER-001", &format!("/api/audit/logs?{query}"))
            .await
    };
    let old = logs("userId=SALES-001&fromDate=2025-03-10&toDate=2025-03-10").await;
    assert_eq!(old.body["data"]["pagination"]["total"], 3);
    assert!(
        old.body["data"]["logs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["action"] == "APPROVE")
    );
    for (query, total) in [
        ("userId=SALES-001&toDate=2025-03-09", 0),
        ("userId=SALES-001&success=false", 1),
        ("entityType=order&entityId=ORD-T1&userId=SALES-001", 2),
    ] {
        let r = logs(query).await;
        assert_eq!(r.body["data"]["pagination"]["total"], total, "{query}");
    }
    // Newest first.
    let page1 = logs("userId=SALES-001&limit=100").await;
    let stamps = strs(&page1.body["data"]["logs"], "timestamp");
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]));

    for bad in [
        "/api/audit/logs?action=FLY",
        "/api/audit/logs?entityType=PLANET",
        "/api/audit/logs?fromDate=soon",
        "/api/audit/logs?success=maybe",
        "/api/audit/logs?role=Chairman",
    ] {
        let r = app.get("USER-001", bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert!(r.body["error"]["code"].is_string());
    }
    // A number the query cannot hold is refused by the query reader itself.
    let r = app.get("USER-001", "/api/audit/logs?page=-1").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "INVALID_QUERY");
}

#[tokio::test]
async fn one_users_trail_is_scoped_too() {
    let app = spawn_app().await;
    seed_entries(&app, "SALES-001", AuditAction::Create, 5, Timestamp::now()).await;
    let own = app
        .get_ok("SALES-001", "/api/audit/logs/user/SALES-001?limit=3")
        .await;
    assert_eq!(own.body["data"].as_array().unwrap().len(), 3);
    let boss = app
        .get_ok("RSM-001", "/api/audit/logs/user/SALES-001")
        .await;
    // The seeded entries plus the login behind SALES-001's token.
    assert_eq!(boss.body["data"].as_array().unwrap().len(), 6);
    // An RSM could read anyone's trail in the legacy system (§8.1.15).
    for (who, trail) in [("RSM-001", "WH-001"), ("SALES-002", "SALES-001")] {
        let r = app.get(who, &format!("/api/audit/logs/user/{trail}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
}

#[tokio::test]
async fn salaries_in_user_snapshots_only_for_user_management() {
    let app = spawn_app().await;
    app.patch(
        "USER-001",
        "/api/users/SALES-001",
        json!({ "grossMonthlySalary": 61000, "location": "Pune" }),
    )
    .await;
    let q = "/api/audit/logs?userId=USER-001&entityType=USER&entityId=SALES-001";
    let admin = app.get("USER-001", q).await;
    let entry = &admin.body["data"]["logs"][0];
    assert_eq!(entry["newData"]["grossMonthlySalary"], 61000);
    let nsm = app.get("NSM-001", q).await;
    let entry = &nsm.body["data"]["logs"][0];
    assert_eq!(entry["newData"]["location"], "Pune");
    assert!(
        entry["newData"].get("grossMonthlySalary").is_none(),
        "{entry}"
    );
    assert!(entry["oldData"].get("grossMonthlySalary").is_none());
}

#[tokio::test]
async fn statistics_count_per_dimension_and_never_say_nan() {
    let app = spawn_app().await;
    let empty = app
        .get_ok(
            "USER-001",
            "/api/audit/stats?fromDate=2001-01-01&toDate=2001-01-31",
        )
        .await;
    assert_eq!(
        empty.body["data"]["successRate"],
        json!({ "success": 0, "failure": 0, "total": 0, "percentage": "0.00" })
    );
    assert_eq!(empty.body["data"]["actions"], json!([]));
    assert_eq!(empty.body["data"]["topUsers"], json!([]));

    // A failed login and some activity.
    app.login("SALES-001", "nope-nope").await;
    seed_entries(&app, "SALES-002", AuditAction::Approve, 4, Timestamp::now()).await;
    let r = app.get_ok("USER-001", "/api/audit/stats").await;
    let total = count_where::<AuditLog>(&app, Filter::All).await;
    let failures = count_where::<AuditLog>(&app, Filter::eq("success", false)).await;
    let d = &r.body["data"];
    assert_eq!(d["successRate"]["total"], total);
    assert_eq!(d["successRate"]["failure"], failures);
    assert!(failures >= 1);
    let expected = format!("{:.2}", (total - failures) as f64 * 100.0 / total as f64);
    assert_eq!(d["successRate"]["percentage"], expected);
    let approve = find_in(&d["actions"], "action", "APPROVE");
    assert_eq!(approve["count"], 4);
    let top = d["topUsers"].as_array().unwrap();
    assert_eq!(
        top[0],
        json!({ "userId": "SALES-002", "userName": "Priya Sharma", "count": 4 })
    );
    assert!(top.len() <= 10);
    let counts: Vec<u64> = d["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["count"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "sorted by count");
}

#[tokio::test]
async fn the_csv_export_quotes_cells_and_defuses_formulas() {
    let app = spawn_app().await;
    let mut evil = AuditLog::new(
        "SALES-001",
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        AuditAction::Update,
    )
    .entity(EntityType::Customer, "CUST,\"9\"\nX");
    evil.ip_address = Some("@SUM(1+1)".into());
    insert(&app, &evil).await;

    let res = app
        .get_response(
            "USER-001",
            "/api/audit/logs/export?userId=SALES-001&entityType=CUSTOMER",
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let cd = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cd.starts_with("attachment; filename=\"audit_logs_") && cd.ends_with(".csv\""),
        "{cd}"
    );
    let csv = res.text().await.unwrap();
    let mut lines = csv.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "\"Timestamp\",\"User ID\",\"User Name\",\"Action\",\"Entity Type\",\"Entity ID\",\"Success\",\"IP Address\""
    );
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""),
        "{csv}"
    );
    assert!(csv.contains("\"CUST,\"\"9\"\"\nX\""), "{csv}");
    assert!(csv.contains("\"'@SUM(1+1)\""), "{csv}");
    assert_eq!(csv.matches("\"UPDATE\"").count(), 1);

    let filter = Filter::and([
        Filter::eq("action", "EXPORT"),
        Filter::eq("userId", "USER-001"),
    ]);
    let exports = stored_where::<AuditLog>(&app, filter).await;
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].new_data.as_ref().unwrap()["rows"], 1);
}

#[tokio::test]
async fn the_csv_export_stops_at_ten_thousand_rows() {
    let app = spawn_app().await;
    seed_entries(
        &app,
        "SEXEC-001",
        AuditAction::Update,
        10_005,
        Timestamp::now(),
    )
    .await;
    let csv = app
        .get_response("USER-001", "/api/audit/logs/export?userId=SEXEC-001")
        .await
        .text()
        .await
        .unwrap();
    let rows = csv.split("\r\n").filter(|l| !l.is_empty()).count();
    assert_eq!(rows, 1 + 10_000);
}

#[tokio::test]
async fn erasure_anonymises_the_person_and_keeps_the_business_records() {
    let app = spawn_app().await;
    let token = app.token("SALES-002").await;
    let orders_before: Vec<Order> =
        stored_where(&app, Filter::eq("salespersonId", "SALES-002")).await;
    assert!(!orders_before.is_empty());
    let before = stored::<User>(&app, "SALES-002").await;

    let r = app
        .post(
            "USER-001",
            "/api/gdpr/forget/SALES-002",
            json!({ "confirm": "SALES-002", "reason": "Erasure request of 12 Feb" }),
        )
        .await
        .expect_success(StatusCode::OK);
    let name = r.body["data"]["anonymizedName"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(name.starts_with("Deleted User "), "{name}");
    assert_eq!(r.body["data"]["userId"], "SALES-002");
    assert_eq!(r.body["data"]["reason"], "Erasure request of 12 Feb");

    let u = stored::<User>(&app, "SALES-002").await;
    assert_eq!(u.status, UserStatus::Deleted);
    assert_eq!(u.name, name);
    assert!(u.email.as_deref().unwrap().ends_with("@anonymized.invalid"));
    assert!(u.password.is_none());
    assert!(u.whatsapp_number.is_none() && u.address.is_none());
    assert!(u.org_positions.is_empty());
    assert!(u.deleted_at.is_some());
    assert_eq!(u.token_version, before.token_version + 1);
    assert_eq!(u.extra["deletionReason"], "Erasure request of 12 Feb");

    // Orders (financial records) are untouched.
    let orders_after: Vec<Order> =
        stored_where(&app, Filter::eq("salespersonId", "SALES-002")).await;
    assert_eq!(orders_after, orders_before);

    // The audit trail records the erasure without the erased data.
    let a = audits(&app, "DELETE", "SALES-002").await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].reason.as_deref(), Some("Erasure request of 12 Feb"));
    let text = serde_json::to_string(&a[0]).unwrap();
    assert!(
        !text.contains("Priya") && !text.contains("priya@"),
        "{text}"
    );

    // The account can never be used again.
    let r = app.get_with_token(Some(&token), "/api/auth/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    for ident in ["SALES-002", "priya@nexusoms.com"] {
        let l = app.login(ident, "sales123").await;
        assert_eq!(l.status, StatusCode::UNAUTHORIZED, "{ident}");
    }
    let r = app
        .post(
            "USER-001",
            "/api/gdpr/forget/SALES-002",
            json!({ "confirm": "SALES-002", "reason": "Asked twice" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // Neither edited nor revived.
    for (path, body) in [
        ("/api/users/SALES-002", json!({ "name": "Priya Sharma" })),
        ("/api/users/SALES-002/status", json!({ "status": "Active" })),
    ] {
        let r = app.patch("USER-001", path, body).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}");
    }
    let listed = app.get("USER-001", "/api/users?status=Deleted").await;
    assert_eq!(listed.body[0]["name"], name);

    // An irreversible erasure is never the default of an empty request: without a body,
    // with another id in `confirm` or without a reason it is refused and nothing changes.
    let r = app
        .post_empty("USER-001", "/api/gdpr/forget/SEXEC-001")
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    for body in [
        json!({}),
        json!({ "confirm": "SEXEC-002", "reason": "Left the company" }),
        json!({ "confirm": "SEXEC-001" }),
        json!({ "confirm": "SEXEC-001", "reason": "  " }),
    ] {
        let r = app
            .post("USER-001", "/api/gdpr/forget/SEXEC-001", body.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        if body.get("confirm").is_some() && body.get("reason").is_some() {
            assert_eq!(r.body["error"]["code"], "ERASURE_NOT_CONFIRMED");
        }
    }
    assert_eq!(
        stored::<User>(&app, "SEXEC-001").await.status,
        UserStatus::Active
    );
    // Yourself and unknown users are refused; a confirmed erasure goes through.
    for (whom, status) in [
        ("USER-001", StatusCode::CONFLICT),
        ("NOBODY", StatusCode::NOT_FOUND),
        ("SEXEC-001", StatusCode::OK),
    ] {
        let path = format!("/api/gdpr/forget/{whom}");
        let r = app
            .post(
                "USER-001",
                &path,
                json!({ "confirm": whom, "reason": "Erasure request" }),
            )
            .await;
        assert_eq!(r.status, status, "{whom}: {}", r.body);
    }
}

#[tokio::test]
async fn the_export_holds_everything_about_the_person() {
    let app = spawn_app().await;
    app.post("SALES-001", "/api/attendance/check-in", json!({}))
        .await;
    app.post(
        "SALES-001",
        "/api/gdpr/consent",
        json!({ "consentType": "marketing", "granted": false }),
    )
    .await;
    let res = app
        .get_response("SALES-001", "/api/gdpr/export/SALES-001")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cd = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cd.starts_with("attachment; filename=\"user_data_SALES-001_"),
        "{cd}"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["success"], true);
    assert_eq!(body["userId"], "SALES-001");
    let data = &body["data"];
    assert_eq!(data["profile"]["id"], "SALES-001");
    assert!(data["profile"].get("password").is_none());
    assert_eq!(data["profile"]["consents"][0]["consentType"], "marketing");

    let orders = count_where::<Order>(&app, Filter::eq("salespersonId", "SALES-001")).await;
    assert!(orders > 0);
    assert_eq!(data["orders"].as_array().unwrap().len() as u64, orders);
    assert!(
        data["orders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["salespersonId"] == "SALES-001")
    );
    // Customers assigned to the person (the legacy export searched a field nobody wrote).
    let customers: BTreeSet<&str> = strs(&data["customers"], "id").into_iter().collect();
    assert_eq!(customers, BTreeSet::from(["CUST-001", "CUST-003"]));
    assert_eq!(data["attendance"].as_array().unwrap().len(), 1);
    assert!(
        data["auditLogs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["userId"] == "SALES-001")
    );
    assert!(!data["auditLogs"].as_array().unwrap().is_empty());
    assert_eq!(body["summary"]["orders"], orders);
    assert_eq!(body["summary"]["customers"], 2);
    assert_eq!(audits(&app, "EXPORT", "SALES-001").await.len(), 1);

    // An Admin may export anyone; others only themselves.
    let admin = app.get_ok("USER-001", "/api/gdpr/export/SALES-002").await;
    assert_eq!(admin.body["summary"]["customers"], 1);
    for (who, whom, status) in [
        ("RSM-001", "SALES-001", StatusCode::FORBIDDEN),
        ("USER-001", "NOBODY", StatusCode::NOT_FOUND),
    ] {
        let r = app.get(who, &format!("/api/gdpr/export/{whom}")).await;
        assert_eq!(r.status, status);
    }
}

#[tokio::test]
async fn the_retention_policy_is_data_with_a_configured_contact() {
    let app = spawn_app_with(&[("NEXUS_DPO_CONTACT", "privacy@distributor.example")]).await;
    let r = app.get_ok("DRV-001", "/api/gdpr/retention-policy").await;
    let p = &r.body["policy"];
    let audit = find_in(&p["dataTypes"], "type", "Audit logs");
    assert_eq!(audit["retentionDays"], 730);
    let articles: Vec<u64> = p["rights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["article"].as_u64().unwrap())
        .collect();
    assert_eq!(articles, [15, 16, 17, 20, 21]);
    assert_eq!(p["contact"]["contact"], "privacy@distributor.example");
}

#[tokio::test]
async fn consent_is_your_own_and_kept_as_history() {
    let app = spawn_app().await;
    for granted in [true, false] {
        let r = app
            .post(
                "SALES-001",
                "/api/gdpr/consent",
                json!({ "userId": "SALES-001", "consentType": "location_tracking", "granted": granted }),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["message"], "Consent recorded successfully");
    }
    let u = stored::<User>(&app, "SALES-001").await;
    let consents = u.extra["consents"].as_array().unwrap();
    assert_eq!(consents.len(), 2);
    assert_eq!(consents[1]["consentType"], "location_tracking");
    assert_eq!(consents[1]["granted"], false);
    assert!(consents[1]["recordedAt"].is_string());
    let a = audits(&app, "UPDATE", "SALES-001").await;
    assert_eq!(a.len(), 2);
    assert_eq!(
        a[1].new_data.as_ref().unwrap()["consent"]["consentType"],
        "location_tracking"
    );

    let r = app
        .post(
            "SALES-001",
            "/api/gdpr/consent",
            json!({ "userId": "SALES-002", "consentType": "marketing", "granted": true }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let u2 = stored::<User>(&app, "SALES-002").await;
    assert!(u2.extra.get("consents").is_none());
    for body in [
        json!({ "consentType": "", "granted": true }),
        json!({ "consentType": "x y", "granted": true }),
        json!({ "consentType": "marketing", "granted": "yes" }),
        json!({ "consentType": "marketing" }),
    ] {
        let r = app
            .post("SALES-001", "/api/gdpr/consent", body.clone())
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
}
