//! Sandbox limits: documented defaults, the operator's policy file, and the
//! rule that a judge's manifest may ask for more only up to the policy's ceilings.
//!
//! Invariant: every limit a judge runs under is at most the operator's ceiling;
//! a manifest that asks for more is refused at load time, never clamped silently.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::llm::LlmPolicy;
use super::llm::grant::GrantKeys;
use super::manifest::RequestedLimits;

const MIB: u64 = 1024 * 1024;

/// The limits one judge runs under. Defaults follow measured costs on a
/// 2-core machine (see the README's "Limits" table for the reasoning).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Fuel per row for `score-batch`; a chunk gets rows × this. 100M is about
    /// 50 ms of hot loop: far above what a JSON-checking judge uses (~100k).
    pub fuel_per_row: u64,
    /// Fuel for instantiation plus `init` (compiling a schema, parsing a table).
    pub init_fuel: u64,
    /// Fuel per aggregator call (`begin`, each `observe` chunk, `finish`).
    pub aggregator_fuel: u64,
    /// Wall-clock backstop per call: base + per row. Catches guests that wait
    /// inside a host call, which neither fuel nor epochs can see.
    pub call_timeout_base: Duration,
    pub call_timeout_per_row: Duration,
    /// Linear memory cap for scorer instances.
    pub memory_bytes: usize,
    /// Linear memory cap for the run-long aggregator instance.
    pub aggregator_memory_bytes: usize,
    pub max_table_elements: usize,
    pub max_instances: usize,
    pub max_tables: usize,
    pub max_memories: usize,
    /// Largest `.wasm` accepted, checked before compiling.
    pub max_wasm_bytes: u64,
    pub max_label_bytes: usize,
    pub max_details_bytes: usize,
    /// Captured log bytes per instance, and per message.
    pub max_log_bytes: usize,
    pub max_log_line_bytes: usize,
    /// Recycle a scorer instance after this many rows (bounds leaks in guests).
    pub rows_per_instance: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel_per_row: 100_000_000,
            init_fuel: 2_000_000_000,
            aggregator_fuel: 1_000_000_000,
            call_timeout_base: Duration::from_secs(1),
            call_timeout_per_row: Duration::from_millis(250),
            memory_bytes: (128 * MIB) as usize,
            aggregator_memory_bytes: (256 * MIB) as usize,
            max_table_elements: 100_000,
            // A Rust judge needs 1-2 core instances and a JS one 8; a Python
            // judge built by componentize-py with stubbed WASI needs 38.
            // 64 keeps room without letting a component multiply freely.
            max_instances: 64,
            max_tables: 32,
            max_memories: 4,
            max_wasm_bytes: 20 * MIB,
            max_label_bytes: 128,
            max_details_bytes: 16 * 1024,
            max_log_bytes: 64 * 1024,
            max_log_line_bytes: 1024,
            rows_per_instance: 50_000,
        }
    }
}

/// What the operator allows at most; a manifest cannot ask past these.
#[derive(Debug, Clone, PartialEq)]
pub struct Ceilings {
    pub fuel_per_row: u64,
    pub call_timeout_per_row: Duration,
    pub memory_bytes: usize,
    pub max_wasm_bytes: u64,
}

impl Default for Ceilings {
    fn default() -> Self {
        Ceilings {
            fuel_per_row: 10_000_000_000,
            call_timeout_per_row: Duration::from_secs(10),
            memory_bytes: (1024 * MIB) as usize,
            max_wasm_bytes: 20 * MIB,
        }
    }
}

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
    Read { path: PathBuf, source: std::io::Error },
    #[error("policy file {path}: {message}")]
    Parse { path: PathBuf, message: String },
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
}

