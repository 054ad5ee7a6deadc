//! The aggregator every local-metrics judge runs: pass rate and mean score, run-wide
//! and per segment.
//!
//! Invariant: state is O(segments) — the SDK's per-segment counters and one
//! score sum per segment that had a scored row; rows the judge did not score (no
//! verdict) are not counted.

use std::collections::BTreeMap;

use assay_judge_sdk::agg::SegmentPassRate;
use assay_judge_sdk::{Observation, Report};

/// Pass-rate counters for one run: the SDK's `SegmentPassRate` (fed only the
/// rows this judge scored, and never alarming) plus a score sum per segment.
#[derive(Debug)]
pub struct PassRate {
    rates: SegmentPassRate,
    score_sums: BTreeMap<u32, f64>,
}

impl Default for PassRate {
    fn default() -> Self {
        PassRate {
            rates: SegmentPassRate::new(f64::INFINITY, u64::MAX),
            score_sums: BTreeMap::new(),
        }
    }
}

impl PassRate {
    /// Empty counters.
    pub fn new() -> Self {
        PassRate::default()
    }

    /// Counts one observation (only when this judge scored the row).
    pub fn observe(&mut self, obs: &Observation) {
        let Some(v) = &obs.verdict else { return };
        self.rates.add(obs.segment, Some(v));
        let sum = self.score_sums.entry(obs.segment).or_default();
        let score = v.score.unwrap_or(if v.passed { 1.0 } else { 0.0 });
        if score.is_finite() {
            *sum += score.clamp(0.0, 1.0);
        }
    }

    /// `scored`, `passed`; when anything was scored also `pass_rate` and
    /// `mean_score`; per segment `segment_scored` and `segment_pass_rate`.
    pub fn report(&self) -> Report {
        let mut report = Report::new();
        self.rates.report_into(&mut report, "segment-drift", |_| String::new());
        let (scored, _) = self.rates.totals();
        if scored > 0 {
            let score_sum: f64 = self.score_sums.values().sum();
            // After `pass_rate`, where it has always been.
            let at = report
                .metrics
                .iter()
                .position(|m| m.name == "pass_rate")
                .map_or(report.metrics.len(), |i| i + 1);
            report.metrics.insert(
                at,
                assay_judge_sdk::Metric {
                    name: "mean_score".into(),
                    value: score_sum / scored as f64,
                    segment: None,
                },
            );
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
        assert_eq!(p.rates.segments().count(), 2);
    }

    #[test]
    fn empty_run_has_no_rates() {
        let r = PassRate::new().report();
        assert_eq!(metric(&r, "scored", None), Some(0.0));
        assert_eq!(metric(&r, "pass_rate", None), None);
        assert_eq!(metric(&r, "mean_score", None), None);
    }
}
