//! The run summary: one value that the terminal view, `--format json` and the
//! exit code are all derived from.
//!
//! Invariant: `status_counts` has every status key (zeros included) and its
//! values add up to `rows_submitted`; the JSON field names are a stable,
//! documented interface (README, "JSON summary").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::clusters::Clusters;
use super::reconcile::Reconciliation;
use super::snapshots::Snapshots;
use super::sync::SyncSummary;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub assay_version: &'static str,
    pub provider: String,
    pub input: String,
    /// Result files per attempt, in attempt order.
    pub attempts: Vec<Vec<String>>,
    pub rows_submitted: u64,
    pub segment_size: u32,
    pub segments: u32,
    /// Every status, zeros included, in the documented order.
    pub status_counts: StatusCounts,
    /// completed / rows_submitted.
    pub completion_rate: f64,
    /// `provider_error` and `retry_exhausted` rows by sub-kind: rate_limit,
    /// server_error, invalid_request, other (every key present).
    pub error_kinds: BTreeMap<&'static str, u64>,
    /// The provider's own error codes of failed rows, per final status: the
    /// most common first (at most 5 per status).
    pub error_codes: BTreeMap<&'static str, Vec<CodeCount>>,
    pub flags: Flags,
    /// First few result ids that were never submitted.
    pub unexpected_ids: Vec<String>,
    pub bad_lines: BadLines,
    pub judges: BTreeMap<String, JudgeSummary>,
    /// The provider's own counts (`--batch-object`) against the files, per attempt.
    pub reconciliation: Vec<Reconciliation>,
    /// Which model/snapshot served each segment, and where that rotated.
    pub snapshots: Snapshots,
    /// `--sync-results` only: pairing, recovery and the batch-only counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncSummary>,
    /// `eval --job` of a job submitted after a canary (or `--canary ID`): the
    /// batch against its canary, judge by judge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary: Option<super::canary::CanaryComparison>,
    /// `--cluster` only: the failed rows grouped by shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Clusters>,
    /// `eval --job J` without `--explain`: the fix notes stored with job J.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_notes: Option<super::notes::JobNotes>,
    pub gates: Vec<Gate>,
    pub exit_code: i32,
    pub elapsed_ms: u64,
    /// `--otlp-endpoint`: the spans built, exported and dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traces: Option<super::traces::TraceReport>,
}

/// Rows per status; the fields are the statuses, in the documented order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub completed: u64,
    pub provider_error: u64,
    pub content_filter: u64,
    pub timeout: u64,
    pub expired: u64,
    pub canceled: u64,
    pub retry_exhausted: u64,
    pub missing: u64,
}

impl StatusCounts {
    /// From counts indexed by `Status::index`.
    pub fn from_counts(c: [u64; 8]) -> StatusCounts {
        let [
            completed,
            provider_error,
            content_filter,
            timeout,
            expired,
            canceled,
            retry_exhausted,
            missing,
        ] = c;
        StatusCounts {
            completed,
            provider_error,
            content_filter,
            timeout,
            expired,
            canceled,
            retry_exhausted,
            missing,
        }
    }

    pub fn iter(&self) -> [(&'static str, u64); 8] {
        [
            ("completed", self.completed),
            ("provider_error", self.provider_error),
            ("content_filter", self.content_filter),
            ("timeout", self.timeout),
            ("expired", self.expired),
            ("canceled", self.canceled),
            ("retry_exhausted", self.retry_exhausted),
            ("missing", self.missing),
        ]
    }

    pub fn total(&self) -> u64 {
        self.iter().iter().map(|(_, n)| n).sum()
    }
}

/// Rows whose final result carried one provider error code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeCount {
    pub code: String,
    pub rows: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Flags {
    pub truncated: u64,
    pub retried: u64,
    pub silently_retried: u64,
    pub duplicate: u64,
    pub unexpected: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BadLines {
    pub count: u64,
    pub max_allowed: u64,
    /// At most the first 100, in file order.
    pub lines: Vec<BadLineEntry>,
}

impl BadLines {
    /// The first bad line as `FILE:LINE: REASON` (empty when there is none).
    pub fn first(&self) -> String {
        self.lines
            .first()
            .map(|b| format!("{}:{}: {}", b.file, b.line, b.reason))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BadLineEntry {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct JudgeSummary {
    pub version: String,
    /// The sha256 of the component that ran (as `assay judges` shows it).
    pub sha256: String,
    /// Where the judge was found: `built-in`, `--plugin-dir`,
    /// `ASSAY_PLUGIN_PATH` or `user`.
    pub origin: String,
    /// The component file that ran.
    pub component: String,
    pub quality: bool,
    /// Completed rows the judge returned a verdict for.
    pub scored: u64,
    pub passed: u64,
    /// passed / scored (0 when nothing was scored).
    pub pass_rate: f64,
    /// Rows where the judge itself returned a `judge-error`.
    pub judge_errors: u64,
    /// Rows where the host stopped the judge, by kind (fuel, timeout, memory, ...).
    pub failures: BTreeMap<&'static str, u64>,
    /// The first row (in submission order) the judge returned a `judge-error`
    /// for: "row ID: kind: message".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_judge_error: Option<String>,
    /// The first row the host stopped the judge on: "row ID: reason".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_host_failure: Option<String>,
    /// Batch-wide metrics from the judge's aggregator.
    pub metrics: BTreeMap<String, f64>,
    /// Per-segment metrics: name → [(segment, value)].
    pub segment_metrics: BTreeMap<String, Vec<SegmentValue>>,
    /// Rows scored and passed per segment, in segment order (for the canary
    /// comparison; the JSON summary leaves it out).
    #[serde(skip)]
    pub segment_pass: Vec<SegmentPass>,
    pub alarms: Vec<Alarm>,
    /// Set when the aggregator failed; scoring results above still stand.
    pub aggregator_error: Option<String>,
    /// Deterministic compute cost: fuel consumed by all of this judge's calls.
    pub fuel_used: u64,
    pub instance_restarts: u64,
    /// Why the judge scored nothing, when the run had nothing for it to score.
    pub skipped: Option<String>,
    /// The judge's own model calls (the `llm` capability), apart from the batch's cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub llm: Option<JudgeLlm>,
}

/// What a judge granted `llm` spent on its own calls.
#[derive(Debug, Clone, Default, Serialize)]
pub struct JudgeLlm {
    /// Calls the endpoint answered.
    pub calls: u64,
    /// Calls answered from the response cache (free, reproducible).
    pub cached: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// The grant's run budget (input + output tokens).
    pub token_budget: u64,
    /// At the grant's prices, when the policy names them.
    pub cost_usd: Option<f64>,
    /// Refused or failed calls by `llm-error` kind.
    pub errors: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentValue {
    pub segment: u32,
    pub value: f64,
}

/// One segment's scored and passed rows for one judge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SegmentPass {
    pub segment: u32,
    pub scored: u64,
    pub passed: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Alarm {
    pub kind: String,
    pub segment: Option<u32>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Gate {
    pub name: String,
    pub threshold: f64,
    pub actual: f64,
    pub passed: bool,
}

#[cfg(test)]
mod tests;
