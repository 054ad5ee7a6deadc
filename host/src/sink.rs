//! Sinks: where each submitted row's settled record goes, once per row in
//! submission order, after the run has decided every status and verdict.
//!
//! A new per-row output (a trace exporter, a history table, a shard file) is
//! one new file here implementing [`RowSink`]; the pipeline hands every sink
//! the same [`RowView`] and never grows a branch per output.
//!
//! Invariant: a sink sees each submitted row exactly once, in submission
//! order, and `finish` is called only after the last row; a sink whose
//! `finish` was not called must leave nothing that looks whole.

pub mod cluster;
pub mod failed;
pub mod output;
pub mod rows_out;
pub mod traces;

use std::path::PathBuf;

use assay_batch::{ErrorKind, Flags, Status, Usage};

use crate::judge::FailureKind;

/// What one judge's cell says about a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellView<'a> {
    Unscored,
    Verdict {
        passed: bool,
        score: Option<f64>,
        label: Option<&'a str>,
    },
    JudgeError,
    Failed(FailureKind),
}

/// One scoring judge's result for a row.
#[derive(Debug, Clone, Copy)]
pub struct RowVerdict<'a> {
    pub judge: &'a str,
    pub cell: CellView<'a>,
    /// The text beyond the compact cell (`details`, `error`, `failure`), when kept.
    pub text: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

/// One submitted row, settled.
#[derive(Debug, Clone, Copy)]
pub struct RowView<'a> {
    pub id: &'a str,
    pub index: u32,
    pub segment: u32,
    pub status: Status,
    pub flags: Flags,
    pub error_kind: Option<ErrorKind>,
    /// The provider's own error code for a failed row, when it gave one.
    pub error_code: Option<&'a str>,
    /// The provider's error message, capped (512 bytes).
    pub error_message: Option<&'a str>,
    pub attempt: u16,
    pub model: &'a str,
    pub snapshot: Option<&'a str>,
    pub usage: Usage,
    /// Whether every quality judge passed the row (none: not completed, or no quality judge).
    pub validated: Option<bool>,
    /// One per scoring judge, in scorer order.
    pub verdicts: &'a [RowVerdict<'a>],
    /// The row's prompt, response and provider time; present only when a
    /// sink asked for them (`RowSink::wants_content`).
    pub content: Option<RowContent<'a>>,
    /// The request's (role, content) messages, read only when a sink's
    /// `wants_prompt` asked for this row.
    pub prompt: Option<&'a [(String, String)]>,
}

/// What the provider was asked and answered for one row.
#[derive(Debug, Clone, Copy, Default)]
pub struct RowContent<'a> {
    /// The request's messages as a JSON array of `{role, content}`.
    pub prompt: Option<&'a str>,
    /// The response text of the row's final result.
    pub response: Option<&'a str>,
    /// When the provider made the final result (Unix seconds), where the file says.
    pub created: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error(transparent)]
    Output(#[from] output::OutputError),
    #[error(transparent)]
    Traces(#[from] traces::TraceError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A per-row output.
pub trait RowSink: Send {
    /// Whether this sink wants the per-row verdict text (`RowVerdict::text`).
    fn wants_text(&self) -> bool {
        false
    }
    /// Whether this sink wants the row's prompt, response text and provider
    /// time (`RowView::content`).
    fn wants_content(&self) -> bool {
        false
    }
    /// Whether this sink may ask for rows' prompts (the pipeline then keeps
    /// the input open for re-reads).
    fn reads_prompts(&self) -> bool {
        false
    }
    /// Whether this sink wants this row's prompt in `RowView::prompt`; asked
    /// just before `row`, so a sink reads prompts only for the rows it keeps.
    fn wants_prompt(&self, _row: &RowView<'_>) -> bool {
        false
    }
    fn row(&mut self, row: &RowView<'_>) -> Result<(), SinkError>;
    /// Called once after the last row: make the output whole.
    fn finish(self: Box<Self>) -> Result<(), SinkError>;
}
