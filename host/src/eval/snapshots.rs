//! Snapshot rotation inside a job: which model and serving snapshot
//! (OpenAI `system_fingerprint`) answered each segment, and the segments
//! whose mix differs from the job's majority.
//!
//! Invariant: computed from the final ledger over completed rows in
//! submission order; when snapshot values are too scattered to mean
//! anything (one per request), only models are compared, and it says so.

use std::collections::HashMap;

use crate::report::snapshots::{Majority, SegmentMix, Snapshots};
use assay_batch::{Interner, Ledger, Status};

/// Below this share of completed rows, the job's most common snapshot is
/// noise rather than a serving configuration.
const INFORMATIVE_SHARE: f64 = 0.2;
/// Names listed per segment.
const TOP: usize = 3;

/// The most common names, ties broken by name: interner ids depend on which
/// worker saw a name first, so they must never decide an order.
fn top(counts: &HashMap<u16, u64>, names: &Interner) -> Vec<(String, u64)> {
    let mut v: Vec<(&str, u64)> = counts.iter().map(|(k, n)| (names.get(*k), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().take(TOP).map(|(k, n)| (k.to_owned(), n)).collect()
}

/// The most common (model, snapshot) pair, ties broken by the names.
fn argmax(counts: &HashMap<(u16, u16), u64>, models: &Interner, snaps: &Interner) -> Option<((u16, u16), u64)> {
    let name = |k: &(u16, u16)| (models.get(k.0), snaps.get(k.1));
    counts
        .iter()
        .map(|(k, n)| (*k, *n))
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| name(&b.0).cmp(&name(&a.0))))
}

pub fn snapshots(ledger: &Ledger, rows: usize, segment_size: u32, models: &Interner, snaps: &Interner) -> Snapshots {
    let seg_count = (rows as u64).div_ceil(u64::from(segment_size)) as usize;
    let mut job: HashMap<(u16, u16), u64> = HashMap::new();
    let mut seg_pairs: Vec<HashMap<(u16, u16), u64>> = vec![HashMap::new(); seg_count];
    let mut completed = 0u64;
    for idx in 0..rows as u32 {
        if ledger.status(idx) != Status::Completed {
            continue;
        }
        completed += 1;
        let pair = (ledger.model(idx), ledger.snapshot(idx));
        *job.entry(pair).or_default() += 1;
        *seg_pairs[(idx / segment_size) as usize].entry(pair).or_default() += 1;
    }
    let distinct_models = job.keys().map(|k| k.0).collect::<std::collections::HashSet<_>>().len();
    let distinct_snapshots = job
        .keys()
        .map(|k| k.1)
        .filter(|s| *s != Interner::NONE)
        .collect::<std::collections::HashSet<_>>()
        .len();
    let mut compare_snapshots = true;
    let mut majority = argmax(&job, models, snaps);
    if let Some((_, n)) = majority
        && (n as f64) < INFORMATIVE_SHARE * completed as f64
    {
        compare_snapshots = false;
    }
    // Fold snapshots away when they are noise: compare (model, -) pairs.
    let fold = |m: &HashMap<(u16, u16), u64>| -> HashMap<(u16, u16), u64> {
        let mut out = HashMap::new();
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
        let mut m: HashMap<u16, u64> = HashMap::new();
        let mut sn: HashMap<u16, u64> = HashMap::new();
        for ((model, snap), c) in pairs {
            *m.entry(*model).or_default() += c;
            if *snap != Interner::NONE {
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
            model: models.get(m).to_owned(),
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
