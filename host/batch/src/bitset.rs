//! Fixed-size bit set shared between worker threads.
//!
//! Invariant: the size never changes; bits are only ever set, never
//! cleared, so a reader that sees a bit set may rely on it staying set.
//! Out-of-range indexes are ignored by `set` and read as unset by `get`.

use std::sync::atomic::{AtomicU64, Ordering};

/// A fixed-size, lock-free, set-only bit set (`Sync`).
#[derive(Debug)]
pub struct AtomicBitSet {
    words: Box<[AtomicU64]>,
    len: usize,
}

impl AtomicBitSet {
    /// A set of `len` bits, all clear.
    pub fn new(len: usize) -> Self {
        let words = (0..len.div_ceil(64)).map(|_| AtomicU64::new(0)).collect();
        AtomicBitSet { words, len }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sets bit `idx`; returns whether it was already set.
    pub fn set(&self, idx: usize) -> bool {
        if idx >= self.len {
            return false;
        }
        let bit = 1u64 << (idx % 64);
        self.words[idx / 64].fetch_or(bit, Ordering::AcqRel) & bit != 0
    }

    pub fn get(&self, idx: usize) -> bool {
        idx < self.len && self.words[idx / 64].load(Ordering::Acquire) & (1u64 << (idx % 64)) != 0
    }

    /// Number of set bits.
    pub fn count(&self) -> usize {
        self.words
            .iter()
            .map(|w| w.load(Ordering::Acquire).count_ones() as usize)
            .sum()
    }
}

#[cfg(test)]
mod tests;
