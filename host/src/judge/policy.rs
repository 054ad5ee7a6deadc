//! The operator policy file (`--policy`, TOML): defaults, ceilings, run-level
//! failure thresholds and LLM grants.
//!
//! Invariant: a `Policy` value is whole and consistent: every default sits
//! under its ceiling, every number fits the arithmetic it feeds, every grant is
//! complete. A file that breaks any of this is refused with its path and the
//! reason; nothing is clamped or wrapped silently.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::files::{ReadError, read_regular_text};
use super::limits::{Ceilings, LimitError, Limits, mib_to_bytes};
use super::llm::LlmPolicy;
use super::llm::grant::{GrantError, GrantKeys};
use super::manifest::RequestedLimits;

/// Largest policy file read: a policy with a grant per judge is a few KiB.
const MAX_POLICY_BYTES: u64 = 1024 * 1024;

/// The operator policy: defaults, ceilings and run-level failure thresholds.
#[derive(Debug, Clone)]
pub struct Policy {
    pub defaults: Limits,
    pub ceilings: Ceilings,
    /// Abort the run when more than this fraction of scored rows end in a
    /// judge error the host imposed (trap, timeout, invalid output).
    pub max_judge_error_rate: f64,
    pub source: Option<PathBuf>,
    /// LLM grants from `[llm.<judge>]` tables, plus the run's endpoint and cache.
    pub llm: LlmPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            defaults: Limits::default(),
            ceilings: Ceilings::default(),
            max_judge_error_rate: 0.01,
            source: None,
            llm: LlmPolicy::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy file {path}: {source}")]
    Read { path: PathBuf, source: ReadError },
    #[error("policy file {path}: {source}")]
    Syntax {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("policy file {path}: {source}")]
    Grant {
        path: PathBuf,
        #[source]
        source: GrantError,
    },
    #[error("policy file {path}: {source}")]
    Value {
        path: PathBuf,
        #[source]
        source: LimitError,
    },
    #[error("policy file {path}: [ceilings] takes fuel-per-row, timeout-ms-per-row, memory-mib and max-wasm-mib only")]
    CeilingKey { path: PathBuf },
    #[error("policy file {path}: max-judge-error-rate must be within 0..1, got {rate}")]
    ErrorRate { path: PathBuf, rate: f64 },
    #[error("policy file {path}: a [defaults] value is above its [ceilings] value")]
    DefaultAboveCeiling { path: PathBuf },
}

/// The policy file's shape (TOML); every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PolicyFile {
    #[serde(default)]
    defaults: LimitKeys,
    #[serde(default)]
    ceilings: LimitKeys,
    max_judge_error_rate: Option<f64>,
    /// `[llm.<judge-name>]`: one grant per judge allowed to call a model.
    #[serde(default)]
    llm: std::collections::BTreeMap<String, GrantKeys>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LimitKeys {
    fuel_per_row: Option<u64>,
    timeout_ms_per_row: Option<u64>,
    timeout_ms_base: Option<u64>,
    memory_mib: Option<u64>,
    aggregator_memory_mib: Option<u64>,
    max_wasm_mib: Option<u64>,
    rows_per_instance: Option<u64>,
    chunk_timeout_ms: Option<u64>,
    run_budget_s: Option<u64>,
    compile_timeout_s: Option<u64>,
    max_function_kib: Option<u64>,
}

/// `max-wasm-mib` in bytes, refused when it overflows.
fn wasm_bytes(mib: u64) -> Result<u64, LimitError> {
    mib_to_bytes("max-wasm-mib", mib).map(|b| b as u64)
}

