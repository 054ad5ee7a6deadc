//! Google batch job objects: a Vertex `BatchPredictionJob` and a Gemini API
//! batch (an Operation whose `metadata` holds the batch, or the batch
//! itself), including python-genai `BatchJob` dumps (snake_case).
//!
//! Invariant: int64 counts are read from strings or numbers; a count the
//! job leaves out or sends as `null` stays `None`, never zero.

use serde::Deserialize;

use super::Int;
use crate::batch_object::{BatchObject, BatchObjectError};
use crate::json::parse_object;

#[derive(Deserialize)]
struct RawJob {
    name: Option<String>,
    state: Option<String>,
    #[serde(rename = "completionStats", alias = "completion_stats")]
    completion_stats: Option<RawCompletionStats>,
    #[serde(rename = "batchStats", alias = "batch_stats")]
    batch_stats: Option<RawBatchStats>,
    metadata: Option<RawMeta>,
}

#[derive(Deserialize)]
struct RawMeta {
    name: Option<String>,
    state: Option<String>,
    #[serde(rename = "batchStats", alias = "batch_stats")]
    batch_stats: Option<RawBatchStats>,
}

#[derive(Deserialize)]
struct RawCompletionStats {
    #[serde(rename = "successfulCount", alias = "successful_count")]
    successful: Option<Int>,
    #[serde(rename = "failedCount", alias = "failed_count")]
    failed: Option<Int>,
    #[serde(rename = "incompleteCount", alias = "incomplete_count")]
    incomplete: Option<Int>,
}

#[derive(Deserialize)]
struct RawBatchStats {
    #[serde(rename = "requestCount", alias = "request_count")]
    requests: Option<Int>,
    #[serde(rename = "successfulRequestCount", alias = "successful_request_count")]
    successful: Option<Int>,
    #[serde(rename = "failedRequestCount", alias = "failed_request_count")]
    failed: Option<Int>,
    #[serde(rename = "pendingRequestCount", alias = "pending_request_count")]
    pending: Option<Int>,
}

fn n(v: Option<Int>) -> Option<u64> {
    v.map(|i| i.0)
}

/// Parses a Vertex `BatchPredictionJob` (`name`, `state: JOB_STATE_*`,
/// `completionStats{successfulCount → succeeded, failedCount → failed,
/// incompleteCount → pending}`; Vertex states no total) or a Gemini batch
/// (`name`, `metadata{state: BATCH_STATE_*, batchStats{requestCount →
/// total, successfulRequestCount, failedRequestCount,
/// pendingRequestCount}}`, the same fields also accepted at top level).
/// `status` is the state as spelled. An object with none of `name`,
/// `state`, `metadata` is refused.
pub fn parse_batch_object(bytes: &[u8]) -> Result<BatchObject, BatchObjectError> {
    const WHAT: &str = "a Google batch job";
    let raw: RawJob = parse_object(bytes).map_err(|source| BatchObjectError::Parse { what: WHAT, source })?;
    if raw.name.is_none() && raw.state.is_none() && raw.metadata.is_none() {
        return Err(BatchObjectError::Unidentified {
            what: WHAT,
            missing: "`name`, `state` or `metadata`",
        });
    }
    let (meta_name, meta_state, meta_stats) = match raw.metadata {
        Some(m) => (m.name, m.state, m.batch_stats),
        None => (None, None, None),
    };
    let mut b = BatchObject {
        id: raw.name.or(meta_name),
        status: raw.state.or(meta_state),
        ..BatchObject::default()
    };
    if let Some(c) = raw.completion_stats {
        b.succeeded = n(c.successful);
        b.failed = n(c.failed);
        b.pending = n(c.incomplete);
    }
    if let Some(s) = raw.batch_stats.or(meta_stats) {
        b.total = n(s.requests);
        b.succeeded = n(s.successful).or(b.succeeded);
        b.failed = n(s.failed).or(b.failed);
        b.pending = n(s.pending).or(b.pending);
    }
    Ok(b)
}
