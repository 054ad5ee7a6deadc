//! Aggregator building blocks: a per-segment pass rate with a drop alarm
//! ([`SegmentPassRate`]), score statistics with quantiles ([`Scores`]),
//! bounded counts by label ([`LabelCounts`]), and [`with_segment`], the
//! per-segment map access `SegmentPassRate` uses, for judges' own state.
//!
//! Invariants: every state here is O(segments × labels), never O(rows) — scores
//! are kept in 1,000 fixed bins over `[0, 1]`, so a quantile is exact to 0.001;
//! a row that reaches the aggregator with no verdict (not completed, a judge
//! error, or stopped by the host) counts as seen, never as scored; a segment
//! alarms only with at least `min_segment_rows` scored rows and a pass rate
//! strictly more than `alarm_points` percentage points below the run's.

use std::collections::BTreeMap;

use crate::{Observation, Report, RunInfo, SlimVerdict};

mod scores;
pub use scores::Scores;

/// Calls `f` with the entry for `segment` in a per-segment map, made when
/// absent. Observations arrive in row order, so a segment's rows come together
/// and its entry is nearly always the last one: reached without a search.
pub fn with_segment<V: Default>(map: &mut BTreeMap<u32, V>, segment: u32, f: impl FnOnce(&mut V)) {
    match map.last_entry() {
        Some(mut e) if *e.key() == segment => f(e.get_mut()),
        _ => f(map.entry(segment).or_default()),
    }
}

/// Distinct labels a [`LabelCounts`] remembers; later ones count as `other`.
pub const MAX_LABELS: usize = 64;
/// Slack for float rounding when comparing a drop with the threshold.
const EPSILON_POINTS: f64 = 1e-9;

/// Counts by label, at most [`MAX_LABELS`] distinct ones (the rest as `other`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelCounts {
    counts: BTreeMap<String, u64>,
}

impl LabelCounts {
    /// No labels yet.
    pub fn new() -> Self {
        LabelCounts::default()
    }

    /// Counts one `label`.
    pub fn add(&mut self, label: &str) {
        if let Some(n) = self.counts.get_mut(label) {
            *n += 1;
        } else if self.counts.len() < MAX_LABELS {
            self.counts.insert(label.to_string(), 1);
        } else {
            *self.counts.entry("other".to_string()).or_default() += 1;
        }
    }

    /// The count of `label`.
    pub fn get(&self, label: &str) -> u64 {
        self.counts.get(label).copied().unwrap_or(0)
    }

    /// Labels and counts, by label.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.counts.iter().map(|(k, &v)| (k.as_str(), v))
    }

    /// The most frequent label (ties go to the first by name).
    pub fn most_common(&self) -> Option<(&str, u64)> {
        self.counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(k, &v)| (k.as_str(), v))
    }

    /// One metric per label, named `{prefix}{label}`.
    pub fn report_into(&self, report: &mut Report, prefix: &str) {
        for (label, n) in self.iter() {
            report.push_metric(&format!("{prefix}{label}"), None, n as f64);
        }
    }
}

/// One segment's counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentCounts {
    /// Rows of the segment the aggregator saw, with or without a verdict.
    pub seen: u64,
    /// Rows this judge gave a verdict.
    pub scored: u64,
    /// Rows that passed.
    pub passed: u64,
    /// Labels of failing verdicts (`unlabelled` when a failure has none).
    pub fail_labels: LabelCounts,
}

impl SegmentCounts {
    /// `passed / scored`, when anything was scored.
    pub fn rate(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.passed as f64 / self.scored as f64)
    }
}

/// A segment whose pass rate dropped below the run's by more than the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentDrop<'a> {
    /// The segment.
    pub segment: u32,
    /// Its counts.
    pub counts: &'a SegmentCounts,
    /// Its pass rate.
    pub rate: f64,
    /// The whole run's pass rate.
    pub run_rate: f64,
    /// First and last row index of the segment, when `begin` gave the run's shape.
    pub rows: Option<(u64, u64)>,
}

impl SegmentDrop<'_> {
    /// `segment 3 (rows 300-399): pass rate 84.0% vs 90.0% batch-wide (-6.0 points); most failed: label (n rows)`.
    pub fn message(&self, what: &str) -> String {
        let rows = self.rows.map(|(a, b)| format!(" (rows {a}-{b})")).unwrap_or_default();
        let worst = self
            .counts
            .fail_labels
            .most_common()
            .map(|(label, n)| format!("; most broken: {label} ({n} rows)"))
            .unwrap_or_default();
        format!(
            "segment {}{rows}: {what} {:.1}% vs {:.1}% batch-wide ({:+.1} points){worst}",
            self.segment,
            self.rate * 100.0,
            self.run_rate * 100.0,
            (self.rate - self.run_rate) * 100.0,
        )
    }
}

