//! `assay status` (one look) and `assay watch` (poll until the job ends).
//!
//! Invariant: watching only reads; stopping it (Ctrl-C) and rerunning is safe,
//! and its progress goes to stderr so stdout carries only the final line.

use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use assay::jobs::{Job, JobStore};

use super::exit;
use super::job_args::{JobArgs, WatchArgs};
use super::job_client::{BatchState, JobClient};
use super::job_ctx::{client_for, get_job, open_store, refresh, runtime, show};

pub fn status(a: JobArgs) -> Result<i32> {
    let store = open_store(&a.state)?;
    let job = get_job(&store, a.job)?;
    let client = client_for(&job)?;
    let (v, _) = runtime()?.block_on(refresh(&store, &client, &job))?;
    super::out::emit(&show(&job, &v, a.format))?;
    Ok(exit::OK)
}

/// Polls the job's batch with a growing wait (1.5x per poll, up to 60 s)
/// until it ends, with a progress line on stderr.
pub async fn wait(store: &JobStore, client: &JobClient, job: &Job, interval: Duration) -> Result<BatchState> {
    let mut wait = interval;
    loop {
        let (v, _) = refresh(store, client, job).await?;
        if v.terminal {
            assay::note!();
            return Ok(v);
        }
        let _ = write!(
            std::io::stderr(),
            "\rjob {} {}: {}/{} done   ",
            job.id,
            v.status,
            v.completed + v.failed,
            v.total
        );
        let _ = std::io::stderr().flush();
        tokio::time::sleep(wait).await;
        wait = wait.mul_f64(1.5).min(Duration::from_secs(60));
    }
}

pub fn watch(a: WatchArgs) -> Result<i32> {
    let store = open_store(&a.job.state)?;
    let job = get_job(&store, a.job.job)?;
    let client = client_for(&job)?;
    let v = runtime()?.block_on(wait(&store, &client, &job, Duration::from_millis(a.interval_ms)))?;
    super::out::emit(&show(&job, &v, a.job.format))?;
    Ok(if v.failed_batch { exit::PROVIDER } else { exit::OK })
}
