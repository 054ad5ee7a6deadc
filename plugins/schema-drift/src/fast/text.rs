//! JSON strings for the fast path: the end of a string found sixty-four bytes
//! at a time, as four sixteen-byte lanes (WebAssembly SIMD in the component,
//! SSE2 in a native build), and escapes decoded only when a string has one.
//!
//! Invariant: [`string`] returns a string only where `serde_json::from_str`
//! reads the same characters: a raw control byte, an unknown escape, a `\u`
//! without four hex digits or a lone surrogate is `None` (serde_json refuses
//! each), as is an unterminated string.

/// Bytes one vector compare examines.
const LANES: usize = 16;
/// Bytes one step of the search examines: four lanes, one branch. Why: a
/// response's free text (a rationale, an answer) runs to hundreds of bytes,
/// and in the component a step's bounds check and branch cost about as much
/// as its compares; at sixteen bytes a step they were most of this search.
const BLOCK: usize = 4 * LANES;

/// Whether `c` ends a run of plain string bytes: `"`, `\` or a control byte.
fn special(c: u8) -> bool {
    c == b'"' || c == b'\\' || c < 0x20
}

/// The index of the first [`special`] byte of `b` at or after `from`, or
/// `b.len()`. Why `b` whole and not `b[from..]`: the text's last bytes, fewer
/// than a block, are read as part of its last whole block, bytes before
/// `from` masked off, where a search of the rest alone would step through
/// them a lane and then a byte at a time; a response ends with its longest
/// string, so nearly every response has such a tail.
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
#[inline]
fn first_special(b: &[u8], from: usize) -> usize {
    let mut i = from;
    // One lane first: member names and `enum` values end within it, at a
    // quarter of a block's cost.
    if let Some(lane) = b.get(i..i + LANES).and_then(|c| <&[u8; LANES]>::try_from(c).ok()) {
        let m = mask(lane);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += LANES;
    }
    while let Some(block) = b.get(i..i + BLOCK).and_then(|c| <&[u8; BLOCK]>::try_from(c).ok()) {
        let m = block_mask(block);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += BLOCK;
    }
    tail(b, i)
}

/// [`first_special`] for the bytes from `i`, fewer than a block: within the
/// text's last block, or in a text shorter than one, a lane and then a byte
/// at a time.
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
#[inline(never)]
fn tail(b: &[u8], mut i: usize) -> usize {
    if i >= b.len() {
        return b.len();
    }
    if let Some(start) = b.len().checked_sub(BLOCK)
        && let Some(block) = b.get(start..).and_then(|c| <&[u8; BLOCK]>::try_from(c).ok())
    {
        // `start < i`: fewer than a block remain, so the shift is 1..=63.
        let m = block_mask(block) >> (i - start);
        return if m != 0 {
            i + m.trailing_zeros() as usize
        } else {
            b.len()
        };
    }
    while let Some(chunk) = b.get(i..i + LANES).and_then(|c| <&[u8; LANES]>::try_from(c).ok()) {
        let m = mask(chunk);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += LANES;
    }
    let rest = b.get(i..).unwrap_or_default();
    i + rest.iter().position(|&c| special(c)).unwrap_or(rest.len())
}

/// Bit `j` set where `b[j]` is [`special`], over a whole block; a block with
/// none (the usual case) costs one test of the four lanes' union.
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
fn block_mask(b: &[u8; BLOCK]) -> u64 {
    use core::arch::wasm32::{i8x16_bitmask, v128, v128_any_true, v128_or};
    let [l0, l1, l2, l3] = b.as_chunks::<LANES>().0 else {
        return 0;
    };
    let (h0, h1, h2, h3) = (lane_hits(l0), lane_hits(l1), lane_hits(l2), lane_hits(l3));
    if !v128_any_true(v128_or(v128_or(h0, h1), v128_or(h2, h3))) {
        return 0;
    }
    let m = |h: v128| u64::from(i8x16_bitmask(h));
    m(h0) | m(h1) << 16 | m(h2) << 32 | m(h3) << 48
}

/// All ones in each lane of `c` that is [`special`].
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
fn lane_hits(c: &[u8; LANES]) -> core::arch::wasm32::v128 {
    use core::arch::wasm32::{u8x16_eq, u8x16_max, u8x16_splat, v128_load, v128_or};
    // SAFETY: `c` is 16 readable bytes, what `v128_load` reads; WebAssembly
    // loads need no alignment.
    let v = unsafe { v128_load(c.as_ptr().cast()) };
    // `max(v, 0x1f) == 0x1f` exactly where `v < 0x20`: two x86 instructions
    // where Cranelift lowers `u8x16_lt` to four.
    let low = u8x16_splat(0x1f);
    v128_or(
        v128_or(u8x16_eq(v, u8x16_splat(b'"')), u8x16_eq(v, u8x16_splat(b'\\'))),
        u8x16_eq(u8x16_max(v, low), low),
    )
}

