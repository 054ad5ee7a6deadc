//! The sections of the HTML report, each appended to the page body.
//!
//! Invariant: each section reads only the summary (or the failed rows) and writes
//! escaped text; a section with nothing to show says so instead of drawing an
//! empty chart.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::esc;
use super::svg::{self, Bar, PALETTE, Series};
use crate::report::failed::FailedRows;
use crate::report::format::{metric, pct, usd};
use crate::report::summary::Summary;

pub fn header(o: &mut String, s: &Summary) {
    let verdict = if s.exit_code == 0 {
        r#"<span class="ok">passed</span>"#.to_owned()
    } else {
        format!(r#"<span class="bad">exit code {}</span>"#, s.exit_code)
    };
    let _ = write!(
        o,
        "<h1>assay eval report</h1><table class=\"meta\"><tr><th>input</th><td>{}</td></tr>\
<tr><th>provider</th><td>{}</td></tr><tr><th>rows submitted</th><td>{}</td></tr>\
<tr><th>segments</th><td>{} × {} rows</td></tr><tr><th>attempts</th><td>{}</td></tr>\
<tr><th>result</th><td>{verdict}</td></tr><tr><th>assay</th><td>{} · {} ms</td></tr></table>",
        esc(&s.input),
        esc(&s.provider),
        s.rows_submitted,
        s.segments,
        s.segment_size,
        s.attempts.len(),
        esc(s.assay_version),
        s.elapsed_ms
    );
    if !s.gates.is_empty() {
        o.push_str("<h2>Gates</h2><table><tr><th>gate</th><th>actual</th><th>threshold</th><th></th></tr>");
        for g in &s.gates {
            let v = if g.passed {
                r#"<span class="ok">ok</span>"#
            } else {
                r#"<span class="bad">FAILED</span>"#
            };
            let _ = write!(
                o,
                r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td>{v}</td></tr>"#,
                esc(&g.name),
                pct(g.actual),
                pct(g.threshold)
            );
        }
        o.push_str("</table>");
    }
}

pub fn statuses(o: &mut String, s: &Summary) {
    let total = s.rows_submitted.max(1) as f64;
    let counts = s.status_counts.iter();
    let bars: Vec<Bar<'_>> = counts
        .iter()
        .enumerate()
        .map(|(i, (name, n))| Bar {
            label: name,
            value: *n as f64,
            shown: format!("{n} ({})", pct(*n as f64 / total)),
            color: PALETTE[i % PALETTE.len()],
        })
        .collect();
    o.push_str("<h2 id=\"statuses\">Status breakdown</h2>");
    o.push_str(&svg::bars("rows by status", &bars, Some(total)));
}

pub fn quality(o: &mut String, s: &Summary) {
    o.push_str("<h2 id=\"quality\">Completion against quality</h2>");
    let submitted = s.rows_submitted.max(1) as f64;
    let mut rows: Vec<(String, f64)> = vec![("completed / submitted".into(), s.completion_rate)];
    for (name, j) in s.judges.iter().filter(|(_, j)| j.quality) {
        let rate = if j.scored > 0 { pct(j.pass_rate) } else { "n/a".into() };
        rows.push((format!("{name}: passed / scored ({rate})"), j.pass_rate));
        rows.push((format!("{name}: passed / submitted"), j.passed as f64 / submitted));
    }
    if rows.len() == 1 {
        o.push_str("<p>No quality judge ran: completion only.</p>");
    }
    let bars: Vec<Bar<'_>> = rows
        .iter()
        .enumerate()
        .map(|(i, (label, v))| Bar {
            label,
            value: *v,
            shown: pct(*v),
            color: PALETTE[i.div_ceil(2) % PALETTE.len()],
        })
        .collect();
    o.push_str(&svg::bars("completion against quality", &bars, Some(1.0)));
}

/// Which component each judge ran from, and its sha256.
pub fn judges(o: &mut String, s: &Summary) {
    o.push_str(
        "<h2 id=\"judges\">Judges</h2><table><tr><th>judge</th><th>version</th><th>from</th><th>sha256</th></tr>",
    );
    for (name, j) in &s.judges {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{} <code>{}</code></td><td><code>{}</code></td></tr>",
            esc(name),
            esc(&j.version),
            esc(&j.origin),
            esc(&j.component),
            esc(&j.sha256)
        );
    }
    o.push_str("</table>");
}

pub fn segments(o: &mut String, s: &Summary) {
    o.push_str("<h2 id=\"segments\">Per-segment metrics and alarms</h2>");
    let mut any = false;
    for (name, j) in &s.judges {
        if j.segment_metrics.is_empty() && j.alarms.is_empty() {
            continue;
        }
        any = true;
        let _ = write!(o, "<h3>{}</h3>", esc(name));
        let alarmed: Vec<u32> = j.alarms.iter().filter_map(|a| a.segment).collect();
        for (m, values) in &j.segment_metrics {
            let points: Vec<(u32, f64)> = values.iter().map(|v| (v.segment, v.value)).collect();
            let batch_name = m.strip_prefix("segment_").unwrap_or(m);
            let fmt = |v: f64| metric(m, v);
            let title = format!("{name}: {m} by segment");
            let _ = write!(o, "<div class=\"metric\">{}</div>", esc(m));
            o.push_str(&svg::line(&Series {
                title: &title,
                points: &points,
                reference: j.metrics.get(batch_name).copied().filter(|_| m.ends_with("_rate")),
                alarmed: &alarmed,
                rate: m.ends_with("_rate"),
                fmt: &fmt,
            }));
        }
        if !j.alarms.is_empty() {
            o.push_str("<ul class=\"alarms\">");
            for a in &j.alarms {
                let seg = a.segment.map(|x| format!(" (segment {x})")).unwrap_or_default();
                let _ = write!(
                    o,
                    r#"<li class="alarm">ALARM {}{seg}: {}</li>"#,
                    esc(&a.kind),
                    esc(&a.message)
                );
            }
            o.push_str("</ul>");
        }
    }
    if !any {
        o.push_str("<p>No judge reported per-segment metrics.</p>");
    }
}

