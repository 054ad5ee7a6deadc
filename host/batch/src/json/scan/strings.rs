//! Where a JSON string ends, found 64 bytes at a time: each block becomes a
//! bitmask of its quotes and backslashes (AVX2 on x86_64 CPUs that have it,
//! else SSE2, plain words elsewhere), and escapes are walked by popping bits
//! from that mask, so a string full of `\"` is not searched again after each
//! escape.
//!
//! Invariant: [`string_end`] gives the answer of the plain search (kept as
//! the oracle in the tests): the first unescaped `"` and whether an escape
//! came before it, or `None` for an unterminated string or an escape
//! serde_json refuses. It does not look at control bytes.

/// Bytes per block, one bit each in a `u64` mask.
const BLOCK: usize = 64;

/// For the inside of a string starting at `from` (just after its `"`): the
/// index of its closing `"` and whether it has escapes; `None` when it is
/// unterminated or has an escape other than `\" \\ \/ \b \f \n \r \t` and
/// `\u` with four hex digits.
#[inline(never)]
pub(super) fn string_end(s: &[u8], from: usize) -> Option<(usize, bool)> {
    // Most values are short (a status, a role, a finish reason): a 32-byte
    // look before the blocks a response's text needs. Callers on the hot path
    // look at the first 16 bytes themselves, inlined ([`short_end`]), and
    // come here when that missed: the first look is made again (one
    // compare), which kept the inlined part small.
    if let Some(end) = near_end(s, from) {
        return Some((end, false));
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { walk_avx2(s, from) };
    }
    walk::<false>(s, from)
}

/// [`walk`] compiled for AVX2: a block's mask is two 32-byte compares
/// instead of four 16-byte ones (`string_end` is 14% of a reader's
/// instructions, bench/RESULTS.md).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn walk_avx2(s: &[u8], from: usize) -> Option<(usize, bool)> {
    walk::<true>(s, from)
}

/// The block search from `from`; `AVX2` picks [`mask_avx2`] (only in
/// [`walk_avx2`], on a CPU that has it) over [`mask`].
#[inline(always)]
fn walk<const AVX2: bool>(s: &[u8], from: usize) -> Option<(usize, bool)> {
    let mut escaped = false;
    let mut i = from;
    loop {
        let (mut m, n) = block::<AVX2>(s, i)?;
        // Where the next block starts: after this one, or after an escape
        // that runs past it.
        let mut next = i + n;
        while m != 0 {
            let k = i + m.trailing_zeros() as usize;
            if s[k] == b'"' {
                return Some((k, escaped));
            }
            escaped = true;
            let after = escape_end(s, k)?;
            if after - i >= n {
                next = after;
                break;
            }
            // Drop the bits up to the escape's end (the escaped byte may be
            // a `"` or `\`).
            m &= u64::MAX << (after - i);
        }
        i = next;
    }
}

/// The closing `"` of a string starting at `from` when it lies within the
/// next 16 bytes with no `\` before it; `None` (search with [`string_end`])
/// otherwise, and near the end of `s`.
#[inline]
pub(super) fn short_end(s: &[u8], from: usize) -> Option<usize> {
    let chunk: &[u8; 16] = s.get(from..from + 16)?.try_into().ok()?;
    let m = mask16(chunk);
    let k = m.trailing_zeros() as usize;
    (m != 0 && chunk[k] == b'"').then_some(from + k)
}

/// [`short_end`] over the next 32 bytes: two 16-byte looks, the second
/// only when the first holds neither byte. Many names and values run 16 to
/// 31 bytes (`systemInstruction`, `candidatesTokenCount`,
/// `system_fingerprint`, a model version, a timestamp); without it each
/// went through a block's masks. Not inlined into the scan's hot paths,
/// where the larger body cost more than it saved (it stopped `Scan::string`
/// being inlined into the walk).
#[inline]
fn near_end(s: &[u8], from: usize) -> Option<usize> {
    let first: &[u8; 16] = s.get(from..from + 16)?.try_into().ok()?;
    let (m, at) = match mask16(first) {
        0 => (mask16(s.get(from + 16..from + 32)?.try_into().ok()?), from + 16),
        m => (m, from),
    };
    let k = m.trailing_zeros() as usize;
    (m != 0 && s.get(at + k) == Some(&b'"')).then_some(at + k)
}

/// Bit `j` set where `c[j]` is `"` or `\`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn mask16(c: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    // SAFETY: the build enables SSE2 (the `cfg` above); `c` is 16 readable
    // bytes, what `_mm_loadu_si128` reads, with no alignment required.
    unsafe {
        let v = _mm_loadu_si128(c.as_ptr().cast::<__m128i>());
        let hits = _mm_or_si128(
            _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
            _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8)),
        );
        _mm_movemask_epi8(hits) as u32
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn mask16(c: &[u8; 16]) -> u32 {
    c.iter()
        .enumerate()
        .fold(0, |m, (j, &b)| m | (u32::from(b == b'"' || b == b'\\') << j))
}

