//! A block's UTF-8 check and its line ends in one pass: the block is read
//! a slice at a time, each slice checked and then searched for `\n` while
//! it is still in the core's first-level cache.
//!
//! Invariant: [`utf8_and_line_ends`] answers exactly what checking the
//! whole block with `simdutf8` answers, and appends exactly the ends a
//! search for each line's `\n` would find: the index of every `\n`, then
//! the block's length when its last line has no `\n`.

/// Bytes checked and searched at a time: a multiple of 64 (the chunked
/// validator's step) that sits in a first-level data cache (48 KiB a core
/// on the machine the bench runs on) with room to spare. Why: checking a
/// 1 MiB block whole and then searching it read every byte twice from the
/// second-level cache; 8.8% of the input index's samples were the search.
const SLICE: usize = 16 * 1024;

/// Whether `bytes` is UTF-8; appends the end of every line to `ends`.
pub(super) fn utf8_and_line_ends(bytes: &[u8], ends: &mut Vec<usize>) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { avx2(bytes, ends) };
    }
    push_ends(bytes, 0, ends);
    last_end(bytes, ends);
    simdutf8::basic::from_utf8(bytes).is_ok()
}

/// [`utf8_and_line_ends`] with simdutf8's AVX2 validator fed a slice at a
/// time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn avx2(bytes: &[u8], ends: &mut Vec<usize>) -> bool {
    use simdutf8::basic::imp::ChunkedUtf8Validator;
    use simdutf8::basic::imp::x86::avx2::ChunkedUtf8ValidatorImp;
    // SAFETY (all three calls): the CPU has AVX2, which this function's
    // callers check; `update_from_chunks` gets whole multiples of 64 bytes
    // (`SLICE` is one).
    let mut v = unsafe { ChunkedUtf8ValidatorImp::new() };
    let mut slices = bytes.chunks_exact(SLICE);
    let mut at = 0;
    for slice in &mut slices {
        unsafe { v.update_from_chunks(slice) };
        push_ends(slice, at, ends);
        at += SLICE;
    }
    let rest = slices.remainder();
    push_ends(rest, at, ends);
    last_end(bytes, ends);
    unsafe { v.finalize(Some(rest)) }.is_ok()
}

/// Appends `at` plus the index of every `\n` in `slice`.
#[inline(always)]
fn push_ends(slice: &[u8], at: usize, ends: &mut Vec<usize>) {
    ends.extend(memchr::memchr_iter(b'\n', slice).map(|i| at + i));
}

/// Appends the block's length when its last line has no `\n`.
fn last_end(bytes: &[u8], ends: &mut Vec<usize>) {
    if bytes.last().is_some_and(|&b| b != b'\n') {
        ends.push(bytes.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain form: each line's `\n` searched for in turn, the block
    /// checked whole.
    fn plain(bytes: &[u8]) -> (bool, Vec<usize>) {
        let mut ends = Vec::new();
        let mut start = 0;
        while start < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            ends.push(end);
            start = end + 1;
        }
        (std::str::from_utf8(bytes).is_ok(), ends)
    }

    /// Blocks around and across slice boundaries, with newlines and bad
    /// bytes (a lone continuation byte, a character cut by a slice's end,
    /// an overlong form) at every place near them: the one-pass answer is
    /// the plain one.
    #[test]
    fn one_pass_answers_as_the_whole_block_check_and_the_line_search() {
        let lens = [0, 1, 63, 64, 65, SLICE - 1, SLICE, SLICE + 1, 2 * SLICE + 100];
        let marks: [&[u8]; 6] = [b"\n", b"\r\n", "é".as_bytes(), b"\x80", b"\xe2\x82", b"\xc0\xaf"];
        for len in lens {
            let places = [
                0,
                1,
                len / 2,
                len.saturating_sub(2),
                len.saturating_sub(1),
                SLICE - 1,
                SLICE - 2,
                SLICE,
            ];
            for mark in marks {
                for &at in &places {
                    let mut b = vec![b'x'; len];
                    for (k, &m) in mark.iter().enumerate() {
                        if let Some(x) = b.get_mut(at + k) {
                            *x = m;
                        }
                    }
                    // A few lines besides, so ends come from several slices.
                    for k in (0..len).step_by(4097) {
                        if b[k] == b'x' {
                            b[k] = b'\n';
                        }
                    }
                    let mut ends = Vec::new();
                    let ok = utf8_and_line_ends(&b, &mut ends);
                    assert_eq!((ok, ends), plain(&b), "len {len}, {mark:?} at {at}");
                }
            }
        }
        let mut ends = vec![7];
        assert!(utf8_and_line_ends(b"a\nb\n", &mut ends));
        assert_eq!(ends, [7, 1, 3], "appends after what is there");
    }
}
