//! Logistics cost calculator (L2) and cost history (L3): api.md §2.10, §5.2; domain.md §2.9.
//!
//! L2 stays public, as the seed's curl check 5 calls it without a token; it is rate-limited
//! per client by the `PublicCost` group (30 a minute, `rate_limit.rs`) because the legacy
//! open endpoint could run up a paid Maps bill. The distance is, in order: the caller's
//! `distance` (`manual`); the live Maps provider when one is wired (`google_maps`); the
//! built-in city table (`offline_table`, haversine × 1.25, `integrations::maps_offline`).
//! Never a random figure (D-L14, 8.2.27). The Maps client caches its own answers for six
//! hours (`integrations::distance_matrix`); the table is pure and needs no cache, and a
//! fallback answer is never cached, so a Maps outage does not outlive itself.
//!
//! L3 was three hard-coded rows (8.3.32); now it lists the cost breakdowns recorded on
//! orders at the logistics-cost step, in a date range, for logistics costing and Admin.

use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
use crate::routes::common::Bounded;
use crate::routes::dates::{DateRange, Period};
use crate::routes::envelope::Data;
use crate::routes::extract::ApiQuery;
use crate::routes::numbers::{de_opt_number, tidy_numbers};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use nexus_core::auth::{Access, Permission};
use nexus_core::integrations::distance_cost::road_distance;
use nexus_core::integrations::{DistanceError, DistanceSourceKind};
use nexus_core::model::order::CostBreakdown;
use nexus_core::model::{Order, OrderStatus, Warehouse};
use nexus_core::rules::logistics_cost::{VehicleType, route_cost};
use nexus_core::store::{Filter, Query, TypedStore};
use nexus_core::types::{Money, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([routes!(calculate_cost), routes!(cost_history)])
}

// ---------------------------------------------------------------------------------------
// L2 calculate-cost

/// Longest distance accepted from a caller: more than any road trip within India.
const MAX_MANUAL_KM: i64 = 6_000;

/// Either `distance`, or `origin` and `destination` (see its schema below).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CostRequest {
    pub origin: Option<String>,
    pub destination: Option<String>,
    /// Truck (default), Tempo, Van or Bike.
    pub vehicle_type: Option<String>,
    /// Kilometres, when known; then no lookup is made.
    #[serde(default, deserialize_with = "de_opt_number")]
    pub distance: Option<Decimal>,
}

/// Written by hand because the rule "a distance, or both places" is an `anyOf` a derive
/// cannot say; the field types and bounds are the ones `calculate_cost` checks.
impl utoipa::PartialSchema for CostRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use crate::routes::param_schemas::{NOT_BLANK, with_keywords};
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        // Each field may be null (read as absent); the `anyOf` below asks for real values.
        let or_null = |t: Type| SchemaType::from_iter([t, Type::Null]);
        let place = |example: &str| {
            ObjectBuilder::new()
                .schema_type(or_null(Type::String))
                .examples([example])
        };
        let vehicles: Vec<&str> = VehicleType::ALL.iter().map(|v| v.as_str()).collect();
        let fields = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("origin", place("Mumbai"))
            .property("destination", place("Delhi"))
            .property(
                "vehicleType",
                ObjectBuilder::new()
                    .schema_type(or_null(Type::String))
                    .enum_values(Some(
                        vehicles
                            .into_iter()
                            .map(serde_json::Value::from)
                            .chain([serde_json::Value::Null]),
                    ))
                    .description(Some("Default Truck.")),
            )
            .property(
                "distance",
                ObjectBuilder::new()
                    .schema_type(or_null(Type::Number))
                    .minimum(Some(0))
                    .maximum(Some(MAX_MANUAL_KM))
                    .description(Some("Kilometres, when known; then no lookup is made."))
                    .examples([250]),
            )
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ))
            .description(Some(
                "The distance in km, or the origin and destination to look it up.",
            ))
            .into();
        let place_given = serde_json::json!({ "type": "string", "pattern": NOT_BLANK });
        with_keywords(
            fields,
            [(
                "anyOf",
                serde_json::json!([
                    { "required": ["distance"], "properties": { "distance": { "type": "number" } } },
                    {
                        "required": ["origin", "destination"],
                        "properties": { "origin": place_given, "destination": place_given },
                    },
                ]),
            )],
        )
    }
}
impl utoipa::ToSchema for CostRequest {}

