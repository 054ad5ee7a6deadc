//! Whether a line holds a byte below 0x20, the check [`super::Scan::new`]
//! makes on every byte of every line before its walk.
//!
//! Invariant: [`none_in`] is `true` exactly when no byte of its slice is
//! below 0x20, whichever copy of the check the CPU runs.

/// Whether `s` has no byte below 0x20, in AVX2 on a CPU that has it (every
/// byte a reader reads passes here: 2.5% of its instructions with SSE2).
#[inline]
pub(super) fn none_in(s: &[u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { none_in_avx2(s) };
    }
    none_in_plain(s)
}

/// The check 32 bytes at a time: the running minimum of every byte (no
/// branch but the loop's; a line with a control byte is rare), compared
/// with 0x20 once at the end.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn none_in_avx2(s: &[u8]) -> bool {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_max_epu8, _mm256_min_epu8, _mm256_movemask_epi8,
        _mm256_set1_epi8,
    };
    let mut chunks = s.chunks_exact(32);
    let mut low = _mm256_set1_epi8(-1);
    for c in &mut chunks {
        // SAFETY: `c` is 32 readable bytes, what `_mm256_loadu_si256`
        // reads, with no alignment required.
        low = _mm256_min_epu8(low, unsafe { _mm256_loadu_si256(c.as_ptr().cast::<__m256i>()) });
    }
    // Every byte of `low` is at least 0x20 exactly when raising it to 0x20
    // changes none.
    let raised = _mm256_max_epu8(low, _mm256_set1_epi8(0x20));
    _mm256_movemask_epi8(_mm256_cmpeq_epi8(raised, low)) == -1 && none_in_plain(chunks.remainder())
}

/// The check with no early exit inside a block of 64 bytes, so that it
/// compiles to vector compares.
#[inline(always)]
fn none_in_plain(s: &[u8]) -> bool {
    s.chunks(64).all(|c| c.iter().fold(true, |ok, &b| ok & (b >= 0x20)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value at every position of slices around one and two
    /// blocks long: each copy of the check answers as the plain search.
    #[test]
    fn every_copy_finds_exactly_the_bytes_below_0x20() {
        for len in [0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 129] {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut s = vec![b'a'; len];
                    s[at] = byte;
                    let want = byte >= 0x20;
                    assert_eq!(none_in(&s), want, "byte {byte:#x} at {at} of {len}");
                    assert_eq!(none_in_plain(&s), want, "plain: byte {byte:#x} at {at} of {len}");
                    #[cfg(target_arch = "x86_64")]
                    if std::arch::is_x86_feature_detected!("avx2") {
                        // SAFETY: the CPU has AVX2, checked just above.
                        assert_eq!(
                            unsafe { none_in_avx2(&s) },
                            want,
                            "AVX2: byte {byte:#x} at {at} of {len}"
                        );
                    }
                }
            }
            assert!(none_in(&vec![b' '; len]));
        }
    }
}
