//! `refusal`: fails empty responses and refusals, found by a documented phrase
//! list ([`PHRASES`], extensible with `extra-phrases`).
//!
//! Invariants: matching is case-insensitive and whitespace-insensitive (both sides
//! lowercased, whitespace runs collapsed, typographic apostrophes made straight);
//! a phrase matches anywhere in the response; scores are exactly 1.0 or 0.0.

use assay_judge_sdk::prelude::*;
use local_metrics::text::normalize;
use local_metrics::{PassRate, details};

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "refusal";

/// Built-in refusal phrases, in normalized form (lowercase, straight apostrophes).
pub const PHRASES: &[&str] = &[
    "i can't help",
    "i cannot help",
    "i can not help",
    "i can't assist",
    "i cannot assist",
    "i can't provide",
    "i cannot provide",
    "i can't comply",
    "i cannot comply",
    "i can't fulfill",
    "i cannot fulfill",
    "i can't do that",
    "i won't be able to",
    "i'm sorry, but",
    "i am sorry, but",
    "i'm sorry, i can't",
    "i'm sorry, i cannot",
    "i apologize, but",
    "i'm afraid i can't",
    "as an ai",
    "i am unable to",
    "i'm unable to",
    "i am not able to",
    "i'm not able to",
    "i'm not allowed to",
    "i am not allowed to",
    "i must decline",
];

/// Lowercase, collapse whitespace, straighten apostrophes.
fn canonical(s: &str) -> String {
    normalize(s).replace(['\u{2019}', '\u{2018}', '\u{02bc}'], "'")
}

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
        let mut phrases: Vec<String> = PHRASES.iter().map(|p| p.to_string()).collect();
        if let Some(extra) = config.get("extra-phrases") {
            phrases.extend(extra.split('|').map(canonical).filter(|p| !p.is_empty()));
        }
        Ok(Refusal {
            phrases,
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
        let text = canonical(text);
        if let Some(phrase) = self.phrases.iter().find(|p| text.contains(p.as_str())) {
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
