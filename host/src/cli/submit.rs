//! `assay submit`: create the batch from the input (OpenAI and Azure:
//! upload, then create at the endpoint the lines name; Anthropic: the
//! requests streamed in the create), record the job.
//!
//! Invariant: an input whose lines name no batchable endpoint is refused
//! before anything is recorded; the job row exists before anything is sent,
//! and the batch id is recorded the moment the provider returns it; a rerun
//! of the same input at the same base URL returns the recorded job, and a
//! batch created by a run that died before recording it is found again (see
//! `job_client`) rather than submitted twice.

use std::path::Path;

use anyhow::Result;
use assay::jobs::Job;
use assay::jobs::JobStore;
use assay::jobs::key::{file_sha256, job_key};
use serde_json::json;

use super::args::Format;
use super::exit;
use super::job_args::SubmitArgs;
use super::job_client::JobClient;
use super::job_ctx::{fail, open_store, provider_fail, runtime};

/// What `submit` recorded.
pub struct Submitted {
    pub job: Job,
    pub batch_id: String,
    pub status: String,
    pub existing: bool,
}

/// Records the job and creates its batch from `input`, or returns the job
/// already recorded for the same input at the same base URL.
pub fn submit(store: &JobStore, client: &JobClient, input: &Path) -> Result<Submitted> {
    let sha = file_sha256(input).map_err(|e| fail(exit::INPUT, format!("{}: {e}", input.display())))?;
    client.input_api(input)?;
    let name = client.provider().name();
    let key = job_key(name, client.base_url(), &sha);
    let canonical = std::fs::canonicalize(input).unwrap_or_else(|_| input.to_owned());
    let (job, existing) = match store.by_key(&key).map_err(|e| fail(exit::INPUT, e))? {
        Some(j) => (j, true),
        None => {
            let j = store
                .insert(&key, name, client.base_url(), &canonical, &sha)
                .map_err(|e| fail(exit::INPUT, e))?;
            if let Some(v) = client.api_version() {
                store.set_api_version(j.id, v).map_err(|e| fail(exit::INPUT, e))?;
            }
            (j, false)
        }
    };
    let rt = runtime()?;
    let (batch_id, status) = rt.block_on(async {
        if let Some(b) = &job.batch_id {
            return Ok::<_, anyhow::Error>((b.clone(), job.status.clone()));
        }
        let obj = client.create(store, &job, input).await?;
        let v = client.state(&obj).map_err(provider_fail)?;
        store
            .set_batch(job.id, &v.id, &v.status)
            .map_err(|e| fail(exit::INPUT, e))?;
        Ok((v.id, v.status))
    })?;
    Ok(Submitted {
        job,
        batch_id,
        status,
        existing,
    })
}

pub fn run(a: SubmitArgs) -> Result<i32> {
    let store = open_store(&a.state)?;
    let client = JobClient::from_env(a.provider, a.base_url.as_deref(), a.azure.api_version.as_deref())
        .map_err(provider_fail)?;
    let Submitted {
        job,
        batch_id,
        status,
        existing,
    } = submit(&store, &client, &a.input)?;
    let text = match a.format {
        Format::Json => {
            json!({"job": job.id, "batch": batch_id, "status": status, "existing": existing}).to_string() + "\n"
        }
        Format::Text => {
            let what = if existing { "already submitted" } else { "submitted" };
            format!("{what}: batch {batch_id} ({status})\n{}\n", job.id)
        }
    };
    super::out::emit(&text)?;
    Ok(exit::OK)
}
