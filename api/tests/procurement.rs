//! The procurement gate through HTTP: create → check → submit → approve/reject, with the
//! rules the legacy never enforced (D-L22) and the history and audit it never wrote.

mod support;

use nexus_core::model::{AuditAction, AuditLog, Procurement, ProcurementStatus};
use nexus_core::store::{Filter, Query, TypedStore};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Resp, TestApp, audits, spawn_app, strs};

async fn stored(app: &TestApp, id: &str) -> Option<Procurement> {
    app.store.get::<Procurement>(Filter::id(id)).await.unwrap()
}

async fn audit_actions(app: &TestApp, id: &str) -> Vec<AuditAction> {
    let mut v: Vec<AuditLog> = app
        .store
        .list(&Query::new(Filter::eq("entityId", id)).sort_asc("timestamp"))
        .await
        .unwrap();
    v.sort_by_key(|a| a.timestamp);
    v.into_iter().map(|a| a.action).collect()
}

async fn create(app: &TestApp, user: &str, body: Value) -> String {
    let r = app.post(user, "/api/procurement", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

fn entry() -> Value {
    json!({"supplierName": "Oceanic Seafoods", "skuName": "Frozen Prawns 1kg", "skuCode": "SKU-PRAWN-1KG"})
}

fn path(id: &str) -> String {
    format!("/api/procurement/{id}")
}

async fn put(app: &TestApp, user: &str, id: &str, body: Value) -> Resp {
    app.put(user, &path(id), body).await
}

/// `POST /api/procurement/{id}/{action}` without a body (`submit`, `approve`).
async fn act(app: &TestApp, user: &str, id: &str, action: &str) -> Resp {
    app.post_empty(user, &format!("{}/{action}", path(id)))
        .await
}

/// `POST /api/procurement/{id}/{action}` with a body (`approve` with remarks, `reject`).
async fn act_with(app: &TestApp, user: &str, id: &str, action: &str, body: Value) -> Resp {
    app.post(user, &format!("{}/{action}", path(id)), body)
        .await
}

/// Creates an entry as `user` and submits it (200).
async fn submitted(app: &TestApp, user: &str, entry: Value) -> String {
    let id = create(app, user, entry).await;
    let r = act(app, user, &id, "submit").await;
    assert_eq!(r.status, StatusCode::OK, "submit {id}: {}", r.body);
    id
}

async fn delete(app: &TestApp, user: &str, id: &str) -> Resp {
    app.delete(user, &path(id)).await
}

/// A new entry with all three checks ticked and an attachment: ready to submit.
fn ready(supplier: &str, sku_name: &str, sku_code: &str, attachment: &str) -> Value {
    json!({"supplierName": supplier, "skuName": sku_name, "skuCode": sku_code,
           "sipChecked": true, "labelsChecked": true, "docsChecked": true,
           "attachment": attachment})
}

#[tokio::test]
async fn a_consignment_goes_from_pending_to_approved_with_history_and_audit() {
    let app = spawn_app().await;
    let id = create(&app, "PROC-001", entry()).await;
    assert_eq!(id, "PRC-0001");
    let p = stored(&app, &id).await.unwrap();
    assert_eq!(p.status, ProcurementStatus::Pending);
    assert_eq!(p.status_history.len(), 1);
    assert_eq!(p.status_history[0].changed_by.as_deref(), Some("PROC-001"));

    let r = put(
        &app,
        "PROC-001",
        &id,
        json!({"sipChecked": true, "labelsChecked": true, "docsChecked": true,
               "attachment": "procurement/PRC-0001/coa.pdf", "attachmentName": "coa.pdf"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["docsChecked"], true);
    assert_eq!(r.body["status"], "Pending");

    let r = act(&app, "PROC-001", &id, "submit").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "Awaiting Head Approval");
    assert_eq!(r.body["clearedBy"], "PROC-001");

    // The executive cannot approve; the head can.
    let r = act(&app, "PROC-001", &id, "approve").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let remarks = json!({"remarks": "Documents in order"});
    let r = act_with(&app, "PROCH-001", &id, "approve", remarks).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "Approved");

    let p = stored(&app, &id).await.unwrap();
    assert_eq!(p.status, ProcurementStatus::Approved);
    assert_eq!(p.approved_by.as_deref(), Some("PROCH-001"));
    assert_eq!(p.cleared_by.as_deref(), Some("PROC-001"));
    let h: Vec<(&str, Option<&str>)> = p
        .status_history
        .iter()
        .map(|h| (h.status.as_str(), h.changed_by.as_deref()))
        .collect();
    assert_eq!(
        h,
        [
            ("Pending", Some("PROC-001")),
            ("Awaiting Head Approval", Some("PROC-001")),
            ("Approved", Some("PROCH-001")),
        ]
    );
    assert_eq!(
        p.status_history[2].remarks.as_deref(),
        Some("Documents in order")
    );
    assert_eq!(
        audit_actions(&app, &id).await,
        [
            AuditAction::Create,
            AuditAction::Update,
            AuditAction::StatusChange,
            AuditAction::Approve
        ]
    );
    // Approved twice is a conflict, not a second history entry.
    let r = act(&app, "PROCH-001", &id, "approve").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(stored(&app, &id).await.unwrap().status_history.len(), 3);
}

#[tokio::test]
async fn submission_needs_all_three_checks_and_an_attachment() {
    let app = spawn_app().await;
    let id = create(
        &app,
        "PROC-001",
        json!({"supplierName": "Oceanic Seafoods", "skuName": "Squid Rings", "skuCode": "SKU-SQ",
               "sipChecked": true, "labelsChecked": true}),
    )
    .await;
    let r = act(&app, "PROC-001", &id, "submit")
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "PROCUREMENT_NOT_READY");
    assert_eq!(
        r.body["error"]["details"]["missing"],
        json!(["docsChecked", "attachment"])
    );
    assert_eq!(
        stored(&app, &id).await.unwrap().status,
        ProcurementStatus::Pending
    );
    // File contents are refused: attachments are links to uploaded files.
    let inline = json!({"docsChecked": true, "attachment": "data:application/pdf;base64,JVBERi0x"});
    let r = put(&app, "PROC-001", &id, inline).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(!stored(&app, &id).await.unwrap().docs_checked);
}

#[tokio::test]
async fn checks_lock_after_submission_and_status_is_never_client_set() {
    let app = spawn_app().await;
    let mut body = entry();
    body["status"] = json!("Approved");
    let r = app.post("PROC-001", "/api/procurement", body).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "status is not a create field"
    );

    let basa = ready(
        "Oceanic Seafoods",
        "Basa Fillet",
        "SKU-BASA",
        "procurement/basa/permit.pdf",
    );
    let id = create(&app, "PROC-001", basa).await;
    let r = put(&app, "PROC-001", &id, json!({"status": "Approved"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    put(&app, "PROC-001", &id, json!({}))
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "NOTHING_TO_UPDATE");

    let r = act(&app, "PROC-001", &id, "submit").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    put(&app, "PROC-001", &id, json!({"docsChecked": false}))
        .await
        .expect_refusal(StatusCode::CONFLICT, "PROCUREMENT_LOCKED");
    assert!(stored(&app, &id).await.unwrap().docs_checked);
    let r = delete(&app, "PROCH-001", &id).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "submitted entries are kept");
    assert!(stored(&app, &id).await.is_some());
}

#[tokio::test]
async fn rejection_needs_a_reason_and_records_it() {
    let app = spawn_app().await;
    let pomfret = ready(
        "Coastal Catch",
        "Pomfret",
        "SKU-POM",
        "procurement/pomfret/docs.pdf",
    );
    let id = submitted(&app, "PROC-001", pomfret).await;
    let reject = |reason: &str| {
        act_with(
            &app,
            "PROCH-001",
            &id,
            "reject",
            json!({ "reason": reason }),
        )
    };
    let r = reject(" ").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = reject("Labels do not match the import permit").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["status"], "Rejected");
    let p = stored(&app, &id).await.unwrap();
    assert_eq!(p.status, ProcurementStatus::Rejected);
    let last = p.status_history.last().unwrap();
    assert_eq!(last.status, "Rejected");
    assert_eq!(last.changed_by.as_deref(), Some("PROCH-001"));
    assert_eq!(
        last.remarks.as_deref(),
        Some("Labels do not match the import permit")
    );
    let rejections = audits(&app, "REJECT", &id).await;
    assert_eq!(rejections.len(), 1);
    assert_eq!(
        rejections[0].reason.as_deref(),
        Some("Labels do not match the import permit")
    );
}

