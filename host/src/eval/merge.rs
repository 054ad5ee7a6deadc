//! `assay merge`: the N partials of a sharded run back into one run's
//! tables, then the same summarize, aggregate and gate code one run uses.
//!
//! Aggregators (`begin`/`observe`/`finish` in wit/v0.1/judge.wit) are not
//! merged from partial results: they run here, once, over every row's
//! observation in submission order, rebuilt from the partials; no WIT
//! change is needed.
//!
//! Invariant: a merge succeeds only on exactly shards `0..N` of one run
//! (same fingerprint of inputs, judges and settings, same N), each whole,
//! and then every submitted row is restored exactly once; anything else is
//! refused naming the file and the reason.

mod check;
mod rebuild;

pub use check::check;
pub use rebuild::{Rebuilt, rebuild};

use std::path::PathBuf;
use std::sync::Arc;

use super::aggregate::{self, AggInputs};
use super::emit;
use super::judges::PreparedJudge;
use super::partial::PartialError;
use super::summarize::{self, Parts};
use super::verdicts::Limit;
use super::{EvalError, GateConfig, snapshots};
use crate::report::failed::{DEFAULT_CAP, FailedRows};
use crate::report::summary::Summary;
use crate::sink::RowSink;
use crate::sink::failed::FailedRowsSink;

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(transparent)]
    Partial(#[from] PartialError),
    #[error("no partial given")]
    Empty,
    #[error("{path}: {what} differs from {first}'s: not a shard of the same run")]
    Mismatch {
        path: PathBuf,
        first: PathBuf,
        what: String,
    },
    #[error("{path}: shard {index} of {of}, but {first} is a shard of {expected}")]
    WrongCount {
        path: PathBuf,
        index: u32,
        of: u32,
        first: PathBuf,
        expected: u32,
    },
    #[error("shard {index}/{of} given twice: {a} and {b}")]
    Duplicate {
        index: u32,
        of: u32,
        a: PathBuf,
        b: PathBuf,
    },
    #[error("missing shard(s) {missing} of {of}: every shard 0..{of} must be given once")]
    Missing { missing: String, of: u32 },
    #[error("{path}: row {idx} {reason}")]
    Row { path: PathBuf, idx: u32, reason: String },
    #[error("{count} of {rows} rows are in no partial (first: row {first})")]
    RowsMissing { count: u64, rows: u64, first: u32 },
    #[error("judge '{judge}': the partials were scored by sha256 {expected}; the judge found now is {found}")]
    JudgeChanged {
        judge: String,
        expected: String,
        found: String,
    },
    #[error(transparent)]
    Eval(#[from] EvalError),
}

/// The merged run, as `assay eval` would have finished it.
pub struct Merged {
    pub summary: Summary,
    /// More bad lines than `--max-bad-lines`.
    pub bad_lines_over: bool,
    /// The failed rows for `--report`, when asked for.
    pub failed: Option<FailedRows>,
}

/// The merged run's summary, built as `assay eval` builds one; with
/// `report`, its failed rows too, collected by the same sink as `--report`'s.
pub async fn summarize(
    header: &super::partial::Header,
    mut judges: Vec<PreparedJudge>,
    t: Rebuilt,
    gates: &GateConfig,
    report: bool,
) -> Result<Merged, MergeError> {
    let rows = t.ledger.len();
    let limit = Limit {
        allowed: (header.max_judge_error_rate * rows as f64).floor() as u64,
        rate: header.max_judge_error_rate,
        rows: rows as u64,
    };
    if let Some(e) = t.store.over_limit(&limit) {
        return Err(e.into());
    }
    let scoring: Vec<usize> = header
        .scoring
        .iter()
        .filter_map(|n| judges.iter().position(|j| &j.info.name == n))
        .collect();
    let segment_size = header.head.segment_size.max(1);
    let (mut judge_summaries, mut logs) =
        summarize::judge_summaries(&judges, &scoring, &t.store, &mut [], segment_size);
    for (t_idx, &j) in scoring.iter().enumerate() {
        if let (Some(s), Some(c)) = (judge_summaries.get_mut(&judges[j].info.name), t.counters.get(t_idx)) {
            s.fuel_used += c.0;
            s.instance_restarts += c.1;
        }
    }
    let quality: Vec<usize> = (0..scoring.len())
        .filter(|&k| judges[scoring[k]].info.quality)
        .collect();
    let provider = assay_batch::Provider::ALL
        .iter()
        .find(|p| p.as_str() == header.head.provider)
        .map_or("", |p| p.as_str());
    let agg = AggInputs {
        ledger: Arc::new(t.ledger),
        models: Arc::new(t.models),
        snapshots: Arc::new(t.snapshots),
        tables: Arc::new(t.store.tables),
        quality: Arc::new(quality),
        rows,
        segment_size,
        provider,
    };
    aggregate::aggregate_all(&mut judges, &scoring, &agg, &mut judge_summaries, &mut logs).await?;
    let failed = match report {
        false => None,
        true => {
            let rows = FailedRowsSink::shared(DEFAULT_CAP);
            let kept = emit::Kept {
                spill: None,
                content: None,
                prompts: None,
            };
            let sinks: Vec<Box<dyn RowSink>> = vec![Box::new(FailedRowsSink::new(rows.clone()))];
            emit::emit(&agg, &t.index, &t.errors, &header.scoring, kept, sinks).map_err(EvalError::from)?;
            Some(FailedRowsSink::take(&rows))
        }
    };
    summarize::note_unscorable(&judges, &mut judge_summaries, header.has_text);
    let ledger = &agg.ledger;
    let bad_over = t.bad.len() as u64 > header.head.max_bad_lines;
    let parts = Parts {
        error_codes: t.errors.top(ledger),
        judges: judge_summaries,
        bad: t.bad,
        reconciliation: header
            .reconcile
            .iter()
            .enumerate()
            .map(|(a, r)| super::reconcile::reconcile(a + 1, &r.source, &r.object, &r.tally, rows as u64))
            .collect(),
        snapshots: snapshots::snapshots(ledger, rows, segment_size, &agg.models, &agg.snapshots),
        sync: None,
        elapsed_ms: 0,
    };
    let mut summary = summarize::summary(&header.head, ledger, parts);
    super::gates::apply(&mut summary, gates)?;
    Ok(Merged {
        summary,
        bad_lines_over: bad_over,
        failed,
    })
}
