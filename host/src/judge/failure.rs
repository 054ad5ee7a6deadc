//! How a judge call can fail, from the host's side, and the checks the host
//! applies to every verdict before it counts.
//!
//! Invariant: a guest-reported problem (`judge-error`) and a host-imposed stop
//! (trap, deadline, invalid output) are never confused: the first is a value
//! the judge returned, the second a `Failure` with the kind that stopped it.

use std::fmt;

use wasmtime::Trap;

use super::bindings::types::{Alarm, Descriptor, Report};
use super::limits::{Limits, MAX_ALARM_MESSAGE_BYTES, MAX_JUDGE_MESSAGE_BYTES, MAX_REPORT_ITEMS};
use super::state::MemoryLimitExceeded;
use super::text::{
    MAX_DESCRIPTION_BYTES, MAX_NAME_BYTES, is_alarm_kind, is_config_key, is_judge_name, is_metric_name, is_version,
    one_line,
};

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
    /// one, the limiter's refusal for memory. The message leads with the trap
    /// itself ("wasm `unreachable` instruction executed") and keeps the whole
    /// error chain after it, joined by ` | ` (the wasm backtrace, host
    /// context), as one escaped line capped at
    /// `MAX_FAILURE_MESSAGE` bytes, so `--judge-log` and the summary's failure
    /// detail show the judge's author where it stopped.
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
        let head = match err.downcast_ref::<Trap>() {
            Some(trap) => trap.to_string(),
            None => err.root_cause().to_string(),
        };
        let mut message = head.clone();
        for cause in err.chain() {
            let text = cause.to_string();
            if text != head && !text.is_empty() {
                message.push_str(" | ");
                message.push_str(&text);
            }
        }
        if message.trim().is_empty() {
            message = kind.as_str().to_owned();
        }
        // Function names in a wasm backtrace come from the guest: one visible line.
        Failure::new(kind, one_line(&message, MAX_FAILURE_MESSAGE))
    }
}

