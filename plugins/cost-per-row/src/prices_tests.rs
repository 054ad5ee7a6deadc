//! Unit tests of the price table: formats, lookup order, the cost formula.

use super::*;

const PRICES: &str = r#"{
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
    let mini = t.channel_rates(&t.lookup("gpt-4o-mini", "openai").expect("priced"));
    // (1000*0.15 + 500*0.60) * 0.5 / 1e6 = 225e-6; reasoning is inside output.
    assert!(close(mini.batch.cost(&usage(1000, 0, 0, 500, 300)), 225e-6));
    // Cached without a cached price: billed at the input price.
    assert!(close(mini.batch.cost(&usage(1000, 400, 0, 200, 0)), 135e-6));
    let c = t.channel_rates(&t.lookup("cached-model", "openai").expect("priced"));
    // (500*2.0 + 300*0.5 + 200*2.5 + 100*8.0) * 0.5 / 1e6 = 2450*0.5e-6
    assert!(close(c.batch.cost(&usage(1000, 300, 200, 100, 0)), 1225e-6));
    // Inconsistent counts saturate instead of wrapping.
    assert!(close(c.batch.cost(&usage(100, 300, 0, 0, 0)), 300.0 * 0.5 * 0.5 / 1e6));
    // The sync price is the list price: twice the batch price at discount 0.5.
    assert!(close(c.sync.cost(&usage(1000, 300, 200, 100, 0)), 2450e-6));
    assert!(close(c.sync.savings(&usage(1000, 300, 200, 100, 0)), 450e-6));
}

const PROVIDERS: &str = r#"{"models": {
    "gpt-4o-mini": {"input": 0.15, "output": 0.60},
    "claude-3-5-haiku": {"input": 0.80, "output": 4.00, "cached_input": 0.08, "cache_write": 1.00},
    "claude-sonnet-4": {"input": 3.00, "output": 15.00, "cached_input": 0.30, "cache_write": 3.75},
    "gemini-2.0-flash": {"input": 0.10, "output": 0.40, "cached_input": 0.025},
    "gemini-2.0-flash-lite": {"input": 0.075, "output": 0.30}
}}"#;

#[test]
fn lookup_forms_in_order() {
    let t = PriceTable::parse(PROVIDERS, None).expect("prices parse");
    let key = |m: &str| t.resolve(m, "openai").map(|r| r.key);
    let k = |s: &str| Some(s.to_string());
    assert_eq!(key("gpt-4o-mini"), k("gpt-4o-mini")); // 1. exact
    assert_eq!(key("gpt-4o-mini-2024-07-18"), k("gpt-4o-mini")); // 2. -YYYY-MM-DD
    assert_eq!(key("claude-3-5-haiku-20241022"), k("claude-3-5-haiku")); // 2. -YYYYMMDD
    assert_eq!(key("claude-sonnet-4-latest"), k("claude-sonnet-4")); // 2. -latest
    assert_eq!(key("gemini-2.0-flash-001@default"), k("gemini-2.0-flash")); // 3. @ and -001
    assert_eq!(key("gemini-2.0-flash-001"), k("gemini-2.0-flash")); // 3. -001
    assert_eq!(key("claude-3-5-haiku@20241022"), k("claude-3-5-haiku")); // 3. Vertex @date
    assert_eq!(key("anthropic.claude-3-5-haiku-20241022-v1:0"), k("claude-3-5-haiku")); // 4. Bedrock
    assert_eq!(key("us.anthropic.claude-sonnet-4-20250514-v1:0"), k("claude-sonnet-4")); // 4. region
    assert_eq!(
        key("publishers/google/models/gemini-2.0-flash-001"),
        k("gemini-2.0-flash")
    ); // 4. Vertex
    assert_eq!(key("models/gemini-2.0-flash-lite"), k("gemini-2.0-flash-lite")); // 4. Gemini API
    // A more specific key wins over a shorter one it contains.
    assert_eq!(key("gemini-2.0-flash-lite-001"), k("gemini-2.0-flash-lite"));
    // Not forms we strip.
    assert_eq!(key("gpt-4o-mini-preview"), None);
    assert_eq!(key("gpt-4o"), None);
    assert_eq!(key("openai.gpt-4o-mini"), None);
    assert_eq!(key(""), None);
}

