//! `regex`: whether each completed response matches (mode `match`) or avoids (mode
//! `forbid`) a regular expression. Plain substrings are the `contains` judge's job.
//!
//! Invariants: the pattern is compiled once, in `init` (a bad pattern is a config
//! error naming it); matching is linear in the response (Rust `regex`: no
//! backtracking); scores are exactly 1.0 or 0.0.

use assay_judge_sdk::prelude::*;
use local_metrics::{PassRate, details};
use regex::{Regex, RegexBuilder};

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "regex";
/// Compiled-program size cap (the `regex` crate's default is 10 MiB).
const SIZE_LIMIT: usize = 4 << 20;
/// Characters of a forbidden match quoted in details.
const QUOTE_CHARS: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Match,
    Forbid,
}

/// The judge instance.
pub struct RegexJudge {
    regex: Regex,
    mode: Mode,
    stats: PassRate,
}

impl Judge for RegexJudge {
    fn describe() -> Descriptor {
        Descriptor::new(
            NAME,
            "0.1.0",
            "Whether each completed response matches (or, in forbid mode, avoids) a regular expression",
        )
        .quality()
        .aggregator()
        .config_key(
            "pattern",
            "regular expression (Rust regex syntax, no look-around or backreferences); required",
        )
        .config_key(
            "mode",
            "match: pass when the pattern matches somewhere; forbid: pass when it matches nowhere (default match)",
        )
        .config_key("ignore-case", "true: match case-insensitively (default false)")
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        let pattern = config.require("pattern")?;
        let mode = match config.get("mode").map(str::trim).unwrap_or("match") {
            "match" => Mode::Match,
            "forbid" => Mode::Forbid,
            other => {
                return Err(JudgeError::Config(format!(
                    "config key `mode`: expected `match` or `forbid`, got {other:?}"
                )));
            }
        };
        let regex = RegexBuilder::new(pattern)
            .case_insensitive(config.parse_or("ignore-case", false)?)
            .size_limit(SIZE_LIMIT)
            .build()
            .map_err(|e| {
                JudgeError::Config(details(format!("config key `pattern`: invalid regex {pattern:?}: {e}")))
            })?;
        Ok(RegexJudge {
            regex,
            mode,
            stats: PassRate::new(),
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(text) = row.response.as_deref() else {
            return Ok(Verdict::fail("no_response", None));
        };
        let found = self.regex.find(text);
        Ok(match (self.mode, found) {
            (Mode::Match, Some(_)) | (Mode::Forbid, None) => Verdict::pass(1.0),
            (Mode::Match, None) => Verdict::fail(
                "no_match",
                Some(details(format!("pattern {} matches nowhere", self.regex.as_str()))),
            ),
            (Mode::Forbid, Some(m)) => {
                let quoted: String = m.as_str().chars().take(QUOTE_CHARS).collect();
                Verdict::fail(
                    "forbidden_match",
                    Some(details(format!("forbidden match at byte {}: {quoted:?}", m.start()))),
                )
            }
        })
    }

    fn observe(&mut self, obs: &Observation) {
        self.stats.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.stats.report())
    }
}

assay_judge_sdk::export_judge!(RegexJudge);

#[cfg(test)]
mod tests;
