//! End-to-end tests of the report's alarms: unpriced models, a run with no price at
//! all, and the price table's source and date.

use super::*;
use crate::tests::{alarm, alarm_kinds, built_in, close, judge, metric, obs, usage};

#[test]
fn unpriced_models_and_no_validated_rows() {
    let mut j = judge(&[]);
    let zero = usage(0, 0, 0);
    j.observe(&obs(0, "gpt-4o", usage(100, 0, 20), zero, Some(false)));
    j.observe(&obs(0, "mystery-1", usage(100, 0, 20), zero, Some(false)));
    j.observe(&obs(0, "mystery-1", usage(50, 0, 10), zero, Some(false)));
    j.observe(&obs(0, "mystery-2", zero, zero, None)); // no tokens: not unpriced
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "unpriced_rows", None), Some(2.0));
    // (100*2.5 + 20*10) * 0.5 / 1e6: the priced part, with the rest named.
    assert!(close(metric(&r, "total_cost_usd", None), 225e-6));
    assert_eq!(alarm_kinds(&r), ["unpriced-model", "no-validated-rows"]);
    assert_eq!(
        alarm(&r, "unpriced-model"),
        ["model mystery-1 has no price: 2 rows, 180 tokens left out of all costs"]
    );
    assert_eq!(
        alarm(&r, "no-validated-rows"),
        [
            "quality judges ran but no row validated: cost per validated row is undefined \
          ($0.00022500 spent on 4 completed rows)"
        ]
    );
    assert_eq!(metric(&r, "cost_per_validated_row_usd", None), None);
}

#[test]
fn unpriced_rows_without_a_model_name_are_called_that() {
    let mut j = judge(&[]);
    let zero = usage(0, 0, 0);
    j.observe(&obs(0, "gpt-4o", usage(100, 0, 20), zero, None));
    j.observe(&obs(0, "", usage(100, 0, 20), zero, None));
    let mut past = obs(0, "", usage(10, 0, 0), zero, None);
    past.model = 99; // an index past the run's models: no name either
    j.observe(&past);
    let r = j.finish().unwrap_or_default();
    assert_eq!(
        alarm(&r, "unpriced-model"),
        ["rows with no model name have no price: 2 rows, 130 tokens left out of all costs"]
    );
}

#[test]
fn all_unpriced_run_reports_cost_not_available() {
    let mut j = judge(&[]);
    let zero = usage(0, 0, 0);
    j.observe(&obs(0, "mystery-1", usage(100, 0, 20), zero, Some(false)));
    j.observe(&obs(1, "", usage(50, 0, 10), zero, Some(false)));
    let r = j.finish().unwrap_or_default();
    // No cost metric says $0: the cost is unknown, not free.
    let costs: Vec<_> = r.metrics.iter().filter(|m| m.name.ends_with("_usd")).collect();
    assert!(costs.is_empty(), "{costs:?}");
    assert_eq!(metric(&r, "unpriced_rows", None), Some(2.0));
    assert_eq!(metric(&r, "input_tokens", None), Some(150.0));
    assert_eq!(
        alarm_kinds(&r),
        ["unpriced-model", "unpriced-model", "unpriced", "no-validated-rows"]
    );
    assert!(alarm(&r, "unpriced")[0].starts_with("cost not available: none of the 2 rows"));
    assert!(alarm(&r, "no-validated-rows")[0].ends_with("(2 completed rows, cost not available)"));
    // A run with no billed tokens at all did cost nothing: that is reported.
    let mut idle = judge(&[]);
    idle.observe(&obs(0, "mystery-1", zero, zero, None));
    let r = idle.finish().unwrap_or_default();
    assert_eq!(metric(&r, "total_cost_usd", None), Some(0.0));
    assert!(alarm_kinds(&r).is_empty());
}

#[test]
fn report_names_the_price_tables_source_and_date() {
    let r = judge(&[]).finish().unwrap_or_default();
    assert_eq!(alarm(&r, "price-table"), ["prices from the `prices` config, undated"]);
    let r = built_in().finish().unwrap_or_default();
    let note = alarm(&r, "price-table");
    assert!(note[0].starts_with("prices from LiteLLM 1.110.2"), "{note:?}");
    assert!(note[0].ends_with("as of 2026-12-01"), "{note:?}");
}
