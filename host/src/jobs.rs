//! Jobs assay submitted: a local SQLite store (`store`) and each job's
//! directory of fetched files.
//!
//! Invariant: a job's batch id is written to the store before any later
//! step can fail, and a job's files count as fetched only once every file is
//! whole on disk; nothing here ever holds an API key.

pub mod key;
pub mod store;

pub use store::{ClusterNote, Job, JobError, JobStore, NewNote};
