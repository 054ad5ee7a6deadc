//! Deterministic answers: the same seed, request and path (batch or sync)
//! always give the same chat completion, Responses or embeddings body.
//!
//! Invariant: an answer depends only on (seed, custom id, request body, path,
//! profile), never on time or request order, so reruns compare exactly.

use serde_json::{Value, json};

use crate::profile::Profile;

/// SplitMix64 over a running state: a small, well-mixed, dependency-free PRNG.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a folded through `mix`: a stable hash of `bytes` under `seed`.
pub fn hash(seed: u64, bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// Which path an answer is for: batch answers may be degraded by the
/// profile's quality gap, sync answers never are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    Batch,
    Sync,
}

/// The row's facts that shape its answer.
pub struct Ask<'a> {
    pub seed: u64,
    pub custom_id: &'a str,
    /// Position in the input file (sync requests: none).
    pub index: Option<usize>,
    pub body: &'a Value,
    pub path: Path,
    pub created: u64,
}

const FILLER: [&str; 8] = [
    "The answer is",
    "In short,",
    "Briefly:",
    "Here it is:",
    "Result:",
    "Summary:",
    "Answer:",
    "Put simply,",
];

pub(crate) fn words(v: &Value) -> usize {
    match v {
        Value::String(s) => s.split_whitespace().count(),
        Value::Array(a) => a.iter().map(words).sum(),
        Value::Object(o) => o.values().map(words).sum(),
        _ => 0,
    }
}

/// The prompt of a request: chat `messages`, or Responses / embeddings `input`.
fn prompt(body: &Value) -> &Value {
    body.get("messages")
        .or_else(|| body.get("input"))
        .unwrap_or(&Value::Null)
}

/// The text a healthy model answers: the row's `metadata.reference` when the
/// request carries one (so reference judges pass), otherwise filler seeded by
/// the prompt, so the batch and sync paths agree on the same request.
fn good_text(ask: &Ask) -> String {
    if let Some(r) = ask.body.pointer("/metadata/reference").and_then(Value::as_str) {
        return r.to_owned();
    }
    let messages = prompt(ask.body).to_string();
    let h = hash(ask.seed, messages.as_bytes());
    format!("{} {:04x}.", FILLER[(h % 8) as usize], h & 0xffff)
}

/// Renames every top-level key of a JSON object answer, or prefixes plain text.
fn drifted(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => {
            let renamed: serde_json::Map<String, Value> = o.into_iter().map(|(k, v)| (format!("{k}_v2"), v)).collect();
            Value::Object(renamed).to_string()
        }
        _ => format!("[v2] {text}"),
    }
}

pub fn degraded(ask: &Ask, profile: &Profile) -> bool {
    ask.path == Path::Batch
        && profile.quality_gap > 0.0
        && (hash(ask.seed ^ 0x9a9, ask.custom_id.as_bytes()) % 10_000) as f64 / 10_000.0 < profile.quality_gap
}

/// The answer's text: degraded by the quality gap (batch path), drifted in
/// shape within `drift_rows`, else the healthy text.
pub fn answer_text(ask: &Ask, profile: &Profile) -> String {
    let mut text = if degraded(ask, profile) {
        "I am not able to answer that right now.".to_owned()
    } else {
        good_text(ask)
    };
    if ask
        .index
        .is_some_and(|i| profile.drift_rows.is_some_and(|[a, b]| (a..b).contains(&i)))
    {
        text = drifted(&text);
    }
    text
}

/// What every answer shape shares: model, fingerprint, text (`None` when
/// the profile filters the row) and token counts.
struct Said {
    model: String,
    fp: &'static str,
    text: Option<String>,
    prompt_tokens: usize,
    completion_tokens: usize,
    id_hash: u64,
}

