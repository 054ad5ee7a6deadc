//! Bedrock `.jsonl.out` result records: the typed shape of every
//! recognized `modelOutput`, and the record-level decision between
//! `error`, `modelOutput` and an output of unknown shape.
//!
//! Invariant: every result line becomes exactly one `ResultLine` or a
//! `LineError`; a record that is well-formed apart from an unknown
//! `modelOutput` is a completed row flagged [`UNRECOGNIZED`], never dropped.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::classify::{classify_error, classify_output};
use crate::anthropic::message::Blocks;
use crate::error::LineError;
use crate::json::{First, LooseStr, NullTok, Str, Text, Tok, cow, parse_object};
use crate::provider::RawLine;
use crate::row::{Outcome, ProviderOptions, ResultLine};
use crate::status::Status;

#[derive(Deserialize, Default)]
pub(super) struct RawResult<'a> {
    #[serde(borrow, rename = "recordId")]
    pub(super) record_id: Option<Str<'a>>,
    #[serde(borrow, rename = "modelOutput")]
    pub(super) model_output: Option<RawOutput<'a>>,
    #[serde(borrow)]
    pub(super) error: Option<RawError<'a>>,
}

/// The result record with `modelOutput` skipped, for outputs whose field
/// types match no known shape.
#[derive(Deserialize)]
pub(super) struct LooseResult<'a> {
    #[serde(borrow, rename = "recordId")]
    pub(super) record_id: Option<Str<'a>>,
    #[serde(rename = "modelOutput")]
    pub(super) model_output: Option<IgnoredAny>,
    #[serde(borrow)]
    pub(super) error: Option<RawError<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawError<'a> {
    #[serde(borrow, rename = "errorCode")]
    pub(super) code: Option<LooseStr<'a>>,
    #[serde(borrow, rename = "errorMessage")]
    pub(super) message: Option<Str<'a>>,
}

/// Every recognized `modelOutput` shape, flattened (see the module docs).
#[derive(Deserialize, Default)]
pub(super) struct RawOutput<'a> {
    // Claude Messages
    #[serde(borrow)]
    pub(super) content: Option<Blocks<'a>>,
    #[serde(borrow)]
    pub(super) stop_reason: Option<Str<'a>>,
    #[serde(borrow)]
    pub(super) model: Option<Str<'a>>,
    // Converse / Nova
    #[serde(borrow)]
    pub(super) output: Option<ConverseOutput<'a>>,
    #[serde(borrow, rename = "stopReason")]
    pub(super) stop_reason_camel: Option<Str<'a>>,
    // Titan
    #[serde(rename = "inputTextTokenCount")]
    #[serde(default)]
    pub(super) input_text_token_count: Tok,
    #[serde(borrow)]
    pub(super) results: Option<First<TitanResult<'a>>>,
    // Llama
    #[serde(borrow)]
    pub(super) generation: Option<Text<'a>>,
    #[serde(default)]
    pub(super) prompt_token_count: Tok,
    #[serde(default)]
    pub(super) generation_token_count: Tok,
    // Mistral
    #[serde(borrow)]
    pub(super) outputs: Option<First<MistralOutput<'a>>>,
    // OpenAI-compatible chat
    #[serde(borrow)]
    pub(super) choices: Option<First<Choice<'a>>>,
    pub(super) usage: Option<RawUsage>,
}

#[derive(Deserialize)]
pub(super) struct ConverseOutput<'a> {
    #[serde(borrow)]
    pub(super) message: Option<ConverseMessage<'a>>,
}

#[derive(Deserialize)]
pub(super) struct ConverseMessage<'a> {
    #[serde(borrow)]
    pub(super) content: Option<Blocks<'a>>,
}

#[derive(Deserialize)]
pub(super) struct TitanResult<'a> {
    #[serde(borrow, rename = "outputText")]
    pub(super) output_text: Option<Text<'a>>,
    #[serde(default, rename = "tokenCount")]
    pub(super) token_count: Tok,
    #[serde(borrow, rename = "completionReason")]
    pub(super) completion_reason: Option<Str<'a>>,
}

