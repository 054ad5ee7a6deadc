//! The byte form of one block's committed results: for each row the block
//! settled and scored, its index and one result per scoring judge, deflated
//! (fewer database pages to write per block).
//!
//! Invariant: `decode(encode(x)) == x` for every result the host can
//! produce; bytes that do not decode (a torn or foreign blob, trailing
//! bytes, more than [`MAX_RAW`] inflated) are an error, never a partial or
//! guessed result.

use std::io::{Read, Write};

use crate::judge::{Failure, FailureKind, RowResult, Verdict};

/// The judge-error kinds, by their index in the byte form.
const JUDGE_ERROR_KINDS: [&str; 4] = ["invalid_input", "unsupported", "config", "failed"];
const VERSION: u8 = 1;
/// The most bytes a blob inflates to before it is refused.
pub const MAX_RAW: u64 = 64 << 20;

/// One block's rows: (row index, one result per scoring judge).
pub type BlockRows = Vec<(u32, Vec<RowResult>)>;

fn put_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// Writes one block's rows as they are applied, without copying them.
pub struct Encoder {
    out: Vec<u8>,
    rows: u32,
    first: Option<u32>,
}

impl Encoder {
    /// For rows of one result per each of `judges` scoring judges.
    pub fn new(judges: usize) -> Encoder {
        let mut out = vec![VERSION];
        out.extend_from_slice(&(judges as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        Encoder {
            out,
            rows: 0,
            first: None,
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
        out.extend_from_slice(&idx.to_le_bytes());
        for r in results {
            match r {
                RowResult::Verdict(v) => {
                    out.push(0);
                    out.push(u8::from(v.passed));
                    match v.score {
                        None => out.push(0),
                        Some(s) => {
                            out.push(1);
                            out.extend_from_slice(&s.to_le_bytes());
                        }
                    }
                    put_str(out, v.label.as_deref());
                    put_str(out, v.details.as_deref());
                }
                RowResult::JudgeError { kind, message } => {
                    out.push(1);
                    out.push(JUDGE_ERROR_KINDS.iter().position(|k| k == kind).unwrap_or(3) as u8);
                    put_str(out, Some(message));
                }
                RowResult::Failed(f) => {
                    out.push(2);
                    out.push(FailureKind::ALL.iter().position(|k| *k == f.kind).unwrap_or(0) as u8);
                    put_str(out, Some(&f.message));
                }
            }
        }
    }

    /// The bytes, deflated.
    pub fn finish(mut self) -> Vec<u8> {
        self.out[5..9].copy_from_slice(&self.rows.to_le_bytes());
        let mut z =
            flate2::write::DeflateEncoder::new(Vec::with_capacity(self.out.len() / 4), flate2::Compression::fast());
        // Writing into a Vec cannot fail (an empty blob would not decode).
        z.write_all(&self.out).and_then(|()| z.finish()).unwrap_or_default()
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
    fn str(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => {
                let n = self.u32()? as usize;
                Some(Some(String::from_utf8(self.take(n)?.to_vec()).ok()?))
            }
            _ => None,
        }
    }
    fn result(&mut self) -> Option<RowResult> {
        Some(match self.u8()? {
            0 => {
                let passed = self.u8()? != 0;
                let score = match self.u8()? {
                    0 => None,
                    1 => Some(self.f64()?),
                    _ => return None,
                };
                let label = self.str()?;
                let details = self.str()?;
                RowResult::Verdict(Verdict {
                    score,
                    label,
                    passed,
                    details,
                })
            }
            1 => RowResult::JudgeError {
                kind: JUDGE_ERROR_KINDS.get(usize::from(self.u8()?)).copied()?,
                message: self.str()??,
            },
            2 => RowResult::Failed(Failure::new(
                FailureKind::ALL.get(usize::from(self.u8()?)).copied()?,
                self.str()??,
            )),
            _ => return None,
        })
    }
}

/// The rows of a blob written for `judges` scoring judges; `None` when the
/// bytes are not such a blob.
pub fn decode(bytes: &[u8], judges: usize) -> Option<BlockRows> {
    let mut z = flate2::read::DeflateDecoder::new(bytes);
    let mut raw = Vec::new();
    (&mut z).take(MAX_RAW + 1).read_to_end(&mut raw).ok()?;
    if raw.len() as u64 > MAX_RAW || z.total_in() != bytes.len() as u64 {
        return None;
    }
    let mut r = Reader { b: &raw };
    if r.u8()? != VERSION || r.u32()? as usize != judges {
        return None;
    }
    let n = r.u32()? as usize;
    let mut rows = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let idx = r.u32()?;
        let results = (0..judges).map(|_| r.result()).collect::<Option<Vec<_>>>()?;
        rows.push((idx, results));
    }
    r.b.is_empty().then_some(rows)
}
