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
pub mod call_budget;
pub mod credit_insight;
pub mod distance_cost;
#[cfg(feature = "http-clients")]
pub mod distance_matrix;
#[cfg(feature = "http-clients")]
pub mod gemini;
pub mod maps_offline;

use async_trait::async_trait;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The writes that store an enrichment result on `order` with `audit` (one commit): the
/// fields of `after` replace those of `before` while the order is still in `status`, so a
/// result computed while the order moved on is not written over a later state, and `_rev`
/// moves so a whole-order replace read before it cannot erase it.
pub(crate) fn enrichment_writes(
    order_id: &str,
    status: crate::model::OrderStatus,
    before: serde_json::Value,
    after: serde_json::Map<String, serde_json::Value>,
    at: crate::types::Timestamp,
    audit: crate::model::AuditLog,
) -> Result<Vec<crate::store::Write>, crate::store::StoreError> {
    use crate::store::{Filter, UpdateOp, Write};
    let audit = audit.change(Some(before), Some(serde_json::Value::Object(after.clone())));
    let mut ops: Vec<UpdateOp> = after
        .into_iter()
        .map(|(k, v)| UpdateOp::Set(k, v))
        .collect();
    ops.push(UpdateOp::Set("updatedAt".into(), serde_json::json!(at)));
    ops.push(UpdateOp::Inc("_rev".into(), serde_json::json!(1)));
    let guard = Filter::and([
        Filter::id(order_id),
        Filter::is_in(
            "status",
            status.spellings().map(serde_json::Value::from).collect(),
        ),
    ]);
    Ok(vec![
        Write::update_one::<crate::model::Order>(guard, ops),
        Write::insert(&audit)?,
    ])
}

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

/// The Distance Matrix client when configured; `None` (the offline city table answers) without
/// a key, or when no HTTP client can be built (the start-up log says why). The API and the
/// worker build theirs here, so both measure a trip the same way.
#[cfg(feature = "http-clients")]
pub fn distance_source(
    settings: Option<&crate::config::MapsSettings>,
) -> Option<std::sync::Arc<dyn DistanceSource>> {
    match distance_matrix::DistanceMatrixClient::new(settings?) {
        Ok(client) => Some(std::sync::Arc::new(client)),
        Err(e) => {
            tracing::warn!(error = %e, "Distance Matrix client not built; the offline city table answers");
            None
        }
    }
}

/// Gemini when configured, spending the call budget `budget` makes from the configured
/// limit (shared in Redis, or this process's); the rules otherwise, or when no HTTP client
/// can be built (then the start-up log says why and the banner shows the rule-based
/// advisor). The API and the worker build theirs here, so both answer with the same advisor.
#[cfg(feature = "http-clients")]
pub fn credit_advisor(
    settings: Option<&crate::config::GeminiSettings>,
    budget: impl FnOnce(crate::config::Budget) -> call_budget::CallBudget,
) -> std::sync::Arc<dyn advisor::CreditAdvisor> {
    use std::sync::Arc;
    let Some(settings) = settings else {
        return Arc::new(advisor::RuleBasedAdvisor);
    };
    match gemini::GeminiAdvisor::new(settings) {
        Ok(gemini) => Arc::new(advisor_cache::CachedAdvisor::new(
            call_budget::BudgetedAdvisor::new(
                gemini,
                budget(settings.rate_limit),
                settings.concurrency,
            ),
        )),
        Err(e) => {
            tracing::warn!(error = %e, "Gemini client not built; the rule-based advisor answers");
            Arc::new(advisor::RuleBasedAdvisor)
        }
    }
}
