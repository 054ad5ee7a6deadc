//! [`DriftCore`]: configuration, the structural verdict on one row and the
//! aggregator — everything a batch-sync-drift judge does except talking to the host.
//!
//! Invariants: a row never becomes a judge error — unpaired rows and rows whose
//! sync twin has no answer get a verdict without a score (passed, so they never
//! count as failures); every config failure is a `JudgeError::Config` naming its key.

use assay_judge_sdk::{Config, Descriptor, JudgeError, Observation, Report, Row, Verdict, truncate_utf8};
use local_metrics::{non_empty, threshold};

use crate::aggregate::{AlarmConfig, DriftStats};
use crate::checks::{Checks, compile};
use crate::label::{MAX_LABEL, SYNC_UNAVAILABLE, UNPAIRED};
use crate::pair::PairVerdict;
use crate::side::{Pairing, Side, pairing};

/// The configuration keys both judges understand, with their help (as in `judge.toml`).
pub const CONFIG_KEYS: &[(&str, &str)] = &[
    (
        "schema",
        "JSON Schema (Draft 2020-12) content answers must satisfy; pass @file (no schema: rubric s not applicable)",
    ),
    (
        "tool-schema",
        "JSON Schema tool-call arguments must satisfy; pass @file (default: any JSON object)",
    ),
    (
        "context-key",
        "row metadata key holding the retrieval context for grounding (default retrieval_context)",
    ),
    (
        "grounding-threshold",
        "a side is grounded when at least this share of its content words is in the context (default 0.6)",
    ),
    (
        "grounding-margin",
        "a one-sided grounding result counts only when the two shares differ by at least this much (default 0.1)",
    ),
    (
        "refusal-key",
        "row metadata key that, when true, says the request should be refused (default should_refuse)",
    ),
    (
        "extra-phrases",
        "more refusal phrases, separated by |, matched case-insensitively anywhere in the response",
    ),
    (
        "min-agreement",
        "a tie on every rubric is equivalent at or above this JSON field agreement or token similarity, else divergent (default 0.5)",
    ),
    (
        "gap-points",
        "alarm rubric-gap when a rubric's batch and sync pass rates differ by more than this many points (default 2)",
    ),
    (
        "regression-below",
        "alarm regression when the mean pair score is below this (default 0.45)",
    ),
    (
        "soft-drift-below",
        "alarm soft-drift when the mean pair score is below this but not a regression (default 0.50)",
    ),
    (
        "min-pairs",
        "band and rubric-gap alarms need at least this many (applicable) pairs (default 20)",
    ),
];

/// Adds [`CONFIG_KEYS`] to `d`.
pub fn with_config_keys(d: Descriptor) -> Descriptor {
    CONFIG_KEYS.iter().fold(d, |d, (k, help)| d.config_key(k, help))
}

/// A row read as a pair.
#[derive(Debug, Clone)]
pub enum Judged {
    /// Nothing to compare: the verdict is final (no score, passed).
    Unscored(Verdict),
    /// A pair with its structural verdict.
    Pair {
        batch: Side,
        sync: Side,
        structural: PairVerdict,
    },
}

/// The shared state of a batch-sync-drift judge.
pub struct DriftCore {
    checks: Checks,
    min_agreement: f64,
    stats: DriftStats,
}

impl DriftCore {
    /// Reads [`CONFIG_KEYS`] from `config`.
    pub fn from_config(config: &Config) -> Result<Self, JudgeError> {
        let schema = config.get("schema").map(|s| compile("schema", s)).transpose()?;
        let tool_schema = config
            .get("tool-schema")
            .map(|s| compile("tool-schema", s))
            .transpose()?;
        let checks = Checks {
            schema,
            tool_schema,
            context_key: non_empty(config, "context-key", "retrieval_context")?,
            grounding_threshold: threshold(config, "grounding-threshold", 0.6)?,
            grounding_margin: threshold(config, "grounding-margin", 0.1)?,
            phrases: local_metrics::refusal::phrases(config.get("extra-phrases")),
            refusal_key: non_empty(config, "refusal-key", "should_refuse")?,
        };
        let gap_points: f64 = config.parse_or("gap-points", 2.0)?;
        if !gap_points.is_finite() || gap_points < 0.0 {
            return Err(JudgeError::Config(format!(
                "config key `gap-points`: must be a finite number >= 0, got {gap_points}"
            )));
        }
        let alarms = AlarmConfig {
            regression_below: threshold(config, "regression-below", 0.45)?,
            soft_drift_below: threshold(config, "soft-drift-below", 0.50)?,
            gap_points,
            min_pairs: config.parse_or("min-pairs", 20u64)?,
        };
        if alarms.regression_below > alarms.soft_drift_below {
            return Err(JudgeError::Config(
                "config key `regression-below`: must not exceed `soft-drift-below`".into(),
            ));
        }
        Ok(DriftCore {
            checks,
            min_agreement: threshold(config, "min-agreement", 0.5)?,
            stats: DriftStats::new(alarms),
        })
    }

    /// Reads `row` as a pair and compares it structurally.
    pub fn judge(&self, row: &Row) -> Judged {
        match pairing(row) {
            Pairing::Unpaired => Judged::Unscored(unscored(UNPAIRED.into(), None)),
            Pairing::SyncUnavailable(status) => {
                let label = format!("{SYNC_UNAVAILABLE}:{status}");
                let details = format!("the sync request ended `{status}`: nothing to compare");
                Judged::Unscored(unscored(label, Some(details)))
            }
            Pairing::Paired { batch, sync } => {
                let rubrics = self.checks.evaluate(row, &batch, &sync);
                let structural = PairVerdict::classify(rubrics, &batch, &sync, self.min_agreement);
                Judged::Pair {
                    batch,
                    sync,
                    structural,
                }
            }
        }
    }

    /// The structural verdict on `row`.
    pub fn score(&self, row: &Row) -> Verdict {
        match self.judge(row) {
            Judged::Unscored(v) => v,
            Judged::Pair { structural, .. } => structural.verdict(""),
        }
    }

    /// Counts one observation.
    pub fn observe(&mut self, obs: &Observation) {
        self.stats.observe(obs);
    }

    /// The aggregator's counters.
    pub fn stats(&self) -> &DriftStats {
        &self.stats
    }

    /// The run's metrics and alarms.
    pub fn report(&self) -> Report {
        self.stats.report()
    }
}

/// A verdict without a score: passed, so it never counts against the run.
fn unscored(mut label: String, details: Option<String>) -> Verdict {
    truncate_utf8(&mut label, MAX_LABEL);
    Verdict {
        score: None,
        label: Some(label),
        passed: true,
        details,
    }
}
