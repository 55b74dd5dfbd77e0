//! The five-minute answer cache of api.md §5.1, done so it cannot serve a stale verdict:
//! the key is the order and customer plus a fingerprint of every figure the advisor reads,
//! so a changed total, outstanding or limit asks again. Only answers of the wrapped (AI)
//! advisor are kept; a fallback is produced outside and never cached.

use super::advisor::{AdviceSource, AdvisorError, CreditAdvisor, CreditFacts};
use crate::rules::credit::CreditAdvice;
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long an answer is reused (the legacy TTL).
pub const TTL: Duration = Duration::from_secs(5 * 60);
/// Answers kept at most; the oldest go first.
const CAPACITY: u64 = 10_000;

pub struct CachedAdvisor<A> {
    inner: A,
    cache: moka::sync::Cache<String, CreditAdvice>,
}

impl<A: CreditAdvisor> CachedAdvisor<A> {
    pub fn new(inner: A) -> CachedAdvisor<A> {
        CachedAdvisor::with_ttl(inner, TTL)
    }

    pub fn with_ttl(inner: A, ttl: Duration) -> CachedAdvisor<A> {
        CachedAdvisor {
            inner,
            cache: moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(ttl)
                .build(),
        }
    }

    /// `credit-<orderId>-<sha256 of every fact, the customer's included>`.
    fn key(facts: &CreditFacts) -> String {
        let digest = Sha256::digest(format!("{facts:?}").as_bytes());
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        format!("credit-{}-{hex}", facts.order_id)
    }
}

#[async_trait]
impl<A: CreditAdvisor> CreditAdvisor for CachedAdvisor<A> {
    fn source(&self) -> AdviceSource {
        self.inner.source()
    }

    async fn advise(&self, facts: &CreditFacts) -> Result<CreditAdvice, AdvisorError> {
        let key = Self::key(facts);
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit);
        }
        let answer = self.inner.advise(facts).await?;
        self.cache.insert(key, answer.clone());
        Ok(answer)
    }

    fn describe(&self) -> String {
        format!(
            "{} (answers cached {} min)",
            self.inner.describe(),
            TTL.as_secs() / 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::advisor::RuleBasedAdvisor;
    use crate::model::{Customer, Order};
    use crate::types::Money;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Answers like the rules and counts the calls; fails when told to.
    #[derive(Default)]
    struct Counting {
        calls: AtomicUsize,
        fail: std::sync::atomic::AtomicBool,
    }

    #[async_trait]
    impl CreditAdvisor for Counting {
        fn source(&self) -> AdviceSource {
            AdviceSource::Gemini
        }
        async fn advise(&self, facts: &CreditFacts) -> Result<CreditAdvice, AdvisorError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.fail.load(Ordering::SeqCst) {
                return Err(AdvisorError::Timeout(Duration::from_secs(1)));
            }
            RuleBasedAdvisor.advise(facts).await
        }
        fn describe(&self) -> String {
            "counting".into()
        }
    }

    fn facts(total: i64) -> CreditFacts {
        let customer: Customer = serde_json::from_value(serde_json::json!({
            "id": "CUST-001", "name": "Acme", "creditLimit": 100000, "outstandingAmount": 20000
        }))
        .unwrap();
        let mut order: Order = serde_json::from_value(serde_json::json!({
            "id": "ORD-001", "customerId": "CUST-001", "status": "Pending Credit Approval"
        }))
        .unwrap();
        order.total = Money::from_rupees(total);
        CreditFacts::new(&customer, &order, Money::ZERO)
    }

    #[tokio::test]
    async fn the_same_facts_are_answered_once_and_changed_facts_ask_again() {
        let cached = CachedAdvisor::new(Counting::default());
        let a = cached.advise(&facts(5_000)).await.unwrap();
        let b = cached.advise(&facts(5_000)).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(cached.inner.calls.load(Ordering::SeqCst), 1);
        cached.advise(&facts(90_000)).await.unwrap();
        assert_eq!(
            cached.inner.calls.load(Ordering::SeqCst),
            2,
            "a new total asks again"
        );
    }

    #[tokio::test]
    async fn failures_are_not_cached() {
        let cached = CachedAdvisor::new(Counting::default());
        cached.inner.fail.store(true, Ordering::SeqCst);
        assert!(cached.advise(&facts(5_000)).await.is_err());
        cached.inner.fail.store(false, Ordering::SeqCst);
        assert!(cached.advise(&facts(5_000)).await.is_ok());
        assert_eq!(cached.inner.calls.load(Ordering::SeqCst), 2);
    }
}
