//! Where the pipeline calls its judges: one `Scorer` per scoring judge per
//! worker, one `Aggregator` per aggregating judge. Each is a sandboxed
//! instance; only the bench-only `bench-native` build can also call
//! `schema-drift` and `cost-per-row` compiled into the host (`native.rs`), to
//! measure what the sandbox costs on the same pipeline.
//!
//! Invariant: everything else in `eval/` sees one type per role and calls it
//! the same way whichever side answers; a shipped build has only the
//! sandboxed side.

use std::sync::Arc;

use crate::judge::bindings::types as wit;
use crate::judge::budget::RunBudget;
use crate::judge::runner;
use crate::judge::state::{LogLine, RunContext};
use crate::judge::{JudgeInstance, JudgePre, RowResult, StartError};

use super::judges::{JudgeInfo, PreparedJudge};
#[cfg(feature = "bench-native")]
use super::native;

/// How a prepared judge is called.
#[derive(Clone)]
pub enum Calls {
    Sandboxed,
    /// Compiled into the host (`bench-native` builds, `ASSAY_BENCH_NATIVE=1`).
    #[cfg(feature = "bench-native")]
    Native(native::NativeJudge),
}

/// Scores chunks of rows for one judge on one worker.
// One per judge (per worker): boxing the sandboxed side would add an indirection
// to the shipped path to save a few hundred bytes.
#[allow(clippy::large_enum_variant)]
pub enum Scorer {
    Sandboxed(runner::Scorer),
    #[cfg(feature = "bench-native")]
    Native(native::NativeScorer),
}

impl Scorer {
    /// A scorer for `judge`, sharing its run budget.
    pub fn new(judge: &PreparedJudge, run: RunContext, budget: Arc<RunBudget>) -> Scorer {
        match &judge.calls {
            Calls::Sandboxed => Scorer::Sandboxed(
                runner::Scorer::new(judge.loaded.clone(), judge.config.clone(), run).with_budget(budget),
            ),
            #[cfg(feature = "bench-native")]
            Calls::Native(n) => Scorer::Native(n.scorer()),
        }
    }

    /// One result per row, in order (`runner::Scorer::score`).
    pub async fn score(&mut self, rows: &[wit::Row<'_>]) -> Result<Vec<RowResult>, StartError> {
        match self {
            Scorer::Sandboxed(s) => s.score(rows).await,
            #[cfg(feature = "bench-native")]
            Scorer::Native(s) => s.score(rows),
        }
    }

    pub fn close(&mut self) {
        match self {
            Scorer::Sandboxed(s) => s.close(),
            #[cfg(feature = "bench-native")]
            Scorer::Native(_) => {}
        }
    }

    pub fn fuel_used(&self) -> u64 {
        match self {
            Scorer::Sandboxed(s) => s.fuel_used(),
            #[cfg(feature = "bench-native")]
            Scorer::Native(_) => 0,
        }
    }

    pub fn restarts(&self) -> u64 {
        match self {
            Scorer::Sandboxed(s) => s.restarts,
            #[cfg(feature = "bench-native")]
            Scorer::Native(_) => 0,
        }
    }

    /// The log lines `close` collected (drained).
    pub fn take_log(&mut self) -> Vec<LogLine> {
        match self {
            Scorer::Sandboxed(s) => std::mem::take(&mut s.log),
            #[cfg(feature = "bench-native")]
            Scorer::Native(_) => Vec::new(),
        }
    }
}

/// One judge's aggregator for the run.
// One per judge (per worker): boxing the sandboxed side would add an indirection
// to the shipped path to save a few hundred bytes.
#[allow(clippy::large_enum_variant)]
pub enum Aggregator {
    Sandboxed(JudgeInstance),
    #[cfg(feature = "bench-native")]
    Native(native::NativeAggregator),
}

impl Aggregator {
    pub fn fuel_used(&self) -> u64 {
        match self {
            Aggregator::Sandboxed(i) => i.fuel_used,
            #[cfg(feature = "bench-native")]
            Aggregator::Native(_) => 0,
        }
    }

    /// Captured output (drained).
    pub fn take_log(&mut self) -> Vec<LogLine> {
        match self {
            Aggregator::Sandboxed(i) => i.take_log(),
            #[cfg(feature = "bench-native")]
            Aggregator::Native(_) => Vec::new(),
        }
    }
}

/// How `info`'s judge is called in this run, and its aggregator: the
/// instance that described itself, or (`bench-native` builds with
/// `ASSAY_BENCH_NATIVE=1`) the judge compiled into the host, when the build
/// has it. Either choice is said on stderr in a `bench-native` build.
#[cfg_attr(not(feature = "bench-native"), allow(unused_variables))]
pub fn pick(
    loaded: &Arc<JudgePre>,
    config: &Arc<Vec<(String, String)>>,
    info: &JudgeInfo,
    described: JudgeInstance,
) -> Result<(Calls, Option<Aggregator>), StartError> {
    #[cfg(feature = "bench-native")]
    if native::requested() {
        let name = &info.name;
        match native::NativeJudge::for_judge(loaded, config, info) {
            Some(made) => {
                let (judge, aggregator) = made?;
                crate::note!(
                    "{}: judge '{name}' runs compiled into the host, not sandboxed",
                    native::ENV
                );
                let aggregator = info.aggregates.then_some(Aggregator::Native(aggregator));
                return Ok((Calls::Native(judge), aggregator));
            }
            None => crate::note!("{}: judge '{name}' has no native build; it runs sandboxed", native::ENV),
        }
    }
    Ok((
        Calls::Sandboxed,
        info.aggregates.then_some(Aggregator::Sandboxed(described)),
    ))
}
