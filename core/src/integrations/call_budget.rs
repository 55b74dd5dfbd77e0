//! How many calls a paid provider may take, and how many at once: Gemini's quota is per
//! project, so ten workers pricing a 1,000-order import must share one budget instead of
//! each spending its own and meeting a wall of 429s. The budget is a fixed window counted
//! in Redis when the deployment has one ([`crate::shared_counters`], shared by every API
//! and worker) and in this process otherwise (the embedded single-process setup).
//!
//! A call over budget is not made: the advisor answers `RateLimited` with the time until
//! the window ends, which a queued job turns into a retry after that time and a person's
//! request into the rule-based answer, marked.

use super::advisor::{AdviceSource, AdvisorError, CreditAdvisor, CreditFacts};
use crate::config::Budget;
use crate::rules::credit::CreditAdvice;
use async_trait::async_trait;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The shared counter of Gemini calls, one for the deployment.
pub const GEMINI_BUDGET_KEY: &str = "gemini:calls";

/// Where the window is counted.
enum Counter {
    Local(Mutex<Option<(Instant, u32)>>),
    #[cfg(feature = "redis")]
    Shared {
        counters: crate::shared_counters::SharedCounters,
        key: String,
    },
}

/// A fixed-window call budget.
pub struct CallBudget {
    budget: Budget,
    counter: Counter,
}

impl CallBudget {
    /// Counted in this process.
    pub fn local(budget: Budget) -> CallBudget {
        CallBudget {
            budget,
            counter: Counter::Local(Mutex::new(None)),
        }
    }

    /// Counted in Redis under `key`, shared by every process that uses the same key.
    #[cfg(feature = "redis")]
    pub fn shared(
        budget: Budget,
        counters: crate::shared_counters::SharedCounters,
        key: &str,
    ) -> CallBudget {
        CallBudget {
            budget,
            counter: Counter::Shared {
                counters,
                key: key.to_string(),
            },
        }
    }

    /// Takes one call, or says how long until the window has room again. A Redis that
    /// cannot be reached lets the call through (the provider's own 429 still protects it):
    /// a counting outage must not stop credit control.
    pub async fn take(&self) -> Result<(), Duration> {
        match &self.counter {
            Counter::Local(window) => {
                let now = Instant::now();
                let mut w = window.lock().unwrap_or_else(|p| p.into_inner());
                let (start, used) = match *w {
                    Some((start, used)) if now.duration_since(start) < self.budget.window => {
                        (start, used)
                    }
                    _ => (now, 0),
                };
                if used >= self.budget.max {
                    return Err(self.budget.window - now.duration_since(start));
                }
                *w = Some((start, used + 1));
                Ok(())
            }
            #[cfg(feature = "redis")]
            Counter::Shared { counters, key } => {
                match counters.hit(key, self.budget.window).await {
                    Ok(w) if w.count > u64::from(self.budget.max) => Err(w.remaining),
                    Ok(_) => Ok(()),
                    Err(e) => {
                        tracing::warn!(error = %e, "call budget not counted (Redis); letting the call through");
                        Ok(())
                    }
                }
            }
        }
    }
}

/// An advisor that spends the budget before each call and makes at most `concurrency` at
/// once.
pub struct BudgetedAdvisor<A> {
    inner: A,
    budget: CallBudget,
    slots: Semaphore,
}

impl<A: CreditAdvisor> BudgetedAdvisor<A> {
    pub fn new(inner: A, budget: CallBudget, concurrency: usize) -> Self {
        BudgetedAdvisor {
            inner,
            budget,
            slots: Semaphore::new(concurrency.max(1)),
        }
    }
}

#[async_trait]
impl<A: CreditAdvisor> CreditAdvisor for BudgetedAdvisor<A> {
    fn source(&self) -> AdviceSource {
        self.inner.source()
    }

    async fn advise(&self, facts: &CreditFacts) -> Result<CreditAdvice, AdvisorError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| AdvisorError::Unavailable("advisor shut down".into()))?;
        self.budget
            .take()
            .await
            .map_err(|wait| AdvisorError::RateLimited {
                retry_after: Some(wait),
            })?;
        self.inner.advise(facts).await
    }

    fn describe(&self) -> String {
        format!(
            "{} (at most {} calls per {} s)",
            self.inner.describe(),
            self.budget.budget.max,
            self.budget.budget.window.as_secs()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::advisor::RuleBasedAdvisor;
    use crate::model::{Customer, Order};
    use crate::types::Money;

    /// Two calls a minute: the third is refused without reaching the advisor, with the time
    /// left in the window, and is reported as Gemini's own 429 would be.
    #[tokio::test]
    async fn calls_over_the_budget_are_refused_with_the_wait() {
        let advisor = BudgetedAdvisor::new(
            RuleBasedAdvisor,
            CallBudget::local(Budget::per_minute(2)),
            1,
        );
        let customer: Customer =
            serde_json::from_value(serde_json::json!({"id": "C", "name": "C"})).unwrap();
        let facts = CreditFacts::new(&customer, &Order::new("O", "C"), Money::ZERO);
        assert!(advisor.advise(&facts).await.is_ok());
        assert!(advisor.advise(&facts).await.is_ok());
        let refused = advisor.advise(&facts).await.unwrap_err();
        let wait = refused.retry_after().expect("the wait");
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert!(refused.is_transient());
        assert!(advisor.describe().contains("at most 2 calls per 60 s"));
    }
}
