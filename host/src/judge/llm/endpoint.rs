//! The user's OpenAI-compatible chat endpoint, called by the host on a judge's
//! behalf.
//!
//! Invariant: the key is read once from the environment variable the user
//! named and only ever goes into the `Authorization` header; it is never passed
//! to a judge, logged, or written to the cache. Every call is bounded by the
//! grant's timeout, and every failure comes back as a `CallError` value.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::cache::CachedAnswer;

#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("--judge-key-env {0}: the environment variable is not set")]
    MissingKey(String),
    #[error("--judge-endpoint {url}: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// Why one call produced no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    Timeout(Duration),
    Endpoint(String),
}

pub struct Endpoint {
    url: String,
    key: Option<String>,
    client: reqwest::Client,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of debug output.
        f.debug_struct("Endpoint")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
pub struct WireMessage<'a> {
    pub role: &'a str,
    pub content: &'a str,
}

#[derive(Serialize)]
struct WireRequest<'a> {
    model: &'a str,
    messages: &'a [WireMessage<'a>],
    max_tokens: u32,
    temperature: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<ResponseFormat>,
}

#[derive(Serialize)]
struct ResponseFormat {
    r#type: &'static str,
}

#[derive(Deserialize)]
struct WireResponse {
    #[serde(default)]
    model: Option<String>,
    choices: Vec<WireChoice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct WireChoice {
    message: WireAnswer,
}

#[derive(Deserialize)]
struct WireAnswer {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

/// One request as the host sends it.
pub struct Call<'a> {
    pub model: &'a str,
    pub messages: &'a [WireMessage<'a>],
    pub max_tokens: u32,
    pub temperature: f32,
    pub json: bool,
}

impl Endpoint {
    /// `base` is the API root (`https://api.openai.com/v1`) or the full
    /// `.../chat/completions` URL; `key_env` names the variable holding the key.
    pub fn new(base: &str, key_env: Option<&str>) -> Result<Endpoint, EndpointError> {
        let url = if base.trim_end_matches('/').ends_with("/chat/completions") {
            base.trim_end_matches('/').to_owned()
        } else {
            format!("{}/chat/completions", base.trim_end_matches('/'))
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(EndpointError::BadUrl {
                url: base.to_owned(),
                reason: "must start with http:// or https://".into(),
            });
        }
        let key = match key_env {
            Some(var) => Some(std::env::var(var).map_err(|_| EndpointError::MissingKey(var.to_owned()))?),
            None => None,
        };
        let client = reqwest::Client::builder()
            .user_agent(concat!("assay/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| EndpointError::Client(e.to_string()))?;
        Ok(Endpoint { url, key, client })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Makes one chat completion call, bounded by `timeout`.
    pub async fn chat(&self, call: &Call<'_>, timeout: Duration) -> Result<CachedAnswer, CallError> {
        let body = WireRequest {
            model: call.model,
            messages: call.messages,
            max_tokens: call.max_tokens,
            temperature: call.temperature,
            response_format: call.json.then_some(ResponseFormat { r#type: "json_object" }),
        };
        let mut req = self.client.post(&self.url).json(&body);
        if let Some(key) = &self.key {
            req = req.bearer_auth(key);
        }
        let send = async {
            let resp = req.send().await.map_err(|e| CallError::Endpoint(describe(&e)))?;
            let status = resp.status();
            let bytes = resp.bytes().await.map_err(|e| CallError::Endpoint(describe(&e)))?;
            if !status.is_success() {
                let text = String::from_utf8_lossy(&bytes);
                let snippet: String = text.chars().take(200).collect();
                return Err(CallError::Endpoint(format!("HTTP {}: {snippet}", status.as_u16())));
            }
            parse_answer(&bytes, call.model)
        };
        match tokio::time::timeout(timeout, send).await {
            Ok(r) => r,
            Err(_) => Err(CallError::Timeout(timeout)),
        }
    }
}

/// reqwest's error without the URL's query string or anything else sensitive.
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "cannot connect"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_body() || e.is_decode() {
        "bad response body"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

fn parse_answer(bytes: &[u8], asked_model: &str) -> Result<CachedAnswer, CallError> {
    let resp: WireResponse = serde_json::from_slice(bytes)
        .map_err(|e| CallError::Endpoint(format!("the answer is not a chat completion: {e}")))?;
    let content = resp
        .choices
        .into_iter()
        .next()
        .and_then(|c| c.message.content)
        .ok_or_else(|| CallError::Endpoint("the answer has no choices[0].message.content".into()))?;
    let usage = resp.usage.unwrap_or(WireUsage {
        prompt_tokens: 0,
        completion_tokens: 0,
    });
    Ok(CachedAnswer {
        content,
        model: resp.model.unwrap_or_else(|| asked_model.to_owned()),
        input_tokens: usage.prompt_tokens,
        output_tokens: usage.completion_tokens,
    })
}

#[cfg(test)]
mod tests;
