//! The logistics cost calculator (public, rate-limited; distances from Google Maps — a
//! local mock here — or the offline table) and the cost history built from the orders'
//! recorded logistics costs.

mod support;

use nexus_tests::mock_http::{MockServer, json as mock_json, never};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{TestApp, spawn_app, spawn_app_with};

async fn calc(app: &TestApp, body: Value) -> support::Resp {
    app.call(
        Method::POST,
        "/api/logistics/calculate-cost",
        None,
        Some(body),
    )
    .await
}

#[tokio::test]
async fn seed_curl_5_mumbai_to_delhi_uses_the_offline_table_deterministically() {
    let app = spawn_app().await;
    let body = json!({"origin": "Mumbai", "destination": "Delhi", "vehicleType": "Truck"});
    let r = calc(&app, body.clone())
        .await
        .expect_success(StatusCode::OK);
    let d = &r.body["data"];
    assert_eq!(d["origin"], "Mumbai");
    assert_eq!(d["destination"], "Delhi");
    // Haversine 1,148 km × 1.25 road factor: near the real ~1,400 km road.
    assert_eq!(d["distance"], 1435);
    assert_eq!(d["distanceSource"], "offline_table");
    assert_eq!(d["isFallback"], true);
    assert_eq!(d["vehicleType"], "Truck");
    // 1,435 × 8.5 = 12,197.5 → 12,198; toll 14 × 150; ₹800 allowance; ₹100 handling.
    assert_eq!(
        d["breakdown"],
        json!({"fuelCost": 12198, "driverAllowance": 800, "tollCharges": 2100, "miscCharges": 100, "total": 15198})
    );
    assert_eq!(d["estimatedTime"], 1435);
    assert_eq!(d["estimatedTimeText"], "23 h 55 min");
    // Never random (D-L14): the same question gets the same answer.
    let again = calc(&app, body).await;
    assert_eq!(again.body["data"]["breakdown"], d["breakdown"]);
    assert_eq!(again.body["data"]["distance"], 1435);
}