impl Policy {
    /// Reads a policy file; missing keys keep the documented defaults.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = read_regular_text(path, MAX_POLICY_BYTES).map_err(|source| PolicyError::Read {
            path: path.to_owned(),
            source,
        })?;
        Policy::parse(&text, path)
    }

    /// A policy from its text, as if read from `path` (named in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Policy, PolicyError> {
        let file: PolicyFile = toml::from_str(text).map_err(|source| PolicyError::Syntax {
            path: path.to_owned(),
            source,
        })?;
        let value = |source: LimitError| PolicyError::Value {
            path: path.to_owned(),
            source,
        };
        let mut policy = Policy {
            source: Some(path.to_owned()),
            ..Policy::default()
        };
        let d = &mut policy.defaults;
        let k = &file.defaults;
        if let Some(v) = k.fuel_per_row {
            d.fuel_per_row = v;
        }
        if let Some(v) = k.timeout_ms_per_row {
            d.call_timeout_per_row = Duration::from_millis(v);
        }
        if let Some(v) = k.timeout_ms_base {
            d.call_timeout_base = Duration::from_millis(v);
        }
        if let Some(v) = k.memory_mib {
            d.memory_bytes = mib_to_bytes("memory-mib", v).map_err(value)?;
        }
        if let Some(v) = k.aggregator_memory_mib {
            d.aggregator_memory_bytes = mib_to_bytes("aggregator-memory-mib", v).map_err(value)?;
        }
        if let Some(v) = k.max_wasm_mib {
            d.max_wasm_bytes = wasm_bytes(v).map_err(value)?;
        }
        if let Some(v) = k.rows_per_instance {
            d.rows_per_instance = v.max(1);
        }
        if let Some(v) = k.chunk_timeout_ms {
            d.chunk_timeout_max = Duration::from_millis(v);
        }
        if let Some(v) = k.run_budget_s {
            d.run_budget = Duration::from_secs(v);
        }
        if let Some(v) = k.compile_timeout_s {
            d.compile_timeout = Duration::from_secs(v);
        }
        if let Some(v) = k.max_function_kib {
            d.max_function_bytes = v.checked_mul(1024).ok_or_else(|| {
                value(LimitError::Overflow {
                    key: "max-function-kib",
                    value: v,
                })
            })?;
        }
        let c = &mut policy.ceilings;
        let k = &file.ceilings;
        if let Some(v) = k.fuel_per_row {
            c.fuel_per_row = v;
        }
        if let Some(v) = k.timeout_ms_per_row {
            c.call_timeout_per_row = Duration::from_millis(v);
        }
        if let Some(v) = k.memory_mib {
            c.memory_bytes = mib_to_bytes("memory-mib", v).map_err(value)?;
        }
        if let Some(v) = k.max_wasm_mib {
            c.max_wasm_bytes = wasm_bytes(v).map_err(value)?;
        }
        if k.timeout_ms_base.is_some()
            || k.aggregator_memory_mib.is_some()
            || k.rows_per_instance.is_some()
            || k.chunk_timeout_ms.is_some()
            || k.run_budget_s.is_some()
            || k.compile_timeout_s.is_some()
            || k.max_function_kib.is_some()
        {
            return Err(PolicyError::CeilingKey { path: path.to_owned() });
        }
        if let Some(rate) = file.max_judge_error_rate {
            if !(0.0..=1.0).contains(&rate) {
                return Err(PolicyError::ErrorRate {
                    path: path.to_owned(),
                    rate,
                });
            }
            policy.max_judge_error_rate = rate;
        }
        for (judge, keys) in file.llm {
            let grant = keys.into_grant(&judge).map_err(|source| PolicyError::Grant {
                path: path.to_owned(),
                source,
            })?;
            policy.llm.grants.insert(judge, grant);
        }
        if !policy.defaults_fit() {
            return Err(PolicyError::DefaultAboveCeiling { path: path.to_owned() });
        }
        Ok(policy)
    }

    /// The defaults themselves must sit under the ceilings.
    fn defaults_fit(&mut self) -> bool {
        let d = &mut self.defaults;
        let c = &self.ceilings;
        d.max_wasm_bytes = d.max_wasm_bytes.min(c.max_wasm_bytes);
        d.fuel_per_row <= c.fuel_per_row
            && d.memory_bytes <= c.memory_bytes
            && d.call_timeout_per_row <= c.call_timeout_per_row
    }

    /// The limits for one judge: defaults, raised or lowered by what its
    /// manifest asks, refused when a request passes a ceiling.
    pub fn limits_for(&self, asked: &RequestedLimits) -> Result<Limits, LimitError> {
        Limits::for_request(&self.defaults, &self.ceilings, asked)
    }
}

#[cfg(test)]
mod tests;
