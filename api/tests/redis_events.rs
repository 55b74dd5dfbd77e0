//! The Redis pub/sub event bus against a REAL redis-server that each test starts on a free
//! loopback port (`--save "" --appendonly no`, never the default 6379): two buses on one
//! Redis behave as two processes, an API instance's WebSocket clients get events published
//! by another instance, and the subscriber survives a Redis restart.
//!
//! redis-server must be on PATH (`scripts/test.sh` installs it); without it these tests fail
//! with a message saying so rather than silently skipping.

mod support;

use nexus_api::{AppState, startup};
use nexus_core::config::Config;
use nexus_core::events::{Event, EventBus, Topic, types};
use nexus_core::events_redis::{DEFAULT_CHANNEL, RedisBus};
use nexus_tests::redis::{RedisServer, free_port};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use support::ws_client::{connect_url, next_json, subscribe};
use tokio::sync::broadcast;

const WAIT: Duration = Duration::from_secs(10);

async fn recv(rx: &mut broadcast::Receiver<Event>) -> Event {
    tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("no event within the timeout")
        .expect("bus closed or lagged")
}

/// A bus on this Redis, on the default channel.
async fn bus(redis: &RedisServer) -> RedisBus {
    RedisBus::connect(&redis.url(), DEFAULT_CHANNEL)
        .await
        .unwrap()
}

fn event(n: i64) -> Event {
    Event::new(Topic::Stock, types::STOCK_CHANGED, json!({ "n": n }))
}

#[tokio::test]
async fn an_event_published_on_one_bus_arrives_on_the_other_once() {
    let redis = RedisServer::start().await;
    let (a, b) = (bus(&redis).await, bus(&redis).await);
    assert_eq!(
        a.describe(),
        format!("Redis pub/sub 127.0.0.1:{}", redis.port)
    );
    let mut at_a = a.subscribe();
    let mut at_b = b.subscribe();

    a.publish(event(1)).await.unwrap();
    let got = recv(&mut at_b).await;
    assert_eq!(got.data["n"], 1);
    assert_eq!(got.event_type, "stock:changed");
    assert_eq!(got.topic, Topic::Stock);

    b.publish(event(2)).await.unwrap();
    // A sees its own event once (delivered locally, its Redis echo skipped), then B's.
    assert_eq!(recv(&mut at_a).await.data["n"], 1);
    assert_eq!(recv(&mut at_a).await.data["n"], 2);
    // And B likewise.
    assert_eq!(recv(&mut at_b).await.data["n"], 2);
}

#[tokio::test]
async fn the_subscriber_reconnects_after_redis_restarts() {
    let redis = RedisServer::start().await;
    let port = redis.port;
    let (a, b) = (bus(&redis).await, bus(&redis).await);
    let mut at_b = b.subscribe();
    a.publish(event(0)).await.unwrap();
    assert_eq!(recv(&mut at_b).await.data["n"], 0);

    redis.stop().await;
    // While Redis is down a publish fails (the caller logs it) but local delivery works.
    let mut at_a = a.subscribe();
    assert!(a.publish(event(1)).await.is_err());
    assert_eq!(recv(&mut at_a).await.data["n"], 1);

    let _redis = RedisServer::start_on(port).await;
    // Both sides reconnect with backoff; keep publishing until B hears one (bounded).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut n = 100;
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "B never heard from A after Redis came back"
        );
        n += 1;
        let _ = a.publish(event(n)).await;
        match tokio::time::timeout(Duration::from_millis(300), at_b.recv()).await {
            Ok(Ok(e)) if e.data["n"].as_i64() >= Some(100) => break,
            _ => continue,
        }
    }
}

#[tokio::test]
async fn an_unreachable_redis_fails_the_start() {
    let port = free_port();
    let err = match RedisBus::connect(&format!("redis://127.0.0.1:{port}"), DEFAULT_CHANNEL).await {
        Ok(_) => panic!("connected to a port with no server"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
}

/// An API process, started as `nexus-api` starts one: its own state (and so its own Redis
/// bus) over the data folder both instances share.
async fn spawn_instance(redis_url: &str, data_dir: &std::path::Path) -> (String, AppState) {
    let vars: HashMap<&str, String> = HashMap::from([
        ("NEXUS_DATA_DIR", data_dir.to_str().unwrap().to_string()),
        ("NEXUS_BCRYPT_COST", "4".to_string()),
        (
            "JWT_SECRET",
            "test-secret-test-secret-test-secret-0123".to_string(),
        ),
        ("REDIS_URL", redis_url.to_string()),
        ("NEXUS_DEMO_DATA", "true".to_string()),
    ]);
    let config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    let state = startup::build(config).await.unwrap().state;
    let addr = support::serve_on_loopback(&state).await;
    (addr.to_string(), state)
}

#[tokio::test]
async fn websocket_clients_of_one_instance_get_events_published_by_another() {
    let redis = RedisServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (addr_a, state_a) = spawn_instance(&redis.url(), dir.path()).await;
    let (_addr_b, state_b) = spawn_instance(&redis.url(), dir.path()).await;
    assert!(state_a.events.describe().starts_with("Redis pub/sub"));

    // /api/ready reports the bus.
    let ready: Value = reqwest::get(format!("http://{addr_a}/api/ready"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ready["integrations"]["Events"],
        format!("Redis pub/sub 127.0.0.1:{}", redis.port)
    );

    let login: Value = reqwest::Client::new()
        .post(format!("http://{addr_a}/api/login"))
        .json(&json!({ "email": "admin@nexusoms.com", "password": "admin123" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let url = format!("ws://{addr_a}/ws");
    let mut ws = connect_url(&url, Some(token)).await.unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "connected");
    subscribe(&mut ws, &["orders"]).await;

    // Published by instance B, delivered by instance A's socket.
    state_b
        .publish(Event::new(
            Topic::Orders,
            types::ORDER_CREATED,
            json!({ "orderId": "ORD-FROM-B" }),
        ))
        .await;
    let m = next_json(&mut ws).await;
    assert_eq!(m["type"], "order:created");
    assert_eq!(m["data"]["orderId"], "ORD-FROM-B");
}