impl Policy {
    /// Reads a policy file; missing keys keep the documented defaults.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.to_owned(),
            source,
        })?;
        let parse_err = |message: String| PolicyError::Parse {
            path: path.to_owned(),
            message,
        };
        let file: PolicyFile = toml::from_str(&text).map_err(|e| parse_err(e.to_string()))?;
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
            d.memory_bytes = (v * MIB) as usize;
        }
        if let Some(v) = k.aggregator_memory_mib {
            d.aggregator_memory_bytes = (v * MIB) as usize;
        }
        if let Some(v) = k.max_wasm_mib {
            d.max_wasm_bytes = v * MIB;
        }
        if let Some(v) = k.rows_per_instance {
            d.rows_per_instance = v.max(1);
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
            c.memory_bytes = (v * MIB) as usize;
        }
        if let Some(v) = k.max_wasm_mib {
            c.max_wasm_bytes = v * MIB;
        }
        if k.timeout_ms_base.is_some() || k.aggregator_memory_mib.is_some() || k.rows_per_instance.is_some() {
            return Err(parse_err(
                "[ceilings] takes fuel-per-row, timeout-ms-per-row, memory-mib and max-wasm-mib only".into(),
            ));
        }
        if let Some(rate) = file.max_judge_error_rate {
            if !(0.0..=1.0).contains(&rate) {
                return Err(parse_err(format!(
                    "max-judge-error-rate must be within 0..1, got {rate}"
                )));
            }
            policy.max_judge_error_rate = rate;
        }
        for (judge, keys) in file.llm {
            let grant = keys.into_grant(&judge).map_err(parse_err)?;
            policy.llm.grants.insert(judge, grant);
        }
        policy.check_defaults().map_err(parse_err)?;
        Ok(policy)
    }

    /// The defaults themselves must sit under the ceilings.
    fn check_defaults(&mut self) -> Result<(), String> {
        let d = &mut self.defaults;
        let c = &self.ceilings;
        d.max_wasm_bytes = d.max_wasm_bytes.min(c.max_wasm_bytes);
        if d.fuel_per_row > c.fuel_per_row
            || d.memory_bytes > c.memory_bytes
            || d.call_timeout_per_row > c.call_timeout_per_row
        {
            return Err("a [defaults] value is above its [ceilings] value".into());
        }
        Ok(())
    }

    /// The limits for one judge: defaults, raised or lowered by what its
    /// manifest asks, refused when a request passes a ceiling.
    pub fn limits_for(&self, asked: &RequestedLimits) -> Result<Limits, String> {
        let mut l = self.defaults.clone();
        let c = &self.ceilings;
        if let Some(fuel) = asked.fuel_per_row {
            if fuel > c.fuel_per_row {
                return Err(format!(
                    "asks for fuel-per-row {fuel}, above the policy ceiling {}",
                    c.fuel_per_row
                ));
            }
            l.fuel_per_row = fuel;
        }
        if let Some(mib) = asked.memory_mib {
            let bytes = mib.saturating_mul(MIB) as usize;
            if bytes > c.memory_bytes {
                return Err(format!(
                    "asks for memory-mib {mib}, above the policy ceiling {}",
                    c.memory_bytes as u64 / MIB
                ));
            }
            l.memory_bytes = bytes;
        }
        if let Some(ms) = asked.timeout_ms_per_row {
            let t = Duration::from_millis(ms);
            if t > c.call_timeout_per_row {
                return Err(format!(
                    "asks for timeout-ms-per-row {ms}, above the policy ceiling {}",
                    c.call_timeout_per_row.as_millis()
                ));
            }
            l.call_timeout_per_row = t;
        }
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(f.path(), text).expect("write");
        f
    }

    #[test]
    fn manifest_request_above_ceiling_is_refused() {
        let p = Policy::default();
        let asked = RequestedLimits {
            fuel_per_row: Some(20_000_000_000),
            ..Default::default()
        };
        let err = p.limits_for(&asked).expect_err("must refuse");
        assert!(err.contains("fuel-per-row 20000000000"), "{err}");
    }

    #[test]
    fn manifest_request_within_ceiling_is_granted() {
        let p = Policy::default();
        let asked = RequestedLimits {
            memory_mib: Some(64),
            ..Default::default()
        };
        assert_eq!(p.limits_for(&asked).expect("granted").memory_bytes, 64 * 1024 * 1024);
    }

    #[test]
    fn policy_file_lowers_ceilings() {
        let f = write("[ceilings]\nmemory-mib = 32\n[defaults]\nmemory-mib = 16\n");
        let p = Policy::load(f.path()).expect("loads");
        assert_eq!(p.defaults.memory_bytes, 16 * 1024 * 1024);
        let asked = RequestedLimits {
            memory_mib: Some(64),
            ..Default::default()
        };
        assert!(p.limits_for(&asked).is_err());
    }

    #[test]
    fn policy_file_unknown_key_names_the_file() {
        let f = write("[defaults]\nfuel = 1\n");
        let err = Policy::load(f.path()).expect_err("unknown key");
        assert!(err.to_string().contains(&f.path().display().to_string()), "{err}");
    }

    #[test]
    fn policy_file_reads_llm_grants_by_judge() {
        let f = write("[llm.pairwise]\nmodels = [\"gpt-4o-mini\"]\ntoken-budget = 500\n");
        let p = Policy::load(f.path()).expect("loads");
        assert_eq!(p.llm.grants["pairwise"].token_budget, 500);
        let f = write("[llm.pairwise]\nmodels = []\n");
        let err = Policy::load(f.path()).expect_err("no models");
        assert!(err.to_string().contains("[llm.pairwise] needs models"), "{err}");
    }

    #[test]
    fn default_above_ceiling_is_an_error() {
        let f = write("[ceilings]\nfuel-per-row = 10\n");
        assert!(Policy::load(f.path()).is_err());
    }
}
