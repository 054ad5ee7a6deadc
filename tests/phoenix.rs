//! Traces in a real Arize Phoenix: `assay eval --otlp-endpoint` on the bundled
//! example job, then Phoenix's REST API (`GET /v1/projects/{project}/spans`)
//! must hold the job span, one span per row with its attributes, and the
//! judges' evaluations.
//!
//! Needs `ASSAY_PHOENIX_URL` (e.g. `http://127.0.0.1:6006`); `.ci/run` installs
//! and starts Phoenix and sets it, with `ASSAY_REQUIRE_PHOENIX=1` so that a
//! missing or unreachable Phoenix fails the test instead of skipping it.

use crate::support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Phoenix's base URL, or `None` (skip) when it is not configured and not required.
fn phoenix() -> Option<String> {
    let required = std::env::var("ASSAY_REQUIRE_PHOENIX").is_ok_and(|v| v == "1");
    match std::env::var("ASSAY_PHOENIX_URL") {
        Ok(url) if !url.is_empty() => Some(url.trim_end_matches('/').to_owned()),
        _ if required => panic!("ASSAY_REQUIRE_PHOENIX=1 but ASSAY_PHOENIX_URL is not set"),
        _ => {
            eprintln!("SKIPPED: set ASSAY_PHOENIX_URL to a running Phoenix (see README, Traces) to run this test");
            None
        }
    }
}

async fn get(client: &reqwest::Client, url: &str) -> Result<Value, String> {
    let resp = client.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
    let status = resp.status();
    let body = resp.text().await.map_err(|e| format!("GET {url}: {e}"))?;
    if !status.is_success() {
        return Err(format!("GET {url}: {status}: {body}"));
    }
    serde_json::from_str(&body).map_err(|e| format!("GET {url}: not JSON ({e}): {body}"))
}

/// Every span of `project`, following Phoenix's cursor.
async fn all_spans(client: &reqwest::Client, base: &str, project: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/v1/projects/{project}/spans?limit=1000");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page = get(client, &url).await?;
        out.extend(page["data"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return Ok(out),
        }
    }
}

#[test]
fn the_bundled_job_arrives_in_phoenix_as_one_job_span_one_span_per_row_and_the_evaluations() {
    let Some(base) = phoenix() else { return };
    let rt = support::runtime();
    let client = reqwest::Client::new();
    rt.block_on(get(&client, &format!("{base}/v1/projects")))
        .unwrap_or_else(|e| panic!("Phoenix at {base} is not reachable: {e}"));

    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let project = format!("assay-test-{}-{nanos}", std::process::id());
    let schema = format!("schema-drift.schema=@{}", support::data("schema.json").display());
    let prices = format!("cost-per-row.prices=@{}", support::data("prices.json").display());
    let results = format!(
        "{},{}",
        support::data("openai_output.jsonl").display(),
        support::data("openai_errors.jsonl").display()
    );
    let out = support::assay(&[
        "eval",
        "--provider",
        "openai",
        "--input",
        support::data("openai_input.jsonl").to_str().unwrap(),
        "--results",
        &results,
        "--judge",
        "schema-drift",
        "--set",
        &schema,
        "--judge",
        "cost-per-row",
        "--set",
        &prices,
        "--segment-size",
        "250",
        "--format",
        "json",
        "--otlp-endpoint",
        &base,
        "--otlp-project",
        &project,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let summary = support::json(&out);
    let traces = &summary["traces"];
    let sent = traces["spans"].as_u64().unwrap();
    assert_eq!(
        (traces["exported"].as_u64(), traces["dropped"].as_u64()),
        (Some(sent), Some(0)),
        "{traces}"
    );
    let scored: u64 = summary["judges"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|j| j["scored"].as_u64())
        .sum();
    assert_eq!(sent, 1 + 2000 + scored, "{traces}");

    // Phoenix ingests asynchronously: wait until every span is queryable.
    let deadline = Instant::now() + Duration::from_secs(120);
    let spans = loop {
        let spans = rt.block_on(all_spans(&client, &base, &project)).unwrap_or_default();
        if spans.len() as u64 >= sent || Instant::now() > deadline {
            break spans;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(spans.len() as u64, sent, "spans in Phoenix project {project}");

    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    for s in &spans {
        *kinds
            .entry(s["span_kind"].as_str().unwrap_or("").to_owned())
            .or_default() += 1;
    }
    assert_eq!(kinds.get("CHAIN"), Some(&1), "{kinds:?}");
    assert_eq!(kinds.get("LLM"), Some(&2000), "{kinds:?}");
    assert_eq!(kinds.get("EVALUATOR"), Some(&scored), "{kinds:?}");

    let job = spans.iter().find(|s| s["span_kind"] == "CHAIN").unwrap();
    let ja = &job["attributes"];
    assert!(job["parent_id"].is_null(), "{job}");
    assert_eq!(ja["batch.provider"], "openai");
    assert_eq!(ja["batch.row_count"], 2000);
    assert_eq!(ja["batch.status.completed"], 1905);
    assert_eq!(ja["batch.status.provider_error"], 75);
    assert!(
        ja["batch.completion_rate"]
            .as_f64()
            .is_some_and(|r| (r - 0.9525).abs() < 1e-9),
        "{ja}"
    );
    assert!(
        ja["batch.cost_per_validated_row_usd"].as_f64().is_some_and(|c| c > 0.0),
        "{ja}"
    );
    assert!(ja["batch.wall_time_ms"].as_u64().is_some(), "{ja}");

    let job_id = job["context"]["span_id"].as_str().unwrap();
    let rows: Vec<&Value> = spans.iter().filter(|s| s["span_kind"] == "LLM").collect();
    let mut ids: Vec<&str> = rows
        .iter()
        .filter_map(|s| s["attributes"]["batch.row_id"].as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2000, "one span per row");
    for r in &rows {
        assert_eq!(r["parent_id"].as_str(), Some(job_id));
    }
    let completed = rows
        .iter()
        .find(|s| s["attributes"]["batch.row_status"] == "completed")
        .unwrap();
    let a = &completed["attributes"];
    for k in [
        "batch.segment",
        "batch.attempt",
        "llm.model_name",
        "llm.token_count.prompt",
        "llm.token_count.completion",
        "llm.token_count.total",
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens",
        "input.value",
        "output.value",
    ] {
        assert!(!a[k].is_null(), "{k} missing: {a}");
    }
    let eval = completed["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "gen_ai.evaluation.result")
        .unwrap_or_else(|| panic!("no evaluation event: {completed}"));
    assert!(eval["attributes"]["gen_ai.evaluation.name"].is_string(), "{eval}");
    let failed = rows
        .iter()
        .find(|s| s["attributes"]["batch.row_status"] == "provider_error")
        .unwrap();
    assert_eq!(failed["attributes"]["batch.error_code"], "server_error");
    assert_eq!(failed["status_code"], "ERROR");
}
