//! Per-row state across resubmission attempts.
//!
//! Invariant: every submitted row ends in exactly one status; after
//! `finish`, `status_counts()` sums to the number of rows. The final result
//! of a row is the first line (in file order) of the latest attempt that has
//! one; results from other attempts only add to `retry_usage`. Token
//! counts are kept whole (`u64`): a row's input and output counts are
//! packed as `u32` when they fit, in a 16-byte [`row::RowState`] with its
//! status, flags and a key to its attempt, model and snapshot; cached,
//! cache-write and reasoning counts take 12 bytes more per row only once some
//! row has one; rows with a larger count, like the usage of superseded
//! results, live in side tables for the rows that have any.
//!
//! Size: over 300 lines because applying a line, recovery, settling retries
//! and the readers all work on the private packed `RowState`; splitting them
//! would make that packing public to the whole crate.

use std::collections::HashMap;
use std::hash::BuildHasher;

mod row;
mod settled;
pub use settled::SettledRow;

use row::{Origin, Origins, RowState};

use crate::row::Outcome;
use crate::status::{ErrorKind, Flags, RetryPolicy, Status, Usage};

/// The normalized fields of one result that the ledger keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRecord {
    pub status: Status,
    pub error_kind: Option<ErrorKind>,
    pub truncated: bool,
    pub usage: Usage,
    /// [`crate::Interner`] id of the model (0 = none).
    pub model: u16,
    /// [`crate::Interner`] id of the snapshot (0 = none).
    pub snapshot: u16,
}

impl RowRecord {
    pub fn from_outcome(o: &Outcome<'_>, model: u16, snapshot: u16) -> Self {
        RowRecord {
            status: o.status,
            error_kind: o.error_kind,
            truncated: o.truncated,
            usage: o.usage,
            model,
            snapshot,
        }
    }
}

/// What [`Ledger::apply`] did with a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// This is now the row's final result.
    Final,
    /// Same attempt, identical line: ignored, row flagged `DUPLICATE`.
    Duplicate,
    /// Same attempt, different line: ignored (its usage goes to
    /// `retry_usage`), row flagged `SILENTLY_RETRIED`.
    Conflict,
    /// An earlier attempt's result for a row final from a later attempt.
    Superseded,
    /// Row index or attempt number out of range: ignored.
    Invalid,
}

/// Counts of rows carrying each flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlagCounts {
    pub truncated: u64,
    pub retried: u64,
    pub silently_retried: u64,
    pub duplicate: u64,
}

/// Unexpected ids kept for the report.
pub const MAX_UNEXPECTED_IDS: usize = 20;

const OTHER_ATTEMPT: u8 = 1;
const EARLIER_COMPLETED: u8 = 2;

const EMPTY: RowState = RowState::EMPTY;

/// Marks a row whose usage needs more than 32 bits a count: its usage is
/// in [`Ledger::wide`].
const WIDE: u32 = u32::MAX;

/// The usage packed in 32-bit counts (input and output; cached, cache
/// write and reasoning), or `None` when a count does not fit (`WIDE` itself
/// is reserved for the mark).
fn pack(u: &Usage) -> Option<([u32; 2], [u32; 3])> {
    let c = |v: u64| u32::try_from(v).ok().filter(|&v| v != WIDE);
    Some((
        [c(u.input)?, c(u.output)?],
        [c(u.cached_input)?, c(u.cache_write)?, c(u.reasoning)?],
    ))
}

/// Final usage beside the rows' packed input and output counts.
#[derive(Default)]
struct UsageStore {
    /// Rows with a count past 32 bits (marked `WIDE`).
    wide: UsageMap,
    /// Cached, cache-write and reasoning counts per row: empty until a row
    /// has one, then one entry per row.
    extra: Vec<[u32; 3]>,
}

impl UsageStore {
    /// The stored usage of row `idx` whose packed counts are `p`.
    fn get(&self, idx: u32, p: &[u32; 2]) -> Usage {
        if p[0] == WIDE {
            return self.wide.get(&idx).copied().unwrap_or_default();
        }
        let e = self.extra.get(idx as usize).copied().unwrap_or_default();
        Usage {
            input: p[0].into(),
            output: p[1].into(),
            cached_input: e[0].into(),
            cache_write: e[1].into(),
            reasoning: e[2].into(),
        }
    }

    /// Stores `u` as row `idx`'s usage (of `rows`), replacing `p`.
    fn set(&mut self, idx: u32, rows: usize, p: &mut [u32; 2], u: &Usage) {
        if p[0] == WIDE {
            self.wide.remove(&idx);
        }
        let (two, three) = match pack(u) {
            Some(packed) => packed,
            None => {
                self.wide.insert(idx, *u);
                ([WIDE; 2], [0; 3])
            }
        };
        *p = two;
        if three != [0; 3] && self.extra.is_empty() {
            self.extra = vec![[0; 3]; rows];
        }
        if let Some(e) = self.extra.get_mut(idx as usize) {
            *e = three;
        }
    }
}

