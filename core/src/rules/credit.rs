//! Credit control: exposure against the limit, available credit, when an order needs a
//! credit decision, ageing summaries, the OD-master risk filter and the rule-based credit
//! advisor used when the AI service is unavailable (domain.md §2.8, api.md §5.1).
//!
//! Every rule reads the customer through [`CreditSnapshot::from_customer`], which applies the
//! alias precedence of §6.1 (`limit` over `creditLimit`, `osBalance` over `outstanding`,
//! `odAmt` over `overdue`). The legacy advisor read only the legacy members, so for every
//! imported customer the limit rules never fired (D-L9); the same snapshot is what the
//! credit decision stores, so a decision can be explained later.

use super::lifecycle::in_stage;
use crate::model::OrderStatus;
use crate::model::customer::{AgingBuckets, Customer};
use crate::model::order::{CreditCheck, CreditDecision, CreditFlag, Order};
use crate::types::{Money, Timestamp};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The credit figures a rule needs, read once from the customer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreditSnapshot {
    /// `null` when no positive limit is on file.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub limit: Option<Money>,
    pub os_balance: Money,
    pub od_amt: Money,
    /// The stored `ageingDays`, or `null` (the importer never fills it; the ageing the rules
    /// use is derived from the buckets when it is absent).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub stored_ageing_days: Option<i64>,
    pub aging_buckets: AgingBuckets,
}

/// The lower bound (days past due) of each legacy bucket, in `AgingBuckets::as_array` order.
const BUCKET_FLOOR_DAYS: [i64; 9] = [0, 7, 15, 30, 45, 90, 120, 150, 180];

impl CreditSnapshot {
    pub fn from_customer(c: &Customer) -> Self {
        CreditSnapshot {
            limit: c.effective_limit().filter(|l| l.is_positive()),
            os_balance: c.effective_outstanding(),
            od_amt: c.effective_overdue(),
            stored_ageing_days: c.ageing_days,
            aging_buckets: c.aging_buckets.clone(),
        }
    }

    /// Days past due of the oldest overdue money: the stored `ageingDays` when present,
    /// else the lower bound of the oldest non-zero ageing bucket (e.g. money in `90 to 120`
    /// is at least 90 days old). `None` when nothing is overdue by either measure.
    pub fn ageing_days(&self) -> Option<i64> {
        self.stored_ageing_days.or_else(|| {
            self.aging_buckets
                .as_array()
                .iter()
                .zip(BUCKET_FLOOR_DAYS)
                .rev()
                .find(|(m, _)| m.is_positive())
                .map(|(_, d)| d)
        })
    }
}