#[test]
fn anthropic_cache_reads_and_writes() {
    let t = PriceTable::parse(PROVIDERS, None).expect("prices parse");
    let sonnet = t.lookup("claude-sonnet-4-20250514", "anthropic").expect("priced");
    // input 10_000 includes 6_000 cache reads and 2_000 cache writes: 2_000 uncached.
    // 2000*3 + 6000*0.30 + 2000*3.75 + 1000*15 = 30_300 → × 0.5 / 1e6
    let u = usage(10_000, 6_000, 2_000, 1_000, 0);
    assert!(close(t.channel_rates(&sonnet).batch.cost(&u), 0.01515));
    // Saved on reads: 6000 * (3.00 - 0.30) * 0.5 / 1e6 = 0.0081.
    assert!(close(t.channel_rates(&sonnet).batch.savings(&u), 0.0081));
    let mini = t.lookup("gpt-4o-mini", "openai").expect("priced");
    assert_eq!(t.channel_rates(&mini).batch.savings(&u), 0.0); // no cached price: nothing saved
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

/// A LiteLLM-format excerpt (USD per token), shaped like the real file.
const LITELLM: &str = r#"{
    "sample_spec": {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0, "mode": "one of: chat"},
    "gpt-4o": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
        "cache_read_input_token_cost": 1.25e-06, "input_cost_per_token_batches": 1.25e-06,
        "output_cost_per_token_batches": 5e-06, "litellm_provider": "openai", "mode": "chat",
        "source": "https://example.invalid/pricing", "supports_vision": true,
        "search_context_cost_per_query": {"search_context_size_low": 0.025}},
    "gpt-4o-2024-05-13": {"input_cost_per_token": 5e-06, "output_cost_per_token": 1.5e-05,
        "input_cost_per_token_batches": 2.5e-06, "output_cost_per_token_batches": 7.5e-06,
        "litellm_provider": "openai", "mode": "chat"},
    "azure/gpt-4o-2024-05-13": {"input_cost_per_token": 5.5e-06, "output_cost_per_token": 1.65e-05,
        "litellm_provider": "azure", "mode": "chat"},
    "dall-e-3": {"output_cost_per_image": 0.04, "litellm_provider": "openai", "mode": "image_generation"},
    "anthropic.claude-3-5-haiku-20241022-v1:0": {"input_cost_per_token": 8e-07, "output_cost_per_token": 4e-06,
        "cache_read_input_token_cost": 8e-08, "cache_creation_input_token_cost": 1e-06,
        "litellm_provider": "bedrock", "mode": "chat"},
    "us.anthropic.claude-3-5-haiku-20241022-v1:0": {"input_cost_per_token": 9e-07, "output_cost_per_token": 5e-06,
        "litellm_provider": "bedrock", "mode": "chat"},
    "eu.anthropic.claude-sonnet-4-20250514-v1:0": {"input_cost_per_token": 3.3e-06, "output_cost_per_token": 1.65e-05,
        "litellm_provider": "bedrock_converse", "mode": "chat"},
    "global.anthropic.claude-sonnet-4-20250514-v1:0": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
        "litellm_provider": "bedrock_converse", "mode": "chat"},
    "claude-sonnet-4-5": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
        "cache_read_input_token_cost": 3e-07, "cache_creation_input_token_cost": 3.75e-06,
        "input_cost_per_token_batches": 1.5e-06, "output_cost_per_token_batches": 7.5e-06,
        "cache_read_input_token_cost_batches": 1.5e-07, "cache_creation_input_token_cost_batches": 1.875e-06,
        "litellm_provider": "anthropic", "mode": "chat"},
    "vertex_ai/gemini-2.0-flash": {"input_cost_per_token": 1.5e-07, "output_cost_per_token": 6e-07,
        "litellm_provider": "vertex_ai", "mode": "chat"},
    "gemini/gemini-2.5-flash": {"input_cost_per_token": 3e-07, "output_cost_per_token": 2.5e-06,
        "litellm_provider": "gemini", "mode": "chat"}
}"#;

