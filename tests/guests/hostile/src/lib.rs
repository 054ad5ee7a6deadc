//! `hostile`: a judge that misbehaves on purpose, so the host's tests can prove the
//! sandbox holds. Each row's `response` text picks the behaviour for that row only,
//! so tests can check that neighbouring rows still score.
//!
//! Behaviours: `loop`, `sleep`, `grow`, `grow-raw`, `recurse`, `panic`, `huge`,
//! `huge-label`, `nan`, `inf`, `range`, `error`, `env`, `fs`, `clock`, `log`,
//! `log-bomb`, `log-bomb-panic`, `print-flood`, `flood-then-panic`, `huge-error`, `random`;
//! anything else passes with score 1.0. Config: `act = "NAME"` performs that act on
//! every row whatever its response; `fail-init = "true"` fails `init`;
//! `agg-trap = "true"` makes `finish` panic; `agg-flood = "N"` makes `finish`
//! return N metrics and N alarms. The aggregator reports `observed`.
//! Invariant: nothing here is reachable from a well-behaved host test by accident —
//! each hostile act needs its exact trigger text.

mod acts;

use assay_judge_sdk::prelude::*;

/// The judge instance.
pub struct Hostile {
    act: Option<String>,
    agg_trap: bool,
    agg_flood: u32,
    observed: u64,
}

impl Judge for Hostile {
    fn describe() -> Descriptor {
        Descriptor::new("hostile", "0.1.0", "Misbehaves on purpose, per row, for sandbox tests")
            .quality()
            .aggregator()
            .needs(Needs::PROMPT | Needs::METADATA)
            .config_key("act", "NAME: perform this act on every row")
            .config_key("fail-init", "\"true\": init returns a config error")
            .config_key("agg-trap", "\"true\": finish panics")
            .config_key("agg-flood", "N: finish returns N metrics and N alarms")
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        if config.get("fail-init") == Some("true") {
            return Err(JudgeError::Config("fail-init requested".into()));
        }
        Ok(Hostile {
            act: config.get("act").map(str::to_owned),
            agg_trap: config.get("agg-trap") == Some("true"),
            agg_flood: config.get("agg-flood").and_then(|n| n.parse().ok()).unwrap_or(0),
            observed: 0,
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        if row.response.as_deref() == Some("echo-prompt") {
            // Shows the host delivered the request's prompt and metadata.
            let prompt: Vec<String> = row
                .prompt
                .iter()
                .map(|m| format!("{}: {}", m.role, m.content))
                .collect();
            let meta: Vec<String> = row.metadata.iter().map(|(k, v)| format!("{k}={v}")).collect();
            return Ok(Verdict::pass(1.0).with_details(format!("{} | {}", prompt.join(" / "), meta.join(","))));
        }
        acts::act(self.act.as_deref().or(row.response.as_deref()).unwrap_or(""))
    }

    fn observe(&mut self, _obs: &Observation) {
        self.observed += 1;
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        if self.agg_trap {
            panic!("agg-trap requested");
        }
        let mut report = Report::new().metric("observed", self.observed as f64);
        for i in 0..self.agg_flood {
            report.push_metric(&format!("flood_{i}"), None, f64::from(i));
            report.push_alarm("flood", None, format!("alarm {i}"));
        }
        Ok(report)
    }
}

assay_judge_sdk::export_judge!(Hostile);
