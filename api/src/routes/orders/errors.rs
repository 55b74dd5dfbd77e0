//! The public form of the lifecycle and stock rules' refusals. Permission problems are 403,
//! a step that the order's current status does not allow (or a lost race) is 409, a request
//! missing what the step needs is 422, and a shortage of stock is 409 with the figures.

use crate::auth::actor::forbidden;
use crate::error::ApiError;
use axum::http::StatusCode;
use nexus_core::rules::allocation::AllocationError;
use nexus_core::rules::lifecycle::LifecycleError;
use serde_json::json;

pub fn lifecycle_error(e: LifecycleError) -> ApiError {
    let msg = e.to_string();
    match e {
        LifecycleError::Terminal { status } => {
            ApiError::new(StatusCode::CONFLICT, "ORDER_CLOSED", format!("The {msg}"))
                .with_details(json!({ "status": status }))
        }
        LifecycleError::NotAllowedFrom { action, from } => ApiError::new(
            StatusCode::CONFLICT,
            "INVALID_TRANSITION",
            format!("This step is not possible now: {msg}"),
        )
        .with_details(json!({ "step": action, "status": from })),
        LifecycleError::NoChange { status } => {
            ApiError::new(StatusCode::CONFLICT, "NO_CHANGE", format!("The {msg}"))
                .with_details(json!({ "status": status }))
        }
        LifecycleError::MissingPermission { permission, needed } => {
            forbidden(&[(permission, needed)])
        }
        LifecycleError::NotOwner => {
            ApiError::new(StatusCode::FORBIDDEN, "NOT_ORDER_OWNER", capitalise(&msg))
        }
        LifecycleError::OwnerCancelTooLate => {
            ApiError::new(StatusCode::FORBIDDEN, "CANCEL_TOO_LATE", capitalise(&msg))
        }
        LifecycleError::SelfApproval => {
            ApiError::new(StatusCode::FORBIDDEN, "SELF_APPROVAL", capitalise(&msg))
        }
        LifecycleError::NotAssignedAgent => ApiError::new(
            StatusCode::FORBIDDEN,
            "NOT_ASSIGNED_AGENT",
            capitalise(&msg),
        ),
        LifecycleError::ReasonRequired { action } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "REASON_REQUIRED",
            capitalise(&msg),
        )
        .with_details(json!({ "step": action })),
    }
}

pub fn allocation_error(e: AllocationError) -> ApiError {
    let msg = capitalise(&e.to_string());
    match e {
        AllocationError::Shortage {
            product_id,
            available,
            requested,
        } => ApiError::new(StatusCode::CONFLICT, "INSUFFICIENT_STOCK", msg).with_details(
            json!({ "productId": product_id, "available": available, "requested": requested }),
        ),
        AllocationError::InsufficientBatch {
            batch_number,
            available,
            requested,
        } => ApiError::new(StatusCode::CONFLICT, "INSUFFICIENT_STOCK", msg).with_details(
            json!({ "batchNumber": batch_number, "available": available, "requested": requested }),
        ),
        AllocationError::AlreadyReserved { .. } | AllocationError::NotReserved { .. } => {
            ApiError::new(StatusCode::CONFLICT, "STOCK_STATE", msg)
        }
        AllocationError::UnknownBatch { .. } | AllocationError::InactiveBatch { .. } => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "UNKNOWN_BATCH", msg)
        }
        AllocationError::UnknownProduct { .. } => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "UNKNOWN_PRODUCT", msg)
        }
        _ => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "INVALID_PICK", msg),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + ".",
        None => String::new(),
    }
}
