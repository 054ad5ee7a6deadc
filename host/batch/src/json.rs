//! Small provider-neutral serde helpers for fast, borrowed JSON line parsing.
//!
//! Invariant: strings borrow from the input unless the JSON text contains
//! escapes; arrays of which only the first element matters are skipped
//! without allocating; a line that is not a JSON object is reported as
//! `WrongShape` naming what was found, or `Malformed` if it is not JSON.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{LineError, json_kind};
use crate::provider::RawLine;

/// A JSON string, borrowed when possible (unlike `Option<Cow<str>>`,
/// which serde always copies).
#[derive(Debug)]
pub(crate) struct Str<'a>(pub Cow<'a, str>);

/// A JSON string or number, as a string (error codes are sometimes numbers).
#[derive(Debug)]
pub(crate) struct LooseStr<'a>(pub Cow<'a, str>);

struct StrVisitor {
    loose: bool,
}

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.loose { "a string or a number" } else { "a string" })
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.number(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.number(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.number(v)
    }
}

impl StrVisitor {
    fn number<'de, E: de::Error, N: fmt::Display>(&self, v: N) -> Result<Cow<'de, str>, E> {
        if self.loose {
            Ok(Cow::Owned(v.to_string()))
        } else {
            Err(E::invalid_type(de::Unexpected::Other("a number"), self))
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor { loose: false }).map(Str)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for LooseStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor { loose: true }).map(LooseStr)
    }
}

/// A long JSON string (e.g. model output): skipped by the parser as raw
/// text, then unescaped in one pass; borrowed when it has no escapes.
#[derive(Debug)]
pub(crate) struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?.get();
        let inner = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')).ok_or_else(|| {
            let kind = json_kind(raw.bytes().next().unwrap_or(b'0'));
            de::Error::custom(format_args!("invalid type: {kind}, expected a string"))
        })?;
        if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
            return Ok(Text(Cow::Borrowed(inner)));
        }
        unescape(inner).map(|s| Text(Cow::Owned(s))).map_err(de::Error::custom)
    }
}

/// A token count: a non-negative integer up to `u64::MAX`. `null`, a
/// string, a negative or fractional number is not a count: the line is
/// bad. Absent (with `#[serde(default)]`) is 0.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tok(pub u64);

impl<'de> Deserialize<'de> for Tok {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u64::deserialize(d).map(Tok)
    }
}

/// A token count the provider's schema declares nullable (OpenAI chat
/// `*_tokens_details` counts, Anthropic and Converse cache counts): `null`
/// is 0, as absent; anything else that is not a count is bad, as [`Tok`].
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NullTok(pub u64);

impl<'de> Deserialize<'de> for NullTok {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<u64>::deserialize(d).map(|v| NullTok(v.unwrap_or(0)))
    }
}

/// The first element of a JSON array; the rest are skipped unallocated.
#[derive(Debug)]
pub(crate) struct First<T>(pub Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for First<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = First<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<First<T>, A::Error> {
                let first = seq.next_element::<T>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(First(first))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

pub(crate) fn cow(s: Option<Str<'_>>) -> Option<Cow<'_, str>> {
    s.map(|s| s.0)
}

pub(crate) fn loose(s: Option<LooseStr<'_>>) -> Option<Cow<'_, str>> {
    s.map(|s| s.0)
}

/// Parses a line that must be a JSON object into `T`.
pub(crate) fn parse_object<'a, T: Deserialize<'a>>(line: impl Into<RawLine<'a>>) -> Result<T, LineError> {
    parse_object_seed(line, PhantomData::<T>)
}

/// [`parse_object`] with a seed, for a parse that depends on options (the
/// Vertex id path).
pub(crate) fn parse_object_seed<'a, S: DeserializeSeed<'a>>(
    line: impl Into<RawLine<'a>>,
    seed: S,
) -> Result<S::Value, LineError> {
    let raw = line.into();
    let line = raw.bytes;
    let first = line.iter().copied().find(|b| !b.is_ascii_whitespace());
    match first {
        // Parsed as `str` when the line is UTF-8 (every line a block hands
        // out was checked by the reader): serde_json then skips its own
        // per-string check, about a tenth of all parsing time.
        Some(b'{') => match raw.text() {
            Some(text) => whole(serde_json::Deserializer::from_str(text), seed),
            None => whole(serde_json::Deserializer::from_slice(line), seed),
        }
        .map_err(|e| LineError::from_json(&e)),
        None => Err(LineError::Malformed("empty line".into())),
        Some(b) => match serde_json::from_slice::<IgnoredAny>(line) {
            Ok(_) => Err(LineError::WrongShape(format!(
                "expected a JSON object, found {}",
                json_kind(b)
            ))),
            Err(e) => Err(LineError::from_json(&e)),
        },
    }
}

/// `seed` over the whole input of `de`, as `serde_json::from_str` does.
fn whole<'a, R: serde_json::de::Read<'a>, S: DeserializeSeed<'a>>(
    mut de: serde_json::Deserializer<R>,
    seed: S,
) -> serde_json::Result<S::Value> {
    let v = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Message content as OpenAI, Azure, Anthropic and Bedrock-Claude write it:
/// a string, or an array of parts/blocks whose `text` fields are joined with
/// `\n` (image, tool and other blocks have none and are skipped).
pub(crate) struct Content(pub String);

#[derive(serde::Deserialize)]
struct Part {
    text: Option<String>,
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Content;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of content blocks")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Content, E> {
                Ok(Content(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Content, E> {
                Ok(Content(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Content, A::Error> {
                let mut out = String::new();
                let mut first = true;
                while let Some(part) = seq.next_element::<Part>()? {
                    if let Some(t) = part.text {
                        if !first {
                            out.push('\n');
                        }
                        out.push_str(&t);
                        first = false;
                    }
                }
                Ok(Content(out))
            }
        }
        d.deserialize_any(V)
    }
}

pub(crate) mod scan;
#[cfg(test)]
pub(crate) mod serde_fields;
mod unescape;

pub(crate) use unescape::unescape;

#[cfg(test)]
mod tests;
