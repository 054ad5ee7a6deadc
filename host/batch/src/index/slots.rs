//! The input index's hash table: each id's row in one `Vec<u32>` of any
//! length (not only a power of two), probed linearly from the slot the id's
//! hash maps to. A power-of-two table holding 1M rows is 2^21 slots, less than
//! half full; this one is sized to the rows, so it costs about 4.6 bytes a row
//! (5.1 with the reader's 1/8 of slack) instead of 5 to 10.
//!
//! Invariant: row `r` is in exactly one slot, reachable from its id's home
//! slot without crossing an empty slot (nothing is ever removed); at most 7/8
//! of the slots are used, so every probe ends at an empty slot. A used slot
//! holds `r + 1` in its low `row_bits` bits and, in the bits above, as many
//! bits of the id's hash as fit, so a probe compares ids only when those match.

/// Most rows a table of `cap` slots holds: 7/8 of it, leaving at least one
/// slot empty.
fn max_rows(cap: usize) -> usize {
    cap.saturating_sub((cap / 8).max(1))
}

/// Fewest slots that hold `rows` rows.
fn slots_for(rows: usize) -> usize {
    let mut cap = rows.saturating_add(rows / 7);
    while cap > 0 && max_rows(cap - 1) >= rows {
        cap -= 1;
    }
    while max_rows(cap) < rows {
        cap += 1;
    }
    cap
}

#[derive(Debug)]
pub(super) struct Slots {
    slots: Vec<u32>,
    rows: usize,
    /// Bits of a slot that hold `row + 1`; the rest hold hash bits.
    row_bits: u32,
}

impl Default for Slots {
    fn default() -> Self {
        Slots {
            slots: Vec::new(),
            rows: 0,
            row_bits: 32,
        }
    }
}

/// Where a probe ended.
pub(super) enum Probe {
    /// The id is there, at this row.
    Found(u32),
    /// The id is absent; this empty slot is where it goes.
    Vacant(usize),
}

impl Slots {
    fn row_mask(&self) -> u64 {
        (1u64 << self.row_bits) - 1
    }

    /// The hash bits a slot keeps for `hash`, in place.
    fn tag(&self, hash: u64) -> u64 {
        (hash & (u64::from(u32::MAX) >> self.row_bits)) << self.row_bits
    }

    fn home(&self, hash: u64) -> usize {
        // The high bits of hash × len: a uniform slot for any length.
        ((u128::from(hash) * self.slots.len() as u128) >> 64) as usize
    }

    /// Probes for the id hashed to `hash`; `eq(row)` says whether `row` holds
    /// it. Call [`Slots::make_room`] first: an empty table finds nothing.
    pub fn probe(&self, hash: u64, mut eq: impl FnMut(u32) -> bool) -> Probe {
        if self.slots.is_empty() {
            return Probe::Vacant(0);
        }
        let (tag, mask, all) = (self.tag(hash), self.row_mask(), !self.row_mask());
        let mut i = self.home(hash);
        loop {
            let s = u64::from(self.slots[i]);
            if s == 0 {
                return Probe::Vacant(i);
            }
            if s & all == tag {
                let row = ((s & mask) - 1) as u32;
                if eq(row) {
                    return Probe::Found(row);
                }
            }
            i += 1;
            if i == self.slots.len() {
                i = 0;
            }
        }
    }

    /// Asks the CPU to load the home slot of `hash` into cache. A table of a
    /// million rows is megabytes and each id lands at random in it: a probe
    /// started cold waits on memory, so inserting a block of ids prefetches
    /// a few rows ahead. A hint only: it changes no result.
    #[inline]
    pub fn prefetch(&self, hash: u64) {
        #[cfg(target_arch = "x86_64")]
        if let Some(slot) = self.slots.get(self.home(hash)) {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            // SAFETY: a prefetch reads nothing the program sees and cannot
            // fault; the address is a slot of this table.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(slot).cast::<i8>()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = hash;
    }

    /// The row of the id hashed to `hash`, if present.
    pub fn find(&self, hash: u64, eq: impl FnMut(u32) -> bool) -> Option<u32> {
        match self.probe(hash, eq) {
            Probe::Found(row) => Some(row),
            Probe::Vacant(_) => None,
        }
    }

    /// Puts `row` (the next row, `rows()`) in `slot`, the vacant slot a
    /// probe for `hash` ended at after [`Slots::make_room`].
    pub fn insert(&mut self, slot: usize, hash: u64, row: u32) {
        debug_assert_eq!(row as usize, self.rows);
        self.slots[slot] = (self.tag(hash) | (u64::from(row) + 1)) as u32;
        self.rows += 1;
    }

    /// Makes room for `more` rows past the current ones, rebuilding the table
    /// from `hash_of(row)` when it is too small. Growth by half again keeps
    /// rebuilds rare and the spare room under a third.
    pub fn make_room(&mut self, more: usize, hash_of: impl Fn(u32) -> u64) {
        let want = self.rows.saturating_add(more);
        if !self.slots.is_empty() && want <= max_rows(self.slots.len()) {
            return;
        }
        let grown = self.rows.saturating_add(self.rows / 2).max(want).max(16);
        self.rebuild(slots_for(grown), hash_of);
    }

    /// Sizes the table for `rows` rows in all, exactly.
    pub fn reserve_total(&mut self, rows: usize, hash_of: impl Fn(u32) -> u64) {
        let rows = rows.max(self.rows);
        if self.slots.is_empty() || max_rows(self.slots.len()) < rows {
            self.rebuild(slots_for(rows), hash_of);
        }
    }

    /// Gives back the room past `rows() + rows() / 8` when the table has more
    /// than twice that.
    pub fn shrink(&mut self, hash_of: impl Fn(u32) -> u64) {
        let fit = slots_for(self.rows + self.rows / 8);
        if self.slots.len() > fit.saturating_mul(2) {
            self.rebuild(fit, hash_of);
        }
    }

    fn rebuild(&mut self, cap: usize, hash_of: impl Fn(u32) -> u64) {
        let rows = self.rows;
        // The old slots are not needed: rows are exactly 0..rows.
        self.slots = Vec::new();
        self.slots = vec![0; cap];
        let most = max_rows(cap).min(u32::MAX as usize) as u64;
        self.row_bits = (64 - most.leading_zeros()).clamp(1, 32);
        self.rows = 0;
        for row in 0..rows as u32 {
            let hash = hash_of(row);
            if let Probe::Vacant(slot) = self.probe(hash, |_| false) {
                self.insert(slot, hash, row);
            }
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * 4
    }
}

#[cfg(test)]
mod tests;
