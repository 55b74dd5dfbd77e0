//! C6 payments and C7 ageing: the customer's receivables read from their orders and credit
//! figures. Separate because both are read-only views computed from orders, sharing
//! `customer_orders`.

use super::{READERS, load};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::routes::common::ok_data;
use crate::routes::envelope::Data;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use nexus_core::model::{AgingBuckets, Customer, Order, OrderStatus};
use nexus_core::rules::credit::{self, CreditSnapshot};
use nexus_core::rules::credit::{AgeingLabel, Exposure, OdRisk};
use nexus_core::rules::expiry::today_ist;
use nexus_core::store::{Filter, Query as StoreQuery, TypedStore};
use nexus_core::types::{DateOnly, Money, Timestamp};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// Terms assumed when a customer has none on file: the Flutter client's display default
/// of 15 days (domain.md §1.2).
const DEFAULT_CREDIT_DAYS: i64 = 15;

/// `30 days` → 30; the leading number of the terms text.
fn credit_days(c: &Customer) -> i64 {
    c.credit_days
        .as_deref()
        .map(|s| {
            s.trim()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|d| d.parse().ok())
        .unwrap_or(DEFAULT_CREDIT_DAYS)
}

/// Statuses after invoicing: the order is a receivable.
fn is_invoiced(o: &Order) -> bool {
    use OrderStatus::*;
    o.invoice.is_some()
        || matches!(
            o.status,
            ReadyForDispatch | InTransit | OutForDelivery | Delivered | PartAccepted
        )
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRow {
    /// Invoice date (or, for orders without invoice details, when the order was booked).
    pub date: Timestamp,
    pub order_id: String,
    /// `null` for an order without invoice details.
    #[schema(required = true)]
    pub invoice_no: Option<String>,
    /// Invoice amount.
    pub amount: Money,
    /// Collected at delivery.
    pub paid_amount: Money,
    pub balance: Money,
    pub due_date: DateOnly,
    /// `Paid`, `Part Paid`, `Due` or `Overdue`.
    pub status: String,
    /// Days past the due date (0 when not overdue).
    pub days_overdue: i64,
    /// How the money came in (`Cash on delivery`), when anything was collected; else `null`.
    #[schema(required = true)]
    pub method: Option<String>,
}

/// The three ageing groups of the credit review.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgeingGroups {
    /// `0 to 7` + `7 to 15` + `15 to 30`.
    #[serde(rename = "0-30")]
    pub d0_30: Money,
    /// `30 to 45` + `45 to 90`.
    #[serde(rename = "31-90")]
    pub d31_90: Money,
    /// `90 to 120` and older.
    #[serde(rename = "90+")]
    pub d90_plus: Money,
}

/// A customer's ageing and credit exposure.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerAgeing {
    pub customer_id: String,
    pub customer_name: String,
    /// The nine OD-master buckets, by their legacy labels.
    pub buckets: AgingBuckets,
    pub summary: AgeingGroups,
    pub bucket_total: Money,
    pub total_outstanding: Money,
    pub overdue: Money,
    /// Overdue as a percentage of outstanding (0 when nothing is outstanding).
    pub overdue_share_pct: f64,
    /// `null` when no limit is on file.
    #[schema(required = true)]
    pub credit_limit: Option<Money>,
    /// Limit − outstanding; `null` without a limit.
    #[schema(required = true)]
    pub available_credit: Option<Money>,
    /// Outstanding / limit × 100, one decimal; `null` without a limit.
    #[schema(required = true)]
    pub credit_utilization: Option<f64>,
    pub exposure: Exposure,
    pub over_limit: bool,
    /// Days past due of the oldest non-empty bucket (or the stored figure); `null` when
    /// nothing is overdue.
    #[schema(required = true)]
    pub ageing_days: Option<i64>,
    pub ageing_label: AgeingLabel,
    /// True when anything is more than 15 days past due.
    pub critical: bool,
    /// `null` when nothing is overdue.
    #[schema(required = true)]
    pub od_risk: Option<OdRisk>,
    pub is_blocked: bool,
}

