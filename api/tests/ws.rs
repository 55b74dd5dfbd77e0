//! `GET /ws` through a real socket (tokio-tungstenite) against `spawn_app()`: handshake
//! authentication, subscriptions and the message shapes, delivery scoped by the sales
//! hierarchy, resync for a lagging client, heartbeats, and sockets closed by logout,
//! deactivation and token expiry. Every wait is on a message with a timeout — no sleeps.

mod support;

use nexus_core::events::{Audience, Event, Topic, types};
use nexus_core::model::User;
use nexus_core::store::{Filter, UpdateOp, Write};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::ws_client::*;
use support::{spawn_app, spawn_app_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Error as WsError;

fn order_event(kind: &str, order_id: &str, salesperson: &str, status: &str) -> Event {
    Event::new(
        Topic::Orders,
        kind,
        json!({ "orderId": order_id, "status": status, "salespersonId": salesperson }),
    )
    .to(Audience {
        salesperson_id: Some(salesperson.into()),
        order_status: Some(status.into()),
        ..Default::default()
    })
}

#[tokio::test]
async fn a_handshake_with_a_bad_token_is_refused_before_the_upgrade() {
    let app = spawn_app().await;
    for (bearer, query) in [(Some("not-a-token"), ""), (None, "?token=not-a-token")] {
        match try_connect(&app, bearer, query).await {
            Err(WsError::Http(resp)) => assert_eq!(resp.status().as_u16(), 401),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("a bad token opened a socket"),
        }
    }
    // A plain HTTP request: 401 without a token, 426 with a good one.
    app.call(Method::GET, "/ws", None, None)
        .await
        .expect_refusal(StatusCode::UNAUTHORIZED, "TOKEN_MISSING");
    app.get("SALES-001", "/ws")
        .await
        .expect_refusal(StatusCode::UPGRADE_REQUIRED, "UPGRADE_REQUIRED");
}

#[tokio::test]
async fn a_socket_without_a_token_must_authenticate_first() {
    let app = spawn_app().await;
    // Anything but `auth` as the first message closes the socket.
    let mut ws = try_connect(&app, None, "").await.unwrap();
    send(
        &mut ws,
        json!({ "type": "subscribe", "topics": ["orders"] }),
    )
    .await;
    assert_eq!(expect_close(&mut ws).await, (4401, "AUTH_REQUIRED".into()));

    // A bad token in the auth message closes it with the token error.
    let mut ws = try_connect(&app, None, "").await.unwrap();
    send(&mut ws, json!({ "type": "auth", "token": "forged" })).await;
    assert_eq!(expect_close(&mut ws).await, (4401, "TOKEN_INVALID".into()));

    // A good one opens the session.
    let token = app.token("CREDIT-001").await;
    let mut ws = try_connect(&app, None, "").await.unwrap();
    send(&mut ws, json!({ "type": "auth", "token": token })).await;
    let hello = next_json(&mut ws).await;
    assert_eq!(hello["type"], "connected");
    assert_eq!(hello["data"]["userId"], "CREDIT-001");
    assert_eq!(hello["data"]["role"], "Credit Control");

    // So does `?token=` (browsers cannot set headers).
    let mut ws = try_connect(&app, None, &format!("?token={token}"))
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["data"]["userId"], "CREDIT-001");
}

#[tokio::test]
async fn no_auth_message_in_time_closes_the_socket() {
    let app = spawn_app_with(&[("NEXUS_WS_AUTH_TIMEOUT", "200ms")]).await;
    let mut ws = try_connect(&app, None, "").await.unwrap();
    assert_eq!(expect_close(&mut ws).await, (4401, "AUTH_TIMEOUT".into()));
}

