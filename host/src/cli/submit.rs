//! `assay submit`: create the batch from the input (OpenAI: upload, then
//! create; Anthropic: the requests streamed in the create), record the job.
//!
//! Invariant: the job row exists before anything is sent, and the batch id is
//! recorded the moment the provider returns it; a rerun of the same input at
//! the same base URL returns the recorded job, and a batch created by a run
//! that died before recording it is found again (see `job_client`) rather
//! than submitted twice.

use anyhow::Result;
use assay::jobs::key::{file_sha256, job_key};
use serde_json::json;

use super::args::Format;
use super::exit;
use super::job_args::SubmitArgs;
use super::job_client::JobClient;
use super::job_ctx::{fail, open_store, provider_fail, runtime};

pub fn run(a: SubmitArgs) -> Result<i32> {
    let store = open_store(&a.state)?;
    let client = JobClient::from_env(a.provider, a.base_url.as_deref()).map_err(provider_fail)?;
    let sha = file_sha256(&a.input).map_err(|e| fail(exit::INPUT, format!("{}: {e}", a.input.display())))?;
    let name = client.provider().name();
    let key = job_key(name, client.base_url(), &sha);
    let input = std::fs::canonicalize(&a.input).unwrap_or_else(|_| a.input.clone());
    let (job, existing) = match store.by_key(&key).map_err(|e| fail(exit::INPUT, e))? {
        Some(j) => (j, true),
        None => (
            store
                .insert(&key, name, client.base_url(), &input, &sha)
                .map_err(|e| fail(exit::INPUT, e))?,
            false,
        ),
    };
    let rt = runtime()?;
    let (batch_id, status) = rt.block_on(async {
        if let Some(b) = &job.batch_id {
            return Ok::<_, anyhow::Error>((b.clone(), job.status.clone()));
        }
        let obj = client.create(&store, &job, &a.input).await?;
        let v = client.state(&obj).map_err(provider_fail)?;
        store
            .set_batch(job.id, &v.id, &v.status)
            .map_err(|e| fail(exit::INPUT, e))?;
        Ok((v.id, v.status))
    })?;
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
