//! The proposed transport cost of an order waiting at the logistics-cost step, computed by the
//! worker's `distance_cost` job: queued when quality control passes an order, or for every
//! waiting order at once. The logistics team opens the order and finds the road distance from
//! the dispatching warehouse to the customer, the cost of each vehicle class for that trip,
//! and the 15 % rule's verdict on each against the packed value.
//!
//! The distance comes from the same place as `POST /api/logistics/calculate-cost`
//! ([`road_distance`]): Google Distance Matrix when a key is set, else the built-in city
//! table, and the proposal says which (`isFallback`, `fallbackReason`). The proposal is
//! stored on the order (`logisticsProposal`) with the fingerprint of what it was computed
//! from, so running the job again stores the same result and costs no second lookup.

use super::maps_offline::OfflineTable;
use super::{DistanceError, DistanceSource, DistanceSourceKind, RoadDistance};
use crate::model::{AuditLog, Customer, Order, OrderStatus, Warehouse};
use crate::rules::logistics_cost::{
    CostAssessment, HIGH_COST_THRESHOLD_PCT, VehicleType, assess_cost, route_cost,
};
use crate::store::{Filter, StoreError, TypedStore, Write};
use crate::types::{Money, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

/// A distance for two places, and why the live provider was passed over when it was. A live
/// provider that is unavailable falls back to the table when `may_fall_back` (a caller that
/// can try again later passes `false` and gets the `Unavailable` error instead); an unknown
/// place is the caller's error either way.
pub async fn road_distance(
    live: Option<&dyn DistanceSource>,
    origin: &str,
    destination: &str,
    may_fall_back: bool,
) -> Result<(RoadDistance, Option<String>), DistanceError> {
    let Some(live) = live else {
        return Ok((OfflineTable.road_distance(origin, destination).await?, None));
    };
    match live.road_distance(origin, destination).await {
        Err(DistanceError::Unavailable(why)) if may_fall_back => {
            tracing::warn!(%why, "maps provider unavailable; using the offline city table");
            let found = OfflineTable.road_distance(origin, destination).await?;
            Ok((found, Some("Google Maps was unavailable".into())))
        }
        other => Ok((other?, None)),
    }
}

/// One vehicle class for the trip: its route cost and the 15 % rule's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VehicleOption {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "Truck"))]
    pub vehicle_type: VehicleType,
    /// Fuel, driver allowance, tolls and loading for the trip, whole rupees.
    pub cost: Money,
    pub estimated_minutes: i64,
    pub assessment: CostAssessment,
}

/// What the job stores on the order as `logisticsProposal`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LogisticsProposal {
    /// The dispatching warehouse's place and the customer's, as the source resolved them.
    pub origin: String,
    pub destination: String,
    /// `null` when no distance could be found (see `reason`).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub distance_km: Option<Decimal>,
    /// `google_maps` or `offline_table`; `null` without a distance.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub distance_source: Option<String>,
    /// True when the distance is the offline table's estimate, not a measured road distance.
    pub is_fallback: bool,
    /// Why the live provider did not answer, when it was configured and failed.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub fallback_reason: Option<String>,
    /// Σ packed quantity × rate, ex-GST: what each cost is measured against.
    pub packed_value: Money,
    /// Every vehicle class, cheapest first; empty without a distance.
    pub options: Vec<VehicleOption>,
    /// The cheapest class within the 15 % rule, or `null` when every class is over it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, required = true))]
    pub recommended: Option<VehicleType>,
    /// Why there is no distance (a place the table does not know, a trip inside one city):
    /// the team enters the distance by hand.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub reason: Option<String>,
    /// SHA-256 of the places and the packed value the proposal was computed from.
    pub fingerprint: String,
    pub generated_at: Timestamp,
    /// `job:<id>` of the job that computed it.
    pub generated_by: String,
}

/// The trip an order makes, read from the store.
pub struct TripInputs {
    pub order: Order,
    pub origin: String,
    pub destination: String,
    pub packed_value: Money,
    pub fingerprint: String,
}

