//! The Vertex join key when no id path is given: a hash of the request's
//! canonical JSON.
//!
//! Canonical form: object members whose value is `null` dropped (Vertex's
//! echo of a request adds null placeholders for unset fields, such as
//! `"file_data": null` beside a part's `text`; array items stay, nulls
//! included), object keys sorted by their UTF-8 bytes, no whitespace,
//! strings escaped and numbers written as `serde_json` writes them (so
//! `1.0` stays `1.0` and `1` stays `1`). Hash: 64-bit FNV-1a over those
//! bytes, rendered `req-<16 lowercase hex>`. FNV-1a is written out here so
//! the id is stable across versions, platforms and runs.
//!
//! Invariant: two requests that differ only in key order, whitespace or
//! null-valued members get the same id; identical requests get the same id
//! (and so are duplicates: give them a distinct label and an id path to
//! tell them apart).

use std::io::{self, Write};

use serde_json::Value;

/// FNV-1a 64 as an `io::Write` sink, so `serde_json` can escape into it.
struct Fnv(u64);

impl Fnv {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 = (self.0 ^ u64::from(x)).wrapping_mul(Self::PRIME);
        }
    }
}

impl Write for Fnv {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes the canonical JSON of `v` into `w` (an infallible sink: a
/// `Vec<u8>` or [`Fnv`]).
fn canon<W: Write>(w: &mut W, v: &Value) {
    // Writes into these sinks cannot fail.
    match v {
        Value::Array(items) => {
            let _ = w.write_all(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    let _ = w.write_all(b",");
                }
                canon(w, item);
            }
            let _ = w.write_all(b"]");
        }
        Value::Object(map) => {
            // Google's echo adds `null` placeholders for unset fields
            // (`"file_data": null` in parts): a null member is an absent one.
            let mut entries: Vec<(&String, &Value)> = map.iter().filter(|(_, v)| !v.is_null()).collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            let _ = w.write_all(b"{");
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    let _ = w.write_all(b",");
                }
                let _ = serde_json::to_writer(&mut *w, k);
                let _ = w.write_all(b":");
                canon(w, v);
            }
            let _ = w.write_all(b"}");
        }
        // Scalars: exactly as serde_json writes them.
        scalar => {
            let _ = serde_json::to_writer(&mut *w, scalar);
        }
    }
}

/// The canonical JSON of `v` as a string (for tests and debugging).
#[cfg(test)]
pub(crate) fn canonical_json(v: &Value) -> String {
    let mut out = Vec::new();
    canon(&mut out, v);
    String::from_utf8(out).unwrap_or_default()
}

/// `req-<16 hex>`: the FNV-1a 64 hash of the canonical JSON of `v`.
pub(crate) fn value_hash_id(v: &Value) -> String {
    let mut h = Fnv(Fnv::OFFSET);
    canon(&mut h, v);
    format!("req-{:016x}", h.0)
}

/// The join id of a request given as JSON text (`req-<16 hex>`, see the
/// module docs); `Err` when the text is not JSON.
pub fn request_hash_id(request_json: &str) -> Result<String, serde_json::Error> {
    let v: Value = serde_json::from_str(request_json)?;
    Ok(value_hash_id(&v))
}

/// FNV-1a 64 of raw bytes (for tests of the canonical form).
#[cfg(test)]
pub(crate) fn fnv(bytes: &[u8]) -> u64 {
    let mut h = Fnv(Fnv::OFFSET);
    h.bytes(bytes);
    h.0
}
