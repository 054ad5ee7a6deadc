//! `cost-per-row` end to end through `assay eval`: which price a served model gets
//! (its own dated entry, an alias reported as a fallback, LiteLLM's format), the
//! table's source and date in the summary, and a run no price covers.

use crate::support;

use std::path::Path;

use serde_json::Value;
use support::{assay, data, json, root, stderr, stdout, write_lines};

/// One OpenAI batch row per served model name: 1M prompt and 1M completion tokens.
fn job(dir: &Path, models: &[&str]) -> (String, String) {
    let input: Vec<String> = (0..models.len())
        .map(|i| {
            format!(
                r#"{{"custom_id":"r{i}","method":"POST","url":"/v1/chat/completions","body":{{"model":"gpt-4o","messages":[{{"role":"user","content":"hi"}}]}}}}"#
            )
        })
        .collect();
    let output: Vec<String> = models
        .iter()
        .enumerate()
        .map(|(i, m)| {
            format!(
                r#"{{"id":"b{i}","custom_id":"r{i}","response":{{"status_code":200,"request_id":"q","body":{{"model":"{m}","choices":[{{"index":0,"message":{{"role":"assistant","content":"ok"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":1000000,"completion_tokens":1000000,"total_tokens":2000000}}}}}},"error":null}}"#
            )
        })
        .collect();
    let i = write_lines(dir, "in.jsonl", &input);
    let o = write_lines(dir, "out.jsonl", &output);
    (i.display().to_string(), o.display().to_string())
}

/// `assay eval` of `models` with cost-per-row and `sets`; the exit status must be 0.
fn eval(models: &[&str], sets: &[String], format: &str) -> std::process::Output {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, out) = job(tmp.path(), models);
    let mut args = vec![
        "eval",
        "--provider",
        "openai",
        "--input",
        &input,
        "--results",
        &out,
        "--judge",
        "cost-per-row",
        "--format",
        format,
    ];
    for s in sets {
        args.extend(["--set", s.as_str()]);
    }
    let o = assay(&args);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    o
}

fn cost(models: &[&str], sets: &[String]) -> Value {
    json(&eval(models, sets, "json"))["judges"]["cost-per-row"].clone()
}

fn alarms(judge: &Value, kind: &str) -> Vec<String> {
    judge["alarms"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["kind"] == kind)
        .filter_map(|a| a["message"].as_str().map(str::to_string))
        .collect()
}

fn table(dir: &Path, json: &str) -> String {
    let p = dir.join("prices.json");
    std::fs::write(&p, json).expect("write prices");
    format!("cost-per-row.prices=@{}", p.display())
}

#[test]
fn dated_snapshot_prices_at_its_own_entry() {
    // The built-in table lists gpt-4o-2024-05-13 at 5.00/15.00 (batch 2.50/7.50),
    // gpt-4o at 2.50/10.00: 1M + 1M tokens cost $10 in the batch, not $6.25.
    let j = cost(&["gpt-4o-2024-05-13"], &[]);
    assert_eq!(j["metrics"]["batch_cost_usd"].as_f64(), Some(10.0), "{j}");
    assert!(alarms(&j, "price-fallback").is_empty(), "{j}");
    let note = alarms(&j, "price-table");
    assert!(
        note.len() == 1 && note[0].starts_with("prices from LiteLLM 1.110.2") && note[0].ends_with("as of 2026-12-01"),
        "{note:?}"
    );
}

#[test]
fn alias_fallback_is_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    let prices = table(
        tmp.path(),
        r#"{"_as_of": "2026-11", "_source": "test table", "models": {"gpt-4o": {"input": 2.5, "output": 10}}}"#,
    );
    let j = cost(&["gpt-4o-2024-05-13", "gpt-4o"], &[prices]);
    assert_eq!(
        alarms(&j, "price-fallback"),
        [
            "model gpt-4o-2024-05-13 has no price entry of its own: priced as gpt-4o, whose list price can \
          differ from the snapshot's"
        ]
    );
    assert_eq!(alarms(&j, "price-table"), ["prices from test table, as of 2026-11"]);
    assert_eq!(j["metrics"]["model_cost:gpt-4o-2024-05-13_usd"].as_f64(), Some(6.25));
}

#[test]
fn litellm_price_map_is_read_from_a_file() {
    // The bundled copy is in LiteLLM's own format: read as a `prices` file it prices
    // the same, and the summary carries its source and date.
    let file = root().join("plugins/cost-per-row/litellm-prices.json");
    let set = format!("cost-per-row.prices=@{}", file.display());
    let from_file = cost(&["gpt-4o-2024-05-13", "gpt-4o-mini-2024-07-18"], &[set]);
    let built_in = cost(&["gpt-4o-2024-05-13", "gpt-4o-mini-2024-07-18"], &[]);
    assert_eq!(from_file["metrics"], built_in["metrics"]);
    assert_eq!(alarms(&from_file, "price-table"), alarms(&built_in, "price-table"));
    // 10.00 + (0.075 + 0.30)
    let total = from_file["metrics"]["total_cost_usd"].as_f64().unwrap_or(0.0);
    assert!((total - 10.375).abs() < 1e-9, "{total}");
}

#[test]
fn all_unpriced_run_reports_no_cost() {
    let tmp = tempfile::tempdir().expect("tmp");
    let prices = table(tmp.path(), r#"{"models": {"gpt-4o": {"input": 2.5, "output": 10}}}"#);
    let j = cost(&["mystery-model", ""], std::slice::from_ref(&prices));
    let metrics = j["metrics"].as_object().expect("metrics");
    assert!(!metrics.keys().any(|k| k.ends_with("_usd")), "{j}");
    assert_eq!(metrics["unpriced_rows"], 2.0);
    assert_eq!(alarms(&j, "unpriced").len(), 1, "{j}");
    assert_eq!(
        alarms(&j, "unpriced-model"),
        [
            "rows with no model name have no price: 1 rows, 2000000 tokens left out of all costs",
            "model mystery-model has no price: 1 rows, 2000000 tokens left out of all costs",
        ]
    );
    let text = stdout(&eval(&["mystery-model", ""], &[prices], "text"));
    assert!(!text.contains("$0.00000000"), "{text}");
    assert!(text.contains("ALARM unpriced: cost not available"), "{text}");
    assert!(!text.contains("model  has"), "{text}");
}

#[test]
fn per_model_cost_prints_as_money() {
    let text = stdout(&eval(&["gpt-4o-2024-05-13"], &[], "text"));
    assert!(text.contains("model_cost:gpt-4o-2024-05-13_usd $10.0000"), "{text}");
}

#[test]
fn example_prices_its_dated_model_without_fallback() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, out) = job(tmp.path(), &["gpt-4o-mini-2024-07-18"]);
    let set = format!("cost-per-row.prices=@{}", data("prices.json").display());
    let o = assay(&[
        "eval",
        "--input",
        &input,
        "--results",
        &out,
        "--judge",
        "cost-per-row",
        "--set",
        &set,
        "--format",
        "json",
    ]);
    let j = &json(&o)["judges"]["cost-per-row"];
    assert!(alarms(j, "price-fallback").is_empty(), "{j}");
    assert_eq!(
        alarms(j, "price-table"),
        ["prices from example subset of LiteLLM 1.110.2's OpenAI entries, as of 2026-12-01"]
    );
}
