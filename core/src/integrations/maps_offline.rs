//! The offline road-distance fallback: a built-in table of Indian cities with their
//! coordinates, and road distance = great-circle (haversine) distance × [`ROAD_FACTOR`].
//!
//! Why this exists: without a Maps key the legacy calculator invented a random distance of
//! 50–549 km, so the same request priced differently every time (D-L14, 8.2.27). The docs
//! promised a haversine fallback; this is it, deterministic and explainable.
//!
//! Why 1.25: roads are longer than the straight line between two city centres. Detour
//! (circuity) factors measured for Indian highway trips lie around 1.2–1.35; 1.25 reproduces
//! the common trunk routes within a few percent — Mumbai–Delhi 1,148 km straight → 1,435 km
//! (road ≈ 1,400–1,420 km), Mumbai–Pune 120 → 150 (≈ 148), Bengaluru–Chennai 290 → 362
//! (≈ 346), Delhi–Jaipur 236 → 295 (≈ 280). Results are whole kilometres: the table cannot
//! honestly claim more precision.
//!
//! Pure: no I/O, no clock, no randomness.

use super::{DistanceError, DistanceSource, DistanceSourceKind, RoadDistance};
use async_trait::async_trait;
use rust_decimal::Decimal;

/// Road distance ÷ great-circle distance (see the module comment for the source).
pub const ROAD_FACTOR: f64 = 1.25;

/// Mean Earth radius in km (IUGG), the usual haversine constant.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A city of the table: canonical name, latitude and longitude (decimal degrees, city
/// centre / main railway station area).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct City {
    pub name: &'static str,
    pub state: &'static str,
    pub lat: f64,
    pub lng: f64,
}

const fn city(name: &'static str, state: &'static str, lat: f64, lng: f64) -> City {
    City {
        name,
        state,
        lat,
        lng,
    }
}

