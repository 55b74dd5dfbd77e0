//! The multi-process [`EventBus`]: Redis pub/sub, so an event published by one API instance
//! (or the worker) reaches the WebSocket clients of every instance. The legacy server ran two
//! PM2 workers with no Socket.IO adapter, so a broadcast only reached the sockets of the
//! worker that emitted it (api.md §3 "Deployment caveat", §8.4 item 39).
//!
//! Shape:
//! * `publish` hands the event to this process's subscribers at once (no round trip, and local
//!   clients keep getting events while Redis is down) and `PUBLISH`es an envelope
//!   `{ "origin": <instance id>, "event": … }` on the channel (default [`DEFAULT_CHANNEL`]);
//! * one background task per bus holds a `SUBSCRIBE` connection and forwards every envelope
//!   from *other* instances into the local broadcast (its own are skipped: they were
//!   delivered already);
//! * the subscriber reconnects with exponential backoff (100 ms doubling to 5 s) and pings
//!   the connection so a silently dead socket is noticed; the publisher is a redis
//!   `ConnectionManager`, which reconnects by itself.
//!
//! Pub/sub is fire-and-forget by design: an instance that is disconnected while an event is
//! published misses it. That is acceptable because events only say "something changed";
//! the data stays in the store and clients refetch (the WebSocket's `resync` message covers
//! the same gap inside one process).

use crate::events::{Event, EventBus, EventError, InProcessBus};
use async_trait::async_trait;
use futures::StreamExt;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

/// The channel every NexusOMS process publishes on and listens to.
pub const DEFAULT_CHANNEL: &str = "nexus:events";

/// How long a connection attempt or a command may take before it counts as failed.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// Reconnect backoff of the subscriber.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// How often the subscriber checks that its connection is alive.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// What travels on the channel: the event plus the publishing instance, so a process does
/// not deliver its own events twice.
#[derive(Debug, Deserialize)]
struct Envelope {
    origin: String,
    event: Event,
}

#[derive(Serialize)]
struct EnvelopeRef<'a> {
    origin: &'a str,
    event: &'a Event,
}

pub struct RedisBus {
    local: Arc<InProcessBus>,
    publisher: ConnectionManager,
    channel: String,
    origin: String,
    host: String,
    listener: JoinHandle<()>,
}

impl Drop for RedisBus {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> EventError {
    EventError::Unavailable(format!("Redis {what}: {e}"))
}

/// `host:port` of a Redis URL, never its password.
fn host_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => format!("{h}:6379"),
            _ => "(host hidden)".into(),
        },
        Err(_) => "(unparsable, hidden)".into(),
    }
}

impl RedisBus {
    /// Connects the publisher and the subscriber and returns once the subscription is live,
    /// so nothing published after this returns is missed. Fails (for a clear start-up error)
    /// when Redis cannot be reached; later outages are survived by reconnecting.
    pub async fn connect(url: &str, channel: &str) -> Result<RedisBus, EventError> {
        Self::connect_with_capacity(url, channel, 1024).await
    }

    /// As [`RedisBus::connect`], with the size of the local broadcast buffer.
    pub async fn connect_with_capacity(
        url: &str,
        channel: &str,
        capacity: usize,
    ) -> Result<RedisBus, EventError> {
        let host = host_of(url);
        if url.starts_with("rediss://") {
            return Err(EventError::Unavailable(format!(
                "Redis {host}: TLS (rediss://) is not built into this binary; use redis:// on a private network or a TLS-terminating proxy"
            )));
        }
        let client = redis::Client::open(url).map_err(|e| unavailable(&host, e))?;
        let cfg = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(IO_TIMEOUT))
            .set_response_timeout(Some(IO_TIMEOUT))
            .set_number_of_retries(3)
            .set_max_delay(BACKOFF_MAX);
        let publisher = tokio::time::timeout(
            IO_TIMEOUT * 2,
            client.get_connection_manager_with_config(cfg),
        )
        .await
        .map_err(|_| unavailable(&host, "connection timed out"))?
        .map_err(|e| unavailable(&host, e))?;

