//! The permission matrix: role defaults, the user's own grants and the `stepAccess` levels,
//! combined into one effective level per permission (domain.md §4.1, §4.5, §4.8).
//!
//! The rewrite follows the recommendation of §4.8: permissions are the only authorisation
//! input on the server; roles only supply defaults; `stepAccess` keys map to one
//! permission each with three levels.
//!
//! Precedence, in order:
//! 1. `Admin` has every permission at `Full` (legacy "Admin ⇒ everything"); nothing revokes it.
//! 2. A user who is not `Active` has nothing (the legacy login ignored the status, D-S7).
//! 3. Otherwise the level starts at `Full` for the role's defaults ∪ the user's
//!    `permissions[]`, else `None`.
//! 4. A `stepAccess` entry for a step mapped to the permission then **overrides** it, both
//!    ways: `no` revokes, `view` leaves read-only access, `full` grants (the legacy tile rule,
//!    where an entry beat the role default). When two steps map to the same permission
//!    (`Warehouse` and `Packing` → `manage_warehouse`) the most restrictive entry wins, so an
//!    explicit restriction is never silently undone by the sibling tile (fail closed).

use super::{Permission, Role};
use crate::model::user::User;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Access level on one permission. Ordered: `None < View < Full`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    #[default]
    None,
    /// Read endpoints of the step only.
    View,
    Full,
}

impl Access {
    /// Reads a stored `stepAccess` value. The legacy admin screen cycled `no` → `view` →
    /// `full` but nothing validated the map; clear refusals (`no`, `none`, `false`, `0`, empty)
    /// revoke, clear grants (`full`, `yes`, `true`, `edit`) grant, and anything else reads as
    /// `View` — the legacy client showed the tile for any value but `no`, and read-only is
    /// the safe reading of an unknown value.
    pub fn parse_step_value(s: &str) -> Access {
        match s.trim().to_ascii_lowercase().as_str() {
            "no" | "none" | "false" | "0" | "" => Access::None,
            "full" | "yes" | "true" | "edit" => Access::Full,
            _ => Access::View,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Access::None => "no",
            Access::View => "view",
            Access::Full => "full",
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name the API extractors use for the level a route needs.
pub type AccessLevel = Access;

/// Role defaults: the legacy migration map (§4.1), extended where it was silent.
///
/// Decisions:
/// * `Sales Executive`, `ASM`, `RSM` and `NSM` get what `Sales` gets (`view_orders`,
///   `create_orders`): they book orders and see their team's (scope decides how far). They do
///   **not** get `approve_credit` by default — credit approval is finance's step in §3.7 and the
///   DOC matrix; the legacy "managers can approve anything" was the hole D-S6. A manager who
///   also approves is granted it per user (§4.8 "Sales + credit approval"), and segregation of
///   duties still stops them approving their own orders.
/// * `Hub Lead` also gets `logistics_costing`: §3.7 and the legacy stage-7 tile list the hub
///   lead among the costing roles.
/// * Operational roles keep exactly their step permission; they see the orders of their
///   queue through that permission (see `scope`), not through `view_orders`, which would show
///   them every order.
pub fn role_defaults(role: Role) -> &'static [Permission] {
    use Permission::*;
    match role {
        Role::Admin => &Permission::ALL,
        Role::Nsm | Role::Rsm | Role::Asm | Role::Sales | Role::SalesExecutive => {
            &[ViewOrders, CreateOrders]
        }
        Role::CreditControl => &[ViewOrders, ApproveCredit],
        Role::WhManager => &[ManageWarehouse, QualityControl],
        Role::WhHouse | Role::Warehouse => &[ManageWarehouse],
        Role::QcHead => &[QualityControl],
        Role::LogisticsLead => &[LogisticsCosting, FleetLoading],
        Role::LogisticsTeam => &[LogisticsCosting],
        Role::Billing | Role::AtlExecutive => &[Invoicing],
        Role::HubLead => &[FleetLoading, LogisticsCosting],
        Role::DeliveryTeam => &[Delivery],
        Role::Procurement | Role::ProcurementHead => &[Procurement],
    }
}

/// The dashboard steps whose `stepAccess` entries map onto permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Step {
    Creation,
    PlacedOrder,
    CreditApproval,
    Warehouse,
    Packing,
    Qc,
    LogisticsCost,
    Invoice,
    DispatchLoad,
    DeliveryAck,
}

impl Step {
    pub const ALL: [Step; 10] = [
        Step::Creation,
        Step::PlacedOrder,
        Step::CreditApproval,
        Step::Warehouse,
        Step::Packing,
        Step::Qc,
        Step::LogisticsCost,
        Step::Invoice,
        Step::DispatchLoad,
        Step::DeliveryAck,
    ];

