//! `assay merge`: the N partials of a sharded run back into one run's
//! tables, then the same summarize, aggregate and gate code one run uses.
//!
//! Aggregators (`begin`/`observe`/`finish` in wit/v0.1/judge.wit) are not
//! merged from partial results: they run here, once, over every row's
//! observation in submission order, rebuilt from the partials; no WIT
//! change is needed.
//!
//! Invariant: a merge succeeds only on exactly shards `0..N` of one run
//! (same fingerprint of inputs, judges and settings, same N), each whole,
//! and then every submitted row is restored exactly once; anything else is
//! refused naming the file and the reason.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assay_batch::{Interner, Ledger, RetryPolicy};

use super::aggregate::{self, AggInputs};
use super::errors::{ErrorCodes, ErrorText};
use super::judges::PreparedJudge;
use super::partial::PartialError;
use super::partial::read::{Item, Reader};
use super::summarize::{self, Parts};
use super::verdicts::{Limit, VerdictStore};
use super::{EvalError, GateConfig, snapshots};
use crate::report::summary::{BadLineEntry, Summary};

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error(transparent)]
    Partial(#[from] PartialError),
    #[error("no partial given")]
    Empty,
    #[error("{path}: {what} differs from {first}'s: not a shard of the same run")]
    Mismatch {
        path: PathBuf,
        first: PathBuf,
        what: String,
    },
    #[error("{path}: shard {index} of {of}, but {first} is a shard of {expected}")]
    WrongCount {
        path: PathBuf,
        index: u32,
        of: u32,
        first: PathBuf,
        expected: u32,
    },
    #[error("shard {index}/{of} given twice: {a} and {b}")]
    Duplicate {
        index: u32,
        of: u32,
        a: PathBuf,
        b: PathBuf,
    },
    #[error("missing shard(s) {missing} of {of}: every shard 0..{of} must be given once")]
    Missing { missing: String, of: u32 },
    #[error("{path}: row {idx} {reason}")]
    Row { path: PathBuf, idx: u32, reason: String },
    #[error("{count} of {rows} rows are in no partial (first: row {first})")]
    RowsMissing { count: u64, rows: u64, first: u32 },
    #[error("judge '{judge}': the partials were scored by sha256 {expected}; the judge found now is {found}")]
    JudgeChanged {
        judge: String,
        expected: String,
        found: String,
    },
    #[error(transparent)]
    Eval(#[from] EvalError),
}

/// The parts of two fingerprints that differ (`part=sha256` lines).
fn differing(a: &str, b: &str) -> String {
    let parts: Vec<&str> = a
        .lines()
        .zip(b.lines())
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.split('=').next().unwrap_or(x))
        .collect();
    match parts.is_empty() {
        true => "the fingerprint".into(),
        false => parts.join(", "),
    }
}

