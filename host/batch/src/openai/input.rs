//! Re-reading OpenAI input lines for their prompt: messages and metadata.
//!
//! Chat bodies give `messages`; Responses bodies give `instructions` (a
//! `system` message) and `input` (a string: one `user` message, or an array
//! of `{role, content}` items; items without a role, such as tool calls, are
//! skipped); embeddings bodies give `input` (a string or an array of
//! strings: `user` messages; token arrays are skipped).
//!
//! Invariant: message text is returned exactly as submitted (unescaped JSON
//! strings, no lossy conversion); array content keeps only its text parts,
//! joined with `\n`, in order.

use serde::Deserialize;

use crate::error::LineError;
use crate::json::{Content, parse_object};
use crate::str_pairs::StrPairs;

#[derive(Deserialize)]
struct Top {
    body: Option<Body>,
}

#[derive(Deserialize)]
struct Body {
    messages: Option<Vec<Message>>,
    instructions: Option<String>,
    input: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Message {
    role: Option<String>,
    content: Option<Content>,
}

/// Text of a Responses `content` value: a string, or the `text` of its
/// parts joined with `\n`.
fn value_text(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => Some(
            parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    }
}

/// The `(role, content)` pairs of a Responses / embeddings `input`.
fn input_pairs(instructions: Option<String>, input: serde_json::Value) -> Vec<(String, String)> {
    use serde_json::Value;
    let mut out: Vec<(String, String)> = instructions.map(|i| ("system".into(), i)).into_iter().collect();
    let user = |s: String| ("user".to_string(), s);
    match input {
        Value::String(s) => out.push(user(s)),
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(s) => out.push(user(s)),
                    Value::Object(m) => {
                        if let Some(role) = m.get("role").and_then(Value::as_str) {
                            let text = m.get("content").and_then(value_text).unwrap_or_default();
                            out.push((role.to_owned(), text));
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

/// The `(role, content)` pairs of `body.messages` (chat) or of
/// `body.instructions` + `body.input` (Responses, embeddings; see the
/// module docs). Array content is the text parts joined with `\n` (image
/// and other parts are skipped); null content is the empty string.
pub fn parse_input_messages(line: &[u8]) -> Result<Vec<(String, String)>, LineError> {
    let top: Top = parse_object(line)?;
    let body = top.body.ok_or(LineError::MissingField("body.messages"))?;
    let messages = match (body.messages, body.input) {
        (Some(m), _) => m,
        (None, Some(input)) => return Ok(input_pairs(body.instructions, input)),
        (None, None) => return Err(LineError::MissingField("body.messages")),
    };
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

/// The string pairs of `body.metadata`, in file order; empty when absent,
/// not an object, or the line does not parse (a non-string value as its JSON text).
pub fn parse_input_metadata(line: &[u8]) -> Vec<(String, String)> {
    parse_object::<MetaTop>(line)
        .ok()
        .and_then(|t| t.body)
        .and_then(|b| b.metadata)
        .map(|p| p.0)
        .unwrap_or_default()
}
