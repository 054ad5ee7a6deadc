//! Rebuilding one run's ledger, verdict tables, provider errors, bad lines
//! and input index from its partials.
//!
//! Invariant: every submitted row is restored exactly once, from the shard
//! its id hashes to; a row past the run's rows, in two partials, in the wrong
//! shard, or in none is refused, naming the file.

use std::path::Path;

use assay_batch::{InputIndex, Interner, Ledger, RetryPolicy};

use super::MergeError;
use crate::eval::errors::{ErrorCodes, ErrorText};
use crate::eval::partial::PartialError;
use crate::eval::partial::read::{Item, Reader};
use crate::eval::verdicts::VerdictStore;
use crate::report::summary::BadLineEntry;

/// One run's tables, rebuilt from its partials.
pub struct Rebuilt {
    pub ledger: Ledger,
    pub models: Interner,
    pub snapshots: Interner,
    pub errors: ErrorCodes,
    pub store: VerdictStore,
    pub bad: Vec<BadLineEntry>,
    /// Every row's id, by row index.
    pub index: InputIndex,
    /// Per scorer: (fuel used, instance restarts), summed.
    pub counters: Vec<(u64, u64)>,
}

fn interner(names: &[String], overflowed: bool) -> Interner {
    let mut i = Interner::new();
    for n in names {
        i.intern(n);
    }
    if overflowed {
        // The table is full, so a name it lacks maps to OTHER and marks it.
        i.intern("\u{0}assay: overflowed");
    }
    i
}

/// Reads every partial's rows and bad lines into one run's tables.
pub fn rebuild(readers: &mut [Reader]) -> Result<Rebuilt, MergeError> {
    let h0 = readers.first().map(|r| r.header.clone()).ok_or(MergeError::Empty)?;
    let rows = h0.rows as usize;
    let retry = RetryPolicy::parse(&h0.retry).map_err(|e| PartialError::Corrupt {
        path: readers[0].path.clone(),
        line: 1,
        reason: format!("retry policy: {e}"),
    })?;
    let mut ledger = Ledger::new(rows, h0.attempts, retry);
    let mut store = VerdictStore::new(rows, h0.scoring.clone(), None);
    let mut errors = ErrorCodes::default();
    let mut bad = Vec::new();
    let seen = assay_batch::AtomicBitSet::new(rows);
    let mut ids: Vec<Option<Box<str>>> = vec![None; rows];
    let mut counters = vec![(0u64, 0u64); h0.scoring.len()];
    for r in readers.iter_mut() {
        ledger.restore_unexpected(r.header.unexpected, &r.header.unexpected_ids);
        for (t, s) in r.header.scorers.iter().enumerate() {
            if let Some(c) = counters.get_mut(t) {
                c.0 += s.fuel_used;
                c.1 += s.instance_restarts;
            }
            store.offer_firsts(t, s.first_host_failure.clone(), s.first_judge_error.clone());
        }
        while let Some(item) = r.next_item()? {
            let row = match item {
                Item::Bad(b) => {
                    bad.push(b);
                    continue;
                }
                Item::Row(row) => row,
            };
            let idx = row.idx;
            let err = |reason: &str| MergeError::Row {
                path: r.path.clone(),
                idx,
                reason: reason.to_owned(),
            };
            if idx as usize >= rows {
                return Err(err(&format!("is past the run's {rows} rows")));
            }
            if seen.set(idx as usize) {
                return Err(err("is in two partials"));
            }
            let (shard, of) = (r.header.shard, r.header.of);
            if crate::eval::shard::of_id(&row.id, of) != shard {
                return Err(err(&format!(
                    "(id {:?}) belongs to another shard than {shard}/{of}",
                    row.id
                )));
            }
            ledger.restore(idx, &row.settled);
            ids[idx as usize] = Some(row.id.into_boxed_str());
            if let Some(e) = ErrorText::new(row.code.as_deref(), row.message.as_deref()) {
                errors.put(idx, &e);
            }
            for (t, cell) in row.cells.iter().enumerate() {
                if let Some(table) = store.tables.get_mut(t) {
                    table.restore(idx, cell.view());
                }
            }
        }
    }
    let missing = rows - seen.count();
    if missing > 0 {
        let first = (0..rows).find(|&i| !seen.get(i)).unwrap_or(0) as u32;
        return Err(MergeError::RowsMissing {
            count: missing as u64,
            rows: rows as u64,
            first,
        });
    }
    ledger.finish();
    let mut index = InputIndex::new();
    for (idx, id) in ids.into_iter().enumerate() {
        let id = id.unwrap_or_default();
        if index.try_insert(&id, 0, idx as u64 + 1).is_err() {
            return Err(MergeError::Row {
                path: readers[0].path.clone(),
                idx: idx as u32,
                reason: format!("has id {id:?}, which another row of the partials has too"),
            });
        }
    }
    bad.sort_by(|a: &BadLineEntry, b: &BadLineEntry| (Path::new(&a.file), a.line).cmp(&(Path::new(&b.file), b.line)));
    Ok(Rebuilt {
        ledger,
        models: interner(&h0.models, h0.models_overflowed),
        snapshots: interner(&h0.snapshots, h0.snapshots_overflowed),
        errors,
        store,
        bad,
        index,
        counters,
    })
}