    /// The tile label used as the `stepAccess` key in stored data.
    pub fn label(self) -> &'static str {
        match self {
            Step::Creation => "Creation",
            Step::PlacedOrder => "Placed Order",
            Step::CreditApproval => "Credit Approval",
            Step::Warehouse => "Warehouse",
            Step::Packing => "Packing",
            Step::Qc => "QC",
            Step::LogisticsCost => "Logistics Cost",
            Step::Invoice => "Invoice",
            Step::DispatchLoad => "Dispatch & Load",
            Step::DeliveryAck => "Delivery Ack",
        }
    }

    /// Reads a step key from any of the three legacy vocabularies (§4.5: tile labels, the
    /// team-directory keys, the step-bypass document's labels) or the stable step codes of
    /// §3.1, case- and spacing-insensitively. Unknown keys are ignored by the matrix.
    pub fn parse(s: &str) -> Option<Step> {
        let n = s
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        Some(match n.as_str() {
            "creation" | "new customer" | "customer_onboarding" => Step::Creation,
            "placed order" | "book order" | "order_booking" => Step::PlacedOrder,
            "credit approval" | "credit control" | "credit_approval" => Step::CreditApproval,
            "warehouse" | "warehouse operations" | "wh_selection" => Step::Warehouse,
            "packing" => Step::Packing,
            "qc" | "quality control (qc)" | "quality control" => Step::Qc,
            "logistics cost" | "logistics costing" | "logistics_cost" => Step::LogisticsCost,
            "invoice" | "invoicing" => Step::Invoice,
            "dispatch & load" | "fleet loading (hub)" | "logistics" | "dispatch" => {
                Step::DispatchLoad
            }
            "delivery ack" | "delivery execution" | "delivery" => Step::DeliveryAck,
            _ => return None,
        })
    }

    /// The permission a step's entry controls. `Creation` (onboarding) and booking are both
    /// the sales step; the "Placed Order" tile is the list of booked orders, so it controls
    /// `view_orders`.
    pub fn permission(self) -> Permission {
        match self {
            Step::Creation => Permission::CreateOrders,
            Step::PlacedOrder => Permission::ViewOrders,
            Step::CreditApproval => Permission::ApproveCredit,
            Step::Warehouse | Step::Packing => Permission::ManageWarehouse,
            Step::Qc => Permission::QualityControl,
            Step::LogisticsCost => Permission::LogisticsCosting,
            Step::Invoice => Permission::Invoicing,
            Step::DispatchLoad => Permission::FleetLoading,
            Step::DeliveryAck => Permission::Delivery,
        }
    }
}

/// One access level per permission.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EffectivePermissions(BTreeMap<Permission, Access>);

impl EffectivePermissions {
    /// Everything at `Full` (Admin).
    pub fn all() -> Self {
        EffectivePermissions(Permission::ALL.iter().map(|p| (*p, Access::Full)).collect())
    }

    /// Nothing (inactive users, failed lookups).
    pub fn none() -> Self {
        EffectivePermissions::default()
    }

