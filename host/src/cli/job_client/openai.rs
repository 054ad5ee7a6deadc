//! The OpenAI side of the job commands (OpenAI and Azure OpenAI): the batch
//! endpoint an input names, upload and create, finding a batch by its
//! `assay_job` metadata, and sync answers as batch result lines.
//!
//! Invariant: the batch is tagged with the job's key, so a batch a dead run
//! created is found by the tag rather than created twice.

use std::path::Path;

use anyhow::Result;
use assay::jobs::{Job, JobStore};
use assay_provider::{OpenAi, ProviderError, SyncApi};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::super::exit;
use super::super::job_ctx::{fail, provider_fail};

const META: &str = "assay_job";

/// The sync API (and so the batch endpoint) the input's first line names.
pub fn input_api(input: &Path) -> Result<SyncApi> {
    let f = std::fs::File::open(input).map_err(|e| fail(exit::INPUT, format!("{}: {e}", input.display())))?;
    for (n, line) in std::io::BufRead::lines(std::io::BufReader::new(f)).enumerate() {
        let line = line.map_err(|e| fail(exit::INPUT, format!("{}:{}: {e}", input.display(), n + 1)))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&line)
            .map_err(|e| fail(exit::INPUT, format!("{}:{}: not JSON: {e}", input.display(), n + 1)))?;
        let url = v.get("url").and_then(Value::as_str).unwrap_or_default();
        return SyncApi::of_url(url).map_err(|e| fail(exit::INPUT, format!("{}:{}: {e}", input.display(), n + 1)));
    }
    Err(fail(exit::INPUT, format!("{}: no request lines", input.display())))
}

/// Finds the batch tagged with the job's key, or uploads `input` and
/// creates it at the endpoint its lines name.
pub async fn create(client: &OpenAi, store: &JobStore, job: &Job, input: &Path) -> Result<Value> {
    let api = input_api(input)?;
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
    match client.create_batch_for(api, &file_id, &json!({ META: job.key })).await {
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
        Err(e @ ProviderError::BadRequest { .. }) => (
            false,
            json!({"id": line_id, "custom_id": id, "response": null, "error": {"code": "invalid_request", "message": e.to_string()}}).to_string(),
        ),
        Err(e) => (
            false,
            json!({"id": line_id, "custom_id": id, "response": null, "error": {"code": "request_timeout", "message": e.to_string()}}).to_string(),
        ),
    }
}
