//! The byte form of one block's committed results: for each row the block
//! settled and scored, its index and one result per scoring judge; deflated
//! when the rows carry text (fewer database pages to write per block).
//!
//! Invariant: `decode(encode(x)) == x` for every result the host can
//! produce; bytes that do not decode (a torn or foreign blob, trailing
//! bytes, more than [`MAX_RAW`] inflated) are an error, never a partial or
//! guessed result.

use std::io::{Read, Write};

use crate::judge::{Failure, FailureKind, RowResult, Verdict};

/// The judge-error kinds, by their index in the byte form.
const JUDGE_ERROR_KINDS: [&str; 4] = ["invalid_input", "unsupported", "config", "failed"];
/// Version 2: a row's index as its distance from the one expected after
/// the previous row, and each verdict in one head byte when it has no
/// score other than 0 or 1 and no text (what most judges give). Why: at 1M
/// rows with one scoring judge version 1 wrote 18 bytes a row, and the
/// checkpoint, mostly deflating them, cost ~6% of the run's wall time;
/// version 2 writes 2. A version 1 blob (a run started by an older assay)
/// does not decode, which costs scoring its block again.
const VERSION: u8 = 2;
/// A blob's first byte: the bytes follow as written, or deflated.
const STORED: u8 = 0;
const DEFLATED: u8 = 1;
/// Where the header's row count sits: after the form, the version and the
/// judge count.
const ROWS_AT: usize = 6;
/// Blocks of at most this many bytes a row are stored as written. Why:
/// rows of plain verdicts take a few bytes each, which deflating would
/// shrink at a CPU cost (at 1M rows, ~1% of the run) far above that of
/// writing them; rows carrying text (labels, details, messages) are
/// deflated, keeping the state database small.
const STORE_UP_TO_PER_ROW: usize = 24;
/// The most bytes a blob holds, or inflates to, before it is refused.
pub const MAX_RAW: u64 = 64 << 20;

/// The low two bits of a result's head byte: which kind it is.
const VERDICT: u8 = 0;
const JUDGE_ERROR: u8 = 1;
const FAILED: u8 = 2;
/// A verdict's head byte: passed, how its score is written, which texts follow.
const PASSED: u8 = 1 << 2;
const SCORE_SHIFT: u8 = 3;
const SCORE_NONE: u8 = 0;
const SCORE_ZERO: u8 = 1;
const SCORE_ONE: u8 = 2;
const SCORE_F64: u8 = 3;
const LABEL: u8 = 1 << 5;
const DETAILS: u8 = 1 << 6;

/// One block's rows: (row index, one result per scoring judge).
pub type BlockRows = Vec<(u32, Vec<RowResult>)>;

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// How a score is written: 0 and 1 (exactly, sign included) in the head byte.
fn score_form(score: Option<f64>) -> u8 {
    match score.map(f64::to_bits) {
        None => SCORE_NONE,
        Some(b) if b == 0f64.to_bits() => SCORE_ZERO,
        Some(b) if b == 1f64.to_bits() => SCORE_ONE,
        Some(_) => SCORE_F64,
    }
}

/// Writes one block's rows as they are applied, without copying them.
pub struct Encoder {
    out: Vec<u8>,
    rows: u32,
    first: Option<u32>,
    /// The index a row after the last one written would most likely have.
    next: u32,
}

impl Encoder {
    /// For rows of one result per each of `judges` scoring judges.
    pub fn new(judges: usize) -> Encoder {
        let mut out = vec![STORED, VERSION];
        out.extend_from_slice(&(judges as u32).to_le_bytes());
        debug_assert_eq!(out.len(), ROWS_AT);
        // The row count, filled in by `finish`.
        out.extend_from_slice(&0u32.to_le_bytes());
        Encoder {
            out,
            rows: 0,
            first: None,
            next: 0,
        }
    }

    /// The first row written, if any.
    pub fn first(&self) -> Option<u32> {
        self.first
    }

