//! GDPR: erasure, data export, the retention policy and consent (api.md §2.18, D-S13,
//! §8.1.16).
//!
//! Legacy: erasure always failed (it nulled a required password and set a status the enum
//! did not have) and tried to relabel a field orders do not have; the export looked customers
//! up by a field nothing wrote; consent was never stored and anyone could record it for
//! anyone. Here erasure anonymises the person's identifying data on the account and keeps
//! every business and financial record (orders, invoices, ledgers, audit trail) unchanged —
//! they reference the account by id, which stays; the export is a real one; consent is the
//! caller's own and is kept on their user record as an append-only history.

use crate::ApiJson;
use crate::auth::Actor;
use crate::auth::actor::forbidden;
use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::routes::envelope::MessageData;
use crate::routes::users::change::{Change, change_user, load};
use crate::routes::users::guard::{deleted_user, guard_target};
use crate::routes::users::validate;
use crate::routes::users::view::{UserView, user_json};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, EntityType, UserStatus};
use nexus_core::store::indexes::AUDIT_TTL_SECONDS;
use nexus_core::store::{Collection, Filter, Query, UpdateOp, Write};
use nexus_core::types::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([
        routes!(forget),
        routes!(export),
        routes!(retention_policy),
        routes!(consent),
    ])
}

/// The reserved top-level domain (RFC 2606) for anonymised addresses: never deliverable.
const ANON_DOMAIN: &str = "anonymized.invalid";
/// Records of each kind in one export (far above one person's volume).
const EXPORT_MAX: u64 = 10_000;
/// The legacy export's audit window: the newest 1,000 entries.
const EXPORT_AUDIT_MAX: u64 = 1_000;

/// What an erasure did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Erasure {
    pub user_id: String,
    /// The name the account carries from now on (`Deleted User 1a2b3c4d`).
    pub anonymized_name: String,
    pub deleted_at: Timestamp,
    /// The reason given, or `null`.
    #[schema(required = true)]
    pub reason: Option<String>,
}

/// The records of a data export. Orders, customers, attendance and audit entries are the
/// stored documents as they are (legacy values included, without `_id` and `__v`), so their
/// items are free-form objects; the profile is the user as the API shows them, with the
/// salary fields.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportData {
    pub profile: UserView,
    #[schema(value_type = Vec<Object>)]
    pub orders: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub customers: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub attendance: Vec<Value>,
    /// The newest 1,000 entries.
    #[schema(value_type = Vec<Object>)]
    pub audit_logs: Vec<Value>,
}

/// How many records of each kind the export holds.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportSummary {
    pub orders: u64,
    pub customers: u64,
    pub attendance: u64,
    pub audit_logs: u64,
}

/// A user's data export (downloaded as `user_data_<id>_<ms>.json`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataExport {
    pub success: bool,
    pub export_date: Timestamp,
    pub user_id: String,
    pub data: ExportData,
    pub summary: ExportSummary,
}

/// How long one kind of record is kept.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetentionRule {
    #[serde(rename = "type")]
    pub data_type: String,
    pub retention: String,
    /// Days, or `null` for "while the account exists".
    #[schema(required = true)]
    pub retention_days: Option<u64>,
}

/// A data-subject right and how to exercise it here.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataRight {
    pub right: String,
    /// The GDPR article.
    pub article: u32,
    pub how: String,
}

/// Whom to ask.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivacyContact {
    pub dpo: String,
    /// `NEXUS_DPO_CONTACT`, or `null` when not configured.
    #[schema(required = true)]
    pub contact: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetentionPolicy {
    pub data_types: Vec<RetentionRule>,
    pub rights: Vec<DataRight>,
    pub contact: PrivacyContact,
}

/// `{ success, policy }`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionPolicyAnswer {
    pub success: bool,
    pub policy: RetentionPolicy,
}

/// One consent decision, as appended to the user's `consents`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentEntry {
    pub consent_type: String,
    pub granted: bool,
    pub recorded_at: Timestamp,
    /// The client's address as the server saw it, or `null`.
    #[schema(required = true)]
    pub ip_address: Option<String>,
    #[schema(required = true)]
    pub user_agent: Option<String>,
}

