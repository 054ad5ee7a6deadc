//! Validation while parsing: one pass over the response's bytes checks the JSON
//! grammar and each value against its schema node, building nothing; strings are
//! borrowed unless they hold an escape, and numbers are the values serde_json
//! reads (a plain one read directly, exactly as serde_json rounds it:
//! [`plain_prefix`]; any other by serde_json from its own text), so they are
//! the very values the slow path compares.
//!
//! Invariant: `passes` is `true` only for a text `serde_json::from_str` parses
//! (nesting stays under its recursion limit, no trailing text) into a `Value`
//! that meets the schema. Any doubt, including a construct this reader does not
//! take, is `false` ("don't know"), and the slow path gives the verdict.

use super::text::{self, Text};
use super::{FastCheck, Lit, Node, Num, T_ARRAY, T_BOOL, T_NULL, T_OBJECT, rules};

/// Member names serde_json reserves for its own encodings (`arbitrary_precision`,
/// `raw_value`): an object carrying one may not be an object at all. A schema
/// that names one has no fast path (`FastCheck::compile`), so only a name no
/// property matches needs this check.
pub(super) const RESERVED_PREFIX: &str = "$serde_json::private::";
/// Unknown member names tracked per object to detect duplicates; more: don't know.
const MAX_UNKNOWN: usize = 16;
/// Nesting this reader follows: below serde_json's limit of 128, so whatever it
/// reads, serde_json reads too.
const MAX_DEPTH: usize = 120;

/// Buffers one check reuses for the next.
#[derive(Default)]
pub(super) struct Buffers {
    /// A string with an escape, decoded (UTF-8).
    scratch: Vec<u8>,
    /// Hashes of unknown member names, a run per open object.
    unknown: Vec<u64>,
}

/// Whether `text` certainly passes the slow path (see the module docs).
pub(super) fn passes(check: &FastCheck, text: &str, buffers: &mut Buffers) -> bool {
    let Some(root) = check.nodes.first() else {
        return false;
    };
    buffers.unknown.clear();
    let mut r = Reader {
        check,
        b: text.as_bytes(),
        at: 0,
        buf: buffers,
    };
    r.value(Some(root), 0).is_some() && r.token() == END && r.at == text.len()
}

/// What [`Reader::byte`] reads past the text's end. A zero byte is no
/// token's first byte, so every test a byte meets fails on it as it would
/// on the end; a zero byte in the text fails the same tests, and serde_json
/// refuses it outside a string too.
const END: u8 = 0;

/// The text (the bytes of a `str`) and where reading has got to.
struct Reader<'a, 'b> {
    check: &'a FastCheck,
    b: &'a [u8],
    at: usize,
    buf: &'b mut Buffers,
}

