//! `batch-sync-drift-llm`: the `batch-sync-drift` comparison with a model's pairwise
//! verdict. For each paired row it asks the granted model (import
//! `assay:llm/llm@0.1.0`, one `chat` call per paired row, temperature 0, JSON
//! answer) whether the batch response (A) or the sync response (B) is materially
//! better, and maps `A` / `equivalent` / `B` to 1.0 / 0.5 / 0.0. On any `llm-error`
//! or an unparsable answer it falls back to the structural verdict. README.md
//! documents labels, config, metrics.
//!
//! Invariants: never a judge error — unpaired rows keep the structural verdict
//! (no score) without a call, every call failure falls back; a chat request's `row`
//! is the row's position inside the current `score-batch` call; the rubric codes in
//! every label are the structural ones, so the aggregator's per-rubric gaps mean the
//! same as in `batch-sync-drift`.

mod answer;
mod prompt;

use assay_judge_sdk::llm::assay::llm::llm::ChatRequest;
pub use assay_judge_sdk::llm::{Chat, HostChat};
use assay_judge_sdk::prelude::*;
use assay_judge_sdk::truncate_utf8;
use batch_sync_core::label::encode;
use batch_sync_core::pair::verdict;
use batch_sync_core::{DriftCore, Judged, with_config_keys};

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "batch-sync-drift-llm";

/// The judge instance, generic over who answers (the host by default).
pub struct BatchSyncDriftLlm<C: Chat = HostChat> {
    core: DriftCore,
    model: String,
    max_tokens: u32,
    chat: C,
}

impl<C: Chat> BatchSyncDriftLlm<C> {
    /// The instance for `config`, asking `chat`.
    pub fn with_chat(config: &Config, chat: C) -> Result<Self, JudgeError> {
        let max_tokens: u32 = config.parse_or("max-tokens", 256)?;
        if max_tokens == 0 {
            return Err(JudgeError::Config("config key `max-tokens`: must be at least 1".into()));
        }
        Ok(BatchSyncDriftLlm {
            core: DriftCore::from_config(config)?,
            model: config.get("model").unwrap_or_default().trim().to_string(),
            max_tokens,
            chat,
        })
    }

    /// One verdict per row, in order (never an error).
    pub fn score_rows(&mut self, rows: &[Row]) -> Vec<Result<Verdict, JudgeError>> {
        rows.iter()
            .enumerate()
            .map(|(i, row)| Ok(self.judge_row(i, row)))
            .collect()
    }

    /// The verdict on the row at position `pos` of the current chunk.
    pub fn judge_row(&mut self, pos: usize, row: &Row) -> Verdict {
        let (batch, sync, structural) = match self.core.judge(row) {
            Judged::Unscored(v) => return v,
            Judged::Pair {
                batch,
                sync,
                structural,
            } => (batch, sync, structural),
        };
        let request = ChatRequest {
            row: u32::try_from(pos).unwrap_or(u32::MAX),
            model: self.model.clone(),
            messages: prompt::messages(&row.prompt, &batch, &sync, &structural),
            max_tokens: self.max_tokens,
            temperature: Some(0.0),
            json: true,
        };
        let fallback = |kind: &str, why: &str| {
            let mut v = structural.verdict(&format!("fallback:{kind}:"));
            let d = v.details.take().unwrap_or_default();
            v.details = Some(capped(&format!(
                "model verdict unavailable ({kind}: {why}); structural: {d}"
            )));
            v
        };
        match self.chat.chat(&request) {
            Err(e) => {
                let (kind, message) = (e.kind(), e.message());
                fallback(kind, message)
            }
            Ok(resp) => match answer::parse(&resp.content) {
                None => fallback("unparsable", &resp.content.chars().take(200).collect::<String>()),
                Some((class, reason)) => {
                    let label = format!("llm:{}", encode(class.name(), &structural.outcomes()));
                    let details = format!(
                        "model {} says {} ({}); structural: {} — {}",
                        resp.model,
                        class.name(),
                        reason.as_deref().unwrap_or("no reason given"),
                        structural.class.name(),
                        structural.details()
                    );
                    verdict(class, label, details)
                }
            },
        }
    }
}

/// Longest details this judge writes.
const MAX_DETAILS: usize = 2048;

/// `s` cut to [`MAX_DETAILS`] bytes on a character boundary.
fn capped(s: &str) -> String {
    let mut s = s.to_string();
    truncate_utf8(&mut s, MAX_DETAILS);
    s
}

impl Judge for BatchSyncDriftLlm<HostChat> {
    fn describe() -> Descriptor {
        let d = Descriptor::new(
            NAME,
            "0.1.0",
            "Batch versus sync response for the same custom_id, judged pairwise by a granted model, with a structural fallback, drift bands and per-rubric gaps",
        )
        .scorer()
        .aggregator()
        .needs(Needs::METADATA | Needs::PROMPT)
        .config_key("model", "model to ask, from the grant's allow-list (default: the grant's first model)")
        .config_key("max-tokens", "completion token cap per call (default 256)");
        with_config_keys(d)
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        BatchSyncDriftLlm::with_chat(&config, HostChat)
    }

    fn score_batch(&mut self, rows: &[Row]) -> Vec<Result<Verdict, JudgeError>> {
        self.score_rows(rows)
    }

    fn observe(&mut self, obs: &Observation) {
        self.core.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        let stats = self.core.stats();
        let (llm, fallbacks) = (stats.llm_verdicts(), stats.fallbacks());
        Ok(self
            .core
            .report()
            .metric("llm_verdicts", llm as f64)
            .metric("llm_fallbacks", fallbacks as f64))
    }
}

assay_judge_sdk::export_judge!(BatchSyncDriftLlm);

#[cfg(test)]
mod tests;
