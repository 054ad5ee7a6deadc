//! End-to-end tests of per-model cost, cache savings and the built-in price table.

use super::*;
use crate::tests::{built_in, close, judge, metric, obs, usage, usage_w};

#[test]
fn model_costs_and_cache_savings() {
    let mut j = judge(&[]);
    let zero = usage(0, 0, 0);
    // gpt-4o: (600*2.5 + 400*1.25 + 100*10) * 0.5 / 1e6 = 1500e-6; retry 1000*2.5*0.5/1e6 = 1250e-6.
    // Saved: 400 * (2.5 - 1.25) * 0.5 / 1e6 = 250e-6.
    j.observe(&obs(0, "gpt-4o", usage(1000, 400, 100), usage(1000, 0, 0), None));
    // A retry's cached reads save too: 200 * 1.25 * 0.5 / 1e6 = 125e-6.
    j.observe(&obs(0, "gpt-4o", zero, usage(200, 200, 0), None));
    // gpt-4o-mini under two served names: 135e-6 each, one model_cost entry per name.
    j.observe(&obs(1, "gpt-4o-mini", usage(1000, 0, 200), zero, None));
    j.observe(&obs(1, "gpt-4o-mini-2024-07-18", usage(1000, 0, 200), zero, None));
    j.observe(&obs(1, "mystery-1", usage(10, 0, 10), zero, None)); // unpriced: no model cost
    let r = j.finish().unwrap_or_default();
    // gpt-4o total: 1500e-6 + 1250e-6 + 200*1.25*0.5/1e6 (= 125e-6) = 2875e-6.
    assert!(close(metric(&r, "model_cost_usd:gpt-4o", None), 2875e-6));
    assert!(close(metric(&r, "model_cost_usd:gpt-4o-mini", None), 135e-6));
    assert!(close(metric(&r, "model_cost_usd:gpt-4o-mini-2024-07-18", None), 135e-6));
    assert_eq!(metric(&r, "model_cost_usd:mystery-1", None), None);
    assert_eq!(metric(&r, "model_cost_usd:(other models)", None), None);
    assert!(close(metric(&r, "cache_savings_usd", None), 375e-6));
    assert!(close(metric(&r, "total_cost_usd", None), 3145e-6));
    let names: Vec<_> = r
        .metrics
        .iter()
        .filter(|m| m.name.starts_with("model_cost_usd:"))
        .collect();
    assert_eq!(names[0].name, "model_cost_usd:gpt-4o", "costliest first");
}

#[test]
fn model_costs_keep_the_costliest_twenty() {
    let prices = r#"{"batch_discount": 1.0, "models": {"m": {"input": 1.0, "output": 0.0}}}"#;
    let mut j = match CostPerRow::init(Config::new(vec![("prices".into(), prices.into())])) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    };
    // 25 dated names that all price as `m`, each its own model_cost entry.
    let models: Vec<String> = (1..=25).map(|d| format!("m-2025-01-{d:02}")).collect();
    let info = RunInfo {
        rows_submitted: 25,
        segment_size: 25,
        provider: "openai".into(),
        models: models.clone(),
        snapshots: Vec::new(),
    };
    assert!(j.begin(&info).is_ok());
    for d in 0..25u32 {
        // Model d costs (d + 1) USD: (d + 1) * 1e6 input tokens at $1 per 1M.
        let mut o = obs(0, "", usage(u64::from(d + 1) * 1_000_000, 0, 0), usage(0, 0, 0), None);
        o.model = d;
        j.observe(&o);
    }
    let r = j.finish().unwrap_or_default();
    let named = r
        .metrics
        .iter()
        .filter(|m| m.name.starts_with("model_cost_usd:m-"))
        .count();
    assert_eq!(named, MAX_MODEL_COSTS);
    assert_eq!(metric(&r, "model_cost_usd:m-2025-01-25", None), Some(25.0));
    assert_eq!(metric(&r, "model_cost_usd:m-2025-01-06", None), Some(6.0));
    assert_eq!(metric(&r, "model_cost_usd:m-2025-01-05", None), None);
    // 1 + 2 + 3 + 4 + 5
    assert_eq!(metric(&r, "model_cost_usd:(other models)", None), Some(15.0));
    assert_eq!(metric(&r, "total_cost_usd", None), Some(325.0));
}

