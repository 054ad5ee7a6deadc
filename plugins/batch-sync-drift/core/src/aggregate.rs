//! The drift aggregator: mean pair score with its band, class counts, per-rubric
//! batch and sync pass rates with their gap, and per-segment means.
//!
//! Invariants: state is O(segments) — fixed counters plus two numbers per segment
//! that had a pair; only scored verdicts count as pairs; the band and rubric-gap
//! alarms need at least `min-pairs` pairs (applicable pairs for a rubric), and a
//! gap alarms only when *strictly* larger than `gap-points`.

use std::collections::BTreeMap;

use assay_judge_sdk::{Observation, Report};

use crate::label::{self, SYNC_UNAVAILABLE, UNPAIRED};
use crate::pair::CLASSES;
use crate::rubric::RUBRICS;

/// Slack for float rounding when comparing with thresholds.
const EPSILON: f64 = 1e-9;

/// Alarm settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlarmConfig {
    /// `regression` below this mean pair score.
    pub regression_below: f64,
    /// `soft-drift` below this mean (and at or above `regression_below`).
    pub soft_drift_below: f64,
    /// `rubric-gap` when |batch − sync pass rate| exceeds this many points.
    pub gap_points: f64,
    /// Band and rubric-gap alarms need at least this many pairs.
    pub min_pairs: u64,
}

impl Default for AlarmConfig {
    fn default() -> Self {
        AlarmConfig {
            regression_below: 0.45,
            soft_drift_below: 0.50,
            gap_points: 2.0,
            min_pairs: 20,
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct RubricCount {
    applicable: u64,
    batch: u64,
    sync: u64,
}

/// Counters for one run.
#[derive(Debug, Default)]
pub struct DriftStats {
    config: AlarmConfig,
    pairs: u64,
    score_sum: f64,
    classes: [u64; 5],
    unpaired: u64,
    sync_unavailable: u64,
    fallbacks: u64,
    llm_verdicts: u64,
    rubrics: [RubricCount; 4],
    segments: BTreeMap<u32, (u64, f64)>,
}

impl DriftStats {
    /// Empty counters.
    pub fn new(config: AlarmConfig) -> Self {
        DriftStats {
            config,
            ..DriftStats::default()
        }
    }

    /// Counts one observation (this judge's own verdict, when it scored the row).
    pub fn observe(&mut self, obs: &Observation) {
        let Some(v) = &obs.verdict else { return };
        let label = v.label.as_deref().unwrap_or_default();
        let Some(score) = v.score.filter(|s| s.is_finite()) else {
            if label == UNPAIRED {
                self.unpaired += 1;
            } else if label.starts_with(SYNC_UNAVAILABLE) {
                self.sync_unavailable += 1;
            }
            return;
        };
        let score = score.clamp(0.0, 1.0);
        self.pairs += 1;
        self.score_sum += score;
        let seg = self.segments.entry(obs.segment).or_default();
        seg.0 += 1;
        seg.1 += score;
        let Some(parsed) = label::parse(label) else { return };
        if parsed.prefix.starts_with("fallback") {
            self.fallbacks += 1;
        } else if parsed.prefix == "llm" {
            self.llm_verdicts += 1;
        }
        if let Some(i) = CLASSES.iter().position(|c| *c == parsed.class) {
            self.classes[i] += 1;
        }
        for (count, outcome) in self.rubrics.iter_mut().zip(parsed.outcomes) {
            if let Some((b, s)) = outcome.sides() {
                count.applicable += 1;
                count.batch += u64::from(b);
                count.sync += u64::from(s);
            }
        }
    }

    /// Rows whose label said the LLM verdict fell back to the structural one.
    pub fn fallbacks(&self) -> u64 {
        self.fallbacks
    }

    /// Rows whose label said the verdict came from the model (prefix `llm`).
    pub fn llm_verdicts(&self) -> u64 {
        self.llm_verdicts
    }

    /// Metrics and alarms (see the crate docs for the names).
    pub fn report(&self) -> Report {
        let c = self.config;
        let mut r = Report::new()
            .metric("pairs", self.pairs as f64)
            .metric("unpaired", self.unpaired as f64)
            .metric("sync_unavailable", self.sync_unavailable as f64);
        if self.pairs == 0 {
            return r;
        }
        let mean = self.score_sum / self.pairs as f64;
        r.push_metric("mean_score", None, mean);
        let band = if mean < c.regression_below - EPSILON {
            2.0
        } else if mean < c.soft_drift_below - EPSILON {
            1.0
        } else {
            0.0
        };
        r.push_metric("band", None, band);
        for (class, n) in CLASSES.iter().zip(self.classes) {
            r.push_metric(class.name(), None, n as f64);
        }
        let enough = self.pairs >= c.min_pairs;
        let counts: Vec<String> = CLASSES
            .iter()
            .zip(self.classes)
            .filter(|(_, n)| *n > 0)
            .map(|(class, n)| format!("{n} {}", class.name()))
            .collect();
        let summary = format!(
            "mean pair score {mean:.3} over {} pairs ({})",
            self.pairs,
            counts.join(", ")
        );
        if enough && band == 2.0 {
            r.push_alarm(
                "regression",
                None,
                format!(
                    "batch responses are materially worse than sync: {summary}; regression below {:.2}",
                    c.regression_below
                ),
            );
        } else if enough && band == 1.0 {
            r.push_alarm(
                "soft-drift",
                None,
                format!(
                    "batch responses drift below sync: {summary}; soft drift below {:.2}",
                    c.soft_drift_below
                ),
            );
        }
        for (rubric, n) in RUBRICS.iter().zip(self.rubrics) {
            if n.applicable == 0 {
                continue;
            }
            let name = rubric.name();
            let (b, s) = (
                n.batch as f64 / n.applicable as f64,
                n.sync as f64 / n.applicable as f64,
            );
            let gap = (b - s) * 100.0;
            r.push_metric(&format!("{name}_pairs"), None, n.applicable as f64);
            r.push_metric(&format!("{name}_batch_pass_rate"), None, b);
            r.push_metric(&format!("{name}_sync_pass_rate"), None, s);
            r.push_metric(&format!("{name}_gap_points"), None, gap);
            if n.applicable >= c.min_pairs && gap.abs() > c.gap_points + EPSILON {
                r.push_alarm(
                    "rubric-gap",
                    None,
                    format!(
                        "{name}: batch passes {:.1}% vs sync {:.1}% over {} pairs ({gap:+.1} points, threshold {} points)",
                        b * 100.0,
                        s * 100.0,
                        n.applicable,
                        c.gap_points
                    ),
                );
            }
        }
        for (&id, &(n, sum)) in &self.segments {
            r.push_metric("segment_pairs", Some(id), n as f64);
            r.push_metric("segment_mean_score", Some(id), sum / n as f64);
        }
        r
    }
}
