//! The schemas of the analytics answers, for the OpenAPI document. The handlers build the
//! bodies as JSON; these say what they hold, field for field (`tests/response_schemas.rs`
//! holds the two together). Percentages are `null` where there is nothing to divide by.

use crate::routes::dates::Period;
use nexus_core::model::Order;
use nexus_core::types::{Money, PmsMonth, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

/// Orders per lifecycle stage (`nexus_core::wire::Stage` keys, in lifecycle order).
#[derive(Debug, Serialize, ToSchema)]
pub struct StageCounts {
    pub credit_approval: u64,
    pub wh_selection: u64,
    pub packing: u64,
    pub qc: u64,
    pub logistics_cost: u64,
    pub invoicing: u64,
    pub dispatch: u64,
    pub delivery: u64,
    pub delivered: u64,
    /// Rejected, cancelled and returned orders.
    pub closed: u64,
}

/// The executive dashboard.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub total_orders: u64,
    pub total_value: Money,
    /// Orders in Pending Credit Approval (the legacy "Pending").
    pub pending_orders: u64,
    pub delivered_orders: u64,
    pub average_order_value: Money,
    pub open_orders: u64,
    pub mtd_revenue: Money,
    pub mtd_orders: u64,
    pub month: PmsMonth,
    pub stage_counts: StageCounts,
}

/// One salesperson's (or the whole scope's) sales.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesSummary {
    /// The salesperson asked for, or `null` for the whole scope.
    #[schema(required = true)]
    pub salesperson_id: Option<String>,
    pub total_sales: Money,
    pub total_orders: u64,
    pub average_order_value: Money,
    pub cancelled_orders: u64,
    pub period: Period,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HubMetrics {
    pub total_sales: Money,
    pub completed_orders: u64,
    pub pending_orders: u64,
    pub avg_order_value: Money,
}

/// The legacy pipeline's stages, counted on canonical statuses.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    /// Awaiting credit.
    pub new_leads: u64,
    /// On credit hold.
    pub negotiation: u64,
    /// Approved and moving.
    pub in_progress: u64,
    /// Delivered.
    pub closed_won: u64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopCustomer {
    pub customer_id: String,
    pub name: String,
    pub sales: Money,
    pub orders: u64,
}

/// The sales hub of a period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesHub {
    pub metrics: HubMetrics,
    pub pipeline: Pipeline,
    /// The five customers with the highest sales.
    pub top_customers: Vec<TopCustomer>,
    /// The ten newest orders of the period, as stored.
    pub recent_activity: Vec<Order>,
    /// `today`, `week`, `month`, `quarter`, `six-months`, `year` or `all`.
    pub period: String,
    /// The period's first instant, or `null` for `all`.
    #[schema(required = true)]
    pub since: Option<Timestamp>,
}

/// `sales`.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)] // Describes the body for the OpenAPI document; the handler writes it as JSON.
pub enum SalesReportType {
    #[serde(rename = "sales")]
    Sales,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesReportSummary {
    pub total_sales: Money,
    pub total_orders: u64,
    pub avg_order_value: Money,
}

/// The sales report.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesReport {
    #[serde(rename = "type")]
    pub report_type: SalesReportType,
    pub summary: SalesReportSummary,
    pub period: Period,
}

/// `inventory`.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)] // Describes the body for the OpenAPI document; the handler writes it as JSON.
pub enum InventoryReportType {
    #[serde(rename = "inventory")]
    Inventory,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InventoryReportSummary {
    pub total_products: u64,
    /// Stock valued at each product's base rate.
    pub total_value: Money,
    pub low_stock_count: u64,
    pub out_of_stock_count: u64,
    /// Products holding stock without any rate on file (valued at 0).
    pub unpriced_products: u64,
    /// The low-stock threshold in units.
    pub low_stock_below: u64,
}

/// The inventory report.
#[derive(Debug, Serialize, ToSchema)]
pub struct InventoryReport {
    #[serde(rename = "type")]
    pub report_type: InventoryReportType,
    pub summary: InventoryReportSummary,
}

/// A report of the requested type.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Describes the body for the OpenAPI document; the handler writes it as JSON.
pub enum Report {
    Sales(SalesReport),
    Inventory(InventoryReport),
}

/// A category's share of the period's sales.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryShare {
    pub category: String,
    pub value: Money,
    /// Percent of the total value.
    pub share: f64,
    /// Orders with a line in the category.
    pub orders: u64,
    /// A display colour (`#10B981`).
    pub color: String,
}

/// A product moving much quantity.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductVolume {
    /// The product's name.
    pub label: String,
    pub product_id: String,
    pub qty: f64,
}

/// Sales by category and the products moving the most quantity.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CategorySplit {
    pub split: Vec<CategoryShare>,
    /// The five products with the most quantity.
    pub concentration: Vec<ProductVolume>,
    pub total_value: Money,
    pub period: String,
}

/// The four figures the legacy fleet screen shows, as display text.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FleetMetrics {
    /// `3 regions`.
    pub coverage: String,
    pub active_assets: String,
    pub successful_drops: String,
    pub personnel: String,
}

/// The fleet figures as numbers.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FleetDetails {
    pub deliveries: u64,
    pub in_transit: u64,
    pub on_time_deliveries: u64,
    pub late_deliveries: u64,
    /// Percent of the deliveries with an expected date that were on time; `null` when none
    /// had one.
    #[schema(required = true)]
    pub on_time_rate: Option<f64>,
    pub active_vehicles: u64,
    pub agents_on_road: u64,
    pub delivery_agents: u64,
    pub regions: Vec<String>,
}

/// Deliveries on one IST day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayDrops {
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub time: String,
    pub drops: u64,
}

/// The fleet view of a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Fleet {
    pub metrics: FleetMetrics,
    pub details: FleetDetails,
    /// The last five days, oldest first.
    pub velocity: Vec<DayDrops>,
    pub period: String,
}

/// A rank: a position from 1, or `N/A` for a user without orders in the period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Describes the body for the OpenAPI document; the handler writes it as JSON.
pub enum Rank {
    Position(u64),
    #[schema(example = "N/A")]
    NotRanked(String),
}

/// One salesperson's order-based performance.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceRow {
    pub rank: Rank,
    pub user_id: String,
    pub user_name: String,
    /// The legacy score: min(100, sales / 10,000 + delivered × 5).
    pub score: i64,
    pub sales: Money,
    pub orders: u64,
    pub completed: u64,
    #[schema(required = true)]
    pub completion_rate: Option<f64>,
    /// Percent of the monthly target pro-rated to the period; `null` without one.
    #[schema(required = true)]
    pub target_achievement: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceKpis {
    pub orders_completed: u64,
    /// Average hours from booking to the credit decision; `null` without decisions.
    #[schema(required = true)]
    pub response_time: Option<f64>,
    #[schema(required = true)]
    pub target_achievement: Option<f64>,
}

/// Order-based performance.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderPerformance {
    pub user_performance: PerformanceRow,
    pub kpis: PerformanceKpis,
    /// The ten best, by score.
    pub leaderboard: Vec<PerformanceRow>,
    pub period: String,
}
