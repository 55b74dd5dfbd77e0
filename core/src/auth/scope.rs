//! Which orders an actor may see and act on (domain.md §4.7, rewrite rule), resolved on the
//! server for every list, detail, export and analytics query — the legacy API returned every
//! order to everyone and filtered only the dashboard counters on the client.
//!
//! The scope is a union of grants:
//! * `Admin` and `NSM` see everything;
//! * the sales hierarchy (RSM, ASM, Sales, Sales Executive) with `view_orders` sees the orders
//!   of its own visible-salesperson set: self, plus (RSM/ASM) every subordinate reached
//!   **recursively** through `managerId` — the client's recursive rule, not the audit route's
//!   one-level rule — computed cycle-safely;
//! * any other role with `view_orders` (Credit Control by default) sees everything, as the
//!   DOC matrix gives finance full Live Missions and Archive access;
//! * every step permission adds the statuses of its work queue (a warehouse user sees the
//!   warehouse queue, QC the QC queue …);
//! * `delivery` adds only the orders whose `logistics.deliveryAgentId` is the actor (D-L16).

use super::matrix::{Access, ActorContext};
use super::{Permission, Role};
use crate::model::OrderStatus;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Everyone below `root` in the reporting tree (not `root` itself), following `managerId`
/// downwards. Cycle-safe: each user is visited once, so a loop in the data
/// (A → B → A) ends instead of spinning, and a manager never appears as their own report.
pub fn subordinates<'a, I>(root: &str, users: I) -> BTreeSet<String>
where
    I: IntoIterator<Item = (&'a str, Option<&'a str>)>,
{
    let mut reports: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, manager) in users {
        if let Some(m) = manager.filter(|m| !m.is_empty() && *m != id) {
            reports.entry(m).or_default().push(id);
        }
    }
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<&str> = VecDeque::from([root]);
    while let Some(m) = queue.pop_front() {
        for r in reports.get(m).into_iter().flatten() {
            if *r != root && seen.insert(r.to_string()) {
                queue.push_back(r);
            }
        }
    }
    seen
}

/// The statuses of each step's work queue.
pub fn queue_statuses(p: Permission) -> &'static [OrderStatus] {
    use OrderStatus::*;
    match p {
        Permission::ApproveCredit => &[PendingCreditApproval, OnHold],
        // Part Accepted: the warehouse decides whether the undelivered rest is re-attempted.
        Permission::ManageWarehouse => &[
            PendingWhSelection,
            PendingPacking,
            PartPacked,
            Backorder,
            PartAccepted,
        ],
        Permission::QualityControl => &[PendingQualityControl],
        Permission::LogisticsCosting => &[PendingLogisticsCost],
        Permission::Invoicing => &[ReadyForBilling],
        // The hub follows what it loaded until it is delivered.
        Permission::FleetLoading => &[ReadyForDispatch, InTransit, OutForDelivery],
        Permission::AdminBypass => &[PendingAdminReview],
        _ => &[],
    }
}

fn is_sales_hierarchy(role: Role) -> bool {
    matches!(
        role,
        Role::Rsm | Role::Asm | Role::Sales | Role::SalesExecutive
    )
}

/// The resolved visibility of one actor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderScope {
    pub all: bool,
    /// Orders whose `salespersonId` is in this set.
    pub salespeople: BTreeSet<String>,
    /// Orders in these statuses (work queues).
    pub statuses: BTreeSet<OrderStatus>,
    /// Orders whose `logistics.deliveryAgentId` equals this id.
    pub delivery_agent: Option<String>,
}

/// Resolves an actor's scope. `subordinates` is the precomputed [`subordinates`] set of the
/// actor (only read for RSM/ASM).
pub fn order_scope(actor: &ActorContext, subordinates: &BTreeSet<String>) -> OrderScope {
    let mut s = OrderScope::default();
    if matches!(actor.role, Role::Admin | Role::Nsm) {
        s.all = true;
        return s;
    }
    let perms = &actor.permissions;
    if perms.allows(Permission::ViewOrders, Access::View) {
        if is_sales_hierarchy(actor.role) {
            s.salespeople.insert(actor.user_id.clone());
            if matches!(actor.role, Role::Rsm | Role::Asm) {
                s.salespeople.extend(subordinates.iter().cloned());
            }
        } else {
            s.all = true;
            return s;
        }
    } else if perms.allows(Permission::CreateOrders, Access::View) {
        // Someone who can book can always see what they booked.
        s.salespeople.insert(actor.user_id.clone());
    }
    for (p, _) in perms.granted() {
        s.statuses.extend(queue_statuses(p).iter().copied());
    }
    if perms.allows(Permission::Delivery, Access::View) {
        s.delivery_agent = Some(actor.user_id.clone());
    }
    s
}

