//! From classified result lines to the judge interface's `row` records.
//!
//! Invariant: rows borrow every string from the parsed line (and the prompt
//! cache), so building a chunk copies no response text; only completed rows
//! are ever built, since quality judges score completed rows only; a judge
//! gets prompt and metadata only when its descriptor asks for them.

use assay_batch::{Flags, Status, Usage};

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
mod tests {
    use super::*;

    fn row<'a>(prompt: &'a [wit::Message<'a>], metadata: &'a [(&'a str, &'a str)]) -> wit::Row<'a> {
        wit::Row {
            id: "r1",
            index: 0,
            segment: 0,
            provider: "openai",
            model: "m",
            snapshot: None,
            status: RowStatus::Completed,
            flags: RowFlags::empty(),
            attempt: 1,
            prompt,
            response: Some("{}"),
            finish_reason: None,
            usage: wit_usage(&Usage::default()),
            error_code: None,
            error_message: None,
            metadata,
        }
    }

    #[test]
    fn a_judge_sees_prompt_and_metadata_only_when_it_asked() {
        let prompt = [wit::Message {
            role: "user",
            content: "hi",
        }];
        let meta = [("assay.sync.status", "completed")];
        let rows = [row(&prompt, &meta)];
        assert!(narrow(&rows, true, true).is_none(), "nothing to take away");
        let only_prompt = narrow(&rows, true, false).unwrap_or_default();
        assert_eq!((only_prompt[0].prompt.len(), only_prompt[0].metadata.len()), (1, 0));
        let neither = narrow(&rows, false, false).unwrap_or_default();
        assert_eq!((neither[0].prompt.len(), neither[0].metadata.len()), (0, 0));
        assert_eq!(neither[0].response, Some("{}"));
        let bare = [row(&[], &[])];
        assert!(narrow(&bare, false, false).is_none());
    }
}
