//! Running cost totals over the observations, and the final report.
//!
//! Invariants: state is O(segments + models), never O(rows); token metrics count
//! the final attempt's usage (earlier attempts only feed `retry_cost_usd`); a row
//! whose own verdict is labelled [`SYNC_LABEL`] was completed by a retry on the
//! synchronous API, so its final usage is priced at the sync price into
//! `sync_retry_cost_usd` and never into `batch_cost_usd`; costs, per-model costs and
//! cache savings include superseded attempts; a per-row ratio is reported only when
//! its denominator is > 0.

use std::collections::{BTreeMap, HashMap};

use assay_judge_sdk::{Observation, Report, RowStatus, RunInfo, Usage};

use crate::prices::{Price, PriceTable};

/// The verdict label that marks a row completed through a sync retry (set by this
/// judge's scorer from the host's `assay.attempt.channel` metadata).
pub const SYNC_LABEL: &str = "sync";

/// Distinct unpriced model names remembered (the rest are pooled as `(other models)`).
const MAX_UNPRICED_MODELS: usize = 32;
/// Models named in `model_cost_usd:<model>` (the costliest; the rest are pooled).
pub const MAX_MODEL_COSTS: usize = 20;

#[derive(Debug, Default, Clone, Copy)]
struct Unpriced {
    rows: u64,
    tokens: u64,
}

/// Totals for one run.
#[derive(Debug)]
pub struct CostTally {
    prices: PriceTable,
    /// The run's model names (`observation.model` indexes them) and each
    /// one's price, looked up once in `begin` instead of once per row.
    models: Vec<String>,
    model_prices: Vec<Option<Price>>,
    batch_cost: f64,
    retry_cost: f64,
    sync_retry_cost: f64,
    sync_retry_rows: u64,
    cache_savings: f64,
    input_tokens: u64,
    cached_input_tokens: u64,
    cache_write_tokens: u64,
    output_tokens: u64,
    completed_rows: u64,
    validated_rows: u64,
    quality_ran: bool,
    unpriced_rows: u64,
    unpriced: BTreeMap<String, Unpriced>,
    segment_cost: BTreeMap<u32, f64>,
    /// Cost (final + superseded attempts) by `observation.model` index, priced models only.
    model_cost: HashMap<u32, f64>,
}

fn billed(u: &Usage) -> u64 {
    u.input_tokens.saturating_add(u.output_tokens)
}

impl CostTally {
    /// Zero totals priced by `prices`.
    pub fn new(prices: PriceTable) -> Self {
        CostTally {
            prices,
            models: Vec::new(),
            model_prices: Vec::new(),
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
            unpriced: BTreeMap::new(),
            segment_cost: BTreeMap::new(),
            model_cost: HashMap::new(),
        }
    }

    /// Learns the run's model names and prices each once.
    pub fn begin(&mut self, info: &RunInfo) {
        self.models = info.models.clone();
        self.model_prices = self.models.iter().map(|m| self.prices.lookup(m).copied()).collect();
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
        let Some(price) = self.model_prices.get(m).copied().flatten() else {
            self.unpriced_rows += 1;
            let name = self.models.get(m).map_or("(unnamed model)", String::as_str);
            let key = if self.unpriced.len() < MAX_UNPRICED_MODELS || self.unpriced.contains_key(name) {
                name.to_owned()
            } else {
                "(other models)".to_string()
            };
            let entry = self.unpriced.entry(key).or_default();
            entry.rows += 1;
            entry.tokens = entry.tokens.saturating_add(tokens);
            return;
        };
        let sync = obs.status == RowStatus::Completed
            && obs.verdict.as_ref().and_then(|v| v.label.as_deref()) == Some(SYNC_LABEL);
        // Earlier batch attempts were billed at the batch price either way.
        let retry = self.prices.cost(&price, &obs.retry_usage);
        let retry_savings = self.prices.cache_savings(&price, &obs.retry_usage);
        let (last, last_savings) = if sync {
            self.sync_retry_rows += 1;
            let c = self.prices.sync_cost(&price, u);
            self.sync_retry_cost += c;
            (c, self.prices.sync_cache_savings(&price, u))
        } else {
            let c = self.prices.cost(&price, u);
            self.batch_cost += c;
            (c, self.prices.cache_savings(&price, u))
        };
        self.retry_cost += retry;
        self.cache_savings += last_savings + retry_savings;
        *self.segment_cost.entry(obs.segment).or_default() += last + retry;
        *self.model_cost.entry(obs.model).or_default() += last + retry;
    }

    /// Metrics and alarms for the run so far.
    pub fn report(&self) -> Report {
        let total = self.batch_cost + self.retry_cost + self.sync_retry_cost;
        let mut r = Report::new()
            .metric("batch_cost_usd", self.batch_cost)
            .metric("retry_cost_usd", self.retry_cost)
            .metric("sync_retry_cost_usd", self.sync_retry_cost)
            .metric("sync_retry_rows", self.sync_retry_rows as f64)
            .metric("total_cost_usd", total)
            .metric("input_tokens", self.input_tokens as f64)
            .metric("cached_input_tokens", self.cached_input_tokens as f64)
            .metric("cache_write_tokens", self.cache_write_tokens as f64)
            .metric("cache_savings_usd", self.cache_savings)
            .metric("output_tokens", self.output_tokens as f64)
            .metric("completed_rows", self.completed_rows as f64)
            .metric("validated_rows", self.validated_rows as f64)
            .metric("unpriced_rows", self.unpriced_rows as f64);
        if self.completed_rows > 0 {
            r.push_metric("cost_per_completed_row_usd", None, total / self.completed_rows as f64);
        }
        if self.quality_ran && self.validated_rows > 0 {
            r.push_metric("cost_per_validated_row_usd", None, total / self.validated_rows as f64);
        }
        for (&segment, &cost) in &self.segment_cost {
            r.push_metric("segment_cost_usd", Some(segment), cost);
        }
        self.push_model_costs(&mut r);
        for (model, u) in &self.unpriced {
            r.push_alarm(
                "unpriced-model",
                None,
                format!(
                    "model {model} has no price: {} rows, {} tokens left out of all costs",
                    u.rows, u.tokens
                ),
            );
        }
        if self.quality_ran && self.validated_rows == 0 {
            r.push_alarm(
                "no-validated-rows",
                None,
                format!(
                    "quality judges ran but no row validated: cost per validated row is \
                     undefined (${total:.4} spent on {} completed rows)",
                    self.completed_rows
                ),
            );
        }
        r
    }

    /// `model_cost_usd:<model>` for the `MAX_MODEL_COSTS` costliest models (ties by
    /// name), the rest summed as `model_cost_usd:(other models)`.
    fn push_model_costs(&self, r: &mut Report) {
        let mut costs: Vec<(&str, f64)> = self
            .model_cost
            .iter()
            .map(|(&m, &cost)| {
                (
                    self.models.get(m as usize).map_or("(unnamed model)", String::as_str),
                    cost,
                )
            })
            .collect();
        costs.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let rest: f64 = costs.iter().skip(MAX_MODEL_COSTS).map(|(_, c)| c).sum();
        for (name, cost) in costs.iter().take(MAX_MODEL_COSTS) {
            r.push_metric(&format!("model_cost_usd:{name}"), None, *cost);
        }
        if costs.len() > MAX_MODEL_COSTS {
            r.push_metric("model_cost_usd:(other models)", None, rest);
        }
    }
}
