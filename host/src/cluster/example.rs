//! What `--explain` keeps of a failed row to show the model as an example:
//! where it sits, what failed, the judges' labels and short excerpts of the
//! request and the answer.
//!
//! Invariant: an example is bounded whatever the row holds (each excerpt at
//! most [`EXCERPT`] characters, at most [`LABELS`] labels), and it is kept
//! unredacted only in memory: every text of it reaches a model only through
//! the traces' redactor (`cluster::explain::input`).

use crate::sink::RowView;

use super::features::judge_failure;

/// Characters kept of the prompt, the response and the error message.
pub const EXCERPT: usize = 300;
/// Judge labels kept per row.
pub const LABELS: usize = 8;

/// One failed row, as an example for the model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Example {
    pub id: String,
    pub segment: u32,
    /// The provider's error, `code: message`, for a row that did not complete.
    pub error: Option<String>,
    /// `judge: label` for every judge that did not pass the row.
    pub labels: Vec<String>,
    /// The request's non-system messages, joined.
    pub prompt: String,
    /// The answer's text, when there was one.
    pub response: Option<String>,
}

/// `s` cut to [`EXCERPT`] characters on one line, marking a cut.
pub fn excerpt(s: &str) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(EXCERPT).collect();
    if out.len() < flat.len() {
        out.push('…');
    }
    out
}

/// The example of `r`; `messages` are its request's (role, content) pairs.
pub fn example(r: &RowView<'_>, messages: &[(String, String)]) -> Example {
    let user: Vec<&str> = messages
        .iter()
        .filter(|(role, _)| role != "system")
        .map(|(_, c)| c.as_str())
        .collect();
    let error = match (r.error_code, r.error_message) {
        (None, None) => None,
        (code, message) => Some(excerpt(&format!(
            "{}{}{}",
            code.unwrap_or(""),
            if code.is_some() && message.is_some() { ": " } else { "" },
            message.unwrap_or("")
        ))),
    };
    let labels = r
        .verdicts
        .iter()
        .filter_map(|v| judge_failure(&v.cell).map(|why| format!("{}: {}", v.judge, excerpt(why))))
        .take(LABELS)
        .collect();
    Example {
        id: r.id.to_owned(),
        segment: r.segment,
        error,
        labels,
        prompt: excerpt(&user.join("\n")),
        response: r.content.and_then(|c| c.response).map(excerpt),
    }
}
