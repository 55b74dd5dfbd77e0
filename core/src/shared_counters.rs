//! Fixed-window counters in Redis, so that request rate limits, login lockouts and the
//! budget of calls to a paid provider hold across every process of a deployment (one Redis,
//! many APIs and workers): a client cannot multiply its budget, or its password guesses, by
//! the number of instances behind the load balancer, nor ten workers Gemini's quota.
//!
//! A counter is one key: the first hit creates it with the window as its lifetime, each hit
//! increments it, and it disappears when the window ends. The increment, the expiry and the
//! remaining time are one Lua script, so concurrent hits from several instances never lose
//! a count or leave a key without an expiry.

use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::sync::LazyLock;
use std::time::Duration;

const IO_TIMEOUT: Duration = Duration::from_secs(2);
const PREFIX: &str = "nexus:limits:";

static HIT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}",
    )
});

static PEEK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local n = tonumber(redis.call('GET', KEYS[1]) or '0')
return {n, redis.call('PTTL', KEYS[1])}",
    )
});

/// The count in the current window and the time until the window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub count: u64,
    pub remaining: Duration,
}

impl Window {
    fn from_reply((count, ttl_ms): (i64, i64)) -> Window {
        Window {
            count: u64::try_from(count).unwrap_or(0),
            remaining: Duration::from_millis(u64::try_from(ttl_ms).unwrap_or(0)),
        }
    }
}

#[derive(Clone)]
pub struct SharedCounters {
    conn: ConnectionManager,
}

impl SharedCounters {
    /// Connects (bounded); the manager reconnects by itself afterwards.
    pub async fn connect(url: &str) -> Result<SharedCounters, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let cfg = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(IO_TIMEOUT))
            .set_response_timeout(Some(IO_TIMEOUT))
            .set_number_of_retries(1);
        let conn = client.get_connection_manager_with_config(cfg).await?;
        Ok(SharedCounters { conn })
    }

    /// Counts one hit on `key` in a window of `window`.
    pub async fn hit(&self, key: &str, window: Duration) -> Result<Window, redis::RedisError> {
        let ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut conn = self.conn.clone();
        let reply: (i64, i64) = HIT
            .key(format!("{PREFIX}{key}"))
            .arg(ms)
            .invoke_async(&mut conn)
            .await?;
        Ok(Window::from_reply(reply))
    }

    /// The current window of `key` without counting.
    pub async fn peek(&self, key: &str) -> Result<Window, redis::RedisError> {
        let mut conn = self.conn.clone();
        let reply: (i64, i64) = PEEK
            .key(format!("{PREFIX}{key}"))
            .invoke_async(&mut conn)
            .await?;
        Ok(Window::from_reply(reply))
    }

    pub async fn clear(&self, key: &str) -> Result<(), redis::RedisError> {
        let mut conn = self.conn.clone();
        redis::cmd("DEL")
            .arg(format!("{PREFIX}{key}"))
            .query_async::<()>(&mut conn)
            .await
    }
}