#[tokio::test]
async fn offline_distances_are_recomputed_and_names_are_forgiving() {
    let app = spawn_app().await;
    let first = calc(
        &app,
        json!({"origin": "Nagpur", "destination": "Visakhapatnam"}),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["data"]["cached"], false);
    assert_eq!(
        first.body["data"]["vehicleType"], "Truck",
        "Truck by default"
    );
    let second = calc(
        &app,
        json!({"origin": " nagpur ", "destination": "VISAKHAPATNAM", "vehicleType": "tempo"}),
    )
    .await;
    // The table is pure and instant: nothing to cache, the same answer every time.
    assert_eq!(second.body["data"]["cached"], false);
    assert_eq!(second.body["data"]["fallbackReason"], Value::Null);
    assert_eq!(
        second.body["data"]["distance"],
        first.body["data"]["distance"]
    );
    assert_eq!(second.body["data"]["vehicleType"], "Tempo");
    let r = calc(
        &app,
        json!({"origin": "Bombay", "destination": "Kurla West, Mumbai, Maharashtra"}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "same city: {}",
        r.body
    );
    assert_eq!(r.body["error"]["code"], "DISTANCE_REQUIRED");
    let r = calc(
        &app,
        json!({"origin": "Bangalore", "destination": "Madras", "vehicleType": "Van"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["data"]["resolved"],
        json!({"origin": "Bengaluru", "destination": "Chennai"})
    );
}

#[tokio::test]
async fn a_given_distance_is_used_as_is() {
    let app = spawn_app().await;
    let r = calc(&app, json!({"distance": 250, "vehicleType": "Truck"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["distanceSource"], "manual");
    assert_eq!(d["isFallback"], false);
    // api.md §5.2 worked example: 2,125 + 800 + 300 + 100.
    assert_eq!(d["breakdown"]["total"], 3325);
    assert_eq!(d["estimatedTime"], 250);
    let r = calc(&app, json!({"origin": "Atlantis", "destination": "Delhi", "distance": 40, "vehicleType": "Bike"})).await;
    assert_eq!(r.status, StatusCode::OK, "a distance needs no lookup");
    assert_eq!(r.body["data"]["breakdown"]["total"], 500);
}

#[tokio::test]
async fn bad_requests_are_422_with_what_to_fix() {
    let app = spawn_app().await;
    let r = calc(&app, json!({"origin": "Atlantis", "destination": "Delhi"}))
        .await
        .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "UNKNOWN_PLACE");
    assert_eq!(r.body["error"]["details"]["place"], "Atlantis");
    let known = r.body["error"]["details"]["knownCities"]
        .as_array()
        .unwrap();
    assert!(known.len() >= 50);
    assert!(known.contains(&json!("Mumbai")));
    let r = calc(
        &app,
        json!({"origin": "Mumbai", "destination": "Delhi", "vehicleType": "Helicopter"}),
    )
    .await
    .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "UNKNOWN_VEHICLE");
    assert_eq!(
        r.body["error"]["details"]["supported"],
        json!(["Truck", "Tempo", "Van", "Bike"])
    );
    let r = calc(&app, json!({"origin": "Mumbai"})).await;
    assert_eq!(r.body["error"]["code"], "PLACES_REQUIRED");
    let r = calc(&app, json!({"distance": -5})).await;
    assert_eq!(r.body["error"]["code"], "INVALID_DISTANCE");
    let r = calc(&app, json!({"distance": "250"})).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a number, not text"
    );
}

#[tokio::test]
async fn the_public_calculator_is_rate_limited_per_client() {
    let app = spawn_app().await;
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let r = calc(&app, json!({"distance": 10})).await;
        statuses.push(r.status);
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers.contains_key("retry-after"));
            assert_eq!(r.body["error"]["code"], "RATE_LIMITED");
            break;
        }
    }
    assert!(
        statuses[..30].iter().all(|s| *s == StatusCode::OK),
        "the first 30 pass: {statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn cost_history_lists_the_recorded_costs_in_a_range() {
    let app = spawn_app().await;
    let r = app.get_ok("LOG-001", "/api/logistics/cost-history").await;
    let rows = r.body["data"].as_array().unwrap();
    // The seed's orders past the costing step: ORD-004 (6 days old) and ORD-005 (12).
    let ids: Vec<_> = rows.iter().map(|x| x["orderId"].clone()).collect();
    assert_eq!(ids, [json!("ORD-004"), json!("ORD-005")], "newest first");
    // 2 thermacol boxes × 300 + 5 kg dry ice × 18 + 300 to the station.
    assert_eq!(rows[0]["cost"], 990);
    assert_eq!(rows[0]["breakdown"]["thermacolAmount"], 600);
    assert_eq!(rows[0]["customerName"], "Coastal Kitchens HoReCa");
    assert!(
        rows[0]["route"]
            .as_str()
            .unwrap()
            .ends_with("→ Coastal Kitchens HoReCa")
    );
    assert_eq!(rows[0]["vehicleType"], "Truck");
    assert_eq!(r.body["summary"]["count"], 2);
    assert_eq!(r.body["summary"]["totalCost"], 1980);

    let since = (chrono::Utc::now() - chrono::Duration::days(8)).to_rfc3339();
    let r = app
        .get_ok(
            "LOG-001",
            &format!(
                "/api/logistics/cost-history?startDate={}",
                since.replace('+', "%2B")
            ),
        )
        .await;
    assert_eq!(r.body["summary"]["count"], 1);
    assert_eq!(r.body["data"][0]["orderId"], "ORD-004");
    let r = app
        .get("LOG-001", "/api/logistics/cost-history?endDate=2020-01-01")
        .await;
    assert_eq!(r.body["data"], json!([]));
    let r = app
        .get("LOG-001", "/api/logistics/cost-history?startDate=someday")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

/// An API whose Google Maps key points at `mock`, with a short Maps timeout.
async fn app_with_maps(mock: &MockServer) -> TestApp {
    spawn_app_with(&[
        ("GOOGLE_MAPS_API_KEY", "test-maps-key"),
        ("GOOGLE_MAPS_BASE_URL", &mock.base_url),
        ("GOOGLE_MAPS_TIMEOUT", "300ms"),
    ])
    .await
}

fn matrix_ok(meters: i64, seconds: i64) -> Value {
    json!({
        "status": "OK",
        "origin_addresses": ["Kurla West, Mumbai, Maharashtra 400070, India"],
        "destination_addresses": ["Hinjawadi, Pune, Maharashtra 411057, India"],
        "rows": [{"elements": [{"status": "OK",
            "distance": {"text": "", "value": meters},
            "duration": {"text": "", "value": seconds}}]}]
    })
}

#[tokio::test]
async fn google_maps_answers_when_configured_and_repeats_come_from_its_cache() {
    let mock = MockServer::start(|_| async { mock_json(200, matrix_ok(162_400, 12_600)) }).await;
    let app = app_with_maps(&mock).await;
    let body = json!({"origin": "Kurla West, Mumbai", "destination": "Hinjawadi, Pune", "vehicleType": "Tempo"});
    let r = calc(&app, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["distanceSource"], "google_maps");
    assert_eq!(d["isFallback"], false);
    assert_eq!(d["distance"], 162.4);
    // Tempo: 162.4 × 6.5 = 1,055.6 → ₹1,056 fuel; + 600 + 150 toll + 100.
    assert_eq!(d["breakdown"]["total"], 1906);
    assert_eq!(
        d["estimatedTime"], 210,
        "Maps' duration, not the speed model"
    );
    assert_eq!(
        d["resolved"]["destination"],
        "Hinjawadi, Pune, Maharashtra 411057, India"
    );
    assert_eq!(d["cached"], false);
    let q = &mock.requests()[0];
    assert_eq!(
        q.query_param("origins").as_deref(),
        Some("Kurla West, Mumbai")
    );
    assert_eq!(q.query_param("key").as_deref(), Some("test-maps-key"));

    let again = calc(
        &app,
        json!({"origin": "kurla west,  mumbai", "destination": "HINJAWADI, PUNE"}),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["data"]["cached"], true);
    assert_eq!(again.body["data"]["distance"], 162.4);
    assert_eq!(mock.count(), 1, "the cache answered the second lookup");
}

#[tokio::test]
async fn a_place_google_cannot_find_is_422() {
    let mock = MockServer::start(|_| async {
        mock_json(
            200,
            json!({"status": "OK", "origin_addresses": [""], "destination_addresses": ["Pune, India"],
                "rows": [{"elements": [{"status": "NOT_FOUND"}]}]}),
        )
    })
    .await;
    let app = app_with_maps(&mock).await;
    let r = calc(
        &app,
        json!({"origin": "Nowhere Town", "destination": "Pune"}),
    )
    .await
    .expect_refusal(StatusCode::UNPROCESSABLE_ENTITY, "UNKNOWN_PLACE");
    assert_eq!(r.body["error"]["details"]["place"], "Nowhere Town");
}

#[tokio::test]
async fn rate_limits_and_timeouts_fall_back_to_the_offline_table() {
    let limited =
        MockServer::start(|_| async { mock_json(429, json!({"status": "OVER_QUERY_LIMIT"})) })
            .await;
    let silent = MockServer::start(|_| never()).await;
    for mock in [&limited, &silent] {
        let app = app_with_maps(mock).await;
        let body = json!({"origin": "Mumbai", "destination": "Delhi"});
        let r = calc(&app, body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let d = &r.body["data"];
        assert_eq!(d["distanceSource"], "offline_table");
        assert_eq!(d["isFallback"], true);
        assert_eq!(d["distance"], 1435);
        assert_eq!(d["fallbackReason"], "Google Maps was unavailable");
        // A fallback is not cached: the next lookup asks Google again.
        let again = calc(&app, body).await;
        assert_eq!(again.body["data"]["distanceSource"], "offline_table");
        assert_eq!(mock.count(), 2);
    }
}