/// Checks that `readers` are exactly shards `0..N` of one run; sorts them by shard.
pub fn check(readers: &mut [Reader]) -> Result<(), MergeError> {
    readers.sort_by_key(|r| r.header.shard);
    let Some(first) = readers.first() else {
        return Err(MergeError::Empty);
    };
    let (h0, p0) = (first.header.clone(), first.path.clone());
    for r in readers.iter() {
        let h = &r.header;
        let mismatch = |what: String| MergeError::Mismatch {
            path: r.path.clone(),
            first: p0.clone(),
            what,
        };
        if h.of != h0.of {
            return Err(MergeError::WrongCount {
                path: r.path.clone(),
                index: h.shard,
                of: h.of,
                first: p0.clone(),
                expected: h0.of,
            });
        }
        if h.fingerprint != h0.fingerprint {
            return Err(mismatch(differing(&h.fingerprint, &h0.fingerprint)));
        }
        let same = h.rows == h0.rows
            && h.judges == h0.judges
            && h.scoring == h0.scoring
            && h.head.segment_size == h0.head.segment_size
            && h.head.max_bad_lines == h0.head.max_bad_lines
            && h.max_judge_error_rate == h0.max_judge_error_rate
            && h.models == h0.models
            && h.snapshots == h0.snapshots;
        if !same {
            return Err(mismatch(
                "the run's settings (rows, judges, --max-bad-lines or policy)".into(),
            ));
        }
    }
    for w in readers.windows(2) {
        if w[0].header.shard == w[1].header.shard {
            return Err(MergeError::Duplicate {
                index: w[0].header.shard,
                of: h0.of,
                a: w[0].path.clone(),
                b: w[1].path.clone(),
            });
        }
    }
    let have: Vec<u32> = readers.iter().map(|r| r.header.shard).collect();
    let missing: Vec<String> = (0..h0.of)
        .filter(|i| !have.contains(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        let mut shown: Vec<String> = missing.iter().take(20).cloned().collect();
        if missing.len() > 20 {
            shown.push(format!("… ({} in all)", missing.len()));
        }
        return Err(MergeError::Missing {
            missing: shown.join(", "),
            of: h0.of,
        });
    }
    Ok(())
}

/// One run's tables, rebuilt from its partials.
pub struct Rebuilt {
    pub ledger: Ledger,
    pub models: Interner,
    pub snapshots: Interner,
    pub errors: ErrorCodes,
    pub store: VerdictStore,
    pub bad: Vec<BadLineEntry>,
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
            ledger.restore(idx, &row.settled);
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
    bad.sort_by(|a: &BadLineEntry, b: &BadLineEntry| (Path::new(&a.file), a.line).cmp(&(Path::new(&b.file), b.line)));
    Ok(Rebuilt {
        ledger,
        models: interner(&h0.models, h0.models_overflowed),
        snapshots: interner(&h0.snapshots, h0.snapshots_overflowed),
        errors,
        store,
        bad,
        counters,
    })
}

/// The merged run's summary, built as `assay eval` builds one; and whether
/// it has more bad lines than allowed.
pub async fn summarize(
    header: &super::partial::Header,
    mut judges: Vec<PreparedJudge>,
    t: Rebuilt,
    gates: &GateConfig,
) -> Result<(Summary, bool), MergeError> {
    let rows = t.ledger.len();
    let limit = Limit {
        allowed: (header.max_judge_error_rate * rows as f64).floor() as u64,
        rate: header.max_judge_error_rate,
        rows: rows as u64,
    };
    if let Some(e) = t.store.over_limit(&limit) {
        return Err(e.into());
    }
    let scoring: Vec<usize> = header
        .scoring
        .iter()
        .filter_map(|n| judges.iter().position(|j| &j.info.name == n))
        .collect();
    let segment_size = header.head.segment_size.max(1);
    let (mut judge_summaries, mut logs) =
        summarize::judge_summaries(&judges, &scoring, &t.store, &mut [], segment_size);
    for (t_idx, &j) in scoring.iter().enumerate() {
        if let (Some(s), Some(c)) = (judge_summaries.get_mut(&judges[j].info.name), t.counters.get(t_idx)) {
            s.fuel_used += c.0;
            s.instance_restarts += c.1;
        }
    }
    let quality: Vec<usize> = (0..scoring.len())
        .filter(|&k| judges[scoring[k]].info.quality)
        .collect();
    let provider = assay_batch::Provider::ALL
        .iter()
        .find(|p| p.as_str() == header.head.provider)
        .map_or("", |p| p.as_str());
    let agg = AggInputs {
        ledger: Arc::new(t.ledger),
        models: Arc::new(t.models),
        snapshots: Arc::new(t.snapshots),
        tables: Arc::new(t.store.tables),
        quality: Arc::new(quality),
        rows,
        segment_size,
        provider,
    };
    aggregate::aggregate_all(&mut judges, &scoring, &agg, &mut judge_summaries, &mut logs).await?;
    summarize::note_unscorable(&judges, &mut judge_summaries, header.has_text);
    let ledger = &agg.ledger;
    let bad_over = t.bad.len() as u64 > header.head.max_bad_lines;
    let parts = Parts {
        error_codes: t.errors.top(ledger),
        judges: judge_summaries,
        bad: t.bad,
        reconciliation: header
            .reconcile
            .iter()
            .enumerate()
            .map(|(a, r)| {
                let obj = (&r.object).into();
                super::reconcile::reconcile(a + 1, &r.source, &obj, &(&r.tally).into(), rows as u64)
            })
            .collect(),
        snapshots: snapshots::snapshots(ledger, rows, segment_size, &agg.models, &agg.snapshots),
        sync: None,
        elapsed_ms: 0,
    };
    let mut summary = summarize::summary(&header.head, ledger, parts);
    super::gates::apply(&mut summary, gates)?;
    Ok((summary, bad_over))
}
