//! The two sides of a drift audit: the live audit's batch job (sample,
//! submit, wait, fetch), the sync answers written beside the store, and the
//! evaluation that pairs them.
//!
//! Invariant: the live sample is written under a name made from its content,
//! so the same sample is always the same job input; every file here is
//! written whole or not at all.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use assay::jobs::JobStore;
use assay::report::Summary;
use clap::Parser;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::super::exit;
use super::super::job_args::DriftAuditArgs;
use super::super::job_client::JobClient;
use super::super::job_ctx::{fail, get_job, provider_fail, runtime};
use super::super::sample::Quota;

/// Writes `lines` to `path` whole or not at all; keeps an existing file
/// when `keep` (a content-addressed file is already what it would be).
pub fn write_whole(path: &Path, lines: &[String], keep: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let out = |e: &dyn std::fmt::Display| fail(exit::OUTPUT, format!("{}: {e}", path.display()));
    std::fs::create_dir_all(dir).map_err(|e| out(&e))?;
    if keep && path.exists() {
        return Ok(());
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| out(&e))?;
    for l in lines {
        writeln!(tmp, "{l}").map_err(|e| out(&e))?;
    }
    tmp.as_file().sync_all().map_err(|e| out(&e))?;
    tmp.persist(path).map_err(|e| out(&e.error))?;
    Ok(())
}

/// `<state dir>/audits`, beside `<state dir>/jobs`.
pub fn audits_root(store: &JobStore) -> PathBuf {
    let jobs = store.job_dir(0);
    jobs.parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
        .join("audits")
}

/// Sends the sampled lines through the sync API and writes the answers as
/// `sync_output.jsonl` / `sync_errors.jsonl` in `dir`; returns the files
/// that hold lines.
pub fn sync_side(
    client: &JobClient,
    picked: Vec<(String, Value)>,
    concurrency: u32,
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let answers = super::super::canary::sync_answers(client, picked, concurrency)?;
    let mut files = Vec::new();
    for (ok, name) in [(true, "sync_output.jsonl"), (false, "sync_errors.jsonl")] {
        let lines: Vec<String> = answers.iter().filter(|a| a.0 == ok).map(|a| a.1.clone()).collect();
        if !lines.is_empty() {
            write_whole(&dir.join(name), &lines, false)?;
            files.push(dir.join(name));
        }
    }
    Ok(files)
}

/// What a mode settled before the evaluation: the job (if any), the
/// arguments naming the batch side, and the sync files.
pub struct Sides {
    pub job: Option<i64>,
    pub batch_args: Vec<String>,
    pub sync: Vec<PathBuf>,
}

/// The live audit: sample, submit the sample as a batch, wait, fetch, and
/// send the same rows through the sync API.
pub fn live(
    store: &JobStore,
    a: &DriftAuditArgs,
    input: &Path,
    audit: i64,
    dir: &Path,
    state_args: Vec<String>,
) -> Result<Sides> {
    let provider = a.provider.ok_or_else(|| fail(exit::USAGE, "--provider is required"))?;
    let client =
        JobClient::from_env(provider, a.base_url.as_deref(), a.azure.api_version.as_deref()).map_err(provider_fail)?;
    let quota = Quota::Total(a.pairs.unwrap_or(0));
    let picked = super::super::sample::rows(input, a.seed, a.segment_size, quota, |_| true)?;
    let lines: Vec<String> = picked.iter().map(|(_, v)| v.to_string()).collect();
    let sha = hex::encode(Sha256::digest(lines.join("\n")));
    // Content-addressed, so the same sample is the same job's input.
    let sample = audits_root(store).join(format!("sample-{}.jsonl", &sha[..16]));
    write_whole(&sample, &lines, true)?;
    let sub = super::super::submit::submit(store, &client, &sample, &Default::default())?;
    store
        .set_audit_job(audit, sub.job.id)
        .map_err(|e| fail(exit::INPUT, e))?;
    // The job as recorded now, with its batch id.
    let job = get_job(store, sub.job.id)?;
    let rt = runtime()?;
    let v = rt.block_on(super::super::status::wait(
        store,
        &client,
        &job,
        Duration::from_millis(a.interval_ms),
    ))?;
    if v.failed_batch {
        return Err(fail(
            exit::PROVIDER,
            format!("the audit's batch {} (job {}) failed", v.id, job.id),
        ));
    }
    if !job.fetched {
        rt.block_on(super::super::fetch::fetch(store, &client, &job))?;
    }
    drop(rt);
    let sync = sync_side(&client, picked, a.concurrency, dir)?;
    let mut batch_args = vec!["--job".to_owned(), job.id.to_string()];
    batch_args.extend(state_args);
    Ok(Sides {
        job: Some(job.id),
        batch_args,
        sync,
    })
}

/// `assay eval` on the batch side with the sync side as `--sync-results`.
pub fn evaluate(a: &DriftAuditArgs, sides: &Sides) -> Result<Summary> {
    let mut argv: Vec<String> = vec!["assay".into(), "eval".into()];
    argv.extend(sides.batch_args.iter().cloned());
    for s in &sides.sync {
        argv.extend(["--sync-results".into(), s.display().to_string()]);
    }
    argv.extend(["--judge".into(), a.judge.clone()]);
    for s in &a.sets {
        argv.extend(["--set".into(), s.clone()]);
    }
    for d in &a.plugin_dirs {
        argv.extend(["--plugin-dir".into(), d.display().to_string()]);
    }
    argv.extend(["--segment-size".into(), a.segment_size.to_string(), "--quiet".into()]);
    let cli = super::super::args::Cli::try_parse_from(&argv).map_err(|e| fail(exit::USAGE, e))?;
    let super::super::args::Command::Eval(e) = cli.command else {
        return Err(fail(
            exit::INTERNAL,
            "drift-audit: eval arguments did not parse as eval",
        ));
    };
    let done = super::super::eval::evaluate(*e, assay::history::RunKind::DriftAudit)?;
    done.finish();
    let super::super::eval::Evaluated {
        summary,
        bad_lines_over,
        ..
    } = done;
    if bad_lines_over {
        return Err(fail(
            exit::INPUT,
            format!(
                "{} bad line(s) in the audited files; first: {}",
                summary.bad_lines.count,
                summary.bad_lines.first()
            ),
        ));
    }
    Ok(summary)
}