impl<'a> Reader<'a, '_> {
    /// The byte at the reading position, [`END`] past the end.
    #[inline(always)]
    fn byte(&self) -> u8 {
        self.b.get(self.at).copied().unwrap_or(END)
    }

    /// The next token's first byte, after any whitespace (not consumed).
    /// Why one compare first: whitespace is four bytes no greater than a
    /// space, and a compact response (the usual kind) has none.
    #[inline(always)]
    fn token(&mut self) -> u8 {
        let c = self.byte();
        if c > b' ' { c } else { self.skip_ws() }
    }

    /// Skips whitespace; returns the byte after it.
    #[inline(never)]
    fn skip_ws(&mut self) -> u8 {
        loop {
            match self.byte() {
                b' ' | b'\n' | b'\t' | b'\r' => self.at += 1,
                c => return c,
            }
        }
    }

    /// Consumes `b` after any whitespace.
    #[inline(always)]
    fn expect(&mut self, b: u8) -> Option<()> {
        (self.token() == b).then(|| self.at += 1)
    }

    /// After an element or member: `,` (another follows: `false`) or the
    /// container's `close` (`true`); anything else is doubt.
    #[inline(always)]
    fn separator(&mut self, close: u8) -> Option<bool> {
        let b = self.token();
        self.at += 1;
        match b {
            b',' => Some(false),
            b if b == close => Some(true),
            _ => None,
        }
    }

    /// The node at `index` (`None`: any value); a bad index is doubt.
    fn node(&self, index: Option<usize>) -> Option<Option<&'a Node>> {
        match index {
            None => Some(None),
            Some(i) => Some(Some(self.check.nodes.get(i)?)),
        }
    }

    /// Reads one value and checks it against `node` (`None`: anything).
    fn value(&mut self, node: Option<&'a Node>, depth: usize) -> Option<()> {
        let ok = match self.token() {
            b'{' => return self.object(node, depth + 1),
            b'[' => return self.array(node, depth + 1),
            b'"' => {
                self.at += 1;
                let scratch = &mut self.buf.scratch;
                match text::string(self.b, &mut self.at, scratch)? {
                    Text::Raw(s) => node.is_none_or(|n| rules::string(n, s)),
                    Text::Decoded => node.is_none_or(|n| rules::string(n, scratch)),
                }
            }
            b't' => self.literal(b"true", node, T_BOOL, Lit::Bool(true))?,
            b'f' => self.literal(b"false", node, T_BOOL, Lit::Bool(false))?,
            b'n' => self.literal(b"null", node, T_NULL, Lit::Null)?,
            b'-' | b'0'..=b'9' => {
                let n = self.number()?;
                node.is_none_or(|node| rules::number(node, n))
            }
            _ => false,
        };
        ok.then_some(())
    }

    fn literal(&mut self, word: &[u8], node: Option<&Node>, ty: u8, lit: Lit) -> Option<bool> {
        let end = self.at + word.len();
        (self.b.get(self.at..end)? == word).then_some(())?;
        self.at = end;
        Some(node.is_none_or(|n| rules::admits(n, ty, Some(&|l| *l == lit))))
    }

    /// The number whose text starts here: a plain one read in the same pass
    /// that finds its end ([`plain_prefix`]), anything else parsed by
    /// serde_json alone, where the longest run of number characters must be
    /// exactly one JSON number.
    fn number(&mut self) -> Option<Num> {
        let rest = self.b.get(self.at..)?;
        if let Some((n, len)) = plain_prefix(rest) {
            self.at += len;
            return Some(n);
        }
        let len = rest.iter().position(|&b| !number_byte(b)).unwrap_or(rest.len());
        let token = std::str::from_utf8(rest.get(..len)?).ok()?;
        self.at += len;
        let n: serde_json::Number = serde_json::from_str(token).ok()?;
        if let Some(u) = n.as_u64() {
            Some(Num::U(u))
        } else if let Some(i) = n.as_i64() {
            Some(Num::I(i))
        } else {
            n.as_f64().map(Num::F)
        }
    }

    fn array(&mut self, node: Option<&'a Node>, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let items = match node {
            Some(n) if !rules::admits(n, T_ARRAY, None) => return None,
            Some(n) => self.node(n.items)?,
            None => None,
        };
        self.at += 1;
        let mut count = 0u64;
        if self.token() == b']' {
            self.at += 1;
        } else {
            loop {
                self.value(items, depth)?;
                count += 1;
                if self.separator(b']')? {
                    break;
                }
            }
        }
        node.is_none_or(|n| n.min_items.is_none_or(|m| count >= m) && n.max_items.is_none_or(|m| count <= m))
            .then_some(())
    }

    fn object(&mut self, node: Option<&'a Node>, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH || node.is_some_and(|n| !rules::admits(n, T_OBJECT, None)) {
            return None;
        }
        self.at += 1;
        if self.token() == b'}' {
            self.at += 1;
            return node.is_none_or(|n| n.required == 0).then_some(());
        }
        let first_unknown = self.buf.unknown.len();
        let mut seen = 0u64;
        let mut k = 0;
        loop {
            self.expect(b'"')?;
            let value = match node {
                None => {
                    text::string(self.b, &mut self.at, &mut self.buf.scratch)?;
                    None
                }
                Some(n) => self.member(n, k, &mut seen, first_unknown)?,
            };
            k += 1;
            self.expect(b':')?;
            let value = self.node(value)?;
            self.value(value, depth)?;
            if self.separator(b'}')? {
                break;
            }
        }
        self.buf.unknown.truncate(first_unknown);
        node.is_none_or(|n| n.required & !seen == 0).then_some(())
    }

    /// Reads the `k`-th member name of an object checked against `node`;
    /// returns the schema its value must meet. A repeated name is doubt:
    /// `Value` keeps the last, which only the slow path sees.
    fn member(&mut self, node: &Node, k: usize, seen: &mut u64, first_unknown: usize) -> Option<Option<usize>> {
        let name = match text::string(self.b, &mut self.at, &mut self.buf.scratch)? {
            Text::Raw(s) => s,
            Text::Decoded => self.buf.scratch.as_slice(),
        };
        let is = |p: &super::Prop| rules::same(p.name.as_bytes(), name);
        // The `k`-th property first: responses mostly list members in the
        // schema's order.
        let found = match node.props.get(k) {
            Some(p) if is(p) => Some(k),
            _ => node.props.iter().position(is),
        };
        if let Some(i) = found {
            let bit = 1u64.checked_shl(u32::try_from(i).ok()?)?;
            let prop = node.props.get(i)?;
            if *seen & bit != 0 || (node.no_additional && !prop.declared) {
                return None;
            }
            *seen |= bit;
            return Some(prop.schema);
        }
        if name.starts_with(RESERVED_PREFIX.as_bytes()) {
            return None;
        }
        let hash = name.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let names = self.buf.unknown.get(first_unknown..)?;
        if node.no_additional || names.len() >= MAX_UNKNOWN || names.contains(&hash) {
            return None;
        }
        self.buf.unknown.push(hash);
        Some(None)
    }
}

