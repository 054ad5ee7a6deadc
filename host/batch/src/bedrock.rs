//! AWS Bedrock batch inference (model invocation jobs): input records
//! (`{recordId, modelInput}`), `<input>.jsonl.out` result records, and the
//! job's own account (`manifest.json.out` or a `GetModelInvocationJob`
//! response).
//!
//! Join key: `recordId`. Bedrock invents one when an input record has none,
//! so such a record can never be joined to its result: the input line is
//! rejected with `MissingField("recordId")` — inputs must carry recordIds.
//!
//! `modelOutput` is the model's native response. Recognized shapes, tried
//! in this order:
//! * Converse / Amazon Nova: `output.message.content[].text`, `stopReason`,
//!   `usage{inputTokens, outputTokens, cacheRead/WriteInputTokens}` (Nova's
//!   InvokeModel spelling `cacheRead/WriteInputTokenCount` too);
//! * Meta Llama: `generation`, `stop_reason`, `prompt_token_count`,
//!   `generation_token_count`;
//! * Mistral: `outputs[0].{text, stop_reason}`;
//! * OpenAI-compatible chat: `choices[0].{message.content, finish_reason}`,
//!   `usage{prompt_tokens, completion_tokens}`;
//! * Amazon Titan text: `results[0].{outputText, tokenCount,
//!   completionReason}`, `inputTextTokenCount`;
//! * Anthropic Claude Messages: `content[]`, `stop_reason`, `model`, `usage`.
//!
//! Stop reasons: `refusal`, `guardrail_intervened`, `content_filtered`,
//! `CONTENT_FILTERED`, `content_filter` → `ContentFilter`; `max_tokens`,
//! `model_context_window_exceeded`, `LENGTH`, `length` → `Completed` +
//! truncated; anything else → `Completed`. A `modelOutput` of none of these
//! shapes is still a completed row (Bedrock ran it): `Completed` with no
//! response text and `error_code: "unrecognized_model_output"`.
//!
//! `error.errorCode` (an integer; a string is accepted) → 429 rate limit;
//! 408, 504 → `Timeout`; other 5xx → server error; other 4xx → invalid
//! request; AWS exception names (`ThrottlingException`, ...) likewise; any
//! other code → `Other`. The code is kept as a string in `error_code`.
//!
//! Invariant: every result line becomes exactly one `ResultLine` or a
//! `LineError`; usage `input` includes cache reads and writes.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::anthropic::input::{Msg, Prompt};
use crate::anthropic::message::{Blocks, normalized};
use crate::batch_object::BatchObject;
use crate::error::LineError;
use crate::json::Content;
use crate::json::{First, LooseStr, Str, Text, Tok, cow, loose, parse_object};
pub use crate::row::{InputLine, Outcome, ProviderOptions, ResultLine};
use crate::status::{ErrorKind, Status};

#[derive(Deserialize)]
struct RawInput<'a> {
    #[serde(borrow, rename = "recordId")]
    record_id: Option<Str<'a>>,
    #[serde(borrow, rename = "modelInput")]
    model_input: Option<RawModelInput<'a>>,
}

#[derive(Deserialize)]
struct RawModelInput<'a> {
    #[serde(borrow)]
    model: Option<Str<'a>>,
}

/// Parses an input record. The model is set per job, so `model` is `None`
/// unless `modelInput.model` names one.
pub fn parse_input_line<'a>(line: &'a [u8], _opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    let raw: RawInput = parse_object(line)?;
    let custom_id = cow(raw.record_id).ok_or(LineError::MissingField("recordId"))?;
    let body = raw.model_input.ok_or(LineError::MissingField("modelInput"))?;
    Ok(InputLine {
        custom_id,
        model: cow(body.model),
        url: None,
    })
}

#[derive(Deserialize)]
struct RawResult<'a> {
    #[serde(borrow, rename = "recordId")]
    record_id: Option<Str<'a>>,
    #[serde(borrow, rename = "modelOutput")]
    model_output: Option<RawOutput<'a>>,
    #[serde(borrow)]
    error: Option<RawError<'a>>,
}

/// The result record with `modelOutput` skipped, for outputs whose field
/// types match no known shape.
#[derive(Deserialize)]
struct LooseResult<'a> {
    #[serde(borrow, rename = "recordId")]
    record_id: Option<Str<'a>>,
    #[serde(rename = "modelOutput")]
    model_output: Option<IgnoredAny>,
    #[serde(borrow)]
    error: Option<RawError<'a>>,
}