#[tokio::test]
async fn a_subscribed_client_receives_events_in_the_wire_shape() {
    let app = spawn_app().await;
    let (mut ws, hello) = open_as(&app, "USER-001").await;
    assert_eq!(hello["data"]["userId"], "USER-001");
    assert_eq!(hello["data"]["role"], "Admin");
    assert_eq!(hello["data"]["topics"], json!([]));
    assert_eq!(
        hello["data"]["availableTopics"],
        json!(["orders", "jobs", "stock", "alerts"])
    );
    assert!(hello["at"].is_string());

    let ack = subscribe(&mut ws, &["orders", "gossip"]).await;
    assert_eq!(ack["data"]["topics"], json!(["orders"]));
    assert_eq!(ack["data"]["ignored"], json!(["gossip"]));

    app.state
        .publish(order_event(
            types::ORDER_CREATED,
            "ORD-900",
            "SALES-002",
            "Pending Credit Approval",
        ))
        .await;
    let m = next_json(&mut ws).await;
    assert_eq!(m["type"], "order:created");
    assert_eq!(m["topic"], "orders");
    assert_eq!(m["data"]["orderId"], "ORD-900");
    assert!(m["at"].as_str().unwrap().ends_with('Z'));
    let mut keys: Vec<_> = m.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["at", "data", "topic", "type"],
        "no routing facts on the wire"
    );

    // Application-level ping.
    send(&mut ws, json!({ "type": "ping" })).await;
    let pong = next_json(&mut ws).await;
    assert_eq!(pong["type"], "pong");
    assert!(pong["data"]["timestamp"].as_i64().unwrap() > 0);

    // After unsubscribing from orders, only the stock event arrives.
    send(
        &mut ws,
        json!({ "type": "unsubscribe", "topics": ["orders"] }),
    )
    .await;
    assert_eq!(next_json(&mut ws).await["type"], "unsubscribed");
    subscribe(&mut ws, &["stock"]).await;
    app.state
        .publish(order_event(
            types::ORDER_UPDATED,
            "ORD-901",
            "SALES-001",
            "Pending Packing",
        ))
        .await;
    app.state
        .publish(Event::new(
            Topic::Stock,
            types::STOCK_CHANGED,
            json!({ "productId": "PROD-001" }),
        ))
        .await;
    let m = next_json(&mut ws).await;
    assert_eq!(m["type"], "stock:changed", "{m}");

    // A malformed message is answered, not fatal.
    send(&mut ws, json!({ "type": "join", "room": "role:Admin" })).await;
    let err = next_json(&mut ws).await;
    assert_eq!(err["type"], "error");
    assert_eq!(err["data"]["code"], "BAD_MESSAGE");
}

#[tokio::test]
async fn order_events_reach_the_salesperson_their_manager_and_admin_only() {
    let app = spawn_app().await;
    let (mut sales1, _) = open_as(&app, "SALES-001").await;
    let (mut asm, _) = open_as(&app, "ASM-001").await;
    let (mut admin, _) = open_as(&app, "USER-001").await;
    let (mut warehouse, _) = open_as(&app, "WH-001").await;
    for ws in [&mut sales1, &mut asm, &mut admin, &mut warehouse] {
        subscribe(ws, &["orders"]).await;
    }

    // SALES-002's order, then SALES-001's: every socket sees events in publish order, so
    // SALES-001's first event being its own proves the other one was withheld.
    app.state
        .publish(order_event(
            types::ORDER_CREATED,
            "ORD-A",
            "SALES-002",
            "Pending Credit Approval",
        ))
        .await;
    app.state
        .publish(order_event(
            types::ORDER_CREATED,
            "ORD-B",
            "SALES-001",
            "Pending Credit Approval",
        ))
        .await;
    app.state
        .publish(order_event(
            types::ORDER_STATUS_CHANGED,
            "ORD-B",
            "SALES-001",
            "Pending Packing",
        ))
        .await;

    let first = next_json(&mut sales1).await;
    assert_eq!(first["data"]["orderId"], "ORD-B", "SALES-001 got {first}");
    for ws in [&mut asm, &mut admin] {
        assert_eq!(next_json(ws).await["data"]["orderId"], "ORD-A");
        assert_eq!(next_json(ws).await["data"]["orderId"], "ORD-B");
    }
    // The warehouse sees the order once it reaches its queue, not before.
    let wh = next_json(&mut warehouse).await;
    assert_eq!(wh["type"], "order:status-changed");
    assert_eq!(wh["data"]["status"], "Pending Packing");
}

