//! Decoding an `assay:judge@0.2.0` `packed-chunk` into the rows `score-batch`
//! would have received, so a judge's code sees one `Row` type either way
//! (observations: `observations.rs`).
//!
//! Invariant: a chunk decodes into exactly `rows` rows, or into one error that
//! names the first word that breaks the layout (`wit/judge-0.2/judge.wit`);
//! never into fewer rows or a row with a field read from the wrong place.

pub mod observations;

use crate::bindings::exports::assay::judge0_2_0::packed_scorer::PackedChunk;
use crate::{Message, Row, RowFlags, RowStatus, Usage};

/// Words per row, before the span table.
const ROW_WORDS: usize = 36;

/// `start` of an absent option string.
const NONE: u32 = u32::MAX;

const STATUSES: [RowStatus; 8] = [
    RowStatus::Completed,
    RowStatus::ProviderError,
    RowStatus::ContentFilter,
    RowStatus::Timeout,
    RowStatus::Expired,
    RowStatus::Canceled,
    RowStatus::RetryExhausted,
    RowStatus::Missing,
];

/// Decodes `chunk` into the first rows of `rows`, reusing the rows and
/// strings already there: after the first chunks, decoding allocates
/// nothing. `rows` never shrinks (a shorter chunk would otherwise free rows
/// the next longer one allocates again). On success the returned slice is
/// exactly the chunk's rows, in order; on error the contents are unspecified.
pub fn decode_into<'r>(chunk: &PackedChunk, rows: &'r mut Vec<Row>) -> Result<&'r [Row], String> {
    let text = text(&chunk.text)?;
    let n = chunk.rows as usize;
    let head = n
        .checked_mul(ROW_WORDS)
        .filter(|&h| h <= chunk.words.len())
        .ok_or_else(|| {
            format!(
                "packed chunk: {n} rows need {ROW_WORDS} words each, got {}",
                chunk.words.len()
            )
        })?;
    let (words, spans) = chunk.words.split_at(head);
    if spans.len() % 4 != 0 {
        return Err(format!(
            "packed chunk: the span table has {} words, not a multiple of 4",
            spans.len()
        ));
    }
    let cx = Cx { text, spans };
    if rows.len() < n {
        rows.resize_with(n, || Row::completed("", None));
    }
    // Whole records as arrays: every word index below is then checked at
    // compile time, not once per field per row.
    for (i, (w, row)) in words.as_chunks::<ROW_WORDS>().0.iter().zip(rows.iter_mut()).enumerate() {
        cx.fill(row, w).map_err(|e| format!("packed chunk, row {i}: {e}"))?;
    }
    Ok(&rows[..n])
}

/// The rows of `chunk`, in order, into fresh rows.
#[cfg(test)]
fn decode(chunk: &PackedChunk) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    let n = decode_into(chunk, &mut rows)?.len();
    rows.truncate(n);
    Ok(rows)
}

/// The chunk's text as `str`. The host builds it from `str`s only, as it
/// builds every string it lowers into a guest; like wit-bindgen's own string
/// lifting, a debug build checks that and a release build trusts it, since
/// checking costs a pass over every byte of every row (the largest part of
/// decoding). Spans are still checked for bounds and character boundaries.
fn text(bytes: &[u8]) -> Result<&str, String> {
    if cfg!(debug_assertions) {
        return std::str::from_utf8(bytes).map_err(|e| format!("packed chunk: text is not UTF-8: {e}"));
    }
    // SAFETY: `packed-chunk.text` is UTF-8 by the interface's contract
    // (`wit/judge-0.2/judge.wit`), which the host keeps by writing only the
    // bytes of `str`s; the canonical ABI's own string lifting relies on the
    // same host guarantee.
    Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
}

struct Cx<'a> {
    text: &'a str,
    spans: &'a [u32],
}

