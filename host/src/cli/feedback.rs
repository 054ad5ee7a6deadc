//! The feedback loop's canary half at the command line: `assay canary`
//! stores its scores by the input it sampled, `assay submit` links the newest
//! such canary to the job, and `assay eval --job` (or `--canary ID`) holds the
//! batch up against it (`assay::report::canary`).
//!
//! Invariant: a batch is only ever compared with a canary of the same
//! provider and the same input bytes (sha256), so a canary of another input
//! never lends its rates to a job; a canary that cannot be stored is one
//! warning, never the canary's own exit code.

use std::path::Path;

use anyhow::Result;
use assay::jobs::store::{Canary, NewCanary};
use assay::jobs::{Job, JobStore};
use assay::report::Summary;

use super::args::EvalArgs;
use super::exit;
use super::job_ctx::{fail, open_store};

/// Where `assay canary` keeps its scores: the state database.
pub struct CanaryRecord<'a> {
    pub provider: &'a str,
    pub input: &'a Path,
    pub sample: &'a str,
    pub seed: u64,
}

/// Stores the canary's scores; returns its id, or `None` after a warning.
pub fn record_canary(store: Result<JobStore>, c: &CanaryRecord, run: Option<i64>, s: &Summary) -> Option<i64> {
    let stored = store.and_then(|store| {
        let sha = assay::jobs::key::file_sha256(c.input)
            .map_err(|e| fail(exit::INPUT, format!("{}: {e}", c.input.display())))?;
        let new = NewCanary {
            provider: c.provider,
            input_sha256: &sha,
            sample: c.sample,
            seed: c.seed,
            run_id: run,
            summary: s,
        };
        store.insert_canary(&new).map_err(|e| fail(exit::INPUT, e))
    });
    match stored {
        Ok(id) => Some(id),
        Err(e) => {
            assay::note!(
                "warning: the canary's scores were not stored ({e}); a job submitted from this input will have no canary to compare with"
            );
            None
        }
    }
}

/// Links the newest canary of the job's provider and input to `job`;
/// returns it.
pub fn link_canary(store: &JobStore, job: &Job) -> Result<Option<Canary>> {
    let Some(c) = store
        .latest_canary(&job.provider, &job.input_sha256)
        .map_err(|e| fail(exit::INPUT, e))?
    else {
        return Ok(None);
    };
    if job.canary_id != Some(c.id) {
        store.set_canary(job.id, c.id).map_err(|e| fail(exit::INPUT, e))?;
    }
    Ok(Some(c))
}

/// One line naming a canary and its judges' pass rates.
pub fn describe(c: &Canary) -> String {
    let rates: Vec<String> = c
        .judges
        .iter()
        .filter_map(|(n, j)| j.pass_rate().map(|r| format!("{n} {}", assay::report::format::pct(r))))
        .collect();
    format!(
        "canary {} ({} rows{}{})",
        c.id,
        c.rows,
        if rates.is_empty() { "" } else { ": " },
        rates.join(", ")
    )
}

/// The canary `eval` compares with: `--canary ID` (whose input must be the
/// run's input, byte for byte), else the job's own. Checked before the run.
pub fn resolve(args: &EvalArgs) -> Result<Option<Canary>> {
    let p = args.canary_drift_points;
    if !(p.is_finite() && (0.0..=100.0).contains(&p)) {
        return Err(fail(
            exit::USAGE,
            format!("--canary-drift-points {p} must be a number of percentage points within 0..100"),
        ));
    }
    let id = match (args.canary, args.job) {
        (None, None) => return Ok(None),
        (Some(id), _) => id,
        (None, Some(job)) => {
            let store = open_store(&args.state)?;
            match store.get(job).map_err(|e| fail(exit::USAGE, e))?.canary_id {
                Some(id) => id,
                None => return Ok(None),
            }
        }
    };
    let c = open_store(&args.state)?.canary(id).map_err(|e| fail(exit::USAGE, e))?;
    if args.canary.is_some() {
        let input = args.input.as_deref().unwrap_or(Path::new("-"));
        if !std::fs::metadata(input).is_ok_and(|m| m.is_file()) {
            return Err(fail(
                exit::USAGE,
                format!("--canary {id}: the input must be a regular file, to check it is the input the canary sampled"),
            ));
        }
        let sha =
            assay::jobs::key::file_sha256(input).map_err(|e| fail(exit::INPUT, format!("{}: {e}", input.display())))?;
        if sha != c.input_sha256 {
            return Err(fail(
                exit::USAGE,
                format!(
                    "--canary {id} sampled another input than {} (its sha256 differs); a batch is only compared with a canary of its own input",
                    input.display()
                ),
            ));
        }
    }
    Ok(Some(c))
}
