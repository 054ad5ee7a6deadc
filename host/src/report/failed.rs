//! The failed rows a report lists: rows that did not complete, and completed rows
//! that a judge failed, errored on or was stopped on.
//!
//! Invariant: memory is bounded: at most `cap` rows are kept, in the order they
//! were offered (submission order), and every further failed row is only counted
//! in `more`; rows that did not fail are never kept.

use std::io::BufRead;
use std::path::Path;

use serde_json::Value;

use super::ReportError;

/// Rows kept for the report's table by default.
pub const DEFAULT_CAP: usize = 5000;

/// One failed row, as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedRow {
    pub id: String,
    pub index: u64,
    pub segment: u32,
    pub status: String,
    /// Provider error sub-kind (`rate_limit`, ...) when the row has one.
    pub error_kind: Option<String>,
    pub model: String,
    /// (judge, why) for every judge that did not pass the row.
    pub judges: Vec<(String, String)>,
}

/// The first `cap` failed rows and the count of the rest.
#[derive(Debug, Clone)]
pub struct FailedRows {
    pub rows: Vec<FailedRow>,
    /// Failed rows beyond `cap`, counted only.
    pub more: u64,
    cap: usize,
}

impl FailedRows {
    pub fn new(cap: usize) -> FailedRows {
        FailedRows {
            rows: Vec::new(),
            more: 0,
            cap,
        }
    }

    pub fn total(&self) -> u64 {
        self.rows.len() as u64 + self.more
    }

    /// Keeps `row` while there is room, counts it otherwise.
    pub fn push(&mut self, row: FailedRow) {
        if self.rows.len() < self.cap {
            self.rows.push(row);
        } else {
            self.more += 1;
        }
    }

    /// Offers one `--rows-out` line (as JSON); keeps it when the row failed.
    pub fn offer(&mut self, line: &Value) {
        if let Some(row) = failed_row(line) {
            self.push(row);
        }
    }

    /// The failed rows of a `--rows-out` file.
    pub fn from_rows_out(path: &Path, cap: usize) -> Result<FailedRows, ReportError> {
        let io_err = |line: u64, source| ReportError::RowsOutIo {
            path: path.display().to_string(),
            line,
            source,
        };
        let file = std::fs::File::open(path).map_err(|e| io_err(0, e))?;
        let mut rows = FailedRows::new(cap);
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line_no = n as u64 + 1;
            let line = line.map_err(|e| io_err(line_no, e))?;
            let value: Value = serde_json::from_str(&line).map_err(|source| ReportError::RowsOutJson {
                path: path.display().to_string(),
                line: line_no,
                source,
            })?;
            rows.offer(&value);
        }
        Ok(rows)
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// Why a judge did not pass a row: its failure kind, error, or label.
fn why(verdict: &Value) -> String {
    if let Some(k) = verdict.get("failure_kind").and_then(Value::as_str) {
        return format!("stopped: {k}");
    }
    if let Some(e) = verdict.get("error") {
        return format!(
            "judge error: {}",
            e.get("message").and_then(Value::as_str).unwrap_or_default()
        );
    }
    match verdict.get("label").and_then(Value::as_str) {
        Some(l) if !l.is_empty() => l.to_owned(),
        _ => "failed".to_owned(),
    }
}

/// The row as a `FailedRow` when it did not complete or a judge did not pass it.
pub fn failed_row(line: &Value) -> Option<FailedRow> {
    let status = text(line, "status");
    let judges: Vec<(String, String)> = line
        .get("verdicts")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, v)| v.get("passed").and_then(Value::as_bool) == Some(false))
        .map(|(name, v)| (name.clone(), why(v)))
        .collect();
    if status == "completed" && judges.is_empty() {
        return None;
    }
    Some(FailedRow {
        id: text(line, "id"),
        index: line.get("index").and_then(Value::as_u64).unwrap_or_default(),
        segment: line
            .get("segment")
            .and_then(Value::as_u64)
            .and_then(|s| u32::try_from(s).ok())
            .unwrap_or_default(),
        status,
        error_kind: line.get("error_kind").and_then(Value::as_str).map(str::to_owned),
        model: text(line, "model"),
        judges,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_failed_rows_are_kept_and_the_rest_past_the_cap_counted() {
        let mut rows = FailedRows::new(2);
        rows.offer(&json!({"id": "ok", "status": "completed", "verdicts": {"j": {"passed": true}}}));
        rows.offer(&json!({"id": "a", "status": "provider_error", "error_kind": "rate_limit", "verdicts": {}}));
        rows.offer(
            &json!({"id": "b", "status": "completed", "verdicts": {"j": {"passed": false, "label": "required@/x"}}}),
        );
        rows.offer(&json!({"id": "c", "status": "timeout", "verdicts": {}}));
        let ids: Vec<&str> = rows.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(rows.more, 1);
        assert_eq!(rows.total(), 3);
        assert_eq!(rows.rows[1].judges, [("j".to_owned(), "required@/x".to_owned())]);
    }
}
