//! Logistics cost: the route-cost estimator (api.md §5.2, domain.md §2.9), the ancillary
//! cost of cold-chain packing (thermacol boxes, dry ice, transport legs) and the 15 %
//! high-cost rule that sends an order to admin review.
//!
//! Why 15 %: the legacy server forced `Pending Admin Review` above 15 % and the prototype's
//! traffic light put the same line between amber and red; the rewrite measures it the way
//! the prototype intended (against the packed value ex-GST, §2.9 "Intended rule"), not the
//! legacy GST-inclusive total (D-L10), so tax never dilutes the ratio.

use crate::model::order::{CostBreakdown, Order};
use crate::types::{Money, Quantity};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogisticsCostError {
    /// The legacy estimator silently priced unknown vehicles as a Truck; the rewrite refuses
    /// them so a typo cannot produce a plausible-looking figure.
    #[error("unknown vehicle type `{0}` (expected Truck, Tempo, Van or Bike)")]
    UnknownVehicle(String),
    #[error("distance {0} km is negative")]
    NegativeDistance(Decimal),
}

/// The four vehicle classes of the cost table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VehicleType {
    Truck,
    Tempo,
    Van,
    Bike,
}

impl VehicleType {
    pub const ALL: [VehicleType; 4] = [
        VehicleType::Truck,
        VehicleType::Tempo,
        VehicleType::Van,
        VehicleType::Bike,
    ];

    /// Case-insensitive; the prototype's fleet labels (`7ft Truck`, `E-Van`, `Biker`) map to
    /// their class. Anything else is an error, never a silent Truck (see the error's doc).
    pub fn parse(s: &str) -> Result<Self, LogisticsCostError> {
        let norm = s.trim().to_ascii_lowercase();
        Ok(match norm.as_str() {
            "truck" | "7ft truck" => VehicleType::Truck,
            "tempo" => VehicleType::Tempo,
            "van" | "e-van" | "evan" => VehicleType::Van,
            "bike" | "biker" => VehicleType::Bike,
            _ => return Err(LogisticsCostError::UnknownVehicle(s.to_string())),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VehicleType::Truck => "Truck",
            VehicleType::Tempo => "Tempo",
            VehicleType::Van => "Van",
            VehicleType::Bike => "Bike",
        }
    }

    /// Fuel cost per km in rupees (api.md §5.2 table).
    pub fn fuel_rate_per_km(self) -> Decimal {
        match self {
            VehicleType::Truck => Decimal::new(85, 1),
            VehicleType::Tempo => Decimal::new(65, 1),
            VehicleType::Van => Decimal::new(50, 1),
            VehicleType::Bike => Decimal::new(25, 1),
        }
    }

    /// Flat driver allowance per trip in rupees (api.md §5.2 table).
    pub fn driver_allowance(self) -> Money {
        Money::from_rupees(match self {
            VehicleType::Truck => 800,
            VehicleType::Tempo => 600,
            VehicleType::Van => 500,
            VehicleType::Bike => 300,
        })
    }
}

impl fmt::Display for VehicleType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Toll: ₹150 per full 100 km, charged only when the trip is longer than 100 km.
pub const TOLL_PER_100_KM: i64 = 150;
/// Loading/unloading, flat per trip.
pub const MISC_CHARGES: i64 = 100;

/// One estimate of the route-cost table. `fuel_cost` and `total` are whole rupees, as the
/// legacy response rounded them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteCost {
    pub vehicle_type: VehicleType,
    pub distance_km: Decimal,
    pub fuel_cost: Money,
    pub driver_allowance: Money,
    pub toll_charges: Money,
    pub misc_charges: Money,
    pub total: Money,
    pub estimated_minutes: i64,
}

/// The route-cost formula of api.md §5.2. Example: Truck, 250 km → 2,125 + 800 + 300 + 100
/// = ₹3,325 in 250 minutes.
pub fn route_cost(
    vehicle: VehicleType,
    distance_km: Decimal,
) -> Result<RouteCost, LogisticsCostError> {
    if distance_km < Decimal::ZERO {
        return Err(LogisticsCostError::NegativeDistance(distance_km));
    }
    let raw_fuel = Money::new(distance_km * vehicle.fuel_rate_per_km());
    let toll = if distance_km > Decimal::ONE_HUNDRED {
        let hundreds = (distance_km / Decimal::ONE_HUNDRED).floor();
        Money::new(hundreds * Decimal::from(TOLL_PER_100_KM))
    } else {
        Money::ZERO
    };
    let misc = Money::from_rupees(MISC_CHARGES);
    let allowance = vehicle.driver_allowance();
    Ok(RouteCost {
        vehicle_type: vehicle,
        distance_km,
        fuel_cost: raw_fuel.round0(),
        driver_allowance: allowance,
        toll_charges: toll,
        misc_charges: misc,
        // Rounded once at the end, as the legacy estimator did (the other parts are whole).
        total: (raw_fuel + allowance + toll + misc).round0(),
        estimated_minutes: estimated_minutes(distance_km),
    })
}

