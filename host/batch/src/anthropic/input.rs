//! Re-reading Anthropic requests for their prompt: system prompt, messages
//! and metadata. The message types are shared with Bedrock, whose Claude
//! and Converse bodies use the same `system` / `messages` layout.
//!
//! Invariant: text is returned exactly as submitted (unescaped JSON
//! strings); array content keeps only its text blocks, joined with `\n`,
//! in order; the system prompt comes first as role `"system"`.

use serde::Deserialize;

use crate::error::LineError;
use crate::json::{Content, parse_object};
use crate::str_pairs::StrPairs;

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

/// The string pairs of `params.metadata` (Anthropic defines `user_id`), in
/// file order; empty when absent, not an object, or the line does not
/// parse. A non-string value comes as its JSON text.
pub fn parse_input_metadata(line: &[u8]) -> Vec<(String, String)> {
    parse_object::<MetaTop>(line)
        .ok()
        .and_then(|t| t.params)
        .and_then(|p| p.metadata)
        .map(|p| p.0)
        .unwrap_or_default()
}
