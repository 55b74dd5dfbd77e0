//! The WebSocket wire protocol: JSON text frames both ways.
//!
//! Server → client: `{ "type", "topic"?, "data", "at" }` — the [`Event`] wire shape without its
//! routing facts (the audience never leaves the server), plus the session messages
//! `connected`, `subscribed`, `unsubscribed`, `pong`, `resync` and `error`.
//! Client → server: `auth`, `subscribe`, `unsubscribe`, `ping`.

use nexus_core::events::{Event, Topic};
use nexus_core::types::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Session message types (event types are in `nexus_core::events::types`).
pub mod kinds {
    pub const CONNECTED: &str = "connected";
    pub const SUBSCRIBED: &str = "subscribed";
    pub const UNSUBSCRIBED: &str = "unsubscribed";
    pub const PONG: &str = "pong";
    pub const RESYNC: &str = "resync";
    pub const ERROR: &str = "error";
}

/// Close codes. 4xxx is the application range of RFC 6455 §7.4.2; the last three digits
/// echo the HTTP status a REST call would get for the same reason.
pub mod close {
    /// Authentication failed or ended: no/invalid/expired/revoked token, inactive user, no
    /// `auth` message in time. The close reason is the error code (e.g. `TOKEN_REVOKED`).
    pub const UNAUTHORIZED: u16 = 4401;
    /// The client stopped answering pings.
    pub const HEARTBEAT_TIMEOUT: u16 = 4408;
    /// The event bus stopped (server shutting down): reconnect.
    pub const GOING_AWAY: u16 = 1001;
}

/// A message from the server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerMessage {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<Topic>,
    pub data: Value,
    pub at: Timestamp,
}

impl ServerMessage {
    pub fn session(kind: &str, data: Value) -> Self {
        ServerMessage {
            kind: kind.to_string(),
            topic: None,
            data,
            at: Timestamp::now(),
        }
    }

    /// The client's view of an event: type, topic, data, time — not the audience.
    pub fn event(e: &Event) -> Self {
        ServerMessage {
            kind: e.event_type.clone(),
            topic: Some(e.topic),
            data: e.data.clone(),
            at: e.at,
        }
    }

    pub fn error(code: &str, message: &str) -> Self {
        Self::session(
            kinds::ERROR,
            serde_json::json!({ "code": code, "message": message }),
        )
    }

    pub fn to_json(&self) -> String {
        // A struct of strings and JSON values always serialises.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// A message from the client.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum ClientMessage {
    /// First message of a socket opened without a token; later, a fresh token to extend the
    /// session past the current token's expiry (same user only).
    Auth {
        token: String,
    },
    Subscribe {
        topics: Vec<String>,
    },
    Unsubscribe {
        topics: Vec<String>,
    },
    Ping,
}

impl ClientMessage {
    pub fn parse(text: &str) -> Result<ClientMessage, String> {
        serde_json::from_str(text).map_err(|e| {
            format!("expected {{\"type\":\"subscribe\"|\"unsubscribe\"|\"ping\"|\"auth\", …}}: {e}")
        })
    }
}

/// Splits requested topic names into known topics and unknown names.
pub fn parse_topics(names: &[String]) -> (Vec<Topic>, Vec<String>) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for n in names {
        match Topic::parse(n) {
            Some(t) => known.push(t),
            None => unknown.push(n.clone()),
        }
    }
    (known, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_core::events::{Audience, types};
    use serde_json::json;

    #[test]
    fn an_event_goes_out_without_its_audience() {
        let e = Event::new(
            Topic::Orders,
            types::ORDER_CREATED,
            json!({"orderId": "ORD-9"}),
        )
        .to(Audience {
            salesperson_id: Some("SALES-002".into()),
            ..Default::default()
        });
        let wire: Value = serde_json::from_str(&ServerMessage::event(&e).to_json()).unwrap();
        assert_eq!(wire["type"], "order:created");
        assert_eq!(wire["topic"], "orders");
        assert_eq!(wire["data"]["orderId"], "ORD-9");
        assert!(wire["at"].is_string());
        assert!(wire.get("audience").is_none(), "{wire}");
    }

    #[test]
    fn client_messages_parse_and_unknown_shapes_are_refused() {
        assert_eq!(
            ClientMessage::parse(r#"{"type":"subscribe","topics":["orders","jobs"]}"#),
            Ok(ClientMessage::Subscribe {
                topics: vec!["orders".into(), "jobs".into()]
            })
        );
        assert_eq!(
            ClientMessage::parse(r#"{"type":"ping"}"#),
            Ok(ClientMessage::Ping)
        );
        assert!(ClientMessage::parse(r#"{"type":"subscribe","topics":"orders"}"#).is_err());
        assert!(ClientMessage::parse(r#"{"type":"join","room":"role:Admin"}"#).is_err());
        assert!(ClientMessage::parse("not json").is_err());
        let (known, unknown) = parse_topics(&["Orders".into(), "gossip".into()]);
        assert_eq!(known, vec![Topic::Orders]);
        assert_eq!(unknown, vec!["gossip".to_string()]);
    }
}
