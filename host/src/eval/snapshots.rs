//! Snapshot rotation inside a job: which model and serving snapshot
//! (OpenAI `system_fingerprint`) answered each segment, and the segments
//! whose mix differs from the job's majority.
//!
//! Invariant: computed from the final ledger over completed rows in
//! submission order; when snapshot values are too scattered to mean
//! anything (one per request, or more distinct values than the interner
//! holds), only models are compared, and it says so. Rows whose results
//! name no model form a bucket of their own that is never named `""`. An overflow bucket is
//! never a majority, so the result does not depend on result-line order.

use std::collections::HashMap;

use foldhash::fast::FixedState;

use crate::report::snapshots::{Majority, SegmentMix, Snapshots};
use assay_batch::{Interner, Ledger, Status};

/// Below this share of completed rows, the job's most common snapshot is
/// noise rather than a serving configuration.
const INFORMATIVE_SHARE: f64 = 0.2;
/// Names listed per segment.
const TOP: usize = 3;

/// Row counts by key. Keys are interner ids, not input, so a fixed-seed
/// fast hash is safe; it runs once per run of equal pairs, on the serial
/// path after scoring.
type Counts<K> = HashMap<K, u64, FixedState>;

/// The most common names, ties broken by name: interner ids depend on which
/// worker saw a name first, so they must never decide an order.
fn top(counts: &Counts<u16>, names: &Interner) -> Vec<(String, u64)> {
    let mut v: Vec<(&str, u64)> = counts.iter().map(|(k, n)| (names.get(*k), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().take(TOP).map(|(k, n)| (k.to_owned(), n)).collect()
}

/// The most common (model, snapshot) pair, ties broken by the names. A
/// pair in an overflow bucket ([`Interner::OTHER`]) is never chosen.
fn argmax(counts: &Counts<(u16, u16)>, models: &Interner, snaps: &Interner) -> Option<((u16, u16), u64)> {
    let name = |k: &(u16, u16)| (models.get(k.0), snaps.get(k.1));
    counts
        .iter()
        .filter(|(k, _)| k.0 != Interner::OTHER && k.1 != Interner::OTHER)
        .map(|(k, n)| (*k, *n))
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| name(&b.0).cmp(&name(&a.0))))
}

pub fn snapshots(ledger: &Ledger, rows: usize, segment_size: u32, models: &Interner, snaps: &Interner) -> Snapshots {
    let seg_count = (rows as u64).div_ceil(u64::from(segment_size)) as usize;
    let mut job: Counts<(u16, u16)> = Counts::default();
    let mut seg_pairs: Vec<Counts<(u16, u16)>> = vec![Counts::default(); seg_count];
    let mut completed = 0u64;
    // Neighbouring rows almost always share a segment, model and snapshot:
    // count a run of them, then add it to the maps once.
    let mut add = |(seg, pair, n): (usize, (u16, u16), u64)| {
        *job.entry(pair).or_default() += n;
        *seg_pairs[seg].entry(pair).or_default() += n;
    };
    let mut run: Option<(usize, (u16, u16), u64)> = None;
    for idx in 0..rows as u32 {
        if ledger.status(idx) != Status::Completed {
            continue;
        }
        completed += 1;
        let key = ((idx / segment_size) as usize, (ledger.model(idx), ledger.snapshot(idx)));
        match &mut run {
            Some((seg, pair, n)) if (*seg, *pair) == key => *n += 1,
            _ => {
                if let Some(done) = run.replace((key.0, key.1, 1)) {
                    add(done);
                }
            }
        }
    }
    if let Some(done) = run {
        add(done);
    }
    // Rows that name no model or snapshot are not a name.
    let distinct = |id: fn(&(u16, u16)) -> u16| {
        let ids = job.keys().map(id).filter(|i| *i != Interner::NONE);
        ids.collect::<std::collections::HashSet<_>>().len()
    };
    let (distinct_models, distinct_snapshots) = (distinct(|k| k.0), distinct(|k| k.1));
    // Past the interner's 65,535 names, which values got their own id
    // depends on line order: such values are scattered, compare models only.
    let mut compare_snapshots = !snaps.overflowed();
    let mut majority = argmax(&job, models, snaps);
    if let Some((_, n)) = majority
        && (n as f64) < INFORMATIVE_SHARE * completed as f64
    {
        compare_snapshots = false;
    }
    // Fold snapshots away when they are noise: compare (model, -) pairs.
    let fold = |m: &Counts<(u16, u16)>| -> Counts<(u16, u16)> {
        let mut out = Counts::default();
        for ((model, snap), n) in m {
            let key = if compare_snapshots {
                (*model, *snap)
            } else {
                (*model, Interner::NONE)
            };
            *out.entry(key).or_default() += n;
        }
        out
    };
    if !compare_snapshots {
        majority = argmax(&fold(&job), models, snaps);
    }
    let mut segments = Vec::with_capacity(seg_count);
    let mut rotated_segments = Vec::new();
    for (s, pairs) in seg_pairs.iter().enumerate() {
        let n: u64 = pairs.values().sum();
        let folded = fold(pairs);
        let own = argmax(&folded, models, snaps);
        let share = match (majority, n) {
            (Some((key, _)), n) if n > 0 => *folded.get(&key).unwrap_or(&0) as f64 / n as f64,
            _ => 0.0,
        };
        let rotated = matches!((majority, own), (Some((a, _)), Some((b, _))) if a != b);
        if rotated {
            rotated_segments.push(s as u32);
        }
        let mut m: Counts<u16> = Counts::default();
        let mut sn: Counts<u16> = Counts::default();
        for ((model, snap), c) in pairs {
            // Rows whose results name no model are not a model named "".
            if *model != Interner::NONE {
                *m.entry(*model).or_default() += c;
            }
            // Past the interner's capacity, per-name counts depend on line
            // order: no snapshot names are listed.
            if *snap != Interner::NONE && !snaps.overflowed() {
                *sn.entry(*snap).or_default() += c;
            }
        }
        segments.push(SegmentMix {
            segment: s as u32,
            completed: n,
            models: top(&m, models),
            snapshots: top(&sn, snaps),
            majority_share: share,
            rotated,
        });
    }
    Snapshots {
        majority: majority.map(|((m, s), n)| Majority {
            model: (m != Interner::NONE).then(|| models.get(m).to_owned()),
            snapshot: (compare_snapshots && s != Interner::NONE).then(|| snaps.get(s).to_owned()),
            share: if completed > 0 {
                n as f64 / completed as f64
            } else {
                0.0
            },
        }),
        distinct_models,
        distinct_snapshots,
        snapshots_compared: compare_snapshots,
        rotated_segments,
        segments,
    }
}

#[cfg(test)]
mod tests;
