//! The order state machine of domain.md §3.7, enforced on the server.
//!
//! The legacy server accepted any status from any client at any time (D-S5, D-R1); the
//! client decided the next status. Here every change is an [`Action`] checked against the
//! current status, the actor's effective permissions and the order's ownership, and the
//! [`Outcome`] says the new status, the stock side effect the caller must apply in the same
//! commit, and what must be recorded for the step (§3.8).
//!
//! Rules beyond the table:
//! * segregation of duties: nobody credit-approves an order they booked, except an Admin
//!   (§4.8; D-S6 was Sales approving their own orders);
//! * the owner (the order's salesperson, with `create_orders`) may cancel only before a
//!   warehouse is selected (Pending Credit Approval, On Hold, Pending WH Selection);
//! * delivery steps only by the order's assigned agent (D-L16);
//! * terminal statuses (Rejected, Cancelled, Delivered, Returned to Warehouse) are final:
//!   admin bypass applies to non-terminal orders only, as the §3.7 table says. A wrongly
//!   closed order is re-booked, so stock and credit history stay truthful;
//! * stock is released at most once: a release is only ever emitted while the order holds
//!   stock (`Order::stock_reserved`), and the stock functions in `rules::allocation` refuse a
//!   second one.

use super::allocation::ShortagePolicy;
use crate::auth::{Access, ActorContext, Permission, Role};
use crate::model::OrderStatus;
use crate::model::order::{Order, OrderType, StatusChange};
use crate::types::Timestamp;
use serde::{Deserialize, Serialize};

/// One step a user asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum Action {
    CreditApprove {
        reason: Option<String>,
    },
    CreditHold {
        reason: String,
    },
    CreditReject {
        reason: String,
    },
    /// On Hold → Pending Credit Approval (after payment or an edit).
    ReleaseHold,
    Cancel {
        reason: String,
    },
    /// Lines changed before packing: the order goes back to credit approval.
    EditItems,
    AssignWarehouse {
        shortage: ShortagePolicy,
    },
    /// `complete`: every line packed as allocated; otherwise Part Packed.
    Pack {
        complete: bool,
    },
    SendBackToWarehouseSelection,
    QcPass,
    QcFail {
        remarks: String,
    },
    /// `high_cost_alert` from `logistics_cost::assess_cost` (ratio > 15 %).
    LogisticsCost {
        high_cost_alert: bool,
    },
    AdminReviewApprove,
    AdminReviewReject {
        reason: String,
    },
    Invoice,
    Dispatch,
    OutForDelivery,
    Deliver,
    PartAccept,
    ReturnToWarehouse,
    /// Part Accepted → Backorder: re-open the undelivered quantity.
    ReopenBackorder,
    AdminBypass {
        to: OrderStatus,
        reason: String,
    },
}

impl Action {
    /// A stable step code for history and audit.
    pub fn code(&self) -> &'static str {
        match self {
            Action::CreditApprove { .. } => "credit_approve",
            Action::CreditHold { .. } => "credit_hold",
            Action::CreditReject { .. } => "credit_reject",
            Action::ReleaseHold => "release_hold",
            Action::Cancel { .. } => "cancel",
            Action::EditItems => "edit_items",
            Action::AssignWarehouse { .. } => "assign_warehouse",
            Action::Pack { .. } => "pack",
            Action::SendBackToWarehouseSelection => "send_back_to_wh",
            Action::QcPass => "qc_pass",
            Action::QcFail { .. } => "qc_fail",
            Action::LogisticsCost { .. } => "logistics_cost",
            Action::AdminReviewApprove => "admin_review_approve",
            Action::AdminReviewReject { .. } => "admin_review_reject",
            Action::Invoice => "invoice",
            Action::Dispatch => "dispatch",
            Action::OutForDelivery => "out_for_delivery",
            Action::Deliver => "deliver",
            Action::PartAccept => "part_accept",
            Action::ReturnToWarehouse => "return_to_warehouse",
            Action::ReopenBackorder => "reopen_backorder",
            Action::AdminBypass { .. } => "admin_bypass",
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Action::CreditApprove { reason } => reason.as_deref(),
            Action::CreditHold { reason }
            | Action::CreditReject { reason }
            | Action::Cancel { reason }
            | Action::AdminReviewReject { reason }
            | Action::AdminBypass { reason, .. } => Some(reason),
            Action::QcFail { remarks } => Some(remarks),
            _ => None,
        }
    }
}

/// The stock side effect the caller applies (with `rules::allocation`) in the same commit
/// as the status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StockEffect {
    None,
    /// Allocate the order's lines (`allocation::reserve`).
    Reserve(ShortagePolicy),
    /// Give back everything the order holds (`allocation::release`).
    Release,
    /// Clearance lines edited: release the old lines, reserve the new ones.
    ReleaseThenReserve,
    /// Goods delivered: the order stops holding stock (`allocation::consume`).
    Consume,
    /// Returned quantities go back to their batches (`allocation::restock_returns`).
    RestockReturns,
}

impl StockEffect {
    pub fn releases(self) -> bool {
        matches!(
            self,
            StockEffect::Release | StockEffect::ReleaseThenReserve | StockEffect::RestockReturns
        )
    }
}

/// Data the step must store (what the legacy system lost, §3.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Record {
    Reason,
    CreditSnapshot,
    ItemsAndTotals,
    Allocation,
    PackedQuantities,
    QcChecklist,
    CostBreakdown,
    AdminApproval,
    InvoiceDetails,
    Manifest,
    DeliveryProof,
    DeliveredQuantities,
    BypassAudit,
}

/// What a permitted action does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub from: OrderStatus,
    pub to: OrderStatus,
    pub step: &'static str,
    pub stock: StockEffect,
    pub record: Vec<Record>,
    pub actor_id: String,
    pub actor_role: Role,
    pub reason: Option<String>,
}

