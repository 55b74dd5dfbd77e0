//! Outside services the system can use, each with an offline fallback (ARCHITECTURE.md):
//! a road-distance source for the logistics cost calculator (Google Distance Matrix,
//! [`distance_matrix`], when `GOOGLE_MAPS_API_KEY` is set, else the built-in city table of
//! [`maps_offline`]) and a credit advisor for the credit insight (Gemini, [`gemini`], when
//! `GEMINI_API_KEY` is set, else the rules; the port is [`advisor`]).
//!
//! The seams ([`DistanceSource`], [`advisor::CreditAdvisor`]) and the offline fallbacks
//! are always built; the HTTP clients are behind the `http-clients` feature so the TUI
//! builds without them.

pub mod advisor;
#[cfg(feature = "http-clients")]
pub mod advisor_cache;
pub mod credit_insight;
#[cfg(feature = "http-clients")]
pub mod distance_matrix;
#[cfg(feature = "http-clients")]
pub mod gemini;
pub mod maps_offline;

use async_trait::async_trait;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Where a distance came from; the wire names are the `distanceSource` values of the
/// logistics cost response (api.md §2.10 L2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistanceSourceKind {
    /// Given by the caller in the request.
    Manual,
    /// Computed from the built-in city table ([`maps_offline`]).
    OfflineTable,
    /// Answered by the Google Distance Matrix API.
    GoogleMaps,
}

impl DistanceSourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DistanceSourceKind::Manual => "manual",
            DistanceSourceKind::OfflineTable => "offline_table",
            DistanceSourceKind::GoogleMaps => "google_maps",
        }
    }
}

/// A road distance between two places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoadDistance {
    /// The place names as resolved (the table's canonical city names, or the provider's
    /// formatted addresses).
    pub origin: String,
    pub destination: String,
    pub distance_km: Decimal,
    /// Driving time when the provider knows it (Maps); the offline table leaves it to the
    /// cost rule's speed model.
    pub duration_minutes: Option<i64>,
    pub source: DistanceSourceKind,
    /// True when a provider answered from its cache instead of asking again.
    #[serde(default)]
    pub cached: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DistanceError {
    /// A place the source does not know. `known` lists what it does know (the offline
    /// table's cities) so a client can correct the request.
    #[error("unknown place `{place}`")]
    UnknownPlace { place: String, known: Vec<String> },
    /// Both ends resolve to the same place; a table of city centres cannot measure a trip
    /// inside one city, so the caller must give the distance.
    #[error("`{0}` and `{1}` are the same place; give the distance in km")]
    SamePlace(String, String),
    /// The provider could not answer (network, quota, bad key); callers fall back.
    #[error("distance provider unavailable: {0}")]
    Unavailable(String),
}

/// The seam for road-distance providers. The Google Distance Matrix client
/// ([`distance_matrix`]) implements it; the API asks it first when configured and falls back to
/// [`maps_offline::OfflineTable`] on `Unavailable` (never to a random figure, D-L14).
#[async_trait]
pub trait DistanceSource: Send + Sync {
    async fn road_distance(
        &self,
        origin: &str,
        destination: &str,
    ) -> Result<RoadDistance, DistanceError>;

    /// For logs and readiness checks.
    fn describe(&self) -> String;
}

/// Gemini when configured; the rules otherwise, or when no HTTP client can be built (then
/// the start-up log says why and the banner shows the rule-based advisor). The API and the
/// worker build theirs here, so both answer with the same advisor.
#[cfg(feature = "http-clients")]
pub fn credit_advisor(
    settings: Option<&crate::config::GeminiSettings>,
) -> std::sync::Arc<dyn advisor::CreditAdvisor> {
    use std::sync::Arc;
    match settings.map(gemini::GeminiAdvisor::new) {
        Some(Ok(gemini)) => Arc::new(advisor_cache::CachedAdvisor::new(gemini)),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "Gemini client not built; the rule-based advisor answers");
            Arc::new(advisor::RuleBasedAdvisor)
        }
        None => Arc::new(advisor::RuleBasedAdvisor),
    }
}
