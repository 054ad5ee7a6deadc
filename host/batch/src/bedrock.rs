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

use crate::provider::Format;
pub use crate::row::{InputLine, Outcome, ProviderOptions, ResultLine};

mod batch;
mod classify;
mod input;
mod results;
mod scan;

pub use batch::parse_batch_object;
pub use classify::error_code_status;
pub use input::{parse_input_line, parse_input_messages, parse_input_metadata};
pub use results::{UNRECOGNIZED, parse_result_line};

/// How Bedrock files are read (see [`crate::provider`]).
pub const FORMAT: Format = Format {
    input: input::parse_input,
    result: results::parse_result,
    messages: parse_input_messages,
    metadata: parse_input_metadata,
    batch_object: parse_batch_object,
};

#[cfg(test)]
mod tests;
