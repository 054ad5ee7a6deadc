//! Canary against batch: each judge's pass rate on the job's sync canary held
//! up against its pass rate on the batch, with a confidence interval on the
//! difference, and the `canary-drift` alarm.
//!
//! Invariant: the alarm is raised only when the whole 95% interval of
//! (canary − batch) lies above the threshold, so a small canary's noise never
//! raises it; the interval is Newcombe's hybrid score interval, built from the
//! Wilson interval of each rate, which stays inside [−1, 1] and behaves at
//! rates of 0 and 1 where the normal approximation does not.

use std::collections::BTreeMap;

use serde::Serialize;

use std::fmt::Write as _;

use super::format::{metric, pct};
use super::summary::{Alarm, JudgeSummary, Summary};
use super::terminal::sanitize;
use crate::jobs::store::Canary;

/// The alarm kind.
pub const ALARM: &str = "canary-drift";
/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;
/// Segments named in an alarm.
const WORST: usize = 3;

/// The comparison of a batch with its canary.
#[derive(Debug, Clone, Serialize)]
pub struct CanaryComparison {
    pub canary: i64,
    pub canary_rows: u64,
    /// How far, in percentage points, the batch may fall below the canary.
    pub threshold_points: f64,
    pub confidence: f64,
    /// Judges that scored rows on both sides.
    pub judges: BTreeMap<String, JudgeComparison>,
}

