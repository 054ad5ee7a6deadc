//! `rouge-l`: ROUGE-L F-measure (longest common subsequence over words) of each
//! completed response against the reference answer in the row's metadata.
//!
//! Invariants: the score is the F-measure, in `[0, 1]`, on passes and failures
//! alike; tokens are lowercased words with punctuation dropped (like Google's
//! `rouge-score`, without stemming); the LCS's work is bounded
//! (`local_metrics::rouge::MAX_TOKENS` per side, said in details when cut).

use assay_judge_sdk::prelude::*;
use local_metrics::rouge::rouge_l;
use local_metrics::text::words;
use local_metrics::{PassRate, graded, metadata_value, non_empty, threshold};

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "rouge-l";

/// The judge instance.
pub struct RougeLJudge {
    reference_key: String,
    threshold: f64,
    beta: f64,
    stats: PassRate,
}

impl Judge for RougeLJudge {
    fn describe() -> Descriptor {
        Descriptor::new(
            NAME,
            "0.1.0",
            "ROUGE-L F-measure of each completed response against the reference in the row metadata",
        )
        .quality()
        .aggregator()
        .needs(Needs::METADATA)
        .config_key(
            "reference-key",
            "row metadata key holding the reference answer (default reference)",
        )
        .config_key(
            "threshold",
            "pass when the ROUGE-L F-measure is at least this, in [0, 1] (default 0.5)",
        )
        .config_key(
            "beta",
            "recall weight of the F-measure; 1 is F1 as in rouge-score, 1.2 as in ROUGE-1.5.5 (default 1)",
        )
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        let beta: f64 = config.parse_or("beta", 1.0)?;
        if !(beta.is_finite() && beta > 0.0 && beta <= 100.0) {
            return Err(JudgeError::Config(format!(
                "config key `beta`: must be a number in (0, 100], got {beta}"
            )));
        }
        Ok(RougeLJudge {
            reference_key: non_empty(&config, "reference-key", "reference")?,
            threshold: threshold(&config, "threshold", 0.5)?,
            beta,
            stats: PassRate::new(),
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(text) = row.response.as_deref() else {
            return Ok(Verdict::fail("no_response", None));
        };
        let reference = metadata_value(row, &self.reference_key)?;
        let (hyp, refr) = (text.to_lowercase(), reference.to_lowercase());
        let hyp: Vec<&str> = words(&hyp).collect();
        let refr: Vec<&str> = words(&refr).collect();
        let r = rouge_l(&hyp, &refr, self.beta);
        Ok(graded(r.f, self.threshold, "low_rouge", r.describe()))
    }

    fn observe(&mut self, obs: &Observation) {
        self.stats.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.stats.report())
    }
}

assay_judge_sdk::export_judge!(RougeLJudge);

#[cfg(test)]
mod tests;