/// An erasure cannot be undone, so it is never the default of an empty request: the caller
/// types the id of the account again and says why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgetRequest {
    /// The id of the user being erased, again (as in the path).
    #[schema(example = "SEXEC-001")]
    pub confirm: String,
    /// Why (kept in the audit entry and on the account), 3 to 500 characters without
    /// control characters.
    #[schema(
        example = "Left the company; asked for erasure",
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f]{1,498}[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub reason: String,
}

/// Erase a user's personal data (`user_management`; not yourself). The account keeps its id
/// (orders, invoices and the audit trail reference it and stay as they are) and becomes
/// `Deleted`: name and e-mail are replaced by anonymous ones, phone and postal address are
/// removed, the password is removed and every token is revoked, so it can never sign in again;
/// its org slots are released. The audit entry records the erasure without copying the erased
/// data into the trail.
#[utoipa::path(post, path = "/api/gdpr/forget/{userId}", tag = "GDPR", security(("bearer" = [])),
    params(("userId" = String, Path, description = "Whose data to erase")),
    request_body(content = ForgetRequest, description = "The user id again, and the reason"),
    responses(
        (status = 200, description = "Anonymised", body = MessageData<Erasure>),
        (status = 403, description = "Not a user manager (or a non-Admin erasing an Admin)"),
        (status = 404, description = "No such user"),
        (status = 409, description = "Your own account, or already erased"),
        (status = 422, description = "`confirm` is not the user id, or the reason is missing"),
    ))]
async fn forget(
    State(st): State<AppState>,
    actor: Actor,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<ForgetRequest>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::UserManagement, Access::Full)?;
    let reason = body.reason.trim();
    if body.confirm.trim() != user_id || !(3..=500).contains(&reason.chars().count()) {
        return Err(ApiError::unprocessable(
            ErrorCode::ErasureNotConfirmed,
            "To erase a user, send `confirm` with the user id and a `reason` (3 to 500 characters).",
        )
        .with_details(json!({ "userId": user_id })));
    }
    if user_id == actor.id() {
        return Err(ApiError::conflict(
            ErrorCode::SelfChangeRefused,
            "You cannot erase your own account; ask another administrator.",
        ));
    }
    let reason = validate::text("reason", reason, 500)?;
    let tag = format!("{:08x}", (ulid::Ulid::new().random() & 0xffff_ffff) as u32);
    let anonymized_name = format!("Deleted User {tag}");
    let deleted_at = Timestamp::now();
    let changed = change_user(&st, &user_id, |u| {
        guard_target(&actor, u)?;
        if u.status == UserStatus::Deleted {
            return Err(deleted_user(&u.id));
        }
        let mut ops = vec![
            UpdateOp::Set("name".into(), json!(anonymized_name)),
            UpdateOp::Set("email".into(), json!(format!("deleted-{tag}@{ANON_DOMAIN}"))),
            UpdateOp::Unset("whatsappNumber".into()),
            UpdateOp::Unset("address".into()),
            UpdateOp::Unset("password".into()),
            UpdateOp::Set("orgPositions".into(), json!([])),
            UpdateOp::Set("status".into(), json!(UserStatus::Deleted)),
            UpdateOp::Set("deletedAt".into(), json!(deleted_at)),
            UpdateOp::Set("mustChangePassword".into(), json!(false)),
            UpdateOp::Inc("tokenVersion".into(), json!(1)),
        ];
        ops.push(match &reason {
            Some(r) => UpdateOp::Set("deletionReason".into(), json!(r)),
            None => UpdateOp::Unset("deletionReason".into()),
        });
        let mut audit = actor
            .audit(AuditAction::Delete)
            .entity(EntityType::User, u.id.clone())
            .change(
                Some(json!({ "status": u.status })),
                Some(json!({
                    "status": UserStatus::Deleted,
                    "anonymizedName": anonymized_name,
                    "deletedAt": deleted_at,
                    "erased": ["name", "email", "whatsappNumber", "address", "password", "orgPositions"],
                })),
            );
        audit.reason = reason.clone().or(Some("GDPR erasure".into()));
        Ok(Some(Change {
            ops,
            audit,
            redact: true,
        }))
    })
    .await?;
    Ok(Json(json!({
        "success": true,
        "message": "User data anonymized successfully",
        "data": {
            "userId": changed.after.id,
            "anonymizedName": anonymized_name,
            "deletedAt": deleted_at,
            "reason": reason,
        }
    })))
}