    /// Writes row `idx` with its results, one per scoring judge, in order.
    pub fn row<'r>(&mut self, idx: u32, results: impl Iterator<Item = &'r RowResult>) {
        let out = &mut self.out;
        self.first.get_or_insert(idx);
        self.rows += 1;
        // Zigzag: 0, -1, 1, -2 … as 0, 1, 2, 3 …
        let d = i64::from(idx) - i64::from(self.next);
        put_varint(out, ((d << 1) ^ (d >> 63)) as u64);
        self.next = idx.wrapping_add(1);
        for r in results {
            match r {
                RowResult::Verdict(v) => {
                    let form = score_form(v.score);
                    out.push(
                        VERDICT
                            | if v.passed { PASSED } else { 0 }
                            | form << SCORE_SHIFT
                            | if v.label.is_some() { LABEL } else { 0 }
                            | if v.details.is_some() { DETAILS } else { 0 },
                    );
                    if let (SCORE_F64, Some(s)) = (form, v.score) {
                        out.extend_from_slice(&s.to_le_bytes());
                    }
                    if let Some(l) = &v.label {
                        put_str(out, l);
                    }
                    if let Some(d) = &v.details {
                        put_str(out, d);
                    }
                }
                RowResult::JudgeError { kind, message } => {
                    out.push(JUDGE_ERROR);
                    out.push(JUDGE_ERROR_KINDS.iter().position(|k| k == kind).unwrap_or(3) as u8);
                    put_str(out, message);
                }
                RowResult::Failed(f) => {
                    out.push(FAILED);
                    out.push(FailureKind::ALL.iter().position(|k| *k == f.kind).unwrap_or(0) as u8);
                    put_str(out, &f.message);
                }
            }
        }
    }

    /// The bytes written so far, before deflating (tests).
    #[cfg(test)]
    pub fn raw_len(&self) -> usize {
        self.out.len()
    }

    /// The blob: the bytes as written, or deflated when the rows carry text
    /// ([`STORE_UP_TO_PER_ROW`]).
    pub fn finish(mut self) -> Vec<u8> {
        self.out[ROWS_AT..ROWS_AT + 4].copy_from_slice(&self.rows.to_le_bytes());
        if self.out.len() <= STORE_UP_TO_PER_ROW * (self.rows as usize).max(1) {
            return self.out;
        }
        let mut z = flate2::write::DeflateEncoder::new(vec![DEFLATED], flate2::Compression::fast());
        // Writing into a Vec cannot fail (an empty blob would not decode).
        z.write_all(&self.out[1..])
            .and_then(|()| z.finish())
            .unwrap_or_default()
    }
}

/// The bytes of `rows` (each with one result per each of `judges` judges).
#[cfg(test)]
pub fn encode(rows: &BlockRows, judges: usize) -> Vec<u8> {
    let mut e = Encoder::new(judges);
    for (idx, results) in rows {
        e.row(*idx, results.iter());
    }
    e.finish()
}

struct Reader<'a> {
    b: &'a [u8],
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.b.len() < n {
            return None;
        }
        let (head, rest) = self.b.split_at(n);
        self.b = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes)
    }
    fn f64(&mut self) -> Option<f64> {
        self.take(8).and_then(|b| b.try_into().ok()).map(f64::from_le_bytes)
    }
    /// A varint of at most ten bytes whose value fits 64 bits.
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            let part = u64::from(b & 0x7f);
            if shift == 63 && part > 1 {
                return None;
            }
            v |= part << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    fn str(&mut self) -> Option<String> {
        let n = usize::try_from(self.varint()?).ok()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
    /// The row index after `next`, the one expected.
    fn index(&mut self, next: u32) -> Option<u32> {
        let z = self.varint()?;
        let d = (z >> 1) as i64 ^ -((z & 1) as i64);
        u32::try_from(i64::from(next).checked_add(d)?).ok()
    }
    fn result(&mut self) -> Option<RowResult> {
        let head = self.u8()?;
        Some(match head & 3 {
            VERDICT => {
                if head & 0x80 != 0 {
                    return None;
                }
                let score = match (head >> SCORE_SHIFT) & 3 {
                    SCORE_NONE => None,
                    SCORE_ZERO => Some(0.0),
                    SCORE_ONE => Some(1.0),
                    _ => Some(self.f64()?),
                };
                let label = if head & LABEL != 0 { Some(self.str()?) } else { None };
                let details = if head & DETAILS != 0 { Some(self.str()?) } else { None };
                RowResult::Verdict(Verdict {
                    score,
                    label,
                    passed: head & PASSED != 0,
                    details,
                })
            }
            _ if head > FAILED => return None,
            JUDGE_ERROR => RowResult::JudgeError {
                kind: JUDGE_ERROR_KINDS.get(usize::from(self.u8()?)).copied()?,
                message: self.str()?,
            },
            _ => RowResult::Failed(Failure::new(
                FailureKind::ALL.get(usize::from(self.u8()?)).copied()?,
                self.str()?,
            )),
        })
    }
}

/// The rows of a blob written for `judges` scoring judges; `None` when the
/// bytes are not such a blob.
pub fn decode(bytes: &[u8], judges: usize) -> Option<BlockRows> {
    let (&form, body) = bytes.split_first()?;
    let mut inflated = Vec::new();
    let raw = match form {
        STORED if body.len() as u64 <= MAX_RAW => body,
        DEFLATED => {
            let mut z = flate2::read::DeflateDecoder::new(body);
            (&mut z).take(MAX_RAW + 1).read_to_end(&mut inflated).ok()?;
            if inflated.len() as u64 > MAX_RAW || z.total_in() != body.len() as u64 {
                return None;
            }
            &inflated[..]
        }
        _ => return None,
    };
    let mut r = Reader { b: raw };
    if r.u8()? != VERSION || r.u32()? as usize != judges {
        return None;
    }
    let n = r.u32()? as usize;
    let mut rows = Vec::with_capacity(n.min(1 << 16));
    let mut next = 0u32;
    for _ in 0..n {
        let idx = r.index(next)?;
        next = idx.wrapping_add(1);
        let results = (0..judges).map(|_| r.result()).collect::<Option<Vec<_>>>()?;
        rows.push((idx, results));
    }
    r.b.is_empty().then_some(rows)
}
