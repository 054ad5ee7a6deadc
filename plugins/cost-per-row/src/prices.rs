//! The price table (`prices` config: the `prices.json` shape or LiteLLM's price map)
//! and the cost formula.
//!
//! Invariants: prices are held in USD per 1M tokens; a batch row pays the table's own
//! batch price where it lists one (LiteLLM `*_batches`) and otherwise the sync price
//! times the batch discount, except that a configured `batch-discount` replaces every
//! batch price; rows retried on the sync API pay the sync price; `input-tokens`
//! already includes cached and cache-write tokens and `output-tokens` already
//! includes reasoning tokens, so nothing is counted twice.

use std::collections::HashMap;

use assay_judge_sdk::{JudgeError, Usage};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::names::{candidates, snapshot};

/// Discount when neither the config nor the table names one.
pub const DEFAULT_BATCH_DISCOUNT: f64 = 0.5;

/// One model's prices, USD per 1M tokens. `cached_input` and `cache_write` default to
/// `input`; a missing batch price defaults to the sync price times the discount.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    pub cached_input: Option<f64>,
    pub cache_write: Option<f64>,
    pub batch_input: Option<f64>,
    pub batch_output: Option<f64>,
    pub batch_cached_input: Option<f64>,
    pub batch_cache_write: Option<f64>,
}

impl Price {
    fn all(&self) -> [Option<f64>; 8] {
        [
            Some(self.input),
            Some(self.output),
            self.cached_input,
            self.cache_write,
            self.batch_input,
            self.batch_output,
            self.batch_cached_input,
            self.batch_cache_write,
        ]
    }
}

/// Where the table came from, for the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct TableInfo {
    /// What the table says it was taken from (or "the `prices` config").
    pub source: String,
    /// The table's date, when it states one.
    pub as_of: Option<String>,
}

/// The key that priced a model, and whether it is another model's (an alias).
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub key: String,
    pub price: Price,
    /// The name pins a snapshot (date or version) that `key` does not carry.
    pub fallback: bool,
}

/// Per-token rates for one channel, USD per 1M tokens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rates {
    input: f64,
    output: f64,
    cached_input: f64,
    cache_write: f64,
}

/// One model's rates on both channels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChannelRates {
    pub(crate) batch: Rates,
    pub(crate) sync: Rates,
}

#[derive(Deserialize)]
struct PriceFile {
    batch_discount: Option<f64>,
    models: HashMap<String, SimplePrice>,
    #[serde(rename = "_as_of")]
    as_of: Option<String>,
    #[serde(rename = "_source", alias = "_sources")]
    source: Option<String>,
}

#[derive(Deserialize)]
struct SimplePrice {
    input: f64,
    output: f64,
    cached_input: Option<f64>,
    cache_write: Option<f64>,
}

#[derive(Deserialize)]
struct Probe {
    models: Option<IgnoredAny>,
}

/// The parsed table plus the discount in force.
#[derive(Debug, Clone)]
pub struct PriceTable {
    pub(crate) models: HashMap<String, Price>,
    discount: f64,
    /// `batch-discount` was configured: it replaces the table's batch prices.
    discount_configured: bool,
    info: TableInfo,
}

pub(crate) fn config_error(msg: impl std::fmt::Display) -> JudgeError {
    JudgeError::Config(format!("config key `prices`: {msg}"))
}

impl PriceTable {
    /// Parses `prices_json`, either `{"models": {...}}` (USD per 1M tokens) or
    /// LiteLLM's price map (USD per token); `discount_override` (the
    /// `batch-discount` key) beats the file's `batch_discount`, which beats
    /// [`DEFAULT_BATCH_DISCOUNT`].
    pub fn parse(prices_json: &str, discount_override: Option<f64>) -> Result<Self, JudgeError> {
        let probe: Probe = serde_json::from_str(prices_json).map_err(config_error)?;
        let (models, batch_discount, info) = if probe.models.is_some() {
            parse_simple(prices_json)?
        } else {
            let (models, info) = crate::litellm::parse(prices_json)?;
            (models, None, info)
        };
        for (name, p) in &models {
            if p.all().into_iter().flatten().any(|x| !x.is_finite() || x < 0.0) {
                return Err(config_error(format!(
                    "model `{name}` has a negative or non-finite price"
                )));
            }
        }
        let discount = discount_override.or(batch_discount).unwrap_or(DEFAULT_BATCH_DISCOUNT);
        if !discount.is_finite() || discount < 0.0 {
            return Err(JudgeError::Config(format!(
                "batch discount must be a finite number >= 0, got {discount}"
            )));
        }
        Ok(PriceTable {
            models,
            discount,
            discount_configured: discount_override.is_some(),
            info,
        })
    }

