//! `assay submit`: upload the input, create the batch, record the job.
//!
//! Invariant: the job row exists before anything is sent, and the batch id is
//! recorded the moment the provider returns it; a rerun of the same input at
//! the same base URL returns the recorded job, and a batch created by a run
//! that died before recording it is found by its `assay_job` metadata rather
//! than submitted twice.

use std::path::Path;

use anyhow::Result;
use assay::jobs::Job;
use assay::jobs::JobStore;
use assay::jobs::key::{file_sha256, job_key};
use assay_provider::{BatchView, OpenAi, SyncApi};
use serde_json::{Value, json};

use super::args::Format;
use super::exit;
use super::job_args::SubmitArgs;
use super::job_ctx::{client, fail, open_store, provider_fail, provider_name, runtime};

const META: &str = "assay_job";

/// What `submit` recorded.
pub struct Submitted {
    pub job: Job,
    pub batch_id: String,
    pub status: String,
    pub existing: bool,
}

/// The sync API (and so the batch endpoint) the input's first line names.
fn input_api(input: &Path) -> Result<SyncApi> {
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

/// Records the job, uploads `input` and creates its batch, or returns the
/// job already recorded for the same input at the same base URL.
pub fn submit(store: &JobStore, client: &OpenAi, provider: &str, input: &Path) -> Result<Submitted> {
    let sha = file_sha256(input).map_err(|e| fail(exit::INPUT, format!("{}: {e}", input.display())))?;
    let api = input_api(input)?;
    let key = job_key(provider, client.base_url(), &sha);
    let canonical = std::fs::canonicalize(input).unwrap_or_else(|_| input.to_owned());
    let (job, existing) = match store.by_key(&key).map_err(|e| fail(exit::INPUT, e))? {
        Some(j) => (j, true),
        None => {
            let j = store
                .insert(&key, provider, client.base_url(), &canonical, &sha)
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
        // A run that died between creating the batch and recording it left
        // the batch at the provider, tagged with this job's key.
        let mut found = client.find_batch(META, &key, 3).await.map_err(provider_fail)?;
        if found.is_none() {
            let file = client.upload(input).await.map_err(provider_fail)?;
            let file_id = file["id"].as_str().unwrap_or_default().to_owned();
            store
                .set_input_file(job.id, &file_id)
                .map_err(|e| fail(exit::INPUT, e))?;
            match client.create_batch_for(api, &file_id, &json!({ META: key })).await {
                Ok(b) => found = Some(b),
                Err(e) => match client.find_batch(META, &key, 3).await {
                    Ok(Some(b)) => found = Some(b),
                    _ => return Err(provider_fail(e)),
                },
            }
        }
        let obj = found.unwrap_or_default();
        let v = BatchView::of(&obj).map_err(provider_fail)?;
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
    let client = client(a.provider, a.base_url.as_deref(), a.azure.api_version.as_deref())?;
    let Submitted {
        job,
        batch_id,
        status,
        existing,
    } = submit(&store, &client, provider_name(a.provider), &a.input)?;
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
