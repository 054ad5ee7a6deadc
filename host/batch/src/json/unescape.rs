//! Unescaping the inside of a JSON string the parser already accepted.
//!
//! Invariant: the result is exactly what serde_json reads from the same
//! string, or the error names the escape serde_json refuses.

/// Bytes looked at per step: a run of text between escapes is copied 16
/// bytes at a time.
const LOOK: usize = 16;

/// Unescapes the inside of a JSON string the parser already accepted.
///
/// The runs between escapes in a JSON-mode answer are short (`\"` around
/// every key and value) until its prose, and a copy of a variable length is
/// a call to the C library's `memcpy` (half this function's time when each
/// run was appended as it was). Here each 16-byte look is appended whole, a
/// fixed-size copy, and cut back to where its first `\` is; a look with no
/// `\` starts a long run, searched and copied whole. On the bench job's
/// responses: 85 ns a string against 107 ns (allocation included).
pub(crate) fn unescape(s: &str) -> Result<String, &'static str> {
    let b = s.as_bytes();
    let mut out = crate::spare::take(b.len() + LOOK).into_bytes();
    let mut i = 0;
    while let Some(look) = b.get(i..i + LOOK).and_then(|l| <&[u8; LOOK]>::try_from(l).ok()) {
        let at = out.len();
        out.extend_from_slice(look);
        match backslashes(look) {
            // No `\\` in the look: a long run (a response's prose), the
            // rest of it found with one search and appended with one copy.
            0 => {
                let run = memchr::memchr(b'\\', &b[i + LOOK..]).map_or(b.len(), |k| i + LOOK + k);
                out.extend_from_slice(&b[i + LOOK..run]);
                i = match run < b.len() {
                    true => escape(b, run, &mut out)?,
                    false => run,
                };
            }
            m => {
                let k = m.trailing_zeros() as usize;
                out.truncate(at + k);
                i = escape(b, i + k, &mut out)?;
            }
        }
    }
    // The last bytes, fewer than a look.
    while let Some(rest) = b.get(i..).filter(|r| !r.is_empty()) {
        match memchr::memchr(b'\\', rest) {
            None => {
                out.extend_from_slice(rest);
                break;
            }
            Some(k) => {
                out.extend_from_slice(&rest[..k]);
                i = escape(b, i + k, &mut out)?;
            }
        }
    }
    debug_assert!(std::str::from_utf8(&out).is_ok());
    // SAFETY: `out` holds runs of `s` (UTF-8) each ending at the end of `s`
    // or just before a `\`, which is ASCII and so never inside a character
    // (a look appended whole is cut back to such a run, or followed by the
    // rest of its run), and the UTF-8 encodings of the escaped characters.
    Ok(unsafe { String::from_utf8_unchecked(out) })
}

/// Appends the character of the escape whose `\` is at `b[at]`; returns
/// where the text after it starts.
#[inline(always)]
fn escape(b: &[u8], at: usize, out: &mut Vec<u8>) -> Result<usize, &'static str> {
    let byte = match b.get(at + 1).copied().ok_or("bad escape")? {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'u' => return unicode(b, at, out),
        _ => return Err("invalid escape"),
    };
    out.push(byte);
    Ok(at + 2)
}

/// [`escape`] for `\uXXXX`, and the low half that must follow a high
/// surrogate.
fn unicode(b: &[u8], at: usize, out: &mut Vec<u8>) -> Result<usize, &'static str> {
    let hi = hex4(b, at + 2)?;
    let (cp, end) = if (0xD800..0xDC00).contains(&hi) {
        if b.get(at + 6..at + 8) != Some(b"\\u") {
            return Err("lone leading surrogate in hex escape");
        }
        let lo = hex4(b, at + 8)?;
        if !(0xDC00..0xE000).contains(&lo) {
            return Err("invalid surrogate pair in hex escape");
        }
        (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), at + 12)
    } else {
        (hi, at + 6)
    };
    let c = char::from_u32(cp).ok_or("lone trailing surrogate in hex escape")?;
    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    Ok(end)
}

/// Bit `j` set where `look[j]` is `\`.
fn backslashes(look: &[u8; LOOK]) -> u32 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
        // SAFETY: the build enables SSE2 (the `cfg` above); `look` is 16
        // readable bytes, what `_mm_loadu_si128` reads, with no alignment required.
        unsafe {
            let v = _mm_loadu_si128(look.as_ptr().cast::<__m128i>());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8))) as u32
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    look.iter()
        .enumerate()
        .fold(0, |m, (j, &c)| m | (u32::from(c == b'\\') << j))
}

/// The four hex digits at `b[at..]`.
fn hex4(b: &[u8], at: usize) -> Result<u32, &'static str> {
    let h = b.get(at..at + 4).ok_or("truncated hex escape")?;
    // Digits only: `from_str_radix` would also take a sign (`\u+123`).
    h.iter().try_fold(0, |v, &d| {
        let d = char::from(d).to_digit(16).ok_or("invalid hex escape")?;
        Ok(v << 4 | d)
    })
}

#[cfg(test)]
mod tests;
