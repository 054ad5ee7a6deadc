//! What one schema node asks of one scalar: its type, `enum`/`const`, numeric
//! limits and string length.
//!
//! Invariant: each check answers `true` only where jsonschema agrees that the
//! value meets the node's keywords; numbers are compared exactly, and a
//! comparison that cannot be settled exactly is `false` ("don't know").

use super::{Lit, Node, Num, T_INTEGER, T_NUMBER, T_STRING};
use std::cmp::Ordering;

/// Largest magnitude at which every integer is exactly an `f64`.
const EXACT_F64_INT: u64 = 1 << 53;

/// Whether `node` admits a value of type bits `ty` (for numbers, `T_NUMBER`
/// plus `T_INTEGER` when the value is integral) and no `enum`/`const` stands in
/// the way (`lit`: the value as a literal, if it is one).
pub(super) fn admits(node: &Node, ty: u8, lit: Option<&dyn Fn(&Lit) -> bool>) -> bool {
    !node.never
        && node.types & ty != 0
        && node
            .choices
            .iter()
            .all(|choice| lit.is_some_and(|eq| choice.iter().any(eq)))
}

/// Whether the number `n` (as serde_json parsed it) meets `node`.
pub(super) fn number(node: &Node, n: Num) -> bool {
    let integral = match n {
        Num::U(_) | Num::I(_) => true,
        Num::F(f) => f.is_finite() && f.fract() == 0.0,
    };
    let finite = !matches!(n, Num::F(f) if !f.is_finite());
    let ty = T_NUMBER | if integral { T_INTEGER } else { 0 };
    let within = |limit: Option<Num>, ok: fn(Ordering) -> bool| limit.is_none_or(|l| cmp(n, l).is_some_and(ok));
    finite
        && admits(node, ty, None)
        && within(node.minimum, Ordering::is_ge)
        && within(node.maximum, Ordering::is_le)
        && within(node.exclusive_minimum, Ordering::is_gt)
        && within(node.exclusive_maximum, Ordering::is_lt)
}

/// Whether the string `s` (unescaped, UTF-8) meets `node`.
pub(super) fn string(node: &Node, s: &[u8]) -> bool {
    !node.never
        && node.types & T_STRING != 0
        && node
            .choices
            .iter()
            .all(|choice| choice.iter().any(|l| matches!(l, Lit::Str(t) if same(t.as_bytes(), s))))
        && (node.min_length.is_none() && node.max_length.is_none()
            || length_within(s, node.min_length.unwrap_or(0), node.max_length.unwrap_or(u64::MAX)))
}

/// Byte equality a word at a time, the last word overlapping the one before:
/// names and `enum` strings are short, and in a component `==` would call
/// the C library's byte-by-byte `memcmp`.
#[inline(always)]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let word = |w: Option<&[u8; 8]>| w.map(|w| u64::from_le_bytes(*w));
        let middle = || {
            let (x, y) = (a.as_chunks::<8>().0, b.as_chunks::<8>().0);
            x.iter()
                .zip(y)
                .all(|(p, q)| u64::from_le_bytes(*p) == u64::from_le_bytes(*q))
        };
        word(a.first_chunk()) == word(b.first_chunk())
            && word(a.last_chunk()) == word(b.last_chunk())
            && (n <= 16 || middle())
    } else if n >= 4 {
        let word = |w: Option<&[u8; 4]>| w.map(|w| u32::from_le_bytes(*w));
        word(a.first_chunk()) == word(b.first_chunk()) && word(a.last_chunk()) == word(b.last_chunk())
    } else {
        // Bytes 0, n / 2 and n - 1 cover a string of at most three.
        [0, n / 2, n.wrapping_sub(1)].iter().all(|&i| a.get(i) == b.get(i))
    }
}

/// Exact ordering of two numbers; `None` where an integer beyond 2^53 meets a float.
fn cmp(a: Num, b: Num) -> Option<Ordering> {
    fn int(n: Num) -> Option<i128> {
        match n {
            Num::U(u) => Some(i128::from(u)),
            Num::I(i) => Some(i128::from(i)),
            Num::F(_) => None,
        }
    }
    fn float(n: Num) -> Option<f64> {
        match n {
            Num::F(f) => Some(f),
            // Exact: the magnitude is at most 2^53.
            Num::U(u) if u <= EXACT_F64_INT => Some(u as f64),
            Num::I(i) if i.unsigned_abs() <= EXACT_F64_INT => Some(i as f64),
            _ => None,
        }
    }
    match (int(a), int(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => float(a)?.partial_cmp(&float(b)?),
    }
}

/// Whether the UTF-8 `s` has `min..=max` code points; the byte length
/// settles most strings without counting, as a code point takes one to four
/// bytes. A count counts the bytes that start a code point (all but
/// `10xxxxxx`).
fn length_within(s: &[u8], min: u64, max: u64) -> bool {
    let bytes = s.len() as u64;
    let fewest = bytes.div_ceil(4);
    if min <= fewest && bytes <= max {
        return true;
    }
    let chars = s.iter().filter(|&&c| (c as i8) >= -0x40).count() as u64;
    (min..=max).contains(&chars)
}

#[cfg(test)]
mod tests {
    use super::{length_within, same};

    #[test]
    fn length_counts_code_points() {
        for s in ["", "a", "né", "★★", "5★ x", "\u{1f600}", "plain ascii text"] {
            let n = s.chars().count() as u64;
            for (min, max) in [
                (0, u64::MAX),
                (n, n),
                (n + 1, u64::MAX),
                (0, n.saturating_sub(1)),
                (n, n + 1),
            ] {
                assert_eq!(
                    length_within(s.as_bytes(), min, max),
                    (min..=max).contains(&n),
                    "{s} {min} {max}"
                );
            }
        }
    }

    #[test]
    fn same_is_byte_equality() {
        let words = [
            "",
            "a",
            "label",
            "rationale",
            "confidence",
            "exactly8",
            "exactly8!",
            "négatif",
            "abc",
            "abd",
            "xbc",
            "sixteen bytes!!!",
            "sixteen bytes!!?",
            "seventeen bytes!!",
            "seventeen bytes!?",
            "a name that runs past three words",
            "a name that runs past three wordz",
            "a name thaX runs past three words",
        ];
        for a in words {
            for b in words {
                assert_eq!(same(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
            }
        }
        assert!(!same(b"confidencf", b"confidence"));
        // Every length up to past three words, one byte changed anywhere.
        for n in 0..40 {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same(&a, &a.clone()), "{n}");
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 0x20;
                assert!(!same(&a, &b), "{n} {i}");
            }
        }
        assert!(!same(b"xonfidence", b"confidence"));
    }
}
