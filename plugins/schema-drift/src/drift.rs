//! Per-segment conformance counters and the `segment-drift` alarm, on the SDK's
//! [`SegmentPassRate`].
//!
//! Invariants: state is O(segments) — per segment two counters and at most
//! `MAX_LABELS` failure labels (the rest counted as `other`); a segment alarms only
//! with at least `min_segment_rows` scored rows and a pass rate *strictly* more than
//! `alarm_points` percentage points below the batch-wide rate.

use assay_judge_sdk::agg::SegmentPassRate;
use assay_judge_sdk::{Report, RunInfo, SlimVerdict};

/// Slack for float rounding when comparing a drop with the threshold.
pub(crate) const EPSILON_POINTS: f64 = 1e-9;

/// Alarm settings from the config.
#[derive(Debug, Clone, Copy)]
pub struct DriftConfig {
    /// A segment more than this many percentage points below the batch rate alarms.
    pub alarm_points: f64,
    /// Segments with fewer scored rows never alarm.
    pub min_segment_rows: u64,
}

/// The aggregator's state for one run: the SDK's per-segment pass rate, whose
/// alarm message calls the rate "conformance".
#[derive(Debug)]
pub struct DriftStats {
    rates: SegmentPassRate,
}

impl DriftStats {
    /// Empty counters.
    pub fn new(config: DriftConfig) -> Self {
        DriftStats {
            rates: SegmentPassRate::new(config.alarm_points, config.min_segment_rows),
        }
    }

    /// Remembers the run's shape (for row ranges in alarm messages).
    pub fn begin(&mut self, info: &RunInfo) {
        self.rates.begin(info);
    }

    /// Counts one observation of `segment`; `verdict` is this judge's, when it scored.
    pub fn observe(&mut self, segment: u32, verdict: Option<&SlimVerdict>) {
        self.rates.add(segment, verdict);
    }

    /// Scored and passed rows over the whole run.
    pub fn totals(&self) -> (u64, u64) {
        self.rates.totals()
    }

    /// Metrics and alarms for the run so far.
    pub fn report(&self) -> Report {
        let mut report = Report::new();
        self.rates
            .report_into(&mut report, "segment-drift", |d| d.message("conformance"));
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assay_judge_sdk::agg::MAX_LABELS;

    fn verdict(passed: bool, label: &str) -> SlimVerdict {
        SlimVerdict {
            score: Some(if passed { 1.0 } else { 0.0 }),
            label: (!passed).then(|| label.to_string()),
            passed,
        }
    }

    /// Feeds `segment` with `pass` passing and `fail` failing rows.
    fn feed(stats: &mut DriftStats, segment: u32, pass: u64, fail: u64, label: &str) {
        for _ in 0..pass {
            stats.observe(segment, Some(&verdict(true, "")));
        }
        for _ in 0..fail {
            stats.observe(segment, Some(&verdict(false, label)));
        }
    }

    fn stats(min_segment_rows: u64) -> DriftStats {
        DriftStats::new(DriftConfig {
            alarm_points: 5.0,
            min_segment_rows,
        })
    }

    fn metric(r: &Report, name: &str, seg: Option<u32>) -> Option<f64> {
        r.metrics
            .iter()
            .find(|m| m.name == name && m.segment == seg)
            .map(|m| m.value)
    }

    #[test]
    fn threshold_is_strict() {
        // Batch-wide: 360/400 = 90%. Segment 1 at exactly 85% (-5.0 points): no alarm.
        // Segment 3 at 84% (-6 points): alarm.
        let mut s = stats(20);
        s.begin(&RunInfo {
            rows_submitted: 400,
            segment_size: 100,
            provider: "openai".into(),
            models: Vec::new(),
            snapshots: Vec::new(),
        });
        feed(&mut s, 0, 94, 6, "x");
        feed(&mut s, 1, 85, 15, "enum@/label");
        feed(&mut s, 2, 97, 3, "x");
        feed(&mut s, 3, 84, 16, "required@/confidence");
        let r = s.report();
        assert_eq!(metric(&r, "scored", None), Some(400.0));
        assert_eq!(metric(&r, "passed", None), Some(360.0));
        assert_eq!(metric(&r, "pass_rate", None), Some(0.9));
        assert_eq!(metric(&r, "segment_pass_rate", Some(1)), Some(0.85));
        assert_eq!(metric(&r, "segment_scored", Some(3)), Some(100.0));
        assert_eq!(r.alarms.len(), 1, "{:?}", r.alarms);
        let a = &r.alarms[0];
        assert_eq!((a.kind.as_str(), a.segment), ("segment-drift", Some(3)));
        assert_eq!(
            a.message,
            "segment 3 (rows 300-399): conformance 84.0% vs 90.0% batch-wide (-6.0 points); \
             most broken: required@/confidence (16 rows)"
        );
    }

    #[test]
    fn small_segments_do_not_alarm() {
        let mut s = stats(20);
        feed(&mut s, 0, 100, 0, "");
        feed(&mut s, 1, 0, 19, "type@(root)"); // 19 < 20 scored rows
        assert!(s.report().alarms.is_empty());
        let mut s = stats(19);
        feed(&mut s, 0, 100, 0, "");
        feed(&mut s, 1, 0, 19, "type@(root)");
        let r = s.report();
        assert_eq!(r.alarms.len(), 1);
        assert!(
            r.alarms[0].message.starts_with("segment 1: conformance 0.0%"),
            "{}",
            r.alarms[0].message
        );
    }

    #[test]
    fn unscored_rows_and_empty_runs() {
        let mut s = stats(1);
        s.observe(4, None);
        let r = s.report();
        assert_eq!(metric(&r, "scored", None), Some(0.0));
        assert_eq!(metric(&r, "pass_rate", None), None);
        assert!(r.alarms.is_empty());
    }

    #[test]
    fn label_memory_is_bounded() {
        let mut s = stats(1);
        for i in 0..(MAX_LABELS as u32 + 10) {
            s.observe(0, Some(&verdict(false, &format!("type@/items/{i}"))));
        }
        let (_, seg) = s.rates.segments().next().expect("segment 0");
        assert_eq!(seg.fail_labels.iter().count(), MAX_LABELS + 1);
        assert_eq!(seg.fail_labels.get("other"), 10);
    }
}
