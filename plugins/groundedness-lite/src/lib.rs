//! `groundedness-lite`: the share of the response's content words that appear in
//! the retrieval context of the row's metadata — a cheap, offline proxy for
//! "is the answer supported by what was retrieved".
//!
//! Content words: lowercased alphanumeric runs of at least 3 characters that are
//! not in the built-in English stopword list (`local_metrics::text::STOPWORDS`),
//! counted once each. Context words: every lowercased alphanumeric run. A context
//! written as a JSON array of strings (as DeepEval/Ragas store `retrieval_context`)
//! is read as those strings joined; any other value is plain text.
//!
//! The overlap itself lives in `local_metrics::grounding` (shared with
//! `batch-sync-drift`).
//!
//! Invariants: score = grounded distinct content words / distinct content words, in
//! `[0, 1]`, on passes and failures alike; a missing context is `InvalidInput`.

use assay_judge_sdk::prelude::*;
use local_metrics::grounding::{context_text, grounding};
use local_metrics::{PassRate, graded, metadata_value, non_empty, threshold};

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "groundedness-lite";
/// Ungrounded words quoted in details.
const QUOTED: usize = 20;

/// The judge instance.
pub struct GroundednessLite {
    context_key: String,
    threshold: f64,
    stats: PassRate,
}

impl Judge for GroundednessLite {
    fn describe() -> Descriptor {
        Descriptor::new(
            NAME,
            "0.1.0",
            "Share of the response's content words found in the retrieval context of the row metadata",
        )
        .quality()
        .aggregator()
        .needs(Needs::METADATA)
        .config_key(
            "context-key",
            "row metadata key holding the retrieval context (default retrieval_context)",
        )
        .config_key(
            "threshold",
            "pass when at least this share of content words is grounded, in [0, 1] (default 0.6)",
        )
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        Ok(GroundednessLite {
            context_key: non_empty(&config, "context-key", "retrieval_context")?,
            threshold: threshold(&config, "threshold", 0.6)?,
            stats: PassRate::new(),
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(text) = row.response.as_deref() else {
            return Ok(Verdict::fail("no_response", None));
        };
        let context = context_text(metadata_value(row, &self.context_key)?);
        let g = grounding(text, &context);
        let (content, missing) = (g.content, &g.missing);
        if content == 0 {
            return Ok(Verdict::fail(
                "no_content",
                Some("the response has no content words to check".into()),
            ));
        }
        let grounded = content - missing.len();
        let score = grounded as f64 / content as f64;
        let mut d = format!("{grounded} of {content} content words found in the context");
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(QUOTED).map(String::as_str).collect();
            d.push_str(&format!("; not found: {}", shown.join(", ")));
            if missing.len() > QUOTED {
                d.push_str(&format!(" (+{} more)", missing.len() - QUOTED));
            }
        }
        Ok(graded(score, self.threshold, "ungrounded", d))
    }

    fn observe(&mut self, obs: &Observation) {
        self.stats.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.stats.report())
    }
}

assay_judge_sdk::export_judge!(GroundednessLite);

#[cfg(test)]
mod tests;
