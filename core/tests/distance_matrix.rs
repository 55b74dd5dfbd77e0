//! The Distance Matrix client against a local mock: the query it sends, how answers and
//! failures map onto the `DistanceSource` errors, and its cache.

use nexus_core::config::MapsSettings;
use nexus_core::integrations::distance_matrix::DistanceMatrixClient;
use nexus_core::integrations::{DistanceError, DistanceSource, DistanceSourceKind};
use nexus_tests::mock_http::{MockServer, json, never};
use rust_decimal::Decimal;
use secrecy::SecretString;
use serde_json::json as j;
use std::time::Duration;

const KEY: &str = "test-maps-key-not-real";

fn client(mock: &MockServer, timeout: Duration) -> DistanceMatrixClient {
    DistanceMatrixClient::new(&MapsSettings {
        api_key: SecretString::from(KEY),
        base_url: mock.base_url.clone(),
        timeout,
    })
    .unwrap()
}

fn mumbai_pune() -> serde_json::Value {
    j!({
        "status": "OK",
        "origin_addresses": ["Mumbai, Maharashtra, India"],
        "destination_addresses": ["Pune, Maharashtra, India"],
        "rows": [{"elements": [{"status": "OK",
            "distance": {"text": "148 km", "value": 148_456},
            "duration": {"text": "3 hours", "value": 10_769}}]}]
    })
}

#[tokio::test]
async fn ok_answer_is_a_google_distance_and_the_query_is_complete() {
    let mock = MockServer::start(|_| async { json(200, mumbai_pune()) }).await;
    let d = client(&mock, Duration::from_secs(5))
        .road_distance("Mumbai", "Pune")
        .await
        .unwrap();
    assert_eq!(d.distance_km, Decimal::new(14846, 2));
    assert_eq!(d.duration_minutes, Some(179));
    assert_eq!(d.source, DistanceSourceKind::GoogleMaps);
    assert_eq!(d.destination, "Pune, Maharashtra, India");
    assert!(!d.cached);

    let r = &mock.requests()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/maps/api/distancematrix/json");
    assert_eq!(r.query_param("origins").as_deref(), Some("Mumbai"));
    assert_eq!(r.query_param("destinations").as_deref(), Some("Pune"));
    assert_eq!(r.query_param("units").as_deref(), Some("metric"));
    assert_eq!(r.query_param("key").as_deref(), Some(KEY));
}

#[tokio::test]
async fn a_second_identical_question_is_answered_from_the_cache() {
    let mock = MockServer::start(|_| async { json(200, mumbai_pune()) }).await;
    let c = client(&mock, Duration::from_secs(5));
    let first = c.road_distance("Mumbai", "Pune").await.unwrap();
    let again = c.road_distance("  mumbai ", "PUNE").await.unwrap();
    assert_eq!(mock.count(), 1, "no second request");
    assert!(again.cached);
    assert_eq!(again.distance_km, first.distance_km);
    // The reverse trip is another question (one-way streets, toll routes).
    c.road_distance("Pune", "Mumbai").await.unwrap();
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn not_found_is_an_unknown_place_and_is_not_cached() {
    let mock = MockServer::start(|_| async {
        json(
            200,
            j!({"status": "OK", "origin_addresses": ["Mumbai, India"], "destination_addresses": [""],
                "rows": [{"elements": [{"status": "NOT_FOUND"}]}]}),
        )
    })
    .await;
    let c = client(&mock, Duration::from_secs(5));
    for _ in 0..2 {
        let err = c.road_distance("Mumbai", "Atlantis").await.unwrap_err();
        assert_eq!(
            err,
            DistanceError::UnknownPlace {
                place: "Atlantis".into(),
                known: vec![]
            }
        );
    }
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn quota_errors_http_errors_and_timeouts_are_unavailable_without_the_key() {
    let quota = MockServer::start(|_| async {
        json(
            200,
            j!({"status": "OVER_QUERY_LIMIT", "error_message": "quota", "rows": []}),
        )
    })
    .await;
    let http_429 =
        MockServer::start(|_| async { json(429, j!({"error_message": "slow down"})) }).await;
    let silent = MockServer::start(|_| never()).await;
    for (mock, timeout) in [
        (&quota, Duration::from_secs(5)),
        (&http_429, Duration::from_secs(5)),
        (&silent, Duration::from_millis(300)),
    ] {
        let err = client(mock, timeout)
            .road_distance("Mumbai", "Pune")
            .await
            .unwrap_err();
        let DistanceError::Unavailable(why) = &err else {
            panic!("expected Unavailable, got {err:?}");
        };
        assert!(!why.contains(KEY), "the key leaked into {why:?}");
        assert_eq!(mock.count(), 1);
    }
}
