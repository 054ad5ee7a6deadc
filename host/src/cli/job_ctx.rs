//! What the job commands share: the store, a client for a job's provider,
//! refreshing a job from its batch object, and `eval --job`'s file list.
//!
//! Invariant: a job's status in the store is only ever what the provider last
//! said; a client is built from the environment's key, which is never stored.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use assay::jobs::{Job, JobStore};
use assay_provider::ProviderError;
use serde_json::{Value, json};

use super::args::{EvalArgs, Format, Provider};
use super::eval::Exit;
use super::exit;
use super::job_args::{JobProvider, StateArgs};
use super::job_client::{BatchState, JobClient};

pub fn fail(code: i32, e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!(Exit {
        code,
        message: e.to_string()
    })
}

/// Provider errors as exit codes: a missing key or bad base URL is usage.
pub fn provider_fail(e: ProviderError) -> anyhow::Error {
    match e {
        ProviderError::MissingKey { .. }
        | ProviderError::MissingSetting { .. }
        | ProviderError::BadRequest { .. }
        | ProviderError::BaseUrl { .. } => fail(exit::USAGE, e),
        e => fail(exit::PROVIDER, e),
    }
}

pub fn open_store(state: &StateArgs) -> Result<JobStore> {
    let path = JobStore::default_path(state.state.as_deref()).map_err(|e| fail(exit::USAGE, e))?;
    JobStore::open(&path).map_err(|e| fail(exit::INPUT, e))
}

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// A client for the job's provider at the base URL (and api-version) it was
/// submitted with.
pub fn client_for(job: &Job) -> Result<JobClient> {
    JobClient::for_job(job)
}

pub fn get_job(store: &JobStore, id: i64) -> Result<Job> {
    store.get(id).map_err(|e| fail(exit::USAGE, e))
}

/// Asks the provider for the job's batch and records status and counts.
pub async fn refresh(store: &JobStore, client: &JobClient, job: &Job) -> Result<(BatchState, Value)> {
    let batch_id = job.batch_id.as_deref().ok_or_else(|| {
        fail(
            exit::USAGE,
            format!("job {} has no batch yet: rerun assay submit", job.id),
        )
    })?;
    let (v, obj) = client.batch(batch_id).await.map_err(provider_fail)?;
    store
        .set_progress(job.id, &v.status, [v.total, v.completed, v.failed])
        .map_err(|e| fail(exit::INPUT, e))?;
    Ok((v, obj))
}

/// The status line (text) or object (json) for a job and its batch.
pub fn show(job: &Job, v: &BatchState, format: Format) -> String {
    match format {
        Format::Json => {
            json!({"job": job.id, "batch": v.id, "status": v.status, "total": v.total, "completed": v.completed, "failed": v.failed})
                .to_string()
                + "\n"
        }
        Format::Text => format!(
            "job {} batch {} {}: {} of {} done ({} completed, {} failed)\n",
            job.id,
            v.id,
            v.status,
            v.completed + v.failed,
            v.total,
            v.completed,
            v.failed
        ),
    }
}

/// The fetched files of a job: (output and error files that hold lines, batch object).
pub fn fetched_files(store: &JobStore, job: &Job) -> Result<(Vec<PathBuf>, PathBuf)> {
    if !job.fetched {
        return Err(fail(
            exit::USAGE,
            format!("job {} is not fetched yet: run assay fetch {}", job.id, job.id),
        ));
    }
    let dir = store.job_dir(job.id);
    let files: Vec<PathBuf> = ["output.jsonl", "errors.jsonl", "results.jsonl"]
        .iter()
        .map(|f| dir.join(f))
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
        .collect();
    Ok((files, dir.join("batch.json")))
}

/// Fills `--input`, `--results` and `--batch-object` of `assay eval --job`.
pub fn fill_eval_args(args: &mut EvalArgs, id: i64) -> Result<()> {
    let store = open_store(&args.state)?;
    let job = get_job(&store, id)?;
    let (files, batch) = fetched_files(&store, &job)?;
    let sha = assay::jobs::key::file_sha256(&job.input).map_err(|e| {
        fail(
            exit::INPUT,
            format!("job {id}: cannot read its input {}: {e}", job.input.display()),
        )
    })?;
    if sha != job.input_sha256 {
        return Err(fail(
            exit::INPUT,
            format!(
                "job {id}: its input {} changed since it was submitted",
                job.input.display()
            ),
        ));
    }
    if files.is_empty() {
        return Err(fail(
            exit::INPUT,
            format!("job {id}: the provider returned no result lines"),
        ));
    }
    args.input = Some(job.input.clone());
    args.results = vec![
        files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(","),
    ];
    args.batch_objects = vec![batch];
    // The run goes on the job's trend line unless --tag names another.
    if args.history.tag.is_none() {
        args.history.tag = job.tag.clone();
    }
    if args.provider == Provider::Auto {
        args.provider = JobProvider::of(&job)?.eval_provider();
    }
    Ok(())
}
