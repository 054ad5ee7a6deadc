//! Echoes every field of a row into its verdict's details, and of each
//! observation into one alarm of its report, so a host test can see exactly
//! what reached the judge through the 0.1 calls and through the packed ones.

use assay_judge_sdk::prelude::*;

struct EchoRow {
    seen: Vec<String>,
}

impl Judge for EchoRow {
    fn describe() -> Descriptor {
        Descriptor::new("echo-row", "0.1.0", "Echoes each row into its verdict")
            .scorer()
            .aggregator()
            .needs(Needs::PROMPT | Needs::METADATA)
    }

    fn init(_config: Config) -> Result<Self, JudgeError> {
        Ok(EchoRow { seen: Vec::new() })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        Ok(Verdict {
            score: Some(1.0),
            label: None,
            passed: true,
            details: Some(format!("{row:?}")),
        })
    }

    fn observe(&mut self, obs: &Observation) {
        self.seen.push(format!("{obs:?}"));
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self
            .seen
            .iter()
            .fold(Report::new(), |r, s| r.alarm("echo", None, s.as_str())))
    }
}

assay_judge_sdk::export_judge!(EchoRow);
