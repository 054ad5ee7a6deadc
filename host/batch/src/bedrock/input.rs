//! Bedrock input records (`{recordId, modelInput}`): the join id, and the
//! prompt of `modelInput` for judges.
//!
//! Invariant: a record without `recordId` is refused (Bedrock would invent
//! one that can never be joined to its result); prompts come out in the
//! order the body lists them, the system prompt first.

use serde::Deserialize;

use crate::anthropic::input::{Msg, Prompt};
use crate::error::LineError;
use crate::json::Content;
use crate::json::scan::{InputKeys, input_line_or};
use crate::json::{Str, cow, parse_object};
use crate::provider::RawLine;
use crate::row::{InputLine, ProviderOptions};

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
pub fn parse_input_line<'a>(line: &'a [u8], opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    parse_input(line.into(), opts)
}

/// [`parse_input_line`] in the registry's form.
pub(crate) fn parse_input<'a>(line: RawLine<'a>, _opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    input_line_or(line, &INPUT_KEYS, |l| parse_input_line_serde(l.bytes))
}

/// What a Bedrock input record names its id and body; it has no endpoint.
const INPUT_KEYS: InputKeys = InputKeys {
    id: b"recordId",
    body: b"modelInput",
    url: None,
};

/// [`parse_input_line`] by serde alone (see [`input_line`]).
pub(super) fn parse_input_line_serde(line: &[u8]) -> Result<InputLine<'_>, LineError> {
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
