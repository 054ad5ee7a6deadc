//! A settled row's whole state, read out of one ledger and put back into
//! another: how a sharded run's rows travel to the merge.
//!
//! Invariant: for any row of a finished ledger, `restore(idx, settled(idx))`
//! into an empty ledger of the same size, then `finish`, gives the same
//! status, flags, usage, retry usage, attempt, model and snapshot as the
//! original row; `finish` is idempotent on a restored row.

use super::{EARLIER_COMPLETED, EMPTY, Ledger, OTHER_ATTEMPT};
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
        SettledRow {
            status: r.status,
            kind: r.kind,
            flags: r.flags,
            attempt: r.attempt,
            model: r.model,
            snapshot: r.snapshot,
            usage: self.usage.get(idx, &r.usage),
            retry_usage: self.retry_usage(idx),
            other_attempt: r.seen & OTHER_ATTEMPT != 0,
            earlier_completed: r.seen & EARLIER_COMPLETED != 0,
        }
    }

    /// Puts a row read with [`Ledger::settled`] back at `idx`; call `finish`
    /// once every row is back. False, changing nothing, when `idx` is out of range.
    pub fn restore(&mut self, idx: u32, s: &SettledRow) -> bool {
        let rows = self.rows.len();
        let Some(r) = self.rows.get_mut(idx as usize) else {
            return false;
        };
        r.status = s.status;
        r.kind = s.kind;
        r.flags = s.flags;
        r.attempt = s.attempt;
        r.model = s.model;
        r.snapshot = s.snapshot;
        r.seen = (u8::from(s.other_attempt) * OTHER_ATTEMPT) | (u8::from(s.earlier_completed) * EARLIER_COMPLETED);
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
mod tests {
    use super::*;
    use crate::ledger::RowRecord;
    use crate::status::RetryPolicy;

    fn rec(status: Status, input: u64) -> RowRecord {
        RowRecord {
            status,
            error_kind: (status != Status::Completed).then_some(ErrorKind::ServerError),
            truncated: false,
            usage: Usage {
                input,
                output: 3,
                ..Usage::default()
            },
            model: 1,
            snapshot: 0,
        }
    }

    #[test]
    fn a_restored_ledger_reads_like_the_original() {
        let policy = RetryPolicy::parse("server_error").expect("policy");
        let mut a = Ledger::new(4, 2, policy);
        a.apply(2, 0, 1, &rec(Status::Completed, 5));
        a.apply(1, 0, 2, &rec(Status::ProviderError, 7));
        a.apply(2, 1, 3, &rec(Status::ProviderError, 1));
        a.apply(1, 1, 4, &rec(Status::ProviderError, 1));
        a.apply(2, 2, 5, &rec(Status::Completed, u64::from(u32::MAX) + 9));
        let mut cached = rec(Status::Completed, 40);
        cached.usage.cached_input = 30;
        cached.usage.reasoning = 2;
        a.apply(1, 3, 6, &cached);
        a.record_unexpected(1, "ghost");
        a.finish();
        let mut b = Ledger::new(4, 2, policy);
        for idx in 0..4 {
            assert!(b.restore(idx, &a.settled(idx)));
        }
        b.restore_unexpected(1, &["ghost".to_owned()]);
        b.finish();
        for idx in 0..4 {
            assert_eq!(a.settled(idx), b.settled(idx), "row {idx}");
        }
        assert_eq!(a.status_counts(), b.status_counts());
        assert_eq!(a.flag_counts(), b.flag_counts());
        assert_eq!(a.unexpected(), b.unexpected());
        assert!(!b.restore(9, &a.settled(0)));
    }
}
