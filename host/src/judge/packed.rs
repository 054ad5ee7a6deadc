//! Packing a chunk of rows into `assay:judge@0.2.0`'s `packed-chunk`: two flat
//! buffers (`words`, `text`) in the layout `wit/v0.2/judge.wit` documents;
//! observations for `packed-aggregator` in `observations.rs`; the inline copy
//! of a short string in `append.rs`.
//!
//! Invariant: the chunk carries exactly the rows `score-batch` would get, field
//! for field, so a judge answers the same through either call; every span lies
//! within `text` on a character boundary (it is a whole `&str`), and a chunk
//! whose text would not fit u32 offsets is refused rather than wrapped.

mod append;
mod observations;

use wasmtime::AsContextMut;
use wasmtime::component::Instance;

use super::bindings::types::{Row, RowFlags, RowStatus, Usage};
use super::bindings::v0_2::{PackedChunk, packed_aggregator, packed_scorer};
use super::load::PackedIndices;
pub use observations::{OBSERVATION_WORDS, ObservationPacker};

/// Words per row, before the span table (`row-words` in the WIT).
pub const ROW_WORDS: usize = 36;

/// `start` of an absent option string.
const NONE: u32 = u32::MAX;

/// The chunk's text does not fit the layout's 32-bit offsets.
#[derive(Debug, thiserror::Error)]
#[error("a chunk's text reached {0} bytes; packed chunks hold under 4 GiB")]
pub struct TooLarge(pub(super) usize);

/// A 0.2 judge's packed calls in one instance, with buffers reused from call
/// to call.
pub struct PackedCalls {
    pub scorer: packed_scorer::Guest,
    pub aggregator: packed_aggregator::Guest,
    pub rows: Packer,
    pub observations: ObservationPacker,
}

impl PackedCalls {
    /// Looks the calls up in `instance`, checking their types.
    pub fn load(indices: &PackedIndices, mut store: impl AsContextMut, instance: &Instance) -> wasmtime::Result<Self> {
        Ok(PackedCalls {
            scorer: indices.scorer.load(&mut store, instance)?,
            aggregator: indices.aggregator.load(&mut store, instance)?,
            rows: Packer::default(),
            observations: ObservationPacker::default(),
        })
    }
}

/// Reusable buffers for packing chunks, one per instance.
#[derive(Default)]
pub struct Packer {
    words: Vec<u32>,
    spans: Vec<u32>,
    text: Vec<u8>,
}

impl Packer {
    /// Packs `rows`; the chunk borrows this packer until it is dropped.
    pub fn pack(&mut self, rows: &[Row<'_>]) -> Result<PackedChunk<'_>, TooLarge> {
        self.words.clear();
        self.spans.clear();
        self.text.clear();
        for row in rows {
            self.row(row)?;
        }
        let n = u32::try_from(rows.len()).map_err(|_| TooLarge(self.text.len()))?;
        self.words.extend_from_slice(&self.spans);
        Ok(PackedChunk {
            rows: n,
            words: &self.words,
            text: &self.text,
        })
    }

    fn row(&mut self, r: &Row<'_>) -> Result<(), TooLarge> {
        self.words.extend_from_slice(&[
            lo(r.index),
            hi(r.index),
            r.segment,
            status_code(r.status),
            flag_bits(r.flags),
            r.attempt,
        ]);
        push_usage(&mut self.words, &r.usage);
        for s in [Some(r.id), Some(r.provider), Some(r.model)] {
            self.string(s)?;
        }
        for s in [r.snapshot, r.response, r.finish_reason, r.error_code, r.error_message] {
            self.string(s)?;
        }
        let prompt = r.prompt.iter().map(|m| (m.role, m.content));
        self.pairs(prompt, r.prompt.len(), rows_spans(&self.spans))?;
        let metadata = r.metadata.iter().copied();
        self.pairs(metadata, r.metadata.len(), rows_spans(&self.spans))?;
        Ok(())
    }

    /// Appends `s` to the text and its (start, length) to the row's words.
    fn string(&mut self, s: Option<&str>) -> Result<(), TooLarge> {
        let (start, len) = match s {
            None => (NONE, 0),
            Some(s) => push_text(&mut self.text, s)?,
        };
        self.words.extend_from_slice(&[start, len]);
        Ok(())
    }

    /// Appends `count` (a, b) string pairs to the span table and (first, count)
    /// to the row's words.
    fn pairs<'s>(
        &mut self,
        pairs: impl Iterator<Item = (&'s str, &'s str)>,
        count: usize,
        first: usize,
    ) -> Result<(), TooLarge> {
        for (a, b) in pairs {
            let (a0, a1) = push_text(&mut self.text, a)?;
            let (b0, b1) = push_text(&mut self.text, b)?;
            self.spans.extend_from_slice(&[a0, a1, b0, b1]);
        }
        let too_large = || TooLarge(self.text.len());
        let first = u32::try_from(first).map_err(|_| too_large())?;
        let count = u32::try_from(count).map_err(|_| too_large())?;
        self.words.extend_from_slice(&[first, count]);
        Ok(())
    }
}

/// Appends the five token counts of `u`, each as (low, high).
fn push_usage(words: &mut Vec<u32>, u: &Usage) {
    let counts = [
        u.input_tokens,
        u.output_tokens,
        u.cached_input_tokens,
        u.cache_write_tokens,
        u.reasoning_tokens,
    ];
    // One append of ten words: this runs for every row and observation.
    words.extend_from_slice(counts.map(|v| [lo(v), hi(v)]).as_flattened());
}

/// Appends `s` to `text`: its (start, length) there.
fn push_text(text: &mut Vec<u8>, s: &str) -> Result<(u32, u32), TooLarge> {
    let start = text.len();
    append::append(text, s.as_bytes());
    let end = text.len();
    // Start must stay below NONE, the absent marker.
    match (u32::try_from(start), u32::try_from(s.len())) {
        (Ok(a), Ok(n)) if a < NONE && u32::try_from(end).is_ok() => Ok((a, n)),
        _ => Err(TooLarge(end)),
    }
}

/// Entries already in the span table: where the next pair goes.
fn rows_spans(spans: &[u32]) -> usize {
    spans.len() / 4
}

fn lo(v: u64) -> u32 {
    v as u32
}

fn hi(v: u64) -> u32 {
    (v >> 32) as u32
}

/// Bit i set for the i-th flag of `row-flags`.
fn flag_bits(f: RowFlags) -> u32 {
    let order = [
        RowFlags::TRUNCATED,
        RowFlags::RETRIED,
        RowFlags::SILENTLY_RETRIED,
        RowFlags::DUPLICATE,
    ];
    order
        .iter()
        .enumerate()
        .filter(|(_, flag)| f.contains(**flag))
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

/// The case's position in `row-status`.
fn status_code(s: RowStatus) -> u32 {
    match s {
        RowStatus::Completed => 0,
        RowStatus::ProviderError => 1,
        RowStatus::ContentFilter => 2,
        RowStatus::Timeout => 3,
        RowStatus::Expired => 4,
        RowStatus::Canceled => 5,
        RowStatus::RetryExhausted => 6,
        RowStatus::Missing => 7,
    }
}

#[cfg(test)]
mod tests;