        let local = Arc::new(InProcessBus::new(capacity));
        let origin = ulid::Ulid::new().to_string();
        let (ready_tx, ready_rx) = oneshot::channel();
        let listener = tokio::spawn(listen(
            client,
            channel.to_string(),
            origin.clone(),
            local.clone(),
            host.clone(),
            ready_tx,
        ));
        match tokio::time::timeout(IO_TIMEOUT * 2, ready_rx).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => {
                listener.abort();
                return Err(unavailable(&host, e));
            }
            Ok(Err(_)) | Err(_) => {
                listener.abort();
                return Err(unavailable(&host, "subscription did not start"));
            }
        }
        tracing::info!(redis = %host, channel, "event bus: Redis pub/sub connected");
        Ok(RedisBus {
            local,
            publisher,
            channel: channel.to_string(),
            origin,
            host,
            listener,
        })
    }

    /// The channel this bus publishes on.
    pub fn channel(&self) -> &str {
        &self.channel
    }
}

/// The subscriber task: subscribe, forward, and on any failure reconnect with backoff.
async fn listen(
    client: redis::Client,
    channel: String,
    origin: String,
    local: Arc<InProcessBus>,
    host: String,
    ready: oneshot::Sender<Result<(), String>>,
) {
    let mut ready = Some(ready);
    let mut backoff = BACKOFF_MIN;
    loop {
        let subscribed = async {
            let mut pubsub = tokio::time::timeout(IO_TIMEOUT, client.get_async_pubsub())
                .await
                .map_err(|_| "connection timed out".to_string())?
                .map_err(|e| e.to_string())?;
            tokio::time::timeout(IO_TIMEOUT, pubsub.subscribe(&channel))
                .await
                .map_err(|_| "SUBSCRIBE timed out".to_string())?
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(pubsub)
        }
        .await;
        let pubsub = match subscribed {
            Ok(p) => p,
            Err(e) => {
                if let Some(r) = ready.take() {
                    // The first attempt reports to `connect`, which fails the start-up.
                    let _ = r.send(Err(e));
                    return;
                }
                tracing::warn!(redis = %host, error = %e, retry_in = ?backoff, "event bus: Redis subscribe failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
                continue;
            }
        };
        if let Some(r) = ready.take() {
            let _ = r.send(Ok(()));
        } else {
            tracing::info!(redis = %host, "event bus: Redis subscription restored");
        }
        backoff = BACKOFF_MIN;
        let (mut sink, mut stream) = pubsub.split();
        let mut keepalive = tokio::time::interval(KEEPALIVE);
        keepalive.tick().await;
        loop {
            tokio::select! {
                msg = stream.next() => {
                    let Some(msg) = msg else { break };
                    match serde_json::from_slice::<Envelope>(msg.get_payload_bytes()) {
                        Ok(env) if env.origin == origin => {}
                        Ok(env) => local.deliver(env.event),
                        Err(e) => tracing::warn!(error = %e, "event bus: unreadable message on the Redis channel, skipped"),
                    }
                }
                _ = keepalive.tick() => {
                    let alive = tokio::time::timeout(IO_TIMEOUT, sink.ping::<String>()).await;
                    if !matches!(alive, Ok(Ok(_))) {
                        break;
                    }
                }
            }
        }
        tracing::warn!(redis = %host, retry_in = ?backoff, "event bus: Redis subscription lost, reconnecting");
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

#[async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: Event) -> Result<(), EventError> {
        let payload = serde_json::to_string(&EnvelopeRef {
            origin: &self.origin,
            event: &event,
        })
        .map_err(|e| EventError::Unavailable(format!("event not serialisable: {e}")))?;
        // Local subscribers first: they must not depend on Redis being up.
        self.local.deliver(event);
        let mut conn = self.publisher.clone();
        conn.publish::<_, _, i64>(&self.channel, payload)
            .await
            .map(|_| ())
            .map_err(|e| unavailable(&self.host, e))
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }

    fn describe(&self) -> String {
        format!("Redis pub/sub {}", self.host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_names_the_host_never_the_password() {
        assert_eq!(
            host_of("redis://:s3cret@cache.internal:6380/0"),
            "cache.internal:6380"
        );
        assert_eq!(host_of("redis://localhost"), "localhost:6379");
        assert!(!host_of("not a url").contains("not"));
    }

    #[tokio::test]
    async fn an_unreachable_redis_is_a_clear_start_up_error() {
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        let err = match RedisBus::connect("redis://127.0.0.1:1", DEFAULT_CHANNEL).await {
            Ok(_) => panic!("connected to nothing"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("127.0.0.1:1"), "{err}");
    }
}