impl Cx<'_> {
    /// Overwrites every field of `row` with the row at words `w`.
    fn fill(&self, row: &mut Row, w: &[u32; ROW_WORDS]) -> Result<(), String> {
        let wide = |i: usize| wide_at(w, i);
        row.status = *STATUSES
            .get(w[3] as usize)
            .ok_or_else(|| format!("status {} is not a row-status", w[3]))?;
        row.flags = flags(w[4])?;
        row.index = wide(0);
        row.segment = w[2];
        row.attempt = w[5];
        row.usage = usage_at(w, 6);
        for (slot, i, what) in [
            (&mut row.id, 16, "id"),
            (&mut row.provider, 18, "provider"),
            (&mut row.model, 20, "model"),
        ] {
            let s = self.opt(w[i], w[i + 1])?.ok_or_else(|| format!("{what} is absent"))?;
            set(slot, s);
        }
        for (slot, i) in [
            (&mut row.snapshot, 22),
            (&mut row.response, 24),
            (&mut row.finish_reason, 26),
            (&mut row.error_code, 28),
            (&mut row.error_message, 30),
        ] {
            set_opt(slot, self.opt(w[i], w[i + 1])?);
        }
        let prompt = self.pairs(w[32], w[33])?;
        row.prompt.truncate(prompt.len() / 4);
        for (i, (role, content)) in self.strings(prompt).enumerate() {
            let (role, content) = (role?, content?);
            match row.prompt.get_mut(i) {
                Some(m) => {
                    set(&mut m.role, role);
                    set(&mut m.content, content);
                }
                None => row.prompt.push(Message {
                    role: role.to_owned(),
                    content: content.to_owned(),
                }),
            }
        }
        let metadata = self.pairs(w[34], w[35])?;
        row.metadata.truncate(metadata.len() / 4);
        for (i, (key, value)) in self.strings(metadata).enumerate() {
            let (key, value) = (key?, value?);
            match row.metadata.get_mut(i) {
                Some((k, v)) => {
                    set(k, key);
                    set(v, value);
                }
                None => row.metadata.push((key.to_owned(), value.to_owned())),
            }
        }
        Ok(())
    }

    fn opt(&self, start: u32, len: u32) -> Result<Option<&str>, String> {
        if start == NONE {
            return Ok(None);
        }
        self.str(start, len).map(Some)
    }

    fn str(&self, start: u32, len: u32) -> Result<&str, String> {
        let (a, n) = (start as usize, len as usize);
        a.checked_add(n)
            .and_then(|end| self.text.get(a..end))
            .ok_or_else(|| format!("span ({start}, {len}) is outside the text or splits a character"))
    }

    /// Span-table entries `first .. first + count`, 4 words each.
    fn pairs(&self, first: u32, count: u32) -> Result<&[u32], String> {
        let (a, n) = (first as usize, count as usize);
        a.checked_add(n)
            .and_then(|end| self.spans.get(a.checked_mul(4)?..end.checked_mul(4)?))
            .ok_or_else(|| format!("span entries {first}+{count} are outside the span table"))
    }

    /// The string pairs of span-table `entries`.
    #[allow(clippy::type_complexity)]
    fn strings<'s>(
        &'s self,
        entries: &'s [u32],
    ) -> impl Iterator<Item = (Result<&'s str, String>, Result<&'s str, String>)> + 's {
        entries
            .chunks_exact(4)
            .map(|e| (self.str(e[0], e[1]), self.str(e[2], e[3])))
    }
}

fn set(slot: &mut String, s: &str) {
    slot.clear();
    slot.push_str(s);
}

fn set_opt(slot: &mut Option<String>, s: Option<&str>) {
    match (slot.as_mut(), s) {
        (Some(buf), Some(s)) => set(buf, s),
        (_, s) => *slot = s.map(str::to_owned),
    }
}

/// The u64 at words `i` (low), `i + 1` (high).
#[inline]
fn wide_at(w: &[u32], i: usize) -> u64 {
    u64::from(w[i]) | u64::from(w[i + 1]) << 32
}

/// The five token counts from word `i` on, each as (low, high).
#[inline]
fn usage_at(w: &[u32], i: usize) -> Usage {
    Usage {
        input_tokens: wide_at(w, i),
        output_tokens: wide_at(w, i + 2),
        cached_input_tokens: wide_at(w, i + 4),
        cache_write_tokens: wide_at(w, i + 6),
        reasoning_tokens: wide_at(w, i + 8),
    }
}

fn flags(bits: u32) -> Result<RowFlags, String> {
    const ORDER: [RowFlags; 4] = [
        RowFlags::TRUNCATED,
        RowFlags::RETRIED,
        RowFlags::SILENTLY_RETRIED,
        RowFlags::DUPLICATE,
    ];
    if bits >> ORDER.len() != 0 {
        return Err(format!("flags {bits:#x} set a bit past row-flags"));
    }
    Ok(ORDER
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .fold(RowFlags::empty(), |f, (_, flag)| f | *flag))
}

#[cfg(test)]
mod tests;
