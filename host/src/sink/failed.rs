//! The failed-rows sink behind `--report`: keeps the rows the report's table
//! lists (rows that did not complete, and completed rows a judge did not pass).
//!
//! Invariant: bounded memory (the first `cap` failed rows, the rest counted, see
//! `report::failed`); rows that did not fail cost one status check and are
//! never copied.

use std::sync::{Arc, Mutex, PoisonError};

use assay_batch::Status;

use super::{CellView, RowSink, RowView, SinkError};
use crate::report::failed::{FailedRow, FailedRows};

/// Collects failed rows into a value the caller keeps a handle to.
pub struct FailedRowsSink {
    rows: Arc<Mutex<FailedRows>>,
}

impl FailedRowsSink {
    /// A new, empty collection to hand to `new` and read back with `take`.
    pub fn shared(cap: usize) -> Arc<Mutex<FailedRows>> {
        Arc::new(Mutex::new(FailedRows::new(cap)))
    }

    pub fn new(rows: Arc<Mutex<FailedRows>>) -> FailedRowsSink {
        FailedRowsSink { rows }
    }

    /// The rows collected so far (the sink is finished once the run returns).
    pub fn take(rows: &Arc<Mutex<FailedRows>>) -> FailedRows {
        let mut guard = rows.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::replace(&mut *guard, FailedRows::new(0))
    }
}

/// Why a judge did not pass a row, or `None` when it passed or did not score it.
fn why(cell: &CellView<'_>) -> Option<String> {
    match cell {
        CellView::Unscored | CellView::Verdict { passed: true, .. } => None,
        CellView::Verdict { label, .. } => Some(label.filter(|l| !l.is_empty()).unwrap_or("failed").to_owned()),
        CellView::JudgeError => Some("judge error".to_owned()),
        CellView::Failed(kind) => Some(format!("stopped: {}", kind.as_str())),
    }
}

impl RowSink for FailedRowsSink {
    fn row(&mut self, r: &RowView<'_>) -> Result<(), SinkError> {
        let judges: Vec<(String, String)> = r
            .verdicts
            .iter()
            .filter_map(|v| why(&v.cell).map(|w| (v.judge.to_owned(), w)))
            .collect();
        if r.status == Status::Completed && judges.is_empty() {
            return Ok(());
        }
        let row = FailedRow {
            id: r.id.to_owned(),
            index: u64::from(r.index),
            segment: r.segment,
            status: r.status.as_str().to_owned(),
            error_kind: r.error_kind.map(|k| k.as_str().to_owned()),
            model: r.model.to_owned(),
            judges,
        };
        self.rows.lock().unwrap_or_else(PoisonError::into_inner).push(row);
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), SinkError> {
        Ok(())
    }
}