fn litellm() -> PriceTable {
    PriceTable::parse(LITELLM, None).unwrap_or_else(|e| panic!("LiteLLM excerpt: {e:?}"))
}

fn key_of(t: &PriceTable, model: &str, provider: &str) -> Option<(String, bool)> {
    t.resolve(model, provider).map(|r| (r.key, r.fallback))
}

#[test]
fn dated_snapshot_prices_at_its_own_entry() {
    let t = litellm();
    let own = t.resolve("gpt-4o-2024-05-13", "openai").expect("priced");
    assert_eq!((own.key.as_str(), own.fallback), ("gpt-4o-2024-05-13", false));
    // 1M in + 1M out at the snapshot's own list price, not gpt-4o's (2.50 + 10.00).
    assert!(close(
        t.channel_rates(&own.price)
            .sync
            .cost(&usage(1_000_000, 0, 0, 1_000_000, 0)),
        20.0
    ));
    // In the prices.json shape too.
    let simple = r#"{"models": {"gpt-4o": {"input": 2.5, "output": 10},
                                "gpt-4o-2024-05-13": {"input": 5, "output": 15}}}"#;
    let t = PriceTable::parse(simple, None).expect("parse");
    assert_eq!(
        key_of(&t, "gpt-4o-2024-05-13", "openai"),
        Some(("gpt-4o-2024-05-13".into(), false))
    );
}

#[test]
fn alias_fallback_is_marked() {
    let t = litellm();
    // No entry of its own: priced as the alias, and marked so.
    assert_eq!(key_of(&t, "gpt-4o-2024-11-20", "openai"), Some(("gpt-4o".into(), true)));
    assert_eq!(
        key_of(&t, "gemini-2.0-flash-001", "vertex"),
        Some(("vertex_ai/gemini-2.0-flash".into(), true))
    );
    // An alias served under its own name, or a name that only differs by its
    // provider's decoration, is no fallback.
    assert_eq!(key_of(&t, "gpt-4o", "openai"), Some(("gpt-4o".into(), false)));
    assert_eq!(
        key_of(&t, "claude-3-5-haiku-20241022", "bedrock"),
        Some(("bedrock/claude-3-5-haiku-20241022".into(), false))
    );
    assert_eq!(
        key_of(&t, "claude-sonnet-4-5-20250929", "anthropic"),
        Some(("claude-sonnet-4-5".into(), true))
    );
}