#[tokio::test]
async fn only_the_head_deletes_and_only_pending_entries() {
    let app = spawn_app().await;
    let id = create(&app, "PROC-001", entry()).await;
    let r = delete(&app, "PROC-001", &id).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = delete(&app, "PROCH-001", &id).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["message"], "Deleted");
    assert!(stored(&app, &id).await.is_none());
    assert_eq!(
        audit_actions(&app, &id).await,
        [AuditAction::Create, AuditAction::Delete]
    );
    let r = delete(&app, "PROCH-001", &id).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn a_head_does_not_approve_their_own_submission() {
    let app = spawn_app().await;
    let seer = ready(
        "Coastal Catch",
        "Seer Fish",
        "SKU-SEER",
        "procurement/seer/docs.pdf",
    );
    let id = submitted(&app, "PROCH-001", seer).await;
    act(&app, "PROCH-001", &id, "approve")
        .await
        .expect_refusal(StatusCode::FORBIDDEN, "SEGREGATION_OF_DUTIES");
    let r = act(&app, "USER-001", &id, "approve").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        stored(&app, &id).await.unwrap().approved_by.as_deref(),
        Some("USER-001")
    );
}

#[tokio::test]
async fn the_list_is_a_raw_array_newest_first_with_sequential_ids() {
    let app = spawn_app().await;
    let a = create(&app, "PROC-001", entry()).await;
    let b = create(&app, "PROC-001", entry()).await;
    assert_eq!((a.as_str(), b.as_str()), ("PRC-0001", "PRC-0002"));
    let r = app.get_ok("PROCH-001", "/api/procurement").await;
    let ids = strs(&r.body, "id");
    assert_eq!(ids, ["PRC-0002", "PRC-0001"]);
    assert_eq!(r.headers["x-total-count"], "2");
    let r = app
        .get("PROC-001", "/api/procurement?status=Approved")
        .await;
    assert_eq!(r.body, json!([]));
    let r = app.get("PROC-001", &format!("/api/procurement/{a}")).await;
    assert_eq!(r.body["id"], a.as_str());
    assert_eq!(r.body["supplierName"], "Oceanic Seafoods");
}
