//! The public form of the lifecycle and stock rules' refusals. Permission problems are 403,
//! a step that the order's current status does not allow (or a lost race) is 409, a request
//! missing what the step needs is 422, and a shortage of stock is 409 with the figures.

use crate::auth::actor::forbidden;
use crate::error::{ApiError, ErrorCode};
use nexus_core::rules::allocation::AllocationError;
use nexus_core::rules::lifecycle::LifecycleError;
use serde_json::json;

pub fn lifecycle_error(e: LifecycleError) -> ApiError {
    let msg = e.to_string();
    match e {
        LifecycleError::Terminal { status } => {
            ApiError::conflict(ErrorCode::OrderClosed, format!("The {msg}"))
                .with_details(json!({ "status": status }))
        }
        LifecycleError::NotAllowedFrom { action, from } => ApiError::conflict(
            ErrorCode::InvalidTransition,
            format!("This step is not possible now: {msg}"),
        )
        .with_details(json!({ "step": action, "status": from })),
        LifecycleError::NoChange { status } => {
            ApiError::conflict(ErrorCode::NoChange, format!("The {msg}"))
                .with_details(json!({ "status": status }))
        }
        LifecycleError::MissingPermission { permission, needed } => {
            forbidden(&[(permission, needed)])
        }
        LifecycleError::NotOwner => ApiError::forbidden(ErrorCode::NotOrderOwner, capitalise(&msg)),
        LifecycleError::OwnerCancelTooLate => {
            ApiError::forbidden(ErrorCode::CancelTooLate, capitalise(&msg))
        }
        LifecycleError::SelfApproval => {
            ApiError::forbidden(ErrorCode::SelfApproval, capitalise(&msg))
        }
        LifecycleError::NotAssignedAgent => {
            ApiError::forbidden(ErrorCode::NotAssignedAgent, capitalise(&msg))
        }
        LifecycleError::ReasonRequired { action } => {
            ApiError::unprocessable(ErrorCode::ReasonRequired, capitalise(&msg))
                .with_details(json!({ "step": action }))
        }
    }
}

pub fn allocation_error(e: AllocationError) -> ApiError {
    let msg = capitalise(&e.to_string());
    match e {
        AllocationError::Shortage {
            product_id,
            available,
            requested,
        } => ApiError::conflict(ErrorCode::InsufficientStock, msg).with_details(
            json!({ "productId": product_id, "available": available, "requested": requested }),
        ),
        AllocationError::InsufficientBatch {
            batch_number,
            available,
            requested,
        } => ApiError::conflict(ErrorCode::InsufficientStock, msg).with_details(
            json!({ "batchNumber": batch_number, "available": available, "requested": requested }),
        ),
        AllocationError::AlreadyReserved { .. } | AllocationError::NotReserved { .. } => {
            ApiError::conflict(ErrorCode::StockState, msg)
        }
        AllocationError::UnknownBatch { .. } | AllocationError::InactiveBatch { .. } => {
            ApiError::unprocessable(ErrorCode::UnknownBatch, msg)
        }
        AllocationError::UnknownProduct { .. } => {
            ApiError::unprocessable(ErrorCode::UnknownProduct, msg)
        }
        _ => ApiError::unprocessable(ErrorCode::InvalidPick, msg),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + ".",
        None => String::new(),
    }
}
