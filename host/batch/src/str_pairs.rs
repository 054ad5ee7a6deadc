//! Request metadata as string pairs: every entry of a JSON object, in file
//! order; a string value decoded, any other value (number, boolean, null,
//! list, object) as its JSON text exactly as the file writes it.
//!
//! Invariant: one definition serves every provider's input reader (OpenAI
//! `body.metadata`, Anthropic `params.metadata`, Google `metadata`/`labels`),
//! and no entry is dropped.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Every entry of a JSON object, in file order, values as text.
pub(crate) struct StrPairs(pub(crate) Vec<(String, String)>);

/// A value's text: a JSON string decoded, anything else as written.
fn value_text(raw: &RawValue) -> Result<String, serde_json::Error> {
    let text = raw.get();
    if text.starts_with('"') {
        serde_json::from_str::<String>(text)
    } else {
        Ok(text.to_owned())
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
                    let raw: Box<RawValue> = map.next_value()?;
                    let v = value_text(&raw).map_err(serde::de::Error::custom)?;
                    out.push((k, v));
                }
                Ok(StrPairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests;
