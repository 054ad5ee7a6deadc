//! The report's canary section: each judge's pass rate on the sync canary
//! and on the batch, side by side, with the difference and its interval.
//!
//! Invariant: every judge of the comparison has one table row and two bars
//! (canary, batch); judge names are escaped like all other judge text.

use std::fmt::Write as _;

use super::esc;
use super::svg::{self, Bar, PALETTE};
use crate::report::canary::{CanaryComparison, points};
use crate::report::format::{metric, pct};

pub fn section(o: &mut String, c: &CanaryComparison) {
    let _ = write!(
        o,
        "<h2 id=\"canary\">Canary against batch</h2><p>Canary {} ({} rows, sent through the sync API before the batch). \
A quality judge raises <code>canary-drift</code> when the whole 95% interval of (canary − batch) lies above {} points.</p>",
        c.canary,
        c.canary_rows,
        esc(&points(c.threshold_points))
    );
    o.push_str("<table class=\"canary\"><tr><th>judge</th><th>canary</th><th>batch</th><th>points lower</th><th>95% interval</th><th>verdict</th><th>metrics (canary → batch)</th></tr>");
    for (name, j) in &c.judges {
        let metrics: Vec<String> = j
            .metrics
            .iter()
            .map(|(m, [cv, bv])| format!("{} {} → {}", esc(m), esc(&metric(m, *cv)), esc(&metric(m, *bv))))
            .collect();
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{} (n={})</td><td>{} (n={})</td><td>{}</td><td>{} to {}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            pct(j.canary_pass_rate),
            j.canary_scored,
            pct(j.batch_pass_rate),
            j.batch_scored,
            points(j.difference_points),
            points(j.interval_points[0]),
            points(j.interval_points[1]),
            if j.drifted {
                "<strong>canary-drift</strong>"
            } else {
                "within the interval"
            },
            metrics.join("<br>")
        );
    }
    o.push_str("</table>");
    let labels: Vec<(String, f64)> = c
        .judges
        .iter()
        .flat_map(|(name, j)| {
            [
                (format!("{name}: canary"), j.canary_pass_rate),
                (format!("{name}: batch"), j.batch_pass_rate),
            ]
        })
        .collect();
    let bars: Vec<Bar<'_>> = labels
        .iter()
        .enumerate()
        .map(|(i, (label, v))| Bar {
            label,
            value: *v,
            shown: pct(*v),
            color: PALETTE[i % 2],
        })
        .collect();
    o.push_str(&svg::bars("canary against batch", &bars, Some(1.0)));
}