#[derive(Deserialize)]
struct RawError<'a> {
    #[serde(borrow, rename = "errorCode")]
    code: Option<LooseStr<'a>>,
    #[serde(borrow, rename = "errorMessage")]
    message: Option<Str<'a>>,
}

/// Every recognized `modelOutput` shape, flattened (see the module docs).
#[derive(Deserialize)]
struct RawOutput<'a> {
    // Claude Messages
    #[serde(borrow)]
    content: Option<Blocks<'a>>,
    #[serde(borrow)]
    stop_reason: Option<Str<'a>>,
    #[serde(borrow)]
    model: Option<Str<'a>>,
    // Converse / Nova
    #[serde(borrow)]
    output: Option<ConverseOutput<'a>>,
    #[serde(borrow, rename = "stopReason")]
    stop_reason_camel: Option<Str<'a>>,
    // Titan
    #[serde(rename = "inputTextTokenCount")]
    input_text_token_count: Option<Tok>,
    #[serde(borrow)]
    results: Option<First<TitanResult<'a>>>,
    // Llama
    #[serde(borrow)]
    generation: Option<Text<'a>>,
    prompt_token_count: Option<Tok>,
    generation_token_count: Option<Tok>,
    // Mistral
    #[serde(borrow)]
    outputs: Option<First<MistralOutput<'a>>>,
    // OpenAI-compatible chat
    #[serde(borrow)]
    choices: Option<First<Choice<'a>>>,
    usage: Option<RawUsage>,
}

#[derive(Deserialize)]
struct ConverseOutput<'a> {
    #[serde(borrow)]
    message: Option<ConverseMessage<'a>>,
}

#[derive(Deserialize)]
struct ConverseMessage<'a> {
    #[serde(borrow)]
    content: Option<Blocks<'a>>,
}

#[derive(Deserialize)]
struct TitanResult<'a> {
    #[serde(borrow, rename = "outputText")]
    output_text: Option<Text<'a>>,
    #[serde(default, rename = "tokenCount")]
    token_count: Tok,
    #[serde(borrow, rename = "completionReason")]
    completion_reason: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct MistralOutput<'a> {
    #[serde(borrow)]
    text: Option<Text<'a>>,
    #[serde(borrow)]
    stop_reason: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct Choice<'a> {
    #[serde(borrow)]
    message: Option<ChoiceMessage<'a>>,
    #[serde(borrow)]
    finish_reason: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct ChoiceMessage<'a> {
    #[serde(borrow)]
    content: Option<Text<'a>>,
}

/// Claude, Converse (and Nova) and OpenAI usage names together: a body
/// uses one set, so summing the sets gives that body's counts.
#[derive(Deserialize, Default)]
struct RawUsage {
    #[serde(default)]
    input_tokens: Tok,
    #[serde(default)]
    output_tokens: Tok,
    #[serde(default)]
    cache_creation_input_tokens: Tok,
    #[serde(default)]
    cache_read_input_tokens: Tok,
    #[serde(default, rename = "inputTokens")]
    input_tokens_camel: Tok,
    #[serde(default, rename = "outputTokens")]
    output_tokens_camel: Tok,
    #[serde(default, rename = "cacheReadInputTokens", alias = "cacheReadInputTokenCount")]
    cache_read_camel: Tok,
    #[serde(default, rename = "cacheWriteInputTokens", alias = "cacheWriteInputTokenCount")]
    cache_write_camel: Tok,
    /// OpenAI-compatible: includes cached tokens.
    #[serde(default)]
    prompt_tokens: Tok,
    #[serde(default)]
    completion_tokens: Tok,
}

/// Parses and classifies one line of a `.jsonl.out` file. If a line has
/// both `error` and `modelOutput`, the error decides.
pub fn parse_result_line<'a>(line: &'a [u8], _opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    let raw: RawResult = match parse_object(line) {
        Ok(r) => r,
        Err(LineError::WrongShape(why)) => return unrecognized(line, why),
        Err(e) => return Err(e),
    };
    let custom_id = cow(raw.record_id).ok_or(LineError::MissingField("recordId"))?;
    let outcome = match (raw.error, raw.model_output) {
        (Some(err), _) => classify_error(err),
        (None, Some(out)) => classify_output(out),
        (None, None) => {
            return Err(LineError::WrongShape(
                "both `modelOutput` and `error` are null or absent".into(),
            ));
        }
    };
    Ok(ResultLine { custom_id, outcome })
}

