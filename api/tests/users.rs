//! Users and organisation through HTTP (api.md §2.3): who sees which users and fields, what
//! user administration changes in the store, the audit entries it writes, and the token
//! revocation that makes access changes immediate.

mod support;

use nexus_core::model::{User, UserStatus};
use nexus_core::store::{Filter, TypedStore, UpdateOp, Write};
use nexus_core::types::Timestamp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::users::ADMIN;
use support::{Resp, TestApp, audits, count_where, spawn_app, stored};

async fn user(app: &TestApp, id: &str) -> User {
    stored(app, id).await
}

fn ids(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {body}"))
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

async fn login(app: &TestApp, id: &str, password: &str) -> Resp {
    app.login(id, password).await
}

async fn me(app: &TestApp, token: &str) -> Resp {
    app.get_with_token(Some(token), "/api/auth/me").await
}

/// `PATCH /api/users/{target}` as `who`: `target` is an id, with a sub-path where there is
/// one (`SALES-002/role`).
async fn patch_user(app: &TestApp, who: &str, target: &str, body: Value) -> Resp {
    app.patch(who, &format!("/api/users/{target}"), body).await
}

/// `PATCH /api/users/{id}/role` as the administrator.
async fn set_role(app: &TestApp, id: &str, role: &str) -> Resp {
    let body = json!({ "role": role });
    patch_user(app, ADMIN, &format!("{id}/role"), body).await
}

/// `PATCH /api/users/{id}/status` as `who`.
async fn set_status(app: &TestApp, who: &str, id: &str, status: &str) -> Resp {
    let body = json!({ "status": status });
    patch_user(app, who, &format!("{id}/status"), body).await
}

/// `PATCH /api/users/{id}/manager` as the administrator (`null` clears it).
async fn set_manager(app: &TestApp, id: &str, manager: Value) -> Resp {
    let body = json!({ "managerId": manager });
    patch_user(app, ADMIN, &format!("{id}/manager"), body).await
}

/// `PATCH /api/users/{id}/permissions` as the administrator.
async fn set_permissions(app: &TestApp, id: &str, permissions: Value) -> Resp {
    let body = json!({ "permissions": permissions });
    patch_user(app, ADMIN, &format!("{id}/permissions"), body).await
}

/// `PATCH /api/users/{id}/org-add` or `…/org-remove` as the administrator.
async fn org(app: &TestApp, id: &str, verb: &str, slot: &str) -> Resp {
    let body = json!({ "slotKey": slot });
    patch_user(app, ADMIN, &format!("{id}/{verb}"), body).await
}

#[tokio::test]
async fn admin_lists_everyone_with_salaries_and_never_a_password() {
    let app = spawn_app().await;
    let r = app.get_ok("USER-001", "/api/users").await;
    let all = r.body.as_array().unwrap();
    let stored = count_where::<User>(&app, Filter::All).await;
    assert_eq!(all.len() as u64, stored);
    assert_eq!(r.headers["x-total-count"], stored.to_string().as_str());
    for u in all {
        assert!(u.get("password").is_none(), "password leaked: {u}");
        assert!(u.get("tokenVersion").is_none());
    }
    let sales = all.iter().find(|u| u["id"] == "SALES-001").unwrap();
    assert_eq!(sales["grossMonthlySalary"], 50_000);
    assert_eq!(sales["orgPosition"], "sales_west_retail");
}

#[tokio::test]
async fn a_line_manager_lists_the_whole_team_below_without_salaries() {
    let app = spawn_app().await;
    let r = app.get_ok("RSM-001", "/api/users").await;
    // RSM-001 → ASM-001 → SALES-001, SALES-002, SEXEC-001 (recursive, not one level).
    assert_eq!(
        ids(&r.body),
        ["ASM-001", "RSM-001", "SALES-001", "SALES-002", "SEXEC-001"]
    );
    for u in r.body.as_array().unwrap() {
        for k in [
            "grossMonthlySalary",
            "monthlyTarget",
            "monthlyQtyTarget",
            "password",
        ] {
            assert!(u.get(k).is_none(), "{k} shown to a manager: {u}");
        }
    }
    let asm = app.get("ASM-001", "/api/users").await;
    assert_eq!(
        ids(&asm.body),
        ["ASM-001", "SALES-001", "SALES-002", "SEXEC-001"]
    );
    app.get("SALES-001", "/api/users")
        .await
        .expect_refusal(StatusCode::FORBIDDEN, "FORBIDDEN");
}

#[tokio::test]
async fn list_filters_search_and_paging() {
    let app = spawn_app().await;
    let r = app.get("USER-001", "/api/users?role=Sales").await;
    assert_eq!(ids(&r.body), ["SALES-001", "SALES-002"]);
    let r = app
        .get("USER-001", "/api/users?role=credit%20control")
        .await;
    assert_eq!(ids(&r.body), ["CREDIT-001"]);
    let r = app.get("USER-001", "/api/users?search=PRIYA").await;
    assert_eq!(ids(&r.body), ["SALES-002"]);
    // A search is literal text, never a pattern (D-S12).
    let r = app.get_ok("USER-001", "/api/users?search=.*").await;
    assert!(ids(&r.body).is_empty());
    let r = app
        .get("USER-001", "/api/users?status=Active&limit=5&page=2")
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 5);
    assert_eq!(r.headers["x-page"], "2");
    assert_eq!(r.headers["x-limit"], "5");
    assert_eq!(r.headers["x-total-count"], "20");
    let r = app.get("USER-001", "/api/users?status=Suspended").await;
    assert!(ids(&r.body).is_empty());
    app.get("USER-001", "/api/users?role=Chairman")
        .await
        .expect_refusal(StatusCode::BAD_REQUEST, "INVALID_FILTER");
    app.get("USER-001", "/api/users?page=abc")
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_QUERY");
}

