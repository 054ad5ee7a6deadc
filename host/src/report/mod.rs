//! Reporting: the summary value, its terminal and JSON forms, and the
//! per-row output file.

pub mod summary;
pub mod terminal;

pub use summary::Summary;
