//! Failed-login limits per account and per client address (the legacy limiter keyed only on
//! the proxy's IP, locking everyone out at once, 8.1.12). Counters live in this process; with
//! several API instances each keeps its own, which only makes the limit stricter per instance.

use dashmap::DashMap;
use std::time::{Duration, Instant};

pub struct LoginLimiter {
    window: Duration,
    max_per_account: u32,
    max_per_ip: u32,
    accounts: DashMap<String, (u32, Instant)>,
    ips: DashMap<String, (u32, Instant)>,
}

impl LoginLimiter {
    pub fn new(window: Duration, max_per_account: u32, max_per_ip: u32) -> Self {
        LoginLimiter {
            window,
            max_per_account,
            max_per_ip,
            accounts: DashMap::new(),
            ips: DashMap::new(),
        }
    }

    /// `Some(retry_after)` when either key is over its limit.
    pub fn check(&self, account: &str, ip: &str) -> Option<Duration> {
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

    pub fn record_failure(&self, account: &str, ip: &str) {
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

    /// A successful login clears the account's failures (not the address's).
    pub fn record_success(&self, account: &str) {
        self.accounts.remove(&account.to_ascii_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_per_account_and_per_ip() {
        let l = LoginLimiter::new(Duration::from_secs(900), 3, 5);
        for _ in 0..3 {
            assert!(l.check("a@x", "1.1.1.1").is_none());
            l.record_failure("a@x", "1.1.1.1");
        }
        assert!(
            l.check("A@X", "2.2.2.2").is_some(),
            "account locked from any address"
        );
        assert!(
            l.check("b@x", "1.1.1.1").is_none(),
            "address still under its own limit"
        );
        l.record_failure("b@x", "1.1.1.1");
        l.record_failure("c@x", "1.1.1.1");
        assert!(
            l.check("d@x", "1.1.1.1").is_some(),
            "address locked after 5 failures"
        );
    }
}