fn pct(num: Money, den: Money) -> Decimal {
    (num.amount() / den.amount() * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

/// `limit − osBalance`; `None` without a limit. Negative when already over the limit.
pub fn available_credit(s: &CreditSnapshot) -> Option<Money> {
    s.limit.map(|l| l - s.os_balance)
}

/// Exposure of the customer if this order is accepted: outstanding plus open uninvoiced
/// orders plus the order at hand, against the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Exposure {
    pub outstanding: Money,
    pub open_orders: Money,
    pub order_total: Money,
    /// outstanding + open (approved, not yet invoiced) orders + this order
    pub total: Money,
    /// `null` when no limit is on file.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub limit: Option<Money>,
    /// limit − total (negative when over); `null` without a limit.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub headroom: Option<Money>,
    /// total / limit × 100, one decimal; `null` without a limit.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub utilisation_pct: Option<Decimal>,
}

impl Exposure {
    pub fn over_limit(&self) -> bool {
        self.headroom.is_some_and(|h| h.is_negative())
    }
}

/// Exposure = osBalance + open uninvoiced orders + this order, against the limit. Open orders
/// count because they become receivables on invoicing, before the next ERP import shows them.
pub fn exposure(s: &CreditSnapshot, open_uninvoiced: Money, order_total: Money) -> Exposure {
    let total = s.os_balance + open_uninvoiced + order_total;
    Exposure {
        outstanding: s.os_balance,
        open_orders: open_uninvoiced,
        order_total,
        total,
        limit: s.limit,
        headroom: s.limit.map(|l| l - total),
        utilisation_pct: s.limit.map(|l| pct(total, l)),
    }
}

/// The stored credit decision with the figures it was taken on (§3.8).
pub fn decision_record(
    decision: &str,
    reason: Option<&str>,
    decided_by: &str,
    at: Timestamp,
    snapshot: &CreditSnapshot,
    exposure: &Exposure,
) -> CreditDecision {
    CreditDecision {
        decision: decision.to_string(),
        reason: reason.map(str::to_string),
        decided_by: decided_by.to_string(),
        decided_at: at,
        limit: snapshot.limit,
        outstanding: snapshot.os_balance,
        overdue: snapshot.od_amt,
        exposure: exposure.total,
        overridden: false,
        by_rule: false,
    }
}

/// The ERP's limit of 1 marks a cash-sale or blocked account (§2.8): no credit at all.
fn is_cash_only(s: &CreditSnapshot) -> bool {
    s.limit == Some(Money::from(Decimal::ONE))
}

/// The credit check of §2.8 as a credit controller runs it: exposure (osBalance + the
/// customer's open orders not yet invoiced + this order) against the limit, plus what is
/// overdue. Over the limit or cash-only needs an override to approve; overdue money or no
/// limit on file leave the decision to a person; nothing found passes (and may be approved
/// by rule when the setting is on).
pub fn check(
    s: &CreditSnapshot,
    open_uninvoiced: Money,
    order_total: Money,
    at: Timestamp,
) -> CreditCheck {
    let e = exposure(s, open_uninvoiced, order_total);
    let over_by = e.headroom.filter(|h| h.is_negative()).map(|h| -h);
    let mut flags = Vec::new();
    if is_cash_only(s) {
        flags.push(CreditFlag::CashOnly);
    } else if over_by.is_some() {
        flags.push(CreditFlag::OverLimit);
    }
    if s.limit.is_none() {
        flags.push(CreditFlag::NoLimit);
    }
    if s.od_amt.is_positive() {
        flags.push(CreditFlag::Overdue);
    }
    let summary = if flags.is_empty() {
        format!(
            "Within the limit: exposure {} of {}",
            inr(e.total),
            inr(s.limit.unwrap_or_default())
        )
    } else {
        flags
            .iter()
            .map(|f| match f {
                CreditFlag::OverLimit => {
                    format!("Over the limit by {}", inr(over_by.unwrap_or_default()))
                }
                CreditFlag::CashOnly => "Cash-only account (limit 1): no credit".to_string(),
                CreditFlag::Overdue => format!("Overdue {}", inr(s.od_amt)),
                CreditFlag::NoLimit => "No credit limit on file".to_string(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    CreditCheck {
        passed: flags.is_empty(),
        override_required: flags.iter().any(|f| f.needs_override()),
        flags,
        summary,
        limit: s.limit,
        outstanding: s.os_balance,
        open_orders: open_uninvoiced,
        order_total,
        exposure: e.total,
        over_by,
        overdue: s.od_amt,
        checked_at: at,
    }
}

/// Statuses in which an order is accepted-or-pending but not yet invoiced (so not yet in the
/// ERP's outstanding).
pub fn is_open_uninvoiced(status: OrderStatus) -> bool {
    in_stage(
        status,
        OrderStatus::PendingCreditApproval,
        OrderStatus::ReadyForBilling,
    )
}

/// Σ total of a customer's open uninvoiced orders, leaving out the order being decided.
pub fn open_uninvoiced_total(orders: &[Order], customer_id: &str, except_order_id: &str) -> Money {
    orders
        .iter()
        .filter(|o| {
            o.customer_id == customer_id && o.id != except_order_id && is_open_uninvoiced(o.status)
        })
        .map(|o| o.total)
        .sum()
}

/// Who `decidedBy` names when the auto-approval setting approved an order.
pub const RULE_ACTOR: &str = "rule";

/// Moves a just-booked order whose check passed past credit approval, as the approval step
/// would (to Pending WH Selection, with a decision record and a timeline entry), marked as
/// decided by rule rather than by a person. `false` (and nothing changed) when the check
/// did not pass or the order is not waiting for credit approval.
pub fn approve_by_rule(order: &mut Order, check: &CreditCheck, at: Timestamp) -> bool {
    if !check.passed || order.status != OrderStatus::PendingCreditApproval {
        return false;
    }
    let reason = format!("Approved by rule: {}", check.summary);
    order.credit_decision = Some(CreditDecision {
        decision: "Approved".into(),
        reason: Some(reason.clone()),
        decided_by: RULE_ACTOR.into(),
        decided_at: at,
        limit: check.limit,
        outstanding: check.outstanding,
        overdue: check.overdue,
        exposure: check.exposure,
        overridden: false,
        by_rule: true,
    });
    order.status = OrderStatus::PendingWhSelection;
    order
        .status_history
        .push(crate::model::order::StatusChange {
            status: OrderStatus::PendingWhSelection.as_str().to_string(),
            timestamp: at,
            from: Some(OrderStatus::PendingCreditApproval.as_str().to_string()),
            step: Some("credit_approve".into()),
            actor_id: Some(RULE_ACTOR.into()),
            actor_role: None,
            reason: Some(reason),
            data: Some(serde_json::json!({ "decision": "Approved", "byRule": true })),
        });
    true
}

/// "Critical exposure" (PROTO): any ageing bucket from `15 to 30` onward is non-zero.
pub fn is_critical(b: &AgingBuckets) -> bool {
    b.as_array()[2..].iter().any(|m| !m.is_zero())
}

/// The three ageing groups of the credit-insight prompt (api.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgeingSummary {
    /// `0 to 7` + `7 to 15` + `15 to 30`
    pub d0_30: Money,
    /// `30 to 45` + `45 to 90`
    pub d31_90: Money,
    /// `90 to 120` + `120 to 150` + `150 to 180` + `>180`
    pub d90_plus: Money,
}

pub fn ageing_summary(b: &AgingBuckets) -> AgeingSummary {
    let a = b.as_array();
    AgeingSummary {
        d0_30: a[0] + a[1] + a[2],
        d31_90: a[3] + a[4],
        d90_plus: a[5] + a[6] + a[7] + a[8],
    }
}

/// The credit-insight exposure ratio (api.md §5.1): (outstanding + this order) / limit × 100,
/// one decimal; `None` without a limit. Open uninvoiced orders are left out here, as in the
/// legacy prompt, so a stored ratio still compares with the old ones; [`exposure`] counts them.
pub fn exposure_ratio(s: &CreditSnapshot, order_total: Money) -> Option<Decimal> {
    s.limit.map(|l| pct(s.os_balance + order_total, l))
}

/// Overdue as a share of outstanding, percent with one decimal; 0 when nothing (or a credit
/// balance) is outstanding.
pub fn overdue_share(s: &CreditSnapshot) -> Decimal {
    if !s.os_balance.is_positive() {
        return Decimal::ZERO;
    }
    pct(s.od_amt, s.os_balance)
}

/// The OD-master screen's risk filter: HIGH above ₹1,00,000 overdue, MEDIUM above ₹30,000,
/// LOW above zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OdRisk {
    Low,
    Medium,
    High,
}

/// HIGH > 1,00,000; MEDIUM 30,000 < x ≤ 1,00,000; LOW 0 < x ≤ 30,000; nothing overdue → None.
pub fn od_risk(od_amt: Money) -> Option<OdRisk> {
    let x = od_amt.amount();
    if x > Decimal::from(100_000) {
        Some(OdRisk::High)
    } else if x > Decimal::from(30_000) {
        Some(OdRisk::Medium)
    } else if x > Decimal::ZERO {
        Some(OdRisk::Low)
    } else {
        None
    }
}

/// The credit review's ageing label: > 60 days past due CRITICAL, > 30 WATCHLIST, else HEALTHY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgeingLabel {
    Healthy,
    Watchlist,
    Critical,
}

impl fmt::Display for AgeingLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AgeingLabel::Healthy => "HEALTHY",
            AgeingLabel::Watchlist => "WATCHLIST",
            AgeingLabel::Critical => "CRITICAL",
        })
    }
}

