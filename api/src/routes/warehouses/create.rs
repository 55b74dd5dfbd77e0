//! W1: creating a warehouse with a stable `WH-<code>` id and unique aliases. Separate because
//! its body, slug and clash checks concern creation alone.

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::{commit_audited, snapshot};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, EntityType, Temperature, Warehouse};
use nexus_core::store::{Filter, TypedStore, Write};
use nexus_core::types::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemperatureInput {
    /// °C, -100 to 100.
    #[schema(value_type = Option<f64>, minimum = -100, maximum = 100)]
    pub current: Option<Decimal>,
    /// °C, -100 to 100; not above `max`.
    #[schema(value_type = Option<f64>, minimum = -100, maximum = 100)]
    pub min: Option<Decimal>,
    /// °C, -100 to 100.
    #[schema(value_type = Option<f64>, minimum = -100, maximum = 100)]
    pub max: Option<Decimal>,
}

/// The temperatures a warehouse record takes (°C).
const TEMPERATURE_RANGE: std::ops::RangeInclusive<i64> = -100..=100;

/// The capacity a warehouse record takes.
const MIN_CAPACITY: Decimal = Decimal::from_parts(1, 0, 0, false, 3);
const MAX_CAPACITY: i64 = 1_000_000_000_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWarehouse {
    /// Not blank, at most 120 characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,119}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    /// Not blank, at most 200 characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub location: String,
    /// Short code for the id (`KURLA` → `WH-KURLA`), holding a letter or digit; the name is
    /// used when absent.
    pub code: Option<String>,
    /// Other ids old clients use for this warehouse (e.g. `W1`): short codes without
    /// spaces, at most 32 characters.
    #[serde(default)]
    #[schema(inline, value_type = Vec<WarehouseAlias>)]
    pub aliases: Vec<String>,
    /// State the goods ship from (GST place of supply).
    pub state: Option<String>,
    /// Capacity, 0.001 to 1,000,000,000,000 (default 50,000).
    #[schema(value_type = Option<f64>, minimum = 0.001, maximum = 1000000000000i64)]
    pub capacity_total: Option<Decimal>,
    pub temperature: Option<TemperatureInput>,
    pub manager: Option<String>,
}

/// A warehouse alias: printable ASCII without spaces, at most 32 characters.
pub struct WarehouseAlias;

impl PartialSchema for WarehouseAlias {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[!-~]{1,32}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"))
            .examples(["W1"])
            .into()
    }
}
impl ToSchema for WarehouseAlias {}

/// The request body as the document describes it: [`NewWarehouse`]'s fields, where the
/// code — or, without one, the name — holds a letter or digit (the id is made of them).
pub struct NewWarehouseBody;

impl PartialSchema for NewWarehouseBody {
    fn schema() -> RefOr<Schema> {
        let holds_alnum = |field: &str| {
            json!({
                "required": [field],
                "properties": { field: { "type": "string", "pattern": "[A-Za-z0-9]" } },
            })
        };
        let mut code_or_name = holds_alnum("name");
        code_or_name["properties"]["code"] = json!({ "type": "null" });
        match NewWarehouse::schema() {
            RefOr::T(Schema::Object(mut o)) => {
                o.extensions
                    .get_or_insert_with(Default::default)
                    .insert("anyOf".into(), json!([holds_alnum("code"), code_or_name]));
                o.description = Some(
                    "A new warehouse. Its id is `WH-` and the code (else the name) in upper-case letters and digits, so the code — or, without one, the name — must hold a letter or digit.".into(),
                );
                RefOr::T(Schema::Object(o))
            }
            other => other,
        }
    }
}

impl ToSchema for NewWarehouseBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "NewWarehouse".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <NewWarehouse as ToSchema>::schemas(schemas);
    }
}

/// `Kurla Cold Storage` → `KURLA-COLD-STORAGE`: upper-case letters and digits, anything
/// else a single dash, at most 32 characters.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.trim_end_matches('-').chars().take(32).collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// `{ success, warehouse }`.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarehouseCreated {
    pub success: bool,
    pub warehouse: Warehouse,
}