    /// The discount multiplied into sync prices for batch rows.
    pub fn discount(&self) -> f64 {
        self.discount
    }

    /// Where the table came from.
    pub fn info(&self) -> &TableInfo {
        &self.info
    }

    /// The price of `model` served through `provider` (see [`PriceTable::resolve`]).
    pub fn lookup(&self, model: &str, provider: &str) -> Option<Price> {
        self.resolve(model, provider).map(|r| r.price)
    }

    /// The first key the table holds among [`crate::names::candidates`] of `model`,
    /// each tried with the provider's LiteLLM prefix (`azure/`, `vertex_ai/`,
    /// `gemini/`, `bedrock/`) before bare.
    pub fn resolve(&self, model: &str, provider: &str) -> Option<Resolved> {
        let prefixes: &[&str] = match provider {
            "azure" => &["azure/", ""],
            "vertex" => &["vertex_ai/", ""],
            "gemini" => &["gemini/", ""],
            "bedrock" => &["bedrock/", ""],
            _ => &[""],
        };
        let pinned = snapshot(model);
        candidates(model).into_iter().find_map(|form| {
            prefixes.iter().find_map(|prefix| {
                let key = format!("{prefix}{form}");
                let price = *self.models.get(&key)?;
                let fallback = pinned.is_some() && snapshot(form) != pinned;
                Some(Resolved { key, price, fallback })
            })
        })
    }

    /// `price`'s batch and sync rates, worked out once per model (`CostTally::begin`)
    /// rather than for every row.
    pub(crate) fn channel_rates(&self, price: &Price) -> ChannelRates {
        ChannelRates {
            batch: self.rates(price, true),
            sync: self.rates(price, false),
        }
    }

    fn rates(&self, p: &Price, batch: bool) -> Rates {
        let cached = p.cached_input.unwrap_or(p.input);
        let write = p.cache_write.unwrap_or(p.input);
        if !batch {
            return Rates {
                input: p.input,
                output: p.output,
                cached_input: cached,
                cache_write: write,
            };
        }
        let d = self.discount;
        let own = |listed: Option<f64>, sync: f64| match listed {
            Some(x) if !self.discount_configured => x,
            _ => sync * d,
        };
        Rates {
            input: own(p.batch_input, p.input),
            output: own(p.batch_output, p.output),
            cached_input: own(p.batch_cached_input, cached),
            cache_write: own(p.batch_cache_write, write),
        }
    }
}

type Parsed = (HashMap<String, Price>, Option<f64>, TableInfo);

fn parse_simple(json: &str) -> Result<Parsed, JudgeError> {
    let file: PriceFile = serde_json::from_str(json).map_err(config_error)?;
    let models = file
        .models
        .into_iter()
        .map(|(name, p)| {
            let price = Price {
                input: p.input,
                output: p.output,
                cached_input: p.cached_input,
                cache_write: p.cache_write,
                ..Price::default()
            };
            (name, price)
        })
        .collect();
    let info = TableInfo {
        source: file.source.unwrap_or_else(|| "the `prices` config".to_string()),
        as_of: file.as_of,
    };
    Ok((models, file.batch_discount, info))
}

impl Rates {
    /// USD for `usage` at these rates (the batch ones for a row the batch served
    /// or an earlier batch attempt, the sync ones for a row retried on the
    /// synchronous API, which pays the list price).
    pub(crate) fn cost(&self, usage: &Usage) -> f64 {
        let cached = usage.cached_input_tokens;
        let written = usage.cache_write_tokens;
        let uncached = usage.input_tokens.saturating_sub(cached).saturating_sub(written);
        let usd = uncached as f64 * self.input
            + cached as f64 * self.cached_input
            + written as f64 * self.cache_write
            + usage.output_tokens as f64 * self.output;
        usd / 1e6
    }

    /// USD that `usage`'s cached reads saved at these rates versus the full input
    /// rate (negative if a table prices cached reads above input).
    pub(crate) fn savings(&self, usage: &Usage) -> f64 {
        usage.cached_input_tokens as f64 * (self.input - self.cached_input) / 1e6
    }
}

#[cfg(test)]
#[path = "prices_tests.rs"]
mod tests;
