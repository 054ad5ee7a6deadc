//! The Claude Messages response (`Message`), shared by Anthropic batch
//! results (`result.message`) and Bedrock Claude `modelOutput`, and the
//! Converse content blocks Bedrock returns (`output.message.content`).
//!
//! Invariant: `response_text` is the concatenation (no separator) of the
//! text blocks in order; when there is no text block it is the raw JSON of
//! the first tool-use input, so a tool-only answer is never dropped
//! silently. Usage is normalized so that `input` includes cache reads and
//! cache writes.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::json::{NullTok, Str, Text, Tok, cow};

pub(crate) mod scan;
use crate::row::Outcome;
use crate::status::{Status, Usage};

/// A Claude `Message` (only the fields classification needs).
#[derive(Deserialize)]
pub(crate) struct Message<'a> {
    #[serde(borrow)]
    pub model: Option<Str<'a>>,
    #[serde(borrow)]
    pub content: Option<Blocks<'a>>,
    #[serde(borrow)]
    pub stop_reason: Option<Str<'a>>,
    pub usage: Option<ClaudeUsage>,
}

impl<'a> Message<'a> {
    /// Fills a `Completed` outcome from the message and classifies its stop reason.
    pub fn fill(self, o: &mut Outcome<'a>) {
        o.model = cow(self.model);
        o.finish_reason = cow(self.stop_reason);
        o.response_text = self.content.and_then(Blocks::response_text);
        if let Some(u) = self.usage {
            o.usage = u.normalized();
        }
        apply_stop_reason(o);
    }
}

/// Claude stop reasons: `refusal` is a content filter; `max_tokens` and
/// `model_context_window_exceeded` are truncated completions; everything
/// else (`end_turn`, `stop_sequence`, `tool_use`, `pause_turn`, values
/// added later) is a plain completion.
pub(crate) fn apply_stop_reason(o: &mut Outcome<'_>) {
    match o.finish_reason.as_deref() {
        Some("refusal") => o.status = Status::ContentFilter,
        Some("max_tokens" | "model_context_window_exceeded") => o.truncated = true,
        _ => {}
    }
}

/// Claude `usage`. `input_tokens` excludes cache reads and writes.
#[derive(Deserialize, Default)]
pub(crate) struct ClaudeUsage {
    #[serde(default)]
    input_tokens: Tok,
    #[serde(default)]
    output_tokens: Tok,
    #[serde(default)]
    cache_creation_input_tokens: NullTok,
    #[serde(default)]
    cache_read_input_tokens: NullTok,
}

impl ClaudeUsage {
    /// `input = input_tokens + cache_read + cache_creation`.
    pub fn normalized(&self) -> Usage {
        normalized(
            self.input_tokens.0,
            self.output_tokens.0,
            self.cache_read_input_tokens.0,
            self.cache_creation_input_tokens.0,
        )
    }
}

/// Usage from counts where `input` excludes the cache reads and writes.
pub(crate) fn normalized(input: u64, output: u64, cache_read: u64, cache_write: u64) -> Usage {
    Usage {
        input: input.saturating_add(cache_read).saturating_add(cache_write),
        output,
        cached_input: cache_read,
        cache_write,
        reasoning: 0,
    }
}

/// A content array reduced to its text (and first tool input).
#[derive(Debug, Default)]
pub(crate) struct Blocks<'a> {
    text: Option<Cow<'a, str>>,
    tool_input: Option<&'a str>,
}

impl<'a> Blocks<'a> {
    /// Concatenated text blocks, else the first tool-use input JSON.
    pub fn response_text(self) -> Option<Cow<'a, str>> {
        self.text.or(self.tool_input.map(Cow::Borrowed))
    }

    fn add_text(&mut self, t: Cow<'a, str>) {
        match &mut self.text {
            None => self.text = Some(t),
            Some(acc) => acc.to_mut().push_str(&t),
        }
    }
}

/// One content block: Claude (`{type, text}` / `{type:"tool_use", input}`)
/// or Converse (`{text}` / `{toolUse:{input}}`). Other block kinds
/// (thinking, images, reasoning, ...) are skipped.
#[derive(Deserialize)]
struct Block<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow)]
    text: Option<Text<'a>>,
    #[serde(borrow)]
    input: Option<&'a RawValue>,
    #[serde(borrow, rename = "toolUse")]
    tool_use: Option<ToolUse<'a>>,
}

#[derive(Deserialize)]
struct ToolUse<'a> {
    #[serde(borrow)]
    input: Option<&'a RawValue>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Blocks<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Blocks<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of content blocks or a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Blocks<'a>, E> {
                Ok(Blocks {
                    text: Some(Cow::Borrowed(v)),
                    tool_input: None,
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Blocks<'a>, E> {
                Ok(Blocks {
                    text: Some(Cow::Owned(v.to_owned())),
                    tool_input: None,
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Blocks<'a>, A::Error> {
                let mut out = Blocks::default();
                while let Some(b) = seq.next_element::<Block<'de>>()? {
                    let kind = b.kind.as_ref().map(|k| k.0.as_ref());
                    match (kind, b.text) {
                        (None | Some("text"), Some(t)) => out.add_text(t.0),
                        _ if out.tool_input.is_none() => {
                            out.tool_input = match kind {
                                Some("tool_use") => b.input.map(RawValue::get),
                                _ => b.tool_use.and_then(|t| t.input).map(RawValue::get),
                            };
                        }
                        _ => {}
                    }
                }
                Ok(out)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Blocks<'a>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Blocks::default())
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}
