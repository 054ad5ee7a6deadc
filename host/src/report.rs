//! Reporting: the summary value and every type in it, and the views derived
//! from it (terminal, JSON, JUnit, HTML).
//!
//! Invariant: this floor imports nothing from `eval`, `sink` or `cli`; the
//! pipeline fills these types, reporters only read them.

pub mod canary;
pub mod clusters;
pub mod failed;
pub mod format;
pub mod html;
pub mod junit;
pub mod notes;
pub mod reconcile;
pub mod snapshots;
pub mod summary;
pub mod sync;
pub mod terminal;
pub mod traces;
pub mod trend;

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
    #[error("cannot serialize the JUnit report for {path}: {source}")]
    Junit {
        path: String,
        #[source]
        source: quick_junit::SerializeError,
    },
}