/// A byte a JSON number's text may hold.
fn number_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
}

/// Powers of ten for a plain number's at most 15 fraction digits, each exact
/// in an `f64` (every power up to 10^22 is).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A plain JSON number (`0`, `12`, `0.83`, `-0.5`: no exponent, at most 15
/// digits, and not a negative integer) at the start of `rest`, read in one
/// pass, with its length; `None` for anything else, which serde_json reads,
/// and for a plain number that the next byte would continue (`1.5e3`, `1-`).
/// Why: nearly every number a judged response holds is such a score or
/// count, and serde_json's own parse cost more than the rest of the number's
/// check. Exact: 15 digits stay below 2^53, so the integer is exact, and a
/// decimal is one IEEE division of two exact values, `m / 10^k`, hence
/// correctly rounded: the value serde_json's correctly rounding parser gives
/// (its `float_roundtrip` feature is on in this build; the tests compare the
/// two).
#[inline(always)]
pub(super) fn plain_prefix(rest: &[u8]) -> Option<(Num, usize)> {
    let negative = rest.first() == Some(&b'-');
    let from = usize::from(negative);
    let (mut m, mut point, mut i) = (0u64, None, from);
    // Digits and at most one point, up to the first other byte.
    while let Some(&b) = rest.get(i) {
        match b {
            b'0'..=b'9' => m = m.wrapping_mul(10).wrapping_add(u64::from(b - b'0')),
            b'.' if point.is_none() => point = Some(i),
            _ => break,
        }
        i += 1;
    }
    if rest.get(i).is_some_and(|&b| number_byte(b)) {
        return None;
    }
    let digits = i - from - usize::from(point.is_some());
    let int = point.unwrap_or(i) - from;
    let frac = point.map_or(0, |p| i - p - 1);
    let leading_zero = int > 1 && rest.get(from) == Some(&b'0');
    if int == 0 || leading_zero || (point.is_some() && frac == 0) || digits > 15 {
        return None;
    }
    let n = match point {
        None if negative => return None,
        None => Num::U(m),
        Some(_) => {
            let f = m as f64 / *POW10.get(frac)?;
            Num::F(if negative { -f } else { f })
        }
    };
    Some((n, i))
}

/// [`plain_prefix`] of a whole token: `None` unless the number is all of it.
#[cfg(test)]
pub(super) fn plain_number(token: &[u8]) -> Option<Num> {
    plain_prefix(token).and_then(|(n, len)| (len == token.len()).then_some(n))
}
