//! Running cost totals over the observations.
//!
//! Invariants: state is O(segments + models), never O(rows); token metrics count
//! the final attempt's usage (earlier attempts only feed `retry_cost_usd`); a row
//! whose own verdict is labelled [`SYNC_LABEL`] was completed by a retry on the
//! synchronous API, so its final usage is priced at the sync price into
//! `sync_retry_cost_usd` and never into `batch_cost_usd`; costs, per-model costs and
//! cache savings include superseded attempts. What is reported from these totals
//! is `report.rs`'s business.

use std::collections::BTreeMap;

use assay_judge_sdk::agg::with_segment;
use assay_judge_sdk::{Observation, RowStatus, RunInfo, Usage};

use crate::prices::{ChannelRates, PriceTable, Resolved};

/// The verdict label that marks a row completed through a sync retry (set by this
/// judge's scorer from the host's `assay.attempt.channel` metadata).
pub const SYNC_LABEL: &str = "sync";

/// Distinct unpriced model names remembered (the rest are pooled as [`OTHER_MODELS`]).
const MAX_UNPRICED_MODELS: usize = 32;
/// Models named in `model_cost:<model>_usd` (the costliest; the rest are pooled).
pub const MAX_MODEL_COSTS: usize = 20;
/// The name under which models past a cap are pooled.
pub const OTHER_MODELS: &str = "(other models)";

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Unpriced {
    pub(crate) rows: u64,
    pub(crate) tokens: u64,
}

/// Totals for one run.
#[derive(Debug)]
pub struct CostTally {
    pub(crate) prices: PriceTable,
    /// The run's model names (`observation.model` indexes them) and each
    /// one's price, looked up once in `begin` instead of once per row.
    pub(crate) models: Vec<String>,
    pub(crate) model_prices: Vec<Option<Resolved>>,
    /// Each priced model's rates, beside `model_prices`.
    model_rates: Vec<Option<ChannelRates>>,
    pub(crate) batch_cost: f64,
    pub(crate) retry_cost: f64,
    pub(crate) sync_retry_cost: f64,
    pub(crate) sync_retry_rows: u64,
    pub(crate) cache_savings: f64,
    pub(crate) input_tokens: u64,
    pub(crate) cached_input_tokens: u64,
    pub(crate) cache_write_tokens: u64,
    pub(crate) output_tokens: u64,
    pub(crate) completed_rows: u64,
    pub(crate) validated_rows: u64,
    pub(crate) quality_ran: bool,
    pub(crate) unpriced_rows: u64,
    /// Rows with billed tokens that a price covered.
    pub(crate) priced_rows: u64,
    pub(crate) unpriced: BTreeMap<String, Unpriced>,
    pub(crate) segment_cost: BTreeMap<u32, f64>,
    /// Cost (final + superseded attempts) by `observation.model` index, set for
    /// priced models that had a billed row; one slot per run model (`begin`).
    pub(crate) model_cost: Vec<Option<f64>>,
}

fn billed(u: &Usage) -> u64 {
    u.input_tokens.saturating_add(u.output_tokens)
}

/// No token the price table prices: what `Rates::cost` and `Rates::savings` read is zero.
fn unused(u: &Usage) -> bool {
    (u.input_tokens | u.output_tokens | u.cached_input_tokens | u.cache_write_tokens) == 0
}

impl CostTally {
    /// Zero totals priced by `prices`.
    pub fn new(prices: PriceTable) -> Self {
        CostTally {
            prices,
            models: Vec::new(),
            model_prices: Vec::new(),
            model_rates: Vec::new(),
            batch_cost: 0.0,
            retry_cost: 0.0,
            sync_retry_cost: 0.0,
            sync_retry_rows: 0,
            cache_savings: 0.0,
            input_tokens: 0,
            cached_input_tokens: 0,
            cache_write_tokens: 0,
            output_tokens: 0,
            completed_rows: 0,
            validated_rows: 0,
            quality_ran: false,
            unpriced_rows: 0,
            priced_rows: 0,
            unpriced: BTreeMap::new(),
            segment_cost: BTreeMap::new(),
            model_cost: Vec::new(),
        }
    }

    /// Learns the run's model names and prices each once.
    pub fn begin(&mut self, info: &RunInfo) {
        self.models = info.models.clone();
        self.model_prices = self
            .models
            .iter()
            .map(|m| self.prices.resolve(m, &info.provider))
            .collect();
        self.model_rates = self
            .model_prices
            .iter()
            .map(|r| r.as_ref().map(|r| self.prices.channel_rates(&r.price)))
            .collect();
        self.model_cost = vec![None; self.models.len()];
    }

    /// Adds one row.
    pub fn observe(&mut self, obs: &Observation) {
        let u = &obs.usage;
        self.input_tokens = self.input_tokens.saturating_add(u.input_tokens);
        self.cached_input_tokens = self.cached_input_tokens.saturating_add(u.cached_input_tokens);
        self.cache_write_tokens = self.cache_write_tokens.saturating_add(u.cache_write_tokens);
        self.output_tokens = self.output_tokens.saturating_add(u.output_tokens);
        self.completed_rows += u64::from(obs.status == RowStatus::Completed);
        if let Some(validated) = obs.validated {
            self.quality_ran = true;
            self.validated_rows += u64::from(validated);
        }
        let tokens = billed(u).saturating_add(billed(&obs.retry_usage));
        if tokens == 0 {
            return;
        }
        let m = obs.model as usize;
        let Some(rates) = self.model_rates.get(m).copied().flatten() else {
            self.unpriced_rows += 1;
            // An index past the run's models reads as no name at all.
            let name = self.models.get(m).map_or("", String::as_str);
            let key = if self.unpriced.len() < MAX_UNPRICED_MODELS || self.unpriced.contains_key(name) {
                name.to_owned()
            } else {
                OTHER_MODELS.to_string()
            };
            let entry = self.unpriced.entry(key).or_default();
            entry.rows += 1;
            entry.tokens = entry.tokens.saturating_add(tokens);
            return;
        };
        self.priced_rows += 1;
        let sync = obs.status == RowStatus::Completed
            && obs.verdict.as_ref().and_then(|v| v.label.as_deref()) == Some(SYNC_LABEL);
        // Earlier batch attempts were billed at the batch price either way. Most
        // rows have none: their all-zero usage costs exactly 0.0 (rates are finite),
        // which the sums below would add unchanged.
        let (retry, retry_savings) = if unused(&obs.retry_usage) {
            (0.0, 0.0)
        } else {
            (
                rates.batch.cost(&obs.retry_usage),
                rates.batch.savings(&obs.retry_usage),
            )
        };
        let (last, last_savings) = if sync {
            self.sync_retry_rows += 1;
            let c = rates.sync.cost(u);
            self.sync_retry_cost += c;
            (c, rates.sync.savings(u))
        } else {
            let c = rates.batch.cost(u);
            self.batch_cost += c;
            (c, rates.batch.savings(u))
        };
        self.retry_cost += retry;
        self.cache_savings += last_savings + retry_savings;
        with_segment(&mut self.segment_cost, obs.segment, |cost| *cost += last + retry);
        // `model_prices` and `model_cost` have a slot per run model (`begin`),
        // and the row was priced, so its slot exists.
        if let Some(slot) = self.model_cost.get_mut(m) {
            *slot.get_or_insert(0.0) += last + retry;
        }
    }
}