async fn raw(st: &AppState, c: Collection, q: Query) -> Result<Vec<Value>, ApiError> {
    let mut docs = st.store.find(c, &q).await?;
    for d in &mut docs {
        if let Some(o) = d.as_object_mut() {
            o.remove("_id");
            o.remove("__v");
            // Server-only secrets of an order (the delivery OTP's hash and attempts).
            for k in crate::routes::orders::view::SECRET_FIELDS {
                o.remove(k);
            }
        }
    }
    Ok(docs)
}

/// Everything held about a user, as a JSON download (`user_data_<id>_<ms>.json`): profile,
/// orders they booked, customers they created or are assigned to, attendance, and their
/// newest 1,000 audit entries. Admin, or the user themselves (right of access and
/// portability). Audited as EXPORT.
#[utoipa::path(get, path = "/api/gdpr/export/{userId}", tag = "GDPR", security(("bearer" = [])),
    params(("userId" = String, Path, description = "Whose data")),
    responses(
        (status = 200, description = "A JSON attachment `user_data_<id>_<ms>.json`", body = DataExport),
        (status = 403, description = "Neither an Admin nor yourself"),
        (status = 404, description = "No such user"),
    ))]
async fn export(
    State(st): State<AppState>,
    actor: Actor,
    Path(user_id): Path<String>,
) -> Result<Response, ApiError> {
    if user_id != actor.id() && !actor.is_admin() {
        return Err(ApiError::forbidden(
            ErrorCode::Forbidden,
            "Only an Admin may export another user's data.",
        )
        .with_details(json!({ "requiredRoles": ["Admin"] })));
    }
    let user = load(&st, &user_id).await?;
    let orders = raw(
        &st,
        Collection::Orders,
        Query::new(Filter::eq("salespersonId", user_id.clone()))
            .sort_asc("createdAt")
            .limit(EXPORT_MAX),
    )
    .await?;
    let customers = raw(
        &st,
        Collection::Customers,
        Query::new(Filter::or([
            Filter::eq("createdBy", user_id.clone()),
            Filter::eq("assignedSalespersonId", user_id.clone()),
        ]))
        .sort_asc("id")
        .limit(EXPORT_MAX),
    )
    .await?;
    let attendance = raw(
        &st,
        Collection::Attendances,
        Query::new(Filter::eq("userId", user_id.clone()))
            .sort_asc("date")
            .limit(EXPORT_MAX),
    )
    .await?;
    let audit_logs = raw(
        &st,
        Collection::AuditLogs,
        Query::new(Filter::eq("userId", user_id.clone()))
            .sort_desc("timestamp")
            .limit(EXPORT_AUDIT_MAX),
    )
    .await?;
    let now = Timestamp::now();
    // The id passed `validate::user_id` at creation; legacy ids are filtered to be safe in a
    // header anyway.
    let safe_id: String = user_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '+' | '-'))
        .collect();
    let file = format!("user_data_{safe_id}_{}.json", now.millis());
    let summary = json!({
        "orders": orders.len(),
        "customers": customers.len(),
        "attendance": attendance.len(),
        "auditLogs": audit_logs.len(),
    });
    let audit = actor
        .audit(AuditAction::Export)
        .entity(EntityType::User, user_id.clone())
        .change(None, Some(json!({ "file": file, "summary": summary })));
    st.store.commit(vec![Write::insert(&audit)?]).await?;
    let body = json!({
        "success": true,
        "exportDate": now,
        "userId": user_id,
        "data": {
            "profile": user_json(&user, true),
            "orders": orders,
            "customers": customers,
            "attendance": attendance,
            "auditLogs": audit_logs,
        },
        "summary": summary,
    });
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
        .map_err(|e| ApiError::internal_cause("export file name", &e))?;
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(body)).into_response())
}

