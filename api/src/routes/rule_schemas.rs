//! Schemas of figures `nexus_core::rules` computes and the API sends as they are: a credit
//! exposure, the logistics cost assessment, the ageing and risk labels. The rule types
//! serialise themselves; these describe what they write, field for field (the rules module
//! carries no OpenAPI derive of its own), and `tests/response_schemas.rs` holds both to the
//! real answers.

use nexus_core::types::Money;
use serde::Serialize;
use utoipa::ToSchema;

/// A customer's credit exposure (`rules::credit::Exposure`): outstanding plus open
/// uninvoiced orders plus the order at hand, against the limit.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Exposure {
    pub outstanding: Money,
    pub open_orders: Money,
    pub order_total: Money,
    /// outstanding + open (approved, not yet invoiced) orders + this order.
    pub total: Money,
    /// `null` when no limit is on file.
    #[schema(required = true)]
    pub limit: Option<Money>,
    /// limit − total (negative when over); `null` without a limit.
    #[schema(required = true)]
    pub headroom: Option<Money>,
    /// total / limit × 100, one decimal; `null` without a limit.
    #[schema(required = true)]
    pub utilisation_pct: Option<f64>,
}

/// The traffic light of the logistics cost (`rules::logistics_cost::CostBand`): green below
/// 10 % of the packed value, amber 10–15 %, red above 15 %.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CostBand {
    Green,
    Amber,
    Red,
}

/// The logistics cost against the packed value (`rules::logistics_cost::CostAssessment`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CostAssessment {
    /// Cost as a percentage of the packed value, two decimals; `null` when nothing was
    /// packed.
    #[schema(required = true)]
    pub ratio_pct: Option<f64>,
    pub band: CostBand,
    /// True when the order goes to Pending Admin Review instead of Ready for Billing.
    pub high_cost_alert: bool,
}

/// The credit review's ageing label (`rules::credit::AgeingLabel`): more than 60 days past
/// due CRITICAL, more than 30 WATCHLIST, else HEALTHY.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgeingLabel {
    Healthy,
    Watchlist,
    Critical,
}

/// The OD-master risk (`rules::credit::OdRisk`): HIGH above ₹1,00,000 overdue, MEDIUM above
/// ₹30,000, LOW above zero.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OdRisk {
    Low,
    Medium,
    High,
}

/// The expiry colour band (`rules::expiry::ExpiryColour`): RED under 30 days to expiry
/// (expired included), AMBER under 60, else GREEN.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExpiryColour {
    Red,
    Amber,
    Green,
}

/// Part 1 of the credit advice (`rules::credit::RiskScore`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RiskScore {
    Low,
    Medium,
    High,
    Critical,
}

/// Part 3 of the credit advice (`rules::credit::Recommendation`).
#[derive(Debug, Serialize, ToSchema)]
pub enum Recommendation {
    #[serde(rename = "APPROVE")]
    Approve,
    #[serde(rename = "FLAG FOR FINANCE REVIEW")]
    FlagForFinanceReview,
    #[serde(rename = "REJECT")]
    Reject,
}

/// Who produced a credit advice (`integrations::advisor::AdviceSource`).
#[derive(Debug, Serialize, ToSchema)]
pub enum AdviceSource {
    #[serde(rename = "gemini")]
    Gemini,
    /// The deterministic rules, when no model is configured or the model failed.
    #[serde(rename = "rule-based fallback")]
    RuleBased,
}

/// The credit figures a decision read from the customer (`rules::credit::CreditSnapshot`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreditSnapshot {
    /// `null` when no positive limit is on file.
    #[schema(required = true)]
    pub limit: Option<Money>,
    pub os_balance: Money,
    pub od_amt: Money,
    /// The stored `ageingDays`, or `null`.
    #[schema(required = true)]
    pub stored_ageing_days: Option<i64>,
    pub aging_buckets: nexus_core::model::AgingBuckets,
}

/// A packaging material's health (`rules::packaging::PackagingHealth`): LOW at or below the
/// MOQ, OVERAGE above ten times it, STAGNANT unmoved for long, else OK.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PackagingHealth {
    Low,
    Overage,
    Stagnant,
    Ok,
}
