//! `cost-per-row`: what the batch cost, per completed and per validated row.
//!
//! An aggregator only: it prices each observation's usage (and its superseded
//! retries' usage) from a price table given as config (or the built-in, dated
//! table), and reports totals, per-segment and per-model cost, cache savings and
//! alarms for unpriced models.
//! Invariant: nothing here depends on row order or chunking except float summation.

mod names;
mod prices;
mod tally;

use assay_judge_sdk::prelude::*;

pub use names::{candidates, strip_date_suffix, strip_provider_prefix, strip_version_suffix};
pub use prices::{DEFAULT_BATCH_DISCOUNT, Price, PriceTable};
pub use tally::{CostTally, MAX_MODEL_COSTS};

/// The table used when no `prices` is configured (dated inside; see README).
pub const DEFAULT_PRICES: &str = include_str!("../default-prices.json");

/// The judge instance.
pub struct CostPerRow {
    tally: CostTally,
}

impl Judge for CostPerRow {
    fn describe() -> Descriptor {
        Descriptor::new(
            "cost-per-row",
            "0.1.0",
            "Batch cost in USD, per completed row and per validated row",
        )
        .aggregator()
        .config_key(
            "prices",
            "price table JSON (USD per 1M tokens, sync prices); pass @file (default: built-in, dated table)",
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

assay_judge_sdk::export_judge!(CostPerRow);

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_models;
