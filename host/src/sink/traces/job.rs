//! The job's `CHAIN` span attributes, read from the finished summary.
//!
//! Invariant: every status has its count attribute, zeros included, as in the
//! summary; a run compared with its canary carries the canary's side beside
//! the batch's (`batch.canary.*`).

use opentelemetry::KeyValue;

use crate::report::summary::Summary;

/// The job's `CHAIN` span attributes from the finished summary.
pub fn attributes(s: &Summary) -> Vec<KeyValue> {
    let c = &s.status_counts;
    let job_id = s
        .reconciliation
        .iter()
        .find_map(|r| r.provider_id.clone())
        .unwrap_or_else(|| s.input.clone());
    let mut a = vec![
        KeyValue::new("openinference.span.kind", "CHAIN"),
        KeyValue::new("batch.job_id", job_id),
        KeyValue::new("batch.provider", s.provider.clone()),
        KeyValue::new("batch.input", s.input.clone()),
        KeyValue::new("batch.row_count", s.rows_submitted as i64),
        KeyValue::new("batch.completion_rate", s.completion_rate),
        KeyValue::new("batch.wall_time_ms", s.elapsed_ms as i64),
        KeyValue::new("batch.exit_code", i64::from(s.exit_code)),
    ];
    for (name, n) in [
        ("completed", c.completed),
        ("provider_error", c.provider_error),
        ("content_filter", c.content_filter),
        ("timeout", c.timeout),
        ("expired", c.expired),
        ("canceled", c.canceled),
        ("retry_exhausted", c.retry_exhausted),
        ("missing", c.missing),
    ] {
        a.push(KeyValue::new(format!("batch.status.{name}"), n as i64));
    }
    for (name, j) in &s.judges {
        if j.scored > 0 {
            a.push(KeyValue::new(format!("batch.judge.{name}.pass_rate"), j.pass_rate));
        }
        if let Some(v) = j.metrics.get("cost_per_validated_row_usd") {
            a.push(KeyValue::new("batch.cost_per_validated_row_usd", *v));
        }
    }
    if let Some(c) = &s.canary {
        a.push(KeyValue::new("batch.canary.id", c.canary));
        a.push(KeyValue::new("batch.canary.row_count", c.canary_rows as i64));
        for (name, j) in &c.judges {
            let k = |what: &str| format!("batch.canary.judge.{name}.{what}");
            a.push(KeyValue::new(k("pass_rate"), j.canary_pass_rate));
            a.push(KeyValue::new(k("scored"), j.canary_scored as i64));
            a.push(KeyValue::new(k("difference_points"), j.difference_points));
            a.push(KeyValue::new(k("interval_low_points"), j.interval_points[0]));
            a.push(KeyValue::new(k("interval_high_points"), j.interval_points[1]));
            a.push(KeyValue::new(k("drifted"), j.drifted));
        }
    }
    a
}
