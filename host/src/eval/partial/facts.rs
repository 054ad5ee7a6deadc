//! The reconciliation facts shard 0 carries: each `--batch-object` as the
//! provider stated it, and what that attempt's files hold. Every shard reads
//! every result line, so every shard counts the same; one carries them.
//!
//! Invariant: the batch object and the tally are the types reconciliation
//! reads, serialized as they are, so they survive the trip field for field.

use assay_batch::BatchObject;
use serde::{Deserialize, Serialize};

use crate::eval::reconcile::AttemptTally;

/// One attempt's batch object and its files' tally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reconcile {
    /// The `--batch-object` path as given.
    pub source: String,
    pub object: BatchObject,
    pub tally: AttemptTally,
}
