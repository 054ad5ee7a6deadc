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

use anyhow::Result;
use assay::jobs::store::{AuditResult, NewAudit};
use serde_json::json;

use super::args::Format;
use super::exit;
use super::job_args::{DriftAuditArgs, JobProvider};
use super::job_ctx::{client_for, fail, fetched_files, get_job, open_store};
use super::sample::Quota;

mod list;
mod sides;

use sides::{Sides, audits_root, evaluate, live, sync_side};

pub fn run(a: DriftAuditArgs) -> Result<i32> {
    let store = open_store(&a.state)?;
    if a.list {
        return list::list(&store, a.format);
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
                let done: BTreeSet<String> = super::recover::outcomes(JobProvider::of(&job)?, &files)?
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
                batch_args.extend(["--provider".to_owned(), p.name().to_owned()]);
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