#[tokio::test]
async fn one_user_for_self_team_managers_and_user_management_only() {
    let app = spawn_app().await;
    let me = app.get_ok("SALES-001", "/api/users/SALES-001").await;
    assert_eq!(me.body["name"], "Rajesh Kumar");
    assert!(me.body.get("grossMonthlySalary").is_none());
    let boss = app.get_ok("RSM-001", "/api/users/SALES-001").await;
    assert_eq!(boss.body["managerId"], "ASM-001");
    let r = app.get("SALES-001", "/api/users/SALES-002").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app.get("ASM-001", "/api/users/WH-001").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let admin = app.get("USER-001", "/api/users/SALES-001").await;
    assert_eq!(admin.body["grossMonthlySalary"], 50_000);
    app.get("USER-001", "/api/users/NOBODY")
        .await
        .expect_refusal(StatusCode::NOT_FOUND, "USER_NOT_FOUND");
}

#[tokio::test]
async fn creating_a_user_hashes_the_password_and_audits_without_it() {
    let app = spawn_app().await;
    let r = app
        .post(
            "USER-001",
            "/api/users",
            json!({
                "id": "CC-002", "name": "  Lakshmi Menon ", "email": "Lakshmi.Menon@NexusOMS.com",
                "role": "Credit Control", "password": "Credit-Desk-2026", "zone": "SOUTH",
                "managerId": "CREDIT-001", "orgPositions": [], "grossMonthlySalary": 64000,
                "stepAccess": { "credit approval": "full" }
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["id"], "CC-002");
    assert_eq!(r.body["name"], "Lakshmi Menon");
    assert_eq!(r.body["email"], "lakshmi.menon@nexusoms.com");
    assert_eq!(r.body["status"], "Active");
    assert_eq!(
        r.body["isApprover"], true,
        "Credit Control approves by default"
    );
    assert_eq!(r.body["stepAccess"]["Credit Approval"], "full");
    assert!(r.body.get("password").is_none(), "hash echoed (§8.1.6)");

    let stored = user(&app, "CC-002").await;
    let hash = stored.password.clone().unwrap();
    assert!(hash.starts_with("$2"), "not a bcrypt hash");
    assert!(stored.must_change_password);
    assert_eq!(stored.zone, nexus_core::model::Zone::South);
    let a = audits(&app, "CREATE", "CC-002").await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].user_id, "USER-001");
    assert!(a[0].new_data.as_ref().unwrap().get("password").is_none());
    assert!(!serde_json::to_string(&a[0]).unwrap().contains(&hash));

    let signed_in = login(&app, "lakshmi.menon@nexusoms.com", "Credit-Desk-2026").await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    assert_eq!(signed_in.body["user"]["mustChangePassword"], true);
}

