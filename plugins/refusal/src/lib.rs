//! `refusal`: fails empty responses and refusals, found by a documented phrase
//! list ([`PHRASES`], shared in `local_metrics::refusal`, extensible with `extra-phrases`).
//!
//! Invariants: matching is case-insensitive and whitespace-insensitive (both sides
//! lowercased, whitespace runs collapsed, typographic apostrophes made straight);
//! a phrase matches anywhere in the response; scores are exactly 1.0 or 0.0.

use assay_judge_sdk::prelude::*;
use local_metrics::{PassRate, details};

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "refusal";

pub use local_metrics::refusal::{PHRASES, canonical};

/// The judge instance.
pub struct Refusal {
    phrases: Vec<String>,
    stats: PassRate,
}

impl Judge for Refusal {
    fn describe() -> Descriptor {
        Descriptor::new(
            NAME,
            "0.1.0",
            "Fails empty responses and refusals found by a documented phrase list",
        )
        .quality()
        .aggregator()
        .config_key(
            "extra-phrases",
            "more refusal phrases, separated by |, matched case-insensitively anywhere in the response",
        )
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        Ok(Refusal {
            phrases: local_metrics::refusal::phrases(config.get("extra-phrases")),
            stats: PassRate::new(),
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(text) = row.response.as_deref() else {
            return Ok(Verdict::fail("no_response", None));
        };
        if text.trim().is_empty() {
            return Ok(Verdict::fail(
                "empty",
                Some("response is empty or whitespace only".into()),
            ));
        }
        if let Some(phrase) = local_metrics::refusal::find(&self.phrases, text) {
            return Ok(Verdict::fail(
                "refusal",
                Some(details(format!("matched refusal phrase {phrase:?}"))),
            ));
        }
        Ok(Verdict::pass(1.0))
    }

    fn observe(&mut self, obs: &Observation) {
        self.stats.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.stats.report())
    }
}

assay_judge_sdk::export_judge!(Refusal);

#[cfg(test)]
mod tests;
