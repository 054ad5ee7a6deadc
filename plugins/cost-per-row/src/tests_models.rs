//! End-to-end tests of per-model cost, cache savings and the built-in price table.

use super::*;
use crate::tests::{MODELS, alarm, alarm_kinds, built_in_unstarted, close, judge, metric, obs, usage, usage_w};

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
    assert!(close(metric(&r, "model_cost:gpt-4o_usd", None), 2875e-6));
    assert!(close(metric(&r, "model_cost:gpt-4o-mini_usd", None), 135e-6));
    assert!(close(metric(&r, "model_cost:gpt-4o-mini-2024-07-18_usd", None), 135e-6));
    assert_eq!(metric(&r, "model_cost:mystery-1_usd", None), None);
    assert_eq!(metric(&r, "model_cost:(other models)_usd", None), None);
    assert!(close(metric(&r, "cache_savings_usd", None), 375e-6));
    assert!(close(metric(&r, "total_cost_usd", None), 3145e-6));
    let names: Vec<_> = r.metrics.iter().filter(|m| m.name.starts_with("model_cost:")).collect();
    assert_eq!(names[0].name, "model_cost:gpt-4o_usd", "costliest first");
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
    let named = r.metrics.iter().filter(|m| m.name.starts_with("model_cost:m-")).count();
    assert_eq!(named, MAX_MODEL_COSTS);
    assert_eq!(metric(&r, "model_cost:m-2025-01-25_usd", None), Some(25.0));
    assert_eq!(metric(&r, "model_cost:m-2025-01-06_usd", None), Some(6.0));
    assert_eq!(metric(&r, "model_cost:m-2025-01-05_usd", None), None);
    // 1 + 2 + 3 + 4 + 5
    assert_eq!(metric(&r, "model_cost:(other models)_usd", None), Some(15.0));
    assert_eq!(metric(&r, "total_cost_usd", None), Some(325.0));
}

#[test]
fn built_in_table_prices_each_provider_at_its_own_entry() {
    let zero = usage(0, 0, 0);
    let run = |provider: &str, model: &str, u: Usage| {
        let mut j = built_in_unstarted();
        let mut o = obs(0, "", u, zero, None);
        o.model = MODELS.len() as u32 + 1; // the model index past MODELS and mystery-2
        let mut info_models: Vec<String> = MODELS.iter().map(|m| m.to_string()).collect();
        info_models.extend(["mystery-2".to_string(), model.to_string()]);
        let info = RunInfo {
            rows_submitted: 1,
            segment_size: 1,
            provider: provider.into(),
            models: info_models,
            snapshots: Vec::new(),
        };
        assert!(j.begin(&info).is_ok());
        j.observe(&o);
        j.finish().unwrap_or_default()
    };
    let m = |r: &Report, name: &str| metric(r, name, None);
    // gpt-4o-2024-05-13 at its own batch price (2.50 in, 7.50 out), not gpt-4o's.
    let r = run("openai", "gpt-4o-2024-05-13", usage(1_000_000, 0, 1_000_000));
    assert!(close(m(&r, "batch_cost_usd"), 10.0));
    assert!(alarm_kinds(&r).is_empty(), "{:?}", r.alarms);
    // Azure's own entry for the same snapshot.
    let r = run("azure", "gpt-4o-2024-05-13", usage(1_000_000, 0, 1_000_000));
    assert!(close(m(&r, "batch_cost_usd"), 10.0));
    // Anthropic: 2000 uncached + 6000 reads + 2000 writes + 1000 out at the listed batch prices
    // (1.5, 0.15, 1.875, 7.5 per 1M).
    let r = run(
        "anthropic",
        "claude-sonnet-4-5-20250929",
        usage_w(10_000, 6_000, 2_000, 1_000),
    );
    assert!(close(m(&r, "batch_cost_usd"), 0.01515));
    // Bedrock's Claude output names the Anthropic model: priced at the in-region
    // entry, 0.80 / 4.00, cache 0.08 / 1.00, no batch prices listed → × 0.5.
    let r = run(
        "bedrock",
        "claude-3-5-haiku-20241022",
        usage_w(10_000, 6_000, 2_000, 1_000),
    );
    assert!(close(m(&r, "batch_cost_usd"), 4040e-6));
    assert!(alarm_kinds(&r).is_empty(), "{:?}", r.alarms);
    // Vertex gemini-2.0-flash-001 has no entry of its own: priced as the alias, reported.
    let r = run("vertex", "gemini-2.0-flash-001", usage(1_000_000, 0, 1_000_000));
    assert!(close(m(&r, "batch_cost_usd"), 0.075 + 0.3));
    assert_eq!(
        alarm(&r, "price-fallback"),
        [
            "model gemini-2.0-flash-001 has no price entry of its own: priced as vertex_ai/gemini-2.0-flash, \
          whose list price can differ from the snapshot's"
        ]
    );
    // Gemini API.
    let r = run("gemini", "gemini-2.5-flash", usage(1_000_000, 0, 1_000_000));
    assert!(close(m(&r, "batch_cost_usd"), 0.15 + 1.25));
}

#[test]
fn built_in_table_is_litellm_dated_and_licensed() {
    let v: serde_json::Value = match serde_json::from_str(DEFAULT_PRICES) {
        Ok(v) => v,
        Err(e) => panic!("default table: {e}"),
    };
    let meta = &v["_assay_table"];
    assert_eq!(meta["as_of"], "2026-12-01");
    assert!(
        meta["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("LiteLLM 1.110.2"))
    );
    assert!(meta["license"].as_str().is_some_and(|s| s.starts_with("MIT")));
    let t = match PriceTable::parse(DEFAULT_PRICES, None) {
        Ok(t) => t,
        Err(e) => panic!("default table: {e:?}"),
    };
    for (model, provider) in [
        ("gpt-4o-mini-2024-07-18", "openai"),
        ("gpt-4.1-2025-04-14", "openai"),
        ("o3-2025-04-16", "openai"),
        ("text-embedding-3-small", "openai"),
        ("gpt-4o-2024-08-06", "azure"),
        ("claude-haiku-4-5-20251001", "anthropic"),
        ("claude-sonnet-4-20250514", "bedrock"),
        ("gemini-2.5-pro", "vertex"),
        ("gemini-2.5-flash", "gemini"),
    ] {
        let r = t
            .resolve(model, provider)
            .unwrap_or_else(|| panic!("{model} on {provider} unpriced"));
        assert!(!r.fallback, "{model} on {provider} priced as {}", r.key);
    }
}