pub fn ageing_label(days: Option<i64>) -> AgeingLabel {
    match days.unwrap_or(0) {
        d if d > 60 => AgeingLabel::Critical,
        d if d > 30 => AgeingLabel::Watchlist,
        _ => AgeingLabel::Healthy,
    }
}

/// Part 1 of the four-part credit advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RiskScore {
    Low,
    Medium,
    High,
    Critical,
}

impl fmt::Display for RiskScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RiskScore::Low => "LOW",
            RiskScore::Medium => "MEDIUM",
            RiskScore::High => "HIGH",
            RiskScore::Critical => "CRITICAL",
        })
    }
}

/// Part 3 of the four-part credit advice. Ordered by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Recommendation {
    #[serde(rename = "APPROVE")]
    Approve,
    #[serde(rename = "FLAG FOR FINANCE REVIEW")]
    FlagForFinanceReview,
    #[serde(rename = "REJECT")]
    Reject,
}

impl fmt::Display for Recommendation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Recommendation::Approve => "APPROVE",
            Recommendation::FlagForFinanceReview => "FLAG FOR FINANCE REVIEW",
            Recommendation::Reject => "REJECT",
        })
    }
}

/// One finding behind the advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Concern {
    Overdue { amount: Money },
    Ageing { days: i64 },
    ExceedsLimit { exposure: Money, limit: Money },
    Utilisation { pct: Decimal },
    NoLimit,
    OldDebt { amount: Money },
}

