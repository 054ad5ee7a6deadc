//! `assay fetch`: download a finished job's result files (OpenAI's output
//! and error files, Anthropic's results stream), with its batch object
//! beside them, into the job's directory.
//!
//! Invariant: each file lands whole or not at all (temporary file, length
//! check, rename), the batch object is written last, and the job counts as
//! fetched only after all of them; a file shorter than the batch object's
//! counts is downloaded again once, then kept and reported, never padded.
//! A `.part-*` file a killed fetch left behind is removed by the next one.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use assay::jobs::{Job, JobStore};
use serde_json::json;

use super::args::Format;
use super::exit;
use super::job_args::JobArgs;
use super::job_client::{BatchState, JobClient};
use super::job_ctx::{client_for, fail, get_job, open_store, provider_fail, refresh, runtime};

fn lines(path: &Path) -> u64 {
    std::fs::read(path).map_or(0, |b| b.split(|c| *c == b'\n').filter(|l| !l.is_empty()).count() as u64)
}

/// Removes `.part-*` files a killed download left in the job directory
/// (ours: the job directory holds only what assay wrote).
fn clear_partials(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        if e.file_name().to_string_lossy().starts_with(".part-") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Downloads the job's files into its directory and marks it fetched;
/// returns the batch and the result lines the files hold.
pub async fn fetch(store: &JobStore, client: &JobClient, job: &Job) -> Result<(BatchState, u64)> {
    let dir = store.job_dir(job.id);
    std::fs::create_dir_all(&dir).map_err(|e| fail(exit::INPUT, format!("{}: {e}", dir.display())))?;
    clear_partials(&dir);
    let (v, obj) = refresh(store, client, job).await?;
    if !v.terminal {
        return Err(fail(
            exit::USAGE,
            format!("job {} is still {}: run assay watch {}", job.id, v.status, job.id),
        ));
    }
    let mut held = 0;
    for round in 0..2 {
        held = 0;
        for (what, name) in &v.files {
            client.download(what, &dir.join(name)).await.map_err(provider_fail)?;
            held += lines(&dir.join(name));
        }
        if held >= v.completed + v.failed || round == 1 {
            break;
        }
    }
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| fail(exit::INPUT, e))?;
    tmp.write_all(serde_json::to_string_pretty(&obj)?.as_bytes())
        .map_err(|e| fail(exit::INPUT, e))?;
    tmp.persist(dir.join("batch.json"))
        .map_err(|e| fail(exit::INPUT, e.error))?;
    store.set_fetched(job.id).map_err(|e| fail(exit::INPUT, e))?;
    Ok((v, held))
}

pub fn run(a: JobArgs) -> Result<i32> {
    let store = open_store(&a.state)?;
    let job = get_job(&store, a.job)?;
    let client = client_for(&job)?;
    let dir = store.job_dir(job.id);
    let (v, held) = runtime()?.block_on(fetch(&store, &client, &job))?;
    let stated = v.completed + v.failed;
    if held < stated {
        assay::note!(
            "warning: job {}: the batch object counts {stated} answered requests, the files hold {held} lines; `assay eval --job {}` reconciles them",
            job.id,
            job.id
        );
    }
    let text = match a.format {
        Format::Json => {
            json!({"job": job.id, "status": v.status, "dir": dir, "lines": held, "answered": stated}).to_string() + "\n"
        }
        Format::Text => format!(
            "job {} {}: {held} result lines in {}\n",
            job.id,
            v.status,
            dir.display()
        ),
    };
    super::out::emit(&text)?;
    Ok(exit::OK)
}
