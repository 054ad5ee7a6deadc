//! `assay judge test --aggregate`: the judge's aggregator over the golden
//! rows, called the way `assay eval` calls it (`eval::aggregate::drive`), and
//! its report printed or diffed against an expected JSON file.
//!
//! Invariant: one observation per golden row, in file order, built from the
//! row and this judge's result for it — a judge error or a host stop gives
//! `verdict: none`, as in a run; every expected and every reported metric and
//! alarm is accounted for (a mismatch, a missing and an extra one each count).

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use assay::eval::aggregate::drive;
use assay::eval::rows::{wit_flags, wit_status, wit_usage};
use assay::judge::bindings::types as wit;
use assay::judge::state::RunContext;
use assay::judge::{JudgeInstance, JudgePre, Role, RowResult};
use assay::report::terminal::sanitize;
use assay_batch::{Flags, Status};
use serde_json::{Value, json};

use super::eval::Exit;
use super::exit;
use super::golden::GoldenRow;

/// Starts an aggregator instance of `judge`, feeds it one observation per
/// golden row and returns its report as JSON (`{"metrics": […], "alarms": […]}`).
/// With `judge_log`, prints what the aggregator logged, as `assay eval` does.
pub(super) async fn report(
    judge: &Arc<JudgePre>,
    config: &[(String, String)],
    golden: &[GoldenRow],
    results: &[RowResult],
    segment_size: u32,
    judge_log: bool,
) -> Result<Value> {
    let mut inst = JudgeInstance::start(judge, config, RunContext { seed: 0 }, Role::Aggregator).await?;
    let d = inst.describe().await?;
    if !d.aggregates {
        return Err(anyhow!(Exit {
            code: exit::USAGE,
            message: format!("{} has no aggregator (its descriptor says aggregates: false)", d.name),
        }));
    }
    let mut models: Vec<&str> = Vec::new();
    for g in golden {
        if !models.contains(&g.model.as_str()) {
            models.push(&g.model);
        }
    }
    let info = wit::RunInfo {
        rows_submitted: golden.len() as u64,
        segment_size,
        provider: "test",
        models: &models,
        snapshots: &[],
    };
    let observations = golden.iter().zip(results).enumerate().map(|(i, (g, r))| {
        let verdict = match r {
            RowResult::Verdict(v) => Some(wit::SlimVerdict {
                score: v.score,
                label: v.label.as_deref(),
                passed: v.passed,
            }),
            RowResult::JudgeError { .. } | RowResult::Failed(_) => None,
        };
        let flags = if g.truncated {
            Flags::TRUNCATED
        } else {
            Flags::default()
        };
        let usage = assay_batch::Usage {
            input: g.usage.input,
            output: g.usage.output,
            ..assay_batch::Usage::default()
        };
        wit::Observation {
            index: i as u64,
            segment: (i as u64 / u64::from(segment_size)) as u32,
            status: wit_status(Status::Completed),
            flags: wit_flags(flags),
            model: models.iter().position(|m| *m == g.model).unwrap_or(0) as u32,
            snapshot: None,
            attempt: 1,
            usage: wit_usage(&usage),
            retry_usage: wit_usage(&assay_batch::Usage::default()),
            verdict,
            validated: d.quality.then(|| r.passed()),
        }
    });
    let report = drive(&mut inst, info, observations).await;
    if judge_log {
        for l in inst.take_log() {
            assay::note!("[{} (aggregator)] {}: {}", d.name, l.level, sanitize(&l.message));
        }
    }
    let report = report.map_err(|e| anyhow!("{}'s aggregator failed: {e}", d.name))?;
    Ok(json!({
        "metrics": report.metrics.iter()
            .map(|m| json!({"name": m.name, "segment": m.segment, "value": m.value}))
            .collect::<Vec<_>>(),
        "alarms": report.alarms.iter()
            .map(|a| json!({"kind": a.kind, "segment": a.segment, "message": a.message}))
            .collect::<Vec<_>>(),
    }))
}

fn list<'a>(v: &'a Value, key: &str, path: &Path) -> Result<&'a Vec<Value>> {
    v.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow!("{}: expected a JSON object with a \"{key}\" list", path.display()))
}

fn segment(v: &Value) -> String {
    v.get("segment")
        .and_then(Value::as_u64)
        .map(|s| format!(" (segment {s})"))
        .unwrap_or_default()
}

fn same_metric(a: &Value, b: &Value) -> bool {
    a.get("name") == b.get("name")
        && a.get("segment").and_then(Value::as_u64) == b.get("segment").and_then(Value::as_u64)
}

fn same_alarm(a: &Value, b: &Value) -> bool {
    same_metric(
        &json!({"name": a.get("kind"), "segment": a.get("segment")}),
        &json!({"name": b.get("kind"), "segment": b.get("segment")}),
    ) && a.get("message") == b.get("message")
}

fn describe_alarm(a: &Value) -> String {
    format!(
        "{}{}: {}",
        a.get("kind").and_then(Value::as_str).unwrap_or("?"),
        segment(a),
        a.get("message").and_then(Value::as_str).unwrap_or("")
    )
}

/// Prints every difference between the expected report at `path` and `got`;
/// the exit code is `GATE` when any.
pub(super) fn compare(path: &Path, got: &Value) -> Result<i32> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let expected: Value = serde_json::from_str(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let (want_m, got_m) = (list(&expected, "metrics", path)?, list(got, "metrics", path)?);
    let (want_a, got_a) = (list(&expected, "alarms", path)?, list(got, "alarms", path)?);
    let mut diffs = 0;
    let name = |m: &Value| format!("{}{}", m.get("name").and_then(Value::as_str).unwrap_or("?"), segment(m));
    for w in want_m {
        match got_m.iter().find(|g| same_metric(w, g)) {
            None => {
                diffs += 1;
                super::out::say!("MISSING METRIC {}", name(w))?;
            }
            Some(g) => {
                let (a, b) = (
                    w.get("value").and_then(Value::as_f64),
                    g.get("value").and_then(Value::as_f64),
                );
                let close = matches!((a, b), (Some(a), Some(b)) if (a - b).abs() < 1e-9);
                if !close {
                    diffs += 1;
                    let show = |v: Option<f64>| v.map_or("none".to_string(), |v| v.to_string());
                    super::out::say!("METRIC {}: expected {}, got {}", name(w), show(a), show(b))?;
                }
            }
        }
    }
    for g in got_m.iter().filter(|g| !want_m.iter().any(|w| same_metric(w, g))) {
        diffs += 1;
        super::out::say!("EXTRA METRIC {} = {}", name(g), g.get("value").unwrap_or(&Value::Null))?;
    }
    for w in want_a.iter().filter(|w| !got_a.iter().any(|g| same_alarm(w, g))) {
        diffs += 1;
        super::out::say!("MISSING ALARM {}", describe_alarm(w))?;
    }
    for g in got_a.iter().filter(|g| !want_a.iter().any(|w| same_alarm(w, g))) {
        diffs += 1;
        super::out::say!("EXTRA ALARM {}", describe_alarm(g))?;
    }
    if diffs == 0 {
        super::out::say!("report matches: {} metrics, {} alarms", got_m.len(), got_a.len())?;
        Ok(exit::OK)
    } else {
        super::out::say!("report differs from {}: {diffs} differences", path.display())?;
        Ok(exit::GATE)
    }
}
