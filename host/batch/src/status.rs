//! Provider-neutral row outcomes: status, flags, error kinds, retry policy and
//! token usage.
//!
//! Invariant: every row ends in exactly one [`Status`]; `Status::ALL` lists
//! them in `index()` order, so `[u64; 8]` count arrays index by status.
//! Token sums saturate instead of overflowing.

use std::fmt;
use std::ops::AddAssign;

/// The one final status of a submitted row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Status {
    Completed,
    ProviderError,
    ContentFilter,
    Timeout,
    Expired,
    Canceled,
    RetryExhausted,
    Missing,
}

impl Status {
    /// All statuses in `index()` order.
    pub const ALL: [Status; 8] = [
        Status::Completed,
        Status::ProviderError,
        Status::ContentFilter,
        Status::Timeout,
        Status::Expired,
        Status::Canceled,
        Status::RetryExhausted,
        Status::Missing,
    ];

    /// snake_case name used in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::ProviderError => "provider_error",
            Status::ContentFilter => "content_filter",
            Status::Timeout => "timeout",
            Status::Expired => "expired",
            Status::Canceled => "canceled",
            Status::RetryExhausted => "retry_exhausted",
            Status::Missing => "missing",
        }
    }

    /// Position in [`Status::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Inverse of [`Status::index`].
    pub fn from_index(i: usize) -> Option<Status> {
        Status::ALL.get(i).copied()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Row flags, orthogonal to the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u8);

impl Flags {
    /// The model stopped at its token limit (`finish_reason: "length"`).
    pub const TRUNCATED: Flags = Flags(1);
    /// Completed only after a resubmission.
    pub const RETRIED: Flags = Flags(2);
    /// The provider returned two different results for the row in one attempt.
    pub const SILENTLY_RETRIED: Flags = Flags(4);
    /// The provider returned the identical result line twice.
    pub const DUPLICATE: Flags = Flags(8);
    /// Every flag with its report name, in bit order.
    pub const ALL: [(Flags, &'static str); 4] = [
        (Flags::TRUNCATED, "truncated"),
        (Flags::RETRIED, "retried"),
        (Flags::SILENTLY_RETRIED, "silently_retried"),
        (Flags::DUPLICATE, "duplicate"),
    ];

    /// The flags of `bits`, or `None` when a bit is set that is no flag.
    pub const fn from_bits(bits: u8) -> Option<Flags> {
        match bits & !0b1111 {
            0 => Some(Flags(bits)),
            _ => None,
        }
    }
    pub const fn empty() -> Flags {
        Flags(0)
    }
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
    pub fn insert(&mut self, other: Flags) {
        self.0 |= other.0;
    }
    /// Names of the flags that are set, in bit order.
    pub fn names(self) -> Vec<&'static str> {
        Flags::ALL
            .iter()
            .filter(|(f, _)| self.contains(*f))
            .map(|(_, n)| *n)
            .collect()
    }
}

/// Sub-kind of a provider error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ErrorKind {
    RateLimit,
    ServerError,
    InvalidRequest,
    /// Anything a provider reports that is none of the above.
    Other,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 4] = [
        ErrorKind::RateLimit,
        ErrorKind::ServerError,
        ErrorKind::InvalidRequest,
        ErrorKind::Other,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::RateLimit => "rate_limit",
            ErrorKind::ServerError => "server_error",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::Other => "other",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A retry-policy string named an outcome that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown retryable outcome {name:?} (known: {})", RetryPolicy::NAMES.join(", "))]
pub struct PolicyError {
    pub name: String,
}

/// Which outcomes count as retryable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    bits: u8,
}

impl RetryPolicy {
    /// Outcome names accepted by [`RetryPolicy::parse`], in bit order.
    pub const NAMES: [&'static str; 8] = [
        "rate_limit",
        "server_error",
        "invalid_request",
        "other",
        "timeout",
        "expired",
        "content_filter",
        "canceled",
    ];

    /// No outcome is retryable.
    pub const fn none() -> Self {
        RetryPolicy { bits: 0 }
    }

    /// Parses a comma-separated list such as `"rate_limit,server_error,expired"`.
    /// Whitespace around names is ignored; `""` or `"none"` means nothing is retryable.
    pub fn parse(s: &str) -> Result<Self, PolicyError> {
        let mut bits = 0u8;
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name == "none" {
                continue;
            }
            let name = if name == "cancelled" { "canceled" } else { name };
            let pos = RetryPolicy::NAMES
                .iter()
                .position(|n| *n == name)
                .ok_or_else(|| PolicyError { name: name.into() })?;
            bits |= 1 << pos;
        }
        Ok(RetryPolicy { bits })
    }

    fn bit(status: Status, kind: Option<ErrorKind>) -> Option<u8> {
        let pos = match status {
            Status::ProviderError => match kind.unwrap_or(ErrorKind::Other) {
                ErrorKind::RateLimit => 0,
                ErrorKind::ServerError => 1,
                ErrorKind::InvalidRequest => 2,
                ErrorKind::Other => 3,
            },
            Status::Timeout => 4,
            Status::Expired => 5,
            Status::ContentFilter => 6,
            Status::Canceled => 7,
            Status::Completed | Status::RetryExhausted | Status::Missing => return None,
        };
        Some(1 << pos)
    }

    /// Whether a row that ended with this outcome may be resubmitted.
    pub fn is_retryable(&self, status: Status, kind: Option<ErrorKind>) -> bool {
        RetryPolicy::bit(status, kind).is_some_and(|b| self.bits & b != 0)
    }

    /// Names of the retryable outcomes, in bit order.
    pub fn names(&self) -> Vec<&'static str> {
        (0..8)
            .filter(|i| self.bits & (1 << i) != 0)
            .map(|i| RetryPolicy::NAMES[i])
            .collect()
    }
}

impl Default for RetryPolicy {
    /// rate_limit, server_error and expired are retryable.
    fn default() -> Self {
        RetryPolicy { bits: 0b10_0011 }
    }
}

impl fmt::Display for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

/// Token usage of one row (or a sum). `input` includes `cached_input`, as
/// OpenAI and Google report it. Addition saturates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    pub input: u64,
    pub output: u64,
    pub cached_input: u64,
    pub cache_write: u64,
    pub reasoning: u64,
}

impl AddAssign for Usage {
    fn add_assign(&mut self, o: Usage) {
        self.input = self.input.saturating_add(o.input);
        self.output = self.output.saturating_add(o.output);
        self.cached_input = self.cached_input.saturating_add(o.cached_input);
        self.cache_write = self.cache_write.saturating_add(o.cache_write);
        self.reasoning = self.reasoning.saturating_add(o.reasoning);
    }
}

#[cfg(test)]
mod tests;
