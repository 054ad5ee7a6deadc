//! The structural batch-versus-sync comparison shared by the `batch-sync-drift`
//! judges (not a judge itself): pairing a batch row with the sync result the host
//! attaches as `assay.sync.*` metadata, four rubrics evaluated on both sides, the
//! pair's class and compact label, and the drift aggregator. See
//! `plugins/batch-sync-drift/README.md` for the verdicts, labels, metrics and alarms.
//!
//! Invariants: pure Rust, no host calls — natively testable; nothing here panics on
//! row or config data; a row never becomes a judge error; aggregator state is
//! O(segments).

pub mod aggregate;
pub mod agree;
pub mod checks;
mod core;
pub mod label;
pub mod pair;
pub mod rubric;
pub mod side;

pub use aggregate::{AlarmConfig, DriftStats};
pub use checks::{Checks, RubricResult};
pub use core::{CONFIG_KEYS, DriftCore, Judged, with_config_keys};
pub use pair::{Class, PairVerdict};
pub use rubric::{Outcome, RUBRICS, Rubric};
pub use side::{Pairing, Side};

#[cfg(test)]
mod tests;
