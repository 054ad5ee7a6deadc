//! Settings of `assay eval` read from its arguments: `--set` pairs, rates, gates,
//! the files a run reads, and the exit code of each way a run can fail.
//!
//! Invariant: every `EvalError` has exactly one exit code here, so a new
//! error cannot reach the user without one.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use assay::eval::extras::UnpackError;
use assay::eval::{self, EvalError, GateConfig};

use super::super::args::EvalArgs;
use super::super::exit;
use super::fail;

/// `JUDGE.KEY=VALUE` → (judge, key, value).
pub(super) fn parse_set(s: &str) -> Result<(String, String, String)> {
    let (lhs, value) = s
        .split_once('=')
        .ok_or_else(|| anyhow!("--set {s:?}: expected JUDGE.KEY=VALUE"))?;
    let (judge, key) = lhs
        .split_once('.')
        .ok_or_else(|| anyhow!("--set {s:?}: expected JUDGE.KEY=VALUE"))?;
    if judge.is_empty() || key.is_empty() {
        bail!("--set {s:?}: expected JUDGE.KEY=VALUE");
    }
    if key.starts_with(eval::HOST_KEY_PREFIX) {
        bail!(
            "--set {s:?}: keys starting with '{}' are set by assay itself",
            eval::HOST_KEY_PREFIX
        );
    }
    Ok((judge.to_owned(), key.to_owned(), value.to_owned()))
}

pub(super) fn parse_rate(s: &str, what: &str) -> Result<f64> {
    let v: f64 = s.parse().map_err(|_| anyhow!("{what} {s:?} is not a number"))?;
    if !(0.0..=1.0).contains(&v) {
        bail!("{what} {v} must be a fraction within 0..1");
    }
    Ok(v)
}

/// Every file the run reads: an output may not be any of them.
pub(super) fn input_files(args: &EvalArgs, input: &std::path::Path) -> Vec<PathBuf> {
    let mut files = vec![input.to_owned()];
    files.extend(
        args.results
            .iter()
            .flat_map(|r| r.split(',').filter(|f| !f.is_empty()).map(PathBuf::from)),
    );
    files.extend(args.sync_results.iter().cloned());
    files.extend(args.batch_objects.iter().cloned());
    files
}

/// The exit code of a failed run.
pub(crate) fn eval_error(e: EvalError) -> anyhow::Error {
    match e {
        EvalError::Read(_)
        | EvalError::EmptyAttempt { .. }
        | EvalError::NoRows { .. }
        | EvalError::BadBatchObjectFile { .. }
        | EvalError::TooManyFiles
        | EvalError::Settle(_)
        | EvalError::BatchObject { .. }
        | EvalError::Sync(_)
        | EvalError::Stream { .. }
        | EvalError::Unpack(UnpackError::TooLarge { .. } | UnpackError::Read { .. }) => fail(exit::INPUT, e),
        EvalError::Unpack(UnpackError::Temp { .. }) => fail(exit::OUTPUT, e),
        EvalError::TooManyBatchObjects(..) => fail(exit::USAGE, e),
        EvalError::Judge(_) | EvalError::TooManyFailures { .. } => fail(exit::JUDGE, e),
        EvalError::Write { .. } | EvalError::Sink(_) | EvalError::Spill { .. } => fail(exit::OUTPUT, e),
        EvalError::GateUsage(_) | EvalError::StdinTwice => fail(exit::USAGE, e),
        EvalError::Internal(_) => fail(exit::INTERNAL, e),
        EvalError::Checkpoint(_) | EvalError::Partial(_) => fail(exit::OUTPUT, e),
    }
}

/// `--min-completion`, `--min-pass-rate` and `--strict-reconcile` as the run's gates.
pub fn gate_config(min_completion: Option<f64>, min_pass_rate: &[String], strict: bool) -> Result<GateConfig> {
    let mut pass_gates: Vec<(Option<String>, f64)> = Vec::new();
    for g in min_pass_rate {
        let gate = match g.split_once('=') {
            Some((j, v)) => (Some(j.to_owned()), parse_rate(v, "--min-pass-rate")?),
            None => (None, parse_rate(g, "--min-pass-rate")?),
        };
        pass_gates.push(gate);
    }
    let min_completion = min_completion
        .map(|v| parse_rate(&v.to_string(), "--min-completion"))
        .transpose()
        .map_err(|e| fail(exit::USAGE, e))?;
    Ok(GateConfig {
        min_completion,
        min_pass_rate: pass_gates,
        strict_reconcile: strict,
    })
}
