//! {{name}}: an assay judge in Rust, on the assay judge SDK (`assay-judge-sdk`,
//! vendored in `assay-judge-sdk/` with the WIT it implements).
//!
//! Fails a completed row whose response is empty (label `empty`) or longer than
//! config `max-chars` (default 100, in characters; label `too-long`). A row
//! without response text is a `JudgeError::InvalidInput`, not a panic: a panic
//! traps, and a trap means the host stopped the judge. The aggregator reports
//! the pass rate per segment and alarms when a segment drops (the SDK's
//! `SegmentPassRate`); rows this judge did not score reach it with no verdict.

use assay_judge_sdk::prelude::*;

struct MyJudge {
    max_chars: usize,
    rates: SegmentPassRate,
}

impl Judge for MyJudge {
    fn describe() -> Descriptor {
        Descriptor::new(
            "{{name}}",
            "0.1.0",
            "Fails empty responses and responses longer than max-chars",
        )
        .quality()
        .aggregator()
        // The config keys are declared once, in judge.toml's [config] table.
        .config_from_manifest(include_str!("../judge.toml"))
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        // The host has already refused any key judge.toml does not declare.
        let max_chars = config.parse_or("max-chars", 100)?;
        let rates = SegmentPassRate::new(
            config.parse_or("alarm-points", 10.0)?,
            config.parse_or("min-segment-rows", 20)?,
        );
        log::debug(&format!("max-chars = {max_chars}"));
        Ok(MyJudge { max_chars, rates })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(text) = &row.response else {
            return Err(JudgeError::InvalidInput("no response text".into()));
        };
        if text.trim().is_empty() {
            return Ok(Verdict::fail("empty", None));
        }
        let n = text.chars().count();
        if n > self.max_chars {
            return Ok(Verdict::fail(
                "too-long",
                Some(format!(
                    "{n} characters, above max-chars {}",
                    self.max_chars
                )),
            ));
        }
        Ok(Verdict::pass(1.0))
    }

    fn begin(&mut self, info: &RunInfo) -> Result<(), JudgeError> {
        self.rates.begin(info);
        Ok(())
    }

    fn observe(&mut self, obs: &Observation) {
        self.rates.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.rates.report())
    }
}

assay_judge_sdk::export_judge!(MyJudge);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_the_manifest_keys() {
        let keys: Vec<String> = MyJudge::describe()
            .config_keys
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["max-chars", "alarm-points", "min-segment-rows"]);
    }

    #[test]
    fn scores_plain_rust() {
        let mut j =
            MyJudge::init(Config::new(vec![("max-chars".into(), "3".into())])).expect("init");
        let mut verdict = |text: &str| j.score(&Row::completed("r", Some(text))).expect("verdict");
        assert!(verdict("abc").passed);
        assert_eq!(verdict("abcd").label.as_deref(), Some("too-long"));
    }
}
