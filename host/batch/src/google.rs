//! Google batch lines: Gemini Developer API batch mode ([`gemini`]) and
//! Vertex AI batch prediction ([`vertex`]). Both carry a
//! `GenerateContentResponse`, classified here the same way.
//!
//! Classification of a response (`candidates[0]`, the rest are skipped):
//! * `finishReason` `STOP` → `Completed`; `MAX_TOKENS` → `Completed` +
//!   truncated; `SAFETY`, `PROHIBITED_CONTENT`, `BLOCKLIST`, `SPII`,
//!   `RECITATION`, `IMAGE_SAFETY`, `IMAGE_PROHIBITED_CONTENT`,
//!   `IMAGE_RECITATION` → `ContentFilter`; any other value (`OTHER`,
//!   `LANGUAGE`, `MALFORMED_FUNCTION_CALL`, values added later, or none) →
//!   `Completed`, with `finish_reason` kept so reports can show it.
//! * no candidates and `promptFeedback.blockReason` set → `ContentFilter`
//!   (`error_code` = the block reason, `error_message` = its message);
//!   no candidates and no block reason → `ProviderError(Other)`, code
//!   `empty_response`.
//! * `response_text`: the `text` of `candidates[0].content.parts[]`
//!   concatenated without separator, skipping thought parts
//!   (`"thought": true`), borrowed when there is one part. `model`:
//!   `modelVersion`.
//! * an embeddings response (`embedding`, or `embeddings` for a batch
//!   embed request) → `Completed` with no text and no finish reason;
//!   usage `input` = `tokenCount`, `output` = 0.
//! * usage: `input` = `promptTokenCount` (includes cached) +
//!   `toolUsePromptTokenCount`; `output` = `candidatesTokenCount` +
//!   `thoughtsTokenCount`; `reasoning` = `thoughtsTokenCount`;
//!   `cached_input` = `cachedContentTokenCount`. So `input + output` is
//!   `totalTokenCount`.
//!
//! Errors ([`error_status`]): a `google.rpc.Status`-like `{code, message,
//! status}`. The status name wins over the code; codes below 100 are gRPC
//! codes, others HTTP. `RESOURCE_EXHAUSTED` / 429 / 8 → rate limit;
//! `DEADLINE_EXCEEDED` / 504 / 408 / 4 → `Timeout`; `CANCELLED` / 499 / 1 →
//! `Canceled`; other 5xx (`INTERNAL`, `UNAVAILABLE`, `UNKNOWN`, ...) →
//! server error; other 4xx (`INVALID_ARGUMENT`, `NOT_FOUND`, ...) →
//! invalid request; anything else → `Other`. `error_code` is the status
//! name, else the code as given.
//!
//! camelCase field names are read, snake_case ones accepted as aliases.
//!
//! Invariant: every result line becomes exactly one `ResultLine` or a
//! `LineError` saying why not; unknown finish reasons, block reasons and
//! error codes land in catch-all arms, never dropped.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};

use crate::json::{First, Str, Text, cow};
pub use crate::row::{InputLine, Outcome, ProviderOptions, ResultLine};
use crate::status::{ErrorKind, Status, Usage};

mod batch;
mod canon;
mod error;
pub mod gemini;
mod input;
mod path;
mod scan;
pub mod vertex;

pub use batch::parse_batch_object;
pub use canon::request_hash_id;
pub use error::error_status;
pub(crate) use error::{RawError, error_outcome};

/// An int64 count: a JSON number or a decimal string (proto3 JSON writes
/// int64 as strings); `null` is `None` through `Option`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Int(pub u64);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative integer or a decimal string")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
                Ok(Int(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
                u64::try_from(v)
                    .map(Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Int, E> {
                v.parse()
                    .map(Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// A `GenerateContentResponse`. `Default` (nothing read) is where the
/// quick scan fills one in place: the record is some 200 bytes, and each
/// move of it through the readers' layers was a `memcpy`.
#[derive(Deserialize, Default)]
pub(crate) struct RawResponse<'a> {
    #[serde(borrow)]
    candidates: Option<First<RawCandidate<'a>>>,
    #[serde(borrow, rename = "promptFeedback", alias = "prompt_feedback")]
    prompt_feedback: Option<RawFeedback<'a>>,
    #[serde(rename = "usageMetadata", alias = "usage_metadata")]
    usage: Option<RawUsage>,
    #[serde(borrow, rename = "modelVersion", alias = "model_version")]
    model_version: Option<Str<'a>>,
    /// An `EmbedContentResponse` (`embedding`) or a batch one (`embeddings`).
    embedding: Option<IgnoredAny>,
    embeddings: Option<IgnoredAny>,
    /// The embedding request's input tokens.
    #[serde(default, rename = "tokenCount", alias = "token_count")]
    token_count: Int,
}

#[derive(Deserialize)]
struct RawCandidate<'a> {
    #[serde(borrow)]
    content: Option<RawContent<'a>>,
    #[serde(borrow, rename = "finishReason", alias = "finish_reason")]
    finish_reason: Option<Str<'a>>,
    #[serde(borrow, rename = "finishMessage", alias = "finish_message")]
    finish_message: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct RawContent<'a> {
    #[serde(borrow)]
    parts: Option<Parts<'a>>,
}

#[derive(Deserialize)]
struct RawPart<'a> {
    #[serde(borrow)]
    text: Option<Text<'a>>,
    #[serde(default)]
    thought: Option<bool>,
}

/// The concatenated non-thought text of a `parts` array.
struct Parts<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Parts<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Parts<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of parts")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parts<'a>, A::Error> {
                let mut text: Option<Cow<'a, str>> = None;
                while let Some(p) = seq.next_element::<RawPart<'de>>()? {
                    let Some(t) = p.text else { continue };
                    if p.thought == Some(true) {
                        continue;
                    }
                    match &mut text {
                        None => text = Some(t.0),
                        Some(acc) => acc.to_mut().push_str(&t.0),
                    }
                }
                Ok(Parts(text))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

#[derive(Deserialize)]
struct RawFeedback<'a> {
    #[serde(borrow, rename = "blockReason", alias = "block_reason")]
    block_reason: Option<Str<'a>>,
    #[serde(borrow, rename = "blockReasonMessage", alias = "block_reason_message")]
    block_reason_message: Option<Str<'a>>,
}

