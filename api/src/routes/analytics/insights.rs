//! The views the legacy served as hard-coded figures (8.3.32, D-L15), now computed from
//! orders, products, users and logistics data within the caller's scope: the category split
//! (AN5), the fleet view (AN6) and the order-based performance board (AN7).

use super::PeriodQuery;
use super::answers::{CategorySplit, Fleet, OrderPerformance};
use super::filters::{
    Period, caller_scope, is_delivered, is_sale, pct, require_salesperson_in_scope, round1,
    sales_filter, scoped_orders, status_filter,
};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::routes::dates::{DateRange, ist_midnight};
use crate::routes::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::Duration;
use nexus_core::auth::Role;
use nexus_core::model::{Order, OrderStatus, Product, User, UserStatus};
use nexus_core::rules::expiry::ist;
use nexus_core::store::{Filter, Query, TypedStore};
use nexus_core::types::{Money, Timestamp};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(category_split))
        .routes(routes!(fleet))
        .routes(routes!(order_pms))
}

const PALETTE: [&str; 8] = [
    "#10B981", "#3B82F6", "#F59E0B", "#EF4444", "#8B5CF6", "#EC4899", "#14B8A6", "#6366F1",
];

fn line_value(i: &nexus_core::model::OrderItem) -> Money {
    i.total
        .unwrap_or_else(|| (i.price * i.quantity.value()).round2())
}

