//! The guest-facing side of `assay:llm/llm.chat`: the per-store slot that
//! answers a call (the store's state forwards the import here), plus the
//! bookkeeping it needs.
//!
//! Invariant: calls are only counted against a row of the `score-batch` call in
//! progress, at most `calls-per-row` per row; time spent in a call is added to
//! `waited`, which the instance adds back to the judge's compute deadline.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::access::{Ask, LlmAccess};
use crate::judge::bindings::llm::{ChatRequest, ChatResponse, LlmError};

/// A store's link to the capability.
#[derive(Default)]
pub struct LlmSlot {
    /// `None` for judges the policy did not grant (they cannot import `llm`
    /// anyway: load refuses them).
    pub access: Option<Arc<LlmAccess>>,
    /// Calls made per row of the current `score-batch` call; empty outside one.
    calls: Vec<u32>,
    /// Time spent waiting on the capability during the current call.
    pub waited: Arc<WaitClock>,
}

/// A stopwatch for time spent in capability calls, readable while a wait is
/// still running (the deadline check runs concurrently with the wait).
#[derive(Debug)]
pub struct WaitClock {
    base: Instant,
    /// Nanoseconds of finished waits.
    done: AtomicU64,
    /// Start of the running wait as nanoseconds after `base`, plus one; 0 when idle.
    since: AtomicU64,
}

impl Default for WaitClock {
    fn default() -> Self {
        WaitClock {
            base: Instant::now(),
            done: AtomicU64::new(0),
            since: AtomicU64::new(0),
        }
    }
}

impl WaitClock {
    fn now(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX - 1) + 1
    }

    fn reset(&self) {
        self.done.store(0, Ordering::Relaxed);
        self.since.store(0, Ordering::Relaxed);
    }

    fn start(&self) {
        self.since.store(self.now(), Ordering::Relaxed);
    }

    fn stop(&self) {
        let since = self.since.swap(0, Ordering::Relaxed);
        if since != 0 {
            self.done.fetch_add(self.now().saturating_sub(since), Ordering::Relaxed);
        }
    }

    /// Finished waits plus the running one so far.
    pub fn waited(&self) -> Duration {
        let since = self.since.load(Ordering::Relaxed);
        let running = if since == 0 {
            0
        } else {
            self.now().saturating_sub(since)
        };
        Duration::from_nanos(self.done.load(Ordering::Relaxed).saturating_add(running))
    }
}

impl LlmSlot {
    /// Opens the per-row counters for a `score-batch` call of `rows` rows.
    pub fn begin_chunk(&mut self, rows: usize) {
        self.calls.clear();
        self.calls.resize(rows, 0);
        self.waited.reset();
    }

    pub fn end_chunk(&mut self) {
        self.calls.clear();
    }

    /// Counts one call against `row`, refusing past the grant.
    fn charge_row(&mut self, row: u32, per_row: u32) -> Result<(), LlmError> {
        let rows = self.calls.len();
        let Some(n) = self.calls.get_mut(row as usize) else {
            return Err(LlmError::RowLimit(if rows == 0 {
                "llm calls are only allowed while rows are being scored".into()
            } else {
                format!("row {row} is not in this batch of {rows} rows")
            }));
        };
        if *n >= per_row {
            return Err(LlmError::RowLimit(format!(
                "row {row} already made {n} call(s); the grant allows {per_row} per row"
            )));
        }
        *n += 1;
        Ok(())
    }
}

impl LlmSlot {
    /// Answers one `chat` import call from this store's judge.
    pub async fn chat(&mut self, request: ChatRequest) -> Result<ChatResponse, LlmError> {
        let Some(access) = self.access.clone() else {
            return Err(LlmError::NotGranted(
                "the policy grants this judge no LLM access".into(),
            ));
        };
        let result = async {
            let messages: Vec<(String, String)> = request.messages.into_iter().map(|m| (m.role, m.content)).collect();
            let model = access.check(&request.model, &messages, request.max_tokens)?;
            let temperature = request.temperature.unwrap_or(0.0);
            if !temperature.is_finite() || !(0.0..=2.0).contains(&temperature) {
                return Err(LlmError::InvalidRequest(format!(
                    "temperature {temperature} is outside 0..=2"
                )));
            }
            self.charge_row(request.row, access.grant.calls_per_row)?;
            self.waited.start();
            let answer = access
                .chat(Ask {
                    model,
                    messages,
                    max_tokens: request.max_tokens,
                    temperature,
                    json: request.json,
                })
                .await;
            self.waited.stop();
            let (a, cached) = answer?;
            Ok(ChatResponse {
                content: a.content,
                model: a.model,
                input_tokens: a.input_tokens,
                output_tokens: a.output_tokens,
                cached,
            })
        }
        .await;
        if let Err(d) = &result {
            access.record_error(d);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_clock_counts_running_and_finished_waits() {
        let c = WaitClock::default();
        assert_eq!(c.waited(), Duration::ZERO);
        c.start();
        std::thread::sleep(Duration::from_millis(5));
        assert!(c.waited() >= Duration::from_millis(5));
        c.stop();
        let w = c.waited();
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(c.waited(), w, "idle time is not waiting");
        c.reset();
        assert_eq!(c.waited(), Duration::ZERO);
    }

    #[test]
    fn calls_outside_a_chunk_or_past_the_row_cap_are_refused() {
        let mut slot = LlmSlot::default();
        assert!(matches!(slot.charge_row(0, 1), Err(LlmError::RowLimit(m)) if m.contains("only allowed")));
        slot.begin_chunk(2);
        slot.charge_row(1, 1).expect("first call");
        assert!(matches!(slot.charge_row(1, 1), Err(LlmError::RowLimit(m)) if m.contains("already made 1")));
        assert!(matches!(slot.charge_row(2, 1), Err(LlmError::RowLimit(m)) if m.contains("not in this batch")));
        slot.charge_row(0, 1).expect("other row");
        slot.end_chunk();
        assert!(slot.charge_row(0, 1).is_err());
    }
}
