//! Run history: every `assay eval`, `canary` and `drift-audit` run recorded in
//! the state database (`crate::db`, the job store's file), read back for
//! `assay history`, `assay trend` and the HTML report's trend section.
//!
//! Invariant: a run is recorded from its final `Summary` only, in one
//! transaction (the run, its judges, metrics and alarms appear together or not
//! at all); reading never creates a database that is not there.

pub mod gate;
pub mod query;
pub mod record;

pub use query::{StoredRun, list, open_existing};
pub use record::{JudgeRecord, RunKind, RunMeta, RunRecord, record};

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Open(#[from] crate::db::DbError),
    #[error("run history {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("run history {path}: run {run} has a malformed {column}: {source}")]
    Column {
        path: String,
        run: i64,
        column: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

#[cfg(test)]
mod tests;
