//! One granted judge's share of the capability: its grant, its token budget,
//! its concurrency cap and its counters, shared by every instance of the judge.
//!
//! Invariant: `committed` (tokens spent plus tokens reserved by calls in
//! flight) never passes the grant's budget: a call reserves its worst case
//! before it is made and settles to the real count after.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::cache::{CacheKey, CachedAnswer, ResponseCache};
use super::endpoint::{Call, CallError, Endpoint, WireMessage};
use super::grant::Grant;

/// What a judge's calls did over the run.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LlmStats {
    /// Calls answered by the endpoint.
    pub calls: u64,
    /// Calls answered from the response cache (no tokens spent).
    pub cached: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Refused or failed calls by `llm-error` kind.
    pub errors: BTreeMap<&'static str, u64>,
}

/// Refusals and failures are the WIT `llm-error` itself: what the guest receives
/// is what the counters count, with nothing mapping between twins.
pub use crate::judge::bindings::llm::LlmError;

/// A request after the row check, with the model resolved.
pub struct Ask<'a> {
    pub model: &'a str,
    pub messages: Vec<(String, String)>,
    pub max_tokens: u32,
    pub temperature: f32,
    pub json: bool,
}

pub struct LlmAccess {
    pub judge: String,
    pub grant: Grant,
    endpoint: Option<Arc<Endpoint>>,
    cache: Option<ResponseCache>,
    permits: tokio::sync::Semaphore,
    committed: AtomicU64,
    stats: Mutex<LlmStats>,
}

/// Largest request the host forwards: far above any pairwise prompt, small
/// enough that a judge cannot make the host buffer megabytes per call.
const MAX_REQUEST_BYTES: usize = 256 * 1024;

impl LlmAccess {
    pub fn new(judge: &str, grant: Grant, endpoint: Option<Arc<Endpoint>>, cache: Option<ResponseCache>) -> Self {
        let permits = tokio::sync::Semaphore::new(grant.concurrency as usize);
        LlmAccess {
            judge: judge.to_owned(),
            grant,
            endpoint,
            cache,
            permits,
            committed: AtomicU64::new(0),
            stats: Mutex::new(LlmStats::default()),
        }
    }

    pub fn stats(&self) -> LlmStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn record_error(&self, d: &LlmError) {
        if let Ok(mut s) = self.stats.lock() {
            *s.errors.entry(d.kind()).or_default() += 1;
        }
    }

