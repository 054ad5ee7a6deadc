//! Re-reading Anthropic requests for their prompt: system prompt, messages
//! and metadata. The message types are shared with Bedrock, whose Claude
//! and Converse bodies use the same `system` / `messages` layout.
//!
//! Invariant: text is returned exactly as submitted (unescaped JSON
//! strings); array content keeps only its text blocks, joined with `\n`,
//! in order; the system prompt comes first as role `"system"`.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::LineError;
use crate::json::{Content, parse_object};

#[derive(Deserialize)]
struct Top {
    params: Option<Prompt>,
}

/// `system` and `messages` of a Claude (or Converse) request body.
#[derive(Deserialize)]
pub(crate) struct Prompt {
    pub system: Option<Content>,
    pub messages: Option<Vec<Msg>>,
}

#[derive(Deserialize)]
pub(crate) struct Msg {
    role: Option<String>,
    content: Option<Content>,
}

impl Prompt {
    /// `(role, text)` pairs, the system prompt first; `None` without `messages`.
    pub fn into_pairs(self, field: &'static str) -> Result<Vec<(String, String)>, LineError> {
        let messages = self.messages.ok_or(LineError::MissingField(field))?;
        let mut out = Vec::with_capacity(messages.len() + 1);
        if let Some(s) = self.system {
            out.push(("system".to_owned(), s.0));
        }
        for m in messages {
            let role = m.role.ok_or(LineError::MissingField("messages[].role"))?;
            out.push((role, m.content.map(|c| c.0).unwrap_or_default()));
        }
        Ok(out)
    }
}

/// The `(role, text)` pairs of `params`: `("system", system)` first when
/// present, then `params.messages` in order. Works on a JSONL line and on
/// the bytes of one element of a request body.
pub fn parse_input_messages(line: &[u8]) -> Result<Vec<(String, String)>, LineError> {
    let top: Top = parse_object(line)?;
    top.params
        .ok_or(LineError::MissingField("params"))?
        .into_pairs("params.messages")
}

#[derive(Deserialize)]
struct MetaTop {
    params: Option<MetaParams>,
}

#[derive(Deserialize)]
struct MetaParams {
    metadata: Option<StrPairs>,
}

/// The string-valued entries of a JSON object, in file order.
struct StrPairs(pub Vec<(String, String)>);

/// A string value, or nothing for any other JSON value.
struct MaybeString(Option<String>);

impl<'de> Deserialize<'de> for MaybeString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MaybeString, E> {
                Ok(MaybeString(Some(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<MaybeString, E> {
                Ok(MaybeString(Some(v)))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MaybeString, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeString, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for StrPairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrPairs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrPairs, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    if let MaybeString(Some(v)) = map.next_value()? {
                        out.push((k, v));
                    }
                }
                Ok(StrPairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The string pairs of `params.metadata` (Anthropic defines `user_id`), in
/// file order; empty when absent, not an object, or the line does not
/// parse. Non-string values are skipped.
pub fn parse_input_metadata(line: &[u8]) -> Vec<(String, String)> {
    parse_object::<MetaTop>(line)
        .ok()
        .and_then(|t| t.params)
        .and_then(|p| p.metadata)
        .map(|p| p.0)
        .unwrap_or_default()
}