#[test]
fn litellm_map_is_read_per_token_with_its_batch_prices() {
    let t = litellm();
    assert_eq!(t.info().source, "a LiteLLM-format `prices` config");
    assert_eq!(t.info().as_of, None);
    // Entries without token prices (sample_spec's zeros are prices; dall-e has none).
    assert_eq!(t.lookup("dall-e-3", "openai"), None);
    let s = t.lookup("claude-sonnet-4-5", "anthropic").expect("priced");
    assert!(close(s.input, 3.0) && close(s.output, 15.0));
    assert!(s.cached_input.is_some_and(|c| close(c, 0.3)));
    // 2000 uncached + 6000 reads + 2000 writes + 1000 output at the listed batch prices:
    // 2000*1.5 + 6000*0.15 + 2000*1.875 + 1000*7.5 = 15_150 → /1e6
    let u = usage(10_000, 6_000, 2_000, 1_000, 0);
    assert!(close(t.channel_rates(&s).batch.cost(&u), 0.01515));
    assert!(close(
        t.channel_rates(&s).batch.savings(&u),
        6000.0 * (1.5 - 0.15) / 1e6
    ));
    // gpt-4o lists batch input/output but no batch cache read: sync 1.25 × 0.5.
    let g = t.lookup("gpt-4o", "openai").expect("priced");
    assert!(close(
        t.channel_rates(&g).batch.cost(&usage(1000, 400, 0, 100, 0)),
        (600.0 * 1.25 + 400.0 * 0.625 + 100.0 * 5.0) / 1e6
    ));
    // A configured batch-discount replaces the listed batch prices.
    let d = PriceTable::parse(LITELLM, Some(1.0)).expect("parse");
    let rates = d.channel_rates(&s);
    assert!(close(rates.batch.cost(&u), rates.sync.cost(&u)));
}

#[test]
fn provider_prefix_is_tried_before_the_bare_name() {
    let t = litellm();
    let k = |m: &str, p: &str| t.resolve(m, p).map(|r| r.key);
    assert_eq!(k("gpt-4o-2024-05-13", "azure"), Some("azure/gpt-4o-2024-05-13".into()));
    assert_eq!(k("gpt-4o-2024-05-13", "openai"), Some("gpt-4o-2024-05-13".into()));
    assert_eq!(k("gemini-2.5-flash", "gemini"), Some("gemini/gemini-2.5-flash".into()));
    assert_eq!(
        k("models/gemini-2.5-flash", "gemini"),
        Some("gemini/gemini-2.5-flash".into())
    );
    assert_eq!(k("gemini-2.5-flash", "openai"), None);
    // Bedrock's Claude output names the model as Anthropic does: the in-region
    // entry wins over a cross-region one, `global.` over other regions.
    let haiku = t.lookup("claude-3-5-haiku-20241022", "bedrock").expect("priced");
    assert!(close(haiku.input, 0.8));
    let sonnet = t.lookup("claude-sonnet-4-20250514", "bedrock").expect("priced");
    assert!(close(sonnet.input, 3.0));
    assert_eq!(
        k("anthropic.claude-3-5-haiku-20241022-v1:0", "bedrock"),
        Some("anthropic.claude-3-5-haiku-20241022-v1:0".into())
    );
}

#[test]
fn table_source_and_date_come_from_the_table() {
    let meta = r#"{"_assay_table": {"source": "LiteLLM 1.110.2", "as_of": "2026-12-01", "license": "MIT"},
                   "gpt-4o": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05}}"#;
    let t = PriceTable::parse(meta, None).expect("parse");
    assert_eq!(t.info().source, "LiteLLM 1.110.2");
    assert_eq!(t.info().as_of.as_deref(), Some("2026-12-01"));
    let simple = r#"{"_as_of": "2026-11", "_sources": "provider pages", "models": {}}"#;
    let t = PriceTable::parse(simple, None).expect("parse");
    assert_eq!(
        (t.info().source.as_str(), t.info().as_of.as_deref()),
        ("provider pages", Some("2026-11"))
    );
    let t = PriceTable::parse(r#"{"models": {}}"#, None).expect("parse");
    assert_eq!(
        (t.info().source.as_str(), t.info().as_of.as_deref()),
        ("the `prices` config", None)
    );
    // A LiteLLM entry with a negative or non-numeric price is refused, naming it.
    let neg = r#"{"m": {"input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06}}"#;
    assert!(matches!(PriceTable::parse(neg, None), Err(JudgeError::Config(ref m)) if m.contains("`m`")));
    let text = r#"{"m": {"input_cost_per_token": "cheap", "output_cost_per_token": 1e-06}}"#;
    assert!(matches!(PriceTable::parse(text, None), Err(JudgeError::Config(ref m)) if m.contains("line 1")));
}