pub fn costs(o: &mut String, s: &Summary) {
    o.push_str("<h2 id=\"costs\">Cost breakdown</h2>");
    let judge_llm: f64 = s.judges.values().filter_map(|j| j.llm.as_ref()?.cost_usd).sum::<f64>();
    let Some(m) = s
        .judges
        .values()
        .map(|j| &j.metrics)
        .find(|m| m.contains_key("batch_cost_usd"))
    else {
        o.push_str("<p>No cost judge ran (add <code>--judge cost-per-row</code>).</p>");
        return;
    };
    let get = |k: &str| m.get(k).copied().unwrap_or(0.0);
    let parts = [
        ("batch", get("batch_cost_usd")),
        ("retries", get("retry_cost_usd")),
        ("sync retries", get("sync_retry_cost_usd")),
        ("judge calls", judge_llm),
    ];
    let bars: Vec<Bar<'_>> = parts
        .iter()
        .enumerate()
        .map(|(i, (label, v))| Bar {
            label,
            value: *v,
            shown: usd(*v),
            color: PALETTE[i % PALETTE.len()],
        })
        .collect();
    o.push_str(&svg::bars("cost by source", &bars, None));
    o.push_str("<table>");
    for (k, v) in m.iter().filter(|(k, _)| k.ends_with("_usd")) {
        let _ = write!(o, r#"<tr><td>{}</td><td class="n">{}</td></tr>"#, esc(k), usd(*v));
    }
    let _ = write!(
        o,
        r#"<tr><td>judge calls</td><td class="n">{}</td></tr></table>"#,
        usd(judge_llm)
    );
}

pub fn snapshots(o: &mut String, s: &Summary) {
    o.push_str("<h2 id=\"snapshots\">Snapshot mix per segment</h2>");
    let snaps = &s.snapshots;
    if snaps.segments.is_empty() {
        o.push_str("<p>No completed rows.</p>");
        return;
    }
    let by_snapshot = snaps.snapshots_compared && snaps.distinct_snapshots > 0;
    let mut columns = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for seg in &snaps.segments {
        let mut parts = if by_snapshot {
            seg.snapshots.clone()
        } else {
            seg.models.clone()
        };
        let named: u64 = parts.iter().map(|p| p.1).sum();
        if seg.completed > named {
            parts.push(("(other)".into(), seg.completed - named));
        }
        for (n, _) in &parts {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        columns.push((seg.segment, parts, seg.rotated));
    }
    let what = if by_snapshot { "snapshot" } else { "model" };
    o.push_str(&svg::columns(
        &format!("completed rows by {what} per segment"),
        &columns,
        &names,
    ));
    o.push_str("<div class=\"legend\">");
    for (i, n) in names.iter().enumerate() {
        let _ = write!(
            o,
            r#"<span><svg width="10" height="10"><rect width="10" height="10" fill="{}"/></svg> {}</span>"#,
            PALETTE[i % PALETTE.len()],
            esc(n)
        );
    }
    o.push_str("</div>");
    if !snaps.rotated_segments.is_empty() {
        let segs: Vec<String> = snaps.rotated_segments.iter().map(u32::to_string).collect();
        let _ = write!(
            o,
            "<p class=\"alarm\">▲ rotated: segments {} were served mostly by another {what}.</p>",
            segs.join(", ")
        );
    }
}

pub fn failed_rows(o: &mut String, f: &FailedRows) {
    let _ = write!(o, "<h2 id=\"failed-rows\">Failed rows ({})</h2>", f.total());
    if f.total() == 0 {
        o.push_str("<p>No row failed.</p>");
        return;
    }
    let statuses: BTreeSet<&str> = f.rows.iter().map(|r| r.status.as_str()).collect();
    o.push_str(
        "<div class=\"filters\"><input id=\"q\" type=\"search\" placeholder=\"filter: id, model, judge, label\"> \
<select id=\"st\"><option value=\"\">every status</option>",
    );
    for st in statuses {
        let _ = write!(o, r#"<option value="{0}">{0}</option>"#, esc(st));
    }
    let _ = write!(o, "</select> showing <span id=\"shown\">{}</span></div>", f.rows.len());
    if f.more > 0 {
        let _ = write!(
            o,
            "<p>The first {} failed rows are listed; {} more are counted only.</p>",
            f.rows.len(),
            f.more
        );
    }
    o.push_str(
        "<table id=\"failed\"><thead><tr><th>index</th><th>id</th><th>segment</th><th>status</th>\
<th>model</th><th>why</th></tr></thead><tbody>",
    );
    for r in &f.rows {
        let mut why: Vec<String> = r.error_kind.iter().map(|k| esc(k)).collect();
        why.extend(r.judges.iter().map(|(j, w)| format!("{}: {}", esc(j), esc(w))));
        let _ = write!(
            o,
            r#"<tr data-status="{0}"><td class="n">{1}</td><td>{2}</td><td class="n">{3}</td><td>{0}</td><td>{4}</td><td>{5}</td></tr>"#,
            esc(&r.status),
            r.index,
            esc(&r.id),
            r.segment,
            esc(&r.model),
            why.join("; ")
        );
    }
    o.push_str("</tbody></table>");
}
