//! `cost-per-row`: what the batch cost, per completed and per validated row.
//!
//! Mostly an aggregator: it prices each observation's usage (and its superseded
//! retries' usage) from a price table given as config (or the built-in, dated copy
//! of LiteLLM's price map), and reports totals, per-segment and per-model cost,
//! cache savings, the table's source and date, and alarms for unpriced models and
//! for models priced at an alias's entry. Its scorer only marks the channel that served a
//! row: a row the host completed through a sync retry (metadata
//! `assay.attempt.channel` = `sync`) gets the verdict label `sync`, which the
//! aggregator reads back from `observation.verdict` to price it at the sync price.
//! The scorer only runs when the host says the run has sync results (host-set
//! config `assay.sync-results`): otherwise no row can have come from the sync API,
//! and the judge refines its descriptor to aggregator-only, so the host neither
//! re-reads metadata nor crosses rows for it.
//! Invariant: the scorer passes every row (it is not a quality judge); nothing here
//! depends on row order or chunking except float summation.

mod litellm;
mod names;
mod prices;
mod report;
mod tally;

use assay_judge_sdk::prelude::*;

pub use names::{
    candidates, snapshot, strip_bedrock_version, strip_date_suffix, strip_provider_prefix, strip_version_suffix,
};
pub use prices::{DEFAULT_BATCH_DISCOUNT, Price, PriceTable, Resolved, TableInfo};
pub use tally::{CostTally, MAX_MODEL_COSTS, OTHER_MODELS, SYNC_LABEL};

/// The metadata key the host sets on rows completed outside the batch.
pub const CHANNEL_KEY: &str = "assay.attempt.channel";

/// The config key the host fills (`true`/`false`) when the manifest declares it:
/// whether the run has `--sync-results`.
pub const SYNC_RESULTS_KEY: &str = "assay.sync-results";

/// The table used when no `prices` is configured: a filtered copy of LiteLLM's
/// price map, its source, license and date in its `_assay_table` entry (see README).
pub const DEFAULT_PRICES: &str = include_str!("../litellm-prices.json");

/// The judge instance.
pub struct CostPerRow {
    tally: CostTally,
    /// Whether rows may have been completed through a sync retry.
    sync_results: bool,
}

impl Judge for CostPerRow {
    fn describe() -> Descriptor {
        Descriptor::new(
            "cost-per-row",
            "0.1.0",
            "Batch cost in USD, per completed row and per validated row",
        )
        .scorer()
        .aggregator()
        .needs(Needs::METADATA)
        .config_key(
            "prices",
            "price table JSON: {\"models\": ...} (USD per 1M tokens, sync prices) or LiteLLM's price map; pass @file (default: built-in, dated LiteLLM copy)",
        )
        .config_key(
            "batch-discount",
            "multiplier for batch pricing; overrides the table's batch_discount (default 0.5)",
        )
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        let discount = match config.get("batch-discount") {
            Some(_) => Some(config.parse::<f64>("batch-discount")?),
            None => None,
        };
        let table = config.get("prices").unwrap_or(DEFAULT_PRICES);
        let prices = PriceTable::parse(table, discount)?;
        Ok(CostPerRow {
            tally: CostTally::new(prices),
            // Absent (an older host, `assay judge test`) means: score, to be safe.
            sync_results: config.parse_or(SYNC_RESULTS_KEY, true)?,
        })
    }

    fn refine(&self, mut descriptor: Descriptor) -> Descriptor {
        if !self.sync_results {
            descriptor.scores = false;
            descriptor.needs = Needs::empty();
        }
        descriptor
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let sync = row.metadata.iter().any(|(k, v)| k == CHANNEL_KEY && v == SYNC_LABEL);
        Ok(Verdict {
            score: None,
            label: sync.then(|| SYNC_LABEL.to_string()),
            passed: true,
            details: None,
        })
    }

    fn begin(&mut self, info: &RunInfo) -> Result<(), JudgeError> {
        self.tally.begin(info);
        Ok(())
    }

    fn observe(&mut self, obs: &Observation) {
        self.tally.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.tally.report())
    }
}

// Exported only in the component: a native build (the host's `bench-native`) links
// the judge as plain Rust, beside other judges that export the same names.
#[cfg(target_family = "wasm")]
assay_judge_sdk::export_judge!(CostPerRow);

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_models;
#[cfg(test)]
mod tests_report;
