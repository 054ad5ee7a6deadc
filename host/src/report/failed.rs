//! The failed rows a report lists (collected by `sink::failed`): rows that did not complete, and completed rows
//! that a judge failed, errored on or was stopped on.
//!
//! Invariant: memory is bounded: at most `cap` rows are kept, in the order they
//! were offered (submission order), and every further failed row is only counted
//! in `more`; rows that did not fail are never kept.

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
}

#[cfg(test)]
mod tests;
