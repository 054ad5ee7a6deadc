//! LiteLLM's price map (`model_prices_and_context_window*.json`) read as a price
//! table: the full file as LiteLLM ships it, or the filtered copy bundled here.
//!
//! Invariants: only the token price fields are read (USD per token, converted to USD
//! per 1M); an entry without both an input and an output token price (image, audio,
//! per-second models, LiteLLM's `sample_spec`) is no model of the table; keys
//! starting with `_` are metadata (`_assay_table`: the bundled copy's source and
//! date); each Bedrock Anthropic entry (`[region.]anthropic.<name>-vN:M`) is also
//! reachable as `bedrock/<name>`, the name Bedrock's Claude output reports,
//! preferring the in-region entry, then `global.`, then the first region by name.

use std::collections::HashMap;

use assay_judge_sdk::JudgeError;
use serde::Deserialize;

use crate::names::{strip_bedrock_version, strip_provider_prefix};
use crate::prices::{Price, TableInfo, config_error};

/// The metadata key the refresh script writes into the bundled copy.
pub const META_KEY: &str = "_assay_table";

#[derive(Deserialize)]
struct Entry {
    input_cost_per_token: Option<f64>,
    output_cost_per_token: Option<f64>,
    cache_read_input_token_cost: Option<f64>,
    cache_creation_input_token_cost: Option<f64>,
    input_cost_per_token_batches: Option<f64>,
    output_cost_per_token_batches: Option<f64>,
    cache_read_input_token_cost_batches: Option<f64>,
    cache_creation_input_token_cost_batches: Option<f64>,
    litellm_provider: Option<String>,
    /// Metadata entry only.
    source: Option<String>,
    /// Metadata entry only.
    as_of: Option<String>,
}

fn per_million(x: Option<f64>) -> Option<f64> {
    x.map(|v| v * 1e6)
}

/// The models of a LiteLLM-format table, and where it came from.
pub fn parse(json: &str) -> Result<(HashMap<String, Price>, TableInfo), JudgeError> {
    let entries: HashMap<String, Entry> = serde_json::from_str(json).map_err(config_error)?;
    let mut models = HashMap::with_capacity(entries.len());
    let mut info = TableInfo {
        source: "a LiteLLM-format `prices` config".to_string(),
        as_of: None,
    };
    // Bedrock name → (preference rank, key) of the entry that prices it.
    let mut bedrock: HashMap<String, (u8, String)> = HashMap::new();
    for (key, e) in entries {
        if key == META_KEY {
            if let Some(source) = e.source {
                info.source = source;
            }
            info.as_of = e.as_of;
            continue;
        }
        if key.starts_with('_') || key == "sample_spec" {
            continue;
        }
        let (Some(input), Some(output)) = (e.input_cost_per_token, e.output_cost_per_token) else {
            continue;
        };
        let price = Price {
            input: input * 1e6,
            output: output * 1e6,
            cached_input: per_million(e.cache_read_input_token_cost),
            cache_write: per_million(e.cache_creation_input_token_cost),
            batch_input: per_million(e.input_cost_per_token_batches),
            batch_output: per_million(e.output_cost_per_token_batches),
            batch_cached_input: per_million(e.cache_read_input_token_cost_batches),
            batch_cache_write: per_million(e.cache_creation_input_token_cost_batches),
        };
        if e.litellm_provider.as_deref().is_some_and(|p| p.starts_with("bedrock")) {
            note_bedrock_alias(&key, &mut bedrock);
        }
        models.insert(key, price);
    }
    for (name, (_, key)) in bedrock {
        let alias = format!("bedrock/{name}");
        if let (false, Some(price)) = (models.contains_key(&alias), models.get(&key).copied()) {
            models.insert(alias, price);
        }
    }
    if models.is_empty() {
        return Err(config_error(
            "no model has a price: expected {\"models\": {...}} or LiteLLM's price map \
             (entries with input_cost_per_token and output_cost_per_token)",
        ));
    }
    Ok((models, info))
}

/// Remembers `key` as the price of `bedrock/<name>` if it is a Bedrock Anthropic
/// model id and beats the entry seen so far.
fn note_bedrock_alias(key: &str, best: &mut HashMap<String, (u8, String)>) {
    let Some((region, _)) = key.split_once("anthropic.") else {
        return;
    };
    let Some(bare) = strip_provider_prefix(key) else {
        return;
    };
    let name = strip_bedrock_version(bare);
    let rank = match region {
        "" => 0,
        "global." => 1,
        _ => 2,
    };
    let candidate = (rank, key.to_string());
    match best.get(name) {
        Some(seen) if *seen <= candidate => {}
        _ => {
            best.insert(name.to_string(), candidate);
        }
    }
}