impl Outcome {
    /// The history entry for this change (actor, role, reason and step: what the legacy
    /// history lacked, D-D8).
    pub fn status_change(&self, at: Timestamp, data: Option<serde_json::Value>) -> StatusChange {
        StatusChange {
            status: self.to.as_str().to_string(),
            timestamp: at,
            from: Some(self.from.as_str().to_string()),
            step: Some(self.step.to_string()),
            actor_id: Some(self.actor_id.clone()),
            actor_role: Some(self.actor_role.as_str().to_string()),
            reason: self.reason.clone(),
            data,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("order is {status}, which is final")]
    Terminal { status: OrderStatus },
    #[error("`{action}` is not possible from {from}")]
    NotAllowedFrom {
        action: &'static str,
        from: OrderStatus,
    },
    #[error("needs {permission} ({needed})")]
    MissingPermission {
        permission: Permission,
        needed: Access,
    },
    #[error("only the order's salesperson may do this")]
    NotOwner,
    #[error("the order's owner may cancel only before warehouse selection")]
    OwnerCancelTooLate,
    #[error("you cannot credit-approve an order you booked")]
    SelfApproval,
    #[error("only the assigned delivery agent may do this")]
    NotAssignedAgent,
    #[error("a reason is required for `{action}`")]
    ReasonRequired { action: &'static str },
    #[error("the order is already {status}")]
    NoChange { status: OrderStatus },
}

/// The facts about an order the state machine needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderContext<'a> {
    pub status: OrderStatus,
    pub kind: OrderType,
    pub salesperson_id: Option<&'a str>,
    pub delivery_agent_id: Option<&'a str>,
    pub stock_reserved: bool,
}

impl<'a> OrderContext<'a> {
    pub fn of(order: &'a Order) -> Self {
        OrderContext {
            status: order.status,
            kind: order.kind(),
            salesperson_id: order.salesperson_id.as_deref(),
            delivery_agent_id: order
                .logistics
                .as_ref()
                .and_then(|l| l.delivery_agent_id.as_deref()),
            stock_reserved: order.stock_reserved,
        }
    }
}

fn need(actor: &ActorContext, p: Permission) -> Result<(), LifecycleError> {
    if actor.permissions.allows(p, Access::Full) {
        Ok(())
    } else {
        Err(LifecycleError::MissingPermission {
            permission: p,
            needed: Access::Full,
        })
    }
}

fn has(actor: &ActorContext, p: Permission) -> bool {
    actor.permissions.allows(p, Access::Full)
}

fn is_owner(order: &OrderContext<'_>, actor: &ActorContext) -> bool {
    order.salesperson_id == Some(actor.user_id.as_str())
}

/// The refusal of an owner's step to someone else: a salesperson (who may create orders) is
/// not this order's owner; anyone else lacks `permission`, the way others may take the step.
fn not_owner(actor: &ActorContext, permission: Permission) -> LifecycleError {
    if has(actor, Permission::CreateOrders) {
        LifecycleError::NotOwner
    } else {
        LifecycleError::MissingPermission {
            permission,
            needed: Access::Full,
        }
    }
}

fn need_reason(action: &Action) -> Result<(), LifecycleError> {
    match action.reason() {
        Some(r) if !r.trim().is_empty() => Ok(()),
        _ => Err(LifecycleError::ReasonRequired {
            action: action.code(),
        }),
    }
}

fn need_agent(order: &OrderContext<'_>, actor: &ActorContext) -> Result<(), LifecycleError> {
    need(actor, Permission::Delivery)?;
    if order.delivery_agent_id == Some(actor.user_id.as_str()) {
        Ok(())
    } else {
        Err(LifecycleError::NotAssignedAgent)
    }
}

/// Where a costed order goes: a cost over 15 % of the packed value (`high_cost_alert`, see
/// `logistics_cost::assess_cost`) waits for an admin's review, any other goes to billing.
fn after_costing(high_cost_alert: bool) -> OrderStatus {
    if high_cost_alert {
        OrderStatus::PendingAdminReview
    } else {
        OrderStatus::ReadyForBilling
    }
}

/// A step that changes the status and leaves stock alone: where it leads, what it records.
fn moves_to(to: OrderStatus, record: &[Record]) -> (OrderStatus, StockEffect, Vec<Record>) {
    (to, StockEffect::None, record.to_vec())
}

fn release_if_held(order: &OrderContext<'_>) -> StockEffect {
    if order.stock_reserved {
        StockEffect::Release
    } else {
        StockEffect::None
    }
}

/// Statuses a cancel is possible from (§3.7 "Pending Credit Approval … Pending Packing",
/// including the packing side states). Later than packing, only an admin bypass cancels.
const CANCELLABLE: [OrderStatus; 6] = [
    OrderStatus::PendingCreditApproval,
    OrderStatus::OnHold,
    OrderStatus::PendingWhSelection,
    OrderStatus::PendingPacking,
    OrderStatus::PartPacked,
    OrderStatus::Backorder,
];

/// Before a warehouse is chosen: the owner may still cancel.
const BEFORE_WH_SELECTION: [OrderStatus; 3] = [
    OrderStatus::PendingCreditApproval,
    OrderStatus::OnHold,
    OrderStatus::PendingWhSelection,
];

/// Packing under way: waiting, partly packed, or short and waiting for stock.
const PACKING: [OrderStatus; 3] = [
    OrderStatus::PendingPacking,
    OrderStatus::PartPacked,
    OrderStatus::Backorder,
];

/// "Any pre-packing status" of §3.7, from which an edit sends the order back to credit.
const EDITABLE: [OrderStatus; 4] = [
    OrderStatus::PendingCreditApproval,
    OrderStatus::OnHold,
    OrderStatus::PendingWhSelection,
    OrderStatus::PendingPacking,
];

/// Whether `s` lies on §3.7's main path from `first` to `last`, both included: the rules'
/// status sets are stretches of that path. `OrderStatus::ALL` lists the statuses in the order
/// an order passes them (the credit endings Rejected and Cancelled beside On Hold, the delivery
/// endings last); an ending is never on a stretch.
pub fn in_stage(s: OrderStatus, first: OrderStatus, last: OrderStatus) -> bool {
    let at = |x: OrderStatus| OrderStatus::ALL.iter().position(|&p| p == x);
    !s.is_terminal() && at(first) <= at(s) && at(s) <= at(last)
}

/// Statuses in which an order should hold its allocation: allocated at warehouse
/// assignment, not yet delivered.
pub fn holds_allocation(s: OrderStatus) -> bool {
    in_stage(s, OrderStatus::PendingPacking, OrderStatus::OutForDelivery)
}

/// The stock effect of an admin bypass, so that a bypass leaves stock consistent with the
/// status it lands on (the legacy bypass never touched stock).
pub fn bypass_effect(to: OrderStatus, stock_reserved: bool, kind: OrderType) -> StockEffect {
    use OrderStatus::*;
    match (to, stock_reserved) {
        (Delivered, true) => StockEffect::Consume,
        (PartAccepted, true) => StockEffect::RestockReturns,
        (ReturnedToWarehouse, true) => StockEffect::RestockReturns,
        (Cancelled | Rejected, true) => StockEffect::Release,
        // Back before warehouse selection: a normal order gives its allocation back; a
        // clearance order keeps the batch it reserved at booking.
        (PendingCreditApproval | OnHold | PendingWhSelection, true)
            if kind != OrderType::Clearance =>
        {
            StockEffect::Release
        }
        (s, false) if holds_allocation(s) => StockEffect::Reserve(ShortagePolicy::AllowPartial),
        _ => StockEffect::None,
    }
}

/// Creating an order (→ Pending Credit Approval, §3.7 first row). Clearance lines reserve
/// their batch at booking and refuse on shortage.
pub fn create(kind: OrderType, actor: &ActorContext) -> Result<Outcome, LifecycleError> {
    need(actor, Permission::CreateOrders)?;
    Ok(Outcome {
        from: OrderStatus::PendingCreditApproval,
        to: OrderStatus::PendingCreditApproval,
        step: "create",
        stock: if kind == OrderType::Clearance {
            StockEffect::Reserve(ShortagePolicy::RefuseOnShortage)
        } else {
            StockEffect::None
        },
        record: vec![Record::ItemsAndTotals],
        actor_id: actor.user_id.clone(),
        actor_role: actor.role,
        reason: None,
    })
}

/// Decides one action on one order. Pure: nothing is changed; the caller applies the
/// outcome (status, stock effect, records) in one guarded commit.
pub fn transition(
    order: &OrderContext<'_>,
    action: &Action,
    actor: &ActorContext,
) -> Result<Outcome, LifecycleError> {
    use OrderStatus::*;
    let from = order.status;
    if from.is_terminal() {
        return Err(LifecycleError::Terminal { status: from });
    }
    let not_from = || LifecycleError::NotAllowedFrom {
        action: action.code(),
        from,
    };
    let at = |allowed: &[OrderStatus]| {
        if allowed.contains(&from) {
            Ok(())
        } else {
            Err(not_from())
        }
    };
    // Most steps: possible from these statuses, for holders of this permission …
    let gate = |allowed: &[OrderStatus], permission: Permission| {
        at(allowed)?;
        need(actor, permission)
    };
    // … some of them only with a reason.
    let gate_with_reason = |allowed: &[OrderStatus], permission: Permission| {
        gate(allowed, permission)?;
        need_reason(action)
    };

    let (to, stock, record): (OrderStatus, StockEffect, Vec<Record>) = match action {
        Action::CreditApprove { .. } => {
            gate(&[PendingCreditApproval], Permission::ApproveCredit)?;
            if is_owner(order, actor) && !actor.is_admin() {
                return Err(LifecycleError::SelfApproval);
            }
            moves_to(PendingWhSelection, &[Record::CreditSnapshot])
        }
        Action::CreditHold { .. } => {
            gate_with_reason(&[PendingCreditApproval], Permission::ApproveCredit)?;
            moves_to(OnHold, &[Record::Reason, Record::CreditSnapshot])
        }
        Action::CreditReject { .. } => {
            gate_with_reason(&[PendingCreditApproval, OnHold], Permission::ApproveCredit)?;
            (
                Rejected,
                release_if_held(order),
                vec![Record::Reason, Record::CreditSnapshot],
            )
        }
        Action::ReleaseHold => {
            at(&[OnHold])?;
            let owner = has(actor, Permission::CreateOrders) && is_owner(order, actor);
            if !(owner || has(actor, Permission::ApproveCredit) || actor.is_admin()) {
                return Err(not_owner(actor, Permission::ApproveCredit));
            }
            moves_to(PendingCreditApproval, &[])
        }
        Action::Cancel { .. } => {
            at(&CANCELLABLE)?;
            need_reason(action)?;
            let privileged =
                has(actor, Permission::ApproveCredit) || has(actor, Permission::AdminBypass);
            if !privileged {
                if !(has(actor, Permission::CreateOrders) && is_owner(order, actor)) {
                    return Err(not_owner(actor, Permission::ApproveCredit));
                }
                if !BEFORE_WH_SELECTION.contains(&from) {
                    return Err(LifecycleError::OwnerCancelTooLate);
                }
            }
            (Cancelled, release_if_held(order), vec![Record::Reason])
        }
        Action::EditItems => {
            at(&EDITABLE)?;
            let owner = has(actor, Permission::CreateOrders) && is_owner(order, actor);
            if !(owner || has(actor, Permission::AdminBypass)) {
                return Err(not_owner(actor, Permission::CreateOrders));
            }
            let stock = match (order.stock_reserved, order.kind) {
                (true, OrderType::Clearance) => StockEffect::ReleaseThenReserve,
                (true, _) => StockEffect::Release,
                (false, OrderType::Clearance) => {
                    StockEffect::Reserve(ShortagePolicy::RefuseOnShortage)
                }
                (false, _) => StockEffect::None,
            };
            (PendingCreditApproval, stock, vec![Record::ItemsAndTotals])
        }
        Action::AssignWarehouse { shortage } => {
            gate(&[PendingWhSelection], Permission::ManageWarehouse)?;
            // A clearance order already holds the batch it reserved at booking.
            let stock = if order.stock_reserved {
                StockEffect::None
            } else {
                StockEffect::Reserve(*shortage)
            };
            (PendingPacking, stock, vec![Record::Allocation])
        }
        Action::Pack { complete } => {
            gate(&PACKING, Permission::ManageWarehouse)?;
            let to = if *complete {
                PendingQualityControl
            } else {
                PartPacked
            };
            moves_to(to, &[Record::PackedQuantities])
        }
        Action::SendBackToWarehouseSelection => {
            gate(&PACKING, Permission::ManageWarehouse)?;
            (
                PendingWhSelection,
                release_if_held(order),
                vec![Record::Reason],
            )
        }
        Action::QcPass => {
            gate(&[PendingQualityControl], Permission::QualityControl)?;
            moves_to(PendingLogisticsCost, &[Record::QcChecklist])
        }
        Action::QcFail { .. } => {
            gate_with_reason(&[PendingQualityControl], Permission::QualityControl)?;
            moves_to(PendingPacking, &[Record::QcChecklist, Record::Reason])
        }
        Action::LogisticsCost { high_cost_alert } => {
            gate(&[PendingLogisticsCost], Permission::LogisticsCosting)?;
            moves_to(after_costing(*high_cost_alert), &[Record::CostBreakdown])
        }
        Action::AdminReviewApprove => {
            gate(&[PendingAdminReview], Permission::AdminBypass)?;
            moves_to(ReadyForBilling, &[Record::AdminApproval])
        }
        Action::AdminReviewReject { .. } => {
            gate_with_reason(&[PendingAdminReview], Permission::AdminBypass)?;
            (
                Cancelled,
                release_if_held(order),
                vec![Record::AdminApproval, Record::Reason],
            )
        }
        Action::Invoice => {
            gate(&[ReadyForBilling], Permission::Invoicing)?;
            moves_to(ReadyForDispatch, &[Record::InvoiceDetails])
        }
        Action::Dispatch => {
            gate(&[ReadyForDispatch], Permission::FleetLoading)?;
            moves_to(InTransit, &[Record::Manifest])
        }
        Action::OutForDelivery => {
            at(&[InTransit])?;
            need_agent(order, actor)?;
            moves_to(OutForDelivery, &[])
        }
        // The three ends of a delivery: the assigned agent, on the road, with proof; stock
        // the order still holds is consumed (delivered) or goes back to its batches.
        Action::Deliver | Action::PartAccept | Action::ReturnToWarehouse => {
            at(&[InTransit, OutForDelivery])?;
            need_agent(order, actor)?;
            let (to, held) = match action {
                Action::Deliver => (Delivered, StockEffect::Consume),
                Action::PartAccept => (PartAccepted, StockEffect::RestockReturns),
                _ => (ReturnedToWarehouse, StockEffect::RestockReturns),
            };
            let stock = if order.stock_reserved {
                held
            } else {
                StockEffect::None
            };
            (
                to,
                stock,
                vec![Record::DeliveryProof, Record::DeliveredQuantities],
            )
        }
        Action::ReopenBackorder => {
            gate(&[PartAccepted], Permission::ManageWarehouse)?;
            let stock = if order.stock_reserved {
                StockEffect::None
            } else {
                StockEffect::Reserve(ShortagePolicy::AllowPartial)
            };
            (Backorder, stock, vec![Record::Allocation])
        }
        Action::AdminBypass { to, .. } => {
            need(actor, Permission::AdminBypass)?;
            need_reason(action)?;
            if *to == from {
                return Err(LifecycleError::NoChange { status: from });
            }
            (
                *to,
                bypass_effect(*to, order.stock_reserved, order.kind),
                vec![Record::BypassAudit, Record::Reason],
            )
        }
    };
    Ok(Outcome {
        from,
        to,
        step: action.code(),
        stock,
        record,
        actor_id: actor.user_id.clone(),
        actor_role: actor.role,
        reason: action.reason().map(str::to_string),
    })
}

/// Every step `actor` may take on the order now, each with the outcome it would have: the
/// steps are dry-run through [`transition`] itself, so this list can never disagree with
/// what the step endpoints accept. Reasons are stand-ins (`"…"`), and a step's own inputs
/// (warehouse, picks, costs) are the caller's: the outcome says where the step leads and
/// which stock effect it has. The admin bypass, which leads anywhere, is not listed.
pub fn available(order: &OrderContext<'_>, actor: &ActorContext) -> Vec<(Action, Outcome)> {
    let reason = || "…".to_string();
    let candidates = [
        Action::CreditApprove { reason: None },
        Action::CreditHold { reason: reason() },
        Action::CreditReject { reason: reason() },
        Action::ReleaseHold,
        Action::Cancel { reason: reason() },
        Action::EditItems,
        Action::AssignWarehouse {
            shortage: ShortagePolicy::RefuseOnShortage,
        },
        Action::Pack { complete: true },
        Action::Pack { complete: false },
        Action::SendBackToWarehouseSelection,
        Action::QcPass,
        Action::QcFail { remarks: reason() },
        Action::LogisticsCost {
            high_cost_alert: false,
        },
        Action::LogisticsCost {
            high_cost_alert: true,
        },
        Action::AdminReviewApprove,
        Action::AdminReviewReject { reason: reason() },
        Action::Invoice,
        Action::Dispatch,
        Action::OutForDelivery,
        Action::Deliver,
        Action::PartAccept,
        Action::ReturnToWarehouse,
        Action::ReopenBackorder,
    ];
    candidates
        .into_iter()
        .filter_map(|a| transition(order, &a, actor).ok().map(|o| (a, o)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::EffectivePermissions;
    use OrderStatus::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn actor(id: &str, role: Role) -> ActorContext {
        ActorContext::with_role(id, role)
    }

    fn ctx(status: OrderStatus) -> OrderContext<'static> {
        OrderContext {
            status,
            kind: OrderType::Sales,
            salesperson_id: Some("S-1"),
            delivery_agent_id: Some("DRV-1"),
            stock_reserved: holds_allocation(status),
        }
    }

    /// `action` on the demo order in `status` (S-1's, out with DRV-1), by `who`.
    fn on(
        status: OrderStatus,
        action: &Action,
        who: &ActorContext,
    ) -> Result<Outcome, LifecycleError> {
        transition(&ctx(status), action, who)
    }

    fn r(s: &str) -> String {
        s.to_string()
    }

    /// The stretches the rules use, spelled out: a reordering of `OrderStatus::ALL` shows here.
    #[test]
    fn stages_are_stretches_of_the_main_path() {
        let names = |keep: &dyn Fn(OrderStatus) -> bool| -> String {
            let kept: Vec<_> = OrderStatus::ALL.into_iter().filter(|&s| keep(s)).collect();
            kept.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        assert_eq!(
            names(&holds_allocation),
            "Pending Packing, Part Packed, Backorder, Pending Quality Control, \
             Pending Logistics Cost, Pending Admin Review, Ready for Billing, Ready for Dispatch, \
             In Transit, Out for Delivery"
        );
        assert_eq!(
            names(&|s| in_stage(s, PendingCreditApproval, ReadyForBilling)),
            "Pending Credit Approval, On Hold, Pending WH Selection, Pending Packing, Part Packed, \
             Backorder, Pending Quality Control, Pending Logistics Cost, Pending Admin Review, \
             Ready for Billing"
        );
    }

    /// Every row of the §3.7 table: (from, action, actor, expected status, expected stock).
    #[test]
    fn every_transition_of_the_3_7_table() {
        let sales = actor("S-1", Role::Sales);
        let cc = actor("CC-1", Role::CreditControl);
        let wh = actor("WH-1", Role::WhManager);
        let qc = actor("QC-1", Role::QcHead);
        let lg = actor("LG-1", Role::LogisticsTeam);
        let admin = actor("AD-1", Role::Admin);
        let bill = actor("B-1", Role::Billing);
        let hub = actor("HUB-1", Role::HubLead);
        let drv = actor("DRV-1", Role::DeliveryTeam);
        let refuse = ShortagePolicy::RefuseOnShortage;
        let rows: Vec<(OrderStatus, Action, &ActorContext, OrderStatus, StockEffect)> = vec![
            (
                PendingCreditApproval,
                Action::CreditApprove { reason: None },
                &cc,
                PendingWhSelection,
                StockEffect::None,
            ),
            (
                PendingCreditApproval,
                Action::CreditHold {
                    reason: r("awaiting cheque"),
                },
                &cc,
                OnHold,
                StockEffect::None,
            ),
            (
                OnHold,
                Action::ReleaseHold,
                &sales,
                PendingCreditApproval,
                StockEffect::None,
            ),
            (
                OnHold,
                Action::ReleaseHold,
                &cc,
                PendingCreditApproval,
                StockEffect::None,
            ),
            (
                PendingCreditApproval,
                Action::CreditReject {
                    reason: r("over limit"),
                },
                &cc,
                Rejected,
                StockEffect::None,
            ),
            (
                OnHold,
                Action::CreditReject {
                    reason: r("no payment"),
                },
                &cc,
                Rejected,
                StockEffect::None,
            ),
            (
                PendingCreditApproval,
                Action::Cancel {
                    reason: r("customer"),
                },
                &sales,
                Cancelled,
                StockEffect::None,
            ),
            (
                PendingWhSelection,
                Action::Cancel {
                    reason: r("customer"),
                },
                &sales,
                Cancelled,
                StockEffect::None,
            ),
            (
                PendingPacking,
                Action::Cancel {
                    reason: r("customer"),
                },
                &cc,
                Cancelled,
                StockEffect::Release,
            ),
            (
                PendingPacking,
                Action::Cancel {
                    reason: r("customer"),
                },
                &admin,
                Cancelled,
                StockEffect::Release,
            ),
            (
                OnHold,
                Action::EditItems,
                &sales,
                PendingCreditApproval,
                StockEffect::None,
            ),
            (
                PendingWhSelection,
                Action::EditItems,
                &sales,
                PendingCreditApproval,
                StockEffect::None,
            ),
            (
                PendingPacking,
                Action::EditItems,
                &sales,
                PendingCreditApproval,
                StockEffect::Release,
            ),
            (
                PendingWhSelection,
                Action::AssignWarehouse { shortage: refuse },
                &wh,
                PendingPacking,
                StockEffect::Reserve(refuse),
            ),
            (
                PendingPacking,
                Action::Pack { complete: true },
                &wh,
                PendingQualityControl,
                StockEffect::None,
            ),
            (
                PendingPacking,
                Action::Pack { complete: false },
                &wh,
                PartPacked,
                StockEffect::None,
            ),
            (
                PartPacked,
                Action::Pack { complete: true },
                &wh,
                PendingQualityControl,
                StockEffect::None,
            ),
            (
                PendingPacking,
                Action::SendBackToWarehouseSelection,
                &wh,
                PendingWhSelection,
                StockEffect::Release,
            ),
            (
                PendingQualityControl,
                Action::QcPass,
                &qc,
                PendingLogisticsCost,
                StockEffect::None,
            ),
            (
                PendingQualityControl,
                Action::QcFail {
                    remarks: r("seal torn"),
                },
                &qc,
                PendingPacking,
                StockEffect::None,
            ),
            (
                PendingLogisticsCost,
                Action::LogisticsCost {
                    high_cost_alert: false,
                },
                &lg,
                ReadyForBilling,
                StockEffect::None,
            ),
            (
                PendingLogisticsCost,
                Action::LogisticsCost {
                    high_cost_alert: true,
                },
                &lg,
                PendingAdminReview,
                StockEffect::None,
            ),
            (
                PendingAdminReview,
                Action::AdminReviewApprove,
                &admin,
                ReadyForBilling,
                StockEffect::None,
            ),
            (
                PendingAdminReview,
                Action::AdminReviewReject {
                    reason: r("too costly"),
                },
                &admin,
                Cancelled,
                StockEffect::Release,
            ),
            (
                ReadyForBilling,
                Action::Invoice,
                &bill,
                ReadyForDispatch,
                StockEffect::None,
            ),
            (
                ReadyForDispatch,
                Action::Dispatch,
                &hub,
                InTransit,
                StockEffect::None,
            ),
            (
                InTransit,
                Action::OutForDelivery,
                &drv,
                OutForDelivery,
                StockEffect::None,
            ),
            (
                InTransit,
                Action::Deliver,
                &drv,
                Delivered,
                StockEffect::Consume,
            ),
            (
                OutForDelivery,
                Action::Deliver,
                &drv,
                Delivered,
                StockEffect::Consume,
            ),
            (
                OutForDelivery,
                Action::PartAccept,
                &drv,
                PartAccepted,
                StockEffect::RestockReturns,
            ),
            (
                OutForDelivery,
                Action::ReturnToWarehouse,
                &drv,
                ReturnedToWarehouse,
                StockEffect::RestockReturns,
            ),
            (
                PartAccepted,
                Action::ReopenBackorder,
                &wh,
                Backorder,
                StockEffect::Reserve(ShortagePolicy::AllowPartial),
            ),
            (
                ReadyForBilling,
                Action::AdminBypass {
                    to: InTransit,
                    reason: r("urgent"),
                },
                &admin,
                InTransit,
                StockEffect::None,
            ),
            (
                InTransit,
                Action::AdminBypass {
                    to: Delivered,
                    reason: r("POD by phone"),
                },
                &admin,
                Delivered,
                StockEffect::Consume,
            ),
        ];
        for (from, action, who, to, stock) in rows {
            let mut c = ctx(from);
            if from == PartAccepted {
                c.stock_reserved = false;
            }
            let o = transition(&c, &action, who)
                .unwrap_or_else(|e| panic!("{from} {action:?} by {}: {e}", who.role));
            assert_eq!((o.to, o.stock), (to, stock), "{from} {action:?}");
            assert_eq!(o.from, from);
            assert_eq!(o.actor_id, who.user_id);
        }
    }

    #[test]
    fn create_and_clearance_reserve_at_booking() {
        let sales = actor("S-1", Role::Sales);
        assert_eq!(
            create(OrderType::Sales, &sales).unwrap().stock,
            StockEffect::None
        );
        assert_eq!(
            create(OrderType::Clearance, &sales).unwrap().stock,
            StockEffect::Reserve(ShortagePolicy::RefuseOnShortage)
        );
        assert!(matches!(
            create(OrderType::Sales, &actor("B-1", Role::Billing)),
            Err(LifecycleError::MissingPermission {
                permission: Permission::CreateOrders,
                ..
            })
        ));
        // A clearance order keeps its batch through WH selection; its rejection releases it.
        let clearance = |status| OrderContext {
            kind: OrderType::Clearance,
            stock_reserved: true,
            ..ctx(status)
        };
        let o = transition(
            &clearance(PendingWhSelection),
            &Action::AssignWarehouse {
                shortage: ShortagePolicy::RefuseOnShortage,
            },
            &actor("WH-1", Role::Warehouse),
        )
        .unwrap();
        assert_eq!(o.stock, StockEffect::None);
        let clr = clearance(PendingCreditApproval);
        let o = transition(
            &clr,
            &Action::CreditReject { reason: r("no") },
            &actor("CC-1", Role::CreditControl),
        )
        .unwrap();
        assert_eq!(o.stock, StockEffect::Release);
        let o = transition(&clr, &Action::EditItems, &actor("S-1", Role::Sales)).unwrap();
        assert_eq!(o.stock, StockEffect::ReleaseThenReserve);
    }

    #[test]
    fn segregation_of_duties_on_credit_approval() {
        let approve = Action::CreditApprove { reason: None };
        // A salesperson who was also granted approve_credit cannot approve their own order …
        let mut sales_approver = actor("S-1", Role::Sales);
        sales_approver.permissions = EffectivePermissions::compute(
            Role::Sales,
            &[Permission::ApproveCredit],
            &BTreeMap::new(),
        );
        assert_eq!(
            on(PendingCreditApproval, &approve, &sales_approver),
            Err(LifecycleError::SelfApproval)
        );
        // … but may approve a colleague's.
        let booked_by = |salesperson| OrderContext {
            salesperson_id: Some(salesperson),
            ..ctx(PendingCreditApproval)
        };
        let other = booked_by("S-2");
        assert!(transition(&other, &approve, &sales_approver).is_ok());
        // An Admin who booked the order may approve it.
        let admin = actor("AD-1", Role::Admin);
        assert!(transition(&booked_by("AD-1"), &approve, &admin).is_ok());
        // Plain Sales has no approve_credit at all (D-S6).
        assert!(matches!(
            transition(&other, &approve, &actor("S-1", Role::Sales)),
            Err(LifecycleError::MissingPermission { .. })
        ));
    }

    #[test]
    fn owner_cancels_only_before_wh_selection() {
        let sales = actor("S-1", Role::Sales);
        let cancel = Action::Cancel {
            reason: r("changed mind"),
        };
        assert_eq!(
            on(PendingPacking, &cancel, &sales),
            Err(LifecycleError::OwnerCancelTooLate)
        );
        let not_mine = OrderContext {
            salesperson_id: Some("S-2"),
            ..ctx(PendingCreditApproval)
        };
        assert_eq!(
            transition(&not_mine, &cancel, &sales),
            Err(LifecycleError::NotOwner)
        );
        assert!(matches!(
            on(PendingCreditApproval, &cancel, &actor("QC-1", Role::QcHead)),
            Err(LifecycleError::MissingPermission { .. })
        ));
        // After packing only the bypass cancels.
        assert!(matches!(
            on(PendingQualityControl, &cancel, &actor("AD-1", Role::Admin)),
            Err(LifecycleError::NotAllowedFrom { .. })
        ));
        assert_eq!(
            on(
                PendingCreditApproval,
                &Action::Cancel { reason: r(" ") },
                &sales
            ),
            Err(LifecycleError::ReasonRequired { action: "cancel" })
        );
    }

    #[test]
    fn delivery_only_by_the_assigned_agent() {
        let other_driver = actor("DRV-2", Role::DeliveryTeam);
        assert_eq!(
            on(InTransit, &Action::Deliver, &other_driver),
            Err(LifecycleError::NotAssignedAgent)
        );
        assert!(matches!(
            on(InTransit, &Action::Deliver, &actor("AD-1", Role::Admin)),
            Err(LifecycleError::NotAssignedAgent)
        ));
        let unassigned = OrderContext {
            delivery_agent_id: None,
            ..ctx(InTransit)
        };
        assert_eq!(
            transition(
                &unassigned,
                &Action::Deliver,
                &actor("DRV-1", Role::DeliveryTeam)
            ),
            Err(LifecycleError::NotAssignedAgent)
        );
    }

    #[test]
    fn permissions_and_reasons_are_checked() {
        assert!(matches!(
            on(
                ReadyForBilling,
                &Action::Invoice,
                &actor("WH-1", Role::Warehouse)
            ),
            Err(LifecycleError::MissingPermission {
                permission: Permission::Invoicing,
                ..
            })
        ));
        assert_eq!(
            on(
                PendingCreditApproval,
                &Action::CreditHold { reason: r("") },
                &actor("CC-1", Role::CreditControl)
            ),
            Err(LifecycleError::ReasonRequired {
                action: "credit_hold"
            })
        );
        assert!(matches!(
            on(
                PendingCreditApproval,
                &Action::Invoice,
                &actor("B-1", Role::Billing)
            ),
            Err(LifecycleError::NotAllowedFrom { .. })
        ));
        // View-only access does not permit the step.
        let mut steps = BTreeMap::new();
        steps.insert(r("Invoice"), r("view"));
        let viewer = ActorContext {
            user_id: r("B-2"),
            role: Role::Billing,
            permissions: EffectivePermissions::compute(Role::Billing, &[], &steps),
        };
        assert!(matches!(
            on(ReadyForBilling, &Action::Invoice, &viewer),
            Err(LifecycleError::MissingPermission { .. })
        ));
        // Bypass: Admin only, with a reason, to a different status.
        let bypass = Action::AdminBypass {
            to: ReadyForBilling,
            reason: r("fix"),
        };
        assert!(matches!(
            on(PendingAdminReview, &bypass, &actor("S-1", Role::Sales)),
            Err(LifecycleError::MissingPermission { .. })
        ));
        assert_eq!(
            on(ReadyForBilling, &bypass, &actor("AD-1", Role::Admin)),
            Err(LifecycleError::NoChange {
                status: ReadyForBilling
            })
        );
    }

    #[test]
    fn terminal_statuses_are_final_even_for_bypass() {
        let admin = actor("AD-1", Role::Admin);
        for t in [Rejected, Cancelled, Delivered, ReturnedToWarehouse] {
            let e = on(
                t,
                &Action::AdminBypass {
                    to: PendingPacking,
                    reason: r("reopen"),
                },
                &admin,
            );
            assert_eq!(e, Err(LifecycleError::Terminal { status: t }));
        }
    }

    #[test]
    fn bypass_keeps_stock_consistent() {
        use OrderType::{Clearance, Sales};
        let partial = StockEffect::Reserve(ShortagePolicy::AllowPartial);
        // (bypass to, stock held, order type, the stock effect)
        for (to, held, kind, want) in [
            (Cancelled, true, Sales, StockEffect::Release),
            (Cancelled, false, Sales, StockEffect::None),
            (PendingQualityControl, false, Sales, partial),
            (PendingWhSelection, true, Sales, StockEffect::Release),
            (PendingWhSelection, true, Clearance, StockEffect::None),
            (ReadyForBilling, true, Sales, StockEffect::None),
        ] {
            let got = bypass_effect(to, held, kind);
            assert_eq!(got, want, "to {to}, holding stock: {held}, {kind:?}");
        }
    }

    #[test]
    fn outcome_builds_the_history_entry() {
        let o = on(
            PendingCreditApproval,
            &Action::CreditHold {
                reason: r("awaiting cheque"),
            },
            &actor("CC-1", Role::CreditControl),
        )
        .unwrap();
        let h = o.status_change(Timestamp::parse("2026-03-01T10:00:00Z").unwrap(), None);
        assert_eq!(h.status, "On Hold");
        assert_eq!(h.from.as_deref(), Some("Pending Credit Approval"));
        assert_eq!(h.actor_id.as_deref(), Some("CC-1"));
        assert_eq!(h.actor_role.as_deref(), Some("Credit Control"));
        assert_eq!(h.reason.as_deref(), Some("awaiting cheque"));
        assert_eq!(h.step.as_deref(), Some("credit_hold"));
        assert!(o.record.contains(&Record::CreditSnapshot));
    }

    fn arb_action() -> impl Strategy<Value = Action> {
        let statuses = OrderStatus::ALL.to_vec();
        prop_oneof![
            Just(Action::CreditApprove { reason: None }),
            Just(Action::CreditHold { reason: r("x") }),
            Just(Action::CreditReject { reason: r("x") }),
            Just(Action::ReleaseHold),
            Just(Action::Cancel { reason: r("x") }),
            Just(Action::EditItems),
            any::<bool>().prop_map(|p| Action::AssignWarehouse {
                shortage: if p {
                    ShortagePolicy::AllowPartial
                } else {
                    ShortagePolicy::RefuseOnShortage
                }
            }),
            any::<bool>().prop_map(|complete| Action::Pack { complete }),
            Just(Action::SendBackToWarehouseSelection),
            Just(Action::QcPass),
            Just(Action::QcFail { remarks: r("x") }),
            any::<bool>().prop_map(|high_cost_alert| Action::LogisticsCost { high_cost_alert }),
            Just(Action::AdminReviewApprove),
            Just(Action::AdminReviewReject { reason: r("x") }),
            Just(Action::Invoice),
            Just(Action::Dispatch),
            Just(Action::OutForDelivery),
            Just(Action::Deliver),
            Just(Action::PartAccept),
            Just(Action::ReturnToWarehouse),
            Just(Action::ReopenBackorder),
            proptest::sample::select(statuses)
                .prop_map(|to| Action::AdminBypass { to, reason: r("x") }),
        ]
    }

    proptest! {
        /// Runs random action sequences with an actor who holds every permission and is also
        /// the assigned driver, tracking the reservation flag as the caller would.
        #[test]
        fn terminal_is_final_and_stock_is_released_at_most_once(
            actions in proptest::collection::vec(arb_action(), 1..40),
            clearance in any::<bool>(),
        ) {
            let kind = if clearance { OrderType::Clearance } else { OrderType::Sales };
            let omni = actor("DRV-1", Role::Admin);
            let mut status = PendingCreditApproval;
            let mut reserved = clearance;
            let mut reservations = usize::from(clearance);
            let mut releases = 0usize;
            for a in &actions {
                let c = OrderContext { status, kind, salesperson_id: Some("S-1"), delivery_agent_id: Some("DRV-1"), stock_reserved: reserved };
                match transition(&c, a, &omni) {
                    Ok(o) => {
                        prop_assert!(!status.is_terminal(), "left terminal {status} via {a:?}");
                        match o.stock {
                            StockEffect::Reserve(_) => { prop_assert!(!reserved, "double reserve"); reserved = true; reservations += 1; }
                            StockEffect::Release | StockEffect::RestockReturns => { prop_assert!(reserved, "release without stock"); reserved = false; releases += 1; }
                            StockEffect::ReleaseThenReserve => { prop_assert!(reserved); releases += 1; reservations += 1; }
                            StockEffect::Consume => { prop_assert!(reserved); reserved = false; }
                            StockEffect::None => {}
                        }
                        prop_assert!(releases <= reservations, "released more often than reserved");
                        status = o.to;
                    }
                    Err(e) => {
                        if status.is_terminal() {
                            prop_assert_eq!(e, LifecycleError::Terminal { status });
                        }
                    }
                }
            }
            if status.is_terminal() {
                prop_assert!(!reserved, "terminal {} still holds stock", status);
            }
        }
    }

    /// `available` is `transition` dry-run: who may do what on a credit-queue order, and
    /// that the booker is never offered her own approval.
    #[test]
    fn available_steps_follow_the_transition_rules() {
        let steps = |o: &OrderContext<'_>, a: &ActorContext| -> Vec<(&'static str, OrderStatus)> {
            available(o, a)
                .into_iter()
                .map(|(_, o)| (o.step, o.to))
                .collect()
        };
        let pca = ctx(PendingCreditApproval);
        let cc = steps(&pca, &actor("CC-1", Role::CreditControl));
        assert!(
            cc.contains(&("credit_approve", PendingWhSelection)),
            "{cc:?}"
        );
        assert!(cc.contains(&("credit_hold", OnHold)), "{cc:?}");
        assert!(cc.contains(&("credit_reject", Rejected)), "{cc:?}");
        let own = steps(&pca, &actor("S-1", Role::Sales));
        assert!(!own.iter().any(|(s, _)| *s == "credit_approve"), "{own:?}");
        assert!(
            steps(&ctx(Delivered), &actor("AD-1", Role::Admin)).is_empty(),
            "a closed order offers nothing"
        );
        let drv = steps(&ctx(InTransit), &actor("DRV-1", Role::DeliveryTeam));
        assert!(drv.contains(&("deliver", Delivered)), "{drv:?}");
        assert!(
            steps(&ctx(InTransit), &actor("DRV-2", Role::DeliveryTeam)).is_empty(),
            "another agent's delivery is not offered"
        );
    }
}
