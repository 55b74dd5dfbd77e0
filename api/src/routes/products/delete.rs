//! P5: deactivating a product (the soft delete), refused while open orders hold it.
//! Separate because it is the one write that looks at orders.

use super::load;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::commit_audited;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, EntityType, Order, OrderStatus, Product};
use nexus_core::store::{Filter, Query as StoreQuery, TypedStore, UpdateOp, Write};
use nexus_core::types::Quantity;
use nexus_core::types::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// Order statuses after which an order no longer needs its products.
const CLOSED: [OrderStatus; 4] = [
    OrderStatus::Delivered,
    OrderStatus::Cancelled,
    OrderStatus::Rejected,
    OrderStatus::ReturnedToWarehouse,
];

/// A product deactivated: `remainingStock` is the stock its batches still hold (absent when
/// it was already inactive).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductDeleted {
    pub success: bool,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining_stock: Option<Quantity>,
}

/// Deactivate a product (master data). It disappears from lists and can no longer receive
/// stock; the document, its batches and every order and ledger row that refer to it stay.
/// Refused while an open order still holds it.
#[utoipa::path(delete, path = "/api/products/{id}", tag = "Products", security(("bearer" = [])),
    params(("id" = String, Path, description = "Product id")),
    responses(
        (status = 200, description = "Deactivated (or already inactive)", body = ProductDeleted),
        (status = 403, description = "Needs master_data"),
        (status = 404, description = "No such product"),
        (status = 409, description = "Open orders still reference it (details list them)"),
    ))]
pub(super) async fn delete_product(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    let current = load(&st, &id).await?;
    if !current.is_active {
        return Ok(Json(
            json!({ "success": true, "message": "Product already deactivated" }),
        ));
    }
    let open: Vec<Order> = st
        .store
        .list(
            &StoreQuery::new(Filter::and([
                Filter::eq("items.productId", id.as_str()),
                Filter::Nin(
                    "status".into(),
                    CLOSED.iter().map(|s| json!(s.as_str())).collect(),
                ),
            ]))
            .sort_asc("id")
            .limit(20),
        )
        .await?;
    if !open.is_empty() {
        return Err(ApiError::conflict(
            ErrorCode::ProductInUse,
            "Open orders still reference this product; close them first.",
        )
        .with_details(json!({ "orderIds": open.iter().map(|o| &o.id).collect::<Vec<_>>() })));
    }
    let now = Timestamp::now();
    let audit = actor
        .audit(AuditAction::Delete)
        .entity(EntityType::Product, &id)
        .change(
            Some(json!({ "isActive": true, "stock": current.stock })),
            Some(json!({ "isActive": false })),
        );
    let write = Write::update_one::<Product>(
        Filter::and([Filter::id(&id), Filter::ne("isActive", false)]),
        vec![
            UpdateOp::Set("isActive".into(), json!(false)),
            UpdateOp::Set("updatedAt".into(), json!(now)),
            UpdateOp::Inc("_rev".into(), json!(1)),
        ],
    );
    commit_audited(&st, vec![write], audit, Vec::new()).await?;
    Ok(Json(json!({
        "success": true,
        "message": "Product deleted (deactivated; batches and history kept)",
        "remainingStock": current.stock,
    })))
}