/// Why an order cannot be priced at all (nothing to look up).
#[derive(Debug, thiserror::Error)]
pub enum TripError {
    #[error("order {0} has no dispatching warehouse")]
    NoWarehouse(String),
    #[error("warehouse {0} does not exist")]
    UnknownWarehouse(String),
    #[error("customer {0} does not exist")]
    UnknownCustomer(String),
    #[error("customer {0} has no city or address on file")]
    NoAddress(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The order's dispatching warehouse: the one chosen at warehouse selection, else the one
/// its first allocated batch came from.
fn warehouse_of(order: &Order) -> Option<String> {
    order.source_warehouse.clone().or_else(|| {
        order
            .items
            .iter()
            .flat_map(|i| i.allocated_batches.iter())
            .find_map(|b| b.warehouse_id.clone())
    })
}

/// The customer's place for a road lookup: the city, else the address, else the location.
fn place_of(c: &Customer) -> Option<String> {
    [&c.city, &c.address, &c.location]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .map(str::to_string)
}

pub async fn trip(
    store: &(impl TypedStore + ?Sized),
    order: Order,
) -> Result<TripInputs, TripError> {
    let wh_id = warehouse_of(&order).ok_or_else(|| TripError::NoWarehouse(order.id.clone()))?;
    // Legacy orders name the facility instead of its id (D-D4).
    let warehouse: Warehouse = match store.get(Filter::id(wh_id.clone())).await? {
        Some(w) => w,
        None => store
            .get(Filter::eq("name", wh_id.clone()))
            .await?
            .ok_or(TripError::UnknownWarehouse(wh_id))?,
    };
    let customer: Customer = store
        .get(Filter::id(order.customer_id.clone()))
        .await?
        .ok_or_else(|| TripError::UnknownCustomer(order.customer_id.clone()))?;
    let destination = place_of(&customer).ok_or(TripError::NoAddress(customer.id.clone()))?;
    let origin = warehouse.location.trim().to_string();
    let origin = if origin.is_empty() {
        warehouse.name
    } else {
        origin
    };
    let packed_value = order.packed_value();
    let canonical = json!({
        "orderId": order.id, "origin": origin, "destination": destination,
        "packedValue": packed_value,
    });
    let fingerprint = Sha256::digest(canonical.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(TripInputs {
        order,
        origin,
        destination,
        packed_value,
        fingerprint,
    })
}

impl TripInputs {
    /// The proposal stored on the order from these same inputs, when it measured a distance
    /// (a proposal that found none is worth trying again: the address may be fixed).
    pub fn stored(&self) -> Option<LogisticsProposal> {
        let stored: LogisticsProposal =
            serde_json::from_value(self.order.logistics_proposal.clone()?).ok()?;
        (stored.fingerprint == self.fingerprint && stored.distance_km.is_some()).then_some(stored)
    }
}

/// Every vehicle class for `distance_km`, cheapest first, and the cheapest within the rule.
pub fn options(
    distance_km: Decimal,
    packed_value: Money,
) -> (Vec<VehicleOption>, Option<VehicleType>) {
    let mut options: Vec<VehicleOption> = VehicleType::ALL
        .into_iter()
        .filter_map(|v| route_cost(v, distance_km).ok())
        .map(|c| VehicleOption {
            vehicle_type: c.vehicle_type,
            cost: c.total,
            estimated_minutes: c.estimated_minutes,
            assessment: assess_cost(c.total, packed_value),
        })
        .collect();
    options.sort_by_key(|o| o.cost);
    let recommended = options
        .iter()
        .find(|o| !o.assessment.high_cost_alert)
        .map(|o| o.vehicle_type);
    (options, recommended)
}

/// Looks the trip up and prices it. `Err` only for a live provider that is unavailable while
/// `may_fall_back` is false (the job tries again later); a place nobody can measure gives a
/// proposal without a distance that says why.
pub async fn propose(
    live: Option<&dyn DistanceSource>,
    trip: &TripInputs,
    by: &str,
    may_fall_back: bool,
) -> Result<LogisticsProposal, DistanceError> {
    let looked_up = road_distance(live, &trip.origin, &trip.destination, may_fall_back).await;
    let mut p = LogisticsProposal {
        origin: trip.origin.clone(),
        destination: trip.destination.clone(),
        distance_km: None,
        distance_source: None,
        is_fallback: false,
        fallback_reason: None,
        packed_value: trip.packed_value,
        options: Vec::new(),
        recommended: None,
        reason: None,
        fingerprint: trip.fingerprint.clone(),
        generated_at: Timestamp::now(),
        generated_by: by.to_string(),
    };
    match looked_up {
        Ok((rd, why)) => {
            let (options, recommended) = options(rd.distance_km, trip.packed_value);
            p.origin = rd.origin;
            p.destination = rd.destination;
            p.distance_km = Some(rd.distance_km);
            p.distance_source = Some(rd.source.as_str().to_string());
            p.is_fallback = rd.source == DistanceSourceKind::OfflineTable;
            p.fallback_reason = why;
            p.options = options;
            p.recommended = recommended;
            if recommended.is_none() {
                p.reason = Some(format!(
                    "every vehicle costs more than {HIGH_COST_THRESHOLD_PCT} % of the packed value: the order will need an admin's review"
                ));
            }
        }
        Err(DistanceError::Unavailable(why)) => return Err(DistanceError::Unavailable(why)),
        Err(e) => p.reason = Some(format!("{e}; enter the distance by hand")),
    }
    Ok(p)
}

/// The writes that store `proposal` on the order with `audit` (one commit), guarded by the
/// order still waiting at the logistics-cost step, bumping `_rev` so a whole-order replace
/// read before it cannot erase it.
pub fn writes(
    order: &Order,
    proposal: &LogisticsProposal,
    audit: AuditLog,
) -> Result<Vec<Write>, StoreError> {
    let value = serde_json::to_value(proposal).map_err(|e| StoreError::Decode {
        collection: "orders".into(),
        message: e.to_string(),
    })?;
    let mut after = serde_json::Map::new();
    after.insert("logisticsProposal".into(), value);
    super::enrichment_writes(
        &order.id,
        OrderStatus::PendingLogisticsCost,
        json!({ "logisticsProposal": order.logistics_proposal }),
        after,
        proposal.generated_at,
        audit,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    /// Worked example: 250 km against ₹30,000 packed. Bike (₹1,275: fuel 250 × 3, …) is the
    /// cheapest; every class is priced and judged by the same 15 % rule as the cost step.
    #[test]
    fn every_vehicle_is_priced_cheapest_first_and_judged_by_the_rule() {
        let (opts, rec) = options(dec!(250), Money::from_rupees(30_000));
        assert_eq!(opts.len(), VehicleType::ALL.len());
        assert!(opts.windows(2).all(|w| w[0].cost <= w[1].cost));
        let truck = opts
            .iter()
            .find(|o| o.vehicle_type == VehicleType::Truck)
            .unwrap();
        assert_eq!(truck.cost, Money::from_rupees(3325));
        assert_eq!(truck.assessment.ratio_pct, Some(dec!(11.08)));
        assert_eq!(rec, Some(opts[0].vehicle_type));
        // Nothing packed: any cost is over the rule, nothing is recommended.
        let (_, none) = options(dec!(250), Money::ZERO);
        assert_eq!(none, None);
    }
}
