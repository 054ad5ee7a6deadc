//! `bleu`: sentence BLEU-4 of each completed response against the reference
//! answer in the row's metadata (see `local_metrics::bleu` for the exact
//! definition: floor smoothing with epsilon 0.1, effective order, brevity penalty).
//!
//! Invariants: the score is BLEU itself, in `[0, 1]`, on passes and failures
//! alike; tokenization is whitespace + punctuation (`local_metrics::text::tokens`),
//! case-sensitive unless `lowercase = true`.

use assay_judge_sdk::prelude::*;
use local_metrics::bleu::sentence_bleu;
use local_metrics::text::tokens;
use local_metrics::{PassRate, graded, metadata_value, non_empty, threshold};

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "bleu";

/// The judge instance.
pub struct BleuJudge {
    reference_key: String,
    threshold: f64,
    lowercase: bool,
    stats: PassRate,
}

impl Judge for BleuJudge {
    fn describe() -> Descriptor {
        Descriptor::new(
            NAME,
            "0.1.0",
            "Sentence BLEU-4 of each completed response against the reference in the row metadata",
        )
        .quality()
        .aggregator()
        .needs(Needs::METADATA)
        .config_key(
            "reference-key",
            "row metadata key holding the reference answer (default reference)",
        )
        .config_key("threshold", "pass when BLEU is at least this, in [0, 1] (default 0.3)")
        .config_key(
            "lowercase",
            "true: lowercase both sides before tokenizing (default false: case-sensitive)",
        )
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        Ok(BleuJudge {
            reference_key: non_empty(&config, "reference-key", "reference")?,
            threshold: threshold(&config, "threshold", 0.3)?,
            lowercase: config.parse_or("lowercase", false)?,
            stats: PassRate::new(),
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(text) = row.response.as_deref() else {
            return Ok(Verdict::fail("no_response", None));
        };
        let reference = metadata_value(row, &self.reference_key)?;
        let (hyp, refr) = if self.lowercase {
            (text.to_lowercase(), reference.to_lowercase())
        } else {
            (text.to_string(), reference.to_string())
        };
        let b = sentence_bleu(&tokens(&hyp), &tokens(&refr));
        Ok(graded(b.score, self.threshold, "low_bleu", b.describe()))
    }

    fn observe(&mut self, obs: &Observation) {
        self.stats.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.stats.report())
    }
}

assay_judge_sdk::export_judge!(BleuJudge);

#[cfg(test)]
mod tests;
