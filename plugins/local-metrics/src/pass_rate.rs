//! The aggregator every local-metrics judge runs: pass rate and mean score, run-wide
//! and per segment.
//!
//! Invariant: state is O(segments) — three numbers per segment that had a scored
//! row; rows the judge did not score (no verdict) are not counted.

use std::collections::BTreeMap;

use assay_judge_sdk::{Observation, Report};

#[derive(Debug, Default, Clone, Copy)]
struct Segment {
    scored: u64,
    passed: u64,
    score_sum: f64,
}

/// Pass-rate counters for one run.
#[derive(Debug, Default)]
pub struct PassRate {
    segments: BTreeMap<u32, Segment>,
}

impl PassRate {
    /// Empty counters.
    pub fn new() -> Self {
        PassRate::default()
    }

    /// Counts one observation (only when this judge scored the row).
    pub fn observe(&mut self, obs: &Observation) {
        let Some(v) = &obs.verdict else { return };
        let seg = self.segments.entry(obs.segment).or_default();
        seg.scored += 1;
        seg.passed += u64::from(v.passed);
        let score = v.score.unwrap_or(if v.passed { 1.0 } else { 0.0 });
        if score.is_finite() {
            seg.score_sum += score.clamp(0.0, 1.0);
        }
    }

    /// `scored`, `passed`; when anything was scored also `pass_rate` and
    /// `mean_score`; per segment `segment_scored` and `segment_pass_rate`.
    pub fn report(&self) -> Report {
        let scored: u64 = self.segments.values().map(|s| s.scored).sum();
        let passed: u64 = self.segments.values().map(|s| s.passed).sum();
        let score_sum: f64 = self.segments.values().map(|s| s.score_sum).sum();
        let mut report = Report::new()
            .metric("scored", scored as f64)
            .metric("passed", passed as f64);
        if scored == 0 {
            return report;
        }
        report.push_metric("pass_rate", None, passed as f64 / scored as f64);
        report.push_metric("mean_score", None, score_sum / scored as f64);
        for (&id, seg) in &self.segments {
            report.push_metric("segment_scored", Some(id), seg.scored as f64);
            report.push_metric("segment_pass_rate", Some(id), seg.passed as f64 / seg.scored as f64);
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{metric, observation};

    #[test]
    fn rates_per_run_and_segment() {
        let mut p = PassRate::new();
        p.observe(&observation(0, Some((true, 1.0))));
        p.observe(&observation(0, Some((false, 0.5))));
        p.observe(&observation(2, Some((true, 0.75))));
        p.observe(&observation(2, Some((true, 0.75))));
        p.observe(&observation(1, None));
        let r = p.report();
        assert_eq!(metric(&r, "scored", None), Some(4.0));
        assert_eq!(metric(&r, "passed", None), Some(3.0));
        assert_eq!(metric(&r, "pass_rate", None), Some(0.75));
        assert_eq!(metric(&r, "mean_score", None), Some(0.75));
        assert_eq!(metric(&r, "segment_pass_rate", Some(0)), Some(0.5));
        assert_eq!(metric(&r, "segment_pass_rate", Some(2)), Some(1.0));
        assert_eq!(metric(&r, "segment_scored", Some(1)), None);
        assert_eq!(p.segments.len(), 2);
    }

    #[test]
    fn empty_run_has_no_rates() {
        let r = PassRate::new().report();
        assert_eq!(metric(&r, "scored", None), Some(0.0));
        assert_eq!(metric(&r, "pass_rate", None), None);
        assert_eq!(metric(&r, "mean_score", None), None);
    }
}