fn minutes_text(m: i64) -> String {
    match (m / 60, m % 60) {
        (0, min) => format!("{min} min"),
        (h, 0) => format!("{h} h"),
        (h, min) => format!("{h} h {min} min"),
    }
}

/// The parts of a route cost (api.md §5.2).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RouteBreakdown {
    pub fuel_cost: Money,
    pub driver_allowance: Money,
    pub toll_charges: Money,
    pub misc_charges: Money,
    pub total: Money,
}

/// The places a distance was looked up for, as the source resolved them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResolvedPlaces {
    pub origin: String,
    pub destination: String,
}

/// A route cost.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RouteCostAnswer {
    /// As sent (trimmed), or `null`.
    #[schema(required = true)]
    pub origin: Option<String>,
    #[schema(required = true)]
    pub destination: Option<String>,
    /// Kilometres.
    pub distance: f64,
    /// `manual`, `google_maps` or `offline_table`.
    #[schema(example = "offline_table")]
    pub distance_source: String,
    /// `Truck`, `Tempo`, `Van` or `Bike`.
    pub vehicle_type: String,
    pub breakdown: RouteBreakdown,
    /// Minutes.
    pub estimated_time: i64,
    /// `4 h 10 min`.
    pub estimated_time_text: String,
    /// True when the distance is the offline table's estimate rather than a measured road
    /// distance.
    pub is_fallback: bool,
    /// Why Google Maps, though configured, did not answer; else `null`.
    #[schema(required = true)]
    pub fallback_reason: Option<String>,
    /// True when the Maps provider answered from its six-hour cache.
    pub cached: bool,
    /// `null` when the caller gave the distance.
    #[schema(required = true)]
    pub resolved: Option<ResolvedPlaces>,
}

/// Route cost by vehicle type: fuel, driver allowance, tolls and handling (api.md §5.2).
/// Public (rate-limited); the distance is the caller's, the Maps provider's, or the
/// built-in city table's — never random.
#[utoipa::path(post, path = "/api/logistics/calculate-cost", tag = "Logistics", request_body = CostRequest, responses(
    (status = 200, description = "The route cost; `distanceSource` is `manual`, `google_maps` or `offline_table`", body = Data<RouteCostAnswer>),
    (status = 422, description = "Unknown vehicle type or place (the known cities are listed), missing places, or a bad distance"),
    (status = 429, description = "Too many calculations from this client"),
))]
async fn calculate_cost(
    State(st): State<AppState>,
    ApiJson(body): ApiJson<CostRequest>,
) -> Result<Json<Value>, ApiError> {
    let vehicle_raw = body
        .vehicle_type
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("Truck");
    let vehicle = VehicleType::parse(vehicle_raw).map_err(|_| {
        ApiError::unprocessable(
            ErrorCode::UnknownVehicle,
            format!("Unknown vehicle type `{vehicle_raw}`"),
        )
        .with_details(json!({ "supported": VehicleType::ALL.map(VehicleType::as_str) }))
    })?;
    let origin = body
        .origin
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let destination = body
        .destination
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (distance, source, resolved, duration, cached, fallback_reason) = match body.distance {
        Some(d) => {
            if d < Decimal::ZERO || d > Decimal::from(MAX_MANUAL_KM) {
                return Err(ApiError::unprocessable(
                    ErrorCode::InvalidDistance,
                    format!("distance must be between 0 and {MAX_MANUAL_KM} km"),
                ));
            }
            (d, DistanceSourceKind::Manual, None, None, false, None)
        }
        None => {
            let (Some(o), Some(dest)) = (origin, destination) else {
                return Err(ApiError::unprocessable(
                    ErrorCode::PlacesRequired,
                    "Give origin and destination, or the distance in km",
                ));
            };
            let (rd, why) = road_distance(st.maps.as_deref(), o, dest, true)
                .await
                .map_err(distance_error)?;
            let resolved = json!({ "origin": rd.origin, "destination": rd.destination });
            (
                rd.distance_km,
                rd.source,
                Some(resolved),
                rd.duration_minutes,
                rd.cached,
                why,
            )
        }
    };
    let cost = route_cost(vehicle, distance)
        .map_err(|e| ApiError::unprocessable(ErrorCode::InvalidDistance, e.to_string()))?;
    let minutes = duration.unwrap_or(cost.estimated_minutes);
    let mut body = json!({
        "success": true,
        "data": {
            "origin": origin,
            "destination": destination,
            "distance": distance.normalize(),
            "distanceSource": source.as_str(),
            "vehicleType": vehicle.as_str(),
            "breakdown": {
                "fuelCost": cost.fuel_cost,
                "driverAllowance": cost.driver_allowance,
                "tollCharges": cost.toll_charges,
                "miscCharges": cost.misc_charges,
                "total": cost.total,
            },
            "estimatedTime": minutes,
            "estimatedTimeText": minutes_text(minutes),
            // True when the distance is the offline table's estimate rather than a
            // measured road distance (no Maps provider, or it was unavailable).
            "isFallback": source == DistanceSourceKind::OfflineTable,
            // Set when Google Maps is configured but could not answer this time.
            "fallbackReason": fallback_reason,
            // True when the Maps provider answered from its six-hour cache.
            "cached": cached,
            "resolved": resolved,
        }
    });
    tidy_numbers(&mut body);
    Ok(Json(body))
}

