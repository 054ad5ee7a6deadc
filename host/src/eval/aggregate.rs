//! The aggregation stage: every aggregating judge sees one slim observation
//! per submitted row, in submission order, then reports metrics and alarms.
//!
//! Invariant: observations are built from the final ledger and verdict
//! tables, so they are identical whatever the worker count or chunking; an
//! aggregator failure becomes an error in that judge's report only.

use std::collections::BTreeMap;
use std::sync::Arc;

use assay_batch::{Interner, Ledger};

use super::calls::Aggregator;
use super::error::EvalError;
use super::judges::PreparedJudge;

use super::rows::{wit_flags, wit_status, wit_usage};
use super::table::{CellView, VerdictTable};
use crate::judge::JudgeInstance;
use crate::judge::bindings::types as wit;
use crate::judge::state::LogLine;
use crate::report::summary::{Alarm, JudgeSummary, SegmentValue};

/// Observations per `observe` call: large enough to amortize the crossing,
/// small enough to keep the guest's input buffer modest.
const OBSERVE_CHUNK: usize = 2048;

/// Everything an aggregator reads, shared read-only so that aggregators
/// (one per judge) run on separate threads at once.
#[derive(Clone)]
pub struct AggInputs {
    pub ledger: Arc<Ledger>,
    pub models: Arc<Interner>,
    pub snapshots: Arc<Interner>,
    pub tables: Arc<Vec<VerdictTable>>,
    pub quality: Arc<Vec<usize>>,
    pub rows: usize,
    pub segment_size: u32,
    pub provider: &'static str,
}

impl AggInputs {
    /// Whether every quality judge passed the row; none when no quality judge
    /// ran or the row was not completed.
    pub fn validated(&self, idx: u32) -> Option<bool> {
        self.validated_as(idx, self.ledger.status(idx))
    }

    /// [`AggInputs::validated`] for a row whose final status is known.
    fn validated_as(&self, idx: u32, status: assay_batch::Status) -> Option<bool> {
        if self.quality.is_empty() || status != assay_batch::Status::Completed {
            return None;
        }
        Some(self.quality.iter().all(|&j| self.tables[j].passed_row(idx)))
    }
}

/// Runs every judge's aggregator at once, one task each, over the shared
/// finished tables; folds each report into that judge's summary and adds its
/// log to `logs`. `scoring[t]` is the judge index of scorer `t`. A task that
/// ends without an answer (a panic in the host) fails the run: a judge's
/// gate must never vanish with it.
pub async fn aggregate_all(
    judges: &mut [PreparedJudge],
    scoring: &[usize],
    input: &AggInputs,
    summaries: &mut BTreeMap<String, JudgeSummary>,
    logs: &mut Vec<(String, Vec<LogLine>)>,
) -> Result<(), EvalError> {
    let mut running = Vec::new();
    for (j, pj) in judges.iter_mut().enumerate() {
        let own = scoring.iter().position(|&x| x == j);
        // Only judges with an aggregator leave the map here; the rest keep their summary.
        if let Some(inst) = pj.aggregator.take()
            && let Some(s) = summaries.remove(&pj.info.name)
        {
            let task = super::thread::spawn(aggregate(inst, own, input.clone(), s));
            running.push((pj.info.name.clone(), task));
        }
    }
    for (name, task) in running {
        let (mut inst, s) = task.await.map_err(|e| EvalError::task("aggregator", e))?;
        logs.push((format!("{name} (aggregator)"), inst.take_log()));
        summaries.insert(name, s);
    }
    Ok(())
}

/// Runs one aggregator over all rows and folds its report into `summary`;
/// hands the aggregator back for its log.
pub async fn aggregate(
    mut inst: Aggregator,
    own_table: Option<usize>,
    input: AggInputs,
    mut summary: JudgeSummary,
) -> (Aggregator, JudgeSummary) {
    match run(&mut inst, own_table, &input).await {
        Ok(report) => {
            for m in report.metrics {
                match m.segment {
                    None => {
                        summary.metrics.insert(m.name, m.value);
                    }
                    Some(segment) => summary.segment_metrics.entry(m.name).or_default().push(SegmentValue {
                        segment,
                        value: m.value,
                    }),
                }
            }
            summary.alarms.extend(report.alarms.into_iter().map(|a| Alarm {
                kind: a.kind,
                segment: a.segment,
                message: a.message,
            }));
        }
        Err(e) => summary.aggregator_error = Some(e),
    }
    summary.fuel_used += inst.fuel_used();
    (inst, summary)
}

/// Every interned name, by id (id 0 is the empty name).
fn names(i: &Interner) -> Vec<&str> {
    (0..i.len().min(usize::from(u16::MAX) + 1))
        .map(|id| i.get(id as u16))
        .collect()
}

async fn run(inst: &mut Aggregator, own_table: Option<usize>, input: &AggInputs) -> Result<wit::Report, String> {
    let (models, snapshots) = (names(&input.models), names(&input.snapshots));
    let info = wit::RunInfo {
        rows_submitted: input.rows as u64,
        segment_size: input.segment_size,
        provider: input.provider,
        models: &models,
        snapshots: &snapshots,
    };
    let l = &input.ledger;
    let observations = (0..input.rows as u32).map(|idx| {
        let verdict = own_table.and_then(|t| match input.tables[t].get(idx) {
            CellView::Verdict { passed, score, label } => Some(wit::SlimVerdict { score, label, passed }),
            _ => None,
        });
        // One look at the row for all it holds.
        let row = l.settled(idx);
        wit::Observation {
            index: u64::from(idx),
            segment: idx / input.segment_size,
            status: wit_status(row.status),
            flags: wit_flags(row.flags),
            model: u32::from(row.model),
            snapshot: (row.snapshot != Interner::NONE).then_some(u32::from(row.snapshot)),
            attempt: u32::from(row.attempt),
            usage: wit_usage(&row.usage),
            retry_usage: wit_usage(&row.retry_usage),
            verdict,
            validated: input.validated_as(idx, row.status),
        }
    });
    match inst {
        Aggregator::Sandboxed(inst) => drive(inst, info, observations).await,
        #[cfg(feature = "bench-native")]
        Aggregator::Native(n) => n.drive(info, observations, OBSERVE_CHUNK),
    }
}

/// Drives one aggregator: `begin`, the observations in submission order in
/// chunks of `OBSERVE_CHUNK`, then `finish`. Shared by `assay eval` and
/// `assay judge test --aggregate`, so both call a judge the same way. A row
/// the judge gave no verdict (not completed, a judge error, a host stop)
/// arrives with `verdict: none`.
pub async fn drive<'a>(
    inst: &mut JudgeInstance,
    info: wit::RunInfo<'_>,
    observations: impl Iterator<Item = wit::Observation<'a>>,
) -> Result<wit::Report, String> {
    inst.begin(info).await.map_err(|e| e.to_string())?;
    let mut batch: Vec<wit::Observation<'a>> = Vec::with_capacity(OBSERVE_CHUNK);
    for obs in observations {
        batch.push(obs);
        if batch.len() == OBSERVE_CHUNK {
            inst.observe(&batch).await.map_err(|e| e.to_string())?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        inst.observe(&batch).await.map_err(|e| e.to_string())?;
    }
    inst.finish().await.map_err(|e| e.to_string())
}