/// Driving time in whole minutes: `distance / speed × 60`, at 60 km/h for trips longer than
/// 50 km (highway) and 40 km/h otherwise (city).
pub fn estimated_minutes(distance_km: Decimal) -> i64 {
    let speed = if distance_km > Decimal::from(50) {
        Decimal::from(60)
    } else {
        Decimal::from(40)
    };
    (distance_km / speed * Decimal::from(60))
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(i64::MAX)
}

/// Default thermacol box rate of the stage-7 screen (domain.md §2.9).
pub const DEFAULT_THERMACOL_RATE: i64 = 300;
/// Default dry-ice rate per kg of the stage-7 screen (domain.md §2.9).
pub const DEFAULT_DRY_ICE_RATE: i64 = 18;

/// What the logistics-cost step enters (the prototype's LogisticsDetails, §1.14). Rates left
/// empty take the screen defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AncillaryCostInput {
    #[serde(default)]
    pub thermacol_box_count: Quantity,
    #[serde(default)]
    pub thermacol_rate: Option<Money>,
    #[serde(default)]
    pub dry_ice_kg: Quantity,
    #[serde(default)]
    pub dry_ice_rate: Option<Money>,
    #[serde(default)]
    pub wh_to_station_amount: Money,
    #[serde(default)]
    pub station_to_loc_amount: Money,
    #[serde(default)]
    pub wh_to_cust_amount: Money,
}

/// The stored cost breakdown (lost by the legacy system, §3.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AncillaryCost {
    pub thermacol_rate: Money,
    pub thermacol_amount: Money,
    pub dry_ice_rate: Money,
    pub dry_ice_amount: Money,
    pub legs_amount: Money,
    pub total: Money,
}

/// Thermacol boxes × rate + dry-ice kg × rate + the three transport legs (PROTO, §2.9).
/// Example: 4 × 300 + 10 × 18 + 500 = ₹1,880.
pub fn ancillary_cost(input: &AncillaryCostInput) -> AncillaryCost {
    let thermacol_rate = input
        .thermacol_rate
        .unwrap_or(Money::from_rupees(DEFAULT_THERMACOL_RATE));
    let dry_ice_rate = input
        .dry_ice_rate
        .unwrap_or(Money::from_rupees(DEFAULT_DRY_ICE_RATE));
    let thermacol_amount = (thermacol_rate * input.thermacol_box_count.value()).round2();
    let dry_ice_amount = (dry_ice_rate * input.dry_ice_kg.value()).round2();
    let legs_amount =
        (input.wh_to_station_amount + input.station_to_loc_amount + input.wh_to_cust_amount)
            .round2();
    AncillaryCost {
        thermacol_rate,
        thermacol_amount,
        dry_ice_rate,
        dry_ice_amount,
        legs_amount,
        total: thermacol_amount + dry_ice_amount + legs_amount,
    }
}

/// The value the cost is measured against: Σ packed quantity × applied rate, ex-GST.
pub fn packed_value<I>(lines: I) -> Money
where
    I: IntoIterator<Item = (Quantity, Money)>,
{
    lines
        .into_iter()
        .map(|(q, rate)| (rate * q.value()).round2())
        .sum()
}

/// The ratio above which an order needs admin approval (strictly greater: exactly 15 % passes).
pub const HIGH_COST_THRESHOLD_PCT: i64 = 15;
/// Below this the prototype's light is green.
pub const GREEN_BELOW_PCT: i64 = 10;

/// The logistics cost's traffic light against the packed value: green < 10 %, amber 10–15 % (inclusive), red > 15 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CostBand {
    Green,
    Amber,
    Red,
}

/// The logistics cost against the packed value; the alert sends the order to Pending Admin
/// Review instead of Ready for Billing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CostAssessment {
    /// Cost as a percentage of the packed value, two decimals; `null` when nothing was
    /// packed (no division by zero).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub ratio_pct: Option<Decimal>,
    pub band: CostBand,
    /// True when the order must go to `Pending Admin Review` instead of `Ready for Billing`.
    pub high_cost_alert: bool,
}