/// Bit `j` set where `b[j]` is [`special`], over a whole block.
#[cfg(not(target_arch = "wasm32"))]
fn block_mask(b: &[u8; BLOCK]) -> u64 {
    b.chunks_exact(LANES).enumerate().fold(0, |m, (k, lane)| {
        let lane = <&[u8; LANES]>::try_from(lane).map_or(0, mask);
        m | u64::from(lane) << (LANES * k)
    })
}

/// Bit `j` set where `c[j]` is [`special`].
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
fn mask(c: &[u8; LANES]) -> u16 {
    core::arch::wasm32::i8x16_bitmask(lane_hits(c))
}

/// Bit `j` set where `c[j]` is [`special`].
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn mask(c: &[u8; LANES]) -> u16 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: the build enables SSE2 (the `cfg` above), so its intrinsics run
    // on any CPU this code runs on; `c` is 16 readable bytes, what
    // `_mm_loadu_si128` reads, with no alignment required.
    unsafe {
        let v = _mm_loadu_si128(c.as_ptr().cast::<__m128i>());
        let low = _mm_set1_epi8(0x1f);
        // max(v, 0x1f) == 0x1f exactly where v <= 0x1f (unsigned).
        let control = _mm_cmpeq_epi8(_mm_max_epu8(v, low), low);
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u16
    }
}

#[cfg(not(any(target_arch = "wasm32", all(target_arch = "x86_64", target_feature = "sse2"))))]
fn mask(c: &[u8; LANES]) -> u16 {
    mask_bytes(c)
}

/// [`mask`] a byte at a time: the reference the others are tested against.
#[cfg_attr(
    any(target_arch = "wasm32", all(target_arch = "x86_64", target_feature = "sse2")),
    allow(dead_code)
)]
fn mask_bytes(c: &[u8; LANES]) -> u16 {
    c.iter()
        .enumerate()
        .fold(0, |m, (j, &b)| m | (u16::from(special(b)) << j))
}

/// A string's characters, as UTF-8 bytes: borrowed when it has no escape,
/// else decoded into the caller's scratch buffer. Bytes, not `str`: the text
/// is a `str` and a string's ends are ASCII quotes, so the borrowed bytes are
/// UTF-8 without a boundary check, and the decoded ones are copied from it
/// or encoded from a `char`.
pub(super) enum Text<'a> {
    Raw(&'a [u8]),
    Decoded,
}

/// Reads the string whose opening `"` is just before `*at` in `b` (the bytes
/// of a `str`); on success `*at` is just past its closing `"`.
#[inline(always)]
pub(super) fn string<'a>(b: &'a [u8], at: &mut usize, scratch: &mut Vec<u8>) -> Option<Text<'a>> {
    let start = *at;
    let end = first_special(b, start);
    match *b.get(end)? {
        b'"' => {
            *at = end + 1;
            Some(Text::Raw(b.get(start..end)?))
        }
        b'\\' => {
            scratch.clear();
            scratch.extend_from_slice(b.get(start..end)?);
            decode(b, end, at, scratch)?;
            Some(Text::Decoded)
        }
        _ => None,
    }
}

/// Decodes from the escape at `i` to the closing quote into `out`.
#[cold]
#[inline(never)]
fn decode(b: &[u8], mut i: usize, at: &mut usize, out: &mut Vec<u8>) -> Option<()> {
    loop {
        let end = first_special(b, i);
        out.extend_from_slice(b.get(i..end)?);
        i = end;
        match *b.get(i)? {
            b'"' => {
                *at = i + 1;
                return Some(());
            }
            b'\\' => {}
            _ => return None,
        }
        let c = match *b.get(i + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let (c, len) = unicode(b, i)?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                i += len;
                continue;
            }
            _ => return None,
        };
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        i += 2;
    }
}

/// The character of the `\u` escape at `i` (a surrogate pair takes two) and
/// the escape's length in bytes.
fn unicode(b: &[u8], i: usize) -> Option<(char, usize)> {
    let hi = hex4(b.get(i + 2..i + 6)?)?;
    match hi {
        0xD800..=0xDBFF => {
            if b.get(i + 6..i + 8)? != b"\\u" {
                return None;
            }
            let lo = hex4(b.get(i + 8..i + 12)?)?;
            if !(0xDC00..=0xDFFF).contains(&lo) {
                return None;
            }
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            Some((char::from_u32(c)?, 12))
        }
        0xDC00..=0xDFFF => None,
        _ => Some((char::from_u32(hi)?, 6)),
    }
}

