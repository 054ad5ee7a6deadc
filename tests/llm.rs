//! The `llm` capability holds its grants and budgets: a judge that imports it is
//! refused without a grant, and every denial path (model, calls per row, token
//! budget, timeout, endpoint failure, no endpoint) comes back to the judge as an
//! error value while its neighbours still score. Calls go to a loopback
//! OpenAI-compatible server the test starts; nothing here needs the internet.

use crate::support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use assay::judge::engine::JudgeEngine;
use assay::judge::llm::grant::Grant;
use assay::judge::llm::{Endpoint, ResponseCache};
use assay::judge::load::load;
use assay::judge::manifest::Manifest;
use assay::judge::runner::Scorer;
use assay::judge::state::RunContext;
use assay::judge::{JudgePre, LoadError, Policy, RowResult};
use support::llm_server::LlmServer;

const RUN: RunContext = RunContext { seed: 7 };

/// The staged llm-caller's sha256: a judge from outside the built-ins is
/// granted only by its hash.
fn caller_sha256() -> String {
    let m = Manifest::read(&support::hostile_judges().join("llm-caller").join("judge.toml")).expect("manifest");
    m.manifest.sha256.expect("staged judges are pinned")
}

fn grant() -> Grant {
    Grant {
        sha256: Some(caller_sha256()),
        models: vec!["judge-small".into(), "judge-large".into()],
        calls_per_row: 1,
        token_budget: 100_000,
        concurrency: 4,
        timeout: Duration::from_secs(5),
        max_tokens_per_call: 64,
        usd_per_mtok_input: Some(1.0),
        usd_per_mtok_output: Some(2.0),
    }
}

/// A policy granting `llm-caller` `g`, with calls going to `server` (if any)
/// and answers cached in `cache` (if any).
fn policy(g: Option<Grant>, server: Option<&LlmServer>, cache: Option<&std::path::Path>) -> Policy {
    let mut p = Policy::default();
    p.defaults.call_timeout_base = Duration::from_millis(400);
    p.defaults.call_timeout_per_row = Duration::from_millis(100);
    if let Some(g) = g {
        p.llm.grants = BTreeMap::from([("llm-caller".to_owned(), g)]);
    }
    p.llm.endpoint = server.map(|s| Arc::new(Endpoint::new(&s.url, None).expect("endpoint")));
    p.llm.cache = cache.map(|d| ResponseCache::open(d).expect("cache"));
    p
}

fn load_caller(engine: &JudgeEngine, policy: &Policy) -> Result<Arc<JudgePre>, LoadError> {
    let entry = Manifest::read(&support::hostile_judges().join("llm-caller").join("judge.toml")).expect("manifest");
    load(engine, None, policy, entry)
}

/// Scores `responses` as one chunk; returns (label, details, passed) per row and
/// the judge (for its counters).
fn score(policy: &Policy, responses: &[&str]) -> (Vec<(String, String, bool)>, Arc<JudgePre>) {
    support::runtime().block_on(async {
        let engine = JudgeEngine::new().expect("engine");
        let judge = load_caller(&engine, policy).expect("llm-caller loads");
        let mut scorer = Scorer::new(judge.clone(), Arc::new(Vec::new()), RUN);
        let ids: Vec<String> = (0..responses.len()).map(|i| format!("row-{i}")).collect();
        let rows: Vec<_> = responses
            .iter()
            .enumerate()
            .map(|(i, r)| support::row(i, &ids[i], r))
            .collect();
        let out = scorer.score(&rows).await.expect("scorer starts");
        scorer.close();
        let out = out
            .into_iter()
            .map(|r| match r {
                RowResult::Verdict(v) => (
                    v.label.clone().unwrap_or_default(),
                    v.details.clone().unwrap_or_default(),
                    v.passed,
                ),
                other => panic!("expected a verdict, got {other:?}"),
            })
            .collect();
        (out, judge)
    })
}

fn labels(out: &[(String, String, bool)]) -> Vec<&str> {
    out.iter().map(|(l, _, _)| l.as_str()).collect()
}

#[test]
fn llm_import_without_a_grant_is_refused_at_load() {
    let engine = JudgeEngine::new().expect("engine");
    let Err(err) = load_caller(&engine, &policy(None, None, None)) else {
        panic!("an ungranted llm import must not load");
    };
    let msg = err.to_string();
    assert!(msg.contains("imports assay:llm/llm@0.1.0"), "{msg}");
    assert!(msg.contains("grants it no LLM access"), "{msg}");
}

