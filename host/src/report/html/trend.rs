//! The report's trend section: completion and each quality judge's pass rate
//! across the recorded runs on one chart, the unit cost on another, the
//! regressed runs marked, the regressions listed, and the runs that gate the
//! next submission (`submit --gate-on-last`) drawn as dashed lines and listed.
//!
//! Invariant: every name passes through `esc`; presentation attributes only (the
//! page's CSP allows no inline style); a run without a value in a series leaves a
//! gap, never a point at zero.

use std::fmt::Write as _;

use super::esc;
use super::svg::PALETTE;
use crate::report::format::{pct, usd};
use crate::report::trend::{Series, Trend, Unit};

const W: f64 = 640.0;
const ALARM: &str = "#e15759";

/// One chart of `series` (all of one unit) over the trend's runs.
fn chart(title: &str, t: &Trend, series: &[&Series], unit: Unit) -> String {
    let (h, left, right, top, bottom) = (180.0, 96.0, 12.0, 12.0, 24.0);
    let n = t.runs.len().max(2) - 1;
    let hi = match unit {
        Unit::Rate => 1.0,
        Unit::Usd => series
            .iter()
            .flat_map(|s| s.values.iter().filter_map(|v| v.value))
            .fold(0.0, f64::max)
            .max(f64::MIN_POSITIVE),
    };
    let shown = |v: f64| match unit {
        Unit::Rate => pct(v),
        Unit::Usd => usd(v),
    };
    let x = |i: usize| left + (W - left - right) * i as f64 / n as f64;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v / hi).clamp(0.0, 1.0));
    let mut o = String::new();
    let _ = write!(
        o,
        r##"<svg class="chart trend" role="img" viewBox="0 0 {W} {h}" width="{W}" height="{h}"><title>{6}</title><line x1="{left}" y1="{0}" x2="{1}" y2="{0}" stroke="#999"/><text x="{2}" y="{3}" text-anchor="end">{4}</text><text x="{2}" y="{0}" text-anchor="end">{5}</text>"##,
        h - bottom,
        W - right,
        left - 4.0,
        top + 8.0,
        esc(&shown(hi)),
        esc(&shown(0.0)),
        esc(title),
    );
    if let (Some(first), Some(last)) = (t.runs.first(), t.runs.last()) {
        let _ = write!(
            o,
            r#"<text x="{left}" y="{0}">run {1}</text><text x="{2}" y="{0}" text-anchor="end">run {3}</text>"#,
            h - 6.0,
            first.run,
            W - right,
            last.run
        );
    }
    // The runs that gate the next submission: a dashed line at each.
    for (i, r) in t.runs.iter().enumerate() {
        let n = &r.next_submission;
        if n.blocks.is_empty() {
            continue;
        }
        let _ = write!(
            o,
            r##"<line class="gate" x1="{0:.1}" y1="{top}" x2="{0:.1}" y2="{1}" stroke="{ALARM}" stroke-dasharray="3,3"><title>run {2} blocks submit --gate-on-last: {3}; {4} refused, {5} forced</title></line>"##,
            x(i),
            h - bottom,
            r.run,
            esc(&n.blocks.join(", ")),
            n.refused,
            n.forced
        );
    }
    for (k, s) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        // A gap (a run without a value) ends one polyline and starts the next.
        for part in s
            .values
            .iter()
            .enumerate()
            .collect::<Vec<_>>()
            .split(|(_, v)| v.value.is_none())
        {
            let pts: Vec<String> = part
                .iter()
                .filter_map(|(i, v)| Some(format!("{:.1},{:.1}", x(*i), y(v.value?))))
                .collect();
            if !pts.is_empty() {
                let _ = write!(
                    o,
                    r#"<polyline class="trend-series" points="{}" fill="none" stroke="{color}" stroke-width="1.5"/>"#,
                    pts.join(" ")
                );
            }
        }
        for (i, v) in s.values.iter().enumerate() {
            let Some(value) = v.value else { continue };
            let (class, fill, r) = if v.regressed {
                ("regression", ALARM, 4.0)
            } else {
                ("run", color, 2.5)
            };
            let _ = write!(
                o,
                r#"<circle class="{class}" cx="{:.1}" cy="{:.1}" r="{r}" fill="{fill}"><title>run {}: {} {}</title></circle>"#,
                x(i),
                y(value),
                v.run,
                esc(&s.name),
                esc(&shown(value))
            );
        }
    }
    o.push_str("</svg><div class=\"legend\">");
    for (k, s) in series.iter().enumerate() {
        let _ = write!(
            o,
            r#"<span><svg width="10" height="10"><rect width="10" height="10" fill="{}"/></svg> {}</span>"#,
            PALETTE[k % PALETTE.len()],
            esc(&s.name)
        );
    }
    o.push_str("</div>");
    o
}

/// Appends the section: the trend, or the note saying why there is none.
pub fn section(o: &mut String, trend: Result<&Trend, &str>) {
    o.push_str("<h2 id=\"trend\">Trend across runs</h2>");
    let t = match trend {
        Err(note) => {
            let _ = write!(o, "<p>{}</p>", esc(note));
            return;
        }
        Ok(t) if t.runs.len() < 2 => {
            o.push_str("<p>The history holds this run only; the trend starts with the next run.</p>");
            return;
        }
        Ok(t) => t,
    };
    let _ = write!(
        o,
        "<p>{} recorded runs{}; each run is compared with the median of the previous {} (band: {} points for rates, {}% for the unit cost).</p>",
        t.runs.len(),
        t.runs
            .last()
            .and_then(|r| r.tag.as_deref())
            .map(|g| format!(" tagged <code>{}</code>", esc(g)))
            .unwrap_or_default(),
        t.band.window,
        t.band.points,
        t.band.points
    );
    let rates: Vec<&Series> = t.series.iter().filter(|s| s.unit == Unit::Rate).collect();
    o.push_str(&chart("completion and pass rates by run", t, &rates, Unit::Rate));
    let costs: Vec<&Series> = t.series.iter().filter(|s| s.unit == Unit::Usd).collect();
    if !costs.is_empty() {
        o.push_str(&chart("cost per validated row by run", t, &costs, Unit::Usd));
    }
    let gating: Vec<_> = t.runs.iter().filter(|r| !r.next_submission.blocks.is_empty()).collect();
    if !gating.is_empty() {
        o.push_str("<p>Runs that gate the next submission (<code>assay submit --gate-on-last</code>), dashed on the chart:</p><ul class=\"alarms\">");
        for r in gating {
            let n = &r.next_submission;
            let _ = write!(
                o,
                r#"<li class="alarm">run {} (job {}) blocks the next submission: {}; {} refused, {} forced</li>"#,
                r.run,
                r.job.map_or("-".into(), |j| j.to_string()),
                esc(&n.blocks.join(", ")),
                n.refused,
                n.forced
            );
        }
        o.push_str("</ul>");
    }
    if !t.regressions.is_empty() {
        o.push_str("<ul class=\"alarms\">");
        for r in &t.regressions {
            let _ = write!(
                o,
                r#"<li class="alarm">REGRESSION run {}: {}</li>"#,
                r.run,
                esc(&r.message)
            );
        }
        o.push_str("</ul>");
    }
}
