//! Gates: the thresholds a run must meet (`--min-completion`,
//! `--min-pass-rate`, `--strict-reconcile`), checked against the summary.
//!
//! Invariant: each gate asked for appears in `summary.gates` exactly once per
//! judge it selects; a gate that names a judge the run does not have, or
//! that selects no judge at all, is a usage error, never a silently passing
//! (or silently absent) gate.

use super::error::EvalError;
use crate::report::summary::{Gate, Summary};

#[derive(Debug, Clone, Default)]
pub struct GateConfig {
    pub min_completion: Option<f64>,
    /// `(judge, threshold)`; `None` selects every quality judge.
    pub min_pass_rate: Vec<(Option<String>, f64)>,
    pub strict_reconcile: bool,
}

/// Adds the configured gates to `summary.gates`.
pub fn apply(summary: &mut Summary, cfg: &GateConfig) -> Result<(), EvalError> {
    if let Some(min) = cfg.min_completion {
        summary.gates.push(Gate {
            name: "completion".into(),
            threshold: min,
            actual: summary.completion_rate,
            passed: summary.completion_rate >= min,
        });
    }
    for (judge, min) in &cfg.min_pass_rate {
        let targets: Vec<String> = match judge {
            Some(j) if !summary.judges.contains_key(j) => {
                return Err(EvalError::GateUsage(format!(
                    "--min-pass-rate names judge '{j}', which no --judge selects"
                )));
            }
            Some(j) => vec![j.clone()],
            None => {
                let quality: Vec<String> = summary
                    .judges
                    .iter()
                    .filter(|(_, s)| s.quality)
                    .map(|(n, _)| n.clone())
                    .collect();
                if quality.is_empty() {
                    return Err(EvalError::GateUsage(format!(
                        "--min-pass-rate {min} applies to quality judges, and no --judge selects one; name a judge with JUDGE={min}"
                    )));
                }
                quality
            }
        };
        for j in targets {
            let actual = summary.judges.get(&j).map_or(0.0, |s| s.pass_rate);
            summary.gates.push(Gate {
                name: format!("pass rate {j}"),
                threshold: *min,
                actual,
                passed: actual >= *min,
            });
        }
    }
    if cfg.strict_reconcile {
        let checks: Vec<_> = summary.reconciliation.iter().flat_map(|r| r.checks.iter()).collect();
        let agree = checks.iter().filter(|c| c.ok).count();
        summary.gates.push(Gate {
            name: "reconciliation".into(),
            threshold: 1.0,
            actual: if checks.is_empty() {
                1.0
            } else {
                agree as f64 / checks.len() as f64
            },
            passed: agree == checks.len(),
        });
    }
    Ok(())
}
