//! The operator's LLM grants: which judge may call a model, which models, and
//! how much. Read from the policy file's `[llm.<judge-name>]` tables.
//!
//! Invariant: a `Grant` is complete and sane: at least one model, every bound
//! positive. A grant that is missing a model or sets a zero bound is refused when
//! the policy loads, so no judge ever runs under a half-written grant.

use std::time::Duration;

use serde::Deserialize;

/// What one judge may do with the `llm` capability.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// When set, only the component with this sha256 gets the grant: a rebuilt
    /// judge must be granted again.
    pub sha256: Option<String>,
    /// Models the judge may name; an empty request model means the first one.
    pub models: Vec<String>,
    /// Calls per row, counted inside each `score-batch` call.
    pub calls_per_row: u32,
    /// Tokens (input + output) the judge may spend over the whole run.
    /// Cached answers cost nothing.
    pub token_budget: u64,
    /// Calls in flight at once, across every instance of the judge.
    pub concurrency: u32,
    /// Per-call wall-clock bound on the endpoint.
    pub timeout: Duration,
    /// Largest `max-tokens` one call may ask for.
    pub max_tokens_per_call: u32,
    /// Prices for reporting what the judge's calls cost, when the operator
    /// knows them (USD per million tokens).
    pub usd_per_mtok_input: Option<f64>,
    pub usd_per_mtok_output: Option<f64>,
}

/// A `[llm.<judge>]` table that cannot be a grant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    #[error("[llm.{judge}] needs models = [\"...\"], at least one non-empty model name")]
    NoModels { judge: String },
    #[error("[llm.{judge}] {key} must be above 0")]
    Zero { judge: String, key: &'static str },
    #[error("[llm.{judge}] {key} must be a finite, non-negative price")]
    Price { judge: String, key: &'static str },
    #[error("[llm.{judge}] sha256 must be 64 hex digits")]
    Sha256 { judge: String },
}

/// The TOML shape of one grant; see the README's "LLM capability" section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct GrantKeys {
    sha256: Option<String>,
    models: Vec<String>,
    calls_per_row: Option<u32>,
    token_budget: Option<u64>,
    concurrency: Option<u32>,
    timeout_ms: Option<u64>,
    max_tokens_per_call: Option<u32>,
    usd_per_mtok_input: Option<f64>,
    usd_per_mtok_output: Option<f64>,
}

/// One call per row, 100k tokens per run, four calls in flight, 30 s per call:
/// enough for a pairwise verdict on a 1-2% drift sample of a large job, small
/// enough that a runaway judge cannot spend real money before the budget stops it.
const DEFAULT_CALLS_PER_ROW: u32 = 1;
const DEFAULT_TOKEN_BUDGET: u64 = 100_000;
const DEFAULT_CONCURRENCY: u32 = 4;
const DEFAULT_TIMEOUT_MS: u64 = 30_000;
const DEFAULT_MAX_TOKENS_PER_CALL: u32 = 1024;

impl GrantKeys {
    pub(crate) fn into_grant(self, judge: &str) -> Result<Grant, GrantError> {
        let judge = || judge.to_owned();
        if self.models.is_empty() || self.models.iter().any(|m| m.trim().is_empty()) {
            return Err(GrantError::NoModels { judge: judge() });
        }
        let positive = |v: Option<u64>, default: u64, key: &'static str| match v {
            Some(0) => Err(GrantError::Zero { judge: judge(), key }),
            Some(v) => Ok(v),
            None => Ok(default),
        };
        let calls_per_row = positive(
            self.calls_per_row.map(u64::from),
            u64::from(DEFAULT_CALLS_PER_ROW),
            "calls-per-row",
        )?;
        let concurrency = positive(
            self.concurrency.map(u64::from),
            u64::from(DEFAULT_CONCURRENCY),
            "concurrency",
        )?;
        let max_tokens = positive(
            self.max_tokens_per_call.map(u64::from),
            u64::from(DEFAULT_MAX_TOKENS_PER_CALL),
            "max-tokens-per-call",
        )?;
        for (key, price) in [
            ("usd-per-mtok-input", self.usd_per_mtok_input),
            ("usd-per-mtok-output", self.usd_per_mtok_output),
        ] {
            if price.is_some_and(|p| !p.is_finite() || p < 0.0) {
                return Err(GrantError::Price { judge: judge(), key });
            }
        }
        if let Some(h) = &self.sha256
            && (h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(GrantError::Sha256 { judge: judge() });
        }
        Ok(Grant {
            sha256: self.sha256.map(|h| h.to_ascii_lowercase()),
            models: self.models,
            calls_per_row: u32::try_from(calls_per_row).unwrap_or(u32::MAX),
            token_budget: positive(self.token_budget, DEFAULT_TOKEN_BUDGET, "token-budget")?,
            concurrency: u32::try_from(concurrency).unwrap_or(u32::MAX),
            timeout: Duration::from_millis(positive(self.timeout_ms, DEFAULT_TIMEOUT_MS, "timeout-ms")?),
            max_tokens_per_call: u32::try_from(max_tokens).unwrap_or(u32::MAX),
            usd_per_mtok_input: self.usd_per_mtok_input,
            usd_per_mtok_output: self.usd_per_mtok_output,
        })
    }
}

impl Grant {
    /// The model a request names, resolved against the allow-list.
    pub fn resolve_model<'a>(&'a self, asked: &'a str) -> Option<&'a str> {
        if asked.is_empty() {
            return self.models.first().map(String::as_str);
        }
        self.models.iter().any(|m| m == asked).then_some(asked)
    }

    /// What `tokens_in`/`tokens_out` cost, when the grant names prices.
    pub fn cost_usd(&self, tokens_in: u64, tokens_out: u64) -> Option<f64> {
        let (pi, po) = (self.usd_per_mtok_input?, self.usd_per_mtok_output?);
        Some((tokens_in as f64 * pi + tokens_out as f64 * po) / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(toml_text: &str) -> Result<Grant, String> {
        let k: GrantKeys = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        k.into_grant("j").map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_fill_missing_bounds() {
        let g = keys("models = [\"m\"]").expect("grant");
        assert_eq!(g.calls_per_row, 1);
        assert_eq!(g.token_budget, 100_000);
        assert_eq!(g.concurrency, 4);
        assert_eq!(g.timeout, Duration::from_secs(30));
    }

    #[test]
    fn grant_without_models_is_refused() {
        let err = keys("models = []").expect_err("no models");
        assert!(err.contains("[llm.j] needs models"), "{err}");
    }

    #[test]
    fn zero_bound_is_refused() {
        let err = keys("models = [\"m\"]\ntoken-budget = 0").expect_err("zero");
        assert!(err.contains("token-budget must be above 0"), "{err}");
    }

    #[test]
    fn bad_sha256_is_refused() {
        assert!(keys("models = [\"m\"]\nsha256 = \"abc\"").is_err());
    }

    #[test]
    fn empty_model_resolves_to_first_allowed() {
        let g = keys("models = [\"a\", \"b\"]").expect("grant");
        assert_eq!(g.resolve_model(""), Some("a"));
        assert_eq!(g.resolve_model("b"), Some("b"));
        assert_eq!(g.resolve_model("c"), None);
    }
}
