//! The final report built from a [`CostTally`]: metrics, and alarms that say what
//! the costs leave out or assume.
//!
//! Invariants: every cost metric name ends in `_usd` (the host prints those as
//! money); when rows had billed tokens and none could be priced, no cost metric is
//! reported at all (the cost is not available, not zero) and an `unpriced` alarm
//! says so; a per-row ratio is reported only when its denominator is > 0; a model
//! priced at an alias's entry is named beside that entry (`price-fallback`); the
//! table's source and date are stated (`price-table`).

use assay_judge_sdk::Report;

use crate::tally::{CostTally, MAX_MODEL_COSTS, OTHER_MODELS};

/// `price-fallback` alarms named one by one (the rest are counted in one more).
const MAX_FALLBACK_ALARMS: usize = 20;

/// USD as the host's terminal prints `_usd` metrics: 4 decimals from $1, else 8.
fn usd(v: f64) -> String {
    if v.abs() >= 1.0 {
        format!("${v:.4}")
    } else {
        format!("${v:.8}")
    }
}

impl CostTally {
    /// Metrics and alarms for the run so far.
    pub fn report(&self) -> Report {
        let total = self.batch_cost + self.retry_cost + self.sync_retry_cost;
        let priced = self.priced_rows > 0 || self.unpriced_rows == 0;
        let mut r = Report::new()
            .metric("sync_retry_rows", self.sync_retry_rows as f64)
            .metric("input_tokens", self.input_tokens as f64)
            .metric("cached_input_tokens", self.cached_input_tokens as f64)
            .metric("cache_write_tokens", self.cache_write_tokens as f64)
            .metric("output_tokens", self.output_tokens as f64)
            .metric("completed_rows", self.completed_rows as f64)
            .metric("validated_rows", self.validated_rows as f64)
            .metric("unpriced_rows", self.unpriced_rows as f64);
        if priced {
            r.push_metric("batch_cost_usd", None, self.batch_cost);
            r.push_metric("retry_cost_usd", None, self.retry_cost);
            r.push_metric("sync_retry_cost_usd", None, self.sync_retry_cost);
            r.push_metric("total_cost_usd", None, total);
            r.push_metric("cache_savings_usd", None, self.cache_savings);
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
        }
        self.push_table_note(&mut r);
        self.push_fallbacks(&mut r);
        for (model, u) in &self.unpriced {
            let who = match model.as_str() {
                "" => "rows with no model name have".to_string(),
                OTHER_MODELS => format!("{OTHER_MODELS} have"),
                name => format!("model {name} has"),
            };
            r.push_alarm(
                "unpriced-model",
                None,
                format!(
                    "{who} no price: {} rows, {} tokens left out of all costs",
                    u.rows, u.tokens
                ),
            );
        }
        if !priced {
            r.push_alarm(
                "unpriced",
                None,
                format!(
                    "cost not available: none of the {} rows with billed tokens has a price \
                     (pass a table with --set cost-per-row.prices=@file)",
                    self.unpriced_rows
                ),
            );
        }
        if self.quality_ran && self.validated_rows == 0 {
            let n = self.completed_rows;
            let spent = if priced {
                format!("{} spent on {n} completed rows", usd(total))
            } else {
                format!("{n} completed rows, cost not available")
            };
            r.push_alarm(
                "no-validated-rows",
                None,
                format!("quality judges ran but no row validated: cost per validated row is undefined ({spent})"),
            );
        }
        r
    }

    /// `model_cost:<model>_usd` for the `MAX_MODEL_COSTS` costliest models (ties by
    /// name), the rest summed as `model_cost:(other models)_usd`.
    fn push_model_costs(&self, r: &mut Report) {
        let mut costs: Vec<(&str, f64)> = self
            .model_cost
            .iter()
            .enumerate()
            .filter_map(|(m, cost)| Some((self.models.get(m).map_or("", String::as_str), (*cost)?)))
            .collect();
        costs.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let rest: f64 = costs.iter().skip(MAX_MODEL_COSTS).map(|(_, c)| c).sum();
        for (name, cost) in costs.iter().take(MAX_MODEL_COSTS) {
            r.push_metric(&format!("model_cost:{name}_usd"), None, *cost);
        }
        if costs.len() > MAX_MODEL_COSTS {
            r.push_metric(&format!("model_cost:{OTHER_MODELS}_usd"), None, rest);
        }
    }

    fn push_table_note(&self, r: &mut Report) {
        let info = self.prices.info();
        let date = info
            .as_of
            .as_deref()
            .map_or_else(|| "undated".to_string(), |d| format!("as of {d}"));
        r.push_alarm("price-table", None, format!("prices from {}, {date}", info.source));
    }

    /// One `price-fallback` alarm per served model that had priced rows and was
    /// priced at an entry without its snapshot, by name.
    fn push_fallbacks(&self, r: &mut Report) {
        let mut fell: Vec<(&str, &str)> = self
            .model_cost
            .iter()
            .enumerate()
            .filter(|(_, cost)| cost.is_some())
            .filter_map(|(m, _)| {
                let resolved = self.model_prices.get(m)?.as_ref()?;
                let name = self.models.get(m)?;
                resolved.fallback.then_some((name.as_str(), resolved.key.as_str()))
            })
            .collect();
        fell.sort_unstable();
        for (model, key) in fell.iter().take(MAX_FALLBACK_ALARMS) {
            r.push_alarm(
                "price-fallback",
                None,
                format!(
                    "model {model} has no price entry of its own: priced as {key}, whose list \
                     price can differ from the snapshot's"
                ),
            );
        }
        if fell.len() > MAX_FALLBACK_ALARMS {
            r.push_alarm(
                "price-fallback",
                None,
                format!("{} more models priced as an alias", fell.len() - MAX_FALLBACK_ALARMS),
            );
        }
    }
}
