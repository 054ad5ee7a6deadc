//! `contains`: whether each completed response contains a required substring
//! and/or avoids a forbidden one (plain text, no patterns — see the `regex` judge).
//!
//! Invariants: case-insensitive comparison lowercases both sides once per row
//! (Unicode `to_lowercase`); scores are exactly 1.0 or 0.0.

use assay_judge_sdk::prelude::*;
use local_metrics::{PassRate, details};

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "contains";

/// The judge instance.
pub struct Contains {
    contains: Option<String>,
    not_contains: Option<String>,
    ignore_case: bool,
    stats: PassRate,
}

impl Judge for Contains {
    fn describe() -> Descriptor {
        Descriptor::new(
            NAME,
            "0.1.0",
            "Whether each completed response contains (or avoids) a plain substring",
        )
        .quality()
        .aggregator()
        .config_key(
            "contains",
            "substring every response must contain (at least one of contains / not-contains is required)",
        )
        .config_key("not-contains", "substring no response may contain")
        .config_key("ignore-case", "true: compare case-insensitively (default false)")
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        let ignore_case = config.parse_or("ignore-case", false)?;
        let prepare = |key: &str| -> Result<Option<String>, JudgeError> {
            match config.get(key) {
                None => Ok(None),
                Some("") => Err(JudgeError::Config(format!("config key `{key}`: must not be empty"))),
                Some(s) if ignore_case => Ok(Some(s.to_lowercase())),
                Some(s) => Ok(Some(s.to_string())),
            }
        };
        let contains = prepare("contains")?;
        let not_contains = prepare("not-contains")?;
        if contains.is_none() && not_contains.is_none() {
            return Err(JudgeError::Config(
                "missing config key: give `contains`, `not-contains` or both".into(),
            ));
        }
        Ok(Contains {
            contains,
            not_contains,
            ignore_case,
            stats: PassRate::new(),
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(text) = row.response.as_deref() else {
            return Ok(Verdict::fail("no_response", None));
        };
        let lowered;
        let text = if self.ignore_case {
            lowered = text.to_lowercase();
            lowered.as_str()
        } else {
            text
        };
        if let Some(needle) = &self.contains
            && !text.contains(needle.as_str())
        {
            return Ok(Verdict::fail(
                "missing_substring",
                Some(details(format!("response does not contain {needle:?}"))),
            ));
        }
        if let Some(needle) = &self.not_contains
            && let Some(at) = text.find(needle.as_str())
        {
            return Ok(Verdict::fail(
                "forbidden_substring",
                Some(details(format!("response contains {needle:?} at byte {at}"))),
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

assay_judge_sdk::export_judge!(Contains);

#[cfg(test)]
mod tests;