fn hex4(d: &[u8]) -> Option<u32> {
    d.iter()
        .try_fold(0u32, |n, &c| Some(n * 16 + char::from(c).to_digit(16)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The string from `text` (which starts with its opening quote) as serde_json reads it.
    fn read(text: &str) -> Option<(String, usize)> {
        let mut at = 1;
        let mut scratch = Vec::new();
        let s = match string(text.as_bytes(), &mut at, &mut scratch)? {
            Text::Raw(s) => s.to_vec(),
            Text::Decoded => scratch,
        };
        let s = String::from_utf8(s).ok()?;
        Some((s, at))
    }

    #[test]
    fn strings_read_as_serde_json_reads_them() {
        for text in [
            r#""""#,
            r#""a""#,
            r#""exactly sixteen.""#,
            r#""longer than one chunk of sixteen, with 5★ in it""#,
            r#""esc \" \\ \/ \b \f \n \r \t done""#,
            r#""\u00e9\u0041\ud83d\ude00 and after, past a chunk""#,
            r#""a quote at byte 16:\"""#,
        ] {
            let expect: String = serde_json::from_str(text).expect("valid");
            assert_eq!(read(text), Some((expect, text.len())), "{text}");
        }
    }

    #[test]
    fn strings_serde_json_refuses_are_none() {
        for text in [
            "\"unterminated",
            "\"unterminated after a long run of plain text",
            "\"raw\ncontrol\"",
            "\"raw \u{1f} control past the first sixteen bytes\"",
            "\"raw \u{7f} is fine but \u{0} is not\"",
            r#""\x""#,
            r#""\u12""#,
            r#""\u12g4""#,
            r#""\ud800""#,
            r#""\ud800\u0041""#,
            r#""\udc00""#,
            r#""ends in \"#,
        ] {
            assert!(serde_json::from_str::<String>(text).is_err(), "{text}");
            assert_eq!(read(text), None, "{text}");
        }
    }

    /// Wherever the first special byte lies (in a first block, a later one, a
    /// lane's edge or the tail after the last whole block), the search finds it,
    /// and a later one does not hide it.
    #[test]
    fn the_first_special_byte_is_found_at_every_offset() {
        for len in [0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200] {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f] {
                    let mut b = vec![b'x'; len];
                    b[at] = special;
                    if at + 1 < len {
                        b[len - 1] = b'"';
                    }
                    assert_eq!(first_special(&b, 0), at, "len {len}, byte {special:#x} at {at}");
                }
            }
            assert_eq!(first_special(&vec![0x20; len], 0), len);
        }
    }

    /// A search from anywhere in the text finds the first special byte at or
    /// after its start and none before it, though the text's last block is
    /// read from before the start: every start, every place of the special
    /// byte, and special bytes just before the start in the way.
    #[test]
    fn a_search_from_inside_the_text_sees_no_byte_before_its_start() {
        for len in [0, 1, 15, 16, 17, 63, 64, 65, 100, 127, 128, 129] {
            for from in 0..=len {
                for at in from..=len {
                    let mut b = vec![b'x'; len];
                    // Special bytes everywhere before the start.
                    b[..from].fill(b'"');
                    if at < len {
                        b[at] = b'\\';
                    }
                    assert_eq!(first_special(&b, from), at, "len {len}, from {from}, at {at}");
                }
            }
        }
        assert_eq!(first_special(b"ab", 5), 2);
    }

    /// The chunk mask flags exactly the special bytes, among all byte values.
    #[test]
    fn the_chunk_mask_flags_exactly_quotes_backslashes_and_control_bytes() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..20_000u32 {
            let mut c = [0u8; LANES];
            for x in &mut c {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *x = match seed % 5 {
                    0 => b'"',
                    1 => b'\\',
                    2 => (seed >> 8) as u8 & 0x3f,
                    _ => (seed >> 16) as u8,
                };
            }
            if round < 256 {
                c = [round as u8; LANES];
            }
            assert_eq!(mask(&c), mask_bytes(&c), "{c:?}");
        }
        assert_eq!(first_special(b"0123456789abcdef0123\"5", 0), 20);
        assert_eq!(first_special(&[b'a'; 200], 0), 200);
        assert_eq!(first_special(b"no special byte here, none at all", 0), 33);
    }
}
