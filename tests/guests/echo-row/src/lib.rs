//! Echoes every field of a row into its verdict's details, so a host test can
//! see exactly what reached the judge through `score-batch` and through
//! `score-packed`.

use assay_judge_sdk::prelude::*;

struct EchoRow;

impl Judge for EchoRow {
    fn describe() -> Descriptor {
        Descriptor::new("echo-row", "0.1.0", "Echoes each row into its verdict")
            .scorer()
            .needs(Needs::PROMPT | Needs::METADATA)
    }

    fn init(_config: Config) -> Result<Self, JudgeError> {
        Ok(EchoRow)
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        Ok(Verdict {
            score: Some(1.0),
            label: None,
            passed: true,
            details: Some(format!("{row:?}")),
        })
    }
}

assay_judge_sdk::export_judge!(EchoRow);
