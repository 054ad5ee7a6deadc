//! Bench only (`bench-native` feature, never in a shipped build): the
//! `schema-drift` and `cost-per-row` judges compiled into the host as plain
//! Rust, called where the pipeline calls their sandboxed instances
//! (`calls.rs`), to measure what the sandbox costs. Picked per run with
//! `ASSAY_BENCH_NATIVE=1`; the wasm judge is still resolved, loaded and
//! described as usual, and a native judge that describes itself differently
//! stops the run.
//!
//! Invariant: a native judge sees the same rows and observations, in the same
//! chunks, through the same `Judge` code as in its component, and its answers
//! pass the host's same checks (`check_verdict`, `judge_error`, `cap_report`),
//! so the summary is the sandboxed run's but for fuel and timings.

use std::sync::Arc;

use assay_judge_sdk as sdk;
use sdk::Judge;

use super::judges::JudgeInfo;
use crate::judge::bindings::types as wit;
use crate::judge::failure::{Failure, FailureKind, cap_report, check_verdict, judge_error};
use crate::judge::{AggregatorError, JudgePre, RowResult, StartError};

mod convert;

/// The environment variable that picks the native judges.
pub const ENV: &str = "ASSAY_BENCH_NATIVE";

/// Whether this run asked for native judges.
pub fn requested() -> bool {
    std::env::var(ENV).is_ok_and(|v| v == "1")
}

/// A judge value behind one object-safe face.
trait Native: Send {
    fn refined(&self) -> sdk::Descriptor;
    fn score_batch(&mut self, rows: &[sdk::Row]) -> Vec<Result<sdk::Verdict, sdk::JudgeError>>;
    fn begin(&mut self, info: &sdk::RunInfo) -> Result<(), sdk::JudgeError>;
    fn observe(&mut self, obs: &sdk::Observation);
    fn finish(&mut self) -> Result<sdk::Report, sdk::JudgeError>;
}

impl<J: Judge + Send> Native for J {
    fn refined(&self) -> sdk::Descriptor {
        self.refine(J::describe())
    }
    fn score_batch(&mut self, rows: &[sdk::Row]) -> Vec<Result<sdk::Verdict, sdk::JudgeError>> {
        Judge::score_batch(self, rows)
    }
    fn begin(&mut self, info: &sdk::RunInfo) -> Result<(), sdk::JudgeError> {
        Judge::begin(self, info)
    }
    fn observe(&mut self, obs: &sdk::Observation) {
        Judge::observe(self, obs)
    }
    fn finish(&mut self) -> Result<sdk::Report, sdk::JudgeError> {
        Judge::finish(self)
    }
}

fn make<J: Judge + Send>(config: Vec<(String, String)>) -> Result<Box<dyn Native>, sdk::JudgeError> {
    Ok(Box::new(J::init(sdk::Config::new(config))?))
}

type Init = fn(Vec<(String, String)>) -> Result<Box<dyn Native>, sdk::JudgeError>;

/// The judges this build has natively.
fn native_init(name: &str) -> Option<Init> {
    match name {
        "schema-drift" => Some(make::<schema_drift::SchemaDrift>),
        "cost-per-row" => Some(make::<cost_per_row::CostPerRow>),
        _ => None,
    }
}

/// What makes a native judge's instances: its `init` and configuration.
#[derive(Clone)]
pub struct NativeJudge {
    name: String,
    init: Init,
    config: Arc<Vec<(String, String)>>,
    judge: Arc<JudgePre>,
}