/// The realtime check, end to end over HTTP: a client subscribed to `orders` sees
/// `order:created` after the booking and `order:status-changed` after Credit Control's
/// approval; a salesperson outside the order's scope sees neither.
#[tokio::test]
async fn a_subscriber_sees_order_created_then_status_changed_after_the_http_calls() {
    let app = spawn_app().await;
    let (mut admin, _) = open_as(&app, "USER-001").await;
    let (mut booker, _) = open_as(&app, "SALES-001").await;
    let (mut other, _) = open_as(&app, "SALES-002").await;
    for ws in [&mut admin, &mut booker, &mut other] {
        subscribe(ws, &["orders"]).await;
    }

    let r = app
        .post(
            "SALES-001",
            "/api/orders",
            json!({ "customerId": "CUST-001", "items": [{ "productId": "PROD-001", "quantity": 2 }] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    for ws in [&mut admin, &mut booker] {
        let m = next_json(ws).await;
        assert_eq!(m["type"], "order:created", "{m}");
        assert_eq!(m["topic"], "orders");
        assert_eq!(m["data"]["orderId"], id.as_str());
        assert_eq!(m["data"]["status"], "Pending Credit Approval");
        assert_eq!(m["data"]["salespersonId"], "SALES-001");
    }

    let r = app
        .post(
            "CREDIT-001",
            &format!("/api/orders/{id}/credit-decision"),
            json!({ "decision": "approve" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for ws in [&mut admin, &mut booker] {
        let m = next_json(ws).await;
        assert_eq!(m["type"], "order:status-changed", "{m}");
        assert_eq!(m["data"]["orderId"], id.as_str());
        assert_eq!(m["data"]["oldStatus"], "Pending Credit Approval");
        assert_eq!(m["data"]["newStatus"], "Pending WH Selection");
    }
    let stored = nexus_core::store::TypedStore::get::<nexus_core::model::Order>(
        app.store.as_ref(),
        Filter::id(id.as_str()),
    )
    .await
    .unwrap()
    .expect("the order is stored");
    assert_eq!(stored.status.as_str(), "Pending WH Selection");

    // SALES-002 got neither event: the first thing it receives is a later broadcast.
    app.state
        .publish(Event::new(
            Topic::Orders,
            types::ORDER_UPDATED,
            json!({ "marker": true }),
        ))
        .await;
    let m = next_json(&mut other).await;
    assert_eq!(m["data"]["marker"], true, "SALES-002 saw {m}");
}

#[tokio::test]
async fn a_lagging_client_is_told_to_resync_and_keeps_working() {
    let app = spawn_app().await;
    let (mut ws, _) = open_as(&app, "USER-001").await;
    subscribe(&mut ws, &["orders"]).await;
    // More events than the bus buffers (1024), published without yielding: the socket's
    // session cannot read in between (single-threaded test runtime), so its receiver lags.
    for i in 0..1100 {
        app.state
            .publish(Event::new(
                Topic::Stock,
                types::STOCK_CHANGED,
                json!({ "i": i }),
            ))
            .await;
    }
    let m = next_json(&mut ws).await;
    assert_eq!(m["type"], "resync", "{m}");
    assert_eq!(m["data"]["reason"], "lagged");
    assert!(m["data"]["missed"].as_u64().unwrap() >= 76, "{m}");
    assert_eq!(m["data"]["topics"], json!(["orders"]));

    // Not a dead socket: requests are answered and new events delivered.
    send(&mut ws, json!({ "type": "ping" })).await;
    assert_eq!(next_json(&mut ws).await["type"], "pong");
    app.state
        .publish(order_event(
            types::ORDER_UPDATED,
            "ORD-002",
            "SALES-002",
            "Pending Packing",
        ))
        .await;
    assert_eq!(next_json(&mut ws).await["data"]["orderId"], "ORD-002");
}

#[tokio::test]
async fn logout_closes_the_users_open_sockets() {
    let app = spawn_app_with(&[("NEXUS_WS_HEARTBEAT", "200ms")]).await;
    let (mut ws, _) = open_as(&app, "SALES-001").await;
    let token = app.token("SALES-001").await;
    let r = app
        .call(Method::POST, "/api/auth/logout", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(expect_close(&mut ws).await, (4401, "TOKEN_REVOKED".into()));
}

#[tokio::test]
async fn deactivating_the_user_closes_the_socket() {
    let app = spawn_app_with(&[("NEXUS_WS_HEARTBEAT", "200ms")]).await;
    let (mut ws, _) = open_as(&app, "SALES-002").await;
    app.store
        .commit(vec![Write::update_one::<User>(
            Filter::id("SALES-002"),
            vec![UpdateOp::Set("status".into(), json!("Inactive"))],
        )])
        .await
        .unwrap();
    assert_eq!(expect_close(&mut ws).await, (4401, "USER_INACTIVE".into()));
}

#[tokio::test]
async fn a_socket_closes_when_its_token_expires() {
    let app = spawn_app_with(&[("JWT_EXPIRY", "2s")]).await;
    let (mut ws, hello) = open_as(&app, "SALES-001").await;
    assert!(hello["data"]["tokenExpiresAt"].as_i64().is_some());
    assert_eq!(expect_close(&mut ws).await, (4401, "TOKEN_EXPIRED".into()));
}

/// A raw TCP client that completes the handshake and then never answers pings.
#[tokio::test]
async fn a_client_that_stops_answering_pings_is_closed() {
    let app = spawn_app_with(&[("NEXUS_WS_HEARTBEAT", "100ms")]).await;
    let token = app.token("SALES-001").await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut tcp = TcpStream::connect(&addr).await.unwrap();
    let handshake = format!(
        "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Authorization: Bearer {token}\r\n\r\n"
    );
    tcp.write_all(handshake.as_bytes()).await.unwrap();

    let mut buf = Vec::new();
    let mut opcodes = Vec::new();
    let close = tokio::time::timeout(WAIT, async {
        loop {
            let mut chunk = [0u8; 4096];
            let n = tcp.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection dropped without a close frame");
            buf.extend_from_slice(&chunk[..n]);
            if opcodes.is_empty() {
                // Skip the HTTP 101 response.
                let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&buf[..end]).to_string();
                assert!(head.starts_with("HTTP/1.1 101"), "{head}");
                buf.drain(..end + 4);
                opcodes.push(0xFF);
            }
            // Server frames are unmasked: opcode, length (7 bits, or 16/64-bit extended).
            while buf.len() >= 2 {
                let opcode = buf[0] & 0x0F;
                let (len, hdr) = match buf[1] & 0x7F {
                    126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
                    127 if buf.len() >= 10 => (
                        u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize,
                        10,
                    ),
                    126 | 127 => break,
                    l => (l as usize, 2),
                };
                if buf.len() < hdr + len {
                    break;
                }
                let payload: Vec<u8> = buf[hdr..hdr + len].to_vec();
                buf.drain(..hdr + len);
                opcodes.push(opcode);
                if opcode == 0x8 {
                    return (
                        u16::from_be_bytes([payload[0], payload[1]]),
                        String::from_utf8_lossy(&payload[2..]).to_string(),
                    );
                }
            }
        }
    })
    .await
    .expect("no close frame within the timeout");
    assert_eq!(close, (4408, "HEARTBEAT_TIMEOUT".into()));
    // connected (text), then the unanswered pings, then the close.
    assert_eq!(opcodes[1], 0x1);
    assert!(
        opcodes.iter().filter(|o| **o == 0x9).count() >= 2,
        "{opcodes:?}"
    );
}

/// The server reads into a 1 KiB buffer per socket (what 10,000 held sockets cost depends on
/// it): a client message several times that size, under the 16 KiB limit, still arrives whole.
#[tokio::test]
async fn a_message_larger_than_the_read_buffer_is_read_whole() {
    let app = spawn_app().await;
    let (mut ws, _hello) = open_as(&app, "USER-001").await;
    let mut topics: Vec<String> = (0..400).map(|i| format!("not-a-topic-{i:04}")).collect();
    topics.push("orders".into());
    let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
    let size = json!({ "type": "subscribe", "topics": refs })
        .to_string()
        .len();
    assert!(size > 4 * 1024 && size < 16 * 1024, "{size} bytes");
    let ack = subscribe(&mut ws, &refs).await;
    assert_eq!(ack["data"]["topics"], json!(["orders"]));
    assert_eq!(ack["data"]["ignored"].as_array().unwrap().len(), 400);
}
