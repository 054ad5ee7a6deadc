//! Deterministic Anthropic `Message` bodies, from the same text the
//! OpenAI answers use, so one seed gives one answer on either API.
//!
//! Invariant: a message depends only on (seed, custom id, params, path,
//! profile), never on time or request order.

use serde_json::{Value, json};

use crate::answer::{Ask, Path, answer_text, hash, words};
use crate::profile::Profile;

/// The `Message` for a request's `params` (in `ask.body`).
pub fn message(ask: &Ask, profile: &Profile) -> Value {
    let idx = ask.index.unwrap_or(0);
    let rotated = ask.index.is_some() && profile.rotate_at.is_some_and(|r| idx >= r);
    let requested = ask.body.get("model").and_then(Value::as_str).unwrap_or("claude-emu");
    let model = if rotated {
        format!("{requested}-rotated")
    } else {
        requested.to_owned()
    };
    let filtered = ask.index.is_some() && profile.content_filter_rows.contains(&idx);
    let h = hash(ask.seed, ask.custom_id.as_bytes());
    let input_tokens = 8
        + words(ask.body.get("messages").unwrap_or(&Value::Null))
        + words(ask.body.get("system").unwrap_or(&Value::Null));
    let tier = if ask.path == Path::Batch { "batch" } else { "standard" };
    let (content, stop, stop_details, output_tokens) = if filtered {
        (
            json!([]),
            "refusal",
            json!({"type": "refusal", "category": null, "explanation": "Emulated refusal from the profile."}),
            0,
        )
    } else {
        let text = answer_text(ask, profile);
        let n = text.split_whitespace().count().max(1);
        (json!([{"type": "text", "text": text}]), "end_turn", Value::Null, n)
    };
    let mut m = json!({
        "id": format!("msg_emu{h:016x}"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": null,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "service_tier": tier
        }
    });
    if !stop_details.is_null() {
        m["stop_details"] = stop_details;
    }
    m
}