#[tokio::test]
async fn create_refuses_duplicates_weak_passwords_and_unknown_fields() {
    let app = spawn_app().await;
    let base =
        json!({ "id": "SALES-050", "name": "Rep", "role": "Sales", "password": "Str0ng-Pass-123" });
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let (conflict, invalid) = (StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY);
    // (field, value, status, error code)
    #[rustfmt::skip]
    let cases = [
        ("id", json!("SALES-001"), conflict, "USER_EXISTS"),
        ("email", json!("RAJESH@nexusoms.com"), conflict, "USER_EXISTS"),
        // An id equal to another user's e-mail would make a login ambiguous.
        ("id", json!("rajesh@nexusoms.com"), conflict, "USER_EXISTS"),
        ("password", json!("sales123"), invalid, "PASSWORD_POLICY"),
        ("password", json!("short"), invalid, "PASSWORD_POLICY"),
        ("role", json!("Chairman"), invalid, "VALIDATION_FAILED"),
        ("status", json!("Active"), invalid, "VALIDATION_FAILED"),
        ("tokenVersion", json!(9), invalid, "VALIDATION_FAILED"),
        ("managerId", json!("GHOST-1"), invalid, "VALIDATION_FAILED"),
        ("permissions", json!(["fly"]), invalid, "VALIDATION_FAILED"),
        ("orgPositions", json!(["rsm_west_retail", "asm_north_retail"]), conflict, "ORG_REGION_CONFLICT"),
        ("id", json!("has space"), invalid, "VALIDATION_FAILED"),
    ];
    for (field, value, status, code) in cases {
        let body = with(field, value);
        let r = app.post("USER-001", "/api/users", body.clone()).await;
        assert_eq!(r.status, status, "{body} → {}", r.body);
        assert_eq!(r.body["error"]["code"], code, "{body}");
    }
    // Nothing was written by a refused request.
    assert!(
        app.store
            .get::<User>(Filter::id("SALES-050"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(audits(&app, "CREATE", "SALES-050").await.is_empty());
    let r = app.post("USER-001", "/api/users", base).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(audits(&app, "CREATE", "SALES-050").await.len(), 1);
}

#[tokio::test]
async fn a_role_change_recomputes_the_approver_flag_and_revokes_tokens() {
    let app = spawn_app().await;
    let old_token = app.token("SALES-002").await;
    let before = user(&app, "SALES-002").await;
    let r = set_role(&app, "SALES-002", "Credit Control").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["role"], "Credit Control");
    assert_eq!(r.body["isApprover"], true, "D-L21: recomputed");
    let after = user(&app, "SALES-002").await;
    assert_eq!(after.token_version, before.token_version + 1);
    let me = me(&app, &old_token).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "old role still usable");
    let a = audits(&app, "ROLE_CHANGE", "SALES-002").await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].old_data.as_ref().unwrap()["role"], "Sales");
    assert_eq!(a[0].new_data.as_ref().unwrap()["role"], "Credit Control");
    assert_eq!(a[0].old_data.as_ref().unwrap()["isApprover"], false);

    // Back to Sales: the flag follows the role again.
    let r = set_role(&app, "SALES-002", "Sales").await;
    assert_eq!(r.body["isApprover"], false);
    // Unknown roles are refused (the legacy route stored any string).
    let r = set_role(&app, "SALES-002", "Boss").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // The administrator cannot change their own role.
    set_role(&app, "USER-001", "Sales")
        .await
        .expect_refusal(StatusCode::CONFLICT, "SELF_CHANGE_REFUSED");
    assert_eq!(
        user(&app, "USER-001").await.role,
        nexus_core::auth::Role::Admin
    );
    let r = set_role(&app, "NOBODY", "Sales").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn permissions_and_step_access_are_validated_stored_and_revoke_tokens() {
    let app = spawn_app().await;
    let twice = json!(["manage_warehouse", "quality_control", "manage_warehouse"]);
    let r = set_permissions(&app, "WH-001", twice).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["permissions"],
        json!(["manage_warehouse", "quality_control"])
    );
    let u = user(&app, "WH-001").await;
    assert_eq!(u.token_version, 1);
    assert_eq!(audits(&app, "UPDATE", "WH-001").await.len(), 1);

    let unknown = json!(["manage_warehouse", "launch_rockets"]);
    let bad = set_permissions(&app, "WH-001", unknown).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(
        bad.body["error"]["details"]["unknown"],
        json!(["launch_rockets"])
    );
    let r = set_permissions(&app, "WH-001", json!("manage_warehouse")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let step_access = |body| patch_user(&app, "USER-001", "QC-001/step-access", body);
    let r = step_access(
        json!({ "stepAccess": { "Book Order": "FULL", "qc": "view", "Delivery Ack": "no" } }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let u = user(&app, "QC-001").await;
    assert_eq!(u.step_access.get("Placed Order").unwrap(), "full");
    assert_eq!(u.step_access.get("QC").unwrap(), "view");
    assert_eq!(u.step_access.get("Delivery Ack").unwrap(), "no");
    assert_eq!(u.token_version, 1);
    for body in [
        json!({ "stepAccess": { "QC": "sometimes" } }),
        json!({ "stepAccess": { "Teleport": "full" } }),
        json!({ "stepAccess": ["QC"] }),
    ] {
        let r = step_access(body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    assert_eq!(user(&app, "QC-001").await.step_access.len(), 3);
}

#[tokio::test]
async fn suspending_a_user_signs_them_out_and_is_audited_with_the_reason() {
    let app = spawn_app().await;
    let token = app.token("SALES-002").await;
    let suspend = json!({ "status": "Suspended", "reason": "Under review" });
    let r = patch_user(&app, "USER-001", "SALES-002/status", suspend).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "Suspended");
    assert_eq!(user(&app, "SALES-002").await.status, UserStatus::Suspended);
    let r = me(&app, &token).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let r = login(&app, "SALES-002", &app.password_of("SALES-002")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let a = audits(&app, "STATUS_CHANGE", "SALES-002").await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].reason.as_deref(), Some("Under review"));
    assert_eq!(a[0].new_data.as_ref().unwrap()["status"], "Suspended");

    for status in ["Deleted", "Gone"] {
        let r = set_status(&app, "USER-001", "SALES-002", status).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
    let r = set_status(&app, "USER-001", "USER-001", "Inactive").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(user(&app, "USER-001").await.is_active());

    let r = set_status(&app, "USER-001", "SALES-002", "Active").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = login(&app, "SALES-002", &app.password_of("SALES-002")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn org_slots_follow_the_grammar_and_the_one_region_rule() {
    let app = spawn_app().await;
    // SALES-001 holds sales_west_retail.
    let add = |slot| org(&app, "SALES-001", "org-add", slot);
    let r = add("ASM_WEST_HORECA").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["orgPositions"],
        json!(["sales_west_retail", "asm_west_horeca"])
    );
    // Set semantics: adding again changes nothing and writes no audit entry.
    let again = add("asm_west_horeca").await;
    assert_eq!(again.body["orgPositions"].as_array().unwrap().len(), 2);
    add("rsm_north_retail")
        .await
        .expect_refusal(StatusCode::CONFLICT, "ORG_REGION_CONFLICT");
    // National and all-India slots are exempt.
    assert_eq!(add("nsm_retail").await.status, StatusCode::OK);
    assert_eq!(add("asm_all_horeca").await.status, StatusCode::OK);
    for bad in ["rsm_central_retail", "", "manager"] {
        let r = add(bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let u = user(&app, "SALES-001").await;
    assert_eq!(
        u.org_positions,
        [
            "sales_west_retail",
            "asm_west_horeca",
            "nsm_retail",
            "asm_all_horeca"
        ]
    );
    assert_eq!(audits(&app, "UPDATE", "SALES-001").await.len(), 3);

    let r = org(&app, "SALES-001", "org-remove", "asm_west_horeca").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = org(&app, "SALES-001", "org-remove", "not_held_slot").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let u = user(&app, "SALES-001").await;
    assert_eq!(
        u.org_positions,
        ["sales_west_retail", "nsm_retail", "asm_all_horeca"]
    );
    assert_eq!(audits(&app, "UPDATE", "SALES-001").await.len(), 4);
    // With the west slot gone from a user who held only west, another region is fine.
    let r = org(&app, "SALES-002", "org-remove", "sales_west_retail").await;
    assert_eq!(r.body["orgPositions"], json!([]));
    let r = org(&app, "SALES-002", "org-add", "sales_north_retail").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn a_manager_must_exist_and_must_not_make_a_loop() {
    let app = spawn_app().await;
    // RSM-001 → ASM-001 → SALES-001: making SALES-001 the RSM's manager would loop.
    set_manager(&app, "RSM-001", json!("SALES-001"))
        .await
        .expect_refusal(StatusCode::CONFLICT, "MANAGER_CYCLE");
    let r = set_manager(&app, "ASM-001", json!("ASM-001")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(
        user(&app, "RSM-001").await.manager_id.as_deref(),
        Some("NSM-001")
    );
    let r = set_manager(&app, "SALES-001", json!("GHOST-9")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    let r = set_manager(&app, "SALES-001", json!("RSM-001")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["managerId"], "RSM-001");
    let a = audits(&app, "UPDATE", "SALES-001").await;
    assert_eq!(a[0].old_data.as_ref().unwrap()["managerId"], "ASM-001");
    assert_eq!(a[0].new_data.as_ref().unwrap()["managerId"], "RSM-001");
    // The ASM no longer sees the moved salesperson; the RSM still does.
    let r = app.get("ASM-001", "/api/users/SALES-001").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app.get("RSM-001", "/api/users/SALES-001").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = set_manager(&app, "SALES-001", json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(user(&app, "SALES-001").await.manager_id.is_none());
}

#[tokio::test]
async fn the_profile_patch_is_a_whitelist() {
    let app = spawn_app().await;
    let r = patch_user(&app, "USER-001", "SALES-001",
            json!({ "zone": "NORTH", "department1": "Modern Trade", "grossMonthlySalary": 55000, "channel": "" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let u = user(&app, "SALES-001").await;
    assert_eq!(u.zone, nexus_core::model::Zone::North);
    assert_eq!(u.department1.as_deref(), Some("Modern Trade"));
    assert_eq!(u.gross_monthly_salary.amount(), 55000.into());
    assert!(u.channel.is_none(), "empty string clears");
    let a = audits(&app, "UPDATE", "SALES-001").await;
    assert_eq!(a[0].old_data.as_ref().unwrap()["grossMonthlySalary"], 50000);
    assert_eq!(a[0].new_data.as_ref().unwrap()["grossMonthlySalary"], 55000);

    // Mass assignment is refused as an unknown field (never role, status, permissions …).
    for body in [
        json!({ "role": "Admin" }),
        json!({ "status": "Active" }),
        json!({ "permissions": ["admin_bypass"] }),
        json!({ "isApprover": true }),
        json!({ "password": "x" }),
        json!({ "id": "NEW-ID" }),
    ] {
        let r = patch_user(&app, "USER-001", "SALES-001", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let contact = json!({ "whatsappNumber": "+91 98200 12345", "location": "Thane" });
    let own = patch_user(&app, "SALES-001", "SALES-001", contact).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.body["whatsappNumber"], "+91 98200 12345");
    let raise = json!({ "grossMonthlySalary": 99999 });
    let own_salary = patch_user(&app, "SALES-001", "SALES-001", raise).await;
    assert_eq!(
        own_salary.status,
        StatusCode::FORBIDDEN,
        "{}",
        own_salary.body
    );
    assert_eq!(
        own_salary.body["error"]["details"]["refusedFields"],
        json!(["grossMonthlySalary"])
    );
    let goa = json!({ "location": "Goa" });
    let r = patch_user(&app, "SALES-001", "SALES-002", goa).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let priyas = json!({ "email": "priya@nexusoms.com" });
    let r = patch_user(&app, "USER-001", "SALES-001", priyas).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let u = user(&app, "SALES-001").await;
    assert_eq!(u.gross_monthly_salary.amount(), 55000.into());
    assert_eq!(u.email.as_deref(), Some("rajesh@nexusoms.com"));
    assert_eq!(u.location.as_deref(), Some("Thane"));
}

#[tokio::test]
async fn own_credentials_need_the_current_password() {
    let app = spawn_app().await;
    let path = "/api/users/SALES-001/credentials";
    for (body, status) in [
        (
            json!({ "password": "My-Own-Secret-1" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "password": "My-Own-Secret-1", "currentPassword": "wrong" }),
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        let r = app.patch("SALES-001", path, body).await;
        assert_eq!(r.status, status);
    }
    let r = app
        .patch(
            "SALES-001",
            path,
            json!({ "password": "My-Own-Secret-1", "currentPassword": "sales123",
                    "employeeId": "E-7781", "address": "12 Marine Drive, Mumbai" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Kept now (the legacy schema dropped both, D-D1).
    let u = user(&app, "SALES-001").await;
    assert_eq!(u.employee_id.as_deref(), Some("E-7781"));
    assert_eq!(u.address.as_deref(), Some("12 Marine Drive, Mumbai"));
    assert!(!u.must_change_password);
    assert_eq!(u.token_version, 1);
    assert_eq!(audits(&app, "PASSWORD_CHANGE", "SALES-001").await.len(), 1);
    assert_eq!(
        login(&app, "SALES-001", "sales123").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app, "SALES-001", "My-Own-Secret-1").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn only_user_management_resets_another_password_d_s4() {
    let app = spawn_app().await;
    let victim_token = app.token("SALES-002").await;
    // Neither a peer nor the victim's own manager may reset it.
    let reset = async |who: &str, password: &str| {
        let body = json!({ "password": password });
        patch_user(&app, who, "SALES-002/credentials", body).await
    };
    for who in ["SALES-001", "ASM-001", "CREDIT-001"] {
        let r = reset(who, "Hijacked-Pass-99").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(
        login(&app, "SALES-002", "Hijacked-Pass-99").await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = reset("USER-001", "Temp-Reset-2026").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let u = user(&app, "SALES-002").await;
    assert!(u.must_change_password);
    assert_eq!(u.token_version, 1);
    let a = audits(&app, "PASSWORD_RESET", "SALES-002").await;
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].user_id, "USER-001");
    assert!(a[0].new_data.as_ref().unwrap().get("password").is_none());
    let me = me(&app, &victim_token).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "sessions invalidated");
    let l = login(&app, "SALES-002", "Temp-Reset-2026").await;
    assert_eq!(l.status, StatusCode::OK, "{}", l.body);
    assert_eq!(l.body["user"]["mustChangePassword"], true);
    let r = reset("USER-001", "welcome123").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

#[tokio::test]
async fn a_user_manager_who_is_not_admin_cannot_take_over_admins() {
    let app = spawn_app().await;
    let r = set_permissions(&app, "NSM-001", json!(["user_management"])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.forget_tokens().await;
    // Now NSM-001 administers users …
    let r = set_status(&app, "NSM-001", "SALES-001", "Inactive").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // … but not Admin accounts, the Admin role or admin_bypass.
    let attempts = [
        (
            Method::PATCH,
            "/api/users/USER-001/credentials",
            json!({ "password": "Took-Over-Admin-1" }),
            "ADMIN_ACCOUNT_PROTECTED",
        ),
        (
            Method::PATCH,
            "/api/users/SALES-002/role",
            json!({ "role": "Admin" }),
            "ADMIN_ROLE_PROTECTED",
        ),
        (
            Method::PATCH,
            "/api/users/SALES-002/permissions",
            json!({ "permissions": ["admin_bypass"] }),
            "ADMIN_BYPASS_PROTECTED",
        ),
        (
            Method::POST,
            "/api/users",
            json!({ "id": "ADM-2", "name": "Shadow", "role": "Admin", "password": "Shadow-Admin-77" }),
            "ADMIN_ROLE_PROTECTED",
        ),
        (
            Method::PATCH,
            "/api/users/USER-001/status",
            json!({ "status": "Suspended" }),
            "ADMIN_ACCOUNT_PROTECTED",
        ),
    ];
    for (m, path, body, code) in attempts {
        let r = app.as_user("NSM-001", m, path, Some(body)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        assert_eq!(r.body["error"]["code"], code, "{path}");
    }
    let admin = user(&app, "USER-001").await;
    assert!(admin.is_active());
    assert_eq!(admin.token_version, 0);
    assert!(
        app.store
            .get::<User>(Filter::id("ADM-2"))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn guarded_updates_work_on_legacy_dates_and_documents_without_updated_at() {
    let app = spawn_app().await;
    // A legacy date in another text form, and a legacy document with no updatedAt at all.
    app.store
        .commit(vec![
            Write::update_one::<User>(
                Filter::id("SALES-001"),
                vec![UpdateOp::Set(
                    "updatedAt".into(),
                    json!("2024-01-05T10:00:00+05:30"),
                )],
            ),
            Write::update_one::<User>(
                Filter::id("SALES-002"),
                vec![UpdateOp::Unset("updatedAt".into())],
            ),
        ])
        .await
        .unwrap();
    for id in ["SALES-001", "SALES-002"] {
        let key_accounts = json!({ "department2": "Key Accounts" });
        let r = patch_user(&app, "USER-001", id, key_accounts).await;
        assert_eq!(r.status, StatusCode::OK, "{id}: {}", r.body);
        let u = user(&app, id).await;
        assert_eq!(u.department2.as_deref(), Some("Key Accounts"));
        assert!(u.updated_at.unwrap() > Timestamp::parse("2025-01-01").unwrap());
    }
}

#[tokio::test]
async fn concurrent_edits_of_one_user_are_all_kept_and_each_audited_once() {
    let app = spawn_app().await;
    let token = app.token("USER-001").await;
    let edits = [
        json!({ "department1": "Retail" }),
        json!({ "department2": "Key Accounts" }),
        json!({ "channel": "HORECA" }),
        json!({ "location": "Nashik" }),
        json!({ "whatsappNumber": "+91 90000 00001" }),
        json!({ "zone": "SOUTH" }),
    ];
    let calls = edits.iter().map(|b| {
        app.call(
            Method::PATCH,
            "/api/users/SALES-001",
            Some(&token),
            Some(b.clone()),
        )
    });
    let results = futures::future::join_all(calls).await;
    for r in &results {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let u = user(&app, "SALES-001").await;
    assert_eq!(u.department1.as_deref(), Some("Retail"));
    assert_eq!(u.department2.as_deref(), Some("Key Accounts"));
    assert_eq!(u.channel.as_deref(), Some("HORECA"));
    assert_eq!(u.location.as_deref(), Some("Nashik"));
    assert_eq!(u.whatsapp_number.as_deref(), Some("+91 90000 00001"));
    assert_eq!(u.zone, nexus_core::model::Zone::South);
    assert_eq!(audits(&app, "UPDATE", "SALES-001").await.len(), edits.len());
}

/// The request schema of `PATCH /api/users/{id}` says what the checks accept: every body the
/// document admits is accepted, and every body it refuses is refused (trimmed names and texts,
/// control characters, lengths counted after trimming, e-mail and phone numbers, amounts).
#[tokio::test]
async fn the_profile_schema_agrees_with_the_checks() {
    let app = spawn_app().await;
    let doc = app
        .call(Method::GET, "/api/openapi.json", None, None)
        .await
        .expect_status(StatusCode::OK)
        .body;
    let schema = &doc["paths"]["/api/users/{id}"]["patch"]["requestBody"]["content"]["application/json"]
        ["schema"];
    let validator = jsonschema::draft202012::options()
        .build(&json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": [schema],
            "components": doc["components"],
        }))
        .expect("the request schema compiles");
    let long = "x".repeat(100);
    let names = [
        "Asha Menon".to_string(),
        "  Asha\t\n".to_string(),
        "\u{85}Asha\u{3000}".to_string(),
        "\u{feff}".to_string(),
        format!(" \t{long}\u{2003}"),
        String::new(),
        "   ".to_string(),
        "\u{85}\u{a0}".to_string(),
        "Asha\tMenon".to_string(),
        "Asha\u{7}".to_string(),
        "\u{1c}Asha".to_string(),
        format!("{long}x"),
    ];
    let mut bodies: Vec<Value> = names.iter().map(|n| json!({ "name": n })).collect();
    for loc in [
        "",
        "  ",
        "Pune East",
        "\tPune\r\n",
        "Pune\u{0}",
        &format!("  {long}  "),
    ] {
        bodies.push(json!({ "location": loc }));
    }
    for phone in [
        "",
        " +91 98200 12345 ",
        "123456",
        "12345",
        "98200-12345",
        "call me",
    ] {
        bodies.push(json!({ "whatsappNumber": phone }));
    }
    for (i, email) in [
        "",
        " asha.m@nexusoms.com ",
        "asha@nexusoms",
        "a b@c.de",
        "@c.de",
    ]
    .iter()
    .enumerate()
    {
        let email = email.replace("asha.m", &format!("asha.m{i}"));
        bodies.push(json!({ "email": email }));
    }
    for amount in [
        json!(0),
        json!(1e12),
        json!(1e12 + 1.0),
        json!(-1),
        json!(-1e-300),
    ] {
        bodies.push(json!({ "monthlyTarget": amount }));
    }
    for body in bodies {
        let valid = validator.is_valid(&body);
        let r = patch_user(&app, ADMIN, "SALES-002", body.clone()).await;
        assert_eq!(
            r.status.is_success(),
            valid,
            "{body}: the document says {}, the server answered {} {}",
            if valid { "valid" } else { "invalid" },
            r.status,
            r.body
        );
    }
}
