//! Why a run stopped: every failure of `assay eval` as one typed value, so
//! the CLI can map each to its documented exit code.
//!
//! Invariant: each variant names the file, judge or setting at fault and
//! keeps the underlying error as its source.

use std::path::PathBuf;

use assay_batch::{Provider, ReadError};

use crate::judge::StartError;
use crate::sink::SinkError;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{path}: no valid row: all {bad} lines are bad; first: {first}")]
    NoRows { path: PathBuf, bad: u64, first: String },
    #[error("attempt {attempt}: its result files hold no rows ({files})")]
    EmptyAttempt { attempt: usize, files: String },
    #[error(transparent)]
    Judge(#[from] StartError),
    #[error(
        "judge '{judge}' was stopped by the host on {failures} rows, more than the allowed {allowed} ({rate}% of {rows} rows); first: {first}"
    )]
    TooManyFailures {
        judge: String,
        failures: u64,
        allowed: u64,
        rate: f64,
        rows: u64,
        first: String,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Sink(#[from] SinkError),
    #[error(transparent)]
    Partial(#[from] super::partial::PartialError),
    #[error("cannot write per-row verdict text to a temporary file in {} (TMPDIR): {source}", std::env::temp_dir().display())]
    Spill {
        #[source]
        source: std::io::Error,
    },
    #[error("too many files: at most 65535 result files per run")]
    TooManyFiles,
    #[error(transparent)]
    Settle(#[from] super::detect::SettleError),
    #[error("{path}: not a {provider} batch object: {source}")]
    BatchObject {
        path: PathBuf,
        provider: Provider,
        #[source]
        source: assay_batch::BatchObjectError,
    },
    #[error("{path}: not a batch object: {reason}")]
    BadBatchObjectFile { path: PathBuf, reason: String },
    #[error("{0} --batch-object files for {1} attempts: give at most one per attempt, in attempt order")]
    TooManyBatchObjects(usize, usize),
    #[error(transparent)]
    Sync(#[from] super::sync::SyncError),
    /// A gate that names what the run does not have (exit 2).
    #[error("{0}")]
    GateUsage(String),
    #[error(transparent)]
    Unpack(#[from] super::extras::UnpackError),
    #[error("{path}: cannot copy the stream for reading: {source}")]
    Stream {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`-` (stdin) is given for more than one file: stdin is one stream")]
    StdinTwice,
    #[error("internal error: {0}")]
    Internal(String),
    /// `--run-id`/`--resume`: the run's checkpoint could not be written.
    #[error(transparent)]
    Checkpoint(#[from] super::checkpoint::CheckpointError),
}

impl EvalError {
    /// A background task that ended without an answer: a bug in assay, never the input's fault.
    pub fn task(what: &str, e: tokio::task::JoinError) -> EvalError {
        EvalError::Internal(format!("{what} task failed: {e}"))
    }
}