type UsageMap = HashMap<u32, Usage, foldhash::fast::FixedState>;

/// Hash of a result line, for telling identical duplicates from conflicts.
pub fn line_hash(bytes: &[u8]) -> u64 {
    foldhash::quality::FixedState::with_seed(0x5eed).hash_one(bytes)
}

/// A [`line_hash`] folded to the 32 bits a row keeps.
fn fold_hash(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32
}

/// Per-row results of one batch job across its attempts.
pub struct Ledger {
    rows: Vec<RowState>,
    /// Attempt, model and snapshot of the rows, keyed from each `RowState`.
    origins: Origins,
    /// Usage of non-final results, kept only for the few rows that have any
    /// (retries, conflicting lines): most rows never need the 40 bytes.
    retry: UsageMap,
    usage: UsageStore,
    attempts: u16,
    policy: RetryPolicy,
    unexpected: u64,
    unexpected_ids: Vec<String>,
    status_counts: [u64; 8],
    flag_counts: FlagCounts,
}

impl Ledger {
    /// A ledger for `rows` submitted rows and attempts `1..=attempts`.
    pub fn new(rows: usize, attempts: u16, policy: RetryPolicy) -> Self {
        let mut status_counts = [0; 8];
        status_counts[Status::Missing.index()] = rows as u64;
        Ledger {
            rows: vec![EMPTY; rows],
            origins: Origins::default(),
            retry: HashMap::default(),
            usage: UsageStore::default(),
            attempts,
            policy,
            unexpected: 0,
            unexpected_ids: Vec::new(),
            status_counts,
            flag_counts: FlagCounts::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Records one result. Apply attempts from the last to the first and,
    /// within an attempt, lines in file order. (A later attempt applied after
    /// an earlier one still becomes final; the earlier result is demoted.)
    pub fn apply(&mut self, attempt: u16, idx: u32, line_hash: u64, rec: &RowRecord) -> Applied {
        if attempt == 0 || attempt > self.attempts {
            return Applied::Invalid;
        }
        let rows = self.rows.len();
        let Some(r) = self.rows.get_mut(idx as usize) else {
            return Applied::Invalid;
        };
        let sides = (&mut self.usage, &mut self.origins);
        let current = sides.1.get(idx, r).attempt;
        if current == 0 {
            set_final(r, sides, (idx, rows), attempt, line_hash, rec);
            return Applied::Final;
        }
        let (applied, to_retry) = if attempt == current {
            if fold_hash(line_hash) == r.hash {
                r.insert_flag(Flags::DUPLICATE);
                return Applied::Duplicate;
            }
            r.insert_flag(Flags::SILENTLY_RETRIED);
            (Applied::Conflict, rec.usage)
        } else {
            r.add_seen(OTHER_ATTEMPT);
            if attempt < current {
                if rec.status == Status::Completed {
                    r.add_seen(EARLIER_COMPLETED);
                }
                (Applied::Superseded, rec.usage)
            } else {
                let old = sides.0.get(idx, &r.usage);
                if r.status() == Status::Completed {
                    r.add_seen(EARLIER_COMPLETED);
                }
                r.set_flags(Flags::empty());
                set_final(r, sides, (idx, rows), attempt, line_hash, rec);
                (Applied::Final, old)
            }
        };
        *self.retry.entry(idx).or_default() += to_retry;
        applied
    }

    /// Completes row `idx` through a retry outside the batch (the synchronous
    /// API), after [`Ledger::finish`]: `rec` becomes its final result at
    /// `attempt`, flagged `RETRIED` (and `TRUNCATED` when `rec` is), and the
    /// usage of its batch results moves to `retry_usage`. Call `finish` again
    /// to recount. Returns false, changing nothing, when the row is out of
    /// range, already completed, or `rec` is not a completed result.
    pub fn recover(&mut self, idx: u32, attempt: u16, rec: &RowRecord) -> bool {
        let rows = self.rows.len();
        let Some(r) = self.rows.get_mut(idx as usize) else {
            return false;
        };
        if r.status() == Status::Completed || rec.status != Status::Completed {
            return false;
        }
        if self.origins.get(idx, r).attempt != 0 {
            *self.retry.entry(idx).or_default() += self.usage.get(idx, &r.usage);
        }
        r.set_flags(Flags::empty());
        set_final(r, (&mut self.usage, &mut self.origins), (idx, rows), attempt, 0, rec);
        r.insert_flag(Flags::RETRIED);
        true
    }

    /// Whether row `idx` already has a result.
    pub fn has_final(&self, idx: u32) -> bool {
        self.attempt(idx) != 0
    }

    /// Records a result whose id was never submitted.
    pub fn record_unexpected(&mut self, attempt: u16, id: &str) {
        let _ = attempt;
        self.unexpected += 1;
        if self.unexpected_ids.len() < MAX_UNEXPECTED_IDS {
            self.unexpected_ids.push(id.to_owned());
        }
    }

    /// Settles every row: no result → Missing; retryable outcome seen in
    /// two or more attempts → RetryExhausted; completed after only failed
    /// earlier attempts → flag RETRIED. Recomputes the counts; idempotent.
    pub fn finish(&mut self) {
        let mut counts = [0u64; 8];
        let mut flags = FlagCounts::default();
        for (idx, r) in (0u32..).zip(&mut self.rows) {
            let other = r.seen() & OTHER_ATTEMPT != 0;
            if self.origins.get(idx, r).attempt == 0 {
                r.set_status(Status::Missing);
            } else if r.status() == Status::Completed && other && r.seen() & EARLIER_COMPLETED == 0 {
                r.insert_flag(Flags::RETRIED);
            } else if other && self.policy.is_retryable(r.status(), r.kind()) {
                r.set_status(Status::RetryExhausted);
            }
            counts[r.status().index()] += 1;
            let f = r.flags();
            flags.truncated += u64::from(f.contains(Flags::TRUNCATED));
            flags.retried += u64::from(f.contains(Flags::RETRIED));
            flags.silently_retried += u64::from(f.contains(Flags::SILENTLY_RETRIED));
            flags.duplicate += u64::from(f.contains(Flags::DUPLICATE));
        }
        self.status_counts = counts;
        self.flag_counts = flags;
    }

    fn row(&self, idx: u32) -> &RowState {
        self.rows.get(idx as usize).unwrap_or(&EMPTY)
    }

    fn origin(&self, idx: u32) -> Origin {
        self.origins.get(idx, self.row(idx))
    }

    /// Final status (Missing for unknown rows).
    pub fn status(&self, idx: u32) -> Status {
        self.row(idx).status()
    }
    pub fn flags(&self, idx: u32) -> Flags {
        self.row(idx).flags()
    }
    pub fn error_kind(&self, idx: u32) -> Option<ErrorKind> {
        self.row(idx).kind()
    }
    /// Usage of the final result.
    pub fn usage(&self, idx: u32) -> Usage {
        self.usage.get(idx, &self.row(idx).usage)
    }
    /// Usage of every non-final result of the row (earlier attempts and
    /// conflicting same-attempt lines).
    pub fn retry_usage(&self, idx: u32) -> Usage {
        // Most runs retry nothing: no hash per row then (observations read
        // this for every row, once per aggregating judge).
        if self.retry.is_empty() {
            return Usage::default();
        }
        self.retry.get(&idx).copied().unwrap_or_default()
    }
    /// Attempt that gave the final result (0 if missing).
    pub fn attempt(&self, idx: u32) -> u16 {
        self.origin(idx).attempt
    }
    /// Whether the row also had a result in an attempt other than the final one.
    pub fn in_other_attempt(&self, idx: u32) -> bool {
        self.row(idx).seen() & OTHER_ATTEMPT != 0
    }
    pub fn model(&self, idx: u32) -> u16 {
        self.origin(idx).model
    }
    pub fn snapshot(&self, idx: u32) -> u16 {
        self.origin(idx).snapshot
    }
    /// Rows per status, indexed by [`Status::index`] (valid after `finish`).
    pub fn status_counts(&self) -> [u64; 8] {
        self.status_counts
    }
    /// Rows per flag (valid after `finish`).
    pub fn flag_counts(&self) -> FlagCounts {
        self.flag_counts
    }
    /// Number of results with unsubmitted ids, and the first few ids.
    pub fn unexpected(&self) -> (u64, &[String]) {
        (self.unexpected, &self.unexpected_ids)
    }
    /// Sum of final usage over all rows.
    pub fn total_usage(&self) -> Usage {
        let mut acc = Usage::default();
        for (idx, r) in (0u32..).zip(&self.rows) {
            acc += self.usage.get(idx, &r.usage);
        }
        acc
    }
    /// Sum of retry usage over all rows.
    pub fn total_retry_usage(&self) -> Usage {
        self.retry.values().fold(Usage::default(), |mut acc, r| {
            acc += *r;
            acc
        })
    }
}

/// Makes `rec` the final result of row `at.0` (of `at.1` rows).
fn set_final(r: &mut RowState, sides: Sides<'_>, at: (u32, usize), attempt: u16, hash: u64, rec: &RowRecord) {
    let (store, origins) = sides;
    let origin = Origin {
        attempt,
        model: rec.model,
        snapshot: rec.snapshot,
    };
    origins.set(at.0, r, origin);
    r.hash = fold_hash(hash);
    r.set_status(rec.status);
    r.set_kind(rec.error_kind);
    store.set(at.0, at.1, &mut r.usage, &rec.usage);
    if rec.truncated {
        r.insert_flag(Flags::TRUNCATED);
    }
}

/// What a row keeps outside its `RowState`.
type Sides<'a> = (&'a mut UsageStore, &'a mut Origins);

#[cfg(test)]
mod tests;
