//! One row's ledger state in 16 bytes.
//!
//! Invariant: every field reads back exactly what was last set. Status,
//! error kind, flags and the two "seen" bits share one `u16`; the row's
//! attempt, model and snapshot are one [`Origin`], kept once per distinct
//! value in [`Origins`] (a batch has a handful: attempts × models ×
//! snapshots) and referred to by a 16-bit key. Rows whose origin arrives
//! after 65,535 distinct ones keep it in a side table instead, so no value
//! is ever lost, only stored less compactly.

use std::collections::HashMap;

use crate::status::{ErrorKind, Flags, Status};

/// Where a row's final result came from: the attempt, and the
/// [`crate::Interner`] ids of its model and snapshot (0 = none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(super) struct Origin {
    pub attempt: u16,
    pub model: u16,
    pub snapshot: u16,
}

/// The key of rows whose origin is in [`Origins::overflow`].
const OVERFLOW: u16 = u16::MAX;

const STATUS_BITS: u16 = 0b111;
const KIND_SHIFT: u32 = 3;
const FLAGS_SHIFT: u32 = 6;
const SEEN_SHIFT: u32 = 10;

#[derive(Debug, Clone, Copy)]
pub(super) struct RowState {
    /// `fold_hash` of the final line: two different lines share it with
    /// odds of 1 in 2^32, so a conflicting line is taken for a duplicate
    /// about once in four billion same-attempt pairs.
    pub hash: u32,
    /// Input and output tokens, packed by the ledger's `UsageStore`.
    pub usage: [u32; 2],
    /// Key of the row's [`Origin`] in [`Origins`].
    key: u16,
    /// Status (3 bits), error kind + 1 (3 bits, 0 = none), flags (4 bits)
    /// and the ledger's "seen" bits (2).
    bits: u16,
}

impl RowState {
    pub const EMPTY: RowState = RowState {
        hash: 0,
        usage: [0; 2],
        key: 0,
        bits: Status::Missing as u16,
    };

    pub fn status(&self) -> Status {
        Status::ALL[usize::from(self.bits & STATUS_BITS)]
    }

    pub fn set_status(&mut self, s: Status) {
        self.bits = (self.bits & !STATUS_BITS) | s as u16;
    }

    pub fn kind(&self) -> Option<ErrorKind> {
        let k = usize::from((self.bits >> KIND_SHIFT) & 0b111);
        k.checked_sub(1).and_then(|k| ErrorKind::ALL.get(k).copied())
    }

    pub fn set_kind(&mut self, k: Option<ErrorKind>) {
        let v = k.map_or(0, |k| k as u16 + 1);
        self.bits = (self.bits & !(0b111 << KIND_SHIFT)) | (v << KIND_SHIFT);
    }

    pub fn flags(&self) -> Flags {
        Flags(((self.bits >> FLAGS_SHIFT) & 0b1111) as u8)
    }

    /// Sets the flags; only the four known flag bits are kept.
    pub fn set_flags(&mut self, f: Flags) {
        let v = u16::from(f.0 & 0b1111);
        self.bits = (self.bits & !(0b1111 << FLAGS_SHIFT)) | (v << FLAGS_SHIFT);
    }

    pub fn insert_flag(&mut self, f: Flags) {
        let mut all = self.flags();
        all.insert(f);
        self.set_flags(all);
    }

    pub fn seen(&self) -> u8 {
        ((self.bits >> SEEN_SHIFT) & 0b11) as u8
    }

    pub fn add_seen(&mut self, bits: u8) {
        self.bits |= u16::from(bits & 0b11) << SEEN_SHIFT;
    }

    pub fn set_seen(&mut self, bits: u8) {
        self.bits = (self.bits & !(0b11 << SEEN_SHIFT)) | (u16::from(bits & 0b11) << SEEN_SHIFT);
    }
}

/// The distinct origins of a ledger's rows.
pub(super) struct Origins {
    /// Origin of each key; key 0 is the empty origin of a row with no result.
    list: Vec<Origin>,
    keys: HashMap<Origin, u16, foldhash::fast::FixedState>,
    /// The last origin set and its key: consecutive rows mostly share one.
    last: (Origin, u16),
    /// Origins of rows keyed [`OVERFLOW`].
    overflow: HashMap<u32, Origin, foldhash::fast::FixedState>,
}

impl Default for Origins {
    fn default() -> Self {
        let mut keys = HashMap::default();
        keys.insert(Origin::default(), 0);
        Origins {
            list: vec![Origin::default()],
            keys,
            last: (Origin::default(), 0),
            overflow: HashMap::default(),
        }
    }
}

impl Origins {
    /// The origin of row `idx` in state `r`.
    pub fn get(&self, idx: u32, r: &RowState) -> Origin {
        if r.key == OVERFLOW {
            return self.overflow.get(&idx).copied().unwrap_or_default();
        }
        self.list.get(usize::from(r.key)).copied().unwrap_or_default()
    }

    /// Makes `o` the origin of row `idx` in state `r`.
    pub fn set(&mut self, idx: u32, r: &mut RowState, o: Origin) {
        if r.key == OVERFLOW {
            self.overflow.remove(&idx);
        }
        r.key = self.key(o);
        if r.key == OVERFLOW {
            self.overflow.insert(idx, o);
        }
    }

    fn key(&mut self, o: Origin) -> u16 {
        if self.last.0 == o {
            return self.last.1;
        }
        let key = match self.keys.get(&o) {
            Some(&k) => k,
            None if self.list.len() < usize::from(OVERFLOW) => {
                let k = self.list.len() as u16;
                self.list.push(o);
                self.keys.insert(o, k);
                k
            }
            None => return OVERFLOW,
        };
        self.last = (o, key);
        key
    }
}
