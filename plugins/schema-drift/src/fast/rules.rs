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

/// Whether the string `s` (unescaped) meets `node`.
pub(super) fn string(node: &Node, s: &str) -> bool {
    let eq = |l: &Lit| matches!(l, Lit::Str(t) if same(t.as_bytes(), s.as_bytes()));
    admits(node, T_STRING, Some(&eq))
        && (node.min_length.is_none() && node.max_length.is_none()
            || length_within(s, node.min_length.unwrap_or(0), node.max_length.unwrap_or(u64::MAX)))
}

/// Byte equality a word at a time: names and `enum` strings are short, and in
/// a component `==` would call the C library's byte-by-byte `memcmp`.
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    let words = x.by_ref().zip(y.by_ref()).all(|(p, q)| {
        let w = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or_default());
        w(p) == w(q)
    });
    words && x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
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

/// Whether `s` has `min..=max` code points; the byte length settles most strings
/// without counting, as a code point takes one to four bytes.
fn length_within(s: &str, min: u64, max: u64) -> bool {
    let bytes = s.len() as u64;
    let fewest = bytes.div_ceil(4);
    if min <= fewest && bytes <= max {
        return true;
    }
    (min..=max).contains(&(s.chars().count() as u64))
}

#[cfg(test)]
mod tests {
    use super::same;

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
        ];
        for a in words {
            for b in words {
                assert_eq!(same(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
            }
        }
        assert!(!same(b"confidencf", b"confidence"));
        assert!(!same(b"xonfidence", b"confidence"));
    }
}
