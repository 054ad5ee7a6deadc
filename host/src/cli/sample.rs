//! The seeded, segment-stratified sample of a batch input that `canary` and
//! `drift-audit` send through the sync API.
//!
//! Invariant: the sample depends only on the input's bytes, the quota, the
//! seed, the segment size and which rows are eligible; within a segment the
//! rows taken are those with the lowest seeded hash of their custom id, and
//! they come back in input order.

use std::path::Path;

use anyhow::Result;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::exit;
use super::job_ctx::fail;

/// How many rows to take.
pub enum Quota<'a> {
    /// `--sample`: a percentage (`2%`), a fraction (`0.02`) or a row count,
    /// from every segment alike, at least one row per segment.
    PerSegment(&'a str),
    /// This many rows in all, shared among the segments in proportion to
    /// their eligible rows (largest remainders first, then segment order).
    Total(u64),
}

/// How many of a segment's `n` rows `spec` asks for (at least one).
pub fn per_segment(spec: &str, n: usize) -> Result<usize> {
    let bad = || {
        fail(
            exit::USAGE,
            format!("--sample {spec:?}: expected 2%, 0.02 or a row count"),
        )
    };
    let frac = if let Some(p) = spec.strip_suffix('%') {
        p.trim().parse::<f64>().map_err(|_| bad())? / 100.0
    } else if spec.contains('.') {
        spec.parse::<f64>().map_err(|_| bad())?
    } else {
        return Ok(spec.parse::<usize>().map_err(|_| bad())?.clamp(1, n.max(1)));
    };
    if !(frac > 0.0 && frac <= 1.0) {
        return Err(bad());
    }
    Ok(((n as f64 * frac).ceil() as usize).clamp(1, n.max(1)))
}

/// `total` rows shared among segments of `sizes` eligible rows.
fn shares(total: u64, sizes: &[usize]) -> Vec<usize> {
    let all: usize = sizes.iter().sum();
    let total = (total as usize).min(all);
    if all == 0 {
        return vec![0; sizes.len()];
    }
    let mut out: Vec<usize> = sizes.iter().map(|s| total * s / all).collect();
    let mut rest: Vec<(usize, usize)> = sizes.iter().enumerate().map(|(i, s)| (total * s % all, i)).collect();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let left = total - out.iter().sum::<usize>();
    for (_, i) in rest.into_iter().take(left) {
        out[i] += 1;
    }
    out
}

fn rank(seed: u64, id: &str) -> [u8; 32] {
    Sha256::digest(format!("{seed}\n{id}")).into()
}

/// The sampled input lines as (custom id, line), in input order. Segments
/// are `segment_size` input rows; only rows for which `eligible(id)` holds
/// may be taken.
pub fn rows(
    input: &Path,
    seed: u64,
    segment_size: u32,
    quota: Quota,
    eligible: impl Fn(&str) -> bool,
) -> Result<Vec<(String, Value)>> {
    let text = std::fs::read_to_string(input).map_err(|e| fail(exit::INPUT, format!("{}: {e}", input.display())))?;
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)
            .map_err(|e| fail(exit::INPUT, format!("{}:{}: not JSON: {e}", input.display(), n + 1)))?;
        let id = v
            .get("custom_id")
            .and_then(Value::as_str)
            .ok_or_else(|| fail(exit::INPUT, format!("{}:{}: no custom_id", input.display(), n + 1)))?
            .to_owned();
        rows.push((id, v));
    }
    let segments: Vec<Vec<&(String, Value)>> = rows
        .chunks(segment_size as usize)
        .map(|seg| seg.iter().filter(|r| eligible(&r.0)).collect())
        .collect();
    let takes: Vec<usize> = match quota {
        Quota::PerSegment(spec) => segments
            .iter()
            .map(|seg| per_segment(spec, seg.len()).map(|k| k.min(seg.len())))
            .collect::<Result<_>>()?,
        Quota::Total(n) => shares(n, &segments.iter().map(Vec::len).collect::<Vec<_>>()),
    };
    let mut picked = Vec::new();
    for (seg, k) in segments.iter().zip(takes) {
        let mut order: Vec<usize> = (0..seg.len()).collect();
        order.sort_by_key(|i| rank(seed, &seg[*i].0));
        let mut take: Vec<usize> = order.into_iter().take(k).collect();
        take.sort_unstable();
        picked.extend(take.into_iter().map(|i| seg[i].clone()));
    }
    Ok(picked)
}

#[cfg(test)]
mod tests;
