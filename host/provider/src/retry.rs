//! When to retry and how long to wait.
//!
//! Invariant: a wait is never longer than the policy's caps: `Retry-After`
//! (seconds or an HTTP-date) is honoured up to `retry_after_cap`; without it
//! the wait is full-jitter exponential backoff up to `cap`.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first backoff ceiling; it doubles per attempt.
    pub base: Duration,
    /// The largest backoff without `Retry-After`.
    pub cap: Duration,
    /// The largest wait a `Retry-After` header may ask for.
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            retry_after_cap: Duration::from_secs(120),
        }
    }
}

/// Statuses worth another attempt: timeouts, rate limits, server errors,
/// Anthropic's 529 overloaded.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504 | 529)
}

/// `Retry-After` as a duration from `now`: delta-seconds or an HTTP-date
/// (a date in the past means "now").
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (attempt counts from 0).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(d) = retry_after {
            return d.min(self.retry_after_cap);
        }
        let ceiling = self.base.saturating_mul(1u32 << attempt.min(16)).min(self.cap);
        let ms = ceiling.as_millis().min(u128::from(u64::MAX)) as u64;
        Duration::from_millis(fastrand::u64(ms / 2..=ms.max(1)))
    }
}

#[cfg(test)]
mod tests;
