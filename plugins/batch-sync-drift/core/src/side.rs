//! One side of a pair: what the batch row and its paired sync result returned, read
//! from the row and the `assay.sync.*` metadata the host adds.
//!
//! Invariants: pairing never fails — a row without `assay.sync.status` is
//! [`Pairing::Unpaired`], a sync result that never produced an answer (errors,
//! timeouts, a missing row, an unknown status) is [`Pairing::SyncUnavailable`];
//! only `completed` and `content_filter` sync results are compared.

use assay_judge_sdk::{Row, RowFlags};

/// Metadata key of the sync row's status (snake case).
pub const SYNC_STATUS: &str = "assay.sync.status";
/// Metadata key of the sync response text.
pub const SYNC_RESPONSE: &str = "assay.sync.response";
/// Metadata key of the sync finish reason.
pub const SYNC_FINISH_REASON: &str = "assay.sync.finish_reason";
/// Metadata key of the sync truncation flag (`true` / `false`).
pub const SYNC_TRUNCATED: &str = "assay.sync.truncated";
/// Metadata key of the model that served the sync row.
pub const SYNC_MODEL: &str = "assay.sync.model";

/// Finish reasons that mean "the response is a tool call's arguments".
const TOOL_FINISH: &[&str] = &["tool_calls", "tool_use", "function_call"];
/// Finish reasons that mean "stopped at the token limit".
const LENGTH_FINISH: &[&str] = &["length", "max_tokens", "max_output_tokens"];
/// Finish reasons that mean "the provider filtered the content".
const FILTER_FINISH: &[&str] = &["content_filter", "safety", "refusal"];

/// What one side returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Side {
    /// The response text (a tool call's arguments JSON for a tool call).
    pub response: Option<String>,
    pub finish_reason: Option<String>,
    /// Stopped at the token limit.
    pub truncated: bool,
    /// The provider filtered the content (status `content_filter` or a filter finish reason).
    pub filtered: bool,
    /// The response is a tool call (finish reason `tool_calls` / `tool_use` / `function_call`).
    pub tool_call: bool,
    pub model: String,
}

impl Side {
    fn new(response: Option<&str>, finish: Option<&str>, truncated: bool, filtered: bool, model: &str) -> Self {
        let finish_is = |set: &[&str]| finish.is_some_and(|f| set.iter().any(|s| f.eq_ignore_ascii_case(s)));
        Side {
            response: response.map(str::to_string),
            finish_reason: finish.map(str::to_string),
            truncated: truncated || finish_is(LENGTH_FINISH),
            filtered: filtered || finish_is(FILTER_FINISH),
            tool_call: finish_is(TOOL_FINISH),
            model: model.to_string(),
        }
    }

    /// The response text when it has any non-whitespace character.
    pub fn text(&self) -> Option<&str> {
        self.response.as_deref().filter(|t| !t.trim().is_empty())
    }
}

/// How a row relates to its sync twin.
#[derive(Debug, Clone, PartialEq)]
pub enum Pairing {
    /// No `assay.sync.status`: the row was not sent synchronously.
    Unpaired,
    /// The sync request produced no answer to compare (its status, as given).
    SyncUnavailable(String),
    /// Both sides answered (or the sync side was content-filtered).
    Paired { batch: Side, sync: Side },
}

/// The first value of metadata `key`.
pub fn meta<'a>(row: &'a Row, key: &str) -> Option<&'a str> {
    row.metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Reads the pair from the batch `row`.
pub fn pairing(row: &Row) -> Pairing {
    let Some(status) = meta(row, SYNC_STATUS) else {
        return Pairing::Unpaired;
    };
    let status = status.trim();
    let filtered = match status {
        "completed" => false,
        "content_filter" => true,
        other => return Pairing::SyncUnavailable(other.to_string()),
    };
    let truncated = meta(row, SYNC_TRUNCATED).is_some_and(|t| t.trim().eq_ignore_ascii_case("true"));
    let sync = Side::new(
        meta(row, SYNC_RESPONSE),
        meta(row, SYNC_FINISH_REASON),
        truncated,
        filtered,
        meta(row, SYNC_MODEL).unwrap_or_default(),
    );
    let batch = Side::new(
        row.response.as_deref(),
        row.finish_reason.as_deref(),
        row.flags.contains(RowFlags::TRUNCATED),
        false,
        &row.model,
    );
    Pairing::Paired { batch, sync }
}

#[cfg(test)]
mod tests {
    use super::*;
    use local_metrics::testing::row;

    #[test]
    fn pairing_kinds() {
        assert_eq!(pairing(&row(Some("x"), &[])), Pairing::Unpaired);
        assert_eq!(
            pairing(&row(Some("x"), &[(SYNC_STATUS, "timeout")])),
            Pairing::SyncUnavailable("timeout".into())
        );
        let r = row(
            Some("{}"),
            &[
                (SYNC_STATUS, "completed"),
                (SYNC_RESPONSE, "{\"a\":1}"),
                (SYNC_FINISH_REASON, "tool_use"),
                (SYNC_TRUNCATED, "true"),
                (SYNC_MODEL, "m"),
            ],
        );
        let Pairing::Paired { batch, sync } = pairing(&r) else {
            panic!("expected a pair");
        };
        assert!(sync.tool_call && sync.truncated && !sync.filtered && sync.model == "m");
        assert!(!batch.tool_call && !batch.truncated && batch.model == "gpt-4o-mini");
        let r = row(Some("x"), &[(SYNC_STATUS, "content_filter")]);
        let Pairing::Paired { sync, .. } = pairing(&r) else {
            panic!("expected a pair");
        };
        assert!(sync.filtered && sync.text().is_none());
    }

    #[test]
    fn finish_reasons() {
        let s = Side::new(Some(" "), Some("LENGTH"), false, false, "");
        assert!(s.truncated && s.text().is_none());
        assert!(Side::new(None, Some("content_filter"), false, false, "").filtered);
    }
}
