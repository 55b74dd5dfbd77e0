//! Google Distance Matrix as a [`DistanceSource`] (api.md §5.2): one origin, one
//! destination, metric units, driving.
//!
//! Answers map onto the seam's errors so the caller's fallback rule stays in one place:
//! an element `NOT_FOUND` / `ZERO_RESULTS` is the caller's problem ([`DistanceError::UnknownPlace`],
//! a 422 at the API — the offline table would not know the place either); quota, key,
//! HTTP and network failures are [`DistanceError::Unavailable`], on which the API uses the
//! offline city table.
//!
//! Why the cache lives here: road distances between two places do not change within a day
//! and every lookup is billed. Only this client's successful answers are cached, so a Maps
//! outage does not pin the table's estimates for hours, and the offline table (pure and
//! instant) needs none.
//!
//! The key has to travel in the query string (the API takes no header); every reqwest
//! error is stripped of its URL before it is logged or returned.

use super::{DistanceError, DistanceSource, DistanceSourceKind, RoadDistance};
use crate::config::MapsSettings;
use async_trait::async_trait;
use rust_decimal::{Decimal, RoundingStrategy};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::Duration;

/// How long a looked-up distance is reused.
pub const CACHE_TTL: Duration = Duration::from_secs(6 * 3600);
/// Most routes kept; a distributor's working set of routes is far smaller.
pub const CACHE_CAPACITY: u64 = 10_000;

type CacheKey = (String, String);

pub struct DistanceMatrixClient {
    http: reqwest::Client,
    /// `<base>/maps/api/distancematrix/json`
    endpoint: String,
    api_key: SecretString,
    cache: moka::sync::Cache<CacheKey, RoadDistance>,
}

/// Case and spacing do not make a different place: ` Mumbai ` and `mumbai` share a key.
pub fn cache_key(origin: &str, destination: &str) -> CacheKey {
    let n = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    (n(origin), n(destination))
}

impl DistanceMatrixClient {
    pub fn new(settings: &MapsSettings) -> Result<DistanceMatrixClient, DistanceError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| DistanceError::Unavailable(e.without_url().to_string()))?;
        Ok(DistanceMatrixClient {
            http,
            endpoint: format!(
                "{}/maps/api/distancematrix/json",
                settings.base_url.trim_end_matches('/')
            ),
            api_key: settings.api_key.clone(),
            cache: moka::sync::Cache::builder()
                .max_capacity(CACHE_CAPACITY)
                .time_to_live(CACHE_TTL)
                .build(),
        })
    }

    async fn fetch(&self, origin: &str, destination: &str) -> Result<RoadDistance, DistanceError> {
        let unavailable = |e: reqwest::Error| {
            let kind = if e.is_timeout() {
                "timed out"
            } else {
                "failed"
            };
            DistanceError::Unavailable(format!(
                "Distance Matrix request {kind}: {}",
                e.without_url()
            ))
        };
        let res = self
            .http
            .get(&self.endpoint)
            .query(&[
                ("origins", origin),
                ("destinations", destination),
                ("units", "metric"),
                ("mode", "driving"),
                ("key", self.api_key.expose_secret()),
            ])
            .send()
            .await
            .map_err(unavailable)?;
        let status = res.status();
        if !status.is_success() {
            return Err(DistanceError::Unavailable(format!(
                "Distance Matrix answered HTTP {}",
                status.as_u16()
            )));
        }
        let body: Matrix = res.json().await.map_err(unavailable)?;
        parse(body, origin, destination)
    }
}

#[async_trait]
impl DistanceSource for DistanceMatrixClient {
    async fn road_distance(
        &self,
        origin: &str,
        destination: &str,
    ) -> Result<RoadDistance, DistanceError> {
        let key = cache_key(origin, destination);
        if let Some(hit) = self.cache.get(&key) {
            return Ok(RoadDistance {
                cached: true,
                ..hit
            });
        }
        let found = self.fetch(origin, destination).await?;
        self.cache.insert(key, found.clone());
        Ok(found)
    }

    fn describe(&self) -> String {
        "configured (Distance Matrix)".into()
    }
}

#[derive(Deserialize)]
struct Matrix {
    status: String,
    #[serde(default)]
    origin_addresses: Vec<String>,
    #[serde(default)]
    destination_addresses: Vec<String>,
    #[serde(default)]
    rows: Vec<Row>,
    error_message: Option<String>,
}

