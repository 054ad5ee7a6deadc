//! The `assay` command line: the only place errors become exit codes.

pub mod args;
pub mod eval;
pub mod exit;
pub mod judge_new;
pub mod judge_test;
pub mod judges;
pub mod llm;
pub mod out;