impl Failure {
    /// Adds what the guest said during the failed call (`JudgeState::call_said`:
    /// a Rust panic message or a JavaScript error and its stack on stderr, a
    /// Python traceback a handler logged), right after the trap itself and
    /// before the wasm backtrace, so the exception's text survives the cap at
    /// `MAX_FAILURE_MESSAGE`.
    pub fn with_guest_text(self, said: &[(&'static str, String)]) -> Failure {
        said.iter().rev().fold(self, |f, (what, text)| f.with_said(what, text))
    }

    fn with_said(mut self, what: &str, text: &str) -> Failure {
        let text = text.trim();
        if text.is_empty() {
            return self;
        }
        let (head, rest) = match self.message.split_once(" | ") {
            Some((head, rest)) => (head.to_owned(), format!(" | {rest}")),
            None => (self.message.clone(), String::new()),
        };
        // The end is what matters (the exception line comes last): keep it.
        let text = one_line(text, usize::MAX);
        let mut cut = text.len().saturating_sub(MAX_FAILURE_MESSAGE / 2);
        while !text.is_char_boundary(cut) {
            cut += 1;
        }
        let text = match cut {
            0 => text,
            _ => format!("…{}", &text[cut..]),
        };
        self.message = one_line(&format!("{head} | {what}: {text}{rest}"), MAX_FAILURE_MESSAGE);
        self
    }
}

/// Longest failure message kept: the trap, its context and a wasm backtrace
/// of a few dozen frames fit; a guest cannot make the host keep more.
pub const MAX_FAILURE_MESSAGE: usize = 4096;

impl std::error::Error for Failure {}

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

/// A descriptor is shown to users: its name and version must follow their
/// character sets and its free text becomes one visible line each.
pub fn checked_descriptor(mut d: Descriptor) -> Result<Descriptor, Failure> {
    if !is_judge_name(&d.name) || !is_version(&d.version) {
        return Err(Failure::new(
            FailureKind::InvalidOutput,
            format!(
                "describes itself as name {:?} version {:?}; names are [a-z0-9_-] (64 bytes at most), versions [A-Za-z0-9.+-] (32)",
                one_line(&d.name, MAX_NAME_BYTES),
                one_line(&d.version, MAX_NAME_BYTES)
            ),
        ));
    }
    if let Some((key, _)) = d.config_keys.iter().find(|(k, _)| !is_config_key(k)) {
        return Err(Failure::new(
            FailureKind::InvalidOutput,
            format!(
                "describes a config key {:?} outside [a-z0-9._-]",
                one_line(key, MAX_NAME_BYTES)
            ),
        ));
    }
    d.description = one_line(&d.description, MAX_DESCRIPTION_BYTES);
    for (_, help) in &mut d.config_keys {
        *help = one_line(help, MAX_DESCRIPTION_BYTES);
    }
    Ok(d)
}

/// A guest-reported error as (kind, message), the message capped at
/// `MAX_JUDGE_MESSAGE_BYTES` and saying so when cut.
pub fn judge_error_parts(e: super::bindings::types::JudgeError) -> (&'static str, String) {
    use super::bindings::types::JudgeError as E;
    let (kind, message) = match e {
        E::InvalidInput(m) => ("invalid_input", m),
        E::Unsupported(m) => ("unsupported", m),
        E::Config(m) => ("config", m),
        E::Failed(m) => ("failed", m),
    };
    (kind, cap_reported(&message, MAX_JUDGE_MESSAGE_BYTES))
}

/// `text` as one visible line capped at `max` bytes; a cut one ends with how
/// long it was.
fn cap_reported(text: &str, max: usize) -> String {
    let mut out = one_line(text, max);
    if out.ends_with('…') && out.len() - '…'.len_utf8() < text.len() {
        out.push_str(&format!(" [cut from {} bytes]", text.len()));
    }
    out
}

/// Applies the host's rules to an aggregator report: metric names and alarm
/// kinds must follow their character sets (`text.rs`), at most
/// `MAX_REPORT_ITEMS` metrics and alarms are kept, alarm messages become one
/// visible line of at most `MAX_ALARM_MESSAGE_BYTES`. What was dropped is
/// stated in one more alarm, `host-cap`.
pub fn cap_report(mut r: Report) -> Report {
    let (metrics, alarms) = (r.metrics.len(), r.alarms.len());
    r.metrics.retain(|m| is_metric_name(&m.name));
    r.alarms.retain(|a| is_alarm_kind(&a.kind));
    let (bad_metrics, bad_alarms) = (metrics - r.metrics.len(), alarms - r.alarms.len());
    let over_metrics = r.metrics.len().saturating_sub(MAX_REPORT_ITEMS);
    let over_alarms = r.alarms.len().saturating_sub(MAX_REPORT_ITEMS);
    r.metrics.truncate(MAX_REPORT_ITEMS);
    r.alarms.truncate(MAX_REPORT_ITEMS);
    for a in &mut r.alarms {
        a.message = cap_reported(&a.message, MAX_ALARM_MESSAGE_BYTES);
    }
    if bad_metrics + bad_alarms + over_metrics + over_alarms > 0 {
        r.alarms.push(Alarm {
            kind: "host-cap".into(),
            segment: None,
            message: format!(
                "the judge's report was cut: {} metric(s) and {} alarm(s) dropped \
                 ({bad_metrics} and {bad_alarms} with a malformed name, the rest past the cap of {MAX_REPORT_ITEMS} each)",
                bad_metrics + over_metrics,
                bad_alarms + over_alarms
            ),
        });
    }
    r
}

/// A guest-reported error as the row's result.
pub fn judge_error(e: super::bindings::types::JudgeError) -> RowResult {
    let (kind, message) = judge_error_parts(e);
    RowResult::JudgeError { kind, message }
}
