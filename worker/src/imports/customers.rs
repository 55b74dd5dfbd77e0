//! Customer / OD master import (api.md §5.4.3): the ERP's daily overdue report, 22 columns
//! in either of the two layouts the old system produced (`CustomerID`, `CustomerName`, …
//! from the template generator; `Customer ID`, `Customer Names`, `O/s Amt`, … from the
//! server template and the app's export). Columns are found by header only.
//!
//! Decisions:
//! * Customer ID and name are both required; the legacy importer copied one into the
//!   other when missing, which created customers named by their code.
//! * The file owns the credit figures it carries: O/s and OD amounts (written to both
//!   legacy alias pairs), the day-on-day difference and the nine ageing buckets, replaced
//!   wholesale each day as in the old system. A blank amount is 0 (nothing outstanding).
//! * Credit limit: the OD master is where limits come from (spec: "`limit` … used by import
//!   and UI"), so a figure in the file is written (`limit` and the legacy `creditLimit`).
//!   A **blank** limit never clears a stored one: an empty cell must not turn a limited
//!   customer into an unlimited one.
//! * Credit days keep the legacy text form (`30 days`); the legacy importer lost them in an
//!   undeclared field.
//! * Never written by the import: `isBlocked`, `status`, the assigned salesperson, KYC
//!   documents and numbers, addresses, region and contact details — they are decided in the
//!   app, not in the ERP export.

use super::ImportContext;
use super::cells::{self, CellIssue};
use super::masters::{Field, MasterRow, Notes, any_of, field, non_negative_money, required, set};
use super::sheet::{Column, Layout, Row};
use calamine::Data;
use nexus_core::model::{AgingBuckets, Customer, EntityType};
use nexus_core::store::Filter;
use nexus_core::types::Money;
use serde_json::Value;

/// The nine bucket columns, in the model's order.
const BUCKET_KEYS: [&str; 9] = [
    "b0_7", "b7_15", "b15_30", "b30_45", "b45_90", "b90_120", "b120_150", "b150_180", "b180",
];

const COLUMNS: &[Column] = &[
    Column::required(
        "id",
        "Customer ID",
        &["CustomerID", "Customer Code", "Cust ID", "Cust Code"],
    ),
    Column::required(
        "name",
        "Customer Names",
        &["CustomerName", "Customer Name", "Cust Name"],
    ),
    Column::optional("location", "Dist", &["Location", "District"]),
    Column::optional("salesManager", "Sales Manager", &["SalesManager"]),
    Column::optional("class", "Class", &["Customer Class"]),
    Column::optional(
        "employee",
        "Employee respons.",
        &["EmpResponsible", "Employee Responsible", "Emp Resp"],
    ),
    Column::optional(
        "creditDays",
        "Credit Days",
        &["CreditDays", "Cr Days", "Cr.Days"],
    ),
    Column::optional(
        "limit",
        "Credit Limit",
        &["CreditLimit", "Cr Limit", "Cr.Limit"],
    ),
    Column::optional(
        "securityChq",
        "Security Chq",
        &["SecurityChq", "Sec Chq", "Security Cheque"],
    ),
    Column::optional(
        "channel",
        "Dist Channel",
        &["DistChannel", "Distribution Channel"],
    ),
    Column::optional(
        "os",
        "O/s Amt",
        &["OsAmt", "OS Amount", "Outstanding", "OS Balance"],
    ),
    Column::optional("od", "OD Amt", &["OdAmt", "OD Amount", "Overdue"]),
    Column::optional(
        "diff",
        "Diffn btw ydy & tday",
        &["Diff", "Diff btw ydy & tday", "Difference"],
    ),
    Column::optional("b0_7", "0 to 7", &["0-7"]),
    Column::optional("b7_15", "7 to 15", &["7-15"]),
    Column::optional("b15_30", "15 to 30", &["15-30"]),
    Column::optional("b30_45", "30 to 45", &["30-45"]),
    Column::optional("b45_90", "45 to 90", &["45-90"]),
    Column::optional("b90_120", "90 to 120", &["90-120"]),
    Column::optional("b120_150", "120 to 150", &["120-150"]),
    Column::optional("b150_180", "150 to 180", &["150-180"]),
    Column::optional("b180", ">180", &["Above 180", "180+"]),
];

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CustomerRow {
    id: String,
    name: String,
    location: Field<String>,
    sales_manager: Field<String>,
    class: Field<String>,
    employee: Field<String>,
    credit_days: Field<String>,
    limit: Option<Money>,
    security_chq: Field<String>,
    channel: Field<String>,
    os: Field<Money>,
    od: Field<Money>,
    diff: Field<Money>,
    buckets: Option<[Money; 9]>,
}

fn amount(cell: &Data) -> Result<Option<Money>, CellIssue> {
    Ok(cells::number(cell)?.map(|d| Money::new(d).round2()))
}

