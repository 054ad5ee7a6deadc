//! A settled row's whole state, read out of one ledger and put back into
//! another: how a sharded run's rows travel to the merge.
//!
//! Invariant: for any row of a finished ledger, `restore(idx, settled(idx))`
//! into an empty ledger of the same size, then `finish`, gives the same
//! status, flags, usage, retry usage, attempt, model and snapshot as the
//! original row; `finish` is idempotent on a restored row.

use super::{EARLIER_COMPLETED, EMPTY, Ledger, OTHER_ATTEMPT, Origin};
use crate::status::{ErrorKind, Flags, Status, Usage};

/// Everything a ledger keeps about one settled row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettledRow {
    pub status: Status,
    pub kind: Option<ErrorKind>,
    pub flags: Flags,
    pub attempt: u16,
    pub model: u16,
    pub snapshot: u16,
    pub usage: Usage,
    pub retry_usage: Usage,
    /// The row had a result in an attempt other than its final one.
    pub other_attempt: bool,
    /// An attempt other than the final one completed the row.
    pub earlier_completed: bool,
}

impl Ledger {
    /// Row `idx`'s state (an empty row when out of range).
    pub fn settled(&self, idx: u32) -> SettledRow {
        let r = self.rows.get(idx as usize).unwrap_or(&EMPTY);
        let o = self.origins.get(idx, r);
        SettledRow {
            status: r.status(),
            kind: r.kind(),
            flags: r.flags(),
            attempt: o.attempt,
            model: o.model,
            snapshot: o.snapshot,
            usage: self.usage.get(idx, &r.usage),
            retry_usage: self.retry_usage(idx),
            other_attempt: r.seen() & OTHER_ATTEMPT != 0,
            earlier_completed: r.seen() & EARLIER_COMPLETED != 0,
        }
    }

    /// Puts a row read with [`Ledger::settled`] back at `idx`; call `finish`
    /// once every row is back. False, changing nothing, when `idx` is out of range.
    pub fn restore(&mut self, idx: u32, s: &SettledRow) -> bool {
        let rows = self.rows.len();
        let Some(r) = self.rows.get_mut(idx as usize) else {
            return false;
        };
        r.set_status(s.status);
        r.set_kind(s.kind);
        r.set_flags(s.flags);
        let origin = Origin {
            attempt: s.attempt,
            model: s.model,
            snapshot: s.snapshot,
        };
        self.origins.set(idx, r, origin);
        r.set_seen((u8::from(s.other_attempt) * OTHER_ATTEMPT) | (u8::from(s.earlier_completed) * EARLIER_COMPLETED));
        self.usage.set(idx, rows, &mut r.usage, &s.usage);
        if s.retry_usage != Usage::default() {
            self.retry.insert(idx, s.retry_usage);
        }
        true
    }

    /// Adds `count` unexpected results (ids never submitted), listing `ids`
    /// while the list has room.
    pub fn restore_unexpected(&mut self, count: u64, ids: &[String]) {
        self.unexpected += count;
        for id in ids {
            if self.unexpected_ids.len() < super::MAX_UNEXPECTED_IDS {
                self.unexpected_ids.push(id.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests;