/// The high-cost rule. Decision for a zero (or negative) packed value: any positive cost is
/// an alert (red, nothing to measure it against, a human must look), a zero cost is green —
/// unlike the legacy rule, which divided by zero and flagged every zero-value order.
/// Example (PROTO): 1,880 on 15,000 → 12.53 % → amber, no alert.
pub fn assess_cost(cost: Money, packed_value: Money) -> CostAssessment {
    if !packed_value.is_positive() {
        let alert = cost.is_positive();
        return CostAssessment {
            ratio_pct: None,
            band: if alert {
                CostBand::Red
            } else {
                CostBand::Green
            },
            high_cost_alert: alert,
        };
    }
    let ratio = cost.amount() / packed_value.amount() * Decimal::ONE_HUNDRED;
    let band = if ratio > Decimal::from(HIGH_COST_THRESHOLD_PCT) {
        CostBand::Red
    } else if ratio >= Decimal::from(GREEN_BELOW_PCT) {
        CostBand::Amber
    } else {
        CostBand::Green
    };
    CostAssessment {
        ratio_pct: Some(
            ratio.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
        ),
        band,
        high_cost_alert: band == CostBand::Red,
    }
}

/// The logistics-cost step in one call: the breakdown to store on `logistics.costBreakdown`
/// and the assessment against the order's packed value ex-GST. With a zero packed value the
/// stored `ratioPct` is 0 and the alert carries the decision (see [`assess_cost`]).
pub fn cost_step(order: &Order, input: &AncillaryCostInput) -> (CostBreakdown, CostAssessment) {
    let cost = ancillary_cost(input);
    let assessment = assess_cost(cost.total, order.packed_value());
    let breakdown = CostBreakdown {
        thermacol_box_count: input.thermacol_box_count.value(),
        thermacol_rate: cost.thermacol_rate,
        thermacol_amount: cost.thermacol_amount,
        dry_ice_kg: input.dry_ice_kg.value(),
        dry_ice_rate: cost.dry_ice_rate,
        dry_ice_amount: cost.dry_ice_amount,
        wh_to_station_amount: input.wh_to_station_amount,
        station_to_loc_amount: input.station_to_loc_amount,
        wh_to_cust_amount: input.wh_to_cust_amount,
        total: cost.total,
        ratio_pct: assessment.ratio_pct,
    };
    (breakdown, assessment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn m(d: Decimal) -> Money {
        Money::new(d)
    }

    #[test]
    fn example_truck_250_km_costs_3325_in_250_minutes() {
        let c = route_cost(VehicleType::Truck, dec!(250)).unwrap();
        assert_eq!(c.fuel_cost, m(dec!(2125)));
        assert_eq!(c.driver_allowance, m(dec!(800)));
        assert_eq!(c.toll_charges, m(dec!(300)));
        assert_eq!(c.misc_charges, m(dec!(100)));
        assert_eq!(c.total, m(dec!(3325)));
        assert_eq!(c.estimated_minutes, 250);
    }

    #[test]
    fn toll_only_above_100_km_per_full_hundred() {
        assert_eq!(
            route_cost(VehicleType::Van, dec!(100))
                .unwrap()
                .toll_charges,
            Money::ZERO
        );
        assert_eq!(
            route_cost(VehicleType::Van, dec!(100.5))
                .unwrap()
                .toll_charges,
            m(dec!(150))
        );
        assert_eq!(
            route_cost(VehicleType::Van, dec!(199.99))
                .unwrap()
                .toll_charges,
            m(dec!(150))
        );
        assert_eq!(
            route_cost(VehicleType::Van, dec!(299.99))
                .unwrap()
                .toll_charges,
            m(dec!(300))
        );
    }

    #[test]
    fn fuel_and_total_rounded_to_the_rupee() {
        // Bike 33.3 km: fuel 83.25 → 83; total 83.25 + 300 + 0 + 100 = 483.25 → 483.
        let c = route_cost(VehicleType::Bike, dec!(33.3)).unwrap();
        assert_eq!(c.fuel_cost, m(dec!(83)));
        assert_eq!(c.total, m(dec!(483)));
        // 40 km/h in town: 33.3 km → 49.95 → 50 minutes.
        assert_eq!(c.estimated_minutes, 50);
        // Exactly 50 km is still the city speed.
        assert_eq!(estimated_minutes(dec!(50)), 75);
        assert_eq!(estimated_minutes(dec!(51)), 51);
    }

    #[test]
    fn vehicle_parse_is_case_insensitive_and_refuses_unknown() {
        assert_eq!(VehicleType::parse(" tempo ").unwrap(), VehicleType::Tempo);
        assert_eq!(VehicleType::parse("TRUCK").unwrap(), VehicleType::Truck);
        assert_eq!(VehicleType::parse("E-Van").unwrap(), VehicleType::Van);
        assert_eq!(VehicleType::parse("Biker").unwrap(), VehicleType::Bike);
        assert!(matches!(
            VehicleType::parse("Helicopter"),
            Err(LogisticsCostError::UnknownVehicle(_))
        ));
        assert!(route_cost(VehicleType::Truck, dec!(-1)).is_err());
    }

    /// The prototype's example: 4 thermocol boxes, 10 kg of dry ice and ₹500 to the station.
    fn proto_ancillary() -> AncillaryCostInput {
        AncillaryCostInput {
            thermacol_box_count: Quantity::from_int(4),
            dry_ice_kg: Quantity::from_int(10),
            wh_to_station_amount: m(dec!(500)),
            ..Default::default()
        }
    }

    #[test]
    fn example_proto_ancillary_1880_on_15000_is_amber() {
        let cost = ancillary_cost(&proto_ancillary());
        assert_eq!(cost.thermacol_amount, m(dec!(1200)));
        assert_eq!(cost.dry_ice_amount, m(dec!(180)));
        assert_eq!(cost.total, m(dec!(1880)));
        let a = assess_cost(cost.total, m(dec!(15000)));
        // 1,880 / 15,000 = 12.53 % (the spec rounds it to "12.5 %").
        assert_eq!(a.ratio_pct, Some(dec!(12.53)));
        assert_eq!(a.band, CostBand::Amber);
        assert!(!a.high_cost_alert);
    }

    #[test]
    fn example_legacy_17_5_pct_alerts_and_exactly_15_does_not() {
        assert!(assess_cost(m(dec!(3500)), m(dec!(20000))).high_cost_alert);
        let at = assess_cost(m(dec!(3000)), m(dec!(20000)));
        assert_eq!(at.band, CostBand::Amber);
        assert!(!at.high_cost_alert);
        assert_eq!(
            assess_cost(m(dec!(999)), m(dec!(10000))).band,
            CostBand::Green
        );
        assert_eq!(
            assess_cost(m(dec!(1000)), m(dec!(10000))).band,
            CostBand::Amber
        );
    }

    #[test]
    fn zero_packed_value_never_divides() {
        let a = assess_cost(m(dec!(10)), Money::ZERO);
        assert!(a.high_cost_alert);
        assert_eq!(a.ratio_pct, None);
        let b = assess_cost(Money::ZERO, Money::ZERO);
        assert!(!b.high_cost_alert);
        assert_eq!(b.band, CostBand::Green);
    }

    #[test]
    fn packed_value_sums_rounded_lines() {
        let v = packed_value([
            (Quantity::from_int(10), m(dec!(220))),
            (Quantity::from_int(5), m(dec!(116.29))),
        ]);
        assert_eq!(v, m(dec!(2781.45)));
    }

    #[test]
    fn cost_step_on_a_packed_order() {
        let order: Order = serde_json::from_value(serde_json::json!({
            "id": "ORD-1", "customerId": "C",
            "items": [{"productId": "P", "quantity": 100, "packedQuantity": 75, "price": 200}]
        }))
        .unwrap();
        let (b, a) = cost_step(&order, &proto_ancillary());
        assert_eq!(b.total, m(dec!(1880)));
        assert_eq!(b.ratio_pct, Some(dec!(12.53)));
        assert_eq!(a.band, CostBand::Amber);
    }

    proptest! {
        #[test]
        fn alert_iff_ratio_strictly_above_15(cost in 0u32..100_000, value in 1u32..100_000) {
            let a = assess_cost(Money::from_rupees(cost.into()), Money::from_rupees(value.into()));
            let above = Decimal::from(cost) * Decimal::from(100) > Decimal::from(value) * Decimal::from(15);
            prop_assert_eq!(a.high_cost_alert, above);
        }

        #[test]
        fn total_is_sum_of_parts_within_rounding(km in 0u32..5_000, v in 0usize..4) {
            let c = route_cost(VehicleType::ALL[v], Decimal::from(km)).unwrap();
            prop_assert_eq!(c.total, c.fuel_cost + c.driver_allowance + c.toll_charges + c.misc_charges);
        }
    }
}
