//! A row a judge failed on, as one line of `assay judge test --rows`, so an
//! author can replay that row alone under the same sandbox.
//!
//! Invariant: the line holds every field of the row that `judge test` can set
//! (id, response, prompt, metadata, model, finish reason, truncation, token
//! counts) and reads back to the same `Row`, apart from what a golden row
//! cannot carry (provider, index, segment, attempt, the other flags).

use serde_json::{Map, Value, json};

use super::bindings::types::{Row, RowFlags};

/// `row` as a `judge test` golden row (one JSON line, no newline).
pub fn golden_row(row: &Row<'_>) -> String {
    let prompt: Vec<Value> = row
        .prompt
        .iter()
        .map(|m| json!({ "role": m.role, "content": m.content }))
        .collect();
    let metadata: Map<String, Value> = row
        .metadata
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect();
    let mut line = json!({
        "id": row.id,
        "response": row.response,
        "model": row.model,
        "truncated": row.flags.contains(RowFlags::TRUNCATED),
        "usage": { "input": row.usage.input_tokens, "output": row.usage.output_tokens },
    });
    if let Value::Object(o) = &mut line {
        if !prompt.is_empty() {
            o.insert("prompt".into(), Value::Array(prompt));
        }
        if !metadata.is_empty() {
            o.insert("metadata".into(), Value::Object(metadata));
        }
        if let Some(f) = row.finish_reason {
            o.insert("finish_reason".into(), Value::String(f.to_owned()));
        }
    }
    line.to_string()
}
