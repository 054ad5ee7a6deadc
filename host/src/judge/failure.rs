//! How a judge call can fail, from the host's side, and the checks the host
//! applies to every verdict before it counts.
//!
//! Invariant: a guest-reported problem (`judge-error`) and a host-imposed stop
//! (trap, deadline, invalid output) are never confused: the first is a value
//! the judge returned, the second a `Failure` with the kind that stopped it.

use std::fmt;

use wasmtime::Trap;

use super::limits::Limits;
use super::state::MemoryLimitExceeded;

/// Why the host stopped (or refused the output of) a judge call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FailureKind {
    /// Used up its fuel: a loop, or far more work than the row warrants.
    Fuel,
    /// Passed the wall-clock deadline (including time waiting in host calls).
    Timeout,
    /// Tried to grow linear memory past its cap.
    Memory,
    /// Exhausted the wasm stack (deep recursion).
    Stack,
    /// Panicked or hit `unreachable`.
    Panic,
    /// Returned something the host rejects: a NaN/out-of-range score, an
    /// over-long label or details, or the wrong number of verdicts.
    InvalidOutput,
    /// Any other trap (out-of-bounds access, bad cast, ...).
    Trap,
}

impl FailureKind {
    pub const ALL: [FailureKind; 7] = [
        FailureKind::Fuel,
        FailureKind::Timeout,
        FailureKind::Memory,
        FailureKind::Stack,
        FailureKind::Panic,
        FailureKind::InvalidOutput,
        FailureKind::Trap,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Fuel => "fuel",
            FailureKind::Timeout => "timeout",
            FailureKind::Memory => "memory",
            FailureKind::Stack => "stack",
            FailureKind::Panic => "panic",
            FailureKind::InvalidOutput => "invalid_output",
            FailureKind::Trap => "trap",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
        }
    }

    /// Names the failure behind a wasmtime error: the trap code where there is
    /// one, the limiter's refusal for memory.
    pub fn from_error(err: &wasmtime::Error) -> Failure {
        if let Some(m) = err.downcast_ref::<MemoryLimitExceeded>() {
            return Failure::new(FailureKind::Memory, m.to_string());
        }
        let kind = match err.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => FailureKind::Fuel,
            Some(Trap::StackOverflow) => FailureKind::Stack,
            Some(Trap::UnreachableCodeReached) => FailureKind::Panic,
            Some(Trap::Interrupt) => FailureKind::Timeout,
            _ => FailureKind::Trap,
        };
        // The trap itself ("wasm `unreachable` instruction executed"), not the
        // "error while executing at wasm backtrace:" context wrapped around it;
        // the backtrace is of use only to the judge's author (see `--judge-log`).
        let text = match err.downcast_ref::<Trap>() {
            Some(trap) => trap.to_string(),
            None => err.root_cause().to_string(),
        };
        let mut message: String = text.lines().next().unwrap_or("trap").chars().take(512).collect();
        if message.is_empty() {
            message = kind.as_str().to_owned();
        }
        Failure::new(kind, message)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

/// A verdict the host accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub score: Option<f64>,
    pub label: Option<String>,
    pub passed: bool,
    pub details: Option<String>,
}

/// What one row got from one judge.
#[derive(Debug, Clone, PartialEq)]
pub enum RowResult {
    Verdict(Verdict),
    /// The judge itself said it could not score the row (`judge-error`).
    JudgeError {
        kind: &'static str,
        message: String,
    },
    /// The host stopped the judge or rejected its output.
    Failed(Failure),
}

impl RowResult {
    pub fn passed(&self) -> bool {
        matches!(self, RowResult::Verdict(v) if v.passed)
    }
}

/// Applies the host's output rules to one verdict.
pub fn check_verdict(v: super::bindings::types::Verdict, limits: &Limits) -> Result<Verdict, Failure> {
    if let Some(s) = v.score
        && (!s.is_finite() || !(0.0..=1.0).contains(&s))
    {
        return Err(Failure::new(
            FailureKind::InvalidOutput,
            format!("score {s} is not a number within [0, 1]"),
        ));
    }
    if let Some(l) = &v.label
        && l.len() > limits.max_label_bytes
    {
        return Err(Failure::new(
            FailureKind::InvalidOutput,
            format!("label is {} bytes; the limit is {}", l.len(), limits.max_label_bytes),
        ));
    }
    if let Some(d) = &v.details
        && d.len() > limits.max_details_bytes
    {
        return Err(Failure::new(
            FailureKind::InvalidOutput,
            format!(
                "details are {} bytes; the limit is {}",
                d.len(),
                limits.max_details_bytes
            ),
        ));
    }
    Ok(Verdict {
        score: v.score,
        label: v.label,
        passed: v.passed,
        details: v.details,
    })
}

/// A guest-reported error as (kind, message).
pub fn judge_error(e: super::bindings::types::JudgeError) -> RowResult {
    use super::bindings::types::JudgeError as E;
    let (kind, message) = match e {
        E::InvalidInput(m) => ("invalid_input", m),
        E::Unsupported(m) => ("unsupported", m),
        E::Config(m) => ("config", m),
        E::Failed(m) => ("failed", m),
    };
    RowResult::JudgeError { kind, message }
}
