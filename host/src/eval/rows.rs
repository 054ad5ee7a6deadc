//! The one builder of the judge interface's `row` records, from a batch
//! result line or a sync result, and the narrowing to what each judge needs.
//!
//! Invariant: rows borrow every string from the parsed line (and the prompt
//! cache), so building a chunk copies no response text; a judge gets prompt
//! and metadata only when its descriptor asks for them.

use assay_batch::{Flags, Outcome, Status, Usage};

use crate::judge::bindings::types::{self as wit, RowFlags, RowStatus};

pub fn wit_status(s: Status) -> RowStatus {
    match s {
        Status::Completed => RowStatus::Completed,
        Status::ProviderError => RowStatus::ProviderError,
        Status::ContentFilter => RowStatus::ContentFilter,
        Status::Timeout => RowStatus::Timeout,
        Status::Expired => RowStatus::Expired,
        Status::Canceled => RowStatus::Canceled,
        Status::RetryExhausted => RowStatus::RetryExhausted,
        Status::Missing => RowStatus::Missing,
    }
}

pub fn wit_flags(f: Flags) -> RowFlags {
    let mut out = RowFlags::empty();
    if f.contains(Flags::TRUNCATED) {
        out |= RowFlags::TRUNCATED;
    }
    if f.contains(Flags::RETRIED) {
        out |= RowFlags::RETRIED;
    }
    if f.contains(Flags::SILENTLY_RETRIED) {
        out |= RowFlags::SILENTLY_RETRIED;
    }
    if f.contains(Flags::DUPLICATE) {
        out |= RowFlags::DUPLICATE;
    }
    out
}

pub fn wit_usage(u: &Usage) -> wit::Usage {
    wit::Usage {
        input_tokens: u.input,
        output_tokens: u.output,
        cached_input_tokens: u.cached_input,
        cache_write_tokens: u.cache_write,
        reasoning_tokens: u.reasoning,
    }
}

/// The provider's answer for one row, from whichever channel produced it.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub status: Status,
    pub model: Option<&'a str>,
    pub snapshot: Option<&'a str>,
    pub response: Option<&'a str>,
    pub finish_reason: Option<&'a str>,
    pub truncated: bool,
    pub usage: Usage,
    pub error_code: Option<&'a str>,
    pub error_message: Option<&'a str>,
}

impl<'a> From<&'a Outcome<'a>> for Answer<'a> {
    fn from(o: &'a Outcome<'a>) -> Self {
        Answer {
            status: o.status,
            model: o.model.as_deref(),
            snapshot: o.snapshot.as_deref(),
            response: o.response_text.as_deref(),
            finish_reason: o.finish_reason.as_deref(),
            truncated: o.truncated,
            usage: o.usage,
            error_code: o.error_code.as_deref(),
            error_message: o.error_message.as_deref(),
        }
    }
}

/// Where a row sits in the run and how it got its answer.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub id: &'a str,
    pub index: u32,
    pub segment: u32,
    pub provider: &'a str,
    pub attempt: u16,
    /// Flags beyond `truncated` (which comes from the answer).
    pub flags: Flags,
}

/// The judge interface's row for `answer` at `place`, with the request's
/// prompt and metadata when `extras` carries them.
pub fn wit_row<'a>(place: Place<'a>, answer: Answer<'a>, extras: Option<&'a ExtrasView<'a>>) -> wit::Row<'a> {
    let mut flags = place.flags;
    if answer.truncated {
        flags.insert(Flags::TRUNCATED);
    }
    wit::Row {
        id: place.id,
        index: u64::from(place.index),
        segment: place.segment,
        provider: place.provider,
        model: answer.model.unwrap_or(""),
        snapshot: answer.snapshot,
        status: wit_status(answer.status),
        flags: wit_flags(flags),
        attempt: u32::from(place.attempt),
        prompt: extras.map_or(&[][..], |v| &v.messages[..]),
        response: answer.response,
        finish_reason: answer.finish_reason,
        usage: wit_usage(&answer.usage),
        error_code: answer.error_code,
        error_message: answer.error_message,
        metadata: extras.map_or(&[][..], |v| &v.metadata[..]),
    }
}

/// Prompt and metadata of one input row, read back from the input file when
/// a judge asks for them.
#[derive(Debug, Default)]
pub struct RequestExtras {
    pub messages: Vec<(String, String)>,
    pub metadata: Vec<(String, String)>,
}

/// Borrowed views of `RequestExtras` in the interface's shapes.
pub struct ExtrasView<'a> {
    pub messages: Vec<wit::Message<'a>>,
    pub metadata: Vec<(&'a str, &'a str)>,
}

impl RequestExtras {
    pub fn view(&self) -> ExtrasView<'_> {
        ExtrasView {
            messages: self
                .messages
                .iter()
                .map(|(r, c)| wit::Message {
                    role: r.as_str(),
                    content: c.as_str(),
                })
                .collect(),
            metadata: self.metadata.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
        }
    }
}

/// The rows as one judge should see them: without the prompt or metadata
/// its descriptor did not ask for. `None` when `rows` already fit.
pub fn narrow<'a>(rows: &[wit::Row<'a>], prompt: bool, metadata: bool) -> Option<Vec<wit::Row<'a>>> {
    let extra = |r: &wit::Row<'a>| (!prompt && !r.prompt.is_empty()) || (!metadata && !r.metadata.is_empty());
    if !rows.iter().any(extra) {
        return None;
    }
    Some(
        rows.iter()
            .map(|r| wit::Row {
                prompt: if prompt { r.prompt } else { &[] },
                metadata: if metadata { r.metadata } else { &[] },
                ..r.clone()
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests;
