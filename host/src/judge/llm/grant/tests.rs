//! Unit tests for `grant`.

use super::*;

fn keys(toml_text: &str) -> Result<Grant, String> {
    let k: GrantKeys = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    k.into_grant("j").map_err(|e| e.to_string())
}

#[test]
fn defaults_fill_missing_bounds() {
    let g = keys("models = [\"m\"]").expect("grant");
    assert_eq!(g.calls_per_row, 1);
    assert_eq!(g.token_budget, 100_000);
    assert_eq!(g.concurrency, 4);
    assert_eq!(g.timeout, Duration::from_secs(30));
}

#[test]
fn grant_without_models_is_refused() {
    let err = keys("models = []").expect_err("no models");
    assert!(err.contains("[llm.j] needs models"), "{err}");
}

#[test]
fn zero_bound_is_refused() {
    let err = keys("models = [\"m\"]\ntoken-budget = 0").expect_err("zero");
    assert!(err.contains("token-budget must be above 0"), "{err}");
}

#[test]
fn bad_sha256_is_refused() {
    assert!(keys("models = [\"m\"]\nsha256 = \"abc\"").is_err());
}

#[test]
fn empty_model_resolves_to_first_allowed() {
    let g = keys("models = [\"a\", \"b\"]").expect("grant");
    assert_eq!(g.resolve_model(""), Some("a"));
    assert_eq!(g.resolve_model("b"), Some("b"));
    assert_eq!(g.resolve_model("c"), None);
}
