//! The features of one failed row that explain themselves: what failed (status
//! or judge), the provider's error code, the schema keyword that broke, the
//! prompt's language, its length in tokens, segment and snapshot, plus a local
//! text embedding of the prompt (see `embed`).
//!
//! Invariant: a pure function of the settled row and its request's messages; no
//! network, no model file, no randomness.

use assay_batch::Status;

use super::embed::embed;
use crate::sink::{CellView, RowView};

/// Prompt characters read for the language and the embedding.
const TEXT_CHARS: usize = 4000;

/// A failed row, reduced to what clustering compares.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedFeatures {
    pub id: String,
    pub index: u32,
    pub segment: u32,
    /// What failed: `status provider_error (invalid_request)`, `judge schema-drift failed`, ...
    pub outcome: String,
    /// The provider's error code.
    pub error_code: Option<String>,
    /// The schema keyword of a `keyword@field` judge label (`required`, `enum`).
    pub keyword: Option<String>,
    /// The prompt's language (`Japanese`), or its script (`Cyrillic script`) when
    /// the language is not certain; `None` for a prompt with no letters.
    pub language: Option<String>,
    /// Prompt tokens: the row's input usage, or characters / 4 when it has none.
    pub tokens: u64,
    /// `model/snapshot`, or the model alone.
    pub snapshot: Option<String>,
    pub embedding: Vec<f32>,
}

/// Why a judge did not pass a row (`None`: passed or did not score it).
pub fn judge_failure<'a>(cell: &CellView<'a>) -> Option<&'a str> {
    match cell {
        CellView::Unscored | CellView::Verdict { passed: true, .. } => None,
        CellView::Verdict { label, .. } => Some(label.filter(|l| !l.is_empty()).unwrap_or("failed")),
        CellView::JudgeError => Some("judge error"),
        CellView::Failed(_) => Some("stopped by the host"),
    }
}

/// Whether the row failed: it did not complete, or a judge did not pass it.
pub fn is_failed(r: &RowView<'_>) -> bool {
    r.status != Status::Completed || r.verdicts.iter().any(|v| judge_failure(&v.cell).is_some())
}

/// The row's features; `messages` are its request's (role, content) pairs.
pub fn features(r: &RowView<'_>, messages: &[(String, String)]) -> FailedFeatures {
    let (outcome, keyword) = outcome(r);
    let user: Vec<&str> = messages
        .iter()
        .filter(|(role, _)| role != "system")
        .map(|(_, c)| c.as_str())
        .collect();
    let pick: Vec<&str> = match user.is_empty() {
        true => messages.iter().map(|(_, c)| c.as_str()).collect(),
        false => user,
    };
    let text: String = pick.join("\n").chars().take(TEXT_CHARS).collect();
    let chars: u64 = messages.iter().map(|(_, c)| c.chars().count() as u64).sum();
    let tokens = match r.usage.input {
        0 => chars.div_ceil(4),
        n => n,
    };
    let snapshot = match (r.model, r.snapshot) {
        ("", _) => None,
        (m, Some(s)) if !s.is_empty() => Some(format!("{m}/{s}")),
        (m, _) => Some(m.to_owned()),
    };
    FailedFeatures {
        id: r.id.to_owned(),
        index: r.index,
        segment: r.segment,
        outcome,
        error_code: r.error_code.filter(|c| !c.is_empty()).map(str::to_owned),
        keyword,
        language: language(&text),
        tokens,
        snapshot,
        embedding: embed(&text),
    }
}

/// (what failed, the schema keyword when the failing label is `keyword@field`).
fn outcome(r: &RowView<'_>) -> (String, Option<String>) {
    if r.status != Status::Completed {
        let o = match r.error_kind {
            Some(k) => format!("status {} ({})", r.status.as_str(), k.as_str()),
            None => format!("status {}", r.status.as_str()),
        };
        return (o, None);
    }
    let first = r
        .verdicts
        .iter()
        .find_map(|v| judge_failure(&v.cell).map(|why| (v.judge, why)));
    match first {
        Some((judge, why)) => match why.split_once('@') {
            Some((kw, _)) if !kw.is_empty() => (format!("judge {judge} failed"), Some(kw.to_owned())),
            _ if why == "failed" => (format!("judge {judge} failed"), None),
            _ => (format!("judge {judge} failed: {why}"), None),
        },
        None => ("status completed".to_owned(), None),
    }
}

/// The prompt's language by `whatlang`: its English name when the detection is
/// reliable or the script names one language, else the script's name.
pub fn language(text: &str) -> Option<String> {
    let info = whatlang::detect(text)?;
    let script = info.script();
    let single = !matches!(
        script,
        whatlang::Script::Latin | whatlang::Script::Cyrillic | whatlang::Script::Arabic | whatlang::Script::Devanagari
    );
    match info.is_reliable() || single {
        true => Some(info.lang().eng_name().to_owned()),
        false => Some(format!("{} script", script.name())),
    }
}