/// The cities the fallback knows: the metros, every state capital on the mainland that the
/// distributor ships to, and the secondary cities of the cold-chain routes, including the
/// four warehouse locations (Kurla in Mumbai, Nhava Sheva, Delhi, Bengaluru).
pub const CITIES: &[City] = &[
    city("Mumbai", "Maharashtra", 19.0760, 72.8777),
    city("Delhi", "Delhi", 28.6139, 77.2090),
    city("Bengaluru", "Karnataka", 12.9716, 77.5946),
    city("Hyderabad", "Telangana", 17.3850, 78.4867),
    city("Ahmedabad", "Gujarat", 23.0225, 72.5714),
    city("Chennai", "Tamil Nadu", 13.0827, 80.2707),
    city("Kolkata", "West Bengal", 22.5726, 88.3639),
    city("Surat", "Gujarat", 21.1702, 72.8311),
    city("Pune", "Maharashtra", 18.5204, 73.8567),
    city("Jaipur", "Rajasthan", 26.9124, 75.7873),
    city("Lucknow", "Uttar Pradesh", 26.8467, 80.9462),
    city("Kanpur", "Uttar Pradesh", 26.4499, 80.3319),
    city("Nagpur", "Maharashtra", 21.1458, 79.0882),
    city("Indore", "Madhya Pradesh", 22.7196, 75.8577),
    city("Thane", "Maharashtra", 19.2183, 72.9781),
    city("Navi Mumbai", "Maharashtra", 19.0330, 73.0297),
    city("Nhava Sheva", "Maharashtra", 18.9490, 72.9512),
    city("Bhopal", "Madhya Pradesh", 23.2599, 77.4126),
    city("Visakhapatnam", "Andhra Pradesh", 17.6868, 83.2185),
    city("Patna", "Bihar", 25.5941, 85.1376),
    city("Vadodara", "Gujarat", 22.3072, 73.1812),
    city("Ghaziabad", "Uttar Pradesh", 28.6692, 77.4538),
    city("Noida", "Uttar Pradesh", 28.5355, 77.3910),
    city("Gurugram", "Haryana", 28.4595, 77.0266),
    city("Faridabad", "Haryana", 28.4089, 77.3178),
    city("Ludhiana", "Punjab", 30.9010, 75.8573),
    city("Amritsar", "Punjab", 31.6340, 74.8723),
    city("Chandigarh", "Chandigarh", 30.7333, 76.7794),
    city("Agra", "Uttar Pradesh", 27.1767, 78.0081),
    city("Meerut", "Uttar Pradesh", 28.9845, 77.7064),
    city("Varanasi", "Uttar Pradesh", 25.3176, 82.9739),
    city("Prayagraj", "Uttar Pradesh", 25.4358, 81.8463),
    city("Nashik", "Maharashtra", 19.9975, 73.7898),
    city("Aurangabad", "Maharashtra", 19.8762, 75.3433),
    city("Kolhapur", "Maharashtra", 16.7050, 74.2433),
    city("Solapur", "Maharashtra", 17.6599, 75.9064),
    city("Rajkot", "Gujarat", 22.3039, 70.8022),
    city("Jamnagar", "Gujarat", 22.4707, 70.0577),
    city("Bhavnagar", "Gujarat", 21.7645, 72.1519),
    city("Srinagar", "Jammu and Kashmir", 34.0837, 74.7973),
    city("Jammu", "Jammu and Kashmir", 32.7266, 74.8570),
    city("Shimla", "Himachal Pradesh", 31.1048, 77.1734),
    city("Dehradun", "Uttarakhand", 30.3165, 78.0322),
    city("Jodhpur", "Rajasthan", 26.2389, 73.0243),
    city("Udaipur", "Rajasthan", 24.5854, 73.7125),
    city("Kota", "Rajasthan", 25.2138, 75.8648),
    city("Ajmer", "Rajasthan", 26.4499, 74.6399),
    city("Gwalior", "Madhya Pradesh", 26.2183, 78.1828),
    city("Jabalpur", "Madhya Pradesh", 23.1815, 79.9864),
    city("Raipur", "Chhattisgarh", 21.2514, 81.6296),
    city("Ranchi", "Jharkhand", 23.3441, 85.3096),
    city("Jamshedpur", "Jharkhand", 22.8046, 86.2029),
    city("Dhanbad", "Jharkhand", 23.7957, 86.4304),
    city("Bhubaneswar", "Odisha", 20.2961, 85.8245),
    city("Cuttack", "Odisha", 20.4625, 85.8830),
    city("Howrah", "West Bengal", 22.5958, 88.2636),
    city("Siliguri", "West Bengal", 26.7271, 88.3953),
    city("Guwahati", "Assam", 26.1445, 91.7362),
    city("Vijayawada", "Andhra Pradesh", 16.5062, 80.6480),
    city("Guntur", "Andhra Pradesh", 16.3067, 80.4365),
    city("Nellore", "Andhra Pradesh", 14.4426, 79.9865),
    city("Tirupati", "Andhra Pradesh", 13.6288, 79.4192),
    city("Warangal", "Telangana", 17.9689, 79.5941),
    city("Coimbatore", "Tamil Nadu", 11.0168, 76.9558),
    city("Madurai", "Tamil Nadu", 9.9252, 78.1198),
    city("Tiruchirappalli", "Tamil Nadu", 10.7905, 78.7047),
    city("Salem", "Tamil Nadu", 11.6643, 78.1460),
    city("Vellore", "Tamil Nadu", 12.9165, 79.1325),
    city("Puducherry", "Puducherry", 11.9416, 79.8083),
    city("Kochi", "Kerala", 9.9312, 76.2673),
    city("Thiruvananthapuram", "Kerala", 8.5241, 76.9366),
    city("Kozhikode", "Kerala", 11.2588, 75.7804),
    city("Thrissur", "Kerala", 10.5276, 76.2144),
    city("Mysuru", "Karnataka", 12.2958, 76.6394),
    city("Mangaluru", "Karnataka", 12.9141, 74.8560),
    city("Hubballi", "Karnataka", 15.3647, 75.1240),
    city("Belagavi", "Karnataka", 15.8497, 74.4977),
    city("Panaji", "Goa", 15.4909, 73.8278),
    city("Bareilly", "Uttar Pradesh", 28.3670, 79.4304),
    city("Aligarh", "Uttar Pradesh", 27.8974, 78.0880),
];