/// The facts about an order that visibility depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFacts<'a> {
    pub salesperson_id: Option<&'a str>,
    pub status: OrderStatus,
    pub delivery_agent_id: Option<&'a str>,
}

impl<'a> OrderFacts<'a> {
    pub fn of(order: &'a crate::model::order::Order) -> Self {
        OrderFacts {
            salesperson_id: order.salesperson_id.as_deref(),
            status: order.status,
            delivery_agent_id: order
                .logistics
                .as_ref()
                .and_then(|l| l.delivery_agent_id.as_deref()),
        }
    }
}

impl OrderScope {
    pub fn contains(&self, o: &OrderFacts<'_>) -> bool {
        self.all
            || o.salesperson_id
                .is_some_and(|s| self.salespeople.contains(s))
            || self.statuses.contains(&o.status)
            || matches!((&self.delivery_agent, o.delivery_agent_id), (Some(me), Some(agent)) if me == agent)
    }
}

/// May the actor see this order?
pub fn can_see_order(
    actor: &ActorContext,
    subordinates: &BTreeSet<String>,
    order: &OrderFacts<'_>,
) -> bool {
    order_scope(actor, subordinates).contains(order)
}

/// May the actor change this order at all? It must be visible, and the actor must hold
/// `Full` on something that applies to it: the step permission of its current queue, the
/// booking permission for orders in their sales set, delivery for their own deliveries, or
/// `admin_bypass`. Which change is allowed is the lifecycle's decision
/// (`rules::lifecycle::transition`).
pub fn can_change_order(
    actor: &ActorContext,
    subordinates: &BTreeSet<String>,
    order: &OrderFacts<'_>,
) -> bool {
    if !can_see_order(actor, subordinates, order) {
        return false;
    }
    let perms = &actor.permissions;
    if perms.allows(Permission::AdminBypass, Access::Full) {
        return true;
    }
    let full_queue = perms
        .granted()
        .any(|(p, l)| l == Access::Full && queue_statuses(p).contains(&order.status));
    let scope = order_scope(actor, subordinates);
    let own_sales = perms.allows(Permission::CreateOrders, Access::Full)
        && order
            .salesperson_id
            .is_some_and(|s| scope.salespeople.contains(s));
    let own_delivery = perms.allows(Permission::Delivery, Access::Full)
        && order.delivery_agent_id == Some(actor.user_id.as_str());
    full_queue || own_sales || own_delivery
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::matrix::EffectivePermissions;

    fn tree() -> Vec<(&'static str, Option<&'static str>)> {
        vec![
            ("NSM-1", None),
            ("RSM-1", Some("NSM-1")),
            ("ASM-1", Some("RSM-1")),
            ("ASM-2", Some("RSM-1")),
            ("S-1", Some("ASM-1")),
            ("S-2", Some("ASM-1")),
            ("S-3", Some("ASM-2")),
            ("S-9", Some("OTHER-ASM")),
        ]
    }

    fn facts(sp: &'static str, st: OrderStatus) -> OrderFacts<'static> {
        OrderFacts {
            salesperson_id: Some(sp),
            status: st,
            delivery_agent_id: None,
        }
    }

    #[test]
    fn rsm_sees_recursive_team_asm_sees_own_branch() {
        let rsm = subordinates("RSM-1", tree());
        assert_eq!(
            rsm,
            ["ASM-1", "ASM-2", "S-1", "S-2", "S-3"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        );
        let asm = subordinates("ASM-1", tree());
        assert_eq!(asm.len(), 2);
        let actor = ActorContext::with_role("ASM-1", Role::Asm);
        assert!(can_see_order(
            &actor,
            &asm,
            &facts("S-2", OrderStatus::Delivered)
        ));
        assert!(can_see_order(
            &actor,
            &asm,
            &facts("ASM-1", OrderStatus::Delivered)
        ));
        assert!(!can_see_order(
            &actor,
            &asm,
            &facts("S-3", OrderStatus::Delivered)
        ));
        assert!(!can_see_order(
            &actor,
            &asm,
            &facts("S-9", OrderStatus::PendingCreditApproval)
        ));
    }

    #[test]
    fn a_cycle_in_manager_ids_terminates() {
        let users = vec![
            ("A", Some("B")),
            ("B", Some("C")),
            ("C", Some("A")),
            ("D", Some("C")),
            ("E", Some("E")),
        ];
        let subs = subordinates("A", users.clone());
        assert_eq!(
            subs,
            ["B", "C", "D"].iter().map(|s| s.to_string()).collect()
        );
        assert!(!subs.contains("A"));
        assert!(
            subordinates("E", users).is_empty(),
            "self-management is ignored"
        );
    }

    #[test]
    fn sales_sees_only_own_orders_admin_and_nsm_see_all() {
        let none = BTreeSet::new();
        let sales = ActorContext::with_role("S-1", Role::Sales);
        assert!(can_see_order(
            &sales,
            &none,
            &facts("S-1", OrderStatus::InTransit)
        ));
        assert!(!can_see_order(
            &sales,
            &none,
            &facts("S-2", OrderStatus::PendingCreditApproval)
        ));
        for role in [Role::Admin, Role::Nsm] {
            let a = ActorContext::with_role("X", role);
            assert!(can_see_order(
                &a,
                &none,
                &facts("S-2", OrderStatus::Cancelled)
            ));
        }
        let cc = ActorContext::with_role("CC-1", Role::CreditControl);
        assert!(can_see_order(
            &cc,
            &none,
            &facts("S-2", OrderStatus::Delivered)
        ));
    }

    #[test]
    fn operational_roles_see_their_queue() {
        let none = BTreeSet::new();
        let wh = ActorContext::with_role("WH-1", Role::Warehouse);
        assert!(can_see_order(
            &wh,
            &none,
            &facts("S-1", OrderStatus::PendingPacking)
        ));
        assert!(can_see_order(
            &wh,
            &none,
            &facts("S-1", OrderStatus::Backorder)
        ));
        assert!(!can_see_order(
            &wh,
            &none,
            &facts("S-1", OrderStatus::ReadyForBilling)
        ));
        let billing = ActorContext::with_role("B-1", Role::Billing);
        assert!(can_see_order(
            &billing,
            &none,
            &facts("S-1", OrderStatus::ReadyForBilling)
        ));
        assert!(can_change_order(
            &billing,
            &none,
            &facts("S-1", OrderStatus::ReadyForBilling)
        ));
        let proc = ActorContext::with_role("P-1", Role::Procurement);
        assert!(!can_see_order(
            &proc,
            &none,
            &facts("S-1", OrderStatus::PendingPacking)
        ));
    }

    #[test]
    fn drivers_see_only_their_own_deliveries() {
        let none = BTreeSet::new();
        let driver = ActorContext::with_role("DRV-1", Role::DeliveryTeam);
        let mine = OrderFacts {
            salesperson_id: Some("S-1"),
            status: OrderStatus::InTransit,
            delivery_agent_id: Some("DRV-1"),
        };
        let theirs = OrderFacts {
            delivery_agent_id: Some("DRV-2"),
            ..mine
        };
        let unassigned = OrderFacts {
            delivery_agent_id: None,
            ..mine
        };
        assert!(can_see_order(&driver, &none, &mine));
        assert!(can_change_order(&driver, &none, &mine));
        assert!(!can_see_order(&driver, &none, &theirs));
        assert!(!can_see_order(&driver, &none, &unassigned));
        // The hub sees every loaded order.
        let hub = ActorContext::with_role("HUB-1", Role::HubLead);
        assert!(can_see_order(&hub, &none, &theirs));
    }

    #[test]
    fn view_only_steps_see_but_cannot_change() {
        let none = BTreeSet::new();
        let mut steps = BTreeMap::new();
        steps.insert("QC".to_string(), "view".to_string());
        let qc = ActorContext {
            user_id: "QC-1".into(),
            role: Role::QcHead,
            permissions: EffectivePermissions::compute(Role::QcHead, &[], &steps),
        };
        let o = facts("S-1", OrderStatus::PendingQualityControl);
        assert!(can_see_order(&qc, &none, &o));
        assert!(!can_change_order(&qc, &none, &o));
        let sales = ActorContext::with_role("S-1", Role::Sales);
        // The owner passes this coarse check; the lifecycle then refuses what is not theirs to do.
        assert!(can_change_order(&sales, &none, &o));
    }
}
