//! Appending a short byte string without a call to the C library's `memcpy`.
//!
//! Invariant: [`append`] leaves `out` exactly as `extend_from_slice` would.
//! A row's strings are mostly short (an id, a model, a snapshot, a finish
//! reason) and a copy of a variable length is a library call, through the
//! PLT, whose entry was 30% of a run's `memcpy` samples: for up to 32 bytes
//! the copy is one fixed-size append of 32 zero bytes, two fixed-size moves
//! over its front and a truncate, all inline.

/// Longest string copied inline.
const PAD: usize = 32;

/// Appends `b` to `out`, inline when it is at most [`PAD`] bytes.
#[inline]
pub(super) fn append(out: &mut Vec<u8>, b: &[u8]) {
    let n = b.len();
    if n == 0 || n > PAD {
        out.extend_from_slice(b);
        return;
    }
    let start = out.len();
    // A fixed-size append (two vector stores), then `b` written over its
    // front: stores over stores, where a pad on the stack, written piecewise
    // and read back whole, stalled on store forwarding.
    out.extend_from_slice(&[0u8; PAD]);
    let dst = &mut out[start..start + n];
    // Two moves of the largest power of two not above `n`, one from each
    // end: they overlap and cover every byte.
    match n {
        16.. => both_ends::<16>(dst, b),
        8.. => both_ends::<8>(dst, b),
        4.. => both_ends::<4>(dst, b),
        // One to three bytes (an empty `b` was appended above).
        _ => {
            dst[0] = b[0];
            dst[n / 2] = b[n / 2];
            dst[n - 1] = b[n - 1];
        }
    }
    out.truncate(start + n);
}

/// Copies `b`'s first and last `K` bytes to the same places of `dst`
/// (`K <= b.len() == dst.len()`).
#[inline(always)]
fn both_ends<const K: usize>(dst: &mut [u8], b: &[u8]) {
    let n = b.len();
    dst[..K].copy_from_slice(&b[..K]);
    dst[n - K..].copy_from_slice(&b[n - K..]);
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