/// Create a warehouse with a stable id `WH-<code>` (master data).
#[utoipa::path(post, path = "/api/warehouse/create", tag = "Warehouses", security(("bearer" = [])),
    request_body = NewWarehouseBody,
    responses(
        (status = 201, description = "Created: the new warehouse", body = WarehouseCreated),
        (status = 403, description = "Needs master_data"),
        (status = 409, description = "The id or an alias is already used"),
        (status = 422, description = "Invalid field"),
    ))]
pub(super) async fn create_warehouse(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<NewWarehouse>,
) -> Result<Response, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    let name = body.name.trim().to_string();
    let location = body.location.trim().to_string();
    if name.is_empty() || location.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "name and location are required.",
        ));
    }
    if name.chars().count() > 120 || location.chars().count() > 200 {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "name or location is too long.",
        ));
    }
    let code = slug(body.code.as_deref().unwrap_or(&name));
    if code.is_empty() {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "code (or name) needs at least one letter or digit.",
        ));
    }
    let id = format!("WH-{code}");
    let mut aliases: Vec<String> = Vec::new();
    for a in &body.aliases {
        let a = a.trim();
        if a.is_empty() || a.len() > 32 || !a.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::unprocessable(
                ErrorCode::ValidationFailed,
                "aliases are short codes without spaces (printable ASCII, at most 32).",
            ));
        }
        if !aliases.iter().any(|x| x == a) && a != id {
            aliases.push(a.to_string());
        }
    }
    let capacity = body.capacity_total.unwrap_or(Decimal::from(50_000));
    if capacity < MIN_CAPACITY || capacity > Decimal::from(MAX_CAPACITY) {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("capacityTotal must be from {MIN_CAPACITY} to {MAX_CAPACITY}."),
        ));
    }
    let temperature = body.temperature.map(|t| Temperature {
        current: t.current,
        min: t.min,
        max: t.max,
    });
    if let Some(t) = &temperature
        && [t.current, t.min, t.max].into_iter().flatten().any(|v| {
            v < Decimal::from(*TEMPERATURE_RANGE.start())
                || v > Decimal::from(*TEMPERATURE_RANGE.end())
        })
    {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "temperatures are from -100 to 100 °C.",
        ));
    }
    if let Some(t) = &temperature
        && let (Some(lo), Some(hi)) = (t.min, t.max)
        && lo > hi
    {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "temperature.min is above max.",
        ));
    }
    // An id or alias must point at one warehouse only.
    let mut names: Vec<Value> = vec![json!(id)];
    names.extend(aliases.iter().map(|a| json!(a)));
    let clash: Option<Warehouse> = st
        .store
        .get(Filter::or([
            Filter::is_in("id", names.clone()),
            Filter::is_in("aliases", names),
        ]))
        .await?;
    if let Some(w) = clash {
        return Err(ApiError::conflict(
            ErrorCode::WarehouseExists,
            format!("The id or an alias is already used by warehouse {}.", w.id),
        ));
    }
    let now = Timestamp::now();
    let w = Warehouse {
        id: id.clone(),
        name,
        location,
        aliases,
        state: body
            .state
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        capacity_total: capacity,
        capacity_used: Decimal::ZERO,
        temperature: temperature.unwrap_or_default(),
        inventory: Vec::new(),
        manager: body
            .manager
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        created_at: Some(now),
        updated_at: Some(now),
        extra: Map::new(),
    };
    let audit = actor
        .audit(AuditAction::Create)
        .entity(EntityType::Warehouse, &id)
        .change(None, snapshot(&w));
    commit_audited(&st, vec![Write::insert(&w)?], audit, Vec::new()).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "success": true, "warehouse": w })),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_stable_upper_case_codes() {
        assert_eq!(slug("Kurla Cold Storage"), "KURLA-COLD-STORAGE");
        assert_eq!(slug("  jolly  bng!! "), "JOLLY-BNG");
        assert_eq!(slug("---"), "");
        assert_eq!(slug(&"x".repeat(40)).len(), 32);
    }
}