    /// Checks the model and the request's size, before any row is charged.
    pub fn check<'a>(
        &'a self,
        model: &'a str,
        messages: &[(String, String)],
        max_tokens: u32,
    ) -> Result<&'a str, LlmError> {
        let Some(model) = self.grant.resolve_model(model) else {
            return Err(LlmError::ModelNotAllowed(format!(
                "model '{model}' is not granted to '{}'; allowed: {}",
                self.judge,
                self.grant.models.join(", ")
            )));
        };
        if messages.is_empty() {
            return Err(LlmError::InvalidRequest(
                "a chat request needs at least one message".into(),
            ));
        }
        let bytes: usize = messages.iter().map(|(r, c)| r.len() + c.len()).sum();
        if bytes > MAX_REQUEST_BYTES {
            return Err(LlmError::InvalidRequest(format!(
                "the request is {bytes} bytes, above the host's {MAX_REQUEST_BYTES}"
            )));
        }
        if max_tokens == 0 || max_tokens > self.grant.max_tokens_per_call {
            return Err(LlmError::InvalidRequest(format!(
                "max-tokens {max_tokens} must be within 1..={}",
                self.grant.max_tokens_per_call
            )));
        }
        Ok(model)
    }

    /// Answers from the cache, or reserves budget, waits for a permit and calls.
    pub async fn chat(&self, ask: Ask<'_>) -> Result<(CachedAnswer, bool), LlmError> {
        let key = CacheKey {
            model: ask.model,
            messages: &ask.messages,
            max_tokens: ask.max_tokens,
            temperature: ask.temperature,
            json: ask.json,
        }
        .hash();
        if let Some(hit) = self.cache.as_ref().and_then(|c| c.get(&key)) {
            if let Ok(mut s) = self.stats.lock() {
                s.cached += 1;
            }
            return Ok((hit, true));
        }
        let Some(endpoint) = &self.endpoint else {
            return Err(LlmError::NotGranted(
                "this run has no --judge-endpoint, and the answer is not cached".into(),
            ));
        };
        let reserve = estimate_tokens(&ask.messages) + u64::from(ask.max_tokens);
        self.reserve(reserve)?;
        let answer = {
            let Ok(_permit) = self.permits.acquire().await else {
                self.release(reserve, 0);
                return Err(LlmError::Endpoint("the capability is shutting down".into()));
            };
            let wire: Vec<WireMessage<'_>> = ask
                .messages
                .iter()
                .map(|(role, content)| WireMessage { role, content })
                .collect();
            let call = Call {
                model: ask.model,
                messages: &wire,
                max_tokens: ask.max_tokens,
                temperature: ask.temperature,
                json: ask.json,
            };
            endpoint.chat(&call, self.grant.timeout).await
        };
        match answer {
            Ok(a) => {
                // An endpoint that reports no usage is charged its reservation.
                let spent = match a.input_tokens + a.output_tokens {
                    0 => reserve,
                    n => n,
                };
                self.release(reserve, spent);
                if let Ok(mut s) = self.stats.lock() {
                    s.calls += 1;
                    s.input_tokens += a.input_tokens;
                    s.output_tokens += a.output_tokens;
                }
                if let Some(cache) = &self.cache {
                    let _ = cache.put(&key, &a);
                }
                Ok((a, false))
            }
            Err(e) => {
                self.release(reserve, 0);
                Err(match e {
                    CallError::Timeout(t) => LlmError::Timeout(format!("no answer within {} ms", t.as_millis())),
                    CallError::Endpoint(m) => LlmError::Endpoint(m),
                })
            }
        }
    }

    fn reserve(&self, tokens: u64) -> Result<(), LlmError> {
        let budget = self.grant.token_budget;
        self.committed
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| {
                c.checked_add(tokens).filter(|&n| n <= budget)
            })
            .map(|_| ())
            .map_err(|c| {
                LlmError::BudgetExhausted(format!(
                    "this call may need {tokens} tokens; {c} of the run's {budget} are spent or reserved"
                ))
            })
    }

    fn release(&self, reserved: u64, spent: u64) {
        let _ = self.committed.fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| {
            Some(c.saturating_sub(reserved).saturating_add(spent))
        });
    }
}

/// A deliberately high estimate of prompt tokens (a token is rarely under 3
/// bytes), so reservations err towards refusing rather than overspending.
fn estimate_tokens(messages: &[(String, String)]) -> u64 {
    messages.iter().map(|(_, c)| c.len() as u64 / 3 + 4).sum::<u64>() + 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(budget: u64) -> LlmAccess {
        let grant = Grant {
            sha256: None,
            models: vec!["m".into()],
            calls_per_row: 1,
            token_budget: budget,
            concurrency: 1,
            timeout: std::time::Duration::from_secs(1),
            max_tokens_per_call: 100,
            usd_per_mtok_input: None,
            usd_per_mtok_output: None,
        };
        LlmAccess::new("j", grant, None, None)
    }

    #[test]
    fn reservation_past_budget_is_refused_and_settles_to_spent() {
        let a = access(100);
        a.reserve(60).expect("fits");
        assert!(matches!(a.reserve(50), Err(LlmError::BudgetExhausted(_))));
        a.release(60, 10);
        a.reserve(90).expect("fits after settling");
        assert!(a.reserve(1).is_err());
    }

    #[test]
    fn model_and_size_checks_come_back_as_denials() {
        let a = access(100);
        let msgs = vec![("user".to_owned(), "hi".to_owned())];
        assert!(matches!(a.check("other", &msgs, 10), Err(LlmError::ModelNotAllowed(_))));
        assert!(matches!(a.check("", &[], 10), Err(LlmError::InvalidRequest(_))));
        assert!(matches!(a.check("m", &msgs, 101), Err(LlmError::InvalidRequest(_))));
        assert!(matches!(a.check("", &msgs, 10), Ok("m")));
    }
}
