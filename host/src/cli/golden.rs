//! The golden files of `assay judge test`: rows to score (JSONL, one row per
//! line) and the verdicts expected for them, and the comparison between them.
//!
//! Invariant: every expected line and every produced verdict is accounted for:
//! a mismatch, a row with no expectation and an expectation with no row each
//! count as one failure.

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use assay::judge::RowResult;
use serde::Deserialize;
use serde_json::{Value, json};

use super::exit;

/// One golden row; everything but `id` is optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GoldenRow {
    pub id: String,
    pub response: Option<String>,
    #[serde(default)]
    pub prompt: Vec<GoldenMessage>,
    #[serde(default)]
    pub metadata: serde_json::Map<String, Value>,
    #[serde(default)]
    pub model: String,
    pub finish_reason: Option<String>,
    #[serde(default)]
    pub truncated: bool,
    #[serde(default)]
    pub usage: GoldenUsage,
}

#[derive(Debug, Deserialize)]
pub(super) struct GoldenMessage {
    pub role: String,
    pub content: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct GoldenUsage {
    #[serde(default)]
    pub input: u64,
    #[serde(default)]
    pub output: u64,
}

pub(super) fn read_lines(path: &Path) -> Result<Vec<(usize, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect())
}

/// The golden rows of `path`; an empty file is an error.
pub(super) fn read_rows(path: &Path) -> Result<Vec<GoldenRow>> {
    let mut golden = Vec::new();
    for (n, line) in read_lines(path)? {
        let row: GoldenRow = serde_json::from_str(&line).map_err(|e| anyhow!("{}:{n}: {e}", path.display()))?;
        golden.push(row);
    }
    if golden.is_empty() {
        anyhow::bail!("{}: no rows (empty file)", path.display());
    }
    Ok(golden)
}

/// The comparable part of a result.
pub(super) fn verdict_json(id: &str, r: &RowResult) -> Value {
    match r {
        RowResult::Verdict(v) => json!({ "id": id, "passed": v.passed, "score": v.score, "label": v.label }),
        RowResult::JudgeError { kind, message } => json!({ "id": id, "error": kind, "message": message }),
        RowResult::Failed(f) => json!({ "id": id, "failure": f.kind.as_str(), "message": f.message }),
    }
}

/// An expected line matches when every key it states agrees (scores to 1e-9).
fn matches(expected: &Value, got: &Value) -> bool {
    let Some(exp) = expected.as_object() else { return false };
    exp.iter()
        .all(|(k, want)| match (want.as_f64(), got.get(k).and_then(Value::as_f64)) {
            (Some(a), Some(b)) if !want.is_boolean() => (a - b).abs() < 1e-9,
            _ => got.get(k).unwrap_or(&Value::Null) == want,
        })
}

/// Compares the verdicts `got` (one per golden row) with the expected file,
/// printing each disagreement; the exit code is `GATE` when any disagrees.
pub(super) fn compare(expect: &Path, golden: &[GoldenRow], got: &[Value]) -> Result<i32> {
    let mut expected = Vec::new();
    for (n, line) in read_lines(expect)? {
        let v: Value = serde_json::from_str(&line).map_err(|e| anyhow!("{}:{n}: {e}", expect.display()))?;
        expected.push(v);
    }
    let mut failures = 0;
    for (i, g) in got.iter().enumerate() {
        match expected.iter().find(|e| e.get("id") == g.get("id")) {
            Some(e) if matches(e, g) => {}
            Some(e) => {
                failures += 1;
                super::out::say!("MISMATCH {}\n  expected {e}\n  got      {g}", golden[i].id)?;
            }
            None => {
                failures += 1;
                super::out::say!("NO EXPECTATION for {}: got {g}", golden[i].id)?;
            }
        }
    }
    for e in &expected {
        if !got.iter().any(|g| g.get("id") == e.get("id")) {
            failures += 1;
            super::out::say!("EXPECTED BUT NO ROW: {e}")?;
        }
    }
    super::out::say!(
        "{} passed, {failures} failed",
        got.len().saturating_sub(failures.min(got.len()))
    )?;
    Ok(if failures == 0 { exit::OK } else { exit::GATE })
}

#[cfg(test)]
mod tests;
