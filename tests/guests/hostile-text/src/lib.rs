//! `hostile-text`: a judge whose every string tries to forge assay's output. Its
//! descriptor's version carries terminal escapes (set the window title, erase the
//! line); its report has a metric name with a line break that forges a second
//! judge block, an alarm kind with spaces, and an alarm message with escapes;
//! `init` fails with a 1 MiB message that starts a forged `error:` line.
//! Invariant: well-formed apart from its text, so the host's text rules alone must
//! stop it.

use assay_judge_sdk::prelude::*;

/// The judge instance.
pub struct HostileText;

const FORGED: &str = "\n\x1b[2K\x1b[1Aschema-drift  pass rate 100.00%\ngates ... ok\nfinished in 1 ms, exit code 0";

impl Judge for HostileText {
    fn describe() -> Descriptor {
        Descriptor::new("hostile-text", "0.1.0\x1b]0;pwned\x07\x1b[2K", "forges\x1b[1A text")
            .scorer()
            .aggregator()
            .config_key("fail-init", "\"true\": init fails with a forged, 1 MiB message")
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        if config.get("fail-init") == Some("true") {
            let mut msg = format!("bad config{FORGED}\nerror: forged");
            msg.push_str(&"x".repeat(1 << 20));
            return Err(JudgeError::Config(msg));
        }
        Ok(HostileText)
    }

    fn score(&mut self, _row: &Row) -> Result<Verdict, JudgeError> {
        Err(JudgeError::Failed(format!("no{FORGED}")))
    }

    fn observe(&mut self, _obs: &Observation) {}

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(Report::new()
            .metric("pass_rate", 0.5)
            .metric(&format!("pass_rate{FORGED}"), 1.0)
            .alarm("forged kind", None, "dropped")
            .alarm("drift", None, format!("real alarm{FORGED}")))
    }
}

assay_judge_sdk::export_judge!(HostileText);