impl fmt::Display for Concern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Concern::Overdue { amount } => write!(f, "{} overdue", inr(*amount)),
            Concern::Ageing { days } => write!(f, "{days} days ageing"),
            Concern::ExceedsLimit { exposure, limit } => write!(
                f,
                "exposure {} exceeds the credit limit of {}",
                inr(*exposure),
                inr(*limit)
            ),
            Concern::Utilisation { pct } => write!(
                f,
                "{}% of the credit limit already utilised",
                pct.normalize()
            ),
            Concern::NoLimit => f.write_str("no credit limit on file"),
            Concern::OldDebt { amount } => {
                write!(f, "{} overdue for more than 90 days", inr(*amount))
            }
        }
    }
}

/// The four-part answer (risk score, core analysis, decision, justification), with the
/// structured findings and ratios it was derived from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditAdvice {
    pub risk_score: RiskScore,
    pub core_analysis: String,
    pub decision: Recommendation,
    pub justification: String,
    pub concerns: Vec<Concern>,
    /// (outstanding + order) / limit × 100, one decimal; `None` without a limit.
    pub exposure_ratio_pct: Option<Decimal>,
    pub overdue_share_pct: Decimal,
    pub ageing_days: Option<i64>,
}

impl CreditAdvice {
    /// The text stored in `intelligenceInsight`, in the four-part order of api.md §5.1.
    pub fn to_text(&self) -> String {
        format!(
            "RISK SCORE: {}\nCORE ANALYSIS: {}\nDECISION: {}\nJUSTIFICATION: {}",
            self.risk_score, self.core_analysis, self.decision, self.justification
        )
    }
}

/// The deterministic rule-based advisor (the AI fallback of api.md §5.1, rewritten to read
/// the right fields). Rules, in order, starting at LOW / APPROVE:
/// 1. anything overdue → MEDIUM;
/// 2. ageing > 60 days → HIGH, FLAG FOR FINANCE REVIEW;
/// 3. a limit, and outstanding + order > limit → HIGH, REJECT;
/// 4. a limit, and outstanding / limit > 80 % → "credit utilised" concern, LOW raised to MEDIUM;
/// 5. (rewrite) no limit on file → concern, at least MEDIUM and FLAG FOR FINANCE REVIEW —
///    there is nothing to measure the order against, so a person must look;
/// 6. (rewrite) REJECT with money overdue for more than 90 days → CRITICAL.
///
/// Example (§2.8): outstanding 90,000, overdue 20,000, ageing 45, limit 1,00,000, order
/// 15,000 → HIGH / REJECT with the 90 % utilisation concern — whether the limit is stored
/// in `creditLimit` or (as every imported customer has it) in `limit`.
pub fn advise(s: &CreditSnapshot, order_total: Money) -> CreditAdvice {
    let mut risk = RiskScore::Low;
    let mut decision = Recommendation::Approve;
    let mut concerns = Vec::new();
    let ageing = s.ageing_days();

    if s.od_amt.is_positive() {
        concerns.push(Concern::Overdue { amount: s.od_amt });
        risk = risk.max(RiskScore::Medium);
    }
    if let Some(days) = ageing.filter(|d| *d > 60) {
        concerns.push(Concern::Ageing { days });
        risk = risk.max(RiskScore::High);
        decision = decision.max(Recommendation::FlagForFinanceReview);
    }
    let exposure_total = s.os_balance + order_total;
    match s.limit {
        Some(limit) => {
            if exposure_total > limit {
                concerns.push(Concern::ExceedsLimit {
                    exposure: exposure_total,
                    limit,
                });
                risk = risk.max(RiskScore::High);
                decision = Recommendation::Reject;
            }
            let used = pct(s.os_balance, limit);
            if used > Decimal::from(80) {
                concerns.push(Concern::Utilisation { pct: used });
                risk = risk.max(RiskScore::Medium);
            }
        }
        None => {
            concerns.push(Concern::NoLimit);
            risk = risk.max(RiskScore::Medium);
            decision = decision.max(Recommendation::FlagForFinanceReview);
        }
    }
    let old_debt = ageing_summary(&s.aging_buckets).d90_plus;
    if decision == Recommendation::Reject
        && (old_debt.is_positive() || ageing.is_some_and(|d| d > 90))
    {
        if old_debt.is_positive() {
            concerns.push(Concern::OldDebt { amount: old_debt });
        }
        risk = RiskScore::Critical;
    }

    let exposure_ratio_pct = exposure_ratio(s, order_total);
    let overdue_share_pct = overdue_share(s);
    let core_analysis = core_analysis(
        s,
        order_total,
        exposure_ratio_pct,
        overdue_share_pct,
        ageing,
        &concerns,
    );
    let justification = match decision {
        Recommendation::Reject => {
            "The order would take the customer beyond the approved credit limit; collect payment or obtain a limit revision before releasing it.".to_string()
        }
        Recommendation::FlagForFinanceReview if s.limit.is_none() => {
            "No credit limit is on file, so exposure cannot be measured; finance should set a limit before approval.".to_string()
        }
        Recommendation::FlagForFinanceReview => {
            "Payments are running late; finance should review the account before the order is released.".to_string()
        }
        Recommendation::Approve if concerns.is_empty() => {
            "The customer is within limit with nothing overdue and in good standing.".to_string()
        }
        Recommendation::Approve => {
            "The order fits within the credit limit; the noted concerns should be followed up with the customer.".to_string()
        }
    };
    CreditAdvice {
        risk_score: risk,
        core_analysis,
        decision,
        justification,
        concerns,
        exposure_ratio_pct,
        overdue_share_pct,
        ageing_days: ageing,
    }
}