impl NativeJudge {
    /// The native judge standing in for the loaded `judge`, when this build
    /// has one; `Err` when its `init` fails or it describes itself otherwise
    /// than the component did (`info`). Returns its aggregator too.
    pub fn for_judge(
        judge: &Arc<JudgePre>,
        config: &Arc<Vec<(String, String)>>,
        info: &JudgeInfo,
    ) -> Option<Result<(NativeJudge, NativeAggregator), StartError>> {
        let init = native_init(&info.name)?;
        let n = NativeJudge {
            name: info.name.clone(),
            init,
            config: config.clone(),
            judge: judge.clone(),
        };
        Some(n.start().and_then(|inst| {
            let d = inst.refined();
            let same = d.name == info.name
                && d.version == info.version
                && d.scores == info.scores
                && d.aggregates == info.aggregates
                && (d.quality && d.scores) == info.quality
                && d.needs.contains(sdk::Needs::PROMPT) == info.needs_prompt
                && d.needs.contains(sdk::Needs::METADATA) == info.needs_metadata;
            if !same {
                return Err(n.refused(format!(
                    "the native build describes itself as {} {} (scores {}, aggregates {}), the component as {} {}",
                    d.name, d.version, d.scores, d.aggregates, info.name, info.version
                )));
            }
            Ok((n, NativeAggregator { inst }))
        }))
    }

    fn start(&self) -> Result<Box<dyn Native>, StartError> {
        (self.init)(self.config.to_vec()).map_err(|e| self.refused(format!("{e:?}")))
    }

    fn refused(&self, message: String) -> StartError {
        StartError::Config {
            judge: self.name.clone(),
            message: format!("{ENV}: {message}"),
        }
    }

    /// A scorer whose instance starts on its first chunk, like a sandboxed one.
    pub fn scorer(&self) -> NativeScorer {
        NativeScorer {
            judge: self.clone(),
            inst: None,
        }
    }
}

pub struct NativeScorer {
    judge: NativeJudge,
    inst: Option<Box<dyn Native>>,
}

impl NativeScorer {
    /// One result per row, checked as the sandboxed instance's are.
    pub fn score(&mut self, rows: &[wit::Row<'_>]) -> Result<Vec<RowResult>, StartError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let inst = match &mut self.inst {
            Some(inst) => inst,
            None => self.inst.insert(self.judge.start()?),
        };
        let rows: Vec<sdk::Row> = rows.iter().map(convert::row).collect();
        let out = inst.score_batch(&rows);
        if out.len() != rows.len() {
            let f = Failure::new(
                FailureKind::InvalidOutput,
                format!("returned {} verdicts for {} rows", out.len(), rows.len()),
            );
            return Ok(vec![RowResult::Failed(f); rows.len()]);
        }
        let limits = &self.judge.judge.limits;
        Ok(out
            .into_iter()
            .map(|r| match r {
                Ok(v) => match check_verdict(convert::verdict(v), limits) {
                    Ok(v) => RowResult::Verdict(v),
                    Err(f) => RowResult::Failed(f),
                },
                Err(e) => judge_error(convert::judge_error(e)),
            })
            .collect())
    }
}

/// The run's native aggregator: the instance that was checked against the
/// component's descriptor.
pub struct NativeAggregator {
    inst: Box<dyn Native>,
}

impl NativeAggregator {
    /// `begin`, the observations in chunks of `chunk` (as `aggregate::drive`
    /// sends them), then `finish`.
    pub fn drive<'a>(
        &mut self,
        info: wit::RunInfo<'_>,
        observations: impl Iterator<Item = wit::Observation<'a>>,
        chunk: usize,
    ) -> Result<wit::Report, String> {
        let said = |e: sdk::JudgeError| AggregatorError::from(convert::judge_error(e)).to_string();
        self.inst.begin(&convert::run_info(&info)).map_err(said)?;
        let mut batch = Vec::with_capacity(chunk);
        for obs in observations {
            batch.push(convert::observation(&obs));
            if batch.len() == chunk {
                batch.drain(..).for_each(|o| self.inst.observe(&o));
            }
        }
        batch.drain(..).for_each(|o| self.inst.observe(&o));
        let report = self.inst.finish().map_err(said)?;
        Ok(cap_report(convert::report(report)))
    }
}

#[cfg(test)]
mod tests;
