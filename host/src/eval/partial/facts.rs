//! The reconciliation facts shard 0 carries: each `--batch-object` as the
//! provider stated it, and what that attempt's files hold. Every shard reads
//! every result line, so every shard counts the same; one carries them.
//!
//! Invariant: `BatchObject` and `AttemptTally` values survive the trip
//! through a partial field for field.

use assay_batch::{BatchObject, Usage};
use serde::{Deserialize, Serialize};

use crate::eval::reconcile::AttemptTally;

/// One attempt's batch object and its files' tally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reconcile {
    /// The `--batch-object` path as given.
    pub source: String,
    pub object: ObjectFacts,
    pub tally: TallyFacts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectFacts {
    pub id: Option<String>,
    pub status: Option<String>,
    pub total: Option<u64>,
    pub succeeded: Option<u64>,
    pub failed: Option<u64>,
    pub errored: Option<u64>,
    pub canceled: Option<u64>,
    pub expired: Option<u64>,
    pub pending: Option<u64>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub cached_input_tokens: Option<u64>,
}

impl From<&BatchObject> for ObjectFacts {
    fn from(o: &BatchObject) -> ObjectFacts {
        ObjectFacts {
            id: o.id.clone(),
            status: o.status.clone(),
            total: o.total,
            succeeded: o.succeeded,
            failed: o.failed,
            errored: o.errored,
            canceled: o.canceled,
            expired: o.expired,
            pending: o.pending,
            input_tokens: o.input_tokens,
            output_tokens: o.output_tokens,
            cached_input_tokens: o.cached_input_tokens,
        }
    }
}

impl From<&ObjectFacts> for BatchObject {
    fn from(o: &ObjectFacts) -> BatchObject {
        BatchObject {
            id: o.id.clone(),
            status: o.status.clone(),
            total: o.total,
            succeeded: o.succeeded,
            failed: o.failed,
            errored: o.errored,
            canceled: o.canceled,
            expired: o.expired,
            pending: o.pending,
            input_tokens: o.input_tokens,
            output_tokens: o.output_tokens,
            cached_input_tokens: o.cached_input_tokens,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TallyFacts {
    pub ids: u64,
    pub succeeded: u64,
    pub errored: u64,
    pub canceled: u64,
    pub expired: u64,
    /// input, output, cached input, cache write, reasoning.
    pub usage: [u64; 5],
}

impl From<&AttemptTally> for TallyFacts {
    fn from(t: &AttemptTally) -> TallyFacts {
        let u = &t.usage;
        TallyFacts {
            ids: t.ids,
            succeeded: t.succeeded,
            errored: t.errored,
            canceled: t.canceled,
            expired: t.expired,
            usage: [u.input, u.output, u.cached_input, u.cache_write, u.reasoning],
        }
    }
}

impl From<&TallyFacts> for AttemptTally {
    fn from(t: &TallyFacts) -> AttemptTally {
        let [input, output, cached_input, cache_write, reasoning] = t.usage;
        AttemptTally {
            ids: t.ids,
            succeeded: t.succeeded,
            errored: t.errored,
            canceled: t.canceled,
            expired: t.expired,
            usage: Usage {
                input,
                output,
                cached_input,
                cache_write,
                reasoning,
            },
        }
    }
}
