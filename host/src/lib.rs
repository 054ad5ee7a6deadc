//! assay: evaluate LLM batch inference jobs with sandboxed WebAssembly judges.
//!
//! Data flows one way: provider files → reader and classifier
//! (`assay_batch`) → judges in the sandbox (`judge`) → the evaluation
//! pipeline and aggregates (`eval`) → summary, terminal view, rows-out (`report`).

pub mod cluster;
pub mod db;
pub mod eval;
pub mod history;
pub mod jobs;
pub mod judge;
pub mod progress;
pub mod report;
pub mod sink;
