//! The Anthropic side of the job commands: creating a Message Batch,
//! finding one whose create answer was lost, and sync Messages answers as
//! results-stream lines.
//!
//! A Message Batch carries no metadata to tag it with, so before sending the
//! create, the newest batch id at the provider is recorded with the job (in
//! the store's `input_file_id`, as `after:ID`; Anthropic has no input file).
//! A rerun after a create whose fate is unknown looks at the batches newer
//! than that mark: one with the input's request count that no other job in
//! the store holds is this job's.
//!
//! Invariant: a create that may have reached Anthropic is never sent again
//! while a batch it may have made is listed; more than one candidate is an
//! error that names them, never a guess.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Result;
use assay::jobs::{Job, JobStore};
use assay_provider::anthropic::scan;
use assay_provider::{Anthropic, MessageBatchView, ProviderError};
use serde_json::{Value, json};

use super::super::exit;
use super::super::job_ctx::{fail, provider_fail};

const MARK: &str = "after:";

/// Creates the job's Message Batch from `input`, or finds the one an
/// earlier run's lost create made.
pub async fn create(client: &Anthropic, store: &JobStore, job: &Job, input: &Path) -> Result<Value> {
    let rows = scan(input).map_err(|e| fail(exit::INPUT, e))?.rows;
    if let Some(mark) = job.input_file_id.as_deref().and_then(|m| m.strip_prefix(MARK))
        && let Some(b) = find_ours(client, store, mark, rows).await?
    {
        return Ok(b);
    }
    let mark = client
        .newest_batch_id()
        .await
        .map_err(provider_fail)?
        .unwrap_or_default();
    store
        .set_input_file(job.id, &format!("{MARK}{mark}"))
        .map_err(|e| fail(exit::INPUT, e))?;
    match client.create_batch(input).await {
        Ok(b) => Ok(b),
        // Only a request whose fate is unknown may have made a batch.
        Err(e @ (ProviderError::Transport { .. } | ProviderError::Exhausted { .. })) => {
            match find_ours(client, store, &mark, rows).await {
                Ok(Some(b)) => Ok(b),
                _ => Err(provider_fail(e)),
            }
        }
        Err(e @ ProviderError::BadInput { .. }) => Err(fail(exit::INPUT, e)),
        Err(e) => Err(provider_fail(e)),
    }
}

/// The one batch newer than `mark` with `rows` requests that no job in the
/// store holds.
async fn find_ours(client: &Anthropic, store: &JobStore, mark: &str, rows: u64) -> Result<Option<Value>> {
    let known: BTreeSet<String> = store
        .list()
        .map_err(|e| fail(exit::INPUT, e))?
        .into_iter()
        .filter_map(|j| j.batch_id)
        .collect();
    let mark = Some(mark).filter(|m| !m.is_empty());
    let mut found: Vec<Value> = client
        .batches_since(mark, 3)
        .await
        .map_err(provider_fail)?
        .into_iter()
        .filter(|b| MessageBatchView::of(b).is_ok_and(|v| v.total() == rows && !known.contains(&v.id)))
        .collect();
    match found.len() {
        0 | 1 => Ok(found.pop()),
        _ => {
            let ids: Vec<&str> = found.iter().filter_map(|b| b["id"].as_str()).collect();
            Err(fail(
                exit::PROVIDER,
                format!(
                    "the create answer was lost and {} batches with this input's {rows} requests were created since ({}): cancel the ones that are not this job's, then rerun assay submit",
                    ids.len(),
                    ids.join(", ")
                ),
            ))
        }
    }
}

/// One row's sync answer as a line of a Message Batch results stream.
pub fn result_line(id: &str, answer: Result<Value, ProviderError>) -> (bool, String) {
    let errored = |kind: &str, message: String| {
        json!({"custom_id": id, "result": {"type": "errored",
            "error": {"type": "error", "error": {"type": kind, "message": message}, "request_id": null}}})
        .to_string()
    };
    match answer {
        Ok(message) => (
            true,
            json!({"custom_id": id, "result": {"type": "succeeded", "message": message}}).to_string(),
        ),
        Err(ProviderError::Refused { status, message, .. } | ProviderError::Exhausted { status, message, .. }) => {
            (false, errored(assay_batch::anthropic::http_error_type(status), message))
        }
        Err(e @ ProviderError::Transport { .. }) => (false, errored("timeout_error", e.to_string())),
        Err(e) => (false, errored("api_error", e.to_string())),
    }
}
