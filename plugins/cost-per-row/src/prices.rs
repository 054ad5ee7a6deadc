//! The price table (`prices` config, shaped like `prices.json`) and the cost formula.
//!
//! Invariants: prices are USD per 1M tokens at synchronous list prices, multiplied by
//! the batch discount; `input-tokens` already includes cached and cache-write tokens
//! and `output-tokens` already includes reasoning tokens, so nothing is counted twice.

use std::collections::HashMap;

use assay_judge_sdk::{JudgeError, Usage};
use serde::Deserialize;

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

    /// The price of `model`: exact name, else without a trailing `-YYYY-MM-DD`.
    pub fn lookup(&self, model: &str) -> Option<&Price> {
        self.models
            .get(model)
            .or_else(|| strip_date_suffix(model).and_then(|base| self.models.get(base)))
    }

    /// USD for `usage` at `price`, discounted.
    pub fn cost(&self, price: &Price, usage: &Usage) -> f64 {
        let cached = usage.cached_input_tokens;
        let written = usage.cache_write_tokens;
        let uncached = usage.input_tokens.saturating_sub(cached).saturating_sub(written);
        let sync = uncached as f64 * price.input
            + cached as f64 * price.cached_input.unwrap_or(price.input)
            + written as f64 * price.cache_write.unwrap_or(price.input)
            + usage.output_tokens as f64 * price.output;
        sync * self.discount / 1e6
    }
}

/// `gpt-4o-mini-2024-07-18` → `gpt-4o-mini`; `None` without such a suffix.
pub fn strip_date_suffix(model: &str) -> Option<&str> {
    let split = model.len().checked_sub(11)?;
    let (base, suffix) = (model.get(..split)?, model.get(split..)?.as_bytes());
    let shape_ok = suffix.iter().enumerate().all(|(i, &b)| match i {
        0 | 5 | 8 => b == b'-',
        _ => b.is_ascii_digit(),
    });
    (shape_ok && !base.is_empty()).then_some(base)
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
    }

    #[test]
    fn lookup_strips_dates_only() {
        let t = PriceTable::parse(PRICES, None).expect("prices parse");
        assert!(t.lookup("gpt-4o-mini-2024-07-18").is_some());
        assert!(t.lookup("gpt-4o-mini-preview").is_none());
        assert!(t.lookup("gpt-4o").is_none());
        assert_eq!(strip_date_suffix("m-2024-07-18"), Some("m"));
        assert_eq!(strip_date_suffix("-2024-07-18"), None);
        assert_eq!(strip_date_suffix("m-2024-7-180"), None);
        assert_eq!(strip_date_suffix("é"), None);
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
