//! The 13 permission keys of the legacy `users.permissions` array (domain.md §4.5), and
//! `credit_override`, added by the rewrite for approvals that fail the credit check. In the
//! rewrite they are the authorisation input the server checks; role defaults come from
//! the legacy migration map (§4.1).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    ViewOrders,
    CreateOrders,
    ApproveCredit,
    ManageWarehouse,
    QualityControl,
    LogisticsCosting,
    Invoicing,
    FleetLoading,
    Delivery,
    Procurement,
    AdminBypass,
    UserManagement,
    MasterData,
    /// Approve an order that fails the credit check (over the limit, cash-only account),
    /// with a reason. Nobody's role grants it but Admin's: it is given per user.
    CreditOverride,
}

impl Permission {
    pub const ALL: [Permission; 14] = [
        Permission::ViewOrders,
        Permission::CreateOrders,
        Permission::ApproveCredit,
        Permission::ManageWarehouse,
        Permission::QualityControl,
        Permission::LogisticsCosting,
        Permission::Invoicing,
        Permission::FleetLoading,
        Permission::Delivery,
        Permission::Procurement,
        Permission::AdminBypass,
        Permission::UserManagement,
        Permission::MasterData,
        Permission::CreditOverride,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ViewOrders => "view_orders",
            Permission::CreateOrders => "create_orders",
            Permission::ApproveCredit => "approve_credit",
            Permission::ManageWarehouse => "manage_warehouse",
            Permission::QualityControl => "quality_control",
            Permission::LogisticsCosting => "logistics_costing",
            Permission::Invoicing => "invoicing",
            Permission::FleetLoading => "fleet_loading",
            Permission::Delivery => "delivery",
            Permission::Procurement => "procurement",
            Permission::AdminBypass => "admin_bypass",
            Permission::UserManagement => "user_management",
            Permission::MasterData => "master_data",
            Permission::CreditOverride => "credit_override",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Permission::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown permission `{s}`")))
    }
}
