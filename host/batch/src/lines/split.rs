//! A block's UTF-8 check, its line ends and its lines with control bytes
//! in one pass: the block is read a slice at a time, each slice checked and
//! then searched for bytes below 0x20 while it is still in the core's
//! first-level cache.
//!
//! Invariant: [`check`] answers exactly what checking the whole block with
//! `simdutf8` answers; appends exactly the ends a search for each line's
//! `\n` would find (the index of every `\n`, then the block's length when
//! its last line has no `\n`); and names (by position in the ends) every
//! line holding a byte below 0x20 other than its `\n` and a `\r` just before
//! it. A line it does not name holds none, so its scan need not look again.

/// Bytes checked and searched at a time: a multiple of 64 (the chunked
/// validator's step and the search's) that sits in a first-level data cache
/// (48 KiB a core on the machine the bench runs on) with room to spare. Why:
/// checking a 1 MiB block whole, then searching each line for its `\n`, then
/// each line again for control bytes read every byte three times from the
/// second-level cache.
const SLICE: usize = 16 * 1024;

/// Bytes the search looks at per step, one bit each in a `u64`.
const STEP: usize = 64;

/// Whether `bytes` is UTF-8; appends the end of every line to `ends` and
/// the position in `ends` of every line with a control byte to `controls`.
pub(super) fn check(bytes: &[u8], ends: &mut Vec<usize>, controls: &mut Vec<usize>) -> bool {
    let mut found = Found { bytes, ends, controls };
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { avx2(&mut found) };
    }
    portable(&mut found)
}

/// [`check`] on a CPU without AVX2: the search with plain code, then the
/// whole block checked at once.
fn portable(found: &mut Found<'_, '_>) -> bool {
    found.search::<false>(0, found.bytes);
    found.last_end();
    simdutf8::basic::from_utf8(found.bytes).is_ok()
}

/// [`check`] with simdutf8's AVX2 validator fed a slice at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn avx2(found: &mut Found<'_, '_>) -> bool {
    use simdutf8::basic::imp::ChunkedUtf8Validator;
    use simdutf8::basic::imp::x86::avx2::ChunkedUtf8ValidatorImp;
    let bytes = found.bytes;
    // SAFETY (all three calls): the CPU has AVX2, which this function's
    // callers check; `update_from_chunks` gets whole multiples of 64 bytes
    // (`SLICE` is one).
    let mut v = unsafe { ChunkedUtf8ValidatorImp::new() };
    let mut slices = bytes.chunks_exact(SLICE);
    let mut at = 0;
    for slice in &mut slices {
        unsafe { v.update_from_chunks(slice) };
        found.search::<true>(at, slice);
        at += SLICE;
    }
    let rest = slices.remainder();
    found.search::<true>(at, rest);
    found.last_end();
    unsafe { v.finalize(Some(rest)) }.is_ok()
}

/// What the search has found so far in `bytes`.
struct Found<'b, 'v> {
    bytes: &'b [u8],
    ends: &'v mut Vec<usize>,
    controls: &'v mut Vec<usize>,
}

impl Found<'_, '_> {
    /// Searches `slice`, which starts at `at` in the block; `AVX2` only
    /// where the CPU has it (in [`avx2`]).
    #[inline(always)]
    fn search<const AVX2: bool>(&mut self, at: usize, slice: &[u8]) {
        let (steps, rest) = slice.as_chunks::<STEP>();
        let mut base = at;
        for step in steps {
            let mut m = below_0x20::<AVX2>(step);
            while m != 0 {
                self.control(base + m.trailing_zeros() as usize);
                m &= m - 1;
            }
            base += STEP;
        }
        for (k, &b) in rest.iter().enumerate() {
            if b < 0x20 {
                self.control(base + k);
            }
        }
    }

    /// The byte at `i` is below 0x20: a line's end, a `\r` before one, or a
    /// control byte in the current line.
    #[inline(always)]
    fn control(&mut self, i: usize) {
        match self.bytes.get(i) {
            Some(b'\n') => self.ends.push(i),
            Some(b'\r') if self.bytes.get(i + 1) == Some(&b'\n') => {}
            _ => {
                let line = self.ends.len();
                if self.controls.last() != Some(&line) {
                    self.controls.push(line);
                }
            }
        }
    }

    /// Appends the block's length when its last line has no `\n`.
    fn last_end(&mut self) {
        if self.bytes.last().is_some_and(|&b| b != b'\n') {
            self.ends.push(self.bytes.len());
        }
    }
}

