//! Packing a chunk of rows into `assay:judge@0.2.0`'s `packed-chunk`: two flat
//! buffers (`words`, `text`) in the layout `wit/v0.2/judge.wit` documents;
//! observations for `packed-aggregator` in `observations.rs`; the inline copy
//! of a short string in `append.rs`.
//!
//! Invariant: the chunk carries exactly the rows `score-batch` would get, field
//! for field, so a judge answers the same through either call; every span lies
//! within `text` on a character boundary (it is a whole `&str`), and a chunk
//! whose text would not fit u32 offsets is refused: its spans, cut to 32 bits
//! as they are written, never reach a guest.

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

    /// One row's words, written in place: each string's span is a plain
    /// value, and the text's size is checked once per row. Why: a span
    /// handed back as a `Result` through memory (two 4-byte stores, one
    /// 8-byte load) stalled on store forwarding, once per string of every
    /// row; and a row built on the stack and appended whole was a call to
    /// `memcpy`.
    fn row(&mut self, r: &Row<'_>) -> Result<(), TooLarge> {
        let w = place::<ROW_WORDS>(&mut self.words);
        w[..6].copy_from_slice(&[
            lo(r.index),
            hi(r.index),
            r.segment,
            status_code(r.status),
            flag_bits(r.flags),
            r.attempt,
        ]);
        w[6..16].copy_from_slice(&usage_words(&r.usage));
        let strings = [
            Some(r.id),
            Some(r.provider),
            Some(r.model),
            r.snapshot,
            r.response,
            r.finish_reason,
            r.error_code,
            r.error_message,
        ];
        for (span, s) in w[16..32].as_chunks_mut::<2>().0.iter_mut().zip(strings) {
            *span = s.map_or([NONE, 0], |s| span_of(&mut self.text, s));
        }
        let prompt = r.prompt.iter().map(|m| (m.role, m.content));
        w[32..34].copy_from_slice(&pairs(&mut self.text, &mut self.spans, prompt, r.prompt.len()));
        let metadata = r.metadata.iter().copied();
        w[34..36].copy_from_slice(&pairs(&mut self.text, &mut self.spans, metadata, r.metadata.len()));
        fits(self.text.len())?;
        u32::try_from(self.spans.len()).map_err(|_| TooLarge(self.text.len()))?;
        Ok(())
    }
}

/// Appends `N` zero words to `words`: those words, to be written in place.
fn place<const N: usize>(words: &mut Vec<u32>) -> &mut [u32; N] {
    let at = words.len();
    words.resize(at + N, 0);
    words.last_chunk_mut::<N>().expect("N words were just appended")
}

/// Appends `count` (a, b) string pairs to the span table `spans`: (first,
/// count) there. Sizes are checked by the caller, [`Packer::row`].
fn pairs<'s>(
    text: &mut Vec<u8>,
    spans: &mut Vec<u32>,
    pairs: impl Iterator<Item = (&'s str, &'s str)>,
    count: usize,
) -> [u32; 2] {
    let first = spans.len() / 4;
    for (a, b) in pairs {
        let [a0, a1] = span_of(text, a);
        let [b0, b1] = span_of(text, b);
        spans.extend_from_slice(&[a0, a1, b0, b1]);
    }
    [first as u32, count as u32]
}

/// The five token counts of `u`, each as (low, high).
fn usage_words(u: &Usage) -> [u32; 10] {
    let counts = [
        u.input_tokens,
        u.output_tokens,
        u.cached_input_tokens,
        u.cache_write_tokens,
        u.reasoning_tokens,
    ];
    let mut w = [0u32; 10];
    for (pair, v) in w.as_chunks_mut::<2>().0.iter_mut().zip(counts) {
        *pair = [lo(v), hi(v)];
    }
    w
}

/// Appends `s` to `text`: its (start, length) there, as u32s. They are cut
/// to 32 bits without a check, and [`fits`], called before the words are
/// used, refuses a text that grew past what they can hold.
#[inline(always)]
fn span_of(text: &mut Vec<u8>, s: &str) -> [u32; 2] {
    let start = text.len();
    append::append(text, s.as_bytes());
    [start as u32, s.len() as u32]
}

/// Whether every span of a text of `len` bytes is exact in u32s, with
/// every start below [`NONE`], the absent marker: `len` itself is.
fn fits(len: usize) -> Result<(), TooLarge> {
    match u32::try_from(len) {
        Ok(n) if n < NONE => Ok(()),
        _ => Err(TooLarge(len)),
    }
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
