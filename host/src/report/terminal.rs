//! The human view of a summary: status counts, completion, each judge's pass
//! rate and metrics, drift alarms and gates.
//!
//! Invariant: text that came from a judge (alarm messages, labels) is printed
//! with control characters escaped, so a judge cannot drive the terminal.

use std::fmt::Write as _;

use super::format::{metric as fmt_metric, pct, usd};
use super::summary::Summary;

/// Escapes control characters (ANSI escapes included) for display.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() && c != '\n' {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// A judge-supplied message as one visible line of at most 240 characters.
fn one_line(s: &str) -> String {
    const MAX: usize = 240;
    let line = sanitize(s).replace('\n', "\\n");
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

pub fn render(s: &Summary) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "assay eval · {} · {}", s.provider, s.input);
    let _ = writeln!(
        o,
        "rows submitted: {}   segments: {} × {} rows   attempts: {}",
        s.rows_submitted,
        s.segments,
        s.segment_size,
        s.attempts.len()
    );
    let _ = writeln!(o, "\ncompletion");
    for (status, n) in s.status_counts.iter() {
        let share = if s.rows_submitted > 0 {
            n as f64 / s.rows_submitted as f64
        } else {
            0.0
        };
        let _ = writeln!(o, "  {status:<16} {n:>10}  {:>8}", pct(share));
    }
    let _ = writeln!(o, "  completion rate  {:>10}", pct(s.completion_rate));
    let f = &s.flags;
    let _ = writeln!(
        o,
        "  flags: truncated {}, retried {}, silently retried {}, duplicate {}, unexpected {}",
        f.truncated, f.retried, f.silently_retried, f.duplicate, f.unexpected
    );
    if let Some(y) = &s.sync {
        let _ = writeln!(
            o,
            "  sync results: {} rows; paired {}, recovered by sync {}, not recovered {}; batch alone: {} completed ({})",
            y.rows,
            y.paired,
            y.recovered_by_sync,
            y.not_recovered,
            y.batch_status_counts.completed,
            pct(y.batch_completion_rate)
        );
    }
    if s.bad_lines.count > 0 {
        let _ = writeln!(
            o,
            "\nbad input lines: {} (allowed: {})",
            s.bad_lines.count, s.bad_lines.max_allowed
        );
        for b in s.bad_lines.lines.iter().take(10) {
            let _ = writeln!(o, "  {}:{}: {}", b.file, b.line, sanitize(&b.reason));
        }
    }
    for (name, j) in &s.judges {
        let _ = writeln!(o, "\njudge {name} {}", j.version);
        let _ = writeln!(o, "  from {} {}  sha256 {}", j.origin, sanitize(&j.component), j.sha256);
        if j.scored > 0 || j.quality {
            let _ = writeln!(
                o,
                "  scored {}  passed {}  pass rate {}",
                j.scored,
                j.passed,
                if j.scored > 0 {
                    pct(j.pass_rate)
                } else {
                    "n/a".to_owned()
                }
            );
        }
        let failures: u64 = j.failures.values().sum();
        if j.judge_errors > 0 || failures > 0 {
            let kinds: Vec<String> = j
                .failures
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let kinds = if kinds.is_empty() {
                String::new()
            } else {
                format!(" [{}]", kinds.join(", "))
            };
            let _ = writeln!(
                o,
                "  judge errors {}  stopped by host {failures}{kinds}",
                j.judge_errors
            );
            if let Some(first) = &j.first_judge_error {
                let _ = writeln!(o, "  first judge error: {}", one_line(first));
            }
            if let Some(first) = &j.first_host_failure {
                let _ = writeln!(o, "  first stopped row: {}", one_line(first));
            }
        }
        if let Some(l) = &j.llm {
            let cost = l.cost_usd.map(|c| format!("  {}", usd(c))).unwrap_or_default();
            let errors: Vec<String> = l.errors.iter().map(|(k, n)| format!("{k} {n}")).collect();
            let errors = if errors.is_empty() {
                String::new()
            } else {
                format!("  refused/failed [{}]", errors.join(", "))
            };
            let _ = writeln!(
                o,
                "  judge LLM calls {} (+{} cached)  tokens {} in / {} out of {}{cost}{errors}",
                l.calls, l.cached, l.input_tokens, l.output_tokens, l.token_budget
            );
        }
        for (m, v) in &j.metrics {
            let _ = writeln!(o, "  {:<28} {}", sanitize(m), fmt_metric(m, *v));
        }
        segments::render(&mut o, j);
        for a in &j.alarms {
            let _ = writeln!(o, "  ALARM {}: {}", sanitize(&a.kind), sanitize(&a.message));
        }
        if let Some(e) = &j.aggregator_error {
            let _ = writeln!(o, "  aggregator error: {}", sanitize(e));
        }
    }
    if let Some(m) = &s.snapshots.majority {
        let snap = m
            .snapshot
            .as_deref()
            .map(|x| format!(" / {}", sanitize(x)))
            .unwrap_or_default();
        let model = m
            .model
            .as_deref()
            .map_or_else(|| "a model the results do not name".to_owned(), sanitize);
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let _ = writeln!(
            o,
            "\nserved by: {model}{snap} ({} of completed rows; {}, {})",
            pct(m.share),
            count(s.snapshots.distinct_models, "model"),
            count(s.snapshots.distinct_snapshots, "snapshot")
        );
        if !s.snapshots.rotated_segments.is_empty() {
            let segs: Vec<String> = s
                .snapshots
                .rotated_segments
                .iter()
                .take(20)
                .map(u32::to_string)
                .collect();
            let _ = writeln!(
                o,
                "  ROTATED: segments {} were served mostly by another model/snapshot",
                segs.join(", ")
            );
        }
    }
    for r in &s.reconciliation {
        let verdict = if r.ok { "agrees" } else { "DISAGREES" };
        let _ = writeln!(
            o,
            "\nreconciliation, attempt {} ({}): provider {verdict}",
            r.attempt,
            sanitize(r.provider_id.as_deref().unwrap_or(&r.batch_object))
        );
        for c in r.checks.iter().filter(|c| !c.ok) {
            let _ = writeln!(o, "  {}", sanitize(&c.message));
        }
    }
    if let Some(c) = &s.canary {
        o.push_str(&super::canary::render_text(c));
    }
    if !s.gates.is_empty() {
        let _ = writeln!(o, "\ngates");
        for g in &s.gates {
            let verdict = if g.passed { "ok" } else { "FAILED" };
            let _ = writeln!(
                o,
                "  {:<28} {} (threshold {})  {verdict}",
                g.name,
                pct(g.actual),
                pct(g.threshold)
            );
        }
    }
    if let Some(t) = &s.traces {
        let _ = writeln!(
            o,
            "\ntraces: {} spans to {} (project {}): {} exported, {} dropped, {} values redacted{}",
            t.spans,
            sanitize(&t.endpoint),
            sanitize(&t.project),
            t.exported,
            t.dropped,
            t.redactions,
            t.first_error
                .as_deref()
                .map(|e| format!("; first error: {}", sanitize(e)))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(o, "\nfinished in {} ms, exit code {}", s.elapsed_ms, s.exit_code);
    o
}

pub mod segments;

#[cfg(test)]
mod tests;
