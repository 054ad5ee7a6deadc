//! `--shard i/N`: which shard owns each row, bad line and run-wide fact.
//!
//! A row belongs to shard `h mod N`, where `h` is the first 8 bytes (big
//! endian) of the sha256 of its id (the normalized row's id: `custom_id`,
//! `recordId`, `key`, or the request hash where the provider has no id).
//! The hash is fixed by this definition, not by a library's seed, so it is
//! the same across assay versions, machines and runs: any worker can take
//! any shard. A bad line (input or results, including a duplicate id) has
//! no usable row; it belongs to shard `line mod N`. The facts no row owns
//! (results for ids never submitted, the batch objects and each attempt's
//! tally for reconciliation) travel with shard 0.
//!
//! Invariant: for every N, each row, each bad line and each unexpected
//! result belongs to exactly one shard in `0..N`, so the shards' counts
//! add up to the unsharded run's.

use std::path::PathBuf;
use std::str::FromStr;

use assay_batch::{AtomicBitSet, InputIndex};
use sha2::{Digest, Sha256};

/// Shards at most: enough for any cluster, small enough to list in an error.
pub const MAX_SHARDS: u32 = 65_536;

/// One shard of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShardError {
    #[error("--shard {0:?}: expected I/N, e.g. 0/4 (shard I of N, counting from 0)")]
    Syntax(String),
    #[error("--shard {0:?}: N must be between 1 and {MAX_SHARDS}")]
    Count(String),
    #[error("--shard {spec:?}: I must be below N (shards are numbered 0 to {last})")]
    Index { spec: String, last: u32 },
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(spec: &str) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax(spec.to_owned());
        let (i, n) = spec.split_once('/').ok_or_else(syntax)?;
        let index: u32 = i.trim().parse().map_err(|_| syntax())?;
        let count: u32 = n.trim().parse().map_err(|_| syntax())?;
        if count == 0 || count > MAX_SHARDS {
            return Err(ShardError::Count(spec.to_owned()));
        }
        if index >= count {
            return Err(ShardError::Index {
                spec: spec.to_owned(),
                last: count - 1,
            });
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The shard (of `count`) that owns the row with id `id`.
pub fn of_id(id: &str, count: u32) -> u32 {
    let d = Sha256::digest(id.as_bytes());
    let mut head = [0u8; 8];
    head.copy_from_slice(&d[..8]);
    (u64::from_be_bytes(head) % u64::from(count.max(1))) as u32
}

impl Shard {
    pub fn owns_id(&self, id: &str) -> bool {
        of_id(id, self.count) == self.index
    }

    /// Whether this shard owns the bad line numbered `line` (from 1).
    pub fn owns_line(&self, line: u64) -> bool {
        line % u64::from(self.count.max(1)) == u64::from(self.index)
    }

    /// Whether this shard carries the facts no row owns.
    pub fn carries_run_facts(&self) -> bool {
        self.index == 0
    }

    /// The rows of `index` this shard owns, by row index.
    pub fn owned_rows(&self, index: &InputIndex) -> AtomicBitSet {
        let owned = AtomicBitSet::new(index.len());
        for idx in 0..index.len() as u32 {
            if self.owns_id(index.id(idx)) {
                owned.set(idx as usize);
            }
        }
        owned
    }
}

/// A sharded run: its shard, where its partial goes, and what it must match.
#[derive(Debug, Clone)]
pub struct ShardRun {
    pub shard: Shard,
    pub out: PathBuf,
    /// The input, result files, judges and settings (the resume fingerprint's text).
    pub fingerprint: String,
    /// Files the partial may not be written over.
    pub inputs: Vec<PathBuf>,
}

#[cfg(test)]
mod tests;