/// One judge on both sides.
#[derive(Debug, Clone, Serialize)]
pub struct JudgeComparison {
    pub quality: bool,
    pub canary_pass_rate: f64,
    pub canary_scored: u64,
    pub batch_pass_rate: f64,
    pub batch_scored: u64,
    /// (canary − batch) × 100.
    pub difference_points: f64,
    /// The 95% interval of the difference, in points.
    pub interval_points: [f64; 2],
    /// The interval lies above the threshold (quality judges only).
    pub drifted: bool,
    /// The batch's lowest segments below the canary's rate, lowest first.
    pub worst_segments: Vec<SegmentRate>,
    /// Metric → [canary, batch], for metrics both sides reported.
    pub metrics: BTreeMap<String, [f64; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentRate {
    pub segment: u32,
    pub pass_rate: f64,
    pub scored: u64,
}

/// The Wilson score interval of `passed` out of `n`.
pub fn wilson(passed: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (n_rows, n, p) = (n, n as f64, passed as f64 / n as f64);
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // At 0 and n the bound is exactly 0 or 1; the arithmetic lands a hair inside.
    let lo = if passed == 0 { 0.0 } else { (center - half).max(0.0) };
    let hi = if passed >= n_rows {
        1.0
    } else {
        (center + half).min(1.0)
    };
    (lo, hi)
}

/// Newcombe's hybrid score interval of p1 − p2 (his method 10).
pub fn difference_interval(a: (u64, u64), b: (u64, u64), z: f64) -> (f64, f64) {
    let rate = |(k, n): (u64, u64)| if n == 0 { 0.0 } else { k as f64 / n as f64 };
    let (p1, p2) = (rate(a), rate(b));
    let ((l1, u1), (l2, u2)) = (wilson(a.0, a.1, z), wilson(b.0, b.1, z));
    let d = p1 - p2;
    let lo = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let hi = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    (lo, hi)
}

/// The batch's per-segment pass rates below `canary_rate`, lowest first.
fn worst_segments(j: &JudgeSummary, canary_rate: f64) -> Vec<SegmentRate> {
    let mut v: Vec<SegmentRate> = j
        .segment_pass
        .iter()
        .filter(|s| s.scored > 0)
        .map(|s| SegmentRate {
            segment: s.segment,
            pass_rate: s.passed as f64 / s.scored as f64,
            scored: s.scored,
        })
        .filter(|s| s.pass_rate < canary_rate)
        .collect();
    v.sort_by(|a, b| a.pass_rate.total_cmp(&b.pass_rate).then(a.segment.cmp(&b.segment)));
    v.truncate(WORST);
    v
}

/// Percentage points, to a tenth.
pub fn points(v: f64) -> String {
    format!("{:.1}", v + 0.0)
}

fn message(name: &str, c: &JudgeComparison, threshold: f64) -> String {
    let segments: Vec<String> = c
        .worst_segments
        .iter()
        .map(|s| format!("{} ({}, n={})", s.segment, pct(s.pass_rate), s.scored))
        .collect();
    format!(
        "{name}: pass rate {} on the batch (n={}) against {} on the canary (n={}): {} points lower, 95% interval {} to {} points, all above the {} point threshold{}",
        pct(c.batch_pass_rate),
        c.batch_scored,
        pct(c.canary_pass_rate),
        c.canary_scored,
        points(c.difference_points),
        points(c.interval_points[0]),
        points(c.interval_points[1]),
        points(threshold),
        if segments.is_empty() {
            String::new()
        } else {
            format!("; lowest segments: {}", segments.join(", "))
        }
    )
}

/// Compares `s` with `canary`, sets `s.canary` and adds a `canary-drift`
/// alarm to every quality judge that drifted.
pub fn compare(s: &mut Summary, canary: &Canary, threshold_points: f64) {
    let mut judges = BTreeMap::new();
    for (name, j) in s.judges.iter_mut() {
        let Some(c) = canary.judges.get(name) else { continue };
        let Some(canary_rate) = c.pass_rate() else { continue };
        if j.scored == 0 {
            continue;
        }
        let (lo, hi) = difference_interval((c.passed, c.scored), (j.passed, j.scored), Z95);
        let metrics = c
            .metrics
            .iter()
            .filter_map(|(k, cv)| j.metrics.get(k).map(|bv| (k.clone(), [*cv, *bv])))
            .collect();
        let cmp = JudgeComparison {
            quality: j.quality,
            canary_pass_rate: canary_rate,
            canary_scored: c.scored,
            batch_pass_rate: j.pass_rate,
            batch_scored: j.scored,
            difference_points: (canary_rate - j.pass_rate) * 100.0,
            interval_points: [lo * 100.0, hi * 100.0],
            drifted: j.quality && lo * 100.0 > threshold_points,
            worst_segments: worst_segments(j, canary_rate),
            metrics,
        };
        if cmp.drifted {
            j.alarms.push(Alarm {
                kind: ALARM.into(),
                segment: None,
                message: message(name, &cmp, threshold_points),
            });
        }
        judges.insert(name.clone(), cmp);
    }
    s.canary = Some(CanaryComparison {
        canary: canary.id,
        canary_rows: canary.rows,
        threshold_points,
        confidence: 0.95,
        judges,
    });
}

/// The terminal's canary section: each judge on both sides, the
/// difference with its interval, and the metrics both sides reported.
pub fn render_text(c: &CanaryComparison) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "\ncanary {} ({} rows) against the batch · 95% intervals · canary-drift beyond {} points",
        c.canary,
        c.canary_rows,
        points(c.threshold_points)
    );
    for (name, j) in &c.judges {
        let _ = writeln!(
            o,
            "  {:<20} canary {} (n={})  batch {} (n={})  {} points lower ({} to {}){}",
            sanitize(name),
            pct(j.canary_pass_rate),
            j.canary_scored,
            pct(j.batch_pass_rate),
            j.batch_scored,
            points(j.difference_points),
            points(j.interval_points[0]),
            points(j.interval_points[1]),
            if j.drifted { "  CANARY-DRIFT" } else { "" }
        );
        for (m, [cv, bv]) in &j.metrics {
            let _ = writeln!(o, "    {:<26} {} → {}", sanitize(m), metric(m, *cv), metric(m, *bv));
        }
    }
    o
}

#[cfg(test)]
mod tests;