/// Other names people type for the table's cities (old names, spellings, localities).
const ALIASES: &[(&str, &str)] = &[
    ("bombay", "Mumbai"),
    ("kurla", "Mumbai"),
    ("andheri", "Mumbai"),
    ("new delhi", "Delhi"),
    ("okhla", "Delhi"),
    ("delhi ncr", "Delhi"),
    ("bangalore", "Bengaluru"),
    ("blr", "Bengaluru"),
    ("madras", "Chennai"),
    ("calcutta", "Kolkata"),
    ("poona", "Pune"),
    ("baroda", "Vadodara"),
    ("gurgaon", "Gurugram"),
    ("vizag", "Visakhapatnam"),
    ("allahabad", "Prayagraj"),
    ("benares", "Varanasi"),
    ("banaras", "Varanasi"),
    ("cochin", "Kochi"),
    ("ernakulam", "Kochi"),
    ("trivandrum", "Thiruvananthapuram"),
    ("calicut", "Kozhikode"),
    ("mysore", "Mysuru"),
    ("mangalore", "Mangaluru"),
    ("hubli", "Hubballi"),
    ("belgaum", "Belagavi"),
    ("pondicherry", "Puducherry"),
    ("trichy", "Tiruchirappalli"),
    ("panjim", "Panaji"),
    ("goa", "Panaji"),
    ("jnpt", "Nhava Sheva"),
    ("nhava", "Nhava Sheva"),
    ("chhatrapati sambhajinagar", "Aurangabad"),
    ("secunderabad", "Hyderabad"),
];

fn normalise(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '.')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn find_exact(norm: &str) -> Option<&'static City> {
    if norm.is_empty() {
        return None;
    }
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == norm)
        .map(|(_, name)| *name);
    CITIES
        .iter()
        .find(|c| name.is_some_and(|n| n == c.name) || normalise(c.name) == norm)
}

/// Resolves a free-text place to a city of the table: the whole text (case- and
/// spacing-insensitive, old names and aliases accepted), else its first comma-separated
/// part, so "Mumbai", "mumbai", "Bombay" and "Kurla West, Mumbai, Maharashtra" all work.
/// The parts are tried left to right, so the most specific known part wins.
pub fn resolve(place: &str) -> Option<&'static City> {
    let whole = normalise(place);
    if let Some(c) = find_exact(&whole) {
        return Some(c);
    }
    place
        .split(',')
        .map(normalise)
        .find_map(|part| find_exact(&part))
}

/// The canonical names of every city in the table, sorted (for the "unknown place" error).
pub fn known_cities() -> Vec<String> {
    let mut v: Vec<String> = CITIES.iter().map(|c| c.name.to_string()).collect();
    v.sort();
    v
}

/// Great-circle distance in km between two points (haversine formula).
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lng1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lng2) = (b.0.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlng = lng2 - lng1;
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().asin()
}

/// Estimated road distance between two cities: haversine × [`ROAD_FACTOR`], whole km.
pub fn road_km(a: &City, b: &City) -> Decimal {
    let km = haversine_km((a.lat, a.lng), (b.lat, b.lng)) * ROAD_FACTOR;
    Decimal::from(km.round() as i64)
}

/// Looks both places up and estimates the road distance. Unknown place → an error listing
/// the known cities; both ends in the same city → [`DistanceError::SamePlace`].
pub fn lookup(origin: &str, destination: &str) -> Result<RoadDistance, DistanceError> {
    let unknown = |place: &str| DistanceError::UnknownPlace {
        place: place.to_string(),
        known: known_cities(),
    };
    let a = resolve(origin).ok_or_else(|| unknown(origin))?;
    let b = resolve(destination).ok_or_else(|| unknown(destination))?;
    if a.name == b.name {
        return Err(DistanceError::SamePlace(
            origin.to_string(),
            destination.to_string(),
        ));
    }
    Ok(RoadDistance {
        origin: a.name.to_string(),
        destination: b.name.to_string(),
        distance_km: road_km(a, b),
        duration_minutes: None,
        source: DistanceSourceKind::OfflineTable,
        cached: false,
    })
}