    /// Combines role defaults, explicit grants and step levels (see the module doc).
    pub fn compute(
        role: Role,
        explicit: &[Permission],
        step_access: &BTreeMap<String, String>,
    ) -> Self {
        if role == Role::Admin {
            return Self::all();
        }
        let mut levels: BTreeMap<Permission, Access> = role_defaults(role)
            .iter()
            .chain(explicit)
            .map(|p| (*p, Access::Full))
            .collect();
        let mut overrides: BTreeMap<Permission, Access> = BTreeMap::new();
        for (key, value) in step_access {
            if let Some(step) = Step::parse(key) {
                let level = Access::parse_step_value(value);
                overrides
                    .entry(step.permission())
                    .and_modify(|l| *l = (*l).min(level))
                    .or_insert(level);
            }
        }
        levels.extend(overrides);
        levels.retain(|_, l| *l > Access::None);
        EffectivePermissions(levels)
    }

    /// The stored user's effective permissions; nothing unless the account is active.
    pub fn for_user(user: &User) -> Self {
        if !user.is_active() {
            return Self::none();
        }
        Self::compute(user.role, &user.permissions, &user.step_access)
    }

    pub fn level(&self, p: Permission) -> Access {
        self.0.get(&p).copied().unwrap_or(Access::None)
    }

    pub fn allows(&self, p: Permission, needed: Access) -> bool {
        self.level(p) >= needed
    }

    /// Permissions held at `View` or better, with their level.
    pub fn granted(&self) -> impl Iterator<Item = (Permission, Access)> + '_ {
        self.0.iter().map(|(p, l)| (*p, *l))
    }
}

/// Who is acting: what every authorisation decision is taken on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorContext {
    pub user_id: String,
    pub role: Role,
    pub permissions: EffectivePermissions,
}

impl ActorContext {
    pub fn from_user(user: &User) -> Self {
        ActorContext {
            user_id: user.id.clone(),
            role: user.role,
            permissions: EffectivePermissions::for_user(user),
        }
    }