/// Pass rate per segment and run-wide, with a drop alarm.
#[derive(Debug, Clone)]
pub struct SegmentPassRate {
    /// A segment more than this many percentage points below the run's rate alarms.
    pub alarm_points: f64,
    /// Segments with fewer scored rows never alarm.
    pub min_segment_rows: u64,
    info: Option<(u32, u64)>,
    segments: BTreeMap<u32, SegmentCounts>,
}

impl SegmentPassRate {
    /// Empty counters with the alarm settings.
    pub fn new(alarm_points: f64, min_segment_rows: u64) -> Self {
        SegmentPassRate {
            alarm_points,
            min_segment_rows,
            info: None,
            segments: BTreeMap::new(),
        }
    }

    /// Remembers the run's shape, for row ranges in alarm messages.
    pub fn begin(&mut self, info: &RunInfo) {
        self.info = Some((info.segment_size, info.rows_submitted));
    }

    /// Counts one observation (this judge's own verdict, when it gave one).
    pub fn observe(&mut self, obs: &Observation) {
        self.add(obs.segment, obs.verdict.as_ref());
    }

    /// Counts one row of `segment`; `verdict` is none for a row this judge did
    /// not score (not completed, a judge error, or stopped by the host).
    pub fn add(&mut self, segment: u32, verdict: Option<&SlimVerdict>) {
        with_segment(&mut self.segments, segment, |seg| {
            seg.seen += 1;
            let Some(v) = verdict else { return };
            seg.scored += 1;
            if v.passed {
                seg.passed += 1;
            } else {
                seg.fail_labels.add(v.label.as_deref().unwrap_or("unlabelled"));
            }
        });
    }

    /// Scored and passed rows over the whole run.
    pub fn totals(&self) -> (u64, u64) {
        let scored = self.segments.values().map(|s| s.scored).sum();
        let passed = self.segments.values().map(|s| s.passed).sum();
        (scored, passed)
    }

    /// The segments seen, in order.
    pub fn segments(&self) -> impl Iterator<Item = (u32, &SegmentCounts)> {
        self.segments.iter().map(|(&k, v)| (k, v))
    }

    fn rows_of(&self, id: u32) -> Option<(u64, u64)> {
        let (size, submitted) = self.info.filter(|(size, _)| *size > 0)?;
        let first = u64::from(id) * u64::from(size);
        let mut last = first + u64::from(size) - 1;
        if submitted > first {
            last = last.min(submitted - 1);
        }
        Some((first, last))
    }

    /// The segments that alarm, in order.
    pub fn drops(&self) -> Vec<SegmentDrop<'_>> {
        let (scored, passed) = self.totals();
        if scored == 0 {
            return Vec::new();
        }
        let run_rate = passed as f64 / scored as f64;
        self.segments()
            .filter_map(|(segment, counts)| {
                let rate = counts.rate()?;
                let drop_points = (run_rate - rate) * 100.0;
                (counts.scored >= self.min_segment_rows && drop_points > self.alarm_points + EPSILON_POINTS).then(
                    || SegmentDrop {
                        segment,
                        counts,
                        rate,
                        run_rate,
                        rows: self.rows_of(segment),
                    },
                )
            })
            .collect()
    }

    /// The standard report with alarms of kind `segment-drift` whose message
    /// calls the rate "pass rate".
    pub fn report(&self) -> Report {
        let mut r = Report::new();
        self.report_into(&mut r, "segment-drift", |d| d.message("pass rate"));
        r
    }

    /// Adds metrics `scored`, `passed`, then (when anything was scored)
    /// `pass_rate`, and per segment `segment_scored` and `segment_pass_rate`,
    /// each dropping segment followed by an alarm of `kind` with `message(drop)`.
    pub fn report_into(&self, report: &mut Report, kind: &str, message: impl Fn(&SegmentDrop<'_>) -> String) {
        let (scored, passed) = self.totals();
        report.push_metric("scored", None, scored as f64);
        report.push_metric("passed", None, passed as f64);
        if scored == 0 {
            return;
        }
        report.push_metric("pass_rate", None, passed as f64 / scored as f64);
        let drops = self.drops();
        for (id, seg) in self.segments() {
            report.push_metric("segment_scored", Some(id), seg.scored as f64);
            let Some(rate) = seg.rate() else { continue };
            report.push_metric("segment_pass_rate", Some(id), rate);
            if let Some(d) = drops.iter().find(|d| d.segment == id) {
                report.push_alarm(kind, Some(id), message(d));
            }
        }
    }
}

#[cfg(test)]
mod tests;