fn distance_error(e: DistanceError) -> ApiError {
    match e {
        // Google Maps could not locate it (no list of known places to offer).
        DistanceError::UnknownPlace { place, known } if known.is_empty() => {
            ApiError::unprocessable(
                ErrorCode::UnknownPlace,
                format!(
                    "`{place}` could not be located, or has no road route; check the address or give the distance in km"
                ),
            )
            .with_details(json!({ "place": place }))
        }
        DistanceError::UnknownPlace { place, known } => ApiError::unprocessable(
            ErrorCode::UnknownPlace,
            format!(
                "`{place}` is not a city the offline distance table knows; give the distance in km or use one of the known cities"
            ),
        )
        .with_details(json!({ "place": place, "knownCities": known })),
        DistanceError::SamePlace(a, b) => ApiError::unprocessable(
            ErrorCode::DistanceRequired,
            format!("`{a}` and `{b}` are the same city; give the distance in km"),
        ),
        DistanceError::Unavailable(_) => ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::DistanceUnavailable,
            "No distance source is available right now; give the distance in km",
        ),
    }
}

// ---------------------------------------------------------------------------------------
// L3 cost history

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CostHistoryQuery {
    /// Costs recorded from this date (IST day) or instant.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub start_date: Option<String>,
    /// Costs recorded up to this date (whole IST day) or instant.
    #[param(value_type = Option<crate::routes::param_schemas::DateOrInstant>, inline)]
    pub end_date: Option<String>,
    /// Rows at most (default 200, at most 1,000).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000)]
    pub limit: Option<Bounded<1, 1000>>,
}

/// When the order's logistics cost was recorded: the history entry of the logistics-cost
/// step (the one that left Pending Logistics Cost), else the logistics assignment times,
/// else the booking.
fn cost_recorded_at(o: &Order) -> Option<Timestamp> {
    o.status_history
        .iter()
        .find(|h| {
            h.step.as_deref() == Some("logistics_cost")
                || h.from
                    .as_deref()
                    .and_then(OrderStatus::parse)
                    .is_some_and(|s| s == OrderStatus::PendingLogisticsCost)
        })
        .map(|h| h.timestamp)
        .or_else(|| {
            let l = o.logistics.as_ref()?;
            l.assigned_at.or(l.booking_date)
        })
        .or(o.created_at)
}

/// One recorded logistics cost.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CostRow {
    /// When the cost was recorded.
    pub date: Timestamp,
    pub order_id: String,
    #[schema(required = true)]
    pub customer_name: Option<String>,
    /// `<warehouse> → <customer>`.
    pub route: String,
    pub cost: Money,
    #[schema(required = true)]
    pub vehicle_type: Option<String>,
    #[schema(required = true)]
    pub distance_km: Option<f64>,
    /// `null` for costs recorded without a breakdown (legacy orders).
    #[schema(required = true)]
    pub breakdown: Option<CostBreakdown>,
    #[schema(required = true)]
    pub ratio_pct: Option<f64>,
    pub high_cost_alert: bool,
    pub status: OrderStatus,
}