#[derive(Deserialize)]
pub(super) struct MistralOutput<'a> {
    #[serde(borrow)]
    pub(super) text: Option<Text<'a>>,
    #[serde(borrow)]
    pub(super) stop_reason: Option<Str<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Choice<'a> {
    #[serde(borrow)]
    pub(super) message: Option<ChoiceMessage<'a>>,
    #[serde(borrow)]
    pub(super) finish_reason: Option<Str<'a>>,
}

#[derive(Deserialize)]
pub(super) struct ChoiceMessage<'a> {
    #[serde(borrow)]
    pub(super) content: Option<Text<'a>>,
}

/// Claude, Converse (and Nova) and OpenAI usage names together: a body
/// uses one set, so summing the sets gives that body's counts.
#[derive(Deserialize, Default)]
pub(super) struct RawUsage {
    #[serde(default)]
    pub(super) input_tokens: Tok,
    #[serde(default)]
    pub(super) output_tokens: Tok,
    #[serde(default)]
    pub(super) cache_creation_input_tokens: NullTok,
    #[serde(default)]
    pub(super) cache_read_input_tokens: NullTok,
    #[serde(default, rename = "inputTokens")]
    pub(super) input_tokens_camel: Tok,
    #[serde(default, rename = "outputTokens")]
    pub(super) output_tokens_camel: Tok,
    #[serde(default, rename = "cacheReadInputTokens", alias = "cacheReadInputTokenCount")]
    pub(super) cache_read_camel: NullTok,
    #[serde(default, rename = "cacheWriteInputTokens", alias = "cacheWriteInputTokenCount")]
    pub(super) cache_write_camel: NullTok,
    /// OpenAI-compatible: includes cached tokens.
    #[serde(default)]
    pub(super) prompt_tokens: Tok,
    #[serde(default)]
    pub(super) completion_tokens: Tok,
}

/// Parses and classifies one line of a `.jsonl.out` file. If a line has
/// both `error` and `modelOutput`, the error decides.
pub fn parse_result_line<'a>(line: &'a [u8], opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    parse_result(line.into(), opts)
}

/// [`parse_result_line`] in the registry's form.
pub(crate) fn parse_result<'a>(line: RawLine<'a>, _opts: &ProviderOptions) -> Result<ResultLine<'a>, LineError> {
    // The quick scan fills `raw` in place and classifying takes fields out
    // of it: the record is never moved whole.
    let mut raw = RawResult::default();
    match line
        .scan_text()
        .and_then(|text| super::scan::result_into(text, &mut raw))
    {
        Some(()) => result_line(&mut raw),
        None => parse_result_line_serde(line.bytes),
    }
}

/// [`parse_result_line`] by serde alone: the form every line the quick scan
/// is unsure of takes, and the one that names what is wrong.
pub(super) fn parse_result_line_serde(line: &[u8]) -> Result<ResultLine<'_>, LineError> {
    match parse_object(line) {
        Ok(mut raw) => result_line(&mut raw),
        Err(LineError::WrongShape(why)) => unrecognized(line, why),
        Err(e) => Err(e),
    }
}

/// Classifies a record read by either form, taking what it uses out of `raw`.
fn result_line<'a>(raw: &mut RawResult<'a>) -> Result<ResultLine<'a>, LineError> {
    let custom_id = cow(raw.record_id.take()).ok_or(LineError::MissingField("recordId"))?;
    let mut out = ResultLine::completed(custom_id);
    match (raw.error.take(), raw.model_output.as_mut()) {
        (Some(err), _) => out.outcome = classify_error(err),
        (None, Some(output)) => classify_output(output, &mut out.outcome),
        (None, None) => {
            return Err(LineError::WrongShape(
                "both `modelOutput` and `error` are null or absent".into(),
            ));
        }
    }
    Ok(out)
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
