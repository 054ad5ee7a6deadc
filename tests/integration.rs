//! Every integration test of the `assay` crate, in one test binary.
//!
//! Each file in `tests/` beside this one is a module here. One binary links
//! wasmtime and the host once instead of once per file: 27 binaries of 34-68
//! MB each filled the disk of a CI machine, and each was a separate link.
//! Judges are built and staged once per process (`support`), so one binary
//! also builds them once. Run one file's tests with
//! `cargo test --test integration sandbox::`.

mod support;

mod audit_cli;
mod azure_cli;
mod blocks_cli;
mod cluster_cli;
mod cluster_explain;
mod cost_cli;
mod eval_cli;
mod feedback_cli;
mod history_cli;
mod hostile;
mod judge_aggregate;
mod judge_debug;
mod judge_new;
mod llm;
mod loops_anthropic_cli;
mod loops_cli;
mod outputs_cli;
mod packed;
mod phoenix;
mod providers_cli;
mod remote_cli;
mod report_cli;
mod resume_cli;
mod sandbox;
mod schema_drift_chunks;
mod shard_merge;
mod sync_cli;
mod traces_cli;
