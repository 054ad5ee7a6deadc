//! `schema-drift`: JSON Schema (Draft 2020-12) conformance of each completed response,
//! with per-segment drift alarms.
//!
//! Invariants: the schema is compiled once, in `init`; scoring never panics on row
//! data (every response shape becomes a verdict); aggregation state is
//! O(segments), never O(rows).

mod check;
mod drift;

use assay_judge_sdk::prelude::*;

pub use check::SchemaCheck;
pub use drift::{DriftConfig, DriftStats};

/// The judge instance: a compiled schema and the run's segment counters.
pub struct SchemaDrift {
    check: SchemaCheck,
    drift: DriftStats,
}

impl Judge for SchemaDrift {
    fn describe() -> Descriptor {
        Descriptor::new(
            "schema-drift",
            "0.1.0",
            "JSON Schema conformance of each completed response, with per-segment drift alarms",
        )
        .quality()
        .aggregator()
        .config_key(
            "schema",
            "JSON Schema (Draft 2020-12) every response must satisfy; pass @file",
        )
        .config_key(
            "alarm-points",
            "alarm when a segment is more than this many points below the batch rate (default 5)",
        )
        .config_key(
            "min-segment-rows",
            "segments with fewer scored rows never alarm (default 20)",
        )
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        let check = SchemaCheck::new(config.require("schema")?)?;
        let alarm_points: f64 = config.parse_or("alarm-points", 5.0)?;
        if !alarm_points.is_finite() || alarm_points < 0.0 {
            return Err(JudgeError::Config(format!(
                "config key `alarm-points`: must be a finite number >= 0, got {alarm_points}"
            )));
        }
        let min_segment_rows = config.parse_or("min-segment-rows", 20u64)?;
        let drift = DriftStats::new(DriftConfig {
            alarm_points,
            min_segment_rows,
        });
        Ok(SchemaDrift { check, drift })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        Ok(self.check.score(row.response.as_deref()))
    }

    fn begin(&mut self, info: &RunInfo) -> Result<(), JudgeError> {
        self.drift.begin(info);
        Ok(())
    }

    fn observe(&mut self, obs: &Observation) {
        self.drift.observe(obs.segment, obs.verdict.as_ref());
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.drift.report())
    }
}

assay_judge_sdk::export_judge!(SchemaDrift);
