//! Decoding an `assay:judge@0.2.0` `packed-observations` batch into the
//! `Observation`s `observe` would have received, one at a time.
//!
//! Invariant: every observation is checked against the layout
//! (`wit/judge-0.2/judge.wit`) before the judge sees it; a batch that breaks
//! it ends the call with one error naming the first bad observation and word
//! (an `observe` error fails the judge's aggregation, so the observations
//! before it never reach a report).

use super::{NONE, STATUSES, flags, text, usage_at, wide_at};
use crate::bindings::exports::assay::judge0_2_0::packed_aggregator::PackedObservations;
use crate::{Observation, RowFlags, RowStatus, SlimVerdict, Usage};

/// Words per observation.
const OBSERVATION_WORDS: usize = 38;

/// Calls `f` with each observation of `batch`, in order, reusing one
/// `Observation` (and its label's buffer) throughout.
pub fn for_each(batch: &PackedObservations, mut f: impl FnMut(&Observation)) -> Result<(), String> {
    let text = text(&batch.text)?;
    let n = batch.count as usize;
    let words = n
        .checked_mul(OBSERVATION_WORDS)
        .filter(|&w| w == batch.words.len())
        .ok_or_else(|| {
            format!(
                "packed observations: {n} observations need {OBSERVATION_WORDS} words each, got {}",
                batch.words.len()
            )
        })?;
    let mut obs = blank();
    // Whole records as arrays, so the word indices in `fill` need no checks.
    for (i, w) in batch.words[..words]
        .as_chunks::<OBSERVATION_WORDS>()
        .0
        .iter()
        .enumerate()
    {
        fill(&mut obs, w, text).map_err(|e| format!("packed observations, observation {i}: {e}"))?;
        f(&obs);
    }
    Ok(())
}

fn blank() -> Observation {
    let zero = Usage {
        input_tokens: 0,
        output_tokens: 0,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
    };
    Observation {
        index: 0,
        segment: 0,
        status: RowStatus::Completed,
        flags: RowFlags::empty(),
        model: 0,
        snapshot: None,
        attempt: 0,
        usage: zero,
        retry_usage: zero,
        verdict: None,
        validated: None,
    }
}

fn fill(o: &mut Observation, w: &[u32; OBSERVATION_WORDS], text: &str) -> Result<(), String> {
    let wide = |i: usize| wide_at(w, i);
    o.index = wide(0);
    o.segment = w[2];
    o.status = *STATUSES
        .get(w[3] as usize)
        .ok_or_else(|| format!("status {} is not a row-status", w[3]))?;
    o.flags = flags(w[4])?;
    o.model = w[5];
    o.snapshot = match w[6] {
        0 => None,
        1 => Some(w[7]),
        b => return Err(format!("word 6 is {b}, not 0 or 1")),
    };
    o.attempt = w[8];
    o.usage = usage_at(w, 9);
    o.retry_usage = usage_at(w, 19);
    match w[29] {
        0 => o.verdict = None,
        1 => {
            let score = match w[30] {
                0 => None,
                1 => Some(f64::from_bits(wide(31))),
                b => return Err(format!("word 30 is {b}, not 0 or 1")),
            };
            let label = match w[33] {
                NONE => None,
                start => {
                    let (a, n) = (start as usize, w[34] as usize);
                    let s = a.checked_add(n).and_then(|end| text.get(a..end)).ok_or_else(|| {
                        format!("label span ({start}, {n}) is outside the text or splits a character")
                    })?;
                    Some(s)
                }
            };
            let passed = match w[35] {
                0 => false,
                1 => true,
                b => return Err(format!("word 35 is {b}, not 0 or 1")),
            };
            let v = o.verdict.get_or_insert(SlimVerdict {
                score: None,
                label: None,
                passed: false,
            });
            v.score = score;
            v.passed = passed;
            match (v.label.as_mut(), label) {
                (Some(buf), Some(s)) => {
                    buf.clear();
                    buf.push_str(s);
                }
                (_, s) => v.label = s.map(str::to_owned),
            }
        }
        b => return Err(format!("word 29 is {b}, not 0 or 1")),
    }
    o.validated = match w[36] {
        0 => None,
        1 => Some(false),
        2 => Some(true),
        b => return Err(format!("word 36 is {b}, not 0, 1 or 2")),
    };
    Ok(())
}
