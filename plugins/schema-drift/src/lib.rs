//! `schema-drift`: JSON Schema (Draft 2020-12) conformance of each completed response,
//! with per-segment drift alarms, conformance by attempt history (first attempt,
//! retried, silently retried) and by serving model + snapshot.
//!
//! Invariants: the schema is compiled once, in `init`; scoring never panics on row
//! data (every response shape becomes a verdict); aggregation state is
//! O(segments + models + distinct snapshots), never O(rows).

mod check;
mod drift;
mod fast;
mod retry;
mod snapshots;

use assay_judge_sdk::prelude::*;

pub use check::SchemaCheck;
pub use drift::{DriftConfig, DriftStats};
pub use retry::RetryGroups;
pub use snapshots::SnapshotStats;

/// The judge instance: a compiled schema and the run's counters.
pub struct SchemaDrift {
    check: SchemaCheck,
    drift: DriftStats,
    retry: RetryGroups,
    snapshots: SnapshotStats,
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
            "alarm when a segment, retried rows or a model snapshot fall more than this many points below the comparison rate (default 5)",
        )
        .config_key(
            "min-segment-rows",
            "segments, retried groups and snapshots with fewer scored rows never alarm (default 20)",
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
        let config = DriftConfig {
            alarm_points,
            min_segment_rows,
        };
        Ok(SchemaDrift {
            check,
            drift: DriftStats::new(config),
            retry: RetryGroups::new(config),
            snapshots: SnapshotStats::new(config),
        })
    }

    /// The check reads the response alone: views spare copying each row's
    /// strings into the guest's `Row` before it.
    const SCORES_VIEWS: bool = true;

    fn score_view(&mut self, row: &RowView<'_>) -> Result<Verdict, JudgeError> {
        Ok(self.check.score(row.response))
    }

    fn begin(&mut self, info: &RunInfo) -> Result<(), JudgeError> {
        self.drift.begin(info);
        self.snapshots.begin(info);
        Ok(())
    }

    fn observe(&mut self, obs: &Observation) {
        let verdict = obs.verdict.as_ref();
        self.drift.observe(obs.segment, verdict);
        self.retry.observe(obs.flags, verdict);
        self.snapshots.observe(obs.model, obs.snapshot, verdict);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        let mut report = self.drift.report();
        self.retry.report_into(&mut report);
        self.snapshots.report_into(&mut report);
        Ok(report)
    }
}

// Exported only in the component: a native build (the host's `bench-native`) links
// the judge as plain Rust, beside other judges that export the same names.
#[cfg(target_family = "wasm")]
assay_judge_sdk::export_judge!(SchemaDrift);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_reports_every_part() {
        let schema = r#"{"type": "object", "required": ["a"]}"#;
        let config = Config::new(vec![
            ("schema".into(), schema.into()),
            ("min-segment-rows".into(), "2".into()),
        ]);
        let mut j = match SchemaDrift::init(config) {
            Ok(j) => j,
            Err(e) => panic!("init failed: {e:?}"),
        };
        let info = RunInfo {
            rows_submitted: 4,
            segment_size: 2,
            provider: "openai".into(),
            models: vec![String::new(), "gpt-4o".into()],
            snapshots: vec![String::new(), "fp_1".into()],
        };
        assert!(j.begin(&info).is_ok());
        for (i, (text, flags)) in [
            (r#"{"a": 1}"#, RowFlags::empty()),
            (r#"{"a": 2}"#, RowFlags::empty()),
            ("{}", RowFlags::RETRIED),
            ("nope", RowFlags::RETRIED),
        ]
        .into_iter()
        .enumerate()
        {
            let v = j.check.score(Some(text));
            j.observe(&Observation {
                index: i as u64,
                segment: i as u32 / 2,
                status: RowStatus::Completed,
                flags,
                model: 1,
                snapshot: Some(1),
                attempt: 1 + u32::from(flags.contains(RowFlags::RETRIED)),
                usage: Usage {
                    input_tokens: 0,
                    output_tokens: 0,
                    cached_input_tokens: 0,
                    cache_write_tokens: 0,
                    reasoning_tokens: 0,
                },
                retry_usage: Usage {
                    input_tokens: 0,
                    output_tokens: 0,
                    cached_input_tokens: 0,
                    cache_write_tokens: 0,
                    reasoning_tokens: 0,
                },
                verdict: Some(SlimVerdict {
                    score: v.score,
                    label: v.label,
                    passed: v.passed,
                }),
                validated: Some(v.passed),
            });
        }
        let r = match j.finish() {
            Ok(r) => r,
            Err(e) => panic!("finish failed: {e:?}"),
        };
        let m = |name: &str| r.metrics.iter().find(|m| m.name == name).map(|m| m.value);
        assert_eq!(m("pass_rate"), Some(0.5));
        assert_eq!(m("pass_rate_first_attempt"), Some(1.0));
        assert_eq!(m("pass_rate_retried"), Some(0.0));
        assert_eq!(m("scored_silently_retried"), Some(0.0));
        assert_eq!(m("snapshot_scored:gpt-4o/fp_1"), Some(4.0));
        assert_eq!(m("snapshot_pass_rate:gpt-4o/fp_1"), Some(0.5));
        assert_eq!(m("snapshots_compared"), Some(1.0));
        let kinds: Vec<_> = r.alarms.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["segment-drift", "retry-quality-gap"]);
    }
}
