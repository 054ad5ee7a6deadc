//! `cluster-explain`: one short, concrete fix note per failure cluster. The host
//! (`assay cluster --explain`) sends each cluster as one row: the prompt is the
//! cluster described in words (shape, judges' labels, redacted example rows),
//! the metadata key `cluster.shape` its deterministic shape. For each row the
//! judge asks the granted model (import `assay:llm/llm@0.1.0`, one `chat` call,
//! temperature 0, JSON answer `{"fix": "…"}`) and returns the note in the
//! verdict's `details`. README.md documents labels and config.
//!
//! Invariants: never a judge error for a row that carries its shape — on any
//! `llm-error` or an unparsable answer the note is the shape itself, labelled
//! `fallback:<kind>`, with the reason on the details' second line; a model's
//! note is always one line, so the host can tell note and reason apart; a chat
//! request's `row` is the row's position inside the current `score-batch` call.

mod answer;
mod prompt;

use assay_judge_sdk::llm::assay::llm::llm::ChatRequest;
pub use assay_judge_sdk::llm::{Chat, HostChat};
use assay_judge_sdk::prelude::*;
use assay_judge_sdk::truncate_utf8;

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "cluster-explain";

/// The metadata key holding the cluster's shape, the fallback note.
pub const SHAPE_KEY: &str = "cluster.shape";

/// The judge instance, generic over who answers (the host by default).
pub struct ClusterExplain<C: Chat = HostChat> {
    model: String,
    max_tokens: u32,
    chat: C,
}

/// Longest details this judge writes (the host's cap is 16 KiB).
const MAX_DETAILS: usize = 2048;

fn capped(s: String) -> String {
    let mut s = s;
    truncate_utf8(&mut s, MAX_DETAILS);
    s
}

/// The fallback verdict: the shape, and why the model gave no note.
fn fallback(shape: &str, kind: &str, why: &str) -> Verdict {
    let why: String = why.split_whitespace().collect::<Vec<_>>().join(" ");
    Verdict {
        score: None,
        label: Some(format!("fallback:{kind}")),
        passed: true,
        details: Some(capped(format!("{shape}\n{kind}: {why}"))),
    }
}

impl<C: Chat> ClusterExplain<C> {
    /// The instance for `config`, asking `chat`.
    pub fn with_chat(config: &Config, chat: C) -> Result<Self, JudgeError> {
        let max_tokens: u32 = config.parse_or("max-tokens", 200)?;
        if max_tokens == 0 {
            return Err(JudgeError::Config("config key `max-tokens`: must be at least 1".into()));
        }
        Ok(ClusterExplain {
            model: config.get("model").unwrap_or_default().trim().to_string(),
            max_tokens,
            chat,
        })
    }

    /// One verdict per row, in order.
    pub fn score_rows(&mut self, rows: &[Row]) -> Vec<Result<Verdict, JudgeError>> {
        rows.iter().enumerate().map(|(i, row)| self.judge_row(i, row)).collect()
    }

    /// The note on the cluster the row at position `pos` of the current chunk describes.
    pub fn judge_row(&mut self, pos: usize, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(shape) = row.metadata.iter().find(|(k, _)| k == SHAPE_KEY).map(|(_, v)| v.trim()) else {
            return Err(JudgeError::InvalidInput(format!(
                "row {} has no `{SHAPE_KEY}` metadata: cluster-explain explains the clusters `assay cluster --explain` sends",
                row.id
            )));
        };
        let shape = shape.split_whitespace().collect::<Vec<_>>().join(" ");
        if row.prompt.is_empty() {
            return Ok(fallback(
                &shape,
                "no-description",
                "the row carries no cluster description",
            ));
        }
        let request = ChatRequest {
            row: u32::try_from(pos).unwrap_or(u32::MAX),
            model: self.model.clone(),
            messages: prompt::messages(&row.prompt),
            max_tokens: self.max_tokens,
            temperature: Some(0.0),
            json: true,
        };
        Ok(match self.chat.chat(&request) {
            Err(e) => fallback(&shape, e.kind(), e.message()),
            Ok(resp) => match answer::parse(&resp.content) {
                None => fallback(
                    &shape,
                    "unparsable",
                    &resp.content.chars().take(200).collect::<String>(),
                ),
                Some(note) => Verdict {
                    score: None,
                    label: Some(if resp.cached { "llm:cached" } else { "llm" }.to_string()),
                    passed: true,
                    details: Some(note),
                },
            },
        })
    }
}

impl Judge for ClusterExplain<HostChat> {
    fn describe() -> Descriptor {
        Descriptor::new(
            NAME,
            "0.1.0",
            "One short, concrete fix note per failure cluster, asked of a granted model, falling back to the cluster's shape",
        )
        .scorer()
        .needs(Needs::METADATA | Needs::PROMPT)
        .config_key("model", "model to ask, from the grant's allow-list (default: the grant's first model)")
        .config_key("max-tokens", "completion token cap per call (default 200)")
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        ClusterExplain::with_chat(&config, HostChat)
    }

    fn score_batch(&mut self, rows: &[Row]) -> Vec<Result<Verdict, JudgeError>> {
        self.score_rows(rows)
    }
}

assay_judge_sdk::export_judge!(ClusterExplain);

#[cfg(test)]
mod tests;
