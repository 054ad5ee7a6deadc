//! The `traces` block of the summary: what `--otlp-endpoint` did with the spans.
//!
//! Invariant: `exported + dropped = spans`; every span built is one or the other.

use serde::Serialize;

/// What happened to the spans, for the summary.
#[derive(Debug, Clone, Serialize)]
pub struct TraceReport {
    pub endpoint: String,
    pub project: String,
    pub content: bool,
    pub spans: u64,
    pub exported: u64,
    pub dropped: u64,
    pub redactions: u64,
    pub interrupted: bool,
    pub first_error: Option<String>,
}