/// Totals over every recorded cost in the period (not only the rows returned).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CostSummary {
    pub count: u64,
    pub total_cost: Money,
    /// `null` when no cost carries a ratio.
    #[schema(required = true)]
    pub average_ratio_pct: Option<f64>,
    pub high_cost_count: u64,
}

/// The cost history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CostHistory {
    pub success: bool,
    pub data: Vec<CostRow>,
    pub summary: CostSummary,
    pub period: Period,
}

/// Logistics costs recorded on orders, newest first, with totals.
#[utoipa::path(get, path = "/api/logistics/cost-history", tag = "Logistics", security(("bearer" = [])), params(CostHistoryQuery), responses(
    (status = 200, description = "The recorded costs, newest first, with totals", body = CostHistory),
    (status = 400, description = "Unreadable date"),
    (status = 403, description = "Needs logistics_costing"),
))]
async fn cost_history(
    State(st): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<CostHistoryQuery>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::LogisticsCosting, Access::View)?;
    let range = DateRange::parse(q.start_date.as_deref(), q.end_date.as_deref())?;
    let limit = q.limit.map_or(200, |l| l.0) as usize;
    // A cost recorded at t belongs to an order booked at or before t and last updated at or
    // after t: both bounds narrow the read; the exact time is checked below.
    let filter = Filter::and([
        Filter::or([
            Filter::Exists("logistics.costBreakdown".into()),
            Filter::gt("logistics.shippingCost", 0),
        ]),
        range
            .start
            .map(|s| Filter::gte("updatedAt", json!(s)))
            .unwrap_or(Filter::All),
        range
            .end
            .map(|e| Filter::lt("createdAt", json!(e)))
            .unwrap_or(Filter::All),
    ]);
    let orders: Vec<Order> = st
        .store
        .list(&Query::new(filter).sort_desc("updatedAt"))
        .await?;
    let warehouses: Vec<Warehouse> = st.store.list(&Query::all()).await?;
    let wh_name: BTreeMap<&str, &str> = warehouses
        .iter()
        .map(|w| (w.id.as_str(), w.name.as_str()))
        .collect();
    let mut rows: Vec<(Timestamp, Value, Money, Option<Decimal>, bool)> = orders
        .iter()
        .filter_map(|o| {
            let at = cost_recorded_at(o)?;
            if !range.contains(at) {
                return None;
            }
            let l = o.logistics.as_ref()?;
            let breakdown = l.cost_breakdown.as_ref();
            let cost = breakdown
                .map(|b| b.total)
                .filter(|t| !t.is_zero())
                .unwrap_or(l.shipping_cost);
            let ratio = breakdown.and_then(|b| b.ratio_pct);
            let from = o
                .source_warehouse
                .as_deref()
                .map(|w| wh_name.get(w).copied().unwrap_or(w))
                .unwrap_or("—");
            let to = o.customer_name.as_deref().unwrap_or(&o.customer_id);
            let row = json!({
                "date": at,
                "orderId": o.id,
                "customerName": o.customer_name,
                "route": format!("{from} → {to}"),
                "cost": cost.round2(),
                "vehicleType": l.vehicle_type,
                "distanceKm": l.distance_km,
                "breakdown": breakdown,
                "ratioPct": ratio,
                "highCostAlert": l.high_cost_alert,
                "status": o.status,
            });
            Some((at, row, cost, ratio, l.high_cost_alert))
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let total: Money = rows.iter().map(|r| r.2).sum();
    let ratios: Vec<Decimal> = rows.iter().filter_map(|r| r.3).collect();
    let avg_ratio = (!ratios.is_empty()).then(|| {
        (ratios.iter().copied().sum::<Decimal>() / Decimal::from(ratios.len() as u64)).round_dp(2)
    });
    let summary = json!({
        "count": rows.len(),
        "totalCost": total.round2(),
        "averageRatioPct": avg_ratio,
        "highCostCount": rows.iter().filter(|r| r.4).count(),
    });
    let data: Vec<Value> = rows.into_iter().take(limit).map(|r| r.1).collect();
    let mut body = json!({
        "success": true,
        "data": data,
        "summary": summary,
        "period": range.to_json(),
    });
    tidy_numbers(&mut body);
    Ok(Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_read_naturally() {
        assert_eq!(minutes_text(45), "45 min");
        assert_eq!(minutes_text(120), "2 h");
        assert_eq!(minutes_text(1435), "23 h 55 min");
    }
}