/// The typed parse failed on a field type: if the record is well-formed
/// apart from `modelOutput`, the row completed with an output of unknown shape.
#[cold]
fn unrecognized(line: &[u8], why: String) -> Result<ResultLine<'_>, LineError> {
    let raw: LooseResult = parse_object(line)?;
    let custom_id = cow(raw.record_id).ok_or(LineError::MissingField("recordId"))?;
    let outcome = match (raw.error, raw.model_output) {
        (Some(err), _) => classify_error(err),
        (None, Some(_)) => {
            let mut o = Outcome::new(Status::Completed);
            o.error_code = Some(Cow::Borrowed(UNRECOGNIZED));
            o.error_message = Some(Cow::Owned(format!("modelOutput: {why}")));
            o
        }
        (None, None) => return Err(LineError::WrongShape(why)),
    };
    Ok(ResultLine { custom_id, outcome })
}

/// `error_code` of a completed row whose `modelOutput` has no known shape.
pub const UNRECOGNIZED: &str = "unrecognized_model_output";

fn classify_output(out: RawOutput<'_>) -> Outcome<'_> {
    let mut o = Outcome::new(Status::Completed);
    let u = out.usage.unwrap_or_default();
    o.usage = normalized(
        u.input_tokens.0.saturating_add(u.input_tokens_camel.0),
        u.output_tokens.0.saturating_add(u.output_tokens_camel.0),
        u.cache_read_input_tokens.0.saturating_add(u.cache_read_camel.0),
        u.cache_creation_input_tokens.0.saturating_add(u.cache_write_camel.0),
    );
    o.usage.input = o.usage.input.saturating_add(u.prompt_tokens.0);
    o.usage.output = o.usage.output.saturating_add(u.completion_tokens.0);
    if let Some(conv) = out.output {
        o.response_text = conv.message.and_then(|m| m.content).and_then(Blocks::response_text);
        o.finish_reason = cow(out.stop_reason_camel);
    } else if let Some(g) = out.generation {
        o.response_text = Some(g.0);
        o.finish_reason = cow(out.stop_reason);
        o.usage.input = o
            .usage
            .input
            .saturating_add(out.prompt_token_count.unwrap_or_default().0);
        o.usage.output = o
            .usage
            .output
            .saturating_add(out.generation_token_count.unwrap_or_default().0);
    } else if let Some(First(first)) = out.outputs {
        if let Some(m) = first {
            o.response_text = m.text.map(|t| t.0);
            o.finish_reason = cow(m.stop_reason);
        }
    } else if let Some(First(first)) = out.choices {
        if let Some(c) = first {
            o.response_text = c.message.and_then(|m| m.content).map(|t| t.0);
            o.finish_reason = cow(c.finish_reason);
        }
        o.model = cow(out.model);
    } else if let Some(First(first)) = out.results {
        o.usage.input = o
            .usage
            .input
            .saturating_add(out.input_text_token_count.unwrap_or_default().0);
        if let Some(r) = first {
            o.response_text = r.output_text.map(|t| t.0);
            o.finish_reason = cow(r.completion_reason);
            o.usage.output = o.usage.output.saturating_add(r.token_count.0);
        }
    } else if out.content.is_some() || out.stop_reason.is_some() {
        o.response_text = out.content.and_then(Blocks::response_text);
        o.finish_reason = cow(out.stop_reason);
        o.model = cow(out.model);
    } else {
        o.error_code = Some(Cow::Borrowed(UNRECOGNIZED));
        return o;
    }
    match o.finish_reason.as_deref() {
        Some("refusal" | "guardrail_intervened" | "content_filtered" | "CONTENT_FILTERED" | "content_filter") => {
            o.status = Status::ContentFilter;
        }
        Some("max_tokens" | "model_context_window_exceeded" | "LENGTH" | "length") => o.truncated = true,
        _ => {}
    }
    o
}

fn classify_error(err: RawError<'_>) -> Outcome<'_> {
    let code = loose(err.code);
    let (status, kind, http) = error_code_status(code.as_deref());
    let mut o = Outcome::new(status);
    o.error_kind = kind;
    o.http_status = http;
    o.error_code = code;
    o.error_message = cow(err.message);
    o
}

/// Status, error kind and HTTP status of a Bedrock `errorCode` (see the module docs).
pub fn error_code_status(code: Option<&str>) -> (Status, Option<ErrorKind>, Option<u16>) {
    let http = code
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|n| (100..600).contains(n));
    let kind = match (http, code) {
        (Some(408 | 504), _) | (None, Some("ModelTimeoutException")) => return (Status::Timeout, None, http),
        (Some(429), _) | (None, Some("ThrottlingException" | "ServiceQuotaExceededException")) => ErrorKind::RateLimit,
        (Some(500..=599), _)
        | (
            None,
            Some(
                "InternalServerException"
                | "ServiceUnavailableException"
                | "ModelErrorException"
                | "ModelNotReadyException",
            ),
        ) => ErrorKind::ServerError,
        (Some(400..=499), _)
        | (
            None,
            Some(
                "ValidationException"
                | "AccessDeniedException"
                | "ResourceNotFoundException"
                | "ModelStreamErrorException",
            ),
        ) => ErrorKind::InvalidRequest,
        _ => ErrorKind::Other,
    };
    (Status::ProviderError, Some(kind), http)
}

#[derive(Deserialize)]
struct PromptTop {
    #[serde(rename = "modelInput")]
    model_input: Option<BodyPrompt>,
}

#[derive(Deserialize)]
struct BodyPrompt {
    system: Option<Content>,
    messages: Option<Vec<Msg>>,
    #[serde(rename = "inputText")]
    input_text: Option<String>,
    prompt: Option<String>,
}

/// The `(role, text)` pairs of `modelInput`: Claude, Converse, Nova and
/// OpenAI-style bodies give `("system", system)` first when present, then
/// `messages` in order (text blocks joined with `\n`); Titan `inputText`
/// and Llama/Mistral `prompt` give one `("user", text)` pair.
pub fn parse_input_messages(line: &[u8]) -> Result<Vec<(String, String)>, LineError> {
    let top: PromptTop = parse_object(line)?;
    let body = top.model_input.ok_or(LineError::MissingField("modelInput"))?;
    if body.messages.is_some() {
        return Prompt {
            system: body.system,
            messages: body.messages,
        }
        .into_pairs("modelInput.messages");
    }
    match body.input_text.or(body.prompt) {
        Some(text) => Ok(vec![("user".to_owned(), text)]),
        None => Err(LineError::MissingField("modelInput.messages")),
    }
}

/// Bedrock records carry no request metadata: always empty.
pub fn parse_input_metadata(_line: &[u8]) -> Vec<(String, String)> {
    Vec::new()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawJob {
    job_arn: Option<String>,
    status: Option<String>,
    total_record_count: Option<u64>,
    processed_record_count: Option<u64>,
    success_record_count: Option<u64>,
    error_record_count: Option<u64>,
    input_token_count: Option<u64>,
    output_token_count: Option<u64>,
}

/// Parses `manifest.json.out` or a `GetModelInvocationJob` response,
/// told apart by their keys (`jobArn` / `status` mean a job object).
/// `pending` = total − processed when both are present.
pub fn parse_batch_object(bytes: &[u8]) -> Result<BatchObject, String> {
    let raw: RawJob =
        parse_object(bytes).map_err(|e| format!("not a Bedrock manifest.json.out or invocation job: {e}"))?;
    let is_job = raw.job_arn.is_some() || raw.status.is_some();
    let has_counts = raw.total_record_count.is_some()
        || raw.processed_record_count.is_some()
        || raw.success_record_count.is_some()
        || raw.error_record_count.is_some()
        || raw.input_token_count.is_some()
        || raw.output_token_count.is_some();
    if !is_job && !has_counts {
        return Err(
            "not a Bedrock manifest.json.out (no totalRecordCount, processedRecordCount, successRecordCount, \
             errorRecordCount, inputTokenCount or outputTokenCount) nor a GetModelInvocationJob response \
             (no jobArn or status)"
                .into(),
        );
    }
    let pending = match (raw.total_record_count, raw.processed_record_count) {
        (Some(t), Some(p)) => t.checked_sub(p),
        _ => None,
    };
    Ok(BatchObject {
        id: raw.job_arn,
        status: raw.status,
        total: raw.total_record_count,
        succeeded: raw.success_record_count,
        failed: raw.error_record_count,
        pending,
        input_tokens: raw.input_token_count,
        output_tokens: raw.output_token_count,
        ..BatchObject::default()
    })
}

#[cfg(test)]
mod tests;