/// How long each kind of record is kept and which rights a person has (any signed-in user).
/// The audit retention is the store's TTL index, so the policy cannot drift from what the
/// database does.
#[utoipa::path(get, path = "/api/gdpr/retention-policy", tag = "GDPR", security(("bearer" = [])),
    responses((status = 200, description = "The retention periods, the rights and the contact", body = RetentionPolicyAnswer)))]
async fn retention_policy(State(st): State<AppState>, _actor: Actor) -> Json<Value> {
    let audit_days = AUDIT_TTL_SECONDS / 86_400;
    Json(json!({
        "success": true,
        "policy": {
            "dataTypes": [
                { "type": "User accounts", "retention": "Indefinite while the account exists; anonymised on erasure", "retentionDays": null },
                { "type": "Orders", "retention": "7 years (tax and accounting records)", "retentionDays": 7 * 365 },
                { "type": "Customers", "retention": "Indefinite while active; 3 years after the last transaction", "retentionDays": 3 * 365 },
                { "type": "Audit logs", "retention": "2 years", "retentionDays": audit_days },
                { "type": "Performance records", "retention": "5 years", "retentionDays": 5 * 365 },
            ],
            "rights": [
                { "right": "access", "article": 15, "how": "GET /api/gdpr/export/{userId}" },
                { "right": "rectification", "article": 16, "how": "PATCH /api/users/{id} and /api/users/{id}/credentials" },
                { "right": "erasure", "article": 17, "how": "Ask an administrator: POST /api/gdpr/forget/{userId}" },
                { "right": "portability", "article": 20, "how": "GET /api/gdpr/export/{userId} (JSON)" },
                { "right": "objection", "article": 21, "how": "POST /api/gdpr/consent with granted=false" },
            ],
            "contact": {
                "dpo": "Data Protection Officer",
                "contact": st.config.dpo_contact,
            },
        }
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentRequest {
    /// Optional; when given it must be your own id (consent is personal).
    pub user_id: Option<String>,
    /// 1 to 64 letters, digits and `_ . -`.
    #[schema(
        example = "location_tracking",
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9_.-]{1,64}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub consent_type: String,
    pub granted: bool,
}

/// A consent type: 1-64 of letters, digits and `_ . -`.
fn consent_type(raw: &str) -> Result<String, ApiError> {
    let t = raw.trim();
    let ok = !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(t.to_string())
    } else {
        Err(ApiError::invalid(
            "consentType",
            "consentType must be 1-64 letters, digits, _ . or -",
        ))
    }
}

/// Record your own consent decision. Appended to `consents` on your user record (history is
/// kept: the latest entry per type is the current decision). Audited.
#[utoipa::path(post, path = "/api/gdpr/consent", tag = "GDPR", security(("bearer" = [])),
    request_body = ConsentRequest,
    responses(
        (status = 200, description = "Recorded: the new consent entry", body = MessageData<ConsentEntry>),
        (status = 403, description = "userId is somebody else"),
        (status = 422, description = "Invalid consent type"),
    ))]
async fn consent(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<ConsentRequest>,
) -> Result<Json<Value>, ApiError> {
    if body
        .user_id
        .as_deref()
        .is_some_and(|u| u.trim() != actor.id())
    {
        return Err(forbidden(&[]).with_details(
            json!({ "reason": "Consent can only be recorded by the person it belongs to." }),
        ));
    }
    let kind = consent_type(&body.consent_type)?;
    let entry = json!({
        "consentType": kind,
        "granted": body.granted,
        "recordedAt": Timestamp::now(),
        "ipAddress": actor.meta.ip,
        "userAgent": actor.meta.user_agent,
    });
    change_user(&st, actor.id(), |u| {
        Ok(Some(Change {
            ops: vec![UpdateOp::Push("consents".into(), entry.clone())],
            // Just the new decision, not the whole history each time.
            audit: actor
                .audit(AuditAction::Update)
                .entity(EntityType::User, u.id.clone())
                .change(None, Some(json!({ "consent": entry }))),
            redact: true,
        }))
    })
    .await?;
    Ok(Json(json!({
        "success": true,
        "message": "Consent recorded successfully",
        "data": entry,
    })))
}
