//! The reconciliation block of the summary: the provider's own counts (its
//! batch or job object) set against the files, per attempt.
//!
//! Invariant: a check exists only where the provider stated a number, and it
//! carries both numbers and what the gap means.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub provider: u64,
    pub files: u64,
    /// files - provider
    pub delta: i64,
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    pub attempt: usize,
    pub batch_object: String,
    pub provider_id: Option<String>,
    pub provider_status: Option<String>,
    pub ok: bool,
    pub checks: Vec<Check>,
}
