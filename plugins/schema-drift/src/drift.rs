//! Per-segment conformance counters and the `segment-drift` alarm.
//!
//! Invariants: state is O(segments) — per segment two counters and at most
//! `MAX_LABELS` failure labels (the rest counted as `other`); a segment alarms only
//! with at least `min_segment_rows` scored rows and a pass rate *strictly* more than
//! `alarm_points` percentage points below the batch-wide rate.

use std::collections::{BTreeMap, HashMap};

use assay_judge_sdk::{Report, RunInfo, SlimVerdict};

/// Distinct failure labels remembered per segment.
const MAX_LABELS: usize = 64;
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

#[derive(Debug, Default)]
struct Segment {
    scored: u64,
    passed: u64,
    labels: HashMap<String, u64>,
}

/// The aggregator's state for one run.
#[derive(Debug)]
pub struct DriftStats {
    config: DriftConfig,
    info: Option<RunInfo>,
    segments: BTreeMap<u32, Segment>,
}

impl DriftStats {
    /// Empty counters.
    pub fn new(config: DriftConfig) -> Self {
        DriftStats {
            config,
            info: None,
            segments: BTreeMap::new(),
        }
    }

    /// Remembers the run's shape (for row ranges in alarm messages).
    pub fn begin(&mut self, info: &RunInfo) {
        self.info = Some(info.clone());
    }

    /// Counts one observation of `segment`; `verdict` is this judge's, when it scored.
    pub fn observe(&mut self, segment: u32, verdict: Option<&SlimVerdict>) {
        let seg = self.segments.entry(segment).or_default();
        let Some(v) = verdict else { return };
        seg.scored += 1;
        if v.passed {
            seg.passed += 1;
            return;
        }
        let label = v.label.as_deref().unwrap_or("unlabelled");
        if let Some(n) = seg.labels.get_mut(label) {
            *n += 1;
        } else if seg.labels.len() < MAX_LABELS {
            seg.labels.insert(label.to_string(), 1);
        } else {
            *seg.labels.entry("other".to_string()).or_default() += 1;
        }
    }

    /// Scored and passed rows over the whole run.
    pub fn totals(&self) -> (u64, u64) {
        let scored = self.segments.values().map(|s| s.scored).sum();
        let passed = self.segments.values().map(|s| s.passed).sum();
        (scored, passed)
    }

    /// Metrics and alarms for the run so far.
    pub fn report(&self) -> Report {
        let (scored, passed) = self.totals();
        let mut report = Report::new()
            .metric("scored", scored as f64)
            .metric("passed", passed as f64);
        if scored == 0 {
            return report;
        }
        let batch_rate = passed as f64 / scored as f64;
        report.push_metric("pass_rate", None, batch_rate);
        for (&id, seg) in &self.segments {
            report.push_metric("segment_scored", Some(id), seg.scored as f64);
            if seg.scored == 0 {
                continue;
            }
            let rate = seg.passed as f64 / seg.scored as f64;
            report.push_metric("segment_pass_rate", Some(id), rate);
            let drop_points = (batch_rate - rate) * 100.0;
            if seg.scored >= self.config.min_segment_rows && drop_points > self.config.alarm_points + EPSILON_POINTS {
                report.push_alarm("segment-drift", Some(id), self.message(id, seg, rate, batch_rate));
            }
        }
        report
    }

    fn message(&self, id: u32, seg: &Segment, rate: f64, batch_rate: f64) -> String {
        let rows = match &self.info {
            Some(info) if info.segment_size > 0 => {
                let size = u64::from(info.segment_size);
                let first = u64::from(id) * size;
                let mut last = first + size - 1;
                if info.rows_submitted > first {
                    last = last.min(info.rows_submitted - 1);
                }
                format!(" (rows {first}-{last})")
            }
            _ => String::new(),
        };
        let worst = seg
            .labels
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(label, n)| format!("; most broken: {label} ({n} rows)"))
            .unwrap_or_default();
        format!(
            "segment {id}{rows}: conformance {:.1}% vs {:.1}% batch-wide ({:+.1} points){worst}",
            rate * 100.0,
            batch_rate * 100.0,
            (rate - batch_rate) * 100.0,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let seg = &s.segments[&0];
        assert_eq!(seg.labels.len(), MAX_LABELS + 1);
        assert_eq!(seg.labels.get("other"), Some(&10));
    }
}
