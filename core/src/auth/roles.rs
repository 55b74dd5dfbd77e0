//! The 18 stored roles (domain.md §4.1), plus `NSM`, which the old route guards named but
//! could never be stored; the rewrite makes it a real role so the sales hierarchy has a top.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Admin,
    Nsm,
    Rsm,
    Asm,
    Sales,
    SalesExecutive,
    CreditControl,
    WhManager,
    WhHouse,
    Warehouse,
    QcHead,
    LogisticsLead,
    LogisticsTeam,
    Billing,
    AtlExecutive,
    HubLead,
    DeliveryTeam,
    Procurement,
    ProcurementHead,
}

impl Role {
    pub const ALL: [Role; 19] = [
        Role::Admin,
        Role::Nsm,
        Role::Rsm,
        Role::Asm,
        Role::Sales,
        Role::SalesExecutive,
        Role::CreditControl,
        Role::WhManager,
        Role::WhHouse,
        Role::Warehouse,
        Role::QcHead,
        Role::LogisticsLead,
        Role::LogisticsTeam,
        Role::Billing,
        Role::AtlExecutive,
        Role::HubLead,
        Role::DeliveryTeam,
        Role::Procurement,
        Role::ProcurementHead,
    ];

    /// The exact string stored in `users.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Nsm => "NSM",
            Role::Rsm => "RSM",
            Role::Asm => "ASM",
            Role::Sales => "Sales",
            Role::SalesExecutive => "Sales Executive",
            Role::CreditControl => "Credit Control",
            Role::WhManager => "WH Manager",
            Role::WhHouse => "WH House",
            Role::Warehouse => "Warehouse",
            Role::QcHead => "QC Head",
            Role::LogisticsLead => "Logistics Lead",
            Role::LogisticsTeam => "Logistics Team",
            Role::Billing => "Billing",
            Role::AtlExecutive => "ATL Executive",
            Role::HubLead => "Hub Lead",
            Role::DeliveryTeam => "Delivery Team",
            Role::Procurement => "Procurement",
            Role::ProcurementHead => "Procurement Head",
        }
    }

    /// Reads a stored role. Exact strings first; then the legacy and prototype labels that
    /// old documents and seed scripts used (`Logistics`, `Quality Control`, `Billing Team` …),
    /// case- and spacing-insensitively. Unknown strings are an error, never a silent `Sales`
    /// (the Flutter client's defect D-D10).
    pub fn parse(s: &str) -> Option<Role> {
        let norm: String = s
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        if let Some(r) = Role::ALL
            .into_iter()
            .find(|r| r.as_str().to_ascii_lowercase() == norm)
        {
            return Some(r);
        }
        Some(match norm.as_str() {
            "logistics" => Role::LogisticsTeam,
            "quality control" | "qc" | "quality and production head" => Role::QcHead,
            "billing team" => Role::Billing,
            "warehouse/packing" | "wh" | "warehouse team" => Role::Warehouse,
            "procurement team" => Role::Procurement,
            "approving authority" | "finance" => Role::CreditControl,
            "sales exec" => Role::SalesExecutive,
            _ => return None,
        })
    }

    /// The default approver flag at user creation (domain.md §1.1).
    pub fn default_is_approver(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::CreditControl | Role::ProcurementHead
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Role::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown role `{s}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_and_legacy_strings() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("credit  control"), Some(Role::CreditControl));
        assert_eq!(Role::parse("Logistics"), Some(Role::LogisticsTeam));
        assert_eq!(Role::parse("Chairman"), None);
    }
}