#[test]
fn built_in_anthropic_and_google_ids() {
    let mut j = built_in();
    let zero = usage(0, 0, 0);
    // Bedrock claude-3-5-haiku: input 10_000 = 2_000 uncached + 6_000 reads + 2_000 writes.
    // (2000*0.80 + 6000*0.08 + 2000*1.00 + 1000*4.00) * 0.5 / 1e6 = 8080 * 0.5e-6 = 4040e-6.
    let haiku = "anthropic.claude-3-5-haiku-20241022-v1:0";
    j.observe(&obs(0, haiku, usage_w(10_000, 6_000, 2_000, 1_000), zero, None));
    // claude-sonnet-4: (2000*3 + 6000*0.30 + 2000*3.75 + 1000*15) * 0.5 / 1e6 = 15150e-6.
    j.observe(&obs(
        0,
        "claude-sonnet-4-20250514",
        usage_w(10_000, 6_000, 2_000, 1_000),
        zero,
        None,
    ));
    // Vertex gemini-2.0-flash: (600*0.10 + 400*0.025 + 100*0.40) * 0.5 / 1e6 = 55e-6.
    let flash = "publishers/google/models/gemini-2.0-flash-001";
    j.observe(&obs(1, flash, usage(1000, 400, 100), zero, None));
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "unpriced_rows", None), Some(0.0));
    assert!(close(metric(&r, &format!("model_cost_usd:{haiku}"), None), 4040e-6));
    assert!(close(
        metric(&r, "model_cost_usd:claude-sonnet-4-20250514", None),
        15150e-6
    ));
    assert!(close(metric(&r, &format!("model_cost_usd:{flash}"), None), 55e-6));
    assert!(close(metric(&r, "batch_cost_usd", None), 19245e-6));
    // Savings: 6000*(0.80-0.08)*0.5e-6 + 6000*(3.00-0.30)*0.5e-6 + 400*(0.10-0.025)*0.5e-6
    //        = 2160e-6 + 8100e-6 + 15e-6
    assert!(close(metric(&r, "cache_savings_usd", None), 10275e-6));
    assert_eq!(metric(&r, "cache_write_tokens", None), Some(4000.0));
}

#[test]
fn built_in_table_is_dated_and_complete() {
    let v: serde_json::Value = match serde_json::from_str(DEFAULT_PRICES) {
        Ok(v) => v,
        Err(e) => panic!("default table: {e}"),
    };
    assert_eq!(v["_as_of"], "2025-06");
    assert!(v["_sources"].is_string());
    assert_eq!(v["batch_discount"], 0.5);
    let t = match PriceTable::parse(DEFAULT_PRICES, None) {
        Ok(t) => t,
        Err(e) => panic!("default table: {e:?}"),
    };
    let expected = [
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4.1-nano",
        "o3",
        "o4-mini",
        "claude-opus-4",
        "claude-sonnet-4",
        "claude-3-7-sonnet",
        "claude-3-5-haiku",
        "gemini-2.5-pro",
        "gemini-2.5-flash",
        "gemini-2.0-flash",
    ];
    for m in expected {
        let p = t.lookup(m).unwrap_or_else(|| panic!("{m} missing"));
        assert!(p.cached_input.is_some(), "{m} has no cached price");
        assert_eq!(p.cache_write.is_some(), m.starts_with("claude"), "{m} cache_write");
    }
    let opus = t.lookup("claude-opus-4-20250514").copied();
    assert_eq!(
        opus,
        Some(Price {
            input: 15.0,
            output: 75.0,
            cached_input: Some(1.5),
            cache_write: Some(18.75)
        })
    );
}
