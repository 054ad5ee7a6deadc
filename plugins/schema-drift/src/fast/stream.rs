//! Validation while parsing: a `DeserializeSeed` per schema node drives serde_json's
//! streaming `Deserializer` through exactly the calls `Value` makes (`deserialize_any`
//! for values, `deserialize_str` for member names), so it meets the same parse errors
//! and recursion limit. Strings are seen unescaped and borrowed; nothing is built.
//! Any doubt aborts the parse with an error, which `passes` reports as "don't know".

use super::{FastCheck, Lit, Node, Num, T_ARRAY, T_BOOL, T_INTEGER, T_NULL, T_NUMBER, T_OBJECT, T_STRING};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cmp::Ordering;
use std::fmt;

/// Member names serde_json reserves for its own encodings (`arbitrary_precision`,
/// `raw_value`): an object carrying one may not be an object at all.
const RESERVED_PREFIX: &str = "$serde_json::private::";
/// Unknown member names tracked per object to detect duplicates; more: don't know.
const MAX_UNKNOWN: usize = 16;
/// Largest magnitude at which every integer is exactly an `f64`.
const EXACT_F64_INT: u64 = 1 << 53;

/// Parses `text` as `serde_json::from_str` does, validating on the way.
pub(super) fn passes(check: &FastCheck, text: &str) -> bool {
    let Some(root) = check.nodes.first() else {
        return false;
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = Seed {
        check,
        node: Some(root),
    };
    seed.deserialize(&mut de).is_ok() && de.end().is_ok()
}

/// One value to check; `node: None` accepts any value (but still parses it fully).
#[derive(Clone, Copy)]
struct Seed<'a> {
    check: &'a FastCheck,
    node: Option<&'a Node>,
}

impl<'a> Seed<'a> {
    /// The seed for the node at `index` (`None`: any value); a bad index is doubt.
    fn at<E: de::Error>(self, index: Option<usize>) -> Result<Seed<'a>, E> {
        let node = match index {
            None => None,
            Some(i) => Some(self.check.nodes.get(i).ok_or_else(unsure)?),
        };
        Ok(Seed {
            check: self.check,
            node,
        })
    }

    /// Whether the node admits a value of type bits `ty` (for numbers, `T_NUMBER`
    /// plus `T_INTEGER` when the value is integral) and no `enum`/`const` stands in
    /// the way (`lit`: the value as a literal, if it is one).
    fn admits(node: &Node, ty: u8, lit: Option<&dyn Fn(&Lit) -> bool>) -> bool {
        !node.never
            && node.types & ty != 0
            && node
                .choices
                .iter()
                .all(|choice| lit.is_some_and(|eq| choice.iter().any(eq)))
    }

    fn number<E: de::Error>(self, n: Num) -> Result<(), E> {
        let Some(node) = self.node else { return Ok(()) };
        let integral = match n {
            Num::U(_) | Num::I(_) => true,
            Num::F(f) => f.is_finite() && f.fract() == 0.0,
        };
        let finite = !matches!(n, Num::F(f) if !f.is_finite());
        let ty = T_NUMBER | if integral { T_INTEGER } else { 0 };
        let within = |limit: Option<Num>, ok: fn(Ordering) -> bool| limit.is_none_or(|l| cmp(n, l).is_some_and(ok));
        let ok = finite
            && Self::admits(node, ty, None)
            && within(node.minimum, Ordering::is_ge)
            && within(node.maximum, Ordering::is_le)
            && within(node.exclusive_minimum, Ordering::is_gt)
            && within(node.exclusive_maximum, Ordering::is_lt);
        if ok { Ok(()) } else { Err(unsure()) }
    }
}

/// The error that means "don't know".
fn unsure<E: de::Error>() -> E {
    E::custom("fast path: unsure")
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

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        let ok = self
            .node
            .is_none_or(|n| Self::admits(n, T_NULL, Some(&|l| *l == Lit::Null)));
        if ok { Ok(()) } else { Err(unsure()) }
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        let ok = self
            .node
            .is_none_or(|n| Self::admits(n, T_BOOL, Some(&|l| *l == Lit::Bool(b))));
        if ok { Ok(()) } else { Err(unsure()) }
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<(), E> {
        self.number(Num::U(u))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<(), E> {
        self.number(Num::I(i))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<(), E> {
        self.number(Num::F(f))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        let Some(node) = self.node else { return Ok(()) };
        let eq = |l: &Lit| matches!(l, Lit::Str(t) if t == s);
        let mut ok = Self::admits(node, T_STRING, Some(&eq));
        if ok && (node.min_length.is_some() || node.max_length.is_some()) {
            ok = length_within(s, node.min_length.unwrap_or(0), node.max_length.unwrap_or(u64::MAX));
        }
        if ok { Ok(()) } else { Err(unsure()) }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let items = match self.node {
            Some(node) if !Self::admits(node, T_ARRAY, None) => return Err(unsure()),
            Some(node) => self.at(node.items)?,
            None => self,
        };
        let mut count = 0u64;
        while seq.next_element_seed(items)?.is_some() {
            count += 1;
        }
        let ok = self
            .node
            .is_none_or(|n| n.min_items.is_none_or(|m| count >= m) && n.max_items.is_none_or(|m| count <= m));
        if ok { Ok(()) } else { Err(unsure()) }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(node) = self.node else {
            while map.next_key_seed(Name(None))?.is_some() {
                map.next_value_seed(self)?;
            }
            return Ok(());
        };
        if !Self::admits(node, T_OBJECT, None) {
            return Err(unsure());
        }
        let mut seen = 0u64;
        let mut unknown = [0u64; MAX_UNKNOWN];
        let mut unknown_count = 0usize;
        while let Some(name) = map.next_key_seed(Name(Some(node)))? {
            let value = match name {
                Found::Known(i) => {
                    let bit = 1u64
                        .checked_shl(u32::try_from(i).map_err(|_| unsure())?)
                        .ok_or_else(unsure)?;
                    let prop = node.props.get(i).ok_or_else(unsure)?;
                    if seen & bit != 0 || (node.no_additional && !prop.declared) {
                        return Err(unsure());
                    }
                    seen |= bit;
                    prop.schema
                }
                Found::Unknown(hash) => {
                    if node.no_additional || unknown.get(..unknown_count).is_none_or(|names| names.contains(&hash)) {
                        return Err(unsure());
                    }
                    *unknown.get_mut(unknown_count).ok_or_else(unsure)? = hash;
                    unknown_count += 1;
                    None
                }
                Found::Any => return Err(unsure()),
            };
            map.next_value_seed(self.at(value)?)?;
        }
        if node.required & !seen == 0 {
            Ok(())
        } else {
            Err(unsure())
        }
    }
}

/// A member name, looked up among the node's properties (`None`: not looked up).
struct Name<'a>(Option<&'a Node>);

/// Which property a member name is: by index, or an FNV-1a hash of an unknown name.
enum Found {
    Known(usize),
    Unknown(u64),
    Any,
}

impl<'de> DeserializeSeed<'de> for Name<'_> {
    type Value = Found;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Found, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name<'_> {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Found, E> {
        let Some(node) = self.0 else { return Ok(Found::Any) };
        if s.starts_with(RESERVED_PREFIX) {
            return Err(unsure());
        }
        if let Some(i) = node.props.iter().position(|p| p.name == s) {
            return Ok(Found::Known(i));
        }
        let hash = s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Ok(Found::Unknown(hash))
    }
}
