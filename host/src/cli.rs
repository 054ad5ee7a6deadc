//! The `assay` command line: the only place errors become exit codes.

pub mod args;
pub mod canary;
pub mod cluster;
pub mod drift_audit;
pub mod emulate;
pub mod eval;
pub mod exit;
pub mod feedback;
pub mod fetch;
pub mod golden;
pub mod history;
pub mod job_args;
pub mod job_client;
pub mod job_ctx;
pub mod jobs;
pub mod judge_new;
pub mod judge_test;
pub mod judges;
pub mod llm;
pub mod out;
pub mod recover;
pub mod sample;
pub mod status;
pub mod submit;
pub mod submit_gate;
pub mod traces;
