//! The Bedrock job's own account: `manifest.json.out` or a
//! `GetModelInvocationJob` response.
//!
//! Invariant: a count the job leaves out stays `None`, never zero; a file
//! that is neither object is refused naming both.

use serde::Deserialize;

use crate::batch_object::{BatchObject, BatchObjectError};
use crate::json::parse_object;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawJob {
    job_arn: Option<String>,
    status: Option<String>,
    total_record_count: Option<u64>,
    processed_record_count: Option<u64>,
    success_record_count: Option<u64>,
    error_record_count: Option<u64>,
    input_token_count: Option<u64>,
    output_token_count: Option<u64>,
}

/// Parses `manifest.json.out` or a `GetModelInvocationJob` response,
/// told apart by their keys (`jobArn` / `status` mean a job object).
/// `pending` = total − processed when both are present.
pub fn parse_batch_object(bytes: &[u8]) -> Result<BatchObject, BatchObjectError> {
    let raw: RawJob = parse_object(bytes).map_err(|source| BatchObjectError::Parse {
        what: "a Bedrock manifest.json.out or invocation job",
        source,
    })?;
    let is_job = raw.job_arn.is_some() || raw.status.is_some();
    let has_counts = raw.total_record_count.is_some()
        || raw.processed_record_count.is_some()
        || raw.success_record_count.is_some()
        || raw.error_record_count.is_some()
        || raw.input_token_count.is_some()
        || raw.output_token_count.is_some();
    if !is_job && !has_counts {
        return Err(BatchObjectError::Neither(
            "a Bedrock manifest.json.out (no totalRecordCount, processedRecordCount, successRecordCount, \
             errorRecordCount, inputTokenCount or outputTokenCount) nor a GetModelInvocationJob response \
             (no jobArn or status)",
        ));
    }
    let pending = match (raw.total_record_count, raw.processed_record_count) {
        (Some(t), Some(p)) => t.checked_sub(p),
        _ => None,
    };
    Ok(BatchObject {
        id: raw.job_arn,
        status: raw.status,
        total: raw.total_record_count,
        succeeded: raw.success_record_count,
        failed: raw.error_record_count,
        pending,
        input_tokens: raw.input_token_count,
        output_tokens: raw.output_token_count,
        ..BatchObject::default()
    })
}
