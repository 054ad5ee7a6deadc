//! The price table (`prices` config, shaped like `prices.json`) and the cost formula.
//!
//! Invariants: prices are USD per 1M tokens at synchronous list prices, multiplied by
//! the batch discount for batch rows and by nothing for rows retried on the sync API; `input-tokens` already includes cached and cache-write tokens
//! and `output-tokens` already includes reasoning tokens, so nothing is counted twice.

use std::collections::HashMap;

use assay_judge_sdk::{JudgeError, Usage};
use serde::Deserialize;

use crate::names::candidates;

/// Discount when neither the config nor the table names one.
pub const DEFAULT_BATCH_DISCOUNT: f64 = 0.5;

/// One model's prices, USD per 1M tokens.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    /// Defaults to the input price.
    pub cached_input: Option<f64>,
    /// Defaults to the input price.
    pub cache_write: Option<f64>,
}

#[derive(Deserialize)]
struct PriceFile {
    batch_discount: Option<f64>,
    models: HashMap<String, Price>,
}

/// The parsed table plus the discount in force.
#[derive(Debug, Clone)]
pub struct PriceTable {
    models: HashMap<String, Price>,
    discount: f64,
}

impl PriceTable {
    /// Parses `prices_json`; `discount_override` (the `batch-discount` key) beats the
    /// file's `batch_discount`, which beats [`DEFAULT_BATCH_DISCOUNT`].
    pub fn parse(prices_json: &str, discount_override: Option<f64>) -> Result<Self, JudgeError> {
        let file: PriceFile =
            serde_json::from_str(prices_json).map_err(|e| JudgeError::Config(format!("config key `prices`: {e}")))?;
        for (name, p) in &file.models {
            let all = [Some(p.input), Some(p.output), p.cached_input, p.cache_write];
            if all.into_iter().flatten().any(|x| !x.is_finite() || x < 0.0) {
                return Err(JudgeError::Config(format!(
                    "config key `prices`: model `{name}` has a negative or non-finite price"
                )));
            }
        }
        let discount = discount_override
            .or(file.batch_discount)
            .unwrap_or(DEFAULT_BATCH_DISCOUNT);
        if !discount.is_finite() || discount < 0.0 {
            return Err(JudgeError::Config(format!(
                "batch discount must be a finite number >= 0, got {discount}"
            )));
        }
        Ok(PriceTable {
            models: file.models,
            discount,
        })
    }

    /// The discount multiplied into every cost.
    pub fn discount(&self) -> f64 {
        self.discount
    }

    /// The price of `model`, trying the names [`crate::names::candidates`] lists,
    /// in order (exact, date removed, version removed, provider prefix removed).
    pub fn lookup(&self, model: &str) -> Option<&Price> {
        self.resolve(model).map(|(_, price)| price)
    }

    /// The table key that prices `model`, and its price.
    pub fn resolve<'a>(&'a self, model: &str) -> Option<(&'a str, &'a Price)> {
        candidates(model)
            .into_iter()
            .find_map(|name| self.models.get_key_value(name))
            .map(|(k, p)| (k.as_str(), p))
    }

    /// USD for `usage` at `price`, discounted (a row served by the batch).
    pub fn cost(&self, price: &Price, usage: &Usage) -> f64 {
        cost_at(price, usage, self.discount)
    }

    /// USD for `usage` at `price`, undiscounted: a row retried on the
    /// synchronous API pays the list price.
    pub fn sync_cost(&self, price: &Price, usage: &Usage) -> f64 {
        cost_at(price, usage, 1.0)
    }

    /// USD that `usage`'s cached reads saved at `price` versus the full input price,
    /// discounted (negative if a table prices cached reads above input).
    pub fn cache_savings(&self, price: &Price, usage: &Usage) -> f64 {
        savings_at(price, usage, self.discount)
    }

    /// [`PriceTable::cache_savings`] at the undiscounted (sync) price.
    pub fn sync_cache_savings(&self, price: &Price, usage: &Usage) -> f64 {
        savings_at(price, usage, 1.0)
    }
}

fn cost_at(price: &Price, usage: &Usage, multiplier: f64) -> f64 {
    let cached = usage.cached_input_tokens;
    let written = usage.cache_write_tokens;
    let uncached = usage.input_tokens.saturating_sub(cached).saturating_sub(written);
    let sync = uncached as f64 * price.input
        + cached as f64 * price.cached_input.unwrap_or(price.input)
        + written as f64 * price.cache_write.unwrap_or(price.input)
        + usage.output_tokens as f64 * price.output;
    sync * multiplier / 1e6
}

