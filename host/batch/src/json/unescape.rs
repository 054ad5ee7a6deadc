//! Unescaping the inside of a JSON string the parser already accepted.
//!
//! Invariant: the result is exactly what serde_json reads from the same
//! string, or the error names the escape serde_json refuses.

/// Unescapes the inside of a JSON string the parser already accepted.
pub(crate) fn unescape(s: &str) -> Result<String, &'static str> {
    let mut out = crate::spare::take(s.len());
    let mut rest = s;
    while let Some(i) = backslash(rest.as_bytes()) {
        out.push_str(rest.get(..i).ok_or("bad escape")?);
        let esc = rest.as_bytes().get(i + 1).copied().ok_or("bad escape")?;
        rest = rest.get(i + 2..).ok_or("bad escape")?;
        let c = match esc {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(&mut rest)?;
                let cp = if (0xD800..0xDC00).contains(&hi) {
                    let lo = rest
                        .strip_prefix("\\u")
                        .map(|r| {
                            rest = r;
                            hex4(&mut rest)
                        })
                        .ok_or("lone leading surrogate in hex escape")??;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err("invalid surrogate pair in hex escape");
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                char::from_u32(cp).ok_or("lone trailing surrogate in hex escape")?
            }
            _ => return Err("invalid escape"),
        };
        out.push(c);
    }
    out.push_str(rest);
    Ok(out)
}

/// The first `\` in `b`. The runs between escapes in a response are short
/// (`\"` every few words of a JSON-mode answer), so the first 16 bytes get one
/// SSE2 compare before the general search, which costs a call per run.
fn backslash(b: &[u8]) -> Option<usize> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if let Some(chunk) = b.get(..16) {
        use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
        // SAFETY: the build enables SSE2 (the `cfg` above); `chunk` is 16
        // readable bytes, what `_mm_loadu_si128` reads, with no alignment required.
        let m = unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8)))
        };
        if m != 0 {
            return Some(m.trailing_zeros() as usize);
        }
        return memchr::memchr(b'\\', &b[16..]).map(|i| i + 16);
    }
    memchr::memchr(b'\\', b)
}

fn hex4(rest: &mut &str) -> Result<u32, &'static str> {
    let h = rest.get(..4).ok_or("truncated hex escape")?;
    let v = u32::from_str_radix(h, 16).map_err(|_| "invalid hex escape")?;
    *rest = &rest[4..];
    Ok(v)
}

#[cfg(test)]
mod tests;