/// The table as a [`DistanceSource`], so the API can hold "a distance source" whichever
/// one is configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineTable;

#[async_trait]
impl DistanceSource for OfflineTable {
    async fn road_distance(
        &self,
        origin: &str,
        destination: &str,
    ) -> Result<RoadDistance, DistanceError> {
        lookup(origin, destination)
    }

    fn describe(&self) -> String {
        format!(
            "built-in table of {} Indian cities (haversine × {ROAD_FACTOR})",
            CITIES.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::prelude::ToPrimitive;
    use std::collections::BTreeSet;

    fn km(a: &str, b: &str) -> i64 {
        lookup(a, b).unwrap().distance_km.to_i64().unwrap()
    }

    #[test]
    fn at_least_fifty_distinct_cities_with_plausible_coordinates() {
        assert!(CITIES.len() >= 50, "{} cities", CITIES.len());
        let names: BTreeSet<_> = CITIES.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), CITIES.len(), "duplicate city");
        for c in CITIES {
            // The Indian mainland lies within these bounds.
            assert!((6.0..=37.5).contains(&c.lat), "{} lat {}", c.name, c.lat);
            assert!((68.0..=97.5).contains(&c.lng), "{} lng {}", c.name, c.lng);
        }
        for (alias, name) in ALIASES {
            assert!(names.contains(name), "alias {alias} → unknown {name}");
        }
    }

    #[test]
    fn mumbai_delhi_is_near_the_real_1400_km_road() {
        let d = km("Mumbai", "Delhi");
        assert!((1350..=1480).contains(&d), "{d} km");
        assert_eq!(d, 1435);
    }

    #[test]
    fn trunk_routes_within_ten_percent_of_the_road_distance() {
        // (from, to, road km by the usual highway)
        for (a, b, road) in [
            ("Mumbai", "Pune", 148),
            ("Bengaluru", "Chennai", 346),
            ("Delhi", "Jaipur", 281),
            ("Mumbai", "Ahmedabad", 530),
            ("Delhi", "Agra", 233),
            ("Hyderabad", "Bengaluru", 570),
        ] {
            let d = km(a, b) as f64;
            let err = (d - road as f64).abs() / road as f64;
            assert!(err < 0.10, "{a}–{b}: {d} km vs {road} km road ({err:.2})");
        }
    }

    #[test]
    fn deterministic_and_symmetric() {
        assert_eq!(km("Mumbai", "Delhi"), km("Mumbai", "Delhi"));
        assert_eq!(km("Kolkata", "Chennai"), km("Chennai", "Kolkata"));
    }

    #[test]
    fn resolves_case_aliases_and_addresses() {
        assert_eq!(resolve("  mumbai ").unwrap().name, "Mumbai");
        assert_eq!(resolve("Bombay").unwrap().name, "Mumbai");
        assert_eq!(resolve("BANGALORE").unwrap().name, "Bengaluru");
        assert_eq!(
            resolve("12 Market Yard, Kurla West, Mumbai").unwrap().name,
            "Mumbai"
        );
        assert_eq!(resolve("New Delhi").unwrap().name, "Delhi");
        assert_eq!(resolve("Navi Mumbai").unwrap().name, "Navi Mumbai");
        assert!(resolve("Atlantis").is_none());
        assert!(resolve("").is_none());
    }

    #[test]
    fn unknown_place_lists_the_known_cities_and_same_city_is_refused() {
        match lookup("Atlantis", "Delhi") {
            Err(DistanceError::UnknownPlace { place, known }) => {
                assert_eq!(place, "Atlantis");
                assert!(known.contains(&"Mumbai".to_string()));
                assert_eq!(known.len(), CITIES.len());
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            lookup("Mumbai", "Bombay"),
            Err(DistanceError::SamePlace(..))
        ));
    }

    #[test]
    fn haversine_of_known_points() {
        assert!(haversine_km((0.0, 0.0), (0.0, 0.0)).abs() < 1e-9);
        // One degree of latitude is about 111.2 km.
        let d = haversine_km((10.0, 77.0), (11.0, 77.0));
        assert!((d - 111.2).abs() < 0.2, "{d}");
    }
}