fn savings_at(price: &Price, usage: &Usage, multiplier: f64) -> f64 {
    let per_token = price.input - price.cached_input.unwrap_or(price.input);
    usage.cached_input_tokens as f64 * per_token * multiplier / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const PRICES: &str = r#"{
        "_note": "USD per 1M tokens",
        "batch_discount": 0.5,
        "models": {
            "gpt-4o-mini": {"input": 0.15, "output": 0.60},
            "cached-model": {"input": 2.0, "output": 8.0, "cached_input": 0.5, "cache_write": 2.5}
        }
    }"#;

    fn usage(input: u64, cached: u64, write: u64, output: u64, reasoning: u64) -> Usage {
        Usage {
            input_tokens: input,
            output_tokens: output,
            cached_input_tokens: cached,
            cache_write_tokens: write,
            reasoning_tokens: reasoning,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn formula_matches_hand_computation() {
        let t = PriceTable::parse(PRICES, None).expect("prices parse");
        let mini = *t.lookup("gpt-4o-mini").expect("priced");
        // (1000*0.15 + 500*0.60) * 0.5 / 1e6 = 225e-6; reasoning is inside output.
        assert!(close(t.cost(&mini, &usage(1000, 0, 0, 500, 300)), 225e-6));
        // Cached without a cached price: billed at the input price.
        assert!(close(t.cost(&mini, &usage(1000, 400, 0, 200, 0)), 135e-6));
        let c = *t.lookup("cached-model").expect("priced");
        // (500*2.0 + 300*0.5 + 200*2.5 + 100*8.0) * 0.5 / 1e6 = 2450*0.5e-6
        assert!(close(t.cost(&c, &usage(1000, 300, 200, 100, 0)), 1225e-6));
        // Inconsistent counts saturate instead of wrapping.
        assert!(close(t.cost(&c, &usage(100, 300, 0, 0, 0)), 300.0 * 0.5 * 0.5 / 1e6));
        // The sync price is the list price: twice the batch price at discount 0.5.
        assert!(close(t.sync_cost(&c, &usage(1000, 300, 200, 100, 0)), 2450e-6));
        assert!(close(t.sync_cache_savings(&c, &usage(1000, 300, 200, 100, 0)), 450e-6));
    }

    const PROVIDERS: &str = r#"{"models": {
        "gpt-4o-mini": {"input": 0.15, "output": 0.60},
        "claude-3-5-haiku": {"input": 0.80, "output": 4.00, "cached_input": 0.08, "cache_write": 1.00},
        "claude-sonnet-4": {"input": 3.00, "output": 15.00, "cached_input": 0.30, "cache_write": 3.75},
        "gemini-2.0-flash": {"input": 0.10, "output": 0.40, "cached_input": 0.025},
        "gemini-2.0-flash-lite": {"input": 0.075, "output": 0.30}
    }}"#;

    #[test]
    fn lookup_forms_in_order() {
        let t = PriceTable::parse(PROVIDERS, None).expect("prices parse");
        let key = |m: &str| t.resolve(m).map(|(k, _)| k.to_string());
        let k = |s: &str| Some(s.to_string());
        assert_eq!(key("gpt-4o-mini"), k("gpt-4o-mini")); // 1. exact
        assert_eq!(key("gpt-4o-mini-2024-07-18"), k("gpt-4o-mini")); // 2. -YYYY-MM-DD
        assert_eq!(key("claude-3-5-haiku-20241022"), k("claude-3-5-haiku")); // 2. -YYYYMMDD
        assert_eq!(key("claude-sonnet-4-latest"), k("claude-sonnet-4")); // 2. -latest
        assert_eq!(key("gemini-2.0-flash-001@default"), k("gemini-2.0-flash")); // 3. @ and -001
        assert_eq!(key("gemini-2.0-flash-001"), k("gemini-2.0-flash")); // 3. -001
        assert_eq!(key("claude-3-5-haiku@20241022"), k("claude-3-5-haiku")); // 3. Vertex @date
        assert_eq!(key("anthropic.claude-3-5-haiku-20241022-v1:0"), k("claude-3-5-haiku")); // 4. Bedrock
        assert_eq!(key("us.anthropic.claude-sonnet-4-20250514-v1:0"), k("claude-sonnet-4")); // 4. region
        assert_eq!(
            key("publishers/google/models/gemini-2.0-flash-001"),
            k("gemini-2.0-flash")
        ); // 4. Vertex
        assert_eq!(key("models/gemini-2.0-flash-lite"), k("gemini-2.0-flash-lite")); // 4. Gemini API
        // A more specific key wins over a shorter one it contains.
        assert_eq!(key("gemini-2.0-flash-lite-001"), k("gemini-2.0-flash-lite"));
        // Not forms we strip.
        assert_eq!(key("gpt-4o-mini-preview"), None);
        assert_eq!(key("gpt-4o"), None);
        assert_eq!(key("openai.gpt-4o-mini"), None);
        assert_eq!(key(""), None);
    }

    #[test]
    fn anthropic_cache_reads_and_writes() {
        let t = PriceTable::parse(PROVIDERS, None).expect("prices parse");
        let sonnet = *t.lookup("claude-sonnet-4-20250514").expect("priced");
        // input 10_000 includes 6_000 cache reads and 2_000 cache writes: 2_000 uncached.
        // 2000*3 + 6000*0.30 + 2000*3.75 + 1000*15 = 30_300 → × 0.5 / 1e6
        let u = usage(10_000, 6_000, 2_000, 1_000, 0);
        assert!(close(t.cost(&sonnet, &u), 0.01515));
        // Saved on reads: 6000 * (3.00 - 0.30) * 0.5 / 1e6 = 0.0081.
        assert!(close(t.cache_savings(&sonnet, &u), 0.0081));
        let mini = *t.lookup("gpt-4o-mini").expect("priced");
        assert_eq!(t.cache_savings(&mini, &u), 0.0); // no cached price: nothing saved
    }

    #[test]
    fn discount_precedence_and_errors() {
        assert_eq!(
            PriceTable::parse(PRICES, Some(1.0)).map(|t| t.discount()).ok(),
            Some(1.0)
        );
        let no_discount = r#"{"models": {}}"#;
        assert_eq!(
            PriceTable::parse(no_discount, None).map(|t| t.discount()).ok(),
            Some(0.5)
        );
        assert!(matches!(PriceTable::parse("{}", None), Err(JudgeError::Config(_))));
        assert!(matches!(
            PriceTable::parse(PRICES, Some(-1.0)),
            Err(JudgeError::Config(_))
        ));
        let negative = r#"{"models": {"m": {"input": -1, "output": 1}}}"#;
        assert!(matches!(PriceTable::parse(negative, None), Err(JudgeError::Config(_))));
    }
}
