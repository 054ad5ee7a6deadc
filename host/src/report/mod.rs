//! Reporting: the summary value, its terminal, JSON, JUnit and HTML forms, and
//! the per-row output file.

pub mod failed;
pub mod format;
pub mod html;
pub mod junit;
pub mod summary;
pub mod terminal;

pub use summary::Summary;

/// A report file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: cannot read the per-row records: {source}")]
    RowsOutIo {
        path: String,
        line: u64,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: a per-row record is not JSON: {source}")]
    RowsOutJson {
        path: String,
        line: u64,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot serialize the JUnit report for {path}: {source}")]
    Junit {
        path: String,
        #[source]
        source: quick_junit::SerializeError,
    },
}
