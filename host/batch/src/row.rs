//! Normalized, provider-neutral result rows.
//!
//! Invariant: an [`Outcome`] carries only provider statuses (never
//! `RetryExhausted` or `Missing`, which are ledger verdicts); strings borrow
//! from the line unless JSON unescaping forced a copy.

use std::borrow::Cow;

use crate::status::{ErrorKind, Status, Usage};

/// The classified result of one result line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// Completed, ProviderError, ContentFilter, Timeout, Expired or Canceled.
    pub status: Status,
    /// Set for `ProviderError`.
    pub error_kind: Option<ErrorKind>,
    pub error_code: Option<Cow<'a, str>>,
    pub error_message: Option<Cow<'a, str>>,
    /// HTTP status of the provider's response, if it sent one.
    pub http_status: Option<u16>,
    /// The model stopped at its output limit (still `Completed`).
    pub truncated: bool,
    pub finish_reason: Option<Cow<'a, str>>,
    /// The assistant's text.
    pub response_text: Option<Cow<'a, str>>,
    /// Model that answered, as the response names it.
    pub model: Option<Cow<'a, str>>,
    /// Model snapshot / system fingerprint.
    pub snapshot: Option<Cow<'a, str>>,
    pub usage: Usage,
    /// When the provider says it made the response (Unix seconds; OpenAI's
    /// `created` / `created_at`), where the line states it.
    pub created: Option<i64>,
}

impl Outcome<'_> {
    /// An outcome with the given status and nothing else.
    pub fn new(status: Status) -> Self {
        Outcome {
            status,
            error_kind: None,
            error_code: None,
            error_message: None,
            http_status: None,
            truncated: false,
            finish_reason: None,
            response_text: None,
            model: None,
            snapshot: None,
            usage: Usage::default(),
            created: None,
        }
    }

    /// A provider error of the given kind.
    pub fn provider_error(kind: ErrorKind) -> Self {
        Outcome {
            error_kind: Some(kind),
            ..Outcome::new(Status::ProviderError)
        }
    }
}

/// One parsed result line: the row's id and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultLine<'a> {
    pub custom_id: Cow<'a, str>,
    pub outcome: Outcome<'a>,
}

impl<'a> ResultLine<'a> {
    /// The line of row `custom_id` with a fresh `Completed` outcome, for a
    /// reader to classify into in place (the outcome is some 250 bytes: it
    /// is built where it stays, never moved in).
    pub fn completed(custom_id: Cow<'a, str>) -> Self {
        ResultLine {
            custom_id,
            outcome: Outcome::new(Status::Completed),
        }
    }
}

/// The parts of an input line needed to index it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLine<'a> {
    /// The join key: `custom_id`, `recordId`, `key`, or (Vertex) an id taken
    /// from the request or derived from it.
    pub custom_id: Cow<'a, str>,
    /// The requested model (the deployment name on Azure), where the line names one.
    pub model: Option<Cow<'a, str>>,
    /// The endpoint (`url`) where the provider puts one in each line.
    pub url: Option<Cow<'a, str>>,
}

/// Per-run parsing choices that some providers need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderOptions {
    /// Vertex AI has no id field: a dotted path into each line where the id
    /// lives (e.g. `request.labels.custom_id`). Without it rows are joined on
    /// a hash of the echoed request.
    pub id_path: Option<String>,
}
