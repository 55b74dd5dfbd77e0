//! Failed-login limits per account and per client address (the legacy limiter keyed only on
//! the proxy's IP, locking everyone out at once, 8.1.12). Embedded, the counters live in this
//! process; with `REDIS_URL` they are shared by every API instance (`shared_counters`), so a
//! lockout on one holds on all, with this process's counters standing in while Redis does not
//! answer.

use dashmap::DashMap;
use nexus_core::shared_counters::SharedCounters;
use std::time::{Duration, Instant};

pub struct LoginLimiter {
    window: Duration,
    max_per_account: u32,
    max_per_ip: u32,
    accounts: DashMap<String, (u32, Instant)>,
    ips: DashMap<String, (u32, Instant)>,
    shared: Option<SharedCounters>,
}

fn account_key(account: &str) -> String {
    format!("login:account:{}", account.trim().to_ascii_lowercase())
}

fn ip_key(ip: &str) -> String {
    format!("login:ip:{ip}")
}

impl LoginLimiter {
    pub fn new(window: Duration, max_per_account: u32, max_per_ip: u32) -> Self {
        LoginLimiter {
            window,
            max_per_account,
            max_per_ip,
            accounts: DashMap::new(),
            ips: DashMap::new(),
            shared: None,
        }
    }

    /// The same limits, counted in Redis for every API instance.
    pub fn shared(mut self, counters: SharedCounters) -> Self {
        self.shared = Some(counters);
        self
    }

    /// `Some(retry_after)` when either key is over its limit.
    pub async fn check(&self, account: &str, ip: &str) -> Option<Duration> {
        if let Some(shared) = &self.shared {
            let over =
                async |key: String, max: u32| -> Result<Option<Duration>, redis::RedisError> {
                    let w = shared.peek(&key).await?;
                    Ok((w.count >= u64::from(max)).then_some(w.remaining))
                };
            match over(account_key(account), self.max_per_account).await {
                Ok(Some(wait)) => return Some(wait),
                Ok(None) => match over(ip_key(ip), self.max_per_ip).await {
                    Ok(found) => return found,
                    Err(e) => tracing::warn!(error = %e, "shared login limit unavailable"),
                },
                Err(e) => tracing::warn!(error = %e, "shared login limit unavailable"),
            }
        }
        self.check_here(account, ip)
    }

    fn check_here(&self, account: &str, ip: &str) -> Option<Duration> {
        let now = Instant::now();
        let over = |map: &DashMap<String, (u32, Instant)>, key: &str, max: u32| {
            map.get(key).and_then(|e| {
                let (n, start) = *e;
                let elapsed = now.duration_since(start);
                (elapsed < self.window && n >= max).then(|| self.window - elapsed)
            })
        };
        over(
            &self.accounts,
            &account.to_ascii_lowercase(),
            self.max_per_account,
        )
        .or_else(|| over(&self.ips, ip, self.max_per_ip))
    }

    pub async fn record_failure(&self, account: &str, ip: &str) {
        if let Some(shared) = &self.shared {
            let a = shared.hit(&account_key(account), self.window).await;
            let i = shared.hit(&ip_key(ip), self.window).await;
            if let Err(e) = a.and(i) {
                tracing::warn!(error = %e, "shared login limit unavailable");
            }
        }
        // Counted here too, so the limit holds while Redis does not answer.
        let now = Instant::now();
        let bump = |map: &DashMap<String, (u32, Instant)>, key: String| {
            let mut e = map.entry(key).or_insert((0, now));
            if now.duration_since(e.1) >= self.window {
                *e = (0, now);
            }
            e.0 += 1;
        };
        bump(&self.accounts, account.to_ascii_lowercase());
        bump(&self.ips, ip.to_string());
    }

    /// Forgets the accounts and addresses whose window has ended.
    pub fn prune(&self) {
        let now = Instant::now();
        self.accounts
            .retain(|_, e| now.duration_since(e.1) < self.window);
        self.ips
            .retain(|_, e| now.duration_since(e.1) < self.window);
    }

    /// Accounts and addresses this process tracks.
    pub fn tracked(&self) -> usize {
        self.accounts.len() + self.ips.len()
    }

    /// A successful login clears the account's failures (not the address's).
    pub async fn record_success(&self, account: &str) {
        if let Some(shared) = &self.shared
            && let Err(e) = shared.clear(&account_key(account)).await
        {
            tracing::warn!(error = %e, "shared login limit unavailable");
        }
        self.accounts.remove(&account.to_ascii_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ended_windows_are_forgotten() {
        let l = LoginLimiter::new(Duration::from_nanos(1), 5, 50);
        for i in 0..10_000 {
            l.record_failure(
                &format!("user{i}@x"),
                &format!("10.0.{}.{}", i / 256, i % 256),
            )
            .await;
        }
        assert_eq!(l.tracked(), 20_000);
        l.prune();
        assert_eq!(l.tracked(), 0);
        let kept = LoginLimiter::new(Duration::from_secs(900), 5, 50);
        kept.record_failure("a@x", "1.1.1.1").await;
        kept.prune();
        assert_eq!(kept.tracked(), 2);
    }

    #[tokio::test]
    async fn locks_after_max_failures_per_account_and_per_ip() {
        let l = LoginLimiter::new(Duration::from_secs(900), 3, 5);
        for _ in 0..3 {
            assert!(l.check("a@x", "1.1.1.1").await.is_none());
            l.record_failure("a@x", "1.1.1.1").await;
        }
        assert!(
            l.check("A@X", "2.2.2.2").await.is_some(),
            "account locked from any address"
        );
        assert!(
            l.check("b@x", "1.1.1.1").await.is_none(),
            "address still under its own limit"
        );
        l.record_failure("b@x", "1.1.1.1").await;
        l.record_failure("c@x", "1.1.1.1").await;
        assert!(
            l.check("d@x", "1.1.1.1").await.is_some(),
            "address locked after 5 failures"
        );
    }
}
