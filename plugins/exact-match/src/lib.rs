//! `exact-match`: whether each completed response equals the reference answer in
//! the row's metadata (after normalization, by default). Details always carry the
//! character-level Levenshtein similarity, so near misses are easy to spot.
//!
//! Invariants: scores are exactly 1.0 or 0.0; a row without the reference is an
//! `InvalidInput` error, never a trap; the similarity's work is bounded
//! (`local_metrics::lev::MAX_CHARS`).

use assay_judge_sdk::prelude::*;
use local_metrics::text::normalize;
use local_metrics::{PassRate, details, lev, metadata_value, non_empty};

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "exact-match";

/// The judge instance.
pub struct ExactMatch {
    reference_key: String,
    normalize: bool,
    stats: PassRate,
}

impl Judge for ExactMatch {
    fn describe() -> Descriptor {
        Descriptor::new(
            NAME,
            "0.1.0",
            "Whether each completed response equals the reference in the row metadata",
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
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        Ok(ExactMatch {
            reference_key: non_empty(&config, "reference-key", "reference")?,
            normalize: config.parse_or("normalize", true)?,
            stats: PassRate::new(),
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(text) = row.response.as_deref() else {
            return Ok(Verdict::fail("no_response", None));
        };
        let reference = metadata_value(row, &self.reference_key)?;
        let (a, b) = if self.normalize {
            (normalize(text), normalize(reference))
        } else {
            (text.to_string(), reference.to_string())
        };
        let sim = lev::similarity(&a, &b);
        if a == b {
            Ok(Verdict::pass(1.0).with_details(details(sim.describe())))
        } else {
            Ok(Verdict::fail("mismatch", Some(details(sim.describe()))))
        }
    }

    fn observe(&mut self, obs: &Observation) {
        self.stats.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.stats.report())
    }
}

assay_judge_sdk::export_judge!(ExactMatch);

#[cfg(test)]
mod tests;