/// The end of the escape whose `\` is at `k`, or `None` when serde_json
/// refuses it. Inlined: a JSON-mode response has an escape every few words,
/// and as a call this was a symbol of its own in profiles (1.1% of a run).
#[inline(always)]
fn escape_end(s: &[u8], k: usize) -> Option<usize> {
    match *s.get(k + 1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(k + 2),
        b'u' if s.get(k + 2..k + 6)?.iter().all(u8::is_ascii_hexdigit) => Some(k + 6),
        _ => None,
    }
}

/// The mask of quotes and backslashes in `s[i..]`'s first block (bit `j`
/// for byte `i + j`) and how many bytes it covers (up to [`BLOCK`]);
/// `None` at the end of `s`. A short tail is read as the last full block
/// of `s`, shifted, or (in a line shorter than a block) from a copy.
#[inline(always)]
fn block<const AVX2: bool>(s: &[u8], i: usize) -> Option<(u64, usize)> {
    if let Some(b) = s.get(i..i + BLOCK) {
        return Some((mask_of::<AVX2>(b.try_into().ok()?), BLOCK));
    }
    let n = s.len().checked_sub(i).filter(|&n| n > 0)?;
    if let Some(last) = s.len().checked_sub(BLOCK) {
        return Some((mask_of::<AVX2>(s[last..].try_into().ok()?) >> (BLOCK - n), n));
    }
    let mut copy = [0u8; BLOCK];
    copy[..n].copy_from_slice(&s[i..]);
    Some((mask_of::<AVX2>(&copy), n))
}

/// [`mask_avx2`] when `AVX2` (only in [`walk_avx2`], on a CPU that has it),
/// else [`mask`]; always inlined, so the AVX2 code lands in `walk_avx2`.
#[inline(always)]
fn mask_of<const AVX2: bool>(b: &[u8; BLOCK]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        // SAFETY: `AVX2` is true only in `walk_avx2`, which runs only on a
        // CPU that has it.
        return unsafe { mask_avx2(b) };
    }
    mask(b)
}

/// Bit `j` set where `b[j]` is `"` or `\`, two 32-byte lanes at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn mask_avx2(b: &[u8; BLOCK]) -> u64 {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
    };
    let (quote, backslash) = (_mm256_set1_epi8(b'"' as i8), _mm256_set1_epi8(b'\\' as i8));
    // SAFETY: `b` is 64 readable bytes, two times the 32 that
    // `_mm256_loadu_si256` reads, with no alignment required.
    let (lo, hi) = unsafe {
        let p = b.as_ptr().cast::<__m256i>();
        (_mm256_loadu_si256(p), _mm256_loadu_si256(p.add(1)))
    };
    let lo = _mm256_or_si256(_mm256_cmpeq_epi8(lo, quote), _mm256_cmpeq_epi8(lo, backslash));
    let hi = _mm256_or_si256(_mm256_cmpeq_epi8(hi, quote), _mm256_cmpeq_epi8(hi, backslash));
    u64::from(_mm256_movemask_epi8(lo) as u32) | u64::from(_mm256_movemask_epi8(hi) as u32) << 32
}

/// Bit `j` set where `b[j]` is `"` or `\`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn mask(b: &[u8; BLOCK]) -> u64 {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let mut m = 0;
    // SAFETY: the build enables SSE2 (the `cfg` above), so its intrinsics
    // run on any CPU this code runs on; each `lane` is 16 readable bytes,
    // what `_mm_loadu_si128` reads, with no alignment required.
    unsafe {
        let (quote, backslash) = (_mm_set1_epi8(b'"' as i8), _mm_set1_epi8(b'\\' as i8));
        for (j, lane) in b.chunks_exact(16).enumerate() {
            let v = _mm_loadu_si128(lane.as_ptr().cast::<__m128i>());
            let hits = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
            m |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * j);
        }
    }
    m
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn mask(b: &[u8; BLOCK]) -> u64 {
    mask_words(b)
}

/// [`mask`] a `u64` word at a time, with no architecture's help.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn mask_words(b: &[u8; BLOCK]) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // High bit of each byte of `x` set exactly where that byte is zero (no
    // borrow crosses bytes, unlike the subtracting test).
    let zero = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
    let mut m = 0;
    for (j, word) in b.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let hits = zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')));
        // Gathers the eight high bits (bits 7, 15, .., 63) into one byte.
        let byte = ((hits >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        m |= byte << (8 * j);
    }
    m
}

#[cfg(test)]
mod tests;