fn said(ask: &Ask, profile: &Profile) -> Said {
    let idx = ask.index.unwrap_or(0);
    let rotated = ask.index.is_some() && profile.rotate_at.is_some_and(|r| idx >= r);
    let requested = ask.body.get("model").and_then(Value::as_str).unwrap_or("emu-model");
    let (model, fp) = if rotated {
        (format!("{requested}-rotated"), "fp_emu_b")
    } else {
        (requested.to_owned(), "fp_emu_a")
    };
    let filtered = ask.index.is_some() && profile.content_filter_rows.contains(&idx);
    let text = answer_text(ask, profile);
    let completion_tokens = if filtered {
        0
    } else {
        text.split_whitespace().count().max(1)
    };
    Said {
        model,
        fp,
        text: (!filtered).then_some(text),
        prompt_tokens: 8 + words(prompt(ask.body)),
        completion_tokens,
        id_hash: hash(ask.seed, ask.custom_id.as_bytes()),
    }
}

/// The body a batch `endpoint` (or sync path) answers with: Responses for
/// `…/responses`, embeddings for `…/embeddings`, else a chat completion.
pub fn for_endpoint(endpoint: &str, ask: &Ask, profile: &Profile) -> Value {
    let path = endpoint.split('?').next().unwrap_or_default();
    if path.ends_with("/responses") {
        response(ask, profile)
    } else if path.ends_with("/embeddings") {
        embeddings(ask)
    } else {
        chat_completion(ask, profile)
    }
}

/// (input, output) tokens of any answer body.
pub fn tokens(body: &Value) -> (u64, u64) {
    let u = |k: &str| body.pointer(&format!("/usage/{k}")).and_then(Value::as_u64);
    (
        u("prompt_tokens").or_else(|| u("input_tokens")).unwrap_or(0),
        u("completion_tokens").or_else(|| u("output_tokens")).unwrap_or(0),
    )
}

/// A Responses API body (`object: "response"`); a filtered row is
/// `incomplete` with reason `content_filter`.
pub fn response(ask: &Ask, profile: &Profile) -> Value {
    let s = said(ask, profile);
    let (status, incomplete, output) = match &s.text {
        Some(t) => (
            "completed",
            Value::Null,
            json!([{"type": "message", "id": format!("msg_emu{:012x}", s.id_hash), "status": "completed", "role": "assistant",
                    "content": [{"type": "output_text", "text": t, "annotations": []}]}]),
        ),
        None => ("incomplete", json!({"reason": "content_filter"}), json!([])),
    };
    json!({
        "id": format!("resp_emu{:012x}", s.id_hash),
        "object": "response",
        "created_at": ask.created,
        "status": status,
        "error": null,
        "incomplete_details": incomplete,
        "model": s.model,
        "output": output,
        "usage": {
            "input_tokens": s.prompt_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": s.completion_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": s.prompt_tokens + s.completion_tokens
        }
    })
}

/// An embeddings list: one seeded 8-dimensional unit-ish vector per input.
pub fn embeddings(ask: &Ask) -> Value {
    let inputs: Vec<&Value> = match ask.body.get("input") {
        Some(Value::Array(a)) if !a.iter().all(Value::is_number) => a.iter().collect(),
        Some(v) => vec![v],
        None => vec![],
    };
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut h = hash(ask.seed, v.to_string().as_bytes());
            let vec: Vec<f64> = (0..8)
                .map(|_| {
                    h = mix(h);
                    ((h % 2001) as f64 - 1000.0) / 1000.0
                })
                .collect();
            json!({"object": "embedding", "index": i, "embedding": vec})
        })
        .collect();
    let tokens = 1 + words(ask.body.get("input").unwrap_or(&Value::Null));
    json!({
        "object": "list",
        "data": data,
        "model": ask.body.get("model").and_then(Value::as_str).unwrap_or("emu-embedding"),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens}
    })
}

/// The chat.completion body for a request.
pub fn chat_completion(ask: &Ask, profile: &Profile) -> Value {
    let Said {
        model,
        fp,
        text,
        prompt_tokens,
        completion_tokens,
        id_hash: h,
    } = said(ask, profile);
    let (content, finish) = match text {
        None => (Value::Null, "content_filter"),
        Some(t) => (Value::String(t), "stop"),
    };
    json!({
        "id": format!("chatcmpl-emu{h:012x}"),
        "object": "chat.completion",
        "created": ask.created,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null}, "logprobs": null, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        },
        "system_fingerprint": fp,
        "service_tier": "default"
    })
}

#[cfg(test)]
mod tests;
