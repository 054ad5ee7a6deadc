//! Inline SVG charts for the HTML report: horizontal bars, a per-segment line with
//! a reference line and shaded alarm segments, and stacked per-segment columns.
//!
//! Invariant: every label and tooltip passes through `esc`; charts use presentation
//! attributes only (no `style` attribute), so the page's CSP needs no
//! `unsafe-inline`; values that are not finite are drawn as zero, never as NaN
//! coordinates.

use std::fmt::Write as _;

use super::esc;

const W: f64 = 640.0;
/// Colours for series, in order; the rest reuse them.
pub const PALETTE: [&str; 8] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f",
];
const ALARM: &str = "#e15759";

fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

/// One bar: label, value, the value as shown, colour.
pub struct Bar<'a> {
    pub label: &'a str,
    pub value: f64,
    pub shown: String,
    pub color: &'a str,
}

/// Horizontal bars scaled to `max` (or the largest value when `max` is `None`).
pub fn bars(title: &str, items: &[Bar<'_>], max: Option<f64>) -> String {
    let row = 22.0;
    let h = row * items.len() as f64 + 8.0;
    let top = max
        .unwrap_or_else(|| items.iter().map(|b| finite(b.value)).fold(0.0, f64::max))
        .max(f64::MIN_POSITIVE);
    let (label_w, bar_w) = (260.0, 280.0);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="chart" role="img" viewBox="0 0 {W} {h}" width="{W}" height="{h}"><title>{}</title>"#,
        esc(title)
    );
    for (i, b) in items.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let w = (finite(b.value) / top).clamp(0.0, 1.0) * bar_w;
        let _ = write!(
            o,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text><rect class="bar" x="{label_w}" y="{}" width="{w:.1}" height="{}" fill="{}"><title>{}: {}</title></rect><text x="{:.1}" y="{}">{}</text>"#,
            label_w - 6.0,
            y + 14.0,
            esc(b.label),
            y + 2.0,
            row - 6.0,
            b.color,
            esc(b.label),
            esc(&b.shown),
            label_w + w + 6.0,
            y + 14.0,
            esc(&b.shown),
        );
    }
    o.push_str("</svg>");
    o
}

/// A per-segment series: one point per segment, a dashed reference line (the
/// batch-wide value) and a shaded band over each alarmed segment.
pub struct Series<'a> {
    pub title: &'a str,
    pub points: &'a [(u32, f64)],
    pub reference: Option<f64>,
    pub alarmed: &'a [u32],
    /// Rates are drawn on 0..1 and shown as percentages.
    pub rate: bool,
    pub fmt: &'a dyn Fn(f64) -> String,
}

pub fn line(s: &Series<'_>) -> String {
    let (h, left, right, top, bottom) = (180.0, 96.0, 12.0, 12.0, 24.0);
    let segs = s.points.iter().map(|p| p.0).max().unwrap_or(0).max(1) as f64;
    let hi = if s.rate {
        1.0
    } else {
        let m = s.points.iter().map(|p| finite(p.1)).fold(0.0, f64::max);
        m.max(finite(s.reference.unwrap_or(0.0))).max(f64::MIN_POSITIVE)
    };
    let x = |seg: u32| left + (W - left - right) * f64::from(seg) / segs;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (finite(v) / hi).clamp(0.0, 1.0));
    let step = (W - left - right) / segs;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="chart" role="img" viewBox="0 0 {W} {h}" width="{W}" height="{h}"><title>{}</title>"#,
        esc(s.title)
    );
    for &seg in s.alarmed {
        let _ = write!(
            o,
            r#"<rect class="alarm-band" x="{:.1}" y="{top}" width="{:.1}" height="{}" fill="{ALARM}" fill-opacity="0.18"><title>alarm in segment {seg}</title></rect>"#,
            (x(seg) - step / 2.0).max(left),
            step.max(2.0),
            h - top - bottom
        );
    }
    let _ = write!(
        o,
        r##"<line x1="{left}" y1="{0}" x2="{1}" y2="{0}" stroke="#999"/><text x="{2}" y="{3}" text-anchor="end">{4}</text><text x="{2}" y="{0}" text-anchor="end">{5}</text><text x="{left}" y="{6}">segment 0</text><text x="{1}" y="{6}" text-anchor="end">segment {7}</text>"##,
        h - bottom,
        W - right,
        left - 4.0,
        top + 8.0,
        esc(&(s.fmt)(hi)),
        esc(&(s.fmt)(0.0)),
        h - 6.0,
        segs as u32,
    );
    if let Some(r) = s.reference {
        let _ = write!(
            o,
            r##"<line class="reference" x1="{left}" y1="{0:.1}" x2="{1}" y2="{0:.1}" stroke="#555" stroke-dasharray="4 3"><title>batch-wide: {2}</title></line>"##,
            y(r),
            W - right,
            esc(&(s.fmt)(r))
        );
    }
    let pts: Vec<String> = s
        .points
        .iter()
        .map(|&(seg, v)| format!("{:.1},{:.1}", x(seg), y(v)))
        .collect();
    let _ = write!(
        o,
        r#"<polyline class="series" points="{}" fill="none" stroke="{}" stroke-width="1.5"/>"#,
        pts.join(" "),
        PALETTE[0]
    );
    for &(seg, v) in s.points {
        let color = if s.alarmed.contains(&seg) { ALARM } else { PALETTE[0] };
        let _ = write!(
            o,
            r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{color}"><title>segment {seg}: {}</title></circle>"#,
            x(seg),
            y(v),
            esc(&(s.fmt)(v))
        );
    }
    o.push_str("</svg>");
    o
}

/// One segment's column: the segment, (name, rows) stacked bottom-up, and
/// whether the segment rotated away from the job's majority.
pub type Column = (u32, Vec<(String, u64)>, bool);

/// One stacked column per segment, coloured by the name's place in `names`.
pub fn columns(title: &str, segments: &[Column], names: &[String]) -> String {
    let (h, left, top, bottom) = (180.0, 8.0, 8.0, 24.0);
    let n = segments.len().max(1) as f64;
    let step = (W - 2.0 * left) / n;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="chart" role="img" viewBox="0 0 {W} {h}" width="{W}" height="{h}"><title>{}</title>"#,
        esc(title)
    );
    for (i, (seg, parts, rotated)) in segments.iter().enumerate() {
        let total: u64 = parts.iter().map(|p| p.1).sum::<u64>().max(1);
        let x = left + step * i as f64;
        let mut y = h - bottom;
        for (name, rows) in parts {
            let hh = (h - top - bottom) * (*rows as f64 / total as f64);
            y -= hh;
            let color = names
                .iter()
                .position(|n| n == name)
                .map_or("#bbb", |k| PALETTE[k % PALETTE.len()]);
            let _ = write!(
                o,
                r#"<rect class="mix" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{hh:.1}" fill="{color}"><title>segment {seg}: {} {rows} rows</title></rect>"#,
                (step - 1.0).max(1.0),
                esc(name)
            );
        }
        if *rotated {
            let _ = write!(
                o,
                r#"<text class="rotated" x="{:.1}" y="{}" text-anchor="middle" fill="{ALARM}">▲<title>segment {seg} rotated</title></text>"#,
                x + step / 2.0,
                h - 8.0
            );
        }
    }
    o.push_str("</svg>");
    o
}
