//! Re-reading OpenAI input lines for their prompt: messages and metadata.
//!
//! Invariant: message text is returned exactly as submitted (unescaped JSON
//! strings, no lossy conversion); array content keeps only its text parts,
//! joined with `\n`, in order.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::LineError;
use crate::json::parse_object;

#[derive(Deserialize)]
struct Top {
    body: Option<Body>,
}

#[derive(Deserialize)]
struct Body {
    messages: Option<Vec<Message>>,
}

#[derive(Deserialize)]
struct Message {
    role: Option<String>,
    content: Option<Content>,
}

/// Message content: a string, or an array of parts whose text is joined.
struct Content(String);

#[derive(Deserialize)]
struct Part {
    text: Option<String>,
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Content;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of content parts")
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

/// The `(role, content)` pairs of `body.messages`. Array content is the
/// text parts joined with `\n` (image and other parts are skipped); null
/// content is the empty string.
pub fn parse_input_messages(line: &[u8]) -> Result<Vec<(String, String)>, LineError> {
    let top: Top = parse_object(line)?;
    let messages = top
        .body
        .and_then(|b| b.messages)
        .ok_or(LineError::MissingField("body.messages"))?;
    messages
        .into_iter()
        .map(|m| {
            let role = m.role.ok_or(LineError::MissingField("body.messages[].role"))?;
            Ok((role, m.content.map(|c| c.0).unwrap_or_default()))
        })
        .collect()
}

#[derive(Deserialize)]
struct MetaTop {
    body: Option<MetaBody>,
}

#[derive(Deserialize)]
struct MetaBody {
    metadata: Option<StrPairs>,
}

/// The string-valued entries of a JSON object, in file order.
struct StrPairs(Vec<(String, String)>);

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
                    if let serde_json::Value::String(v) = map.next_value()? {
                        out.push((k, v));
                    }
                }
                Ok(StrPairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The string pairs of `body.metadata`, in file order; empty when absent,
/// not an object, or the line does not parse (non-string values are skipped).
pub fn parse_input_metadata(line: &[u8]) -> Vec<(String, String)> {
    parse_object::<MetaTop>(line)
        .ok()
        .and_then(|t| t.body)
        .and_then(|b| b.metadata)
        .map(|p| p.0)
        .unwrap_or_default()
}
