//! Azure OpenAI's spelling of the same API: `/openai/files`,
//! `/openai/batches`, `/openai/deployments/{deployment}/chat/completions`
//! and `/embeddings`, `/openai/responses`, each with `?api-version=`, and
//! Azure's result shapes (no top-level `id` on a batch result line; content
//! filter annotations on every chat choice).
//!
//! Invariant: an Azure path is served exactly as the OpenAI path it stands
//! for, after its api-version is checked; only the shapes Azure documents
//! differently are changed.

use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use crate::body::Body;
use crate::server::error_response;

/// An Azure path translated: the OpenAI path it stands for and the
/// deployment its URL names.
pub struct Translated {
    pub path: String,
    pub deployment: Option<String>,
}

pub fn is_azure(path: &str) -> bool {
    path.starts_with("/openai/")
}

/// The answer to an Azure request without an api-version.
pub fn missing_api_version() -> Response<Body> {
    error_response(
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "missing_api_version",
        "The emulator's Azure routes need the api-version query parameter.",
    )
}

/// The OpenAI route for an Azure path; `None` without an api-version.
pub fn translate(path: &str, query: &str) -> Option<Translated> {
    let has_version = query
        .split('&')
        .any(|kv| kv.strip_prefix("api-version=").is_some_and(|v| !v.is_empty()));
    if !has_version {
        return None;
    }
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (path, deployment) = match segs.as_slice() {
        ["openai", "deployments", d, rest @ ..] => (format!("/v1/{}", rest.join("/")), Some((*d).to_owned())),
        ["openai", "v1", rest @ ..] | ["openai", rest @ ..] => (format!("/v1/{}", rest.join("/")), None),
        _ => (path.to_owned(), None),
    };
    Some(Translated { path, deployment })
}

/// The annotations Azure puts on a chat choice: all safe, or violence
/// filtered when the choice was stopped by the filter.
fn filter_results(filtered: bool) -> Value {
    let safe = json!({"filtered": false, "severity": "safe"});
    let violence = if filtered {
        json!({"filtered": true, "severity": "medium"})
    } else {
        safe.clone()
    };
    json!({"hate": safe, "self_harm": safe, "sexual": safe, "violence": violence})
}

/// A chat completion body in Azure's shape (other bodies are unchanged).
pub fn shape_body(body: &mut Value) {
    if body.get("object").and_then(Value::as_str) != Some("chat.completion") {
        return;
    }
    if let Some(choices) = body.get_mut("choices").and_then(Value::as_array_mut) {
        for c in choices {
            let filtered = c.get("finish_reason").and_then(Value::as_str) == Some("content_filter");
            c["content_filter_results"] = filter_results(filtered);
        }
    }
    body["prompt_filter_results"] = json!([{"prompt_index": 0, "content_filter_results": filter_results(false)}]);
}

/// A batch result line in Azure's shape: no top-level `id`, an Azure body.
pub fn shape_line(line: &mut Value) {
    if let Some(o) = line.as_object_mut() {
        o.remove("id");
    }
    if let Some(b) = line.pointer_mut("/response/body") {
        shape_body(b);
    }
}

#[cfg(test)]
mod tests;