fn core_analysis(
    s: &CreditSnapshot,
    order_total: Money,
    exposure_ratio: Option<Decimal>,
    overdue_share: Decimal,
    ageing: Option<i64>,
    concerns: &[Concern],
) -> String {
    let exposure = match (s.limit, exposure_ratio) {
        (Some(l), Some(r)) => format!(
            "Outstanding {} plus this order {} is {}% of the {} limit",
            inr(s.os_balance),
            inr(order_total),
            r.normalize(),
            inr(l)
        ),
        _ => format!(
            "Outstanding {} plus this order {} (no credit limit set)",
            inr(s.os_balance),
            inr(order_total)
        ),
    };
    let ageing_text = match ageing {
        Some(d) => format!("oldest overdue about {d} days ({})", ageing_label(Some(d))),
        None => "no ageing reported".to_string(),
    };
    let mut text = format!(
        "{exposure}; overdue {} ({}% of outstanding); {ageing_text}.",
        inr(s.od_amt),
        overdue_share.normalize()
    );
    if !concerns.is_empty() {
        let list: Vec<String> = concerns.iter().map(ToString::to_string).collect();
        text.push_str(" Concerns: ");
        text.push_str(&list.join(", "));
        text.push('.');
    }
    text
}

/// Rupees with Indian digit grouping, no paise when whole: ₹1,05,000 / ₹2,781.45 / -₹500.
pub fn inr(m: Money) -> String {
    let r = m.round2().amount();
    let neg = r.is_sign_negative() && !r.is_zero();
    let abs = r.abs();
    let whole = abs.trunc();
    let frac = abs - whole;
    let digits = whole.normalize().to_string();
    let grouped = if digits.len() <= 3 {
        digits
    } else {
        let (head, last3) = digits.split_at(digits.len() - 3);
        let mut parts: Vec<String> = Vec::new();
        let mut h = head.to_string();
        while h.len() > 2 {
            let cut = h.len() - 2;
            parts.push(h[cut..].to_string());
            h.truncate(cut);
        }
        parts.push(h);
        parts.reverse();
        format!("{},{}", parts.join(","), last3)
    };
    let paise = if frac.is_zero() {
        String::new()
    } else {
        format!(".{:02}", (frac * Decimal::ONE_HUNDRED).round())
    };
    format!("{}₹{grouped}{paise}", if neg { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn m(d: Decimal) -> Money {
        Money::new(d)
    }

    fn customer(v: serde_json::Value) -> Customer {
        let mut base = serde_json::json!({"id": "CUST-1", "name": "Coastal Foods"});
        base.as_object_mut()
            .unwrap()
            .extend(v.as_object().unwrap().clone());
        serde_json::from_value(base).unwrap()
    }

    #[test]
    fn example_2_8_legacy_fields_give_high_reject() {
        let c = customer(serde_json::json!({
            "outstanding": 90000, "overdue": 20000, "ageingDays": 45, "creditLimit": 100000
        }));
        let a = advise(&CreditSnapshot::from_customer(&c), m(dec!(15000)));
        assert_eq!(a.risk_score, RiskScore::High);
        assert_eq!(a.decision, Recommendation::Reject);
        assert!(a.concerns.contains(&Concern::Utilisation { pct: dec!(90) }));
        assert!(a.concerns.contains(&Concern::Overdue {
            amount: m(dec!(20000))
        }));
        assert_eq!(a.exposure_ratio_pct, Some(dec!(105)));
        assert_eq!(a.overdue_share_pct, dec!(22.2));
        let text = a.to_text();
        assert!(text.starts_with("RISK SCORE: HIGH\nCORE ANALYSIS: "));
        assert!(text.contains("\nDECISION: REJECT\nJUSTIFICATION: "));
        assert!(text.contains("₹1,00,000"), "{text}");
        assert!(text.contains("45 days (WATCHLIST)"), "{text}");
    }

    #[test]
    fn example_2_8_imported_customer_with_limit_only_also_high_reject() {
        // What the importer writes: limit, osBalance, odAmt; no creditLimit, no ageingDays.
        let c = customer(serde_json::json!({
            "osBalance": 90000, "odAmt": 20000, "limit": 100000,
            "agingBuckets": {"30 to 45": 20000}
        }));
        let s = CreditSnapshot::from_customer(&c);
        assert_eq!(s.ageing_days(), Some(30));
        let a = advise(&s, m(dec!(15000)));
        assert_eq!(
            (a.risk_score, a.decision),
            (RiskScore::High, Recommendation::Reject)
        );
    }

    #[test]
    fn alias_precedence_prefers_new_members() {
        let c = customer(serde_json::json!({
            "limit": 50000, "creditLimit": 999999, "osBalance": 10, "outstanding": 20,
            "odAmt": 0, "overdue": 5
        }));
        let s = CreditSnapshot::from_customer(&c);
        assert_eq!(s.limit, Some(m(dec!(50000))));
        assert_eq!(s.os_balance, m(dec!(10)));
        assert_eq!(s.od_amt, Money::ZERO);
    }

    #[test]
    fn good_standing_approves_and_no_limit_flags() {
        let s = CreditSnapshot {
            limit: Some(m(dec!(100000))),
            os_balance: m(dec!(10000)),
            ..Default::default()
        };
        let a = advise(&s, m(dec!(5000)));
        assert_eq!(
            (a.risk_score, a.decision),
            (RiskScore::Low, Recommendation::Approve)
        );
        assert!(a.concerns.is_empty());
        let none = advise(&CreditSnapshot::default(), m(dec!(5000)));
        assert_eq!(none.decision, Recommendation::FlagForFinanceReview);
        assert_eq!(none.risk_score, RiskScore::Medium);
        assert_eq!(none.exposure_ratio_pct, None);
    }

    #[test]
    fn ageing_over_60_flags_and_old_debt_over_limit_is_critical() {
        let aged = CreditSnapshot {
            limit: Some(m(dec!(100000))),
            os_balance: m(dec!(10000)),
            od_amt: m(dec!(5000)),
            stored_ageing_days: Some(75),
            ..Default::default()
        };
        let a = advise(&aged, m(dec!(1000)));
        assert_eq!(
            (a.risk_score, a.decision),
            (RiskScore::High, Recommendation::FlagForFinanceReview)
        );

        let buckets = AgingBuckets {
            d120_150: m(dec!(40000)),
            ..Default::default()
        };
        let critical = CreditSnapshot {
            limit: Some(m(dec!(100000))),
            os_balance: m(dec!(95000)),
            od_amt: m(dec!(40000)),
            aging_buckets: buckets,
            ..Default::default()
        };
        let a = advise(&critical, m(dec!(10000)));
        assert_eq!(
            (a.risk_score, a.decision),
            (RiskScore::Critical, Recommendation::Reject)
        );
        assert_eq!(a.ageing_days, Some(120));
    }

    #[test]
    fn cash_only_limit_of_1_rejects_any_credit_order() {
        let s = CreditSnapshot {
            limit: Some(Money::from_rupees(1)),
            ..Default::default()
        };
        assert_eq!(advise(&s, m(dec!(500))).decision, Recommendation::Reject);
        let c = check(&s, Money::ZERO, m(dec!(500)), at());
        assert_eq!(c.flags, vec![CreditFlag::CashOnly]);
        assert!(c.override_required && !c.passed);
        assert_eq!(c.summary, "Cash-only account (limit 1): no credit");
    }

    #[test]
    fn exposure_and_available_credit() {
        let s = CreditSnapshot {
            limit: Some(m(dec!(100000))),
            os_balance: m(dec!(60000)),
            ..Default::default()
        };
        assert_eq!(available_credit(&s), Some(m(dec!(40000))));
        let e = exposure(&s, m(dec!(25000)), m(dec!(20000)));
        assert_eq!(e.total, m(dec!(105000)));
        assert_eq!(e.headroom, Some(m(dec!(-5000))));
        assert!(e.over_limit());
        assert_eq!(e.utilisation_pct, Some(dec!(105)));
    }

    fn at() -> Timestamp {
        Timestamp::parse("2026-02-10T09:00:00Z").unwrap()
    }

    /// Exactly at the limit passes; a paisa over needs an override (the limit is inclusive).
    #[test]
    fn the_check_passes_up_to_the_limit_and_not_a_paisa_over() {
        let s = CreditSnapshot {
            limit: Some(m(dec!(100000))),
            os_balance: m(dec!(60000)),
            ..Default::default()
        };
        let fits = check(&s, m(dec!(25000)), m(dec!(15000)), at());
        assert!(fits.passed && !fits.override_required, "{fits:?}");
        assert_eq!(fits.exposure, m(dec!(100000)));
        assert_eq!(fits.over_by, None);
        assert_eq!(
            fits.summary,
            "Within the limit: exposure ₹1,00,000 of ₹1,00,000"
        );
        let over = check(&s, m(dec!(25000)), m(dec!(15000.01)), at());
        assert_eq!(over.flags, vec![CreditFlag::OverLimit]);
        assert_eq!(over.over_by, Some(m(dec!(0.01))));
        assert!(over.override_required && !over.passed);
    }

    /// The example: CUST-001 (limit ₹50,000, outstanding ₹15,000, ₹5,000 overdue)
    /// books ₹56,700.
    #[test]
    fn over_the_limit_and_overdue_are_both_reported() {
        let s = CreditSnapshot {
            limit: Some(m(dec!(50000))),
            os_balance: m(dec!(15000)),
            od_amt: m(dec!(5000)),
            ..Default::default()
        };
        let c = check(&s, Money::ZERO, m(dec!(56700)), at());
        assert_eq!(c.flags, vec![CreditFlag::OverLimit, CreditFlag::Overdue]);
        assert_eq!(c.over_by, Some(m(dec!(21700))));
        assert_eq!(c.summary, "Over the limit by ₹21,700; Overdue ₹5,000");
        assert!(c.override_required);
    }

    /// §2.8's worked example (outstanding ₹90,000, overdue ₹20,000, limit ₹1,00,000, order
    /// ₹15,000), with ₹10,000 of open orders on top.
    #[test]
    fn open_orders_count_towards_the_exposure() {
        let s = CreditSnapshot {
            limit: Some(m(dec!(100000))),
            os_balance: m(dec!(90000)),
            od_amt: m(dec!(20000)),
            ..Default::default()
        };
        let alone = check(&s, Money::ZERO, m(dec!(15000)), at());
        assert_eq!(alone.over_by, Some(m(dec!(5000))));
        let with_open = check(&s, m(dec!(10000)), m(dec!(15000)), at());
        assert_eq!(with_open.exposure, m(dec!(115000)));
        assert_eq!(with_open.over_by, Some(m(dec!(15000))));
    }

    /// Overdue money or a missing limit stop auto-approval but need no override.
    #[test]
    fn overdue_or_no_limit_leave_the_decision_to_a_person() {
        let od = CreditSnapshot {
            limit: Some(m(dec!(100000))),
            od_amt: m(dec!(1)),
            ..Default::default()
        };
        let c = check(&od, Money::ZERO, m(dec!(1)), at());
        assert_eq!(c.flags, vec![CreditFlag::Overdue]);
        assert!(!c.passed && !c.override_required);
        let none = check(&CreditSnapshot::default(), Money::ZERO, m(dec!(1)), at());
        assert_eq!(none.flags, vec![CreditFlag::NoLimit]);
        assert!(!none.passed && !none.override_required);
        assert_eq!(none.summary, "No credit limit on file");
    }

    #[test]
    fn decision_record_keeps_the_snapshot() {
        let s = CreditSnapshot {
            limit: Some(m(dec!(100000))),
            os_balance: m(dec!(90000)),
            od_amt: m(dec!(20000)),
            ..Default::default()
        };
        let e = exposure(&s, Money::ZERO, m(dec!(15000)));
        let d = decision_record(
            "Rejected",
            Some("over limit"),
            "CC-1",
            Timestamp::now(),
            &s,
            &e,
        );
        assert_eq!(d.exposure, m(dec!(105000)));
        assert_eq!(d.limit, Some(m(dec!(100000))));
        assert_eq!(d.overdue, m(dec!(20000)));
    }

    #[test]
    fn open_orders_count_until_invoiced() {
        let mk = |id: &str, st: OrderStatus, total: i64| {
            let mut o = Order::new(id, "CUST-1");
            o.status = st;
            o.total = Money::from_rupees(total);
            o
        };
        let orders = vec![
            mk("ORD-1", OrderStatus::PendingPacking, 1000),
            mk("ORD-2", OrderStatus::ReadyForDispatch, 2000),
            mk("ORD-3", OrderStatus::Cancelled, 4000),
            mk("ORD-4", OrderStatus::PendingCreditApproval, 8000),
        ];
        assert_eq!(
            open_uninvoiced_total(&orders, "CUST-1", "ORD-4"),
            Money::from_rupees(1000)
        );
    }

    #[test]
    fn critical_buckets_summary_and_share() {
        let mut b = AgingBuckets {
            d0_7: m(dec!(2000)),
            d7_15: m(dec!(1500)),
            ..Default::default()
        };
        assert!(!is_critical(&b));
        b.d15_30 = m(dec!(2500));
        assert!(is_critical(&b));
        b.over_180 = m(dec!(5000));
        let sum = ageing_summary(&b);
        assert_eq!(sum.d0_30, m(dec!(6000)));
        assert_eq!(sum.d31_90, Money::ZERO);
        assert_eq!(sum.d90_plus, m(dec!(5000)));
        // §2.8: the buckets 2,000 + 1,500 + 2,500 + 5,000 add up to the OD amount 11,000.
        assert_eq!(b.total(), m(dec!(11000)));
        let s = CreditSnapshot {
            os_balance: Money::ZERO,
            od_amt: m(dec!(5)),
            ..Default::default()
        };
        assert_eq!(overdue_share(&s), Decimal::ZERO);
    }

    #[test]
    fn od_master_risk_filter_edges() {
        assert_eq!(od_risk(m(dec!(100000.01))), Some(OdRisk::High));
        assert_eq!(od_risk(m(dec!(100000))), Some(OdRisk::Medium));
        assert_eq!(od_risk(m(dec!(30000.01))), Some(OdRisk::Medium));
        assert_eq!(od_risk(m(dec!(30000))), Some(OdRisk::Low));
        assert_eq!(od_risk(m(dec!(0.01))), Some(OdRisk::Low));
        assert_eq!(od_risk(Money::ZERO), None);
        assert_eq!(od_risk(m(dec!(-10))), None);
    }

    #[test]
    fn ageing_labels() {
        assert_eq!(ageing_label(Some(61)), AgeingLabel::Critical);
        assert_eq!(ageing_label(Some(60)), AgeingLabel::Watchlist);
        assert_eq!(ageing_label(Some(30)), AgeingLabel::Healthy);
        assert_eq!(ageing_label(None), AgeingLabel::Healthy);
    }

    #[test]
    fn indian_grouping() {
        assert_eq!(inr(m(dec!(100000))), "₹1,00,000");
        assert_eq!(inr(m(dec!(2781.45))), "₹2,781.45");
        assert_eq!(inr(m(dec!(12500000))), "₹1,25,00,000");
        assert_eq!(inr(m(dec!(999))), "₹999");
        assert_eq!(inr(m(dec!(-500))), "-₹500");
        assert_eq!(inr(m(dec!(0.5))), "₹0.50");
    }
}
