//! A run the host stopped: the logs every scorer captured until then, and
//! what an author needs to replay the first failing row alone.
//!
//! Invariant: a stopped run loses none of the captured log the finished run
//! would have printed up to that point; the replay names the judge, the row,
//! the reason and the judge's own `--set` configuration.

use std::path::PathBuf;
use std::sync::Arc;

use super::error::EvalError;
use super::judges::{HOST_KEY_PREFIX, PreparedJudge};
use super::summarize::JudgeLog;
use super::{EvalStop, Scorer};
use crate::judge::StartError;
use crate::judge::budget::{BudgetExceeded, FirstFailure, RunBudget};

/// The first row the host stopped for the judge that stopped the run.
#[derive(Debug, Clone)]
pub struct Repro {
    pub judge: String,
    pub first: FirstFailure,
    /// The judge's configuration as the user set it (no `assay.*` facts).
    pub config: Vec<(String, String)>,
    /// The directory holding the judge's manifest, when it came from
    /// `--plugin-dir` (the replay needs it too).
    pub plugin_dir: Option<PathBuf>,
}

/// `error` with the logs of every worker's scorers (`scoring[t]` is the
/// judge index of scorer `t`) and, for a judge the host stopped, its replay.
pub fn stopped(
    error: EvalError,
    mut scorers_by_worker: Vec<Vec<Scorer>>,
    judges: &[PreparedJudge],
    scoring: &[usize],
    budgets: &[Arc<RunBudget>],
) -> EvalStop {
    let mut judge_logs: Vec<JudgeLog> = Vec::new();
    for (t, &j) in scoring.iter().enumerate() {
        let mut lines = Vec::new();
        for worker in scorers_by_worker.iter_mut() {
            if let Some(sc) = worker.get_mut(t) {
                sc.close();
                lines.append(&mut sc.take_log());
            }
        }
        judge_logs.push((judges[j].info.name.clone(), lines));
    }
    let repro = stopped_judge(&error).and_then(|name| {
        let t = scoring.iter().position(|&j| judges[j].info.name == name)?;
        let pj = &judges[scoring[t]];
        let first = budgets.get(t)?.first_failure()?;
        let entry = &pj.loaded.entry;
        Some(Repro {
            judge: name.to_owned(),
            first,
            config: pj
                .config
                .iter()
                .filter(|(k, _)| !k.starts_with(HOST_KEY_PREFIX))
                .cloned()
                .collect(),
            plugin_dir: (entry.origin == "--plugin-dir")
                .then(|| entry.path.parent().map(PathBuf::from))
                .flatten(),
        })
    });
    EvalStop {
        error,
        judge_logs,
        repro,
        names: Vec::new(),
    }
}

/// The judge the host stopped for failing too many rows, if that is why the run stopped.
fn stopped_judge(error: &EvalError) -> Option<&str> {
    match error {
        EvalError::TooManyFailures { judge, .. } => Some(judge),
        EvalError::Judge(StartError::Stopped {
            judge,
            reason: BudgetExceeded::Failures { .. },
        }) => Some(judge),
        _ => None,
    }
}
