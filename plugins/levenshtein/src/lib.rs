//! `levenshtein`: character-level similarity of each completed response to the
//! reference answer in the row's metadata: `1 - distance / max(len)` over `char`s.
//!
//! Invariants: the score is the similarity, in `[0, 1]`, on passes and failures
//! alike; work per row is bounded by cutting each side to its first
//! `local_metrics::lev::MAX_CHARS` characters (details say so when it happens).

use assay_judge_sdk::prelude::*;
use local_metrics::text::normalize;
use local_metrics::{PassRate, graded, lev, metadata_value, non_empty, threshold};

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "levenshtein";

/// The judge instance.
pub struct Levenshtein {
    reference_key: String,
    normalize: bool,
    threshold: f64,
    stats: PassRate,
}

impl Judge for Levenshtein {
    fn describe() -> Descriptor {
        Descriptor::new(
            NAME,
            "0.1.0",
            "Character-level Levenshtein similarity of each completed response to the reference in the row metadata",
        )
        .quality()
        .aggregator()
        .needs(Needs::METADATA)
        .config_key(
            "reference-key",
            "row metadata key holding the reference answer (default reference)",
        )
        .config_key(
            "normalize",
            "true: trim, collapse whitespace and lowercase both sides before comparing (default true)",
        )
        .config_key(
            "threshold",
            "pass when similarity is at least this, in [0, 1] (default 0.8)",
        )
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        Ok(Levenshtein {
            reference_key: non_empty(&config, "reference-key", "reference")?,
            normalize: config.parse_or("normalize", true)?,
            threshold: threshold(&config, "threshold", 0.8)?,
            stats: PassRate::new(),
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(text) = row.response.as_deref() else {
            return Ok(Verdict::fail("no_response", None));
        };
        let reference = metadata_value(row, &self.reference_key)?;
        let sim = if self.normalize {
            lev::similarity(&normalize(text), &normalize(reference))
        } else {
            lev::similarity(text, reference)
        };
        Ok(graded(sim.similarity, self.threshold, "low_similarity", sim.describe()))
    }

    fn observe(&mut self, obs: &Observation) {
        self.stats.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.stats.report())
    }
}

assay_judge_sdk::export_judge!(Levenshtein);

#[cfg(test)]
mod tests;
