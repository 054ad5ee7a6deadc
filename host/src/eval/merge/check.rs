//! Checking that a set of partials is exactly shards `0..N` of one run.
//!
//! Invariant: `check` passes only when every partial has the first one's N,
//! fingerprint and run settings, and each shard index in `0..N` appears
//! exactly once; otherwise the error names the file and what differs.

use super::MergeError;
use crate::eval::partial::read::Reader;

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