#[derive(Deserialize)]
struct Row {
    #[serde(default)]
    elements: Vec<Element>,
}

#[derive(Deserialize)]
struct Element {
    status: String,
    distance: Option<Measure>,
    duration: Option<Measure>,
}

#[derive(Deserialize)]
struct Measure {
    value: i64,
}

/// Reads `rows[0].elements[0]`: metres → km (two decimals), seconds → whole minutes.
fn parse(m: Matrix, origin: &str, destination: &str) -> Result<RoadDistance, DistanceError> {
    if m.status != "OK" {
        // OVER_QUERY_LIMIT, REQUEST_DENIED (bad key), INVALID_REQUEST, UNKNOWN_ERROR, …
        return Err(DistanceError::Unavailable(format!(
            "Distance Matrix status {}{}",
            m.status,
            m.error_message
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        )));
    }
    let resolved = |list: &[String], asked: &str| {
        list.first()
            .filter(|a| !a.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| asked.to_string())
    };
    let element = m
        .rows
        .into_iter()
        .next()
        .and_then(|r| r.elements.into_iter().next())
        .ok_or_else(|| {
            DistanceError::Unavailable("Distance Matrix answer has no element".into())
        })?;
    match element.status.as_str() {
        "OK" => {}
        "NOT_FOUND" | "ZERO_RESULTS" => {
            // An empty resolved address marks the end that could not be geocoded.
            let origin_unknown = m
                .origin_addresses
                .first()
                .is_none_or(|a| a.trim().is_empty());
            let dest_unknown = m
                .destination_addresses
                .first()
                .is_none_or(|a| a.trim().is_empty());
            let place = match (origin_unknown, dest_unknown) {
                (true, false) => origin.to_string(),
                (false, true) => destination.to_string(),
                _ => format!("{origin} → {destination}"),
            };
            return Err(DistanceError::UnknownPlace {
                place,
                known: Vec::new(),
            });
        }
        other => {
            return Err(DistanceError::Unavailable(format!(
                "Distance Matrix element status {other}"
            )));
        }
    }
    let (Some(distance), Some(duration)) = (element.distance, element.duration) else {
        return Err(DistanceError::Unavailable(
            "Distance Matrix element has no distance or duration".into(),
        ));
    };
    Ok(RoadDistance {
        origin: resolved(&m.origin_addresses, origin),
        destination: resolved(&m.destination_addresses, destination),
        distance_km: (Decimal::from(distance.value) / Decimal::from(1000))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        duration_minutes: Some((duration.value + 30) / 60),
        source: DistanceSourceKind::GoogleMaps,
        cached: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(v: serde_json::Value) -> Matrix {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn ok_element_gives_km_and_minutes() {
        let m = matrix(serde_json::json!({
            "status": "OK",
            "origin_addresses": ["Mumbai, Maharashtra, India"],
            "destination_addresses": ["Pune, Maharashtra, India"],
            "rows": [{"elements": [{"status": "OK",
                "distance": {"text": "148 km", "value": 148_456},
                "duration": {"text": "2 hours 59 mins", "value": 10_769}}]}]
        }));
        let d = parse(m, "Mumbai", "Pune").unwrap();
        assert_eq!(d.distance_km, Decimal::new(14846, 2));
        assert_eq!(d.duration_minutes, Some(179));
        assert_eq!(d.origin, "Mumbai, Maharashtra, India");
        assert_eq!(d.source, DistanceSourceKind::GoogleMaps);
    }

    #[test]
    fn not_found_names_the_end_that_failed_and_quota_is_unavailable() {
        let m = matrix(serde_json::json!({
            "status": "OK", "origin_addresses": [""], "destination_addresses": ["Pune, India"],
            "rows": [{"elements": [{"status": "NOT_FOUND"}]}]
        }));
        assert_eq!(
            parse(m, "Atlantis", "Pune"),
            Err(DistanceError::UnknownPlace {
                place: "Atlantis".into(),
                known: vec![]
            })
        );
        for status in ["OVER_QUERY_LIMIT", "REQUEST_DENIED"] {
            let m = matrix(serde_json::json!({"status": status, "rows": []}));
            assert!(matches!(
                parse(m, "a", "b"),
                Err(DistanceError::Unavailable(_))
            ));
        }
        assert_eq!(
            cache_key(" Mumbai ", "new  delhi"),
            cache_key("mumbai", "New Delhi")
        );
    }
}
