//! assay: evaluate LLM batch inference jobs with sandboxed WebAssembly judges.
//!
//! Data flows one way: provider files → reader and classifier
//! (`assay_batch`) → judges in the sandbox (`judge`) → the evaluation
//! pipeline and aggregates (`eval`) → summary, terminal view, rows-out (`report`).

// Output goes through `note!` (stderr) and `cli::out` (stdout), which a closed
// pipe cannot turn into a panic.
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

/// `eprintln!` that never panics: when stderr is a closed pipe
/// (`assay … 2>&1 | head`) the message is lost, never the run or its exit
/// code, as `eprintln!`'s panic would lose them.
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cluster;
pub mod db;
pub mod eval;
pub mod history;
pub mod jobs;
pub mod judge;
pub mod progress;
pub mod report;
pub mod sink;
