//! `assay drift-audit`: compare batch and sync answers for the same rows with
//! a drift judge (`batch-sync-drift`) and store the audit with its job.
//!
//! Three ways in: live (`--input --pairs`: a seeded, segment-stratified
//! sample is submitted as a small batch through the job commands' own
//! submit, watch and fetch, and sent through the sync API), a fetched job
//! (`--job`: a sample of the rows its batch completed goes through the sync
//! API, unless `--sync-results` gives the answers), and files (`--input
//! --results --sync-results`: no provider call).
//!
//! Invariant: every check that can refuse the audit runs before it is
//! recorded, and it is recorded before any provider call; the batch side of a
//! live audit is a job like any other, so rerunning the same sample reuses
//! its batch and never submits it twice; the score stored is exactly what the
//! drift judge reported through `assay eval --sync-results`.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use assay::jobs::JobStore;
use assay::jobs::store::{AuditResult, NewAudit};
use assay::report::Summary;
use clap::Parser;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::args::Format;
use super::exit;
use super::job_args::DriftAuditArgs;
use super::job_ctx::{client, client_for, fail, fetched_files, get_job, open_store, provider_name, runtime};
use super::sample::Quota;

/// Writes `lines` to `path` whole or not at all; keeps an existing file
/// when `keep` (a content-addressed file is already what it would be).
fn write_whole(path: &Path, lines: &[String], keep: bool) -> Result<()> {
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
fn audits_root(store: &JobStore) -> PathBuf {
    let jobs = store.job_dir(0);
    jobs.parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
        .join("audits")
}

/// Sends the sampled lines through the sync API and writes the answers as
/// `sync_output.jsonl` / `sync_errors.jsonl` in `dir`; returns the files
/// that hold lines.
fn sync_side(
    client: &assay_provider::OpenAi,
    picked: Vec<(String, Value)>,
    concurrency: u32,
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let answers = super::canary::sync_answers(client, picked, concurrency)?;
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
struct Sides {
    job: Option<i64>,
    batch_args: Vec<String>,
    sync: Vec<PathBuf>,
}

pub fn run(a: DriftAuditArgs) -> Result<i32> {
    let store = open_store(&a.state)?;
    if a.list {
        return list(&store, a.format);
    }
    let usage = |m: &str| fail(exit::USAGE, m);
    let state_args: Vec<String> = a
        .state
        .state
        .iter()
        .flat_map(|s| ["--state".to_owned(), s.display().to_string()])
        .collect();
    let has_sync = !a.sync_results.is_empty();
    // Every refusal first: nothing is recorded for an audit that cannot run.
    let job = match a.job {
        Some(id) => {
            let job = get_job(&store, id)?;
            fetched_files(&store, &job)?;
            Some(job)
        }
        None => None,
    };
    if job.is_none() && a.input.is_none() {
        return Err(usage(
            "give --input and --pairs (a live audit), --job JOB, or --input with --results and --sync-results (fetched files)",
        ));
    }
    if job.is_none() && a.results.is_empty() && has_sync {
        return Err(usage(
            "--sync-results goes with --job or --results: a live audit gets its own sync answers",
        ));
    }
    if !a.results.is_empty() && !has_sync {
        return Err(usage("--results needs --sync-results: the sync side of the pairs"));
    }
    if !has_sync && a.pairs.is_none() {
        return Err(usage("--pairs N is required: how many rows to send through both paths"));
    }
    if job.is_none() && a.results.is_empty() && a.provider.is_none() {
        return Err(usage("--provider is required for a live audit"));
    }
    let input_shown = match (&job, &a.input) {
        (Some(j), _) => j.input.display().to_string(),
        (None, Some(i)) => i.display().to_string(),
        (None, None) => String::new(),
    };
    let audit = store
        .insert_audit(&NewAudit {
            input: &input_shown,
            judge: &a.judge,
            pairs_asked: a.pairs.filter(|_| !has_sync),
            seed: a.seed,
        })
        .map_err(|e| fail(exit::INPUT, e))?;
    let dir = audits_root(&store).join(audit.to_string());
    let sides = match (job, a.input.as_deref()) {
        (Some(job), _) => {
            store.set_audit_job(audit, job.id).map_err(|e| fail(exit::INPUT, e))?;
            let sync = if has_sync {
                a.sync_results.clone()
            } else {
                let (files, _) = fetched_files(&store, &job)?;
                let done: BTreeSet<String> = super::recover::outcomes(&files)?
                    .into_iter()
                    .filter(|(_, o)| o.0)
                    .map(|(id, _)| id)
                    .collect();
                let quota = Quota::Total(a.pairs.unwrap_or(0));
                let picked = super::sample::rows(&job.input, a.seed, a.segment_size, quota, |id| done.contains(id))?;
                sync_side(&client_for(&job)?, picked, a.concurrency, &dir)?
            };
            let mut batch_args = vec!["--job".to_owned(), job.id.to_string()];
            batch_args.extend(state_args);
            Sides {
                job: Some(job.id),
                batch_args,
                sync,
            }
        }
        (None, Some(input)) if !a.results.is_empty() => {
            let mut batch_args = vec!["--input".to_owned(), input.display().to_string()];
            for r in &a.results {
                batch_args.extend(["--results".to_owned(), r.clone()]);
            }
            if let Some(p) = a.provider {
                batch_args.extend(["--provider".to_owned(), provider_name(p).to_owned()]);
            }
            Sides {
                job: None,
                batch_args,
                sync: a.sync_results.clone(),
            }
        }
        (None, Some(input)) => live(&store, &a, input, audit, &dir, state_args)?,
        (None, None) => return Err(fail(exit::INTERNAL, "drift-audit: no input after the checks")),
    };
    let summary = evaluate(&a, &sides)?;
    let drift = summary.judges.get(&a.judge).ok_or_else(|| {
        fail(
            exit::INTERNAL,
            format!("drift-audit: judge {} is not in the summary", a.judge),
        )
    })?;
    let m = &drift.metrics;
    let pairs = m.get("pairs").copied().ok_or_else(|| {
        fail(
            exit::USAGE,
            format!(
                "judge {} reports no 'pairs' metric: drift-audit needs a batch-versus-sync judge such as batch-sync-drift",
                a.judge
            ),
        )
    })? as u64;
    let mean = m.get("mean_score").copied();
    let band = match m.get("band").map(|b| *b as u8) {
        _ if pairs == 0 => "no-pairs",
        Some(2) => "regression",
        Some(1) => "soft-drift",
        _ => "none",
    };
    let metrics = serde_json::to_value(m)?;
    let sync: Vec<String> = sides.sync.iter().map(|p| p.display().to_string()).collect();
    store
        .finish_audit(
            audit,
            &AuditResult {
                pairs,
                mean_score: mean,
                band,
                metrics: &metrics,
                sync_results: &sync,
            },
        )
        .map_err(|e| fail(exit::INPUT, e))?;
    let text = match a.format {
        Format::Json => {
            serde_json::to_string_pretty(
                &json!({"audit": audit, "job": sides.job, "judge": a.judge, "pairs": pairs,
                "mean_score": mean, "band": band, "metrics": metrics, "alarms": drift.alarms, "sync_results": sync}),
            )? + "\n"
        }
        Format::Text => {
            let mut t = format!(
                "drift audit {audit}{}: {pairs} pairs, mean score {}, band {band}\n",
                sides.job.map(|j| format!(" (job {j})")).unwrap_or_default(),
                mean.map_or("n/a".to_owned(), |v| format!("{v:.3}"))
            );
            for al in &drift.alarms {
                t.push_str(&format!(
                    "  {}: {}\n",
                    al.kind,
                    assay::report::terminal::sanitize(&al.message)
                ));
            }
            t
        }
    };
    super::out::emit(&text)?;
    Ok(exit::OK)
}

/// The live audit: sample, submit the sample as a batch, wait, fetch, and
/// send the same rows through the sync API.
fn live(
    store: &JobStore,
    a: &DriftAuditArgs,
    input: &Path,
    audit: i64,
    dir: &Path,
    state_args: Vec<String>,
) -> Result<Sides> {
    let provider = a.provider.ok_or_else(|| fail(exit::USAGE, "--provider is required"))?;
    let client = client(provider, a.base_url.as_deref(), a.azure.api_version.as_deref())?;
    let quota = Quota::Total(a.pairs.unwrap_or(0));
    let picked = super::sample::rows(input, a.seed, a.segment_size, quota, |_| true)?;
    let lines: Vec<String> = picked.iter().map(|(_, v)| v.to_string()).collect();
    let sha = hex::encode(Sha256::digest(lines.join("\n")));
    // Content-addressed, so the same sample is the same job's input.
    let sample = audits_root(store).join(format!("sample-{}.jsonl", &sha[..16]));
    write_whole(&sample, &lines, true)?;
    let sub = super::submit::submit(store, &client, provider_name(provider), &sample)?;
    store
        .set_audit_job(audit, sub.job.id)
        .map_err(|e| fail(exit::INPUT, e))?;
    // The job as recorded now, with its batch id.
    let job = get_job(store, sub.job.id)?;
    let rt = runtime()?;
    let v = rt.block_on(super::status::wait(
        store,
        &client,
        &job,
        Duration::from_millis(a.interval_ms),
    ))?;
    if v.status == "failed" {
        return Err(fail(
            exit::PROVIDER,
            format!("the audit's batch {} (job {}) failed", v.id, job.id),
        ));
    }
    if !job.fetched {
        rt.block_on(super::fetch::fetch(store, &client, &job))?;
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
fn evaluate(a: &DriftAuditArgs, sides: &Sides) -> Result<Summary> {
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
    let cli = super::args::Cli::try_parse_from(&argv).map_err(|e| fail(exit::USAGE, e))?;
    let super::args::Command::Eval(e) = cli.command else {
        return Err(fail(
            exit::INTERNAL,
            "drift-audit: eval arguments did not parse as eval",
        ));
    };
    let (summary, bad_lines_over) = super::eval::evaluate(*e)?;
    if bad_lines_over {
        return Err(fail(
            exit::INPUT,
            format!(
                "{} bad line(s) in the audited files; first: {}",
                summary.bad_lines.count,
                summary
                    .bad_lines
                    .lines
                    .first()
                    .map(|b| format!("{}:{}: {}", b.file, b.line, b.reason))
                    .unwrap_or_default()
            ),
        ));
    }
    Ok(summary)
}

/// `--list`: every stored audit, oldest first.
fn list(store: &JobStore, format: Format) -> Result<i32> {
    let audits = store.audits().map_err(|e| fail(exit::INPUT, e))?;
    let text = match format {
        Format::Json => serde_json::to_string_pretty(&audits)? + "\n",
        Format::Text => {
            let mut t = String::from("audit job  status   pairs  mean   band        judge              input\n");
            for x in &audits {
                t.push_str(&format!(
                    "{:<5} {:<4} {:<8} {:>5}  {:<6} {:<11} {:<18} {}\n",
                    x.id,
                    x.job.map_or("-".to_owned(), |j| j.to_string()),
                    x.status,
                    x.pairs.map_or("-".to_owned(), |p| p.to_string()),
                    x.mean_score.map_or("-".to_owned(), |m| format!("{m:.3}")),
                    x.band.as_deref().unwrap_or("-"),
                    x.judge,
                    x.input
                ));
            }
            t
        }
    };
    super::out::emit(&text)?;
    Ok(exit::OK)
}