#[test]
fn llm_import_the_manifest_does_not_declare_is_refused_even_when_granted() {
    let dir = tempfile::tempdir().expect("dir");
    let staged = support::hostile_judges().join("llm-caller");
    for f in ["llm_caller.wasm", "judge.toml"] {
        std::fs::copy(staged.join(f), dir.path().join(f)).expect("copy");
    }
    let manifest = dir.path().join("judge.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    std::fs::write(&manifest, text.replace("[capabilities]\nllm = true\n", "")).expect("write");
    let engine = JudgeEngine::new().expect("engine");
    let entry = Manifest::read(&manifest).expect("manifest");
    assert!(!entry.manifest.capabilities.llm);
    let Err(err) = load(&engine, None, &policy(Some(grant()), None, None), entry) else {
        panic!("an undeclared llm import must not load");
    };
    assert!(
        err.to_string()
            .contains("its manifest does not declare ([capabilities] llm = true)"),
        "{err}"
    );
}

#[test]
fn a_grant_without_a_pin_is_not_inherited_by_a_judge_outside_the_built_ins() {
    let engine = JudgeEngine::new().expect("engine");
    let mut g = grant();
    g.sha256 = None;
    let Err(err) = load_caller(&engine, &policy(Some(g), None, None)) else {
        panic!("an unpinned grant must not follow the name to a non-built-in judge");
    };
    let msg = err.to_string();
    assert!(msg.contains("only the built-in judge of that name may use"), "{msg}");
    assert!(msg.contains(&format!("sha256 = \"{}\"", caller_sha256())), "{msg}");
}

#[test]
fn grant_pinned_to_another_build_is_refused_at_load() {
    let engine = JudgeEngine::new().expect("engine");
    let mut g = grant();
    g.sha256 = Some("0".repeat(64));
    let Err(err) = load_caller(&engine, &policy(Some(g), None, None)) else {
        panic!("a grant pinned to another sha256 must not load the judge");
    };
    assert!(err.to_string().contains("pinned to sha256 0000"), "{err}");
}

#[test]
fn granted_calls_reach_the_endpoint_and_are_counted() {
    let server = LlmServer::start();
    let p = policy(Some(grant()), Some(&server), None);
    let (out, judge) = score(&p, &["say=hello", "none", "model=judge-large;say=second"]);
    assert_eq!(labels(&out), ["ok", "no-call", "ok"]);
    assert!(out[0].1.starts_with("echo: hello [judge-small;"), "{}", out[0].1);
    assert!(out[2].1.starts_with("echo: second [judge-large;"), "{}", out[2].1);
    assert_eq!(server.requests(), 2);
    let st = judge.llm.as_ref().expect("granted").stats();
    assert_eq!((st.calls, st.cached), (2, 0));
    assert!(st.input_tokens > 0 && st.output_tokens > 0);
    assert!(st.errors.is_empty());
}

#[test]
fn model_outside_the_allow_list_is_an_error_value() {
    let server = LlmServer::start();
    let p = policy(Some(grant()), Some(&server), None);
    let (out, judge) = score(&p, &["model=gpt-huge", "say=fine"]);
    assert_eq!(labels(&out), ["model-not-allowed", "ok"]);
    assert!(out[0].1.contains("allowed: judge-small, judge-large"), "{}", out[0].1);
    assert!(!out[0].2);
    assert_eq!(server.requests(), 1);
    assert_eq!(
        judge.llm.as_ref().expect("granted").stats().errors["model-not-allowed"],
        1
    );
}

#[test]
fn calls_past_the_per_row_cap_or_for_another_row_are_refused() {
    let server = LlmServer::start();
    let mut g = grant();
    g.calls_per_row = 2;
    let p = policy(Some(g), Some(&server), None);
    let (out, _) = score(&p, &["calls=2", "calls=3", "row=7", "row=0"]);
    // Row 3 claims row 0, which already used its two calls.
    assert_eq!(labels(&out), ["ok", "row-limit", "row-limit", "row-limit"]);
    assert!(out[1].1.contains("already made 2 call(s)"), "{}", out[1].1);
    assert!(
        out[2].1.contains("row 7 is not in this batch of 4 rows"),
        "{}",
        out[2].1
    );
    assert_eq!(server.requests(), 4);
}

#[test]
fn token_budget_is_never_overspent() {
    let server = LlmServer::start();
    let mut g = grant();
    // Each call reserves about 3 + (4 + 11/3) + 16 = 26 tokens and spends ~8.
    g.token_budget = 60;
    let p = policy(Some(g), Some(&server), None);
    let responses = ["say=row payload"; 12];
    let (out, judge) = score(&p, &responses);
    let ok = out.iter().filter(|(l, _, _)| l == "ok").count();
    let exhausted = out.iter().filter(|(l, _, _)| l == "budget-exhausted").count();
    assert_eq!(ok + exhausted, 12, "{out:?}");
    assert!(ok >= 2 && exhausted >= 1, "{out:?}");
    let st = judge.llm.as_ref().expect("granted").stats();
    assert!(st.input_tokens + st.output_tokens <= 60, "{st:?}");
    assert_eq!(st.errors["budget-exhausted"], exhausted as u64);
    assert_eq!(server.requests(), ok as u64);
}

#[test]
fn slow_endpoint_times_out_under_the_grant_timeout() {
    let server = LlmServer::start();
    let mut g = grant();
    g.timeout = Duration::from_millis(200);
    let p = policy(Some(g), Some(&server), None);
    let (out, _) = score(&p, &["say=slow:2000", "say=quick"]);
    assert_eq!(labels(&out), ["timeout", "ok"]);
    assert!(out[0].1.contains("no answer within 200 ms"), "{}", out[0].1);
}

#[test]
fn waiting_on_the_endpoint_does_not_count_against_the_judge_deadline() {
    // The chunk's own deadline is 400 ms + 2 × 100 ms; the endpoint takes 900 ms.
    let server = LlmServer::start();
    let p = policy(Some(grant()), Some(&server), None);
    let (out, _) = score(&p, &["say=slow:900", "none"]);
    assert_eq!(labels(&out), ["ok", "no-call"]);
    assert!(out[0].1.starts_with("echo: slow:900"), "{}", out[0].1);
}

#[test]
fn endpoint_failures_are_error_values() {
    let server = LlmServer::start();
    let p = policy(Some(grant()), Some(&server), None);
    let (out, judge) = score(&p, &["say=fail", "say=garbage", "say=ok"]);
    assert_eq!(labels(&out), ["endpoint", "endpoint", "ok"]);
    assert!(out[0].1.contains("HTTP 500"), "{}", out[0].1);
    assert!(out[1].1.contains("not a chat completion"), "{}", out[1].1);
    assert_eq!(judge.llm.as_ref().expect("granted").stats().errors["endpoint"], 2);
}

#[test]
fn granted_judge_without_an_endpoint_gets_not_granted() {
    let (out, _) = score(&policy(Some(grant()), None, None), &["say=hi"]);
    assert_eq!(labels(&out), ["not-granted"]);
    assert!(out[0].1.contains("no --judge-endpoint"), "{}", out[0].1);
}

#[test]
fn concurrency_cap_bounds_calls_in_flight() {
    let server = LlmServer::start();
    let mut g = grant();
    g.concurrency = 1;
    let p = policy(Some(g), Some(&server), None);
    support::runtime().block_on(async {
        let engine = JudgeEngine::new().expect("engine");
        let judge = load_caller(&engine, &p).expect("loads");
        // Three scorers (as three workers would have) call at once.
        let mut tasks = Vec::new();
        for w in 0..3 {
            let judge = judge.clone();
            tasks.push(tokio::spawn(async move {
                let mut scorer = Scorer::new(judge, Arc::new(Vec::new()), RUN);
                let ids = [format!("w{w}-a"), format!("w{w}-b")];
                let rows = [
                    support::row(0, &ids[0], "say=slow:150"),
                    support::row(1, &ids[1], "say=slow:150"),
                ];
                let out = scorer.score(&rows).await.expect("scores");
                scorer.close();
                out.iter().filter(|r| r.passed()).count()
            }));
        }
        let mut passed = 0;
        for t in tasks {
            passed += t.await.expect("task");
        }
        assert_eq!(passed, 6);
    });
    assert_eq!(server.requests(), 6);
    assert_eq!(server.seen.max_in_flight.load(Ordering::SeqCst), 1);
}

#[test]
fn cached_answers_make_a_rerun_free_and_identical() {
    let server = LlmServer::start();
    let dir = tempfile::tempdir().expect("dir");
    let p = policy(Some(grant()), Some(&server), Some(dir.path()));
    let (first, _) = score(&p, &["say=a", "say=b"]);
    assert_eq!(labels(&first), ["ok", "ok"]);
    assert_eq!(server.requests(), 2);
    let (second, judge) = score(&p, &["say=a", "say=b"]);
    assert_eq!(labels(&second), ["cached", "cached"]);
    assert_eq!(server.requests(), 2, "a rerun must not call the endpoint");
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.1, b.1, "same answer");
    }
    let st = judge.llm.as_ref().expect("granted").stats();
    assert_eq!((st.calls, st.cached, st.input_tokens), (0, 2, 0));
    // Cached answers are served even with no endpoint at all.
    let (offline, _) = score(&policy(Some(grant()), None, Some(dir.path())), &["say=a"]);
    assert_eq!(labels(&offline), ["cached"]);
}

