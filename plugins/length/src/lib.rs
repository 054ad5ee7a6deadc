//! `length`: response length bounds in characters (Unicode scalar values) and
//! words (whitespace-separated), and rows cut at the token limit.
//!
//! Invariants: checks run in a fixed order — truncated, then characters, then
//! words; the first failure is the verdict; scores are exactly 1.0 or 0.0.

use assay_judge_sdk::prelude::*;
use local_metrics::PassRate;

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "length";

/// An inclusive range; either end optional.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    min: Option<u64>,
    max: Option<u64>,
}

impl Bounds {
    fn read(config: &Config, min_key: &str, max_key: &str) -> Result<Self, JudgeError> {
        let opt = |key: &str| -> Result<Option<u64>, JudgeError> {
            match config.get(key) {
                Some(_) => Ok(Some(config.parse(key)?)),
                None => Ok(None),
            }
        };
        let b = Bounds {
            min: opt(min_key)?,
            max: opt(max_key)?,
        };
        if let (Some(lo), Some(hi)) = (b.min, b.max)
            && lo > hi
        {
            return Err(JudgeError::Config(format!(
                "config keys `{min_key}` ({lo}) and `{max_key}` ({hi}): minimum above maximum"
            )));
        }
        Ok(b)
    }

    /// A failing verdict when `n` (of `unit`) is out of bounds.
    fn check(&self, n: u64, unit: &str) -> Option<Verdict> {
        if let Some(min) = self.min
            && n < min
        {
            return Some(Verdict::fail(
                "too_short",
                Some(format!("{n} {unit} < min-{unit} {min}")),
            ));
        }
        if let Some(max) = self.max
            && n > max
        {
            return Some(Verdict::fail(
                "too_long",
                Some(format!("{n} {unit} > max-{unit} {max}")),
            ));
        }
        None
    }
}

/// The judge instance.
pub struct Length {
    chars: Bounds,
    words: Bounds,
    fail_truncated: bool,
    stats: PassRate,
}

impl Judge for Length {
    fn describe() -> Descriptor {
        Descriptor::new(
            NAME,
            "0.1.0",
            "Response length bounds in characters and words, and truncated responses",
        )
        .quality()
        .aggregator()
        .config_key("min-chars", "fewest characters a response may have (default: no bound)")
        .config_key("max-chars", "most characters a response may have (default: no bound)")
        .config_key("min-words", "fewest whitespace-separated words (default: no bound)")
        .config_key("max-words", "most whitespace-separated words (default: no bound)")
        .config_key(
            "fail-truncated",
            "true: rows cut at the token limit fail with label truncated (default true)",
        )
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        Ok(Length {
            chars: Bounds::read(&config, "min-chars", "max-chars")?,
            words: Bounds::read(&config, "min-words", "max-words")?,
            fail_truncated: config.parse_or("fail-truncated", true)?,
            stats: PassRate::new(),
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(text) = row.response.as_deref() else {
            return Ok(Verdict::fail("no_response", None));
        };
        if self.fail_truncated && row.flags.contains(RowFlags::TRUNCATED) {
            let reason = row.finish_reason.as_deref().unwrap_or("unknown");
            return Ok(Verdict::fail(
                "truncated",
                Some(format!(
                    "response stopped at the token limit (finish reason {reason:?})"
                )),
            ));
        }
        let chars = text.chars().count() as u64;
        if let Some(v) = self.chars.check(chars, "chars") {
            return Ok(v);
        }
        let words = text.split_whitespace().count() as u64;
        if let Some(v) = self.words.check(words, "words") {
            return Ok(v);
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

assay_judge_sdk::export_judge!(Length);

#[cfg(test)]
mod tests;
