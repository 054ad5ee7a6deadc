//! Echo-row's twin that scores row views: it echoes the row a view shows in
//! the format echo-row echoes a row, so a host test can check that a view
//! carries exactly what a row would.

use assay_judge_sdk::prelude::*;

struct EchoView;

impl Judge for EchoView {
    const SCORES_VIEWS: bool = true;

    fn describe() -> Descriptor {
        Descriptor::new("echo-view", "0.1.0", "Echoes each row view into its verdict")
            .scorer()
            .needs(Needs::PROMPT | Needs::METADATA)
    }

    fn init(_config: Config) -> Result<Self, JudgeError> {
        Ok(EchoView)
    }

    fn score_view(&mut self, row: &RowView<'_>) -> Result<Verdict, JudgeError> {
        Ok(Verdict {
            score: Some(1.0),
            label: None,
            passed: true,
            details: Some(format!("{:?}", row.to_row())),
        })
    }
}

assay_judge_sdk::export_judge!(EchoView);