    /// An actor with just the role's defaults (tests, system jobs).
    pub fn with_role(user_id: impl Into<String>, role: Role) -> Self {
        ActorContext {
            user_id: user_id.into(),
            role,
            permissions: EffectivePermissions::compute(role, &[], &BTreeMap::new()),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The permission check used by the API extractors: at least `needed` on `p`.
pub fn can(actor: &ActorContext, p: Permission, needed: Access) -> bool {
    actor.permissions.allows(p, needed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn steps(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn migration_map_defaults() {
        let e = |r| EffectivePermissions::compute(r, &[], &BTreeMap::new());
        assert_eq!(e(Role::Admin).granted().count(), 14);
        let sales = e(Role::Sales);
        assert!(sales.allows(Permission::CreateOrders, Access::Full));
        assert!(sales.allows(Permission::ViewOrders, Access::Full));
        assert!(!sales.allows(Permission::ApproveCredit, Access::View));
        assert_eq!(e(Role::SalesExecutive), sales);
        assert_eq!(e(Role::Rsm), sales);
        let cc = e(Role::CreditControl);
        assert!(cc.allows(Permission::ApproveCredit, Access::Full));
        let whm = e(Role::WhManager);
        assert!(
            whm.allows(Permission::ManageWarehouse, Access::Full)
                && whm.allows(Permission::QualityControl, Access::Full)
        );
        assert!(e(Role::WhHouse).allows(Permission::ManageWarehouse, Access::Full));
        assert!(e(Role::HubLead).allows(Permission::LogisticsCosting, Access::Full));
        assert!(e(Role::DeliveryTeam).allows(Permission::Delivery, Access::Full));
        assert_eq!(
            e(Role::ProcurementHead).granted().collect::<Vec<_>>(),
            vec![(Permission::Procurement, Access::Full)]
        );
        for r in Role::ALL {
            assert!(!e(r).allows(Permission::AdminBypass, Access::View) || r == Role::Admin);
        }
    }

    #[test]
    fn explicit_grants_add_to_role_defaults() {
        let e = EffectivePermissions::compute(
            Role::Sales,
            &[Permission::ApproveCredit],
            &BTreeMap::new(),
        );
        assert!(e.allows(Permission::ApproveCredit, Access::Full));
        assert!(e.allows(Permission::CreateOrders, Access::Full));
    }

    #[test]
    fn step_access_no_revokes_view_reads_full_grants() {
        let e = EffectivePermissions::compute(
            Role::Sales,
            &[Permission::ApproveCredit],
            &steps(&[
                ("Creation", "no"),
                ("Credit Approval", "view"),
                ("QC", "full"),
                ("Bogus", "full"),
            ]),
        );
        assert_eq!(e.level(Permission::CreateOrders), Access::None);
        assert_eq!(e.level(Permission::ApproveCredit), Access::View);
        assert!(e.allows(Permission::ApproveCredit, Access::View));
        assert!(!e.allows(Permission::ApproveCredit, Access::Full));
        assert_eq!(e.level(Permission::QualityControl), Access::Full);
        assert_eq!(e.level(Permission::ViewOrders), Access::Full);
    }

    #[test]
    fn sibling_steps_take_the_most_restrictive_entry() {
        let e = EffectivePermissions::compute(
            Role::Warehouse,
            &[],
            &steps(&[("Warehouse", "full"), ("Packing", "view")]),
        );
        assert_eq!(e.level(Permission::ManageWarehouse), Access::View);
        let only_one =
            EffectivePermissions::compute(Role::Warehouse, &[], &steps(&[("Packing", "no")]));
        assert_eq!(only_one.level(Permission::ManageWarehouse), Access::None);
    }

    #[test]
    fn admin_cannot_be_restricted_and_inactive_users_get_nothing() {
        let e =
            EffectivePermissions::compute(Role::Admin, &[], &steps(&[("Credit Approval", "no")]));
        assert_eq!(e.level(Permission::ApproveCredit), Access::Full);
        let mut u = User::new("SALES-001", "Sales One", Role::Sales);
        assert!(EffectivePermissions::for_user(&u).allows(Permission::CreateOrders, Access::Full));
        u.status = crate::model::user::UserStatus::Suspended;
        assert_eq!(
            EffectivePermissions::for_user(&u),
            EffectivePermissions::none()
        );
    }

    #[test]
    fn step_keys_and_values_from_every_vocabulary() {
        assert_eq!(Step::parse("Book Order"), Some(Step::PlacedOrder));
        assert_eq!(Step::parse("fleet loading (hub)"), Some(Step::DispatchLoad));
        assert_eq!(Step::parse("Logistics Costing"), Some(Step::LogisticsCost));
        assert_eq!(Step::parse("credit_approval"), Some(Step::CreditApproval));
        assert_eq!(Step::parse("Stock Transfer"), None);
        for s in Step::ALL {
            assert_eq!(Step::parse(s.label()), Some(s));
        }
        assert_eq!(Access::parse_step_value("FULL"), Access::Full);
        assert_eq!(Access::parse_step_value(" no "), Access::None);
        assert_eq!(Access::parse_step_value("maybe"), Access::View);
    }

    #[test]
    fn can_checks_the_level() {
        let actor = ActorContext::with_role("CC-1", Role::CreditControl);
        assert!(can(&actor, Permission::ApproveCredit, Access::Full));
        assert!(can(&actor, Permission::ViewOrders, Access::View));
        assert!(!can(&actor, Permission::Invoicing, Access::View));
    }

    proptest! {
        #[test]
        fn step_entries_decide_their_permission(role in 0usize..19, step in 0usize..10, v in 0usize..3) {
            let role = Role::ALL[role];
            let step = Step::ALL[step];
            let value = ["no", "view", "full"][v];
            let e = EffectivePermissions::compute(role, &Permission::ALL, &steps(&[(step.label(), value)]));
            let expected = if role == Role::Admin { Access::Full } else { Access::parse_step_value(value) };
            prop_assert_eq!(e.level(step.permission()), expected);
        }
    }
}
