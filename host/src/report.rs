//! Reporting: the summary value and every type in it, and the views derived
//! from it (terminal, JSON).
//!
//! Invariant: this floor imports nothing from `eval`, `sink` or `cli`; the
//! pipeline fills these types, reporters only read them.

pub mod reconcile;
pub mod snapshots;
pub mod summary;
pub mod sync;
pub mod terminal;

pub use summary::Summary;