/// A chat result line whose assistant text is `content` (a directive for llm-caller).
fn result_line(id: &str, content: &str) -> String {
    serde_json::json!({
        "id": format!("b_{id}"), "custom_id": id,
        "response": {"status_code": 200, "request_id": "r", "body": {
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}},
        "error": null
    })
    .to_string()
}

fn input_line(id: &str) -> String {
    serde_json::json!({"custom_id": id, "method": "POST", "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}})
    .to_string()
}

#[test]
fn eval_reports_judge_llm_spend_apart_and_reruns_from_the_cache() {
    let server = LlmServer::start();
    let dir = tempfile::tempdir().expect("dir");
    let rows = ["say=one", "say=two", "model=not-granted-model"];
    let ids: Vec<String> = (0..rows.len()).map(|i| format!("r{i}")).collect();
    let input = support::write_lines(
        dir.path(),
        "in.jsonl",
        &ids.iter().map(|i| input_line(i)).collect::<Vec<_>>(),
    );
    let lines: Vec<String> = ids.iter().zip(rows).map(|(i, r)| result_line(i, r)).collect();
    let results = support::write_lines(dir.path(), "out.jsonl", &lines);
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        format!(
            "[llm.llm-caller]\nsha256 = \"{}\"\nmodels = [\"judge-small\"]\ntoken-budget = 1000\nusd-per-mtok-input = 1.0\nusd-per-mtok-output = 2.0\n",
            caller_sha256()
        ),
    )
    .expect("policy");
    let cache = dir.path().join("llm-cache");
    let (input, results, policy, cache) = (
        input.display().to_string(),
        results.display().to_string(),
        policy.display().to_string(),
        cache.display().to_string(),
    );
    let base = [
        "eval",
        "--input",
        &input,
        "--results",
        &results,
        "--judge",
        "llm-caller",
        "--format",
        "json",
    ];
    let granted = [
        "--policy",
        &policy,
        "--judge-endpoint",
        &server.url,
        "--judge-key-env",
        "ASSAY_TEST_JUDGE_KEY",
        "--judge-cache",
        &cache,
    ];
    let run = |extra: &[&str]| {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        support::assay_with_env(&args, &[("ASSAY_TEST_JUDGE_KEY", "sekrit")])
    };

    let refused = run(&[]);
    assert_eq!(refused.status.code(), Some(4), "{}", support::stderr(&refused));
    assert!(
        support::stderr(&refused).contains("grants it no LLM access"),
        "{}",
        support::stderr(&refused)
    );

    let first = run(&granted);
    let s = support::json(&first);
    let llm = &s["judges"]["llm-caller"]["llm"];
    assert_eq!(llm["calls"], 2, "{llm}");
    assert_eq!(llm["cached"], 0);
    assert_eq!(llm["errors"]["model-not-allowed"], 1);
    assert_eq!(llm["token_budget"], 1000);
    assert!(llm["cost_usd"].as_f64().is_some_and(|c| c > 0.0), "{llm}");
    assert_eq!(s["judges"]["llm-caller"]["passed"], 2);
    assert_eq!(
        server.seen.last_auth.lock().expect("lock").as_deref(),
        Some("Bearer sekrit")
    );

    let again = run(&granted);
    let s2 = support::json(&again);
    let llm2 = &s2["judges"]["llm-caller"]["llm"];
    assert_eq!(
        (llm2["calls"].as_u64(), llm2["cached"].as_u64()),
        (Some(0), Some(2)),
        "{llm2}"
    );
    assert_eq!(llm2["input_tokens"], 0);
    assert_eq!(server.requests(), 2, "the rerun asked the endpoint nothing");
    assert_eq!(s2["judges"]["llm-caller"]["passed"], 2);
}

/// `batch-sync-drift-llm` end to end: `--sync-results` pairs the rows, the judge
/// asks the loopback model for each pair, and falls back to its structural verdict
/// when the run has no endpoint.
#[test]
fn batch_sync_drift_llm_asks_the_granted_model_per_pair() {
    let server = LlmServer::start();
    let dir = tempfile::tempdir().expect("dir");
    // (batch answer, sync answer or none): the test server prefers the side whose
    // text says so, else calls the pair equivalent.
    let pairs = [
        ("prefer-batch: Paris is the capital.", Some("Paris.")),
        ("Lyon.", Some("prefer-sync: Paris is the capital.")),
        ("Paris is the capital.", Some("Paris is the capital.")),
        ("Paris.", None),
    ];
    let ids: Vec<String> = (0..pairs.len()).map(|i| format!("r{i}")).collect();
    let input = support::write_lines(
        dir.path(),
        "in.jsonl",
        &ids.iter().map(|i| input_line(i)).collect::<Vec<_>>(),
    );
    let batch: Vec<String> = ids.iter().zip(&pairs).map(|(i, (b, _))| result_line(i, b)).collect();
    let sync: Vec<String> = ids
        .iter()
        .zip(&pairs)
        .filter_map(|(i, (_, s))| s.map(|s| result_line(i, s)))
        .collect();
    let batch = support::write_lines(dir.path(), "batch.jsonl", &batch);
    let sync = support::write_lines(dir.path(), "sync.jsonl", &sync);
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[llm.batch-sync-drift-llm]\nmodels = [\"judge-small\"]\n").expect("policy");
    let cache = dir.path().join("llm-cache").display().to_string();
    let (input, batch, sync, policy) = (
        input.display().to_string(),
        batch.display().to_string(),
        sync.display().to_string(),
        policy.display().to_string(),
    );
    let run = |endpoint: Option<&str>| {
        let mut args = vec![
            "eval",
            "--input",
            &input,
            "--results",
            &batch,
            "--sync-results",
            &sync,
            "--judge",
            "batch-sync-drift-llm",
            "--policy",
            &policy,
            "--judge-cache",
            &cache,
            "--format",
            "json",
        ];
        if let Some(url) = endpoint {
            args.extend(["--judge-endpoint", url]);
        }
        support::json(&support::assay(&args))
    };

    let s = run(Some(&server.url));
    let j = &s["judges"]["batch-sync-drift-llm"];
    let m = &j["metrics"];
    assert_eq!(m["pairs"], 3.0, "{j}");
    assert_eq!(m["unpaired"], 1.0, "{j}");
    assert_eq!(
        (m["better"].as_f64(), m["worse"].as_f64()),
        (Some(1.0), Some(1.0)),
        "{m}"
    );
    assert_eq!(m["equivalent"], 1.0, "{m}");
    assert_eq!(m["llm_verdicts"], 3.0, "{m}");
    assert_eq!(m["mean_score"], 0.5, "{m}");
    assert_eq!(j["llm"]["calls"], 3, "{j}");
    assert_eq!(server.requests(), 3);

    // No endpoint and an empty cache directory: every pair falls back.
    let cache_dir = std::path::Path::new(&cache);
    std::fs::remove_dir_all(cache_dir).expect("clear cache");
    let s = run(None);
    let j = &s["judges"]["batch-sync-drift-llm"];
    assert_eq!(j["metrics"]["llm_fallbacks"], 3.0, "{j}");
    assert_eq!(j["metrics"]["pairs"], 3.0, "{j}");
    assert_eq!(j["llm"]["errors"]["not-granted"], 3, "{j}");
    assert_eq!(server.requests(), 3);
}

/// Issue 9, item 11: the answer cache is opened only when a judge is granted
/// `llm`; one that cannot be written makes the run go uncached, said once.
#[test]
fn an_unwritable_answer_cache_is_skipped_with_one_warning() {
    let dir = tempfile::tempdir().expect("dir");
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"not a directory").expect("write");
    let cache = blocker.join("llm").display().to_string();
    let rows = support::write_lines(dir.path(), "rows.jsonl", &[r#"{"id":"a","response":"ok"}"#.to_owned()]);
    let rows = rows.display().to_string();
    let out = support::assay(&["judge", "test", "hostile", "--rows", &rows, "--judge-cache", &cache]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    assert!(!support::stderr(&out).contains("uncached"), "no grant, no cache");
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        format!("[llm.llm-caller]\nsha256 = \"{}\"\nmodels = [\"m\"]\n", caller_sha256()),
    )
    .expect("policy");
    let policy = policy.display().to_string();
    let out = support::assay(&[
        "judge",
        "test",
        "hostile",
        "--rows",
        &rows,
        "--policy",
        &policy,
        "--judge-cache",
        &cache,
    ]);
    let err = support::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("judge LLM answers run uncached").count(), 1, "{err}");
}
