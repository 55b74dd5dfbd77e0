//! `customers`: distributors, retailers, HoReCa and modern-trade accounts, with the credit
//! figures imported from the ERP's OD master (domain.md §1.2, §2.8).

use crate::types::{Money, Timestamp, null_as_default};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Overdue amounts by days past due, with the nine legacy keys exactly as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgingBuckets {
    #[serde(rename = "0 to 7", default, deserialize_with = "null_as_default")]
    pub d0_7: Money,
    #[serde(rename = "7 to 15", default, deserialize_with = "null_as_default")]
    pub d7_15: Money,
    #[serde(rename = "15 to 30", default, deserialize_with = "null_as_default")]
    pub d15_30: Money,
    #[serde(rename = "30 to 45", default, deserialize_with = "null_as_default")]
    pub d30_45: Money,
    #[serde(rename = "45 to 90", default, deserialize_with = "null_as_default")]
    pub d45_90: Money,
    #[serde(rename = "90 to 120", default, deserialize_with = "null_as_default")]
    pub d90_120: Money,
    #[serde(rename = "120 to 150", default, deserialize_with = "null_as_default")]
    pub d120_150: Money,
    #[serde(rename = "150 to 180", default, deserialize_with = "null_as_default")]
    pub d150_180: Money,
    #[serde(rename = ">180", default, deserialize_with = "null_as_default")]
    pub over_180: Money,
}

impl AgingBuckets {
    pub const LABELS: [&'static str; 9] = [
        "0 to 7",
        "7 to 15",
        "15 to 30",
        "30 to 45",
        "45 to 90",
        "90 to 120",
        "120 to 150",
        "150 to 180",
        ">180",
    ];

    /// The buckets in ascending age order, paired with their legacy labels.
    pub fn as_array(&self) -> [Money; 9] {
        [
            self.d0_7,
            self.d7_15,
            self.d15_30,
            self.d30_45,
            self.d45_90,
            self.d90_120,
            self.d120_150,
            self.d150_180,
            self.over_180,
        ]
    }

    pub fn total(&self) -> Money {
        self.as_array().into_iter().sum()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: String,
    pub name: String,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub customer_type: Option<String>,
    /// Legacy alias of `osBalance`; both are written so old readers agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outstanding: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_balance: Option<Money>,
    /// Legacy alias of `odAmt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub od_amt: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ageing_days: Option<i64>,
    /// Legacy limit field; `limit` wins when both are present (§6.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_limit: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_chq_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_chq: Option<String>,
    /// e.g. `30 days`; the legacy importer lost this (stored it in the dropped `exposureDays`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_days: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_salesperson_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_manager: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_responsible: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constitution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partners: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gst: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fssai: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pan: Option<String>,
    /// State, used as the place of supply for the CGST/SGST vs IGST split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub aging_buckets: AgingBuckets,
    #[serde(default, deserialize_with = "null_as_default")]
    pub diff_yesterday_today: Money,
    /// KYC document links (private blobs); dropped by the legacy schema (D-D1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gst_photo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pan_photo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cheque_photo_url: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub addresses: Vec<DeliveryAddress>,
    /// Orders for a blocked customer are refused at booking and import.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_blocked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

/// One of a customer's delivery addresses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CustomerAddress))]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAddress {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub street: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub pincode: String,
    #[serde(rename = "type", default = "default_address_type")]
    pub address_type: String,
    #[serde(default)]
    pub is_default: bool,
}

fn default_address_type() -> String {
    "Delivery".into()
}

impl Customer {
    /// The OD master's columns before the nine ageing buckets ([`AgingBuckets::LABELS`]), as
    /// the ERP exports them (api.md §5.4.3): the served template and the import tests agree
    /// on them through this one list.
    pub const OD_MASTER_COLUMNS: [&'static str; 13] = [
        "Customer ID",
        "Dist",
        "Sales Manager",
        "Class",
        "Employee respons.",
        "Customer Names",
        "Credit Days",
        "Credit Limit",
        "Security Chq",
        "Dist Channel",
        "O/s Amt",
        "OD Amt",
        "Diffn btw ydy & tday",
    ];

    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        let now = Timestamp::now();
        Customer {
            id: id.into(),
            name: name.into(),
            customer_type: None,
            outstanding: None,
            os_balance: None,
            overdue: None,
            od_amt: None,
            ageing_days: None,
            credit_limit: None,
            limit: None,
            security_chq_status: None,
            security_chq: None,
            credit_days: None,
            assigned_salesperson_id: None,
            sales_manager: None,
            employee_responsible: None,
            status: Some("Active".into()),
            distribution_channel: None,
            customer_class: None,
            location: None,
            email: None,
            address: None,
            phone: None,
            constitution: None,
            partners: None,
            gst: None,
            fssai: None,
            pan: None,
            region: None,
            city: None,
            postal_code: None,
            aging_buckets: AgingBuckets::default(),
            diff_yesterday_today: Money::ZERO,
            gst_photo_url: None,
            pan_photo_url: None,
            cheque_photo_url: None,
            addresses: Vec::new(),
            is_blocked: false,
            created_by: None,
            created_at: Some(now),
            updated_at: Some(now),
            extra: Map::new(),
        }
    }

    /// The credit limit: `limit` (what the importer and UI write) over the legacy
    /// `creditLimit` (what the old credit rules read, D-L9).
    pub fn effective_limit(&self) -> Option<Money> {
        self.limit.or(self.credit_limit)
    }

    /// Outstanding receivable: `osBalance` over the legacy `outstanding`.
    pub fn effective_outstanding(&self) -> Money {
        self.os_balance.or(self.outstanding).unwrap_or(Money::ZERO)
    }

    /// Overdue amount: `odAmt` over the legacy `overdue`.
    pub fn effective_overdue(&self) -> Money {
        self.od_amt.or(self.overdue).unwrap_or(Money::ZERO)
    }

    /// Writes both members of each alias pair so old and new readers agree.
    pub fn set_balances(&mut self, outstanding: Money, overdue: Money) {
        self.os_balance = Some(outstanding);
        self.outstanding = Some(outstanding);
        self.od_amt = Some(overdue);
        self.overdue = Some(overdue);
    }

    pub fn set_limit(&mut self, limit: Money) {
        self.limit = Some(limit);
        self.credit_limit = Some(limit);
    }
}
