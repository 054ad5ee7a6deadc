//! The OpenAI side of the job commands: upload and create, finding a batch
//! by its `assay_job` metadata, and sync answers as batch result lines.
//!
//! Invariant: the batch is tagged with the job's key, so a batch a dead run
//! created is found by the tag rather than created twice.

use std::path::Path;

use anyhow::Result;
use assay::jobs::{Job, JobStore};
use assay_provider::{OpenAi, ProviderError};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::super::exit;
use super::super::job_ctx::{fail, provider_fail};

const META: &str = "assay_job";

/// Finds the batch tagged with the job's key, or uploads `input` and creates it.
pub async fn create(client: &OpenAi, store: &JobStore, job: &Job, input: &Path) -> Result<Value> {
    // A run that died between creating the batch and recording it left
    // the batch at the provider, tagged with this job's key.
    if let Some(b) = client.find_batch(META, &job.key, 3).await.map_err(provider_fail)? {
        return Ok(b);
    }
    let file = client.upload(input).await.map_err(provider_fail)?;
    let file_id = file["id"].as_str().unwrap_or_default().to_owned();
    store
        .set_input_file(job.id, &file_id)
        .map_err(|e| fail(exit::INPUT, e))?;
    match client.create_batch(&file_id, &json!({ META: job.key })).await {
        Ok(b) => Ok(b),
        Err(e) => match client.find_batch(META, &job.key, 3).await {
            Ok(Some(b)) => Ok(b),
            _ => Err(provider_fail(e)),
        },
    }
}

/// One row's sync answer as an OpenAI batch result line (output or error file).
pub fn result_line(id: &str, answer: Result<Value, ProviderError>) -> (bool, String) {
    let line_id = format!("canary_{}", hex::encode(&Sha256::digest(id)[..8]));
    match answer {
        Ok(body) => (
            true,
            json!({"id": line_id, "custom_id": id, "response": {"status_code": 200, "request_id": line_id, "body": body}, "error": null}).to_string(),
        ),
        Err(ProviderError::Refused { status, message, .. } | ProviderError::Exhausted { status, message, .. }) => (
            false,
            json!({"id": line_id, "custom_id": id, "response": {"status_code": status, "request_id": line_id,
                "body": {"error": {"message": message, "type": if status == 429 { "requests" } else { "server_error" }, "param": null, "code": null}}}, "error": null})
            .to_string(),
        ),
        Err(e) => (
            false,
            json!({"id": line_id, "custom_id": id, "response": null, "error": {"code": "request_timeout", "message": e.to_string()}}).to_string(),
        ),
    }
}
