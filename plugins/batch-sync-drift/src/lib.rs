//! `batch-sync-drift`: paired comparison of the batch response and the sync response
//! for the same `custom_id`, without a model. Per paired row: 0.0 when the batch
//! response is materially worse, 0.5 when equivalent, 1.0 when materially better,
//! on grounding, schema conformance, tool-call validity and refusal calibration; the
//! aggregator reports the mean with a regression / soft-drift band and per-rubric
//! pass-rate gaps. A drift monitor, not a row validator (`quality: false`).
//!
//! The comparison lives in `batch_sync_core` (shared with `batch-sync-drift-llm`);
//! this crate is the component glue. README.md documents verdicts, the label code,
//! config keys, metrics and alarms.
//!
//! Invariants: one verdict per row, never a judge error; verdicts of unpaired rows
//! carry no score; aggregation state is O(segments).

use assay_judge_sdk::prelude::*;
use batch_sync_core::{DriftCore, with_config_keys};

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "batch-sync-drift";

/// The judge instance.
pub struct BatchSyncDrift {
    core: DriftCore,
}

impl Judge for BatchSyncDrift {
    fn describe() -> Descriptor {
        let d = Descriptor::new(
            NAME,
            "0.1.0",
            "Batch versus sync response for the same custom_id: materially worse, equivalent or better, with drift bands and per-rubric gaps",
        )
        .scorer()
        .aggregator()
        .needs(Needs::METADATA);
        with_config_keys(d)
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        Ok(BatchSyncDrift {
            core: DriftCore::from_config(&config)?,
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        Ok(self.core.score(row))
    }

    fn observe(&mut self, obs: &Observation) {
        self.core.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.core.report())
    }
}

assay_judge_sdk::export_judge!(BatchSyncDrift);

#[cfg(test)]
mod tests;