/// The customer's invoiced orders as receivables: invoice amount, cash collected at
/// delivery, due date from the customer's credit days, and whether it is overdue today
/// (IST). Payments made outside delivery reach the system only through the ERP's OD master
/// (the customer's `osBalance`), not per invoice, so a row without cash shows as due or
/// overdue until the next OD import is reconciled by credit control.
fn payment_rows(c: &Customer, orders: &[Order], now: Timestamp) -> Vec<PaymentRow> {
    let today = today_ist(now);
    let days = credit_days(c);
    let mut rows: Vec<PaymentRow> = orders
        .iter()
        .filter(|o| !matches!(o.status, OrderStatus::Cancelled | OrderStatus::Rejected))
        .filter(|o| is_invoiced(o))
        .map(|o| {
            let inv = o.invoice.as_ref();
            let date = inv
                .and_then(|i| i.invoice_date)
                .or(o.created_at)
                .unwrap_or(now);
            let amount = inv
                .map(|i| i.total)
                .filter(|t| t.is_positive())
                .unwrap_or(o.total)
                .round2();
            let paid = o
                .delivery
                .as_ref()
                .map(|d| d.cash_collected)
                .unwrap_or_default()
                .round2();
            let balance = (amount - paid).max(Money::ZERO);
            let due = today_ist(date) + chrono::Duration::days(days);
            let late = (today - due).num_days().max(0);
            let status = if balance.is_zero() {
                "Paid"
            } else if late > 0 {
                "Overdue"
            } else if paid.is_positive() {
                "Part Paid"
            } else {
                "Due"
            };
            PaymentRow {
                date,
                order_id: o.id.clone(),
                invoice_no: inv.map(|i| i.invoice_no.clone()),
                amount,
                paid_amount: paid,
                balance,
                due_date: DateOnly::new(due),
                status: status.into(),
                days_overdue: if balance.is_zero() { 0 } else { late },
                method: paid.is_positive().then(|| "Cash on delivery".into()),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.date.cmp(&a.date).then(a.order_id.cmp(&b.order_id)));
    rows
}

async fn customer_orders(st: &AppState, id: &str) -> Result<Vec<Order>, ApiError> {
    Ok(st
        .store
        .list::<Order>(&StoreQuery::new(Filter::eq("customerId", id)))
        .await?)
}

/// The customer's receivables: one row per invoiced order, newest first (raw array).
#[utoipa::path(get, path = "/api/customers/{id}/payments", tag = "Customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "Rows newest first", body = [PaymentRow]),
        (status = 403, description = "Needs view_orders, create_orders, approve_credit or master_data"),
        (status = 404, description = "No such customer"),
    ))]
pub(super) async fn payments(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Vec<PaymentRow>>, ApiError> {
    actor.require_any(&READERS)?;
    let c = load(&st, &id).await?;
    let orders = customer_orders(&st, &id).await?;
    Ok(Json(payment_rows(&c, &orders, Timestamp::now())))
}

// ---------------------------------------------------------------------------------------
// C7: ageing

/// The customer's ageing and exposure: the nine OD buckets, the three groups the credit
/// review uses (0–30, 31–90, 90+), and exposure = outstanding + open uninvoiced orders
/// against the limit (`rules::credit`).
#[utoipa::path(get, path = "/api/customers/{id}/aging", tag = "Customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The ageing and exposure", body = Data<CustomerAgeing>),
        (status = 403, description = "Needs view_orders, create_orders, approve_credit or master_data"),
        (status = 404, description = "No such customer"),
    ))]
pub(super) async fn aging(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    actor.require_any(&READERS)?;
    let c = load(&st, &id).await?;
    let orders = customer_orders(&st, &id).await?;
    let snap = CreditSnapshot::from_customer(&c);
    let open = credit::open_uninvoiced_total(&orders, &id, "");
    let exposure = credit::exposure(&snap, open, Money::ZERO);
    let summary = credit::ageing_summary(&snap.aging_buckets);
    let buckets: serde_json::Map<String, Value> = AgingBuckets::LABELS
        .iter()
        .zip(snap.aging_buckets.as_array())
        .map(|(l, m)| (l.to_string(), json!(m)))
        .collect();
    let ageing_days = snap.ageing_days();
    Ok(ok_data(json!({
        "customerId": c.id,
        "customerName": c.name,
        "buckets": buckets,
        "summary": {
            "0-30": summary.d0_30,
            "31-90": summary.d31_90,
            "90+": summary.d90_plus,
        },
        "bucketTotal": snap.aging_buckets.total(),
        "totalOutstanding": snap.os_balance,
        "overdue": snap.od_amt,
        "overdueSharePct": credit::overdue_share(&snap),
        "creditLimit": snap.limit,
        "availableCredit": credit::available_credit(&snap),
        "creditUtilization": snap.limit.map(|l| {
            if l.is_zero() { rust_decimal::Decimal::ZERO }
            else { (snap.os_balance.amount() / l.amount() * rust_decimal::Decimal::ONE_HUNDRED).round_dp(1) }
        }),
        "exposure": exposure,
        "overLimit": exposure.over_limit(),
        "ageingDays": ageing_days,
        "ageingLabel": credit::ageing_label(ageing_days),
        "critical": credit::is_critical(&snap.aging_buckets),
        "odRisk": credit::od_risk(snap.od_amt),
        "isBlocked": c.is_blocked,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_days_read_the_leading_number() {
        let mut c = Customer::new("C", "C");
        assert_eq!(credit_days(&c), DEFAULT_CREDIT_DAYS);
        c.credit_days = Some("30 days".into());
        assert_eq!(credit_days(&c), 30);
        c.credit_days = Some("cash".into());
        assert_eq!(credit_days(&c), DEFAULT_CREDIT_DAYS);
    }
}