/// Counts absent are 0; `null` or a value that is not a count makes the
/// line bad (proto3 JSON omits zero counts, it never writes `null`).
#[derive(Deserialize)]
struct RawUsage {
    #[serde(default, rename = "promptTokenCount", alias = "prompt_token_count")]
    prompt: Int,
    #[serde(default, rename = "candidatesTokenCount", alias = "candidates_token_count")]
    candidates: Int,
    #[serde(default, rename = "thoughtsTokenCount", alias = "thoughts_token_count")]
    thoughts: Int,
    #[serde(default, rename = "cachedContentTokenCount", alias = "cached_content_token_count")]
    cached: Int,
    #[serde(default, rename = "toolUsePromptTokenCount", alias = "tool_use_prompt_token_count")]
    tool_use: Int,
}

impl RawUsage {
    fn normalized(&self) -> Usage {
        let thoughts = self.thoughts.0;
        Usage {
            input: self.prompt.0.saturating_add(self.tool_use.0),
            output: self.candidates.0.saturating_add(thoughts),
            cached_input: self.cached.0,
            cache_write: 0,
            reasoning: thoughts,
        }
    }
}

/// Status and truncation of a Gemini `finishReason` (see the module docs).
pub fn finish_reason_status(reason: &str) -> (Status, bool) {
    match reason {
        "MAX_TOKENS" => (Status::Completed, true),
        "SAFETY"
        | "PROHIBITED_CONTENT"
        | "BLOCKLIST"
        | "SPII"
        | "RECITATION"
        | "IMAGE_SAFETY"
        | "IMAGE_PROHIBITED_CONTENT"
        | "IMAGE_RECITATION" => (Status::ContentFilter, false),
        _ => (Status::Completed, false),
    }
}

/// Model and usage of a response, for any outcome.
fn response_info<'a>(o: &mut Outcome<'a>, resp: &mut RawResponse<'a>) {
    o.model = resp.model_version.take().map(|s| s.0);
    if let Some(u) = &resp.usage {
        o.usage = u.normalized();
    }
}

/// Classifies a response that came back without an error into `o` (a
/// fresh [`Outcome::new`] of `Completed`), taking what it uses out of `resp`.
pub(crate) fn classify_response<'a>(resp: &mut RawResponse<'a>, o: &mut Outcome<'a>) {
    response_info(o, resp);
    let Some(First(Some(cand))) = &mut resp.candidates else {
        if resp.embedding.is_some() || resp.embeddings.is_some() {
            o.usage.input = resp.token_count.0;
            return;
        }
        match resp
            .prompt_feedback
            .take()
            .and_then(|f| cow(f.block_reason).map(|r| (r, cow(f.block_reason_message))))
        {
            Some((reason, message)) => {
                o.status = Status::ContentFilter;
                o.error_code = Some(reason);
                o.error_message = message;
            }
            None => {
                o.status = Status::ProviderError;
                o.error_kind = Some(ErrorKind::Other);
                o.error_code = Some(Cow::Borrowed("empty_response"));
            }
        }
        return;
    };
    o.response_text = cand.content.take().and_then(|c| c.parts).and_then(|p| p.0);
    o.finish_reason = cow(cand.finish_reason.take());
    if let Some(r) = o.finish_reason.as_deref() {
        let (status, truncated) = finish_reason_status(r);
        o.status = status;
        o.truncated = truncated;
        if status == Status::ContentFilter {
            o.error_message = cow(cand.finish_message.take());
        }
    }
}

/// The outcome of a line's error (`o`, already classified) and maybe a
/// response: the error decides the status; model and usage still come
/// from the response.
pub(crate) fn error_with_response<'a>(o: &mut Outcome<'a>, resp: Option<&mut RawResponse<'a>>) {
    if let Some(r) = resp {
        response_info(o, r);
    }
}

/// An outcome that borrows nothing (for fields read out of a temporary).
pub(crate) fn into_owned(o: Outcome<'_>) -> Outcome<'static> {
    let own = |c: Option<Cow<'_, str>>| c.map(|c| Cow::Owned(c.into_owned()));
    Outcome {
        status: o.status,
        error_kind: o.error_kind,
        error_code: own(o.error_code),
        error_message: own(o.error_message),
        http_status: o.http_status,
        truncated: o.truncated,
        finish_reason: own(o.finish_reason),
        response_text: own(o.response_text),
        model: own(o.model),
        snapshot: own(o.snapshot),
        usage: o.usage,
        created: o.created,
    }
}

#[cfg(test)]
mod tests;
