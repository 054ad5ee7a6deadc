//! Decoding an `assay:judge@0.2.0` `packed-chunk` into the rows `score-batch`
//! would have received, so a judge's code sees one `Row` type either way, or
//! one at a time into views of those rows that borrow the chunk's text (`view.rs`;
//! observations: `observations.rs`).
//!
//! Invariant: a chunk decodes into exactly `rows` rows, or into one error that
//! names the first word that breaks the layout (`wit/judge-0.2/judge.wit`);
//! never into fewer rows or a row with a field read from the wrong place.

pub mod observations;

use crate::bindings::exports::assay::judge0_2_0::packed_scorer::PackedChunk;
use crate::view::{Pairs, RowView};
use crate::{Row, RowFlags, RowStatus, Usage};

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
    let (cx, words) = layout(chunk)?;
    if rows.len() < words.len() {
        rows.resize_with(words.len(), || Row::completed("", None));
    }
    for (i, (w, row)) in words.iter().zip(rows.iter_mut()).enumerate() {
        cx.view(w).map_err(|e| in_row(i, e))?.fill(row);
    }
    Ok(&rows[..words.len()])
}

/// `f`'s answer for a view of each row of `chunk` (no string copied), in
/// order. Each row is read just before `f` sees it: a chunk that breaks the
/// layout at row `i` is the error, after `f` has seen rows `0..i`. Why not
/// read every row first: a `Vec` of views cost a third of what scoring a
/// bench row costs in the component, and a broken chunk is a host bug whose
/// rows all get the error anyway.
pub fn map_views<'c, T>(chunk: &'c PackedChunk, mut f: impl FnMut(&RowView<'c>) -> T) -> Result<Vec<T>, String> {
    let (cx, words) = layout(chunk)?;
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        out.push(f(&cx.view(w).map_err(|e| in_row(i, e))?));
    }
    Ok(out)
}

// The messages of a broken chunk, out of line: the paths that check a
// good chunk stay short.
#[cold]
fn outside(start: u32, len: u32) -> String {
    format!("span ({start}, {len}) is outside the text or splits a character")
}

#[cold]
fn absent(what: &str) -> String {
    format!("{what} is absent")
}

#[cold]
fn in_row(i: usize, e: String) -> String {
    format!("packed chunk, row {i}: {e}")
}

/// The chunk's text and span table, and its row records: whole records as
/// arrays, so every word index a row is read at is checked at compile
/// time, not once per field per row.
fn layout(chunk: &PackedChunk) -> Result<(Cx<'_>, &[[u32; ROW_WORDS]]), String> {
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
    Ok((Cx { text, spans }, words.as_chunks::<ROW_WORDS>().0))
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

impl<'a> Cx<'a> {
    /// The row at words `w`, its strings borrowed from the chunk's text.
    #[inline]
    fn view(&self, w: &[u32; ROW_WORDS]) -> Result<RowView<'a>, String> {
        let required =
            |i: usize, what: &str| -> Result<&'a str, String> { self.opt(w[i], w[i + 1])?.ok_or_else(|| absent(what)) };
        // Checked in the layout's order: a chunk broken in two places is
        // named by its first break.
        Ok(RowView {
            status: *STATUSES
                .get(w[3] as usize)
                .ok_or_else(|| format!("status {} is not a row-status", w[3]))?,
            flags: flags(w[4])?,
            index: wide_at(w, 0),
            segment: w[2],
            attempt: w[5],
            usage: usage_at(w, 6),
            id: required(16, "id")?,
            provider: required(18, "provider")?,
            model: required(20, "model")?,
            snapshot: self.opt(w[22], w[23])?,
            response: self.opt(w[24], w[25])?,
            finish_reason: self.opt(w[26], w[27])?,
            error_code: self.opt(w[28], w[29])?,
            error_message: self.opt(w[30], w[31])?,
            prompt: self.pairs(w[32], w[33])?,
            metadata: self.pairs(w[34], w[35])?,
        })
    }

    #[inline(always)]
    fn opt(&self, start: u32, len: u32) -> Result<Option<&'a str>, String> {
        if start == NONE {
            return Ok(None);
        }
        self.str(start, len).map(Some)
    }

    #[inline(always)]
    fn str(&self, start: u32, len: u32) -> Result<&'a str, String> {
        let (a, n, t) = (start as usize, len as usize, self.text);
        match a.checked_add(n) {
            // `str::get` does these checks too, but out of line in a
            // component: a call for every string of every row.
            Some(end) if end <= t.len() && t.is_char_boundary(a) && t.is_char_boundary(end) => {
                // SAFETY: `a <= end <= t.len()`, and both are character
                // boundaries of `t`, checked just above.
                Ok(unsafe { t.get_unchecked(a..end) })
            }
            _ => Err(outside(start, len)),
        }
    }

    /// Span-table entries `first .. first + count` (4 words each), every
    /// span in them checked.
    #[inline(always)]
    fn pairs(&self, first: u32, count: u32) -> Result<Pairs<'a>, String> {
        // No entries (a judge that does not need them gets none): nothing
        // to check, and no call in the row's path. An empty list holds no
        // span, so where its `first` points is not read.
        if count == 0 {
            return Ok(Pairs::packed(self.text, &[]));
        }
        self.some_pairs(first, count)
    }

    /// [`Cx::pairs`] of at least one entry.
    fn some_pairs(&self, first: u32, count: u32) -> Result<Pairs<'a>, String> {
        let (a, n) = (first as usize, count as usize);
        let entries = a
            .checked_add(n)
            .and_then(|end| self.spans.get(a.checked_mul(4)?..end.checked_mul(4)?))
            .ok_or_else(|| format!("span entries {first}+{count} are outside the span table"))?;
        for e in entries.chunks_exact(4) {
            self.str(e[0], e[1])?;
            self.str(e[2], e[3])?;
        }
        Ok(Pairs::packed(self.text, entries))
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
