//! The terminal's per-segment view: one sparkline per segment metric, with the
//! range it spans and a `^` under every cell that holds an alarmed segment.
//!
//! Invariant: at most `WIDTH` cells whatever the segment count (a cell covers
//! consecutive segments and shows their lowest value, so a drop is never
//! averaged away); metric names from a judge are printed through `sanitize`.

use std::fmt::Write as _;

use super::sanitize;
use crate::report::format::metric;
use crate::report::summary::JudgeSummary;

/// Cells per sparkline.
pub const WIDTH: usize = 60;
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// (segment, value) points → at most `WIDTH` cells: (first segment, last segment, lowest value).
fn cells(points: &[(u32, f64)]) -> Vec<(u32, u32, f64)> {
    let per = points.len().div_ceil(WIDTH).max(1);
    points
        .chunks(per)
        .filter_map(|c| {
            let lo = c
                .iter()
                .map(|p| p.1)
                .filter(|v| v.is_finite())
                .fold(f64::INFINITY, f64::min);
            Some((c.first()?.0, c.last()?.0, if lo.is_finite() { lo } else { 0.0 }))
        })
        .collect()
}

/// The sparkline of `values`, scaled to their own range.
pub fn spark(values: &[f64]) -> String {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| {
            if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
                BARS[BARS.len() / 2]
            } else {
                let k = ((v - lo) / (hi - lo) * (BARS.len() - 1) as f64).round() as usize;
                BARS[k.min(BARS.len() - 1)]
            }
        })
        .collect()
}

/// Appends the judge's per-segment metrics, one sparkline each, to `o`.
pub fn render(o: &mut String, j: &JudgeSummary) {
    if j.segment_metrics.is_empty() {
        return;
    }
    let alarmed: Vec<u32> = j.alarms.iter().filter_map(|a| a.segment).collect();
    let _ = writeln!(o, "  per segment (lowest value per cell; ^ = alarm)");
    for (m, values) in &j.segment_metrics {
        let points: Vec<(u32, f64)> = values.iter().map(|v| (v.segment, v.value)).collect();
        let cells = cells(&points);
        let lows: Vec<f64> = cells.iter().map(|c| c.2).collect();
        let (min, max) = points
            .iter()
            .fold((None::<(u32, f64)>, None::<(u32, f64)>), |(lo, hi), &p| {
                (
                    Some(lo.filter(|l| l.1 <= p.1).unwrap_or(p)),
                    Some(hi.filter(|h| h.1 >= p.1).unwrap_or(p)),
                )
            });
        let range = match (min, max) {
            (Some(lo), Some(hi)) => format!(
                "min {} (segment {})  max {} (segment {})",
                metric(m, lo.1),
                lo.0,
                metric(m, hi.1),
                hi.0
            ),
            _ => String::new(),
        };
        let _ = writeln!(o, "  {:<28} {}  {range}", sanitize(m), spark(&lows));
        let marks: String = cells
            .iter()
            .map(|&(a, b, _)| {
                if alarmed.iter().any(|s| (a..=b).contains(s)) {
                    '^'
                } else {
                    ' '
                }
            })
            .collect();
        if marks.contains('^') {
            let segs: Vec<String> = alarmed.iter().map(u32::to_string).collect();
            let _ = writeln!(o, "  {:<28} {}  ALARM: segment {}", "", marks, segs.join(", "));
        }
    }
}

#[cfg(test)]
mod tests;
