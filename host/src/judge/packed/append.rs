//! Appending a short byte string without a call to the C library's `memcpy`.
//!
//! Invariant: [`append`] leaves `out` exactly as `extend_from_slice` would.
//! A row's strings are mostly short (an id, a model, a snapshot, a finish
//! reason) and a copy of a variable length is a library call, through the
//! PLT, whose entry was 30% of a run's `memcpy` samples: for up to 32 bytes
//! the copy is two fixed-size moves into a zeroed 32-byte pad, one append of
//! the whole pad and a truncate, all inline.

/// Longest string copied through the pad.
const PAD: usize = 32;

/// Appends `b` to `out`, inline when it is at most [`PAD`] bytes.
#[inline]
pub(super) fn append(out: &mut Vec<u8>, b: &[u8]) {
    let n = b.len();
    if n > PAD {
        out.extend_from_slice(b);
        return;
    }
    let mut pad = [0u8; PAD];
    // Two moves of the largest power of two not above `n`, one from each
    // end: they overlap and cover every byte.
    match n {
        16.. => both_ends::<16>(&mut pad, b),
        8.. => both_ends::<8>(&mut pad, b),
        4.. => both_ends::<4>(&mut pad, b),
        1.. => {
            pad[0] = b[0];
            pad[n / 2] = b[n / 2];
            pad[n - 1] = b[n - 1];
        }
        0 => return,
    }
    let start = out.len();
    out.extend_from_slice(&pad);
    out.truncate(start + n);
}

/// Copies `b`'s first and last `K` bytes to the same places of `pad`
/// (`K <= b.len() <= PAD`).
#[inline(always)]
fn both_ends<const K: usize>(pad: &mut [u8; PAD], b: &[u8]) {
    let n = b.len();
    if let (Ok(head), Ok(tail)) = (<[u8; K]>::try_from(&b[..K]), <[u8; K]>::try_from(&b[n - K..])) {
        pad[..K].copy_from_slice(&head);
        pad[n - K..n].copy_from_slice(&tail);
    }
}

#[cfg(test)]
mod tests {
    use super::append;

    /// Every length 0..=80 appended after every prefix length 0..=40: the
    /// same bytes as `extend_from_slice`, nothing more.
    #[test]
    fn appends_exactly_the_bytes_extend_from_slice_would() {
        let source: Vec<u8> = (0..80u8).map(|i| i.wrapping_mul(37).wrapping_add(1)).collect();
        for before in 0..=40 {
            for n in 0..=80 {
                let prefix: Vec<u8> = (0..before as u8).map(|i| 200 - i).collect();
                let (mut got, mut want) = (prefix.clone(), prefix);
                append(&mut got, &source[..n]);
                want.extend_from_slice(&source[..n]);
                assert_eq!(got, want, "{n} bytes after {before}");
            }
        }
    }
}