/// Sales value by product category and the products moving the most quantity, from the
/// period's orders in your scope and the product master.
#[utoipa::path(get, path = "/api/analytics/category-split", tag = "Analytics", security(("bearer" = [])), params(PeriodQuery), responses(
    (status = 200, description = "Sales by category and the products moving the most quantity", body = CategorySplit),
    (status = 400, description = "Unknown period"),
))]
async fn category_split(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<Value>, ApiError> {
    let (_, scope) = caller_scope(&st, &actor).await?;
    let period = Period::parse(q.period.as_deref(), Period::Month)?;
    let window = DateRange::since(period.start(Timestamp::now()));
    let orders = scoped_orders(
        &st,
        &scope,
        Filter::and([sales_filter(), window.filter("createdAt")]),
    )
    .await?;
    let ids: BTreeSet<String> = orders
        .iter()
        .flat_map(|o| o.items.iter().map(|i| i.product_id.clone()))
        .filter(|id| !id.is_empty())
        .collect();
    let products: Vec<Product> = if ids.is_empty() {
        Vec::new()
    } else {
        st.store
            .list(&Query::new(Filter::is_in(
                "id",
                ids.iter().map(|i| json!(i)).collect(),
            )))
            .await?
    };
    let category_of: BTreeMap<&str, &str> = products
        .iter()
        .map(|p| {
            (
                p.id.as_str(),
                p.category
                    .as_deref()
                    .filter(|c| !c.trim().is_empty())
                    .unwrap_or("Uncategorised"),
            )
        })
        .collect();
    let mut by_cat: BTreeMap<String, (Money, BTreeSet<String>)> = BTreeMap::new();
    let mut by_product: BTreeMap<String, (String, Decimal)> = BTreeMap::new();
    for o in &orders {
        for i in &o.items {
            let cat = category_of
                .get(i.product_id.as_str())
                .copied()
                .unwrap_or("Uncategorised");
            let e = by_cat.entry(cat.to_string()).or_default();
            e.0 += line_value(i);
            e.1.insert(o.id.clone());
            let p = by_product.entry(i.product_id.clone()).or_insert_with(|| {
                (
                    i.product_name
                        .clone()
                        .unwrap_or_else(|| i.product_id.clone()),
                    Decimal::ZERO,
                )
            });
            p.1 += i.quantity.value();
        }
    }
    let total: Money = by_cat.values().map(|(v, _)| *v).sum();
    let mut split: Vec<(String, Money, usize)> = by_cat
        .into_iter()
        .map(|(c, (v, o))| (c, v, o.len()))
        .collect();
    split.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let split: Vec<Value> = split
        .into_iter()
        .enumerate()
        .map(|(i, (category, value, n))| {
            json!({
                "category": category,
                "value": value.round2(),
                "share": pct(value.amount(), total.amount()).unwrap_or(Decimal::ZERO),
                "orders": n,
                "color": PALETTE[i % PALETTE.len()],
            })
        })
        .collect();
    let mut conc: Vec<(String, String, Decimal)> = by_product
        .into_iter()
        .map(|(id, (name, q))| (id, name, q))
        .collect();
    conc.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let concentration: Vec<Value> = conc
        .into_iter()
        .take(5)
        .map(|(id, name, q)| json!({ "label": name, "productId": id, "qty": q.normalize() }))
        .collect();
    Ok(Json(json!({
        "split": split,
        "concentration": concentration,
        "totalValue": total.round2(),
        "period": period.name(),
    })))
}

// ---------------------------------------------------------------------------------------
// AN6 fleet

fn delivered_at(o: &Order) -> Option<Timestamp> {
    o.delivery
        .as_ref()
        .and_then(|d| d.delivered_at)
        .or_else(|| {
            o.status_history
                .iter()
                .rev()
                .find(|h| OrderStatus::parse(&h.status).is_some_and(is_delivered))
                .map(|h| h.timestamp)
        })
        .or(o.updated_at)
}

/// Days of delivery velocity shown.
const VELOCITY_DAYS: i64 = 5;

/// Fleet view from logistics data: deliveries in the period, on-time rate against the
/// expected delivery date, vehicles and agents on the road, and drops per day.
#[utoipa::path(get, path = "/api/analytics/fleet", tag = "Analytics", security(("bearer" = [])), params(PeriodQuery), responses(
    (status = 200, description = "Deliveries, on-time rate, vehicles and agents, drops per day", body = Fleet),
    (status = 400, description = "Unknown period"),
))]
async fn fleet(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Json<Value>, ApiError> {
    let (_, scope) = caller_scope(&st, &actor).await?;
    let period = Period::parse(q.period.as_deref(), Period::Month)?;
    let now = Timestamp::now();
    let today = now.datetime().with_timezone(&ist()).date_naive();
    let velocity_start = ist_midnight(today - Duration::days(VELOCITY_DAYS - 1));
    let window = DateRange::since(period.start(now));
    let load_from = match window.start {
        Some(s) if s < velocity_start => Some(s),
        Some(_) => Some(velocity_start),
        None => None,
    };
    let on_road = scoped_orders(
        &st,
        &scope,
        status_filter([OrderStatus::InTransit, OrderStatus::OutForDelivery]),
    )
    .await?;
    // A delivery finished after the window start was last updated after it too, so
    // `updatedAt` narrows the read; the exact time is checked below.
    let delivered_candidates = scoped_orders(
        &st,
        &scope,
        Filter::and([
            status_filter([OrderStatus::Delivered, OrderStatus::PartAccepted]),
            DateRange::since(load_from).filter("updatedAt"),
        ]),
    )
    .await?;
    let delivered: Vec<(&Order, Timestamp)> = delivered_candidates
        .iter()
        .filter_map(|o| delivered_at(o).map(|t| (o, t)))
        .collect();
    let in_period: Vec<&(&Order, Timestamp)> = delivered
        .iter()
        .filter(|(_, t)| window.contains(*t))
        .collect();
    let mut on_time = 0u64;
    let mut late = 0u64;
    for (o, t) in &in_period {
        if let Some(exp) = o.logistics.as_ref().and_then(|l| l.expected_delivery_date) {
            // Due by the end of the expected IST day.
            let due =
                ist_midnight(exp.datetime().with_timezone(&ist()).date_naive() + Duration::days(1));
            if *t < due {
                on_time += 1;
            } else {
                late += 1;
            }
        }
    }
    let vehicles: BTreeSet<&str> = on_road
        .iter()
        .filter_map(|o| o.logistics.as_ref()?.vehicle_no.as_deref())
        .collect();
    let agents_on_road: BTreeSet<&str> = on_road
        .iter()
        .filter_map(|o| o.logistics.as_ref()?.delivery_agent_id.as_deref())
        .collect();
    let regions: BTreeSet<String> = in_period
        .iter()
        .filter_map(|(o, _)| o.place_of_supply.clone())
        .chain(on_road.iter().filter_map(|o| o.place_of_supply.clone()))
        .collect();
    let agents = st
        .store
        .count_of::<User>(&Filter::and([
            Filter::eq("role", Role::DeliveryTeam.as_str()),
            Filter::Nin(
                "status".into(),
                [
                    UserStatus::Inactive,
                    UserStatus::Suspended,
                    UserStatus::Deleted,
                ]
                .iter()
                .map(|s| json!(s))
                .collect(),
            ),
        ]))
        .await?;
    let measured = on_time + late;
    let on_time_rate = pct(Decimal::from(on_time), Decimal::from(measured));
    let velocity: Vec<Value> = (0..VELOCITY_DAYS)
        .rev()
        .map(|back| {
            let day = today - Duration::days(back);
            let drops = delivered
                .iter()
                .filter(|(_, t)| t.datetime().with_timezone(&ist()).date_naive() == day)
                .count();
            json!({ "time": day.format("%Y-%m-%d").to_string(), "drops": drops })
        })
        .collect();
    Ok(Json(json!({
        // The legacy screen shows these four as display strings.
        "metrics": {
            "coverage": format!("{} regions", regions.len()),
            "activeAssets": vehicles.len().to_string(),
            "successfulDrops": in_period.len().to_string(),
            "personnel": agents.to_string(),
        },
        "details": {
            "deliveries": in_period.len(),
            "inTransit": on_road.len(),
            "onTimeDeliveries": on_time,
            "lateDeliveries": late,
            "onTimeRate": on_time_rate,
            "activeVehicles": vehicles.len(),
            "agentsOnRoad": agents_on_road.len(),
            "deliveryAgents": agents,
            "regions": regions,
        },
        "velocity": velocity,
        "period": period.name(),
    })))
}

// ---------------------------------------------------------------------------------------
// AN7 order-based performance

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OrderPmsQuery {
    /// Whose performance to detail (default: you); must be within your scope.
    pub user_id: Option<String>,
    /// today, week, month (default), quarter, six-months, year or all.
    #[param(value_type = Option<Period>, inline)]
    pub period: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct Perf {
    sales: Money,
    orders: u64,
    completed: u64,
    response_hours: Vec<Decimal>,
}

/// Hours from booking to the first credit decision (the first history entry that left
/// Pending Credit Approval).
fn response_hours(o: &Order) -> Option<Decimal> {
    let created = o.created_at?;
    let decided = o.status_history.iter().find(|h| {
        OrderStatus::parse(&h.status).is_some_and(|s| s != OrderStatus::PendingCreditApproval)
    })?;
    let ms = decided.timestamp.millis() - created.millis();
    (ms >= 0).then(|| Decimal::from(ms) / Decimal::from(3_600_000i64))
}

/// The legacy order-based score: min(100, round(sales / 10,000 + delivered × 5)).
fn order_score(p: &Perf) -> i64 {
    let raw = p.sales.amount() / Decimal::from(10_000) + Decimal::from(p.completed * 5);
    raw.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0)
        .min(100)
}

/// Order-based performance: per salesperson in your scope, sales, orders, deliveries, the
/// legacy score, achievement against their own monthly target (pro-rated to the period),
/// and credit response time — only measured figures (the legacy sent constant KPIs).
#[utoipa::path(get, path = "/api/analytics/pms", tag = "Analytics", security(("bearer" = [])), params(OrderPmsQuery), responses(
    (status = 200, description = "Your (or the named user's) performance, KPIs and the leaderboard", body = OrderPerformance),
    (status = 400, description = "Unknown period"),
    (status = 403, description = "userId outside your team"),
))]
async fn order_pms(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<OrderPmsQuery>,
) -> Result<Json<Value>, ApiError> {
    let (scope, scope_f) = caller_scope(&st, &actor).await?;
    let period = Period::parse(q.period.as_deref(), Period::Month)?;
    let now = Timestamp::now();
    let subject = q
        .user_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(actor.id())
        .to_string();
    if subject != actor.id() {
        require_salesperson_in_scope(&scope, &subject)?;
    }
    let window = DateRange::since(period.start(now));
    let orders = scoped_orders(
        &st,
        &scope_f,
        Filter::and([
            window.filter("createdAt"),
            Filter::Exists("salespersonId".into()),
        ]),
    )
    .await?;
    let mut perf: BTreeMap<String, Perf> = BTreeMap::new();
    for o in &orders {
        let Some(sp) = o.salesperson_id.as_deref() else {
            continue;
        };
        let p = perf.entry(sp.to_string()).or_default();
        p.orders += 1;
        if is_sale(o.status) {
            p.sales += o.total;
        }
        if is_delivered(o.status) {
            p.completed += 1;
        }
        if let Some(h) = response_hours(o) {
            p.response_hours.push(h);
        }
    }
    let mut ids: BTreeSet<String> = perf.keys().cloned().collect();
    ids.insert(subject.clone());
    let users: Vec<User> = st
        .store
        .list(&Query::new(Filter::is_in(
            "id",
            ids.iter().map(|i| json!(i)).collect(),
        )))
        .await?;
    let user = |id: &str| users.iter().find(|u| u.id == id);
    let days = period.days(now);
    let achievement = |id: &str, p: &Perf| -> Option<Decimal> {
        let target = user(id)?.monthly_target;
        let days = days?;
        let scaled = target.amount() * days / Decimal::from(30);
        pct(p.sales.amount(), scaled).map(|v| v.min(Decimal::ONE_HUNDRED))
    };
    let mut ranked: Vec<(&String, &Perf)> = perf.iter().collect();
    ranked.sort_by(|a, b| {
        order_score(b.1)
            .cmp(&order_score(a.1))
            .then(b.1.sales.cmp(&a.1.sales))
            .then(a.0.cmp(b.0))
    });
    let row = |rank: usize, id: &str, p: &Perf| {
        json!({
            "rank": rank,
            "userId": id,
            "userName": user(id).map(|u| u.name.clone()).unwrap_or_else(|| id.to_string()),
            "score": order_score(p),
            "sales": p.sales.round2(),
            "orders": p.orders,
            "completed": p.completed,
            "completionRate": pct(Decimal::from(p.completed), Decimal::from(p.orders)),
            "targetAchievement": achievement(id, p),
        })
    };
    let leaderboard: Vec<Value> = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, (id, p))| row(i + 1, id, p))
        .collect();
    let mine = perf.get(&subject).cloned().unwrap_or_default();
    let rank = ranked.iter().position(|(id, _)| **id == subject);
    let mut user_performance = row(rank.map(|r| r + 1).unwrap_or(0), &subject, &mine);
    if rank.is_none() {
        user_performance["rank"] = json!("N/A");
    }
    let response_time = (!mine.response_hours.is_empty()).then(|| {
        round1(
            mine.response_hours.iter().copied().sum::<Decimal>()
                / Decimal::from(mine.response_hours.len() as u64),
        )
    });
    Ok(Json(json!({
        "userPerformance": user_performance,
        "kpis": {
            "ordersCompleted": mine.completed,
            // Average hours from booking to the credit decision; null without decisions.
            "responseTime": response_time,
            "targetAchievement": achievement(&subject, &mine),
        },
        "leaderboard": leaderboard,
        "period": period.name(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_order_score() {
        let p = Perf {
            sales: Money::from_rupees(350_000),
            completed: 3,
            ..Perf::default()
        };
        // §2.12: ₹3,50,000 and 3 delivered → 35 + 15 = 50.
        assert_eq!(order_score(&p), 50);
    }
}