/// `30`, `30 days` → `30 days` (the form the app writes and reads).
fn credit_days(cell: &Data) -> Result<Option<String>, CellIssue> {
    match cells::whole_number(cell)? {
        Some(d) if !(0..=365).contains(&d) => Err(CellIssue(format!("{d} days is outside 0–365"))),
        Some(d) => Ok(Some(format!("{d} days"))),
        None => Ok(None),
    }
}

impl MasterRow for CustomerRow {
    type Doc = Customer;
    const LAYOUT: Layout = Layout {
        what: "customer / OD master",
        sheet_names: &["Customer Import Template", "Customer Master", "OD Master"],
        columns: COLUMNS,
    };
    const ENTITY: EntityType = EntityType::Customer;
    const KEY_TITLE: &'static str = "Customer ID";

    fn parse(row: &Row<'_>, _notes: &mut Notes) -> Result<Self, String> {
        let l = &Self::LAYOUT;
        let buckets = if BUCKET_KEYS.iter().any(|k| row.has(k)) {
            let mut b = [Money::ZERO; 9];
            for (slot, key) in b.iter_mut().zip(BUCKET_KEYS) {
                *slot = field(row, l, key, amount)?.flatten().unwrap_or(Money::ZERO);
            }
            Some(b)
        } else {
            None
        };
        Ok(CustomerRow {
            id: required(row, l, "id", cells::code)?,
            name: required(row, l, "name", cells::text)?,
            location: field(row, l, "location", cells::text)?,
            sales_manager: field(row, l, "salesManager", cells::text)?,
            class: field(row, l, "class", cells::text)?,
            employee: field(row, l, "employee", cells::text)?,
            credit_days: field(row, l, "creditDays", credit_days)?,
            limit: field(row, l, "limit", non_negative_money)?.flatten(),
            security_chq: field(row, l, "securityChq", cells::text)?,
            channel: field(row, l, "channel", cells::text)?,
            os: field(row, l, "os", amount)?,
            od: field(row, l, "od", amount)?,
            diff: field(row, l, "diff", amount)?,
            buckets,
        })
    }

    fn key(&self) -> String {
        self.id.clone()
    }

    fn raw_key(row: &Row<'_>) -> Option<String> {
        cells::code(row.get("id")).ok().flatten()
    }

    fn lookup(keys: Vec<Value>) -> Filter {
        any_of("id", keys)
    }

    fn keys_of(doc: &Customer) -> Vec<String> {
        vec![doc.id.clone()]
    }

    fn create(&self, ctx: &ImportContext<'_>) -> Customer {
        let mut c = Customer::new(self.id.clone(), self.name.clone());
        c.created_at = Some(ctx.now);
        c.updated_at = Some(ctx.now);
        c.created_by = Some(ctx.requested_by.to_string());
        self.apply(&mut c);
        c
    }

    fn apply(&self, c: &mut Customer) {
        c.name = self.name.clone();
        set(&mut c.location, &self.location);
        set(&mut c.sales_manager, &self.sales_manager);
        set(&mut c.customer_class, &self.class);
        set(&mut c.employee_responsible, &self.employee);
        set(&mut c.credit_days, &self.credit_days);
        set(&mut c.distribution_channel, &self.channel);
        if let Some(chq) = &self.security_chq {
            // The legacy default for "no cheque held".
            c.security_chq = Some(chq.clone().unwrap_or_else(|| "-".into()));
        }
        if let Some(limit) = self.limit {
            c.set_limit(limit);
        }
        if self.os.is_some() || self.od.is_some() {
            let os = self
                .os
                .map_or(c.effective_outstanding(), |v| v.unwrap_or(Money::ZERO));
            let od = self
                .od
                .map_or(c.effective_overdue(), |v| v.unwrap_or(Money::ZERO));
            c.set_balances(os, od);
        }
        if let Some(diff) = self.diff {
            c.diff_yesterday_today = diff.unwrap_or(Money::ZERO);
        }
        if let Some(b) = self.buckets {
            c.aging_buckets = AgingBuckets {
                d0_7: b[0],
                d7_15: b[1],
                d15_30: b[2],
                d30_45: b[3],
                d45_90: b[4],
                d90_120: b[5],
                d120_150: b[6],
                d150_180: b[7],
                over_180: b[8],
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn credit_days_take_the_app_form() {
        let s = |v: &str| Data::String(v.into());
        assert_eq!(credit_days(&s("30")).unwrap().as_deref(), Some("30 days"));
        assert_eq!(
            credit_days(&s("30 days")).unwrap().as_deref(),
            Some("30 days")
        );
        assert!(credit_days(&s("400")).is_err());
        assert_eq!(
            amount(&s("(1,234.50)")).unwrap(),
            Some(Money::new(Decimal::new(-123450, 2)))
        );
        assert!(non_negative_money(&s("-5")).is_err());
    }
}
