//! A judge's run-level budget: how many rows the host may stop, and how much
//! wall-clock time its calls may take, over the whole run, across workers.
//!
//! Invariant: every host-imposed failure (trap, timeout, invalid output) and
//! every call's duration is counted the moment it happens, by whichever worker
//! saw it, so the judge is stopped as soon as its ceiling is certain instead of
//! when a block of rows comes back. Time spent waiting on the `llm` capability
//! is not the judge's: it is bounded by the grant.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Why a judge was stopped before the run ended.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BudgetExceeded {
    #[error(
        "was stopped by the host on {failed} rows, more than the allowed {allowed} ({}% of {rows} rows); first: {first}",
        rate * 100.0
    )]
    Failures {
        failed: u64,
        allowed: u64,
        rate: f64,
        rows: u64,
        first: String,
    },
    #[error(
        "was stopped: its calls took {} s in all, past the policy's run-budget-s of {} s",
        spent.as_secs(),
        budget.as_secs()
    )]
    Time { spent: Duration, budget: Duration },
}

/// Shared by every `Scorer` of one judge (one per worker).
#[derive(Debug)]
pub struct RunBudget {
    allowed: u64,
    rate: f64,
    rows: u64,
    failed: AtomicU64,
    time: Duration,
    spent_ns: AtomicU64,
    first: std::sync::Mutex<Option<FirstFailure>>,
}

/// The first row the host stopped for a judge, by time.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstFailure {
    /// "row ID: kind: reason".
    pub text: String,
    /// The row's id (one visible line).
    pub id: String,
    /// The rows of the call it failed in, as lines of `assay judge test
    /// --rows` (`repro.rs`), each ending in a newline: the row alone when it
    /// failed on its own, the whole chunk when the chunk failed as one (a
    /// wrong verdict count), so scoring them in one call fails the same way.
    pub rows: String,
    /// How many rows `rows` holds.
    pub call_rows: usize,
}

impl RunBudget {
    /// A run of `rows` submitted rows may see `floor(rate × rows)` of them
    /// stopped by the host, and `time` of calls in all.
    pub fn new(rate: f64, rows: u64, time: Duration) -> RunBudget {
        let allowed = (rate.clamp(0.0, 1.0) * rows as f64).floor() as u64;
        RunBudget {
            allowed,
            rate,
            rows,
            failed: AtomicU64::new(0),
            time,
            spent_ns: AtomicU64::new(0),
            first: std::sync::Mutex::new(None),
        }
    }

    /// Counts `n` host-imposed failures; `what` describes the first one.
    pub fn record_failures(&self, n: u64, what: impl FnOnce() -> FirstFailure) {
        if n == 0 {
            return;
        }
        if let Ok(mut first) = self.first.lock()
            && first.is_none()
        {
            *first = Some(what());
        }
        self.failed.fetch_add(n, Ordering::Relaxed);
    }

    /// The first row stopped, with the line that replays it.
    pub fn first_failure(&self) -> Option<FirstFailure> {
        self.first.lock().ok().and_then(|f| f.clone())
    }

    /// Counts time spent in one of the judge's calls.
    pub fn record_time(&self, spent: Duration) {
        let ns = u64::try_from(spent.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .spent_ns
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| Some(t.saturating_add(ns)));
    }

    /// `Err` once the judge is certain to fail its run: more rows stopped than
    /// allowed, or its time spent.
    pub fn check(&self) -> Result<(), BudgetExceeded> {
        let failed = self.failed.load(Ordering::Relaxed);
        if failed > self.allowed {
            let first = self.first_failure().map(|f| f.text).unwrap_or_default();
            return Err(BudgetExceeded::Failures {
                failed,
                allowed: self.allowed,
                rate: self.rate,
                rows: self.rows,
                first,
            });
        }
        let spent = Duration::from_nanos(self.spent_ns.load(Ordering::Relaxed));
        if spent > self.time {
            return Err(BudgetExceeded::Time {
                spent,
                budget: self.time,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