/// Bit `j` set where `b[j]` is below 0x20; AVX2 only where the CPU has it.
#[inline(always)]
fn below_0x20<const AVX2: bool>(b: &[u8; STEP]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        // SAFETY: `AVX2` is true only in `avx2`, which runs only on a CPU
        // that has it.
        return unsafe { below_0x20_avx2(b) };
    }
    b.iter().enumerate().fold(0, |m, (j, &x)| m | u64::from(x < 0x20) << j)
}

/// [`below_0x20`], two 32-byte lanes at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn below_0x20_avx2(b: &[u8; STEP]) -> u64 {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_max_epu8, _mm256_movemask_epi8, _mm256_set1_epi8,
    };
    let low = _mm256_set1_epi8(0x1f);
    // SAFETY: `b` is 64 readable bytes, two times the 32 that
    // `_mm256_loadu_si256` reads, with no alignment required.
    let (lo, hi) = unsafe {
        let p = b.as_ptr().cast::<__m256i>();
        (_mm256_loadu_si256(p), _mm256_loadu_si256(p.add(1)))
    };
    // `max(v, 0x1f) == 0x1f` exactly where `v < 0x20`.
    let lo = _mm256_cmpeq_epi8(_mm256_max_epu8(lo, low), low);
    let hi = _mm256_cmpeq_epi8(_mm256_max_epu8(hi, low), low);
    u64::from(_mm256_movemask_epi8(lo) as u32) | u64::from(_mm256_movemask_epi8(hi) as u32) << 32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain form: each line's `\n` searched for in turn, each line
    /// (less a `\r` before its `\n`) searched for control bytes, the block
    /// checked whole.
    fn plain(bytes: &[u8]) -> (bool, Vec<usize>, Vec<usize>) {
        let (mut ends, mut controls) = (Vec::new(), Vec::new());
        let mut start = 0;
        while start < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            let mut line = &bytes[start..end];
            if end < bytes.len() {
                line = line.strip_suffix(b"\r").unwrap_or(line);
            }
            if line.iter().any(|&b| b < 0x20) {
                controls.push(ends.len());
            }
            ends.push(end);
            start = end + 1;
        }
        (std::str::from_utf8(bytes).is_ok(), ends, controls)
    }

    /// Blocks around and across slice boundaries, with newlines, control
    /// bytes and bad UTF-8 (a lone continuation byte, a character cut by a
    /// slice's end, an overlong form) at every place near them: the
    /// one-pass answer is the plain one.
    #[test]
    fn one_pass_answers_as_the_whole_block_check_and_the_line_searches() {
        let lens = [0, 1, 63, 64, 65, 127, SLICE - 1, SLICE, SLICE + 1, 2 * SLICE + 100];
        let marks: [&[u8]; 11] = [
            b"\n",
            b"\r\n",
            b"\r",
            b"\r\r\n",
            b"\t",
            b"\x00",
            b"\x1f\n",
            "é".as_bytes(),
            b"\x80",
            b"\xe2\x82",
            b"\xc0\xaf",
        ];
        for len in lens {
            let places = [
                0,
                1,
                len / 2,
                len.saturating_sub(2),
                len.saturating_sub(1),
                63,
                64,
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
                    let (mut ends, mut controls) = (Vec::new(), Vec::new());
                    let ok = check(&b, &mut ends, &mut controls);
                    let want = plain(&b);
                    assert_eq!((ok, ends, controls), want, "len {len}, {mark:?} at {at}");
                    // The copy a CPU without AVX2 runs answers the same.
                    let (mut ends, mut controls) = (Vec::new(), Vec::new());
                    let ok = portable(&mut Found {
                        bytes: &b,
                        ends: &mut ends,
                        controls: &mut controls,
                    });
                    assert_eq!((ok, ends, controls), want, "portable: len {len}, {mark:?} at {at}");
                }
            }
        }
        // Both copies of the step mask flag exactly the bytes below 0x20.
        for byte in 0..=255u8 {
            for at in [0, 1, 31, 32, 33, 63] {
                let mut b = [b'x'; STEP];
                b[at] = byte;
                let want = u64::from(byte < 0x20) << at;
                assert_eq!(below_0x20::<false>(&b), want, "plain: {byte:#x} at {at}");
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx2") {
                    assert_eq!(below_0x20::<true>(&b), want, "AVX2: {byte:#x} at {at}");
                }
            }
        }
        let (mut ends, mut controls) = (vec![7], Vec::new());
        assert!(check(b"a\nb\tc\n", &mut ends, &mut controls));
        assert_eq!(
            (ends, controls),
            (vec![7, 1, 5], vec![2]),
            "appends after what is there"
        );
    }
}
