//! [`Scores`]: count, mean, range and quantiles of scores in `[0, 1]`.
//!
//! Invariant: O(1) state — 1,000 fixed bins over `[0, 1]`, so a quantile is
//! exact to 0.001 however many scores were added; NaN is never counted.

use crate::Report;

const BINS: usize = 1000;

/// Count, mean, min, max and quantiles of scores in `[0, 1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    count: u64,
    sum: f64,
    min: f64,
    max: f64,
    bins: Vec<u64>,
}

impl Default for Scores {
    fn default() -> Self {
        Scores {
            count: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            bins: vec![0; BINS + 1],
        }
    }
}

impl Scores {
    /// No scores yet.
    pub fn new() -> Self {
        Scores::default()
    }

    /// Adds one score; a NaN is ignored, others are clamped to `[0, 1]`.
    pub fn add(&mut self, score: f64) {
        if score.is_nan() {
            return;
        }
        let s = score.clamp(0.0, 1.0);
        self.count += 1;
        self.sum += s;
        self.min = self.min.min(s);
        self.max = self.max.max(s);
        self.bins[(s * BINS as f64).round() as usize] += 1;
    }

    /// Scores added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The mean, when any score was added.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// The smallest and the largest score, when any was added.
    pub fn range(&self) -> Option<(f64, f64)> {
        (self.count > 0).then_some((self.min, self.max))
    }

    /// The `q`-quantile (`q` in `[0, 1]`, nearest rank), to 0.001.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 || q.is_nan() {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &n) in self.bins.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Some((i as f64 / BINS as f64).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }

    /// Metrics `{prefix}count`, `{prefix}mean`, `{prefix}p50`, `{prefix}p90`,
    /// `{prefix}p99` (the last four only when a score was added).
    pub fn report_into(&self, report: &mut Report, prefix: &str) {
        report.push_metric(&format!("{prefix}count"), None, self.count as f64);
        let Some(mean) = self.mean() else { return };
        report.push_metric(&format!("{prefix}mean"), None, mean);
        for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
            if let Some(v) = self.quantile(q) {
                report.push_metric(&format!("{prefix}{name}"), None, v);
            }
        }
    }
}
